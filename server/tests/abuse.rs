//! One account, address or socket must not be able to hurt the others:
//! guessing passwords slows down, new users are a rate per address, and a
//! socket's writes beyond the user's rate are refused with the wait.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use courier_protocol::http::{ApiError, GUEST, GuestJoin, Me, SIGN_IN, SignIn};
use courier_protocol::{Content, ErrorCode, ServerFrame};

async fn sign_in(base: &str, password: &str) -> reqwest::Response {
    let body = SignIn {
        username: "alice".into(),
        password: password.into(),
    };
    request_to(base, &SIGN_IN, &[], "", &body)
        .send()
        .await
        .unwrap()
}

fn retry_after(response: &reqwest::Response) -> Duration {
    let seconds: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    Duration::from_secs(seconds)
}

#[tokio::test]
async fn guessing_a_password_slows_down_but_never_locks_the_owner_out() {
    let server = start_server().await;
    sign_up(&server.base, "alice").await;
    let (mut refused, mut throttled) = (0, 0);
    let mut last_wait = Duration::ZERO;
    for _ in 0..60 {
        let response = sign_in(&server.base, "wrong password").await;
        match response.status().as_u16() {
            401 => refused += 1,
            429 => {
                throttled += 1;
                last_wait = retry_after(&response);
                let body: ApiError = response.json().await.unwrap();
                assert_eq!(body.error, ErrorCode::SlowDown);
                assert!(body.retry_after_ms.unwrap() > 0);
            }
            other => panic!("unexpected {other}"),
        }
    }
    println!("60 wrong passwords: {refused} checked (401), {throttled} throttled (429)");
    assert!(refused <= 7, "{refused} guesses were checked");
    assert!(last_wait >= Duration::from_secs(1));
    // The owner is asked to wait too, but only that long.
    let early = sign_in(&server.base, "correct horse").await;
    assert_eq!(early.status(), 429);
    let wait = retry_after(&early);
    assert!(wait <= Duration::from_secs(30), "{wait:?}");
    tokio::time::sleep(wait).await;
    let response = sign_in(&server.base, "correct horse").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Me>().await.unwrap().me.username.as_deref(),
        Some("alice")
    );
}

#[tokio::test]
async fn new_users_from_one_address_are_a_rate() {
    let server = start_with(|c| c.new_users_per_hour = 100).await;
    let owner = sign_up(&server.base, "owner").await;
    let group = owner.group("open").await;
    let mut made = 1;
    let refused = loop {
        let body = GuestJoin {
            invite: group.invite.clone(),
            name: format!("guest {made}"),
        };
        let response = request_to(&server.base, &GUEST, &[], "", &body)
            .send()
            .await
            .unwrap();
        if response.status() != 200 {
            break response;
        }
        made += 1;
        assert!(made < 50, "no limit");
    };
    println!("new users from one address before the limit: {made}");
    assert_eq!(made, 10);
    assert_eq!(refused.status(), 429);
    assert!(retry_after(&refused) >= Duration::from_secs(1));
    let body: ApiError = refused.json().await.unwrap();
    assert_eq!(body.error, ErrorCode::SlowDown);
}

#[tokio::test]
async fn a_flood_of_reactions_is_refused_with_the_wait_and_others_go_on() {
    let server = start_with(|c| c.sends_per_second = 10).await;
    let owner = sign_up(&server.base, "owner").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let channel = owner.channel("news").await;
    mallory.join(&channel).await;
    let mut o = owner.connect(&[]).await;
    o.say(channel.id, "post", "hello").await;
    let post = o.sent("post").await;
    let mut m = mallory.connect(&[]).await;
    let started = Instant::now();
    for i in 0..200 {
        m.send(&courier_protocol::ClientFrame::Act {
            chat: channel.id,
            id: courier_protocol::ClientMsgId(format!("r{i}")),
            act: courier_protocol::Act::React {
                target: post.seq,
                emoji: "👍".into(),
                on: i % 2 == 0,
            },
        })
        .await;
    }
    let (mut acked, mut slowed) = (0, 0);
    while acked + slowed < 200 {
        match m.next().await {
            ServerFrame::Sent { .. } => acked += 1,
            ServerFrame::Error {
                code: ErrorCode::SlowDown,
                id: Some(_),
                retry_after_ms: Some(wait),
                ..
            } => {
                assert!(wait > 0 && wait <= 1000, "{wait}");
                slowed += 1;
            }
            ServerFrame::Events { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    println!(
        "200 reactions in {:?}: {acked} stored, {slowed} refused with slow_down",
        started.elapsed()
    );
    assert!(acked <= 35, "{acked} stored");
    assert!(slowed >= 165);
    // The owner is not slowed by mallory's flood.
    for i in 0..20 {
        o.say(channel.id, &format!("p{i}"), "more").await;
        o.sent(&format!("p{i}")).await;
    }
}

#[tokio::test]
async fn scheduled_messages_refused_by_slow_mode_do_not_starve_the_others() {
    use courier_protocol::http::{ChatSettings, NewScheduled, SCHEDULE, UPDATE_CHAT};
    use courier_protocol::{ClientMsgId, Seq};
    use futures_util::StreamExt;
    let server = start_server().await;
    let owner = sign_up(&server.base, "owner").await;
    let slow = owner.group("Slow").await;
    owner
        .call(
            &UPDATE_CHAT,
            &[&slow.id.0],
            &ChatSettings {
                slow_mode_s: Some(3600),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Six members fill the queue with 600 messages that slow mode refuses
    // (all but each one's first), due before anyone else's: an hour from
    // now, when the test moves the server's clock, never before.
    let mut flooders = Vec::new();
    for f in 0..6 {
        let flooder = sign_up(&server.base, &format!("flooder{f}")).await;
        flooder.join(&slow).await;
        flooders.push(flooder);
    }
    let alice = sign_up(&server.base, "alice").await;
    let other = alice.group("Elsewhere").await;
    let mut a = alice.connect(&[]).await;
    let at = server.clock.now_ms() + 3_600_000;
    let posts = flooders.iter().enumerate().flat_map(|(f, flooder)| {
        (0..100).map(move |i| {
            let post = NewScheduled {
                id: ClientMsgId(format!("f{f}-{i}")),
                content: Content::text("wait for it"),
                at: at + i,
            };
            async move { flooder.call(&SCHEDULE, &[&slow.id.0], &post).await }
        })
    });
    let made: Vec<_> = futures_util::stream::iter(posts)
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(made.iter().all(Result::is_ok), "every post scheduled");
    // Someone else's scheduled message in another chat, due just after.
    let post = NewScheduled {
        id: ClientMsgId("mine".into()),
        content: Content::text("on time"),
        at: at + 500,
    };
    alice.call(&SCHEDULE, &[&other.id.0], &post).await.unwrap();
    server.clock.advance(Duration::from_millis(3_600_000 + 500));
    let got = a.events_until(other.id, Seq(1)).await;
    let late_ms = got[0].at - (at + 500);
    println!("behind 600 refused scheduled messages, one posted {late_ms} ms after it was due");
    assert_eq!(got[0].text(), "on time");
}

#[tokio::test]
async fn silent_sockets_count_against_the_per_user_cap() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let server = start_with(|c| c.max_sockets_per_user = 3).await;
    let mallory = sign_up(&server.base, "mallory").await;
    let upgrade = || async {
        let url = format!("{}/ws", server.base.replace("http://", "ws://"));
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("cookie", mallory.cookie.parse().unwrap());
        tokio_tungstenite::connect_async(request).await
    };
    // Three upgrades that never say Hello.
    let mut silent = Vec::new();
    for _ in 0..3 {
        silent.push(upgrade().await.expect("within the cap"));
    }
    match upgrade().await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429);
        }
        other => panic!("a fourth socket: {:?}", other.map(|_| ())),
    }
    drop(silent.pop());
    // The server notices the close, then there is room again.
    let mut room = false;
    for _ in 0..50 {
        if upgrade().await.is_ok() {
            room = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(room, "a closed socket gives its place back");
}

#[tokio::test]
async fn one_user_is_in_at_most_500_groups_and_channels() {
    let server = start_server().await;
    let collector = sign_up(&server.base, "collector").await;
    for i in 0..courier_protocol::limits::GROUPS_MAX {
        collector.group(&format!("g{i}")).await;
    }
    let refused = collector
        .call(
            &courier_protocol::http::NEW_GROUP,
            &[],
            &courier_protocol::http::NewGroup {
                name: "one more".into(),
                members: Vec::new(),
            },
        )
        .await;
    assert_eq!(refused.unwrap_err(), (429, ErrorCode::TooMany));
    // Joining counts too; a 1:1 does not.
    let owner = sign_up(&server.base, "owner").await;
    let other = owner.group("other").await;
    assert_eq!(
        collector
            .call(
                &courier_protocol::http::JOIN_BY_INVITE,
                &[&other.invite],
                &()
            )
            .await
            .unwrap_err(),
        (429, ErrorCode::TooMany)
    );
    collector.direct("owner").await;
}

#[tokio::test]
async fn a_new_reader_of_a_long_channel_views_only_its_newest_posts() {
    use courier_protocol::{ClientFrame, Seq};
    let server = start_server().await;
    let owner = sign_up(&server.base, "owner").await;
    let channel = owner.channel("long").await;
    let mut o = owner.connect(&[]).await;
    for i in 0..300 {
        o.say(channel.id, &format!("p{i}"), "post").await;
    }
    o.sent("p299").await;
    let reader = sign_up(&server.base, "reader").await;
    reader.join(&channel).await;
    let mut r = reader.connect(&[]).await;
    r.send(&ClientFrame::Read {
        chat: channel.id,
        seq: Seq(300),
    })
    .await;
    r.ping().await;
    r.send(&ClientFrame::Views {
        chat: channel.id,
        seqs: vec![Seq(1), Seq(200), Seq(201), Seq(300)],
    })
    .await;
    loop {
        if let ServerFrame::Views { counts, .. } = r.next().await {
            let views: Vec<u32> = counts.iter().map(|c| c.views).collect();
            assert_eq!(views, [0, 0, 1, 1]);
            break;
        }
    }
}

#[tokio::test]
async fn a_blocked_person_cannot_open_a_chat_or_send_in_one() {
    use courier_protocol::http::{BLOCK, BLOCKED, NEW_DIRECT, NewDirect, UNBLOCK};
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let carol = sign_up(&server.base, "carol").await;
    let chat = alice.direct("bob").await;
    let mut a = alice.connect(&[]).await;
    a.say(chat.id, "before", "hi").await;
    a.sent("before").await;
    for pest in [&alice, &carol] {
        bob.call(&BLOCK, &[&pest.me.id.0], &()).await.unwrap();
    }
    a.say(chat.id, "after", "hello?").await;
    let (code, id) = a.error().await;
    assert_eq!(
        (code, id.map(|i| i.0)),
        (ErrorCode::Blocked, Some("after".into()))
    );
    // Nor can she edit what she wrote into something new.
    a.send(&courier_protocol::ClientFrame::Act {
        chat: chat.id,
        id: courier_protocol::ClientMsgId("edit".into()),
        act: courier_protocol::Act::Edit {
            target: courier_protocol::Seq(1),
            text: "something else".into(),
        },
    })
    .await;
    assert_eq!(a.error().await.0, ErrorCode::Blocked);
    let new_direct = |p: &Person| {
        let p = p.clone();
        async move {
            p.call(
                &NEW_DIRECT,
                &[],
                &NewDirect {
                    username: "bob".into(),
                },
            )
            .await
            .map(|_| ())
        }
    };
    assert_eq!(new_direct(&carol).await, Err((403, ErrorCode::Blocked)));
    let listed = bob.call(&BLOCKED, &[], &()).await.unwrap();
    let names: Vec<_> = listed.blocked.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"alice") && names.contains(&"carol"));
    // Unblocked, Alice writes again; Bob blocking nobody twice is fine.
    bob.call(&UNBLOCK, &[&alice.me.id.0], &()).await.unwrap();
    a.say(chat.id, "again", "friends again").await;
    a.sent("again").await;
    assert_eq!(
        bob.call(&BLOCK, &[&999999], &()).await,
        Err((404, ErrorCode::UnknownUser))
    );
}

#[tokio::test]
async fn a_member_leaves_a_group_and_hears_no_more_of_it() {
    let server = start_server().await;
    let owner = sign_up(&server.base, "owner").await;
    let bob = sign_up(&server.base, "bob").await;
    let group = owner.group("Club").await;
    bob.join(&group).await;
    let mut b = bob.connect(&[]).await;
    use courier_protocol::http::LEAVE;
    bob.call(&LEAVE, &[&group.id.0], &()).await.unwrap();
    loop {
        if let ServerFrame::Left { chat } = b.next().await {
            assert_eq!(chat, group.id);
            break;
        }
    }
    let mut o = owner.connect(&[]).await;
    o.say(group.id, "after", "bob is gone").await;
    o.sent("after").await;
    assert!(
        b.drain(Duration::from_millis(500))
            .await
            .iter()
            .all(|f| !matches!(f, ServerFrame::Events { .. })),
        "a member who left hears nothing more"
    );
    let (_, chats) = bob.welcome(&[]).await;
    assert!(chats.iter().all(|c| c.id != group.id));
    assert_eq!(
        owner.call(&LEAVE, &[&group.id.0], &()).await,
        Err((403, ErrorCode::OwnerStays))
    );
    let direct = owner.direct("bob").await;
    assert_eq!(
        owner.call(&LEAVE, &[&direct.id.0], &()).await,
        Err((400, ErrorCode::BadRequest))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_over_a_big_history_leave_session_checks_fast() {
    use courier_protocol::http::{ME, SEARCH};
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let group = alice.group("Archive").await;
    // 200,000 messages, written straight into the database.
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        server.dir.path().join("courier.db").display()
    ))
    .await
    .unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
         INSERT INTO messages (chat_id, seq, sender_id, client_id, text, at, folded)
         SELECT $1, i, $2, 'm' || i, 'message number ' || i || ' about nothing much',
                1700000000000 + i, 'message number ' || i || ' about nothing much' FROM n",
    )
    .bind(group.id.0)
    .bind(alice.me.id.0)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE chats SET last_seq = 200000 WHERE id = $1")
        .bind(group.id.0)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    // Eight members search for what is nowhere (a whole scan each time).
    let stop = tokio_util::sync::CancellationToken::new();
    let mut searchers = Vec::new();
    for i in 0..8 {
        let searcher = sign_up(&server.base, &format!("searcher{i}")).await;
        searcher.join(&group).await;
        let stop = stop.clone();
        searchers.push(tokio::spawn(async move {
            let (mut done, mut refused) = (0, 0);
            while !stop.is_cancelled() {
                match searcher.call_query(&SEARCH, &[], "q=zebra", &()).await {
                    Ok(_) => done += 1,
                    Err((429, _)) => {
                        refused += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Err((_, code)) => {
                        assert_eq!(code, ErrorCode::TooBroad);
                        done += 1;
                    }
                }
            }
            (done, refused)
        }));
    }
    // Meanwhile, someone else's app checks its session.
    let bob = sign_up(&server.base, "bob").await;
    let mut took = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        bob.call(&ME, &[], &()).await.unwrap();
        took.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    let (mut searches, mut refused) = (0, 0);
    for searcher in searchers {
        let (d, r) = searcher.await.unwrap();
        searches += d;
        refused += r;
    }
    took.sort();
    let p99 = took[took.len() * 99 / 100 - 1];
    println!(
        "GET /api/me during {searches} whole-history searches ({refused} refused, slow_down): p50 {:?}, p99 {p99:?}",
        took[took.len() / 2]
    );
    assert!(searches >= 8, "the searches ran");
    assert!(p99 < Duration::from_millis(200), "p99 {p99:?}");
}

#[tokio::test]
async fn reacting_does_not_restart_ones_slow_mode_wait() {
    use courier_protocol::http::{ChatSettings, UPDATE_CHAT};
    use courier_protocol::{Act, ClientFrame, ClientMsgId};
    let server = start_server().await;
    let owner = sign_up(&server.base, "owner").await;
    let bob = sign_up(&server.base, "bob").await;
    let group = owner.group("Slow").await;
    bob.join(&group).await;
    owner
        .call(
            &UPDATE_CHAT,
            &[&group.id.0],
            &ChatSettings {
                slow_mode_s: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut b = bob.connect(&[]).await;
    b.say(group.id, "first", "one").await;
    let first = b.sent("first").await;
    server.clock.advance(Duration::from_millis(600));
    b.send(&ClientFrame::Act {
        chat: group.id,
        id: ClientMsgId("like".into()),
        act: Act::React {
            target: first.seq,
            emoji: "👍".into(),
            on: true,
        },
    })
    .await;
    b.sent("like").await;
    // A second after the post (and 0.6 s after the reaction) a post may go.
    server.clock.advance(Duration::from_millis(600));
    b.say(group.id, "second", "two").await;
    b.sent("second").await;
}
