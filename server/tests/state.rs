//! Read receipts, typing, presence, drafts, forwarding, search, scheduled
//! and disappearing messages over real sockets and HTTP, including what
//! each refuses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use courier_protocol::http::{
    ChatSettings, Draft, FOLDERS, Folders, Found, NEW_CHANNEL, NewGroup, NewScheduled, PRESENCE,
    PRIVACY, Presence, Privacy, READS, ReadCursor, SAVE_DRAFT, SCHEDULE, SCHEDULED, SEARCH,
    SET_FOLDERS, SET_PLACE, SET_PRIVACY, SINCE, UNSCHEDULE, UPDATE_CHAT,
};
use courier_protocol::limits::FOLDERS_MAX;
use courier_protocol::model::folder::Folder;
use courier_protocol::{
    Act, ChatId, ClientFrame, ClientMsgId, Content, ErrorCode, PROTOCOL_VERSION, Place, Seq,
    ServerFrame, UserId,
};

/// The next frame matching `pick`, skipping others.
async fn next_matching<T>(socket: &mut Socket, pick: impl Fn(ServerFrame) -> Option<T>) -> T {
    loop {
        if let Some(found) = pick(socket.next().await) {
            return found;
        }
    }
}

async fn reads_of(person: &Person, chat: ChatId) -> Vec<ReadCursor> {
    person.call(&READS, &[&chat.0], &()).await.unwrap().reads
}

#[tokio::test]
async fn reads_reach_the_sender_and_only_members_see_them() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let direct = alice.direct("bob").await.id;
    let (mut a, mut b) = (alice.connect(&[]).await, bob.connect(&[]).await);
    a.say(direct, "a1", "hi bob").await;
    a.say(direct, "a2", "are you there?").await;
    a.sent("a2").await;

    b.send(&ClientFrame::Read {
        chat: direct,
        seq: Seq(2),
    })
    .await;
    let told = next_matching(&mut a, |f| match f {
        ServerFrame::Read { chat, user, seq } => Some((chat, user, seq)),
        _ => None,
    })
    .await;
    assert_eq!(
        told,
        (direct, bob.me.id, Seq(2)),
        "alice sees bob read both"
    );
    let bob_read = reads_of(&alice, direct)
        .await
        .into_iter()
        .find(|r| r.user == bob.me.id);
    assert_eq!(bob_read.map(|r| r.seq), Some(Seq(2)));

    // Reading back does not move the cursor, and says nothing.
    b.send(&ClientFrame::Read {
        chat: direct,
        seq: Seq(1),
    })
    .await;
    assert!(
        !a.drain(Duration::from_millis(300))
            .await
            .iter()
            .any(|f| matches!(f, ServerFrame::Read { .. }))
    );

    assert_eq!(
        mallory.call(&READS, &[&direct.0], &()).await,
        Err((403, ErrorCode::NotMember))
    );
    let mut m = mallory.connect(&[]).await;
    m.send(&ClientFrame::Read {
        chat: direct,
        seq: Seq(2),
    })
    .await;
    assert_eq!(m.error().await.0, ErrorCode::NotMember);
}

#[tokio::test]
async fn a_read_reaches_the_readers_other_devices_even_where_reads_are_private() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let news = bob
        .call(
            &NEW_CHANNEL,
            &[],
            &NewGroup {
                name: "News".into(),
                members: Vec::new(),
            },
        )
        .await
        .unwrap()
        .chat;
    alice.join(&news).await;
    let direct = alice.direct("bob").await.id;
    let mut b = bob.connect(&[]).await;
    for (chat, id) in [(news.id, "n1"), (news.id, "n2"), (direct, "d1")] {
        b.say(chat, id, "hello").await;
        b.sent(id).await;
    }
    let (mut laptop, mut phone) = (alice.connect(&[]).await, alice.connect(&[]).await);

    laptop
        .send(&ClientFrame::Read {
            chat: news.id,
            seq: Seq(2),
        })
        .await;
    let told = next_matching(&mut phone, |f| match f {
        ServerFrame::Read { chat, user, seq } => Some((chat, user, seq)),
        _ => None,
    })
    .await;
    assert_eq!(told, (news.id, alice.me.id, Seq(2)), "the phone follows");
    assert!(
        !b.drain(Duration::from_millis(300))
            .await
            .iter()
            .any(|f| matches!(f, ServerFrame::Read { .. })),
        "a channel's admin is not told who read"
    );

    // Where reads are shared, the reader's devices hear it with the chat.
    laptop
        .send(&ClientFrame::Read {
            chat: direct,
            seq: Seq(1),
        })
        .await;
    for socket in [&mut phone, &mut b] {
        let told = next_matching(socket, |f| match f {
            ServerFrame::Read { chat, user, seq } => Some((chat, user, seq)),
            _ => None,
        })
        .await;
        assert_eq!(told, (direct, alice.me.id, Seq(1)));
    }

    // A device that connects later learns it from the chat list.
    let (_, chats) = alice.welcome(&[]).await;
    let read = |id: ChatId| chats.iter().find(|c| c.id == id).map(|c| c.read);
    assert_eq!(read(news.id), Some(Seq(2)));
    assert_eq!(read(direct), Some(Seq(1)));
}

#[tokio::test]
async fn a_date_finds_the_first_post_since_it_for_members_only() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let chat = alice.group("Diary").await.id;
    let mut a = alice.connect(&[]).await;
    a.say(chat, "a1", "monday").await;
    let monday = a.sent("a1").await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    a.say(chat, "a2", "tuesday").await;
    let tuesday = a.sent("a2").await;
    async fn since(
        who: &Person,
        chat: ChatId,
        at: String,
    ) -> Result<Option<Seq>, (u16, ErrorCode)> {
        who.call_query(&SINCE, &[&chat.0], &format!("at={at}"), &())
            .await
            .map(|s| s.seq)
    }
    assert_eq!(since(&alice, chat, "0".into()).await, Ok(Some(monday.seq)));
    assert_eq!(
        since(&alice, chat, (monday.at + 1).to_string()).await,
        Ok(Some(tuesday.seq))
    );
    assert_eq!(
        since(&alice, chat, (tuesday.at + 1).to_string()).await,
        Ok(None)
    );
    assert_eq!(
        since(&mallory, chat, "0".into()).await,
        Err((403, ErrorCode::NotMember))
    );
    assert_eq!(
        since(&alice, chat, "monday".into()).await,
        Err((400, ErrorCode::BadRequest))
    );
}

#[tokio::test]
async fn a_chats_new_settings_reach_every_member_at_once() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let team = alice.group("Team").await;
    bob.join(&team).await;
    let (mut a, mut b) = (alice.connect(&[]).await, bob.connect(&[]).await);
    let rename = ChatSettings {
        name: Some("  Crew ".into()),
        ttl_s: Some(86_400),
        ..ChatSettings::default()
    };
    alice
        .call(&UPDATE_CHAT, &[&team.id.0], &rename)
        .await
        .unwrap();
    let told = ChatSettings {
        name: Some("Crew".into()),
        ttl_s: Some(86_400),
        ..ChatSettings::default()
    };
    for socket in [&mut b, &mut a] {
        let got = next_matching(socket, |f| match f {
            ServerFrame::Settings { chat, settings } => Some((chat, settings)),
            _ => None,
        })
        .await;
        assert_eq!(got, (team.id, told.clone()), "as stored: the name trimmed");
    }

    assert_eq!(
        bob.call(&UPDATE_CHAT, &[&team.id.0], &rename)
            .await
            .unwrap_err()
            .1,
        ErrorCode::NotAllowed
    );
    assert!(
        !a.drain(Duration::from_millis(300))
            .await
            .iter()
            .any(|f| matches!(f, ServerFrame::Settings { .. })),
        "a refused change tells nobody"
    );
}

#[tokio::test]
async fn deliveries_reach_the_sender_and_reading_implies_delivery() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let direct = alice.direct("bob").await.id;
    let (mut a, mut b) = (alice.connect(&[]).await, bob.connect(&[]).await);
    a.say(direct, "a1", "hi bob").await;
    a.say(direct, "a2", "are you there?").await;
    a.sent("a2").await;

    // Past the end is clamped to the chat's last event.
    b.send(&ClientFrame::Received {
        chat: direct,
        seq: Seq(9),
    })
    .await;
    let told = next_matching(&mut a, |f| match f {
        ServerFrame::Delivered { chat, user, seq } => Some((chat, user, seq)),
        _ => None,
    })
    .await;
    assert_eq!(
        told,
        (direct, bob.me.id, Seq(2)),
        "alice sees both delivered"
    );
    let cursor = |reads: Vec<ReadCursor>| reads.into_iter().find(|r| r.user == bob.me.id);
    let bob_at = cursor(reads_of(&alice, direct).await).expect("bob's cursor");
    assert_eq!(
        (bob_at.delivered, bob_at.seq),
        (Seq(2), Seq(0)),
        "delivered, unread"
    );

    // A repeat says nothing; reading further moves delivery along with it.
    b.send(&ClientFrame::Received {
        chat: direct,
        seq: Seq(2),
    })
    .await;
    assert!(
        !a.drain(Duration::from_millis(300))
            .await
            .iter()
            .any(|f| matches!(f, ServerFrame::Delivered { .. }))
    );
    a.say(direct, "a3", "ok").await;
    a.sent("a3").await;
    b.send(&ClientFrame::Read {
        chat: direct,
        seq: Seq(3),
    })
    .await;
    let bob_at = loop {
        let bob_at = cursor(reads_of(&alice, direct).await).expect("bob's cursor");
        if bob_at.seq == Seq(3) {
            break bob_at;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(bob_at.delivered, Seq(3));

    let mut m = mallory.connect(&[]).await;
    m.send(&ClientFrame::Received {
        chat: direct,
        seq: Seq(3),
    })
    .await;
    assert_eq!(m.error().await.0, ErrorCode::NotMember);
    b.send(&ClientFrame::Received {
        chat: direct,
        seq: Seq(-1),
    })
    .await;
    assert_eq!(b.error().await.0, ErrorCode::BadFrame);
}

#[tokio::test]
async fn typing_goes_to_the_other_members_at_most_once_a_second() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let team = alice.group("Team").await;
    bob.join(&team).await;
    let (mut a, mut b) = (alice.connect(&[]).await, bob.connect(&[]).await);
    for _ in 0..5 {
        b.send(&ClientFrame::Typing { chat: team.id }).await;
    }
    let seen: Vec<(UserId, String)> = a
        .drain(Duration::from_millis(500))
        .await
        .into_iter()
        .filter_map(|f| match f {
            ServerFrame::Typing { user, name, .. } => Some((user, name)),
            _ => None,
        })
        .collect();
    assert_eq!(
        seen,
        vec![(bob.me.id, bob.me.name.clone())],
        "five in a burst pass as one"
    );

    let mut m = mallory.connect(&[]).await;
    m.send(&ClientFrame::Typing { chat: team.id }).await;
    assert_eq!(m.error().await.0, ErrorCode::NotMember);
    assert!(
        !a.drain(Duration::from_millis(300))
            .await
            .iter()
            .any(|f| matches!(f, ServerFrame::Typing { .. })),
        "a stranger's typing reaches nobody"
    );
}

#[tokio::test]
async fn a_forward_copies_the_message_and_names_its_origin() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let team = alice.group("Team").await;
    bob.join(&team).await;
    let notes = alice.group("Notes").await;
    let (mut a, mut b) = (alice.connect(&[]).await, bob.connect(&[]).await);
    b.say(team.id, "b1", "the plan is ready").await;
    b.sent("b1").await;

    let forward = |chat: ChatId, id: &str, from: ChatId, seq: i64| ClientFrame::Forward {
        chat,
        id: ClientMsgId(id.into()),
        from,
        seq: Seq(seq),
    };
    a.send(&forward(notes.id, "f1", team.id, 1)).await;
    let copy = a.sent("f1").await;
    assert_eq!(
        (copy.chat, copy.text(), copy.forwarded_from.as_deref()),
        (notes.id, "the plan is ready", Some(bob.me.name.as_str()))
    );
    // A forward of the forward still names the first author.
    let again = alice.group("Archive").await;
    a.send(&forward(again.id, "f2", notes.id, copy.seq.0)).await;
    assert_eq!(
        a.sent("f2").await.forwarded_from.as_deref(),
        Some(bob.me.name.as_str())
    );

    // Refusals: from a chat one is not in, into a chat one is not in, a
    // message that does not exist.
    let mut m = mallory.connect(&[]).await;
    let own = mallory.group("Mine").await;
    m.send(&forward(own.id, "m1", team.id, 1)).await;
    assert_eq!(m.error().await.0, ErrorCode::NotMember);
    b.send(&forward(notes.id, "b2", team.id, 1)).await;
    assert_eq!(b.error().await.0, ErrorCode::NotMember);
    a.send(&forward(notes.id, "f3", team.id, 99)).await;
    assert_eq!(a.error().await.0, ErrorCode::BadTarget);
}

#[tokio::test]
async fn search_finds_substrings_in_any_script_only_in_ones_chats() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let team = alice.group("Team").await;
    bob.join(&team).await;
    let other = alice.group("Other").await;
    let mut a = alice.connect(&[]).await;
    let texts = [
        "明天我们在东京见面",
        "Встреча ПЕРЕНЕСЕНА на завтра",
        "100% done_now",
        "plain words",
    ];
    for (i, text) in texts.iter().enumerate() {
        a.say(team.id, &format!("t{i}"), text).await;
        a.sent(&format!("t{i}")).await;
    }
    a.say(other.id, "o1", "东京 again").await;
    a.sent("o1").await;

    let search = |who: &Person, query: &str| {
        let query = format!("q={}", urlencode(query));
        who.call_query(&SEARCH, &[], &query, &())
    };
    let texts_of = |found: Found| -> Vec<String> {
        found
            .messages
            .into_iter()
            .map(|m| m.text().to_string())
            .collect()
    };
    assert_eq!(
        texts_of(search(&alice, "东京").await.unwrap()),
        vec!["东京 again", "明天我们在东京见面"],
        "CJK by substring, across chats, newest first"
    );
    assert_eq!(
        texts_of(search(&bob, "东京").await.unwrap()),
        vec!["明天我们在东京见面"],
        "bob is not in Other"
    );
    assert_eq!(
        texts_of(search(&alice, "перенесена").await.unwrap()),
        vec!["Встреча ПЕРЕНЕСЕНА на завтра"],
        "case folded beyond ASCII"
    );
    assert_eq!(
        texts_of(search(&alice, "0% d").await.unwrap()),
        vec!["100% done_now"],
        "% matches itself"
    );
    assert!(
        texts_of(search(&alice, "n_w").await.unwrap()).is_empty(),
        "_ matches itself"
    );
    assert!(texts_of(search(&mallory, "东京").await.unwrap()).is_empty());

    let in_chat = format!("q={}&chat={}", urlencode("东京"), team.id.0);
    assert_eq!(
        texts_of(alice.call_query(&SEARCH, &[], &in_chat, &()).await.unwrap()),
        vec!["明天我们在东京见面"]
    );
    assert_eq!(
        mallory.call_query(&SEARCH, &[], &in_chat, &()).await,
        Err((403, ErrorCode::NotMember))
    );
    assert_eq!(
        alice.call_query(&SEARCH, &[], "q=%20", &()).await,
        Err((400, ErrorCode::TextEmpty))
    );
    let long = format!("q={}", "x".repeat(101));
    assert_eq!(
        alice.call_query(&SEARCH, &[], &long, &()).await,
        Err((400, ErrorCode::TextTooLong))
    );
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn scheduled_messages_post_on_time_and_only_the_sender_sees_them_wait() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let team = alice.group("Team").await;
    bob.join(&team).await;
    let mut b = bob.connect(&[]).await;
    let now = server.clock.now_ms();
    let later = |id: &str, text: &str, at: i64| NewScheduled {
        id: ClientMsgId(id.into()),
        content: Content::text(text),
        at,
    };
    alice
        .call(
            &SCHEDULE,
            &[&team.id.0],
            &later("s1", "good morning", now + 1500),
        )
        .await
        .unwrap();
    alice
        .call(
            &SCHEDULE,
            &[&team.id.0],
            &later("s2", "never mind", now + 60_000),
        )
        .await
        .unwrap();
    let waiting = alice
        .call(&SCHEDULED, &[&team.id.0], &())
        .await
        .unwrap()
        .scheduled;
    assert_eq!(
        waiting
            .iter()
            .map(|p| p.content.words())
            .collect::<Vec<_>>(),
        ["good morning", "never mind"]
    );
    assert!(
        bob.call(&SCHEDULED, &[&team.id.0], &())
            .await
            .unwrap()
            .scheduled
            .is_empty()
    );
    assert_eq!(
        mallory
            .call(&SCHEDULE, &[&team.id.0], &later("m1", "hi", now + 5000))
            .await,
        Err((403, ErrorCode::NotMember))
    );
    assert_eq!(
        alice
            .call(
                &SCHEDULE,
                &[&team.id.0],
                &later("s3", "yesterday", now - 5000)
            )
            .await,
        Err((400, ErrorCode::BadRequest))
    );
    alice
        .call(&UNSCHEDULE, &[&team.id.0, &"s2"], &())
        .await
        .unwrap();
    assert_eq!(
        bob.call(&UNSCHEDULE, &[&team.id.0, &"s1"], &()).await,
        Err((400, ErrorCode::BadTarget)),
        "nobody cancels another's"
    );
    server.clock.advance(Duration::from_millis(1500));

    let posted = next_matching(&mut b, |f| match f {
        ServerFrame::Events { messages, .. } => messages.into_iter().next(),
        _ => None,
    })
    .await;
    assert_eq!(
        (posted.text(), posted.sender, posted.id.0.as_str()),
        ("good morning", alice.me.id, "s1")
    );
    assert!(posted.at >= now + 1500, "not before its time");
    assert!(
        alice
            .call(&SCHEDULED, &[&team.id.0], &())
            .await
            .unwrap()
            .scheduled
            .is_empty()
    );
    // Past the cancelled one's time: the timers run each second.
    server.clock.advance(Duration::from_secs(60));
    assert!(
        !b.drain(Duration::from_millis(1500))
            .await
            .iter()
            .any(|f| matches!(f, ServerFrame::Events { .. })),
        "the cancelled one never comes"
    );
}

#[tokio::test]
async fn disappearing_messages_are_deleted_for_everyone_when_due() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let direct = alice.direct("bob").await.id;
    let timer = |ttl_s| ChatSettings {
        ttl_s: Some(ttl_s),
        ..ChatSettings::default()
    };
    let set = bob
        .call(&UPDATE_CHAT, &[&direct.0], &timer(1))
        .await
        .unwrap();
    assert_eq!(set.chat.ttl_s, 1, "either person of a direct chat sets it");
    assert_eq!(
        mallory
            .call(&UPDATE_CHAT, &[&direct.0], &timer(0))
            .await
            .unwrap_err()
            .1,
        ErrorCode::NotMember
    );
    let rename = ChatSettings {
        name: Some("ours".into()),
        ..ChatSettings::default()
    };
    assert_eq!(
        bob.call(&UPDATE_CHAT, &[&direct.0], &rename)
            .await
            .unwrap_err()
            .1,
        ErrorCode::NotAllowed
    );

    let (mut a, mut b) = (alice.connect(&[]).await, bob.connect(&[]).await);
    a.say(direct, "a1", "this goes away").await;
    let sent = a.sent("a1").await;
    assert!(sent.expires_at.is_some_and(|t| t <= sent.at + 1000));
    server.clock.advance(Duration::from_secs(1));
    let gone = next_matching(&mut b, |f| match f {
        ServerFrame::Events { messages, .. } => messages.into_iter().find(|m| m.act.is_some()),
        _ => None,
    })
    .await;
    assert_eq!(gone.act, Some(Act::Delete { target: sent.seq }));
    let mut fresh = bob.connect(&[]).await;
    let history = fresh.events_until(direct, gone.seq).await;
    assert_eq!(history[0].text(), "", "the text is gone from the server");
}

#[tokio::test]
async fn presence_shows_to_chat_partners_unless_hidden() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    alice.direct("bob").await;
    let presence = || alice.call(&PRESENCE, &[&bob.me.id.0], &());
    let before = presence().await.unwrap();
    assert!(!before.online, "never connected");

    let b = bob.connect(&[]).await;
    let online = presence().await.unwrap();
    assert!(online.online && online.last_seen.is_some());
    assert_eq!(
        mallory.call(&PRESENCE, &[&bob.me.id.0], &()).await,
        Err((403, ErrorCode::NotMember)),
        "strangers learn nothing"
    );
    drop(b);
    let mut offline = presence().await.unwrap();
    for _ in 0..50 {
        if !offline.online {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        offline = presence().await.unwrap();
    }
    assert!(
        !offline.online && offline.last_seen.is_some(),
        "last seen once gone"
    );

    bob.call(
        &SET_PRIVACY,
        &[],
        &Privacy {
            hide_last_seen: true,
        },
    )
    .await
    .unwrap();
    assert!(bob.call(&PRIVACY, &[], &()).await.unwrap().hide_last_seen);
    let _b = bob.connect(&[]).await;
    assert_eq!(
        presence().await.unwrap(),
        Presence {
            online: false,
            last_seen: None
        },
        "hidden: last seen recently"
    );
}

#[tokio::test]
async fn a_draft_follows_its_writer_to_their_other_devices() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let team = alice.group("Team").await;
    let mut laptop = alice.connect(&[]).await;
    alice
        .call(
            &SAVE_DRAFT,
            &[&team.id.0],
            &Draft {
                text: "half a tho".into(),
                device: "laptop-tab".into(),
            },
        )
        .await
        .unwrap();
    let told = next_matching(&mut laptop, |f| match f {
        ServerFrame::Draft { chat, text, device } => Some((chat, text, device)),
        _ => None,
    })
    .await;
    assert_eq!(
        told,
        (team.id, "half a tho".to_string(), "laptop-tab".to_string()),
        "named by its device, which ignores its own"
    );
    let (_phone, chats) = alice.welcome(&[]).await;
    assert_eq!(chats[0].draft, "half a tho");
    assert_eq!(
        mallory
            .call(
                &SAVE_DRAFT,
                &[&team.id.0],
                &Draft {
                    text: "x".into(),
                    device: String::new()
                }
            )
            .await,
        Err((403, ErrorCode::NotMember))
    );
    let long = Draft {
        text: "x".repeat(4097),
        device: String::new(),
    };
    assert_eq!(
        alice.call(&SAVE_DRAFT, &[&team.id.0], &long).await,
        Err((400, ErrorCode::TextTooLong))
    );
}

#[tokio::test]
async fn pinning_muting_archiving_is_ones_own_and_reaches_ones_devices() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let team = alice.group("Team").await;
    bob.join(&team).await;
    let mut phone = alice.connect(&[]).await;
    let place = Place {
        pinned: true,
        muted: true,
        archived: false,
    };
    let set = alice.call(&SET_PLACE, &[&team.id.0], &place).await.unwrap();
    assert_eq!(set.chat.place, place);
    let told = next_matching(&mut phone, |f| match f {
        ServerFrame::Chat { chat } => Some(chat.place),
        _ => None,
    })
    .await;
    assert_eq!(told, place, "her other device hears of it");
    let (_b, chats) = bob.welcome(&[]).await;
    assert_eq!(chats[0].place, Place::default(), "bob's list is his own");
    assert_eq!(
        mallory
            .call(&SET_PLACE, &[&team.id.0], &place)
            .await
            .unwrap_err(),
        (403, ErrorCode::NotMember)
    );
}

#[tokio::test]
async fn folders_are_ones_own_and_follow_to_every_device() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let team = alice.group("Team").await;
    let mut phone = alice.connect(&[]).await;
    let work = Folder {
        name: "Работа 💼".into(),
        groups: true,
        chats: vec![team.id],
        skip_read: true,
        ..Folder::default()
    };
    let mine = Folders {
        folders: vec![work.clone()],
    };
    alice.call(&SET_FOLDERS, &[], &mine).await.unwrap();
    let told = next_matching(&mut phone, |f| match f {
        ServerFrame::Folders { folders } => Some(folders),
        _ => None,
    })
    .await;
    assert_eq!(told, mine.folders, "her other device hears of it");
    assert_eq!(alice.call(&FOLDERS, &[], &()).await, Ok(mine.clone()));
    let mut laptop = alice.connect_raw().await;
    laptop
        .send(&ClientFrame::Hello {
            version: PROTOCOL_VERSION,
            cursors: Vec::new(),
            recent: None,
        })
        .await;
    match laptop.next().await {
        ServerFrame::Welcome { folders, .. } => assert_eq!(folders, mine.folders),
        other => panic!("expected welcome, got {other:?}"),
    }
    assert_eq!(
        bob.call(&FOLDERS, &[], &()).await.map(|f| f.folders),
        Ok(Vec::new()),
        "bob's folders are his own"
    );

    // Refusals leave the stored folders as they were.
    let unnamed = Folders {
        folders: vec![Folder::default()],
    };
    assert_eq!(
        alice.call(&SET_FOLDERS, &[], &unnamed).await,
        Err((400, ErrorCode::BadName))
    );
    let too_many = Folders {
        folders: vec![work; FOLDERS_MAX + 1],
    };
    assert_eq!(
        alice.call(&SET_FOLDERS, &[], &too_many).await,
        Err((429, ErrorCode::TooMany))
    );
    assert_eq!(alice.call(&FOLDERS, &[], &()).await, Ok(mine));
}
