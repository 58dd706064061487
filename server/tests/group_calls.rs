//! Group calls over real sockets and the server's real SFU, with str0m
//! participants standing in for browsers: members join and hear each
//! other, everyone in the group sees who is in and what they show, the
//! last one out ends the call and leaves its event in the chat; strangers,
//! direct chats, bad offers and a full call are refused without touching
//! the call going on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::group_call::{hear_each_other, join, join_with, leg, people};
use std::time::Duration;

use common::{Person, Socket, TestServer, sign_up, start_in, start_server};
use courier_protocol::http::calls::GROUP_CALL;
use courier_protocol::limits::{MAX_GROUP_CALL_PEOPLE, MAX_SDP_BYTES};
use courier_protocol::{ChatId, ClientFrame, Content, ErrorCode, GroupStep, ServerFrame, Showing};
use courier_sfu::participant::{Camera, Participant};

async fn group_of_two(base: &str) -> (Person, Person, ChatId) {
    let ann = sign_up(base, "ann").await;
    let bob = sign_up(base, "bob").await;
    let group = ann.group("Choir").await;
    bob.join(&group).await;
    (ann, bob, group.id)
}

/// What `socket` is told within `wait` once the clock passes the next look
/// at the calls going on (one every 30 s), which posts a lost call's event.
async fn told_after_the_next_look(
    server: &TestServer,
    socket: &mut Socket,
    wait: Duration,
) -> Vec<ServerFrame> {
    server.clock.advance(Duration::from_secs(31));
    socket.drain(wait).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_join_hear_each_other_and_the_last_out_ends_it() {
    let server = start_server().await;
    let (ann, bob, chat) = group_of_two(&server.base).await;
    let mut a = ann.connect(&[]).await;
    let mut b = bob.connect(&[]).await;

    let mut ann_tab = join_with(&mut a, chat, "a-tab").await;
    let started = b.group_call_where(chat, |c| people(c) == 1).await.unwrap();
    assert_eq!(started.people[0].user, ann.me.id);
    assert_eq!(started.people[0].name, ann.me.name);

    let mut bob_tab = join_with(&mut b, chat, "b-tab").await;
    let both = a.group_call_where(chat, |c| people(c) == 2).await.unwrap();
    assert_eq!(both.id, started.id, "a second member joins the same call");
    let ann_peer = both.people[0].peer.clone();
    let bob_peer = both.people[1].peer.clone();
    hear_each_other(&mut ann_tab, &ann_peer, &mut bob_tab, &bob_peer).await;

    let seen = bob.call(&GROUP_CALL, &[&chat.0], &()).await.unwrap();
    assert_eq!(people(&seen), 2);

    let muted = Showing {
        muted: true,
        hand: true,
        ..Showing::default()
    };
    b.send(&ClientFrame::GroupCall {
        chat,
        step: GroupStep::Show {
            leg: leg("b-tab"),
            state: muted,
        },
    })
    .await;
    let shown = a
        .group_call_where(chat, |c| {
            c.as_ref()
                .is_some_and(|c| c.people.iter().any(|p| p.showing == muted))
        })
        .await
        .unwrap();
    assert_eq!(shown.people.len(), 2);

    a.send(&ClientFrame::GroupCall {
        chat,
        step: GroupStep::Leave { leg: leg("a-tab") },
    })
    .await;
    let left = b.group_call_where(chat, |c| people(c) == 1).await.unwrap();
    assert_eq!(left.people[0].user, bob.me.id);
    b.send(&ClientFrame::GroupCall {
        chat,
        step: GroupStep::Leave { leg: leg("b-tab") },
    })
    .await;
    assert_eq!(a.group_call_where(chat, Option::is_none).await, None);
    assert_eq!(bob.call(&GROUP_CALL, &[&chat.0], &()).await.unwrap(), None);

    // The call's event is in the chat, from who started it.
    let (sender, event) = b.call_event(chat).await;
    assert!(matches!(event, Content::Call { video: true, .. }));
    assert_eq!(sender, ann.me.id);
    // The look at the call, later, finds it over and posts nothing more.
    let later = told_after_the_next_look(&server, &mut b, Duration::from_secs(2)).await;
    assert!(
        !later
            .iter()
            .any(|f| matches!(f, ServerFrame::Events { .. })),
        "posted once: {later:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_direct_chats_bad_offers_and_a_full_call_are_refused() {
    let server = start_server().await;
    let (ann, bob, chat) = group_of_two(&server.base).await;
    let eve = sign_up(&server.base, "eve").await;
    let mut a = ann.connect(&[]).await;
    let mut b = bob.connect(&[]).await;
    let mut e = eve.connect(&[]).await;

    let mut ann_tab = join_with(&mut a, chat, "a-tab").await;
    let mut bob_tab = join_with(&mut b, chat, "b-tab").await;
    let call = a.group_call_where(chat, |c| people(c) == 2).await.unwrap();
    let (ann_peer, bob_peer) = (call.people[0].peer.clone(), call.people[1].peer.clone());

    // Not a member: neither in the call nor told of it.
    let (_, offer) = Participant::new(Camera::Off, false).unwrap();
    e.send(&join(chat, "e-tab", offer)).await;
    assert_eq!(
        e.group_answer(chat, "e-tab").await,
        Err(ErrorCode::NotMember)
    );
    assert_eq!(
        eve.call(&GROUP_CALL, &[&chat.0], &()).await,
        Err((403, ErrorCode::NotMember))
    );

    // A direct chat has calls of its own, not group calls.
    let direct = ann.direct("bob").await.id;
    let (_, offer) = Participant::new(Camera::Off, false).unwrap();
    a.send(&join(direct, "a-tab", offer)).await;
    assert_eq!(
        a.group_answer(direct, "a-tab").await,
        Err(ErrorCode::NotAllowed)
    );

    // Offers that are not SDP, or too long.
    for sdp in ["hello", "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"] {
        a.send(&join(chat, "a-tab-2", sdp.into())).await;
        assert_eq!(
            a.group_answer(chat, "a-tab-2").await,
            Err(ErrorCode::BadFrame)
        );
    }
    a.send_text(&format!(
        r#"{{"type":"group_call","chat":{},"step":"join","leg":"a-tab-2","sdp":"{}"}}"#,
        chat.0,
        "v".repeat(MAX_SDP_BYTES + 1)
    ))
    .await;
    assert_eq!(a.error().await.0, ErrorCode::BadFrame);

    // Showing for a tab not in the call.
    a.send(&ClientFrame::GroupCall {
        chat,
        step: GroupStep::Show {
            leg: leg("nobody"),
            state: Showing::default(),
        },
    })
    .await;
    assert_eq!(a.error().await.0, ErrorCode::NoCall);

    // The call went on: the same two, still hearing each other.
    let seen = bob.call(&GROUP_CALL, &[&chat.0], &()).await.unwrap();
    assert_eq!(people(&seen), 2);
    hear_each_other(&mut ann_tab, &ann_peer, &mut bob_tab, &bob_peer).await;

    // Full: ann's other tabs fill it to the limit.
    for n in 2..MAX_GROUP_CALL_PEOPLE {
        let (_, offer) = Participant::new(Camera::Off, false).unwrap();
        a.send(&join(chat, &format!("tab-{n}"), offer)).await;
        a.group_answer(chat, &format!("tab-{n}")).await.unwrap();
    }
    let (_, offer) = Participant::new(Camera::Off, false).unwrap();
    b.send(&join(chat, "b-tab-2", offer)).await;
    assert_eq!(
        b.group_answer(chat, "b-tab-2").await,
        Err(ErrorCode::CallFull)
    );
    // A tab already in may join again (a reconnect).
    let (_, offer) = Participant::new(Camera::Off, false).unwrap();
    b.send(&join(chat, "b-tab", offer)).await;
    assert!(b.group_answer(chat, "b-tab").await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_removed_from_the_group_or_leaving_it_leaves_its_call() {
    use courier_protocol::http::{LEAVE, MEMBER_ACTION, MemberAction};
    let server = start_server().await;
    let ann = sign_up(&server.base, "ann").await;
    let bob = sign_up(&server.base, "bob").await;
    let cy = sign_up(&server.base, "cyrus").await;
    let group = ann.group("Choir").await;
    bob.join(&group).await;
    cy.join(&group).await;
    let chat = group.id;
    let mut a = ann.connect(&[]).await;
    let mut b = bob.connect(&[]).await;
    let mut c = cy.connect(&[]).await;
    let _ann_tab = join_with(&mut a, chat, "a-tab").await;
    let _bob_tab = join_with(&mut b, chat, "b-tab").await;
    let _cy_tab = join_with(&mut c, chat, "c-tab").await;
    a.group_call_where(chat, |c| people(c) == 3).await;

    let () = ann
        .call(
            &MEMBER_ACTION,
            &[&chat.0, &bob.me.id.0],
            &MemberAction::Remove,
        )
        .await
        .unwrap();
    let call = a.group_call_where(chat, |c| people(c) == 2).await.unwrap();
    assert!(
        call.people.iter().all(|p| p.user != bob.me.id),
        "bob is out"
    );

    let () = cy.call(&LEAVE, &[&chat.0], &()).await.unwrap();
    let call = a.group_call_where(chat, |c| people(c) == 1).await.unwrap();
    assert_eq!(call.people[0].user, ann.me.id, "only ann is left");
}

/// The server stops with a call going on and starts again on the same
/// data: the call, lost with the SFU's state, is posted in the chat once
/// its next look falls due, and only once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_lost_in_a_restart_still_leaves_its_event() {
    let data = tempfile::tempdir().unwrap();
    let kept = data.path().to_path_buf();
    let server = start_in(tempfile::tempdir().unwrap(), |c| c.data = kept.clone()).await;
    let (ann, bob, chat) = group_of_two(&server.base).await;
    let mut a = ann.connect(&[]).await;
    let _ann_tab = join_with(&mut a, chat, "a-tab").await;
    server.shutdown.cancel();
    drop(server);

    let server = start_in(tempfile::tempdir().unwrap(), |c| c.data = kept.clone()).await;
    let bob = Person {
        base: server.base.clone(),
        ..bob
    };
    let mut b = bob.connect(&[]).await;
    server.clock.advance(Duration::from_secs(31));
    let (sender, event) = b.call_event(chat).await;
    assert_eq!(sender, ann.me.id);
    assert!(matches!(event, Content::Call { video: true, .. }));
    let later = told_after_the_next_look(&server, &mut b, Duration::from_secs(3)).await;
    assert!(
        !later
            .iter()
            .any(|f| matches!(f, ServerFrame::Events { .. })),
        "posted once: {later:?}"
    );
}

/// A call whose first offer the SFU refuses never started: nobody is told
/// of it and it leaves nothing in the chat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_first_offer_starts_no_call() {
    let server = start_server().await;
    let (ann, bob, chat) = group_of_two(&server.base).await;
    let mut a = ann.connect(&[]).await;
    let mut b = bob.connect(&[]).await;
    a.send(&join(chat, "a-tab", "hello".into())).await;
    assert_eq!(
        a.group_answer(chat, "a-tab").await,
        Err(ErrorCode::BadFrame)
    );
    assert_eq!(bob.call(&GROUP_CALL, &[&chat.0], &()).await.unwrap(), None);
    let told = told_after_the_next_look(&server, &mut b, Duration::from_secs(2)).await;
    assert!(
        !told.iter().any(|f| matches!(
            f,
            ServerFrame::Events { .. } | ServerFrame::GroupCall { .. }
        )),
        "{told:?}"
    );
}
