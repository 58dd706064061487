//! Calls over real sockets: ringing every device of the callee, one
//! answer stopping the others, crossed calls, busy, the ends a call can
//! have and the event each leaves in the chat, signals passed between the
//! two legs only, strangers and bad frames refused, half-open calls ended,
//! and TURN credentials.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Socket, sign_up, start_server, start_with};
use courier_protocol::http::calls::ICE_SERVERS;
use courier_protocol::limits::{LEG_TIMEOUT_MS, RING_MS};
use courier_protocol::{
    CallEnd, CallId, CallStep, ChatId, ClientFrame, Content, ErrorCode, LegId, ServerFrame, Signal,
    UserId,
};

fn call(id: &str) -> CallId {
    CallId(id.into())
}

fn leg(id: &str) -> LegId {
    LegId(id.into())
}

fn invite(chat: ChatId, id: &str, from: &str) -> ClientFrame {
    step(
        chat,
        id,
        CallStep::Invite {
            video: true,
            leg: leg(from),
        },
    )
}

fn step(chat: ChatId, id: &str, step: CallStep) -> ClientFrame {
    ClientFrame::Call {
        chat,
        call: call(id),
        step,
    }
}

fn offer(id: &str, from: &str) -> ClientFrame {
    ClientFrame::Signal {
        call: call(id),
        leg: leg(from),
        signal: Signal::Description {
            offer: true,
            sdp: "v=0\r\n".into(),
        },
    }
}

impl Socket {
    /// Waits for the ack of a call step, or its refusal.
    async fn call_answer(&mut self, id: &str) -> Result<(), ErrorCode> {
        loop {
            match self.next().await {
                ServerFrame::CallOk { call } if call.0 == id => return Ok(()),
                ServerFrame::Error {
                    code,
                    call: Some(c),
                    ..
                } if c.0 == id => return Err(code),
                _ => {}
            }
        }
    }

    /// Waits for the invite of call `id`, skipping other frames.
    async fn call_step(&mut self, id: &str) -> (UserId, CallStep) {
        self.step_where(id, |s| matches!(s, CallStep::Invite { .. }))
            .await
    }

    /// Waits for a step of call `id` that `wanted`, skipping other frames
    /// (a caller's devices get their own invite too).
    async fn step_where(
        &mut self,
        id: &str,
        wanted: impl Fn(&CallStep) -> bool,
    ) -> (UserId, CallStep) {
        loop {
            if let ServerFrame::Call { call, by, step, .. } = self.next().await
                && call.0 == id
                && wanted(&step)
            {
                return (by, step);
            }
        }
    }

    /// Waits for both the ack of a step of call `id` and the call's end,
    /// which come in either order.
    async fn acked_end(&mut self, id: &str) -> (CallEnd, u32) {
        let (mut acked, mut ended) = (false, None);
        while !acked || ended.is_none() {
            match self.next().await {
                ServerFrame::CallOk { call } if call.0 == id => acked = true,
                ServerFrame::CallEnded {
                    call,
                    end,
                    duration_ms,
                    ..
                } if call.0 == id => ended = Some((end, duration_ms)),
                ServerFrame::Error {
                    code,
                    call: Some(c),
                    ..
                } if c.0 == id => {
                    panic!("{id} refused: {code:?}")
                }
                _ => {}
            }
        }
        ended.unwrap_or((CallEnd::Hangup, 0))
    }

    /// Waits for the end of call `id`.
    async fn call_ended(&mut self, id: &str) -> (CallEnd, u32) {
        loop {
            if let ServerFrame::CallEnded {
                call,
                end,
                duration_ms,
                ..
            } = self.next().await
                && call.0 == id
            {
                return (end, duration_ms);
            }
        }
    }

    /// Whether a signal arrives within `wait`.
    async fn signal_within(&mut self, wait: Duration) -> Option<LegId> {
        let until = tokio::time::Instant::now() + wait;
        while let Some(frame) = self
            .try_next(until.saturating_duration_since(tokio::time::Instant::now()))
            .await
        {
            if let ServerFrame::Signal { from, .. } = frame {
                return Some(from);
            }
        }
        None
    }
}

#[tokio::test]
async fn a_call_rings_every_device_and_one_answer_stops_the_others() {
    let server = start_server().await;
    let ann = sign_up(&server.base, "ann").await;
    let bob = sign_up(&server.base, "bob").await;
    let chat = ann.direct("bob").await.id;
    let mut a = ann.connect(&[]).await;
    let mut phone = bob.connect(&[]).await;
    let mut laptop = bob.connect(&[]).await;

    a.send(&invite(chat, "c1", "a-tab")).await;
    assert_eq!(a.call_answer("c1").await, Ok(()));
    for device in [&mut phone, &mut laptop] {
        let (by, step) = device.call_step("c1").await;
        assert_eq!(by, ann.me.id);
        assert_eq!(
            step,
            CallStep::Invite {
                video: true,
                leg: leg("a-tab")
            }
        );
    }
    phone.send(&step(chat, "c1", CallStep::Ringing)).await;
    assert_eq!(phone.call_answer("c1").await, Ok(()));
    let ringing = a.step_where("c1", |s| *s == CallStep::Ringing).await;
    assert_eq!(ringing, (bob.me.id, CallStep::Ringing));

    laptop
        .send(&step(chat, "c1", CallStep::Accept { leg: leg("laptop") }))
        .await;
    assert_eq!(laptop.call_answer("c1").await, Ok(()));
    // The caller and the other device hear which leg answered.
    let answered = CallStep::Accept { leg: leg("laptop") };
    let accept = |s: &CallStep| matches!(s, CallStep::Accept { .. });
    assert_eq!(
        a.step_where("c1", accept).await,
        (bob.me.id, answered.clone())
    );
    assert_eq!(phone.step_where("c1", accept).await, (bob.me.id, answered));
    // The phone, late, cannot answer too.
    phone
        .send(&step(chat, "c1", CallStep::Accept { leg: leg("phone") }))
        .await;
    assert_eq!(phone.call_answer("c1").await, Err(ErrorCode::NoCall));

    // Signals go between the two legs; the phone's are refused.
    a.send(&offer("c1", "a-tab")).await;
    assert_eq!(
        laptop.signal_within(Duration::from_secs(5)).await,
        Some(leg("a-tab"))
    );
    phone.send(&offer("c1", "phone")).await;
    assert_eq!(phone.call_answer("c1").await, Err(ErrorCode::NoCall));
    assert_eq!(a.signal_within(Duration::from_millis(300)).await, None);

    // Sent twice, a hang-up ends it once, with its length, for everyone.
    server.clock.advance(Duration::from_secs(65));
    laptop.send(&step(chat, "c1", CallStep::Hangup)).await;
    let (end, duration_ms) = laptop.acked_end("c1").await;
    assert_eq!(end, CallEnd::Hangup);
    assert!((65_000..70_000).contains(&duration_ms), "{duration_ms}");
    laptop.send(&step(chat, "c1", CallStep::Hangup)).await;
    assert_eq!(laptop.call_answer("c1").await, Ok(()), "the same again");
    for device in [&mut a, &mut phone] {
        let (end, duration_ms) = device.call_ended("c1").await;
        assert_eq!(end, CallEnd::Hangup);
        assert!((65_000..70_000).contains(&duration_ms), "{duration_ms}");
    }
    let (sender, event) = phone.call_event(chat).await;
    assert_eq!(sender, ann.me.id, "a call's event is the caller's");
    assert!(matches!(
        event,
        Content::Call {
            video: true,
            end: CallEnd::Hangup,
            duration_ms: 65_000..70_000
        }
    ));
    // Over, a call takes no more signals.
    a.send(&offer("c1", "a-tab")).await;
    assert_eq!(a.call_answer("c1").await, Err(ErrorCode::NoCall));
}

#[tokio::test]
async fn calls_that_cross_end_in_one() {
    let server = start_server().await;
    let ann = sign_up(&server.base, "ann").await;
    let bob = sign_up(&server.base, "bob").await;
    let chat = ann.direct("bob").await.id;
    let mut a = ann.connect(&[]).await;
    let mut b = bob.connect(&[]).await;

    a.send(&invite(chat, "from-ann", "a-tab")).await;
    b.send(&invite(chat, "from-bob", "b-tab")).await;
    assert_eq!(a.call_answer("from-ann").await, Ok(()));
    // Bob's call is refused: Ann's rings on his devices (again) instead.
    assert_eq!(b.call_answer("from-bob").await, Err(ErrorCode::CallCrossed));
    let (by, _) = b.call_step("from-ann").await;
    assert_eq!(by, ann.me.id);
    b.send(&step(
        chat,
        "from-ann",
        CallStep::Accept { leg: leg("b-tab") },
    ))
    .await;
    assert_eq!(b.call_answer("from-ann").await, Ok(()));
    let (by, _) = a
        .step_where("from-ann", |s| matches!(s, CallStep::Accept { .. }))
        .await;
    assert_eq!(by, bob.me.id);
}

#[tokio::test]
async fn a_callee_in_another_call_is_busy_and_a_caller_in_one_cannot_call() {
    let server = start_server().await;
    let ann = sign_up(&server.base, "ann").await;
    sign_up(&server.base, "bob").await;
    let cy = sign_up(&server.base, "cyd").await;
    let ann_bob = ann.direct("bob").await.id;
    let cy_bob = cy.direct("bob").await.id;
    let ann_cy = ann.direct("cyd").await.id;
    let mut a = ann.connect(&[]).await;
    let mut c = cy.connect(&[]).await;

    a.send(&invite(ann_bob, "ab", "a-tab")).await;
    assert_eq!(a.call_answer("ab").await, Ok(()));
    c.send(&invite(cy_bob, "cb", "c-tab")).await;
    assert_eq!(c.acked_end("cb").await, (CallEnd::Busy, 0));
    assert!(matches!(
        c.call_event(cy_bob).await.1,
        Content::Call {
            end: CallEnd::Busy,
            ..
        }
    ));
    a.send(&invite(ann_cy, "ac", "a-tab")).await;
    assert_eq!(a.call_answer("ac").await, Err(ErrorCode::InCall));

    // Once Ann gives up, the line is free.
    a.send(&step(ann_bob, "ab", CallStep::Cancel)).await;
    assert_eq!(a.acked_end("ab").await.0, CallEnd::Cancelled);
    c.send(&invite(cy_bob, "cb2", "c-tab")).await;
    assert_eq!(c.call_answer("cb2").await, Ok(()));
    c.send(&step(cy_bob, "cb2", CallStep::Cancel)).await;
    assert_eq!(c.call_ended("cb2").await.0, CallEnd::Cancelled);
}

#[tokio::test]
async fn a_declined_call_and_an_unanswered_one_end_as_such() {
    let server = start_server().await;
    let ann = sign_up(&server.base, "ann").await;
    let bob = sign_up(&server.base, "bob").await;
    let chat = ann.direct("bob").await.id;
    let mut a = ann.connect(&[]).await;
    let mut b = bob.connect(&[]).await;

    a.send(&invite(chat, "d1", "a-tab")).await;
    b.call_step("d1").await;
    b.send(&step(chat, "d1", CallStep::Decline)).await;
    assert_eq!(b.acked_end("d1").await.0, CallEnd::Declined);
    assert_eq!(a.call_ended("d1").await.0, CallEnd::Declined);
    assert!(matches!(
        b.call_event(chat).await.1,
        Content::Call {
            end: CallEnd::Declined,
            ..
        }
    ));

    a.send(&invite(chat, "m1", "a-tab")).await;
    b.call_step("m1").await;
    server
        .clock
        .advance(Duration::from_millis(RING_MS as u64 + 100));
    // The ring-out runs on the server's timer tick.
    assert_eq!(b.call_ended("m1").await.0, CallEnd::Missed);
    assert_eq!(a.call_ended("m1").await.0, CallEnd::Missed);
    // Too late to answer.
    b.send(&step(chat, "m1", CallStep::Accept { leg: leg("b") }))
        .await;
    assert_eq!(b.call_answer("m1").await, Err(ErrorCode::NoCall));
}

#[tokio::test]
async fn a_call_whose_leg_goes_silent_is_ended() {
    let server = start_server().await;
    let ann = sign_up(&server.base, "ann").await;
    let bob = sign_up(&server.base, "bob").await;
    let chat = ann.direct("bob").await.id;
    let mut a = ann.connect(&[]).await;
    let mut b = bob.connect(&[]).await;

    a.send(&invite(chat, "h1", "a-tab")).await;
    b.call_step("h1").await;
    b.send(&step(chat, "h1", CallStep::Accept { leg: leg("b-tab") }))
        .await;
    assert_eq!(b.call_answer("h1").await, Ok(()));
    // Ann's leg keeps saying it is there; Bob's tab is gone without a
    // word (its socket closed).
    drop(b);
    let half = Duration::from_millis(LEG_TIMEOUT_MS as u64 / 2 + 1000);
    server.clock.advance(half);
    a.send(&step(chat, "h1", CallStep::Alive)).await;
    assert_eq!(a.call_answer("h1").await, Ok(()));
    server.clock.advance(half);
    assert_eq!(a.call_ended("h1").await.0, CallEnd::Hangup);
    a.send(&step(chat, "h1", CallStep::Alive)).await;
    assert_eq!(a.call_answer("h1").await, Err(ErrorCode::NoCall));
}

#[tokio::test]
async fn strangers_groups_and_bad_frames_are_refused_and_end_nothing() {
    let server = start_server().await;
    let ann = sign_up(&server.base, "ann").await;
    let bob = sign_up(&server.base, "bob").await;
    let eve = sign_up(&server.base, "eve").await;
    let chat = ann.direct("bob").await.id;
    let group = ann.group("team").await.id;
    let mut a = ann.connect(&[]).await;
    let mut b = bob.connect(&[]).await;
    let mut e = eve.connect(&[]).await;

    a.send(&invite(chat, "s1", "a-tab")).await;
    assert_eq!(a.call_answer("s1").await, Ok(()));
    // Eve is in neither the chat nor the call.
    e.send(&invite(chat, "e1", "e-tab")).await;
    assert_eq!(e.call_answer("e1").await, Err(ErrorCode::NotMember));
    e.send(&step(chat, "s1", CallStep::Accept { leg: leg("e-tab") }))
        .await;
    assert_eq!(e.call_answer("s1").await, Err(ErrorCode::NoCall));
    e.send(&step(chat, "s1", CallStep::Hangup)).await;
    assert_eq!(e.call_answer("s1").await, Err(ErrorCode::NoCall));
    e.send(&offer("s1", "a-tab")).await;
    assert_eq!(e.call_answer("s1").await, Err(ErrorCode::NoCall));
    // Reusing Ann's call id rings nothing.
    e.send(&invite(chat, "s1", "e-tab")).await;
    assert_eq!(e.call_answer("s1").await, Err(ErrorCode::NotMember));
    // Group calls are not offered yet.
    a.send(&invite(group, "g1", "a-tab")).await;
    assert_eq!(a.call_answer("g1").await, Err(ErrorCode::NotAllowed));
    // Out of order: the caller cannot answer their own call, nor a
    // signal flow before an answer.
    a.send(&step(chat, "s1", CallStep::Accept { leg: leg("a-tab") }))
        .await;
    assert_eq!(a.call_answer("s1").await, Err(ErrorCode::NoCall));
    a.send(&offer("s1", "a-tab")).await;
    assert_eq!(a.call_answer("s1").await, Err(ErrorCode::NoCall));
    // Malformed: a bad leg, an oversized description, garbage.
    a.send_text(
        r#"{"t":"call","c":{"chat":1,"call":"x","step":"invite","video":true,"leg":"a b"}}"#,
    )
    .await;
    assert_eq!(a.error().await.0, ErrorCode::BadClientId);
    a.send(&ClientFrame::Signal {
        call: call("s1"),
        leg: leg("a-tab"),
        signal: Signal::Description {
            offer: true,
            sdp: "v".repeat(40 * 1024),
        },
    })
    .await;
    assert_eq!(a.error().await.0, ErrorCode::BadFrame);
    a.send_text(r#"{"t":"call","c":{"chat":1,"call":"s1","step":"teleport"}}"#)
        .await;
    assert_eq!(a.error().await.0, ErrorCode::BadFrame);

    // None of it touched the call: Bob still answers it.
    b.call_step("s1").await;
    b.send(&step(chat, "s1", CallStep::Accept { leg: leg("b-tab") }))
        .await;
    assert_eq!(b.call_answer("s1").await, Ok(()));
    b.send(&offer("s1", "b-tab")).await;
    assert_eq!(
        a.signal_within(Duration::from_secs(5)).await,
        Some(leg("b-tab"))
    );
}

#[tokio::test]
async fn turn_credentials_are_issued_per_user_when_a_relay_is_configured() {
    let bare = start_server().await;
    let ann = sign_up(&bare.base, "ann").await;
    let none = ann.call(&ICE_SERVERS, &[], &()).await.unwrap();
    assert!(none.servers.is_empty());

    let server = start_with(|config| {
        config.turn_urls = vec!["turn:127.0.0.1:3478".into()];
        config.turn_secret = Some("north".to_string().into());
        config.turn_relay_only = true;
    })
    .await;
    let ann = sign_up(&server.base, "ann").await;
    let ice = ann.call(&ICE_SERVERS, &[], &()).await.unwrap();
    let [turn] = ice.servers.as_slice() else {
        panic!("one relay: {ice:?}");
    };
    assert_eq!(turn.urls, ["turn:127.0.0.1:3478"]);
    assert!(ice.relay_only);
    let username = turn.username.clone().unwrap_or_default();
    let (expires, user) = username.split_once(':').unwrap();
    assert_eq!(user, ann.me.id.0.to_string());
    let expires: i64 = expires.parse().unwrap();
    let now_s = server.clock.now_ms() / 1000;
    assert!((now_s + 3600..now_s + 24 * 3600).contains(&expires));
    assert!(turn.credential.as_ref().is_some_and(|c| c.len() == 28));
    // Without a session, nothing.
    let anon = common::http()
        .get(format!("{}/api/calls/ice", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
}
