//! The promises of DESIGN.md that a hostile or unlucky client must not be
//! able to break: what commits is announced, what is deleted or replaced is
//! served to nobody, and no frame is too big to be sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use courier_protocol::{Act, ClientFrame, ClientMsgId, Content, Cursor, Seq, ServerFrame};
use courier_server::kernel::db::{MessageStore, Post, SqliteStore};

#[tokio::test]
async fn a_committed_message_whose_fan_out_never_ran_reaches_the_others_on_resend() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let chat = alice.direct("bob").await;
    let mut b = bob.connect(&[]).await;
    // Committed, but the connection that sent it died before the fan-out:
    // written straight to the store, as that send left it.
    let store = SqliteStore::open(server.dir.path()).await.unwrap();
    let post = Post::of(Content::text("committed, never announced"));
    let id = ClientMsgId("lost-ack".into());
    store
        .append_message(chat.id, alice.me.id, &id, post, 1)
        .await
        .unwrap();
    assert!(
        b.drain(Duration::from_millis(500))
            .await
            .iter()
            .all(|f| !matches!(f, ServerFrame::Events { .. })),
        "nothing announced yet"
    );
    // The sender, never acked, sends it again: the repeat is announced.
    let mut a = alice
        .connect(&[Cursor {
            chat: chat.id,
            seq: Seq(1),
        }])
        .await;
    a.say(chat.id, "lost-ack", "committed, never announced")
        .await;
    assert_eq!(a.sent("lost-ack").await.seq, Seq(1));
    let got = b.events_until(chat.id, Seq(1)).await;
    assert_eq!(got[0].text(), "committed, never announced");
}

#[tokio::test]
async fn only_the_latest_edit_of_a_message_is_served_later() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let chat = alice.direct("bob").await;
    let mut a = alice.connect(&[]).await;
    a.say(chat.id, "m", "first draft").await;
    let m = a.sent("m").await;
    for (i, text) in ["second thought", "final words"].into_iter().enumerate() {
        a.send(&ClientFrame::Act {
            chat: chat.id,
            id: ClientMsgId(format!("e{i}")),
            act: Act::Edit {
                target: m.seq,
                text: text.into(),
            },
        })
        .await;
        a.sent(&format!("e{i}")).await;
    }
    // Bob reads the chat later, on a new device.
    let mut b = bob.connect(&[]).await;
    let events = b.events_until(chat.id, Seq(3)).await;
    let served = serde_json::to_string(&events).unwrap();
    assert!(!served.contains("first draft"), "{served}");
    assert!(!served.contains("second thought"), "{served}");
    assert_eq!(events[0].text(), "final words");
    let found = bob
        .call_query(&courier_protocol::http::SEARCH, &[], "q=second", &())
        .await
        .unwrap();
    assert!(found.messages.is_empty());
}

#[tokio::test]
async fn big_messages_never_make_a_frame_too_big_to_send() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let victim = sign_up(&server.base, "victim").await;
    let group = alice.group("Flood").await;
    victim.join(&group).await;
    let mut a = alice.connect(&[]).await;
    let huge = "\u{1}".repeat(4096);
    for i in 0..60 {
        a.say(group.id, &format!("h{i}"), &huge).await;
        a.sent(&format!("h{i}")).await;
    }
    // Each of 45 people opens a 1:1 with the victim and leaves a huge
    // message: the victim's chat list holds 45 huge previews.
    for i in 0..45 {
        let guest = sign_up(&server.base, &format!("flooder{i}")).await;
        let chat = guest.direct("victim").await;
        let mut g = guest.connect(&[]).await;
        g.say(chat.id, "x", &huge).await;
        g.sent("x").await;
    }
    // A new device of the victim, taking whole histories (no `recent`):
    // Welcome, the other chats, and every event arrive, and the socket
    // stays up.
    let (mut v, welcomed) = victim.welcome(&[]).await;
    let mut chats = welcomed.len();
    let mut flood = Vec::new();
    while chats < 46 || flood.len() < 60 {
        match v.next().await {
            ServerFrame::Chat { .. } => chats += 1,
            ServerFrame::Events { chat, messages } if chat == group.id => flood.extend(messages),
            _ => {}
        }
    }
    println!("welcome carried {} of 46 chats", welcomed.len());
    assert_eq!(flood.len(), 60);
    assert!(welcomed.iter().all(|c| {
        c.last
            .as_ref()
            .is_none_or(|m| m.text().chars().count() <= 256)
    }));
    v.ping().await;
    // Paging back through it works too.
    v.send(&ClientFrame::History {
        chat: group.id,
        before: Seq(61),
    })
    .await;
    loop {
        if let ServerFrame::History { messages, .. } = v.next().await {
            assert!(!messages.is_empty());
            assert_eq!(messages.last().unwrap().seq, Seq(60));
            break;
        }
    }
    v.ping().await;
}

#[tokio::test]
async fn a_channels_readers_and_admins_stay_unknown_to_each_other() {
    let server = start_server().await;
    let owner = sign_up(&server.base, "owner").await;
    let reader = sign_up(&server.base, "reader").await;
    let other = sign_up(&server.base, "other").await;
    let channel = owner.channel("news").await;
    reader.join(&channel).await;
    other.join(&channel).await;
    // The owner posts (unsigned), the reader reacts: the other subscriber
    // sees neither's id, live or later, and each sees their own alias.
    let mut o = owner.connect(&[]).await;
    let mut r = reader.connect(&[]).await;
    let mut x = other.connect(&[]).await;
    o.say(channel.id, "post", "news").await;
    let post = o.posted("post").await;
    r.send(&ClientFrame::Act {
        chat: channel.id,
        id: ClientMsgId("like".into()),
        act: Act::React {
            target: post.seq,
            emoji: "👍".into(),
            on: true,
        },
    })
    .await;
    r.sent("like").await;
    let live = x.events_until(channel.id, Seq(2)).await;
    let (_, later) = other.welcome(&[]).await;
    let mut fresh = other.connect(&[]).await;
    let history = fresh.events_until(channel.id, Seq(2)).await;
    for events in [&live, &history] {
        let ids: Vec<_> = events.iter().map(|m| m.sender).collect();
        assert!(
            !ids.contains(&owner.me.id) && !ids.contains(&reader.me.id),
            "{ids:?}"
        );
        assert!(
            ids.iter().all(|id| id.0 < 0),
            "aliases, never a real id: {ids:?}"
        );
        assert_ne!(ids[0], ids[1], "one alias a person");
        assert!(events.iter().all(|m| m.sender_name == "news"), "{events:?}");
    }
    assert!(
        later
            .iter()
            .all(|c| c.last.as_ref().is_none_or(|m| m.sender != owner.me.id))
    );
    let (_, readers_view) = reader.welcome(&[]).await;
    let own = readers_view
        .iter()
        .find(|c| c.id == channel.id)
        .unwrap()
        .alias;
    assert_eq!(
        own,
        Some(live[1].sender),
        "the reader knows their own alias"
    );
    // Signatures turned on later unveil no earlier post; disappearing posts
    // still go (their delete, veiled too, reaches the readers).
    let change = courier_protocol::http::ChatSettings {
        signatures: Some(true),
        ttl_s: Some(1),
        ..Default::default()
    };
    owner
        .call(
            &courier_protocol::http::UPDATE_CHAT,
            &[&channel.id.0],
            &change,
        )
        .await
        .unwrap();
    let mut again = other.connect(&[]).await;
    let earlier = again.events_until(channel.id, Seq(2)).await;
    assert_ne!(earlier[0].sender, owner.me.id, "still veiled");
    assert_eq!(earlier[0].sender_name, "news");
    o.say(channel.id, "signed", "brief").await;
    let signed = o.posted("signed").await;
    assert_eq!(signed.sender, owner.me.id, "a signed post names its author");
    let gone = again.events_until(channel.id, Seq(signed.seq.0 + 1)).await;
    assert!(
        gone.iter()
            .any(|m| m.act == Some(Act::Delete { target: signed.seq }) && m.sender != owner.me.id),
        "{gone:?}"
    );
    for (who, whom) in [(&reader, &other), (&reader, &owner), (&owner, &reader)] {
        assert_eq!(
            who.call(&courier_protocol::http::PRESENCE, &[&whom.me.id.0], &())
                .await
                .unwrap_err()
                .1,
            courier_protocol::ErrorCode::NotMember,
            "{} saw {}'s presence",
            who.me.name,
            whom.me.name
        );
    }
}
