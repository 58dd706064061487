//! The six delivery invariants of DESIGN.md, over real sockets. (The sixth,
//! the offline outbox, lives in the browser: tests/e2e.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use courier_protocol::{Cursor, Seq, ServerFrame};

/// 1. Ack means durable: every acknowledged message survives SIGKILL.
#[tokio::test]
async fn acked_messages_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = spawn_binary(dir.path()).await;
    let alice = sign_up(&server.base, "alice").await;
    let chat = alice.group("Durable").await;
    let mut socket = alice.connect(&[]).await;
    for i in 0..50 {
        socket
            .say(chat.id, &format!("m{i}"), &format!("message {i}"))
            .await;
    }
    let last = socket.sent("m49").await;
    server.child.start_kill().unwrap();
    server.child.wait().await.unwrap();

    let server = spawn_binary(dir.path()).await;
    let alice = common::Person {
        base: server.base.clone(),
        ..alice
    };
    let mut socket = alice.connect(&[]).await;
    let stored = socket.events_until(chat.id, last.seq).await;
    let texts: Vec<String> = stored.iter().map(|m| m.text().to_string()).collect();
    let expected: Vec<String> = (0..50).map(|i| format!("message {i}")).collect();
    assert_eq!(texts, expected);
}

/// 2. Idempotent sends: one stored message, the same ack twice.
#[tokio::test]
async fn the_same_client_id_stores_one_message() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let chat = alice.group("Twice").await;
    let mut socket = alice.connect(&[]).await;
    socket.say(chat.id, "same-id", "hello").await;
    let first = socket.sent("same-id").await;
    // Again on a new socket, as after a reconnect that lost the ack.
    let mut again = alice
        .connect(&[Cursor {
            chat: chat.id,
            seq: first.seq,
        }])
        .await;
    again.say(chat.id, "same-id", "hello").await;
    let second = again.sent("same-id").await;
    assert_eq!(first, second);
    let mut fresh = alice.connect(&[]).await;
    let all = fresh.events_until(chat.id, first.seq).await;
    assert_eq!(all.len(), 1);
    assert!(fresh.drain(Duration::from_millis(300)).await.is_empty());
}

/// 3. Gap-free order per chat, with writers racing on two sockets.
#[tokio::test]
async fn concurrent_senders_get_gap_free_sequences() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let chat = alice.group("Race").await;
    bob.join(&chat).await;
    let mut a = alice.connect(&[]).await;
    let mut b = bob.connect(&[]).await;
    for i in 0..100 {
        a.say(chat.id, &format!("a{i}"), "from alice").await;
        b.say(chat.id, &format!("b{i}"), "from bob").await;
    }
    a.sent("a99").await;
    b.sent("b99").await;
    let mut reader = alice.connect(&[]).await;
    let all = reader.events_until(chat.id, Seq(200)).await;
    let seqs: Vec<i64> = all.iter().map(|m| m.seq.0).collect();
    assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
    // Each sender's own messages keep the order they were sent in.
    let alices: Vec<&str> = all
        .iter()
        .filter(|m| m.sender == alice.me.id)
        .map(|m| m.id.0.as_str())
        .collect();
    assert_eq!(
        alices,
        (0..100).map(|i| format!("a{i}")).collect::<Vec<_>>()
    );
}

/// 4. Resume, don't reload: exactly what is newer than the cursor.
#[tokio::test]
async fn reconnect_resumes_from_the_cursor() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let chat = alice.direct("bob").await;
    let mut a = alice.connect(&[]).await;
    for i in 1..=10 {
        a.say(chat.id, &format!("m{i}"), &format!("text {i}")).await;
    }
    a.sent("m10").await;
    let mut b = bob
        .connect(&[Cursor {
            chat: chat.id,
            seq: Seq(7),
        }])
        .await;
    let got = b.events_until(chat.id, Seq(10)).await;
    assert_eq!(
        got.iter().map(|m| m.seq.0).collect::<Vec<_>>(),
        vec![8, 9, 10]
    );
    assert!(
        b.drain(Duration::from_millis(300)).await.is_empty(),
        "nothing sent twice"
    );
    // A gap is filled on request too.
    b.send(&courier_protocol::ClientFrame::Sync {
        chat: chat.id,
        after: Seq(8),
    })
    .await;
    let filled = b.events_until(chat.id, Seq(10)).await;
    assert_eq!(
        filled.iter().map(|m| m.seq.0).collect::<Vec<_>>(),
        vec![9, 10]
    );
}

/// 5. Fan-out after commit: every open socket of every member gets the
/// message, and by then it is stored.
#[tokio::test]
async fn fan_out_reaches_every_tab_of_every_member_after_commit() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let carol = sign_up(&server.base, "carol").await;
    let dave = sign_up(&server.base, "dave").await;
    let chat = alice.group("Three").await;
    bob.join(&chat).await;
    carol.join(&chat).await;
    let mut a = alice.connect(&[]).await;
    let mut b1 = bob.connect(&[]).await;
    let mut b2 = bob.connect(&[]).await;
    let mut c = carol.connect(&[]).await;
    let mut outsider = dave.connect(&[]).await;
    a.say(chat.id, "hi", "hello, team").await;
    let sent = a.sent("hi").await;
    for socket in [&mut b1, &mut b2, &mut c] {
        let got = socket.events_until(chat.id, sent.seq).await;
        assert_eq!(got.last(), Some(&sent));
        // Stored by the time it arrived: a fresh socket resumes it.
    }
    let mut late = carol
        .connect(&[Cursor {
            chat: chat.id,
            seq: Seq(0),
        }])
        .await;
    assert_eq!(
        late.events_until(chat.id, sent.seq).await.last(),
        Some(&sent)
    );
    assert!(
        outsider.drain(Duration::from_millis(300)).await.is_empty(),
        "a non-member hears nothing"
    );
}

/// A member added while connected starts receiving the chat at once.
#[tokio::test]
async fn joining_announces_the_chat_to_open_sockets() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mut b = bob.connect(&[]).await;
    let chat = alice.direct("bob").await;
    match b.next().await {
        ServerFrame::Chat { chat: seen } => {
            assert_eq!(seen.id, chat.id);
            assert_eq!(seen.title, "alice");
        }
        other => panic!("expected chat, got {other:?}"),
    }
    let mut a = alice.connect(&[]).await;
    a.say(chat.id, "x", "ping").await;
    assert_eq!(b.events_until(chat.id, Seq(1)).await[0].text(), "ping");
}

/// A new device takes each chat's newest events, then pages back by
/// cursor: a chat of any length opens after one page.
#[tokio::test]
async fn a_new_device_takes_the_newest_page_and_pages_back() {
    use courier_protocol::limits::HISTORY_PAGE;
    use courier_protocol::{Act, ClientFrame, ErrorCode, PROTOCOL_VERSION};
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let carol = sign_up(&server.base, "carol").await;
    let chat = alice.group("Long").await;
    bob.join(&chat).await;
    let mut a = alice.connect(&[]).await;
    let total = HISTORY_PAGE as i64 + 50;
    for i in 1..=total {
        a.say(chat.id, &format!("m{i}"), &format!("text {i}")).await;
    }
    a.sent(&format!("m{total}")).await;
    let edit = ClientFrame::Act {
        chat: chat.id,
        id: courier_protocol::ClientMsgId("e1".into()),
        act: Act::Edit {
            target: Seq(3),
            text: "third, edited".into(),
        },
    };
    a.send(&edit).await;
    let last = a.sent("e1").await.seq;

    let mut b = bob.connect_raw().await;
    b.send(&ClientFrame::Hello {
        version: PROTOCOL_VERSION,
        cursors: Vec::new(),
        recent: Some(5),
    })
    .await;
    assert!(matches!(b.next().await, ServerFrame::Welcome { .. }));
    let tail = b.events_until(chat.id, last).await;
    assert_eq!(
        tail.iter().map(|m| m.seq.0).collect::<Vec<_>>(),
        ((last.0 - 4)..=last.0).collect::<Vec<_>>(),
        "only the newest five"
    );
    assert!(b.drain(Duration::from_millis(300)).await.is_empty());

    // Paging back: a full page, then the rest, then nothing.
    let mut before = Seq(last.0 - 4);
    let mut pages = Vec::new();
    loop {
        b.send(&ClientFrame::History {
            chat: chat.id,
            before,
        })
        .await;
        let ServerFrame::History {
            chat: c,
            before: asked,
            messages,
        } = b.next().await
        else {
            panic!("expected history");
        };
        assert_eq!((c, asked), (chat.id, before));
        let Some(first) = messages.first() else {
            break;
        };
        assert_eq!(messages.last().map(|m| m.seq.next()), Some(before));
        before = first.seq;
        pages.push(messages);
    }
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        [
            HISTORY_PAGE,
            usize::try_from(last.0 - 5).unwrap() - HISTORY_PAGE
        ]
    );
    let third = pages[1].iter().find(|m| m.seq == Seq(3)).unwrap();
    assert_eq!(
        third.text(),
        "third, edited",
        "old messages come as they are now"
    );

    // Refusals: a stranger, and a cursor that is no cursor.
    let mut c = carol.connect(&[]).await;
    c.send(&ClientFrame::History {
        chat: chat.id,
        before: Seq(10),
    })
    .await;
    assert_eq!(c.error().await.0, ErrorCode::NotMember);
    c.send_text(&format!(
        r#"{{"t":"history","c":{{"chat":{},"before":0}}}}"#,
        chat.id.0
    ))
    .await;
    assert_eq!(c.error().await.0, ErrorCode::BadFrame);
}
