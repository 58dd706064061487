//! Two nodes sharing one PostgreSQL database and the local NATS: people on
//! different nodes chat live, sequences stay gap-free when both nodes
//! write to one chat at once, and a node that hears no notice at all
//! still catches up from the store; a group's call lives on one node and
//! is joined, seen and left from any, and starts again elsewhere when its
//! node is gone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::group_call::{hear_each_other, join_with, leg, people};
use common::*;
use courier_protocol::http::calls::GROUP_CALL;
use courier_protocol::{ClientFrame, GroupStep, Seq, Showing};
use courier_server::startup::Running;
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

/// Two nodes on a fresh database, hearing each other on a subject of their
/// own (`tag` keeps tests running at once apart); and their shutdown.
async fn two_nodes(tag: &str) -> (TestDatabase, CancellationToken, String, String) {
    let database = TestDatabase::create().await;
    let subject = format!("courier.test.{tag}.{}", std::process::id());
    let shutdown = CancellationToken::new();
    let a = node(&database, &subject, &shutdown).await;
    let b = node(&database, &subject, &shutdown).await;
    (database, shutdown, a, b)
}

#[tokio::test]
async fn people_on_different_nodes_chat_and_sequences_stay_gap_free() {
    let (database, shutdown, a, b) = two_nodes("chat").await;

    let alice = sign_up(&a, "alice").await;
    let bob_on_b = sign_up(&b, "bob").await;
    // A chat started on node A reaches Bob's socket on node B at once.
    let mut early = bob_on_b.connect(&[]).await;
    let direct = alice.direct("bob").await;
    match early.next().await {
        courier_protocol::ServerFrame::Chat { chat } => {
            assert_eq!((chat.id, chat.title.as_str()), (direct.id, "alice"));
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
        sb.events_until(chat.id, Seq(1)).await[0].text(),
        "hello from node A"
    );
    sb.say(chat.id, "b1", "hello from node B").await;
    sb.sent("b1").await;
    assert_eq!(
        sa.events_until(chat.id, Seq(2))
            .await
            .last()
            .unwrap()
            .text(),
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
    assert_eq!(sb.events_until(chat.id, Seq(1)).await[0].text(), "one");
    sa.say(chat.id, "a2", "two").await;
    sa.say(chat.id, "a3", "three").await;
    sa.sent("a3").await;
    let texts: Vec<String> = sb
        .events_covering(chat.id, Seq(2), Seq(3))
        .await
        .into_iter()
        .map(|m| m.text().to_string())
        .collect();
    assert!(
        texts.contains(&"two".to_string()) && texts.contains(&"three".to_string()),
        "{texts:?}"
    );
    shutdown.cancel();
    database.drop_now().await;
}

#[tokio::test]
async fn signing_out_closes_the_sessions_sockets_on_every_node() {
    let (database, shutdown, a, b) = two_nodes("signout").await;
    let alice = sign_up(&a, "alice").await;
    let alice_on_b = Person {
        base: b.clone(),
        ..alice.clone()
    };
    let mut on_b = alice_on_b.connect(&[]).await;
    let mut on_a = alice.connect(&[]).await;
    alice
        .call(&courier_protocol::http::SIGN_OUT, &[], &())
        .await
        .expect("signed out");
    let started = std::time::Instant::now();
    assert!(
        on_a.closed_within(WAIT).await,
        "the socket on node A stays open"
    );
    assert!(
        on_b.closed_within(WAIT).await,
        "the socket on node B stays open"
    );
    println!(
        "signed out on A: both sockets closed in {:?}",
        started.elapsed()
    );

    // A session that ends without a notice (expired, or the notice lost)
    // closes its sockets too, within seconds.
    let bob = sign_up(&a, "bob").await;
    let bob_on_b = Person {
        base: b.clone(),
        ..bob.clone()
    };
    let mut bob_socket = bob_on_b.connect(&[]).await;
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    sqlx::query("UPDATE sessions SET expires_at = 0 WHERE user_id = $1")
        .bind(bob.me.id.0)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let started = std::time::Instant::now();
    assert!(
        bob_socket.closed_within(WAIT).await,
        "an expired session's socket stays open"
    );
    println!("expired session: socket closed in {:?}", started.elapsed());
    shutdown.cancel();
    database.drop_now().await;
}

#[tokio::test]
async fn a_stale_join_notice_does_not_readmit_a_banned_member() {
    let (database, shutdown, a, b) = two_nodes("ban").await;
    // The subject both nodes hear, for a notice sent by hand.
    let subject = format!("courier.test.ban.{}", std::process::id());
    let owner = sign_up(&a, "owner").await;
    let bob = sign_up(&a, "bob").await;
    let chat = owner.group("Private").await;
    bob.join(&chat).await;
    let bob_on_b = Person {
        base: b.clone(),
        ..bob.clone()
    };
    let mut bob_socket = bob_on_b.connect(&[]).await;
    owner
        .call(
            &courier_protocol::http::MEMBER_ACTION,
            &[&chat.id.0, &bob.me.id.0],
            &courier_protocol::http::MemberAction::Ban,
        )
        .await
        .unwrap();
    loop {
        if let courier_protocol::ServerFrame::Left { chat: left } = bob_socket.next().await {
            assert_eq!(left, chat.id);
            break;
        }
    }
    // A notice that Bob joined, late or out of order (as a node that read
    // before the ban would send), reaches node B after the ban.
    let nats = async_nats::connect(NATS).await.unwrap();
    let stale = serde_json::json!({
        "node": 1,
        "notice": {"t": "joined", "user": bob.me.id.0, "chat": chat.id.0},
    });
    nats.publish(subject.clone(), serde_json::to_vec(&stale).unwrap().into())
        .await
        .unwrap();
    nats.flush().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mut owner_socket = owner.connect(&[]).await;
    owner_socket.say(chat.id, "secret", "after the ban").await;
    owner_socket.sent("secret").await;
    let leaked: Vec<_> = bob_socket
        .drain(std::time::Duration::from_secs(2))
        .await
        .into_iter()
        .filter(
            |f| matches!(f, courier_protocol::ServerFrame::Events { chat: c, .. } if *c == chat.id),
        )
        .collect();
    assert!(leaked.is_empty(), "a banned member got {leaked:?}");
    shutdown.cancel();
    database.drop_now().await;
}

#[tokio::test]
async fn frames_addressed_to_a_chat_or_a_user_cross_nodes() {
    use courier_protocol::http::{Draft, SAVE_DRAFT};
    use courier_protocol::{ClientFrame, ServerFrame};
    let (database, shutdown, a, b) = two_nodes("frames").await;
    let alice = sign_up(&a, "alice").await;
    let bob_on_b = sign_up(&b, "bob").await;
    let chat = alice.group("Across").await;
    bob_on_b.join(&chat).await;
    let alice_on_b = Person {
        base: b.clone(),
        ..alice.clone()
    };
    let mut sa = alice.connect(&[]).await;
    let (mut sb, mut sab) = (bob_on_b.connect(&[]).await, alice_on_b.connect(&[]).await);

    // To the chat: Alice types on node A, Bob sees it on node B.
    sa.send(&ClientFrame::Typing { chat: chat.id }).await;
    let typing = sb.drain(WAIT / 2).await.into_iter().find_map(|f| match f {
        ServerFrame::Typing { chat: c, user, .. } => Some((c, user)),
        _ => None,
    });
    assert_eq!(typing, Some((chat.id, alice.me.id)));

    // To a user: Alice's draft saved on node A reaches her socket on node B.
    let draft = Draft {
        text: "half a thought".into(),
        device: "tab-a".into(),
    };
    alice
        .call(&SAVE_DRAFT, &[&chat.id.0], &draft)
        .await
        .unwrap();
    let seen = sab.drain(WAIT / 2).await.into_iter().find_map(|f| match f {
        ServerFrame::Draft { chat: c, text, .. } => Some((c, text)),
        _ => None,
    });
    assert_eq!(seen, Some((chat.id, "half a thought".to_owned())));
    shutdown.cancel();
    database.drop_now().await;
}

/// Ann on node `a` and Bob on node `b`, in a group of hers.
async fn choir(a: &str, b: &str) -> (Person, Person, courier_protocol::ChatId) {
    let ann = sign_up(a, "ann").await;
    let bob = sign_up(b, "bob").await;
    let group = ann.group("Choir").await;
    bob.join(&group).await;
    (ann, bob, group.id)
}

/// A group's call started on node A is joined from node B: B asks A,
/// whose SFU carries both, so they hear each other; both nodes' sockets
/// are told who is in and what they show; a step and a look from B reach
/// the call on A; the last one out ends it with one event in the chat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_call_lives_on_one_node_and_is_joined_from_any() {
    let (database, shutdown, a, b) = two_nodes("group-call").await;
    let (ann, bob, chat) = choir(&a, &b).await;
    let mut on_a = ann.connect(&[]).await;
    let mut on_b = bob.connect(&[]).await;

    let mut ann_tab = join_with(&mut on_a, chat, "a-tab").await;
    let started = on_b.group_call_where(chat, |c| people(c) == 1).await;
    let mut bob_tab = join_with(&mut on_b, chat, "b-tab").await;
    let both = on_a
        .group_call_where(chat, |c| people(c) == 2)
        .await
        .unwrap();
    assert_eq!(both.id, started.unwrap().id, "one call, not one per node");
    let (ann_peer, bob_peer) = (both.people[0].peer.clone(), both.people[1].peer.clone());
    hear_each_other(&mut ann_tab, &ann_peer, &mut bob_tab, &bob_peer).await;
    let seen_from_b = bob.call(&GROUP_CALL, &[&chat.0], &()).await.unwrap();
    assert_eq!(
        people(&seen_from_b),
        2,
        "node B reads the call node A holds"
    );

    let hand = Showing {
        hand: true,
        ..Showing::default()
    };
    on_b.send(&ClientFrame::GroupCall {
        chat,
        step: GroupStep::Show {
            leg: leg("b-tab"),
            state: hand,
        },
    })
    .await;
    on_a.group_call_where(chat, |c| {
        c.as_ref()
            .is_some_and(|c| c.people.iter().any(|p| p.showing == hand))
    })
    .await;

    for (socket, tab) in [(&mut on_b, "b-tab"), (&mut on_a, "a-tab")] {
        socket
            .send(&ClientFrame::GroupCall {
                chat,
                step: GroupStep::Leave { leg: leg(tab) },
            })
            .await;
    }
    assert_eq!(on_b.group_call_where(chat, Option::is_none).await, None);
    assert_eq!(on_b.call_event(chat).await.0, ann.me.id);
    // Ended: a new call may start on either node.
    assert_eq!(bob.call(&GROUP_CALL, &[&chat.0], &()).await.unwrap(), None);

    shutdown.cancel();
    database.drop_now().await;
}

/// The node holding a group's call dies (its process killed): the next
/// join, through another node, starts the call again there (its people
/// rejoin; their media went with the node).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_call_whose_node_dies_starts_again_on_another() {
    let database = TestDatabase::create().await;
    let subject = format!("courier.test.call-gone.{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let cluster = ["--postgres", &database.url, "--nats", NATS];
    let mut a = spawn_binary_with(
        dir.path(),
        &[&cluster[..], &["--nats-subject", &subject]].concat(),
        &[],
    )
    .await;
    let shutdown = CancellationToken::new();
    let b = node(&database, &subject, &shutdown).await;
    let (ann, bob, chat) = choir(&a.base, &b).await;
    let mut on_a = ann.connect(&[]).await;
    let mut on_b = bob.connect(&[]).await;
    let _ann_tab = join_with(&mut on_a, chat, "a-tab").await;
    on_b.group_call_where(chat, |c| people(c) == 1).await;

    a.child.kill().await.unwrap();
    let _bob_tab = join_with(&mut on_b, chat, "b-tab").await;
    let only_bob = |c: &Option<courier_protocol::GroupCall>| {
        c.as_ref()
            .is_some_and(|c| c.people.iter().map(|p| p.user).eq([bob.me.id]))
    };
    // (What bob's socket was told may come before the answer: ask.)
    let seen = bob.call(&GROUP_CALL, &[&chat.0], &()).await.unwrap();
    assert!(only_bob(&seen), "{seen:?}");

    shutdown.cancel();
    database.drop_now().await;
}
