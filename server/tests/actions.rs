//! Replies and acts (edit, delete, react, pin) over real sockets: they are
//! events in the chat's sequence, the server applies them to what it
//! stores, and it refuses what a person may not do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use courier_protocol::{Act, ChatId, ClientFrame, ClientMsgId, Content, ErrorCode, Message, Seq};

async fn act(socket: &mut Socket, chat: ChatId, id: &str, act: Act) -> Result<Message, ErrorCode> {
    socket
        .send(&ClientFrame::Act {
            chat,
            id: ClientMsgId(id.into()),
            act,
        })
        .await;
    loop {
        match socket.next().await {
            courier_protocol::ServerFrame::Sent { message } if message.id.0 == id => {
                return Ok(message);
            }
            courier_protocol::ServerFrame::Error {
                code,
                id: Some(got),
                ..
            } if got.0 == id => return Err(code),
            _ => {}
        }
    }
}

#[tokio::test]
async fn acts_are_events_and_only_the_allowed_ones_pass() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let team = alice.group("Team").await;
    bob.join(&team).await;
    let chat = team.id;
    let (mut a, mut b, mut m) = (
        alice.connect(&[]).await,
        bob.connect(&[]).await,
        mallory.connect(&[]).await,
    );

    b.say(chat, "b1", "helo").await;
    b.sent("b1").await;
    a.say(chat, "a1", "from alice").await;
    a.sent("a1").await;
    b.send(&ClientFrame::Send {
        chat,
        id: ClientMsgId("b2".into()),
        content: Content::text("a reply"),
        reply_to: Some(Seq(2)),
    })
    .await;
    assert_eq!(b.sent("b2").await.reply_to, Some(Seq(2)));

    let edit = |target: i64, text: &str| Act::Edit {
        target: Seq(target),
        text: text.into(),
    };
    assert_eq!(
        act(&mut b, chat, "e1", edit(2, "mine now")).await,
        Err(ErrorCode::NotAllowed),
        "nobody edits another's message"
    );
    let edited = act(&mut b, chat, "e2", edit(1, "hello")).await.unwrap();
    assert_eq!(
        (edited.seq, edited.act.clone()),
        (Seq(4), Some(edit(1, "hello"))),
        "an edit is the next event"
    );
    assert_eq!(
        act(&mut b, chat, "e2", edit(1, "hello")).await.unwrap().seq,
        Seq(4),
        "and idempotent like a send"
    );
    assert_eq!(
        act(&mut b, chat, "e3", edit(4, "x")).await,
        Err(ErrorCode::BadTarget),
        "acts are not acted on"
    );
    assert_eq!(
        act(&mut b, chat, "e4", edit(99, "x")).await,
        Err(ErrorCode::BadTarget)
    );

    for (i, a) in [
        edit(1, "x"),
        Act::React {
            target: Seq(1),
            emoji: "👍".into(),
            on: true,
        },
        Act::Pin {
            target: Seq(1),
            on: true,
        },
        Act::Delete { target: Seq(1) },
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(
            act(&mut m, chat, &format!("m{i}"), a).await,
            Err(ErrorCode::NotMember),
            "a non-member acts on nothing"
        );
    }

    let react = Act::React {
        target: Seq(2),
        emoji: "👍".into(),
        on: true,
    };
    assert!(act(&mut b, chat, "r1", react).await.is_ok());
    let bad = Act::React {
        target: Seq(2),
        emoji: "🦀".into(),
        on: true,
    };
    assert_eq!(
        act(&mut b, chat, "r2", bad).await,
        Err(ErrorCode::BadReaction)
    );
    assert_eq!(
        act(
            &mut b,
            chat,
            "p1",
            Act::Pin {
                target: Seq(2),
                on: true
            }
        )
        .await,
        Err(ErrorCode::NotAllowed),
        "members do not pin"
    );
    assert!(
        act(
            &mut a,
            chat,
            "p2",
            Act::Pin {
                target: Seq(2),
                on: true
            }
        )
        .await
        .is_ok()
    );

    assert_eq!(
        act(&mut b, chat, "d1", Act::Delete { target: Seq(2) }).await,
        Err(ErrorCode::NotAllowed),
        "nor delete another's"
    );
    assert!(
        act(&mut a, chat, "d2", Act::Delete { target: Seq(1) })
            .await
            .is_ok(),
        "the owner deletes anyone's"
    );
    assert_eq!(
        act(&mut b, chat, "e5", edit(1, "back")).await,
        Err(ErrorCode::BadTarget),
        "a deleted message is gone"
    );

    // A newcomer's history: the stored messages show their latest state,
    // and the acts follow in order for clients that hold the old one.
    let mut reader = alice
        .connect(&[courier_protocol::Cursor {
            chat,
            seq: Seq::ZERO,
        }])
        .await;
    let history = reader.events_until(chat, Seq(7)).await;
    assert_eq!(
        history[0].text(),
        "",
        "deleted for everyone: the server keeps no text"
    );
    assert_eq!(history[2].reply_to, Some(Seq(2)));
    let acts: Vec<&str> = history
        .iter()
        .filter_map(|m| m.act.as_ref())
        .map(|a| match a {
            Act::Edit { .. } => "edit",
            Act::Delete { .. } => "delete",
            Act::React { .. } => "react",
            Act::Pin { .. } => "pin",
        })
        .collect();
    assert_eq!(acts, ["edit", "react", "pin", "delete"]);
    assert_eq!(
        history[3].act,
        Some(edit(1, "")),
        "the edit of a deleted message keeps no text either"
    );
}
