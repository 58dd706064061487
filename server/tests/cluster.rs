//! Two nodes sharing one PostgreSQL database and the local NATS: people on
//! different nodes chat live, sequences stay gap-free when both nodes
//! write to one chat at once, and a node that hears no notice at all
//! still catches up from the store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use courier_protocol::Seq;
use courier_server::server::Running;
use tokio_util::sync::CancellationToken;

const NATS: &str = "nats://127.0.0.1:4222";

/// A node of a cluster: its base URL.
async fn node(database: &TestDatabase, subject: &str, shutdown: &CancellationToken) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.postgres = Some(database.url.clone());
    config.nats = Some(NATS.into());
    config.nats_subject = subject.into();
    let running = Running::start(&config, shutdown.clone())
        .await
        .expect("NATS on 127.0.0.1:4222");
    let base = format!("http://{}", running.local_addr().unwrap());
    tokio::spawn(running.serve());
    base
}

#[tokio::test]
async fn people_on_different_nodes_chat_and_sequences_stay_gap_free() {
    let database = TestDatabase::create().await;
    let subject = format!("courier.test.{}", std::process::id());
    let shutdown = CancellationToken::new();
    let (a, b) = (
        node(&database, &subject, &shutdown).await,
        node(&database, &subject, &shutdown).await,
    );

    let alice = sign_up(&a, "alice").await;
    let bob_on_b = sign_up(&b, "bob").await;
    // A chat started on node A reaches Bob's socket on node B at once.
    let mut early = bob_on_b.connect(&[]).await;
    let direct = alice.direct("bob").await;
    match early.next().await {
        courier_protocol::ServerFrame::Chat { chat } => {
            assert_eq!((chat.id, chat.title.as_str()), (direct.id, "alice"))
        }
        other => panic!("expected the new chat, got {other:?}"),
    }
    let chat = alice.group("Across").await;
    bob_on_b.join(&chat).await;
    // The same session works on either node: sessions live in the database.
    let alice_on_b = Person {
        base: b.clone(),
        ..alice.clone()
    };

    let mut sa = alice.connect(&[]).await;
    let mut sb = bob_on_b.connect(&[]).await;
    sa.say(chat.id, "a1", "hello from node A").await;
    sa.sent("a1").await;
    assert_eq!(
        sb.events_until(chat.id, Seq(1)).await[0].text,
        "hello from node A"
    );
    sb.say(chat.id, "b1", "hello from node B").await;
    sb.sent("b1").await;
    assert_eq!(
        sa.events_until(chat.id, Seq(2)).await.last().unwrap().text,
        "hello from node B"
    );

    // Both nodes write to one chat at once.
    let mut sa2 = alice_on_b.connect(&[]).await;
    for i in 0..50 {
        sa.say(chat.id, &format!("x{i}"), "via A").await;
        sa2.say(chat.id, &format!("y{i}"), "via B").await;
    }
    sa.sent("x49").await;
    sa2.sent("y49").await;
    let mut reader = bob_on_b.connect(&[]).await;
    let all = reader.events_until(chat.id, Seq(102)).await;
    assert_eq!(
        all.iter().map(|m| m.seq.0).collect::<Vec<_>>(),
        (1..=102).collect::<Vec<_>>()
    );
    // And node B's live socket heard all the rest, node A's messages too.
    let live = sb.events_covering(chat.id, Seq(3), Seq(102)).await;
    assert!(live.iter().any(|m| m.id.0 == "x49") && live.iter().any(|m| m.id.0 == "y49"));

    shutdown.cancel();
    database.drop_now().await;
}

#[tokio::test]
async fn a_node_that_misses_every_notice_catches_up_from_the_store() {
    let database = TestDatabase::create().await;
    let shutdown = CancellationToken::new();
    // Different subjects: node B never hears node A, as if NATS lost it all.
    let a = node(
        &database,
        &format!("courier.test.a.{}", std::process::id()),
        &shutdown,
    )
    .await;
    let b = node(
        &database,
        &format!("courier.test.b.{}", std::process::id()),
        &shutdown,
    )
    .await;
    let alice = sign_up(&a, "alice").await;
    let bob = sign_up(&b, "bob").await;
    let chat = alice.group("Deaf").await;
    bob.join(&chat).await;
    let bob_on_b = Person {
        base: b.clone(),
        ..bob.clone()
    };
    let mut sb = bob_on_b.connect(&[]).await;
    let mut sa = alice.connect(&[]).await;
    sa.say(chat.id, "a1", "one").await;
    sa.sent("a1").await;
    assert_eq!(sb.events_until(chat.id, Seq(1)).await[0].text, "one");
    sa.say(chat.id, "a2", "two").await;
    sa.say(chat.id, "a3", "three").await;
    sa.sent("a3").await;
    let texts: Vec<String> = sb
        .events_covering(chat.id, Seq(2), Seq(3))
        .await
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert!(
        texts.contains(&"two".to_string()) && texts.contains(&"three".to_string()),
        "{texts:?}"
    );
    shutdown.cancel();
    database.drop_now().await;
}
