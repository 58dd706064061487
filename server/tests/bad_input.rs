//! Bad input gets a clear error, stores nothing, and leaves everyone else's
//! session untouched.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use courier_protocol::http::{MEMBERS, NEW_GROUP};
use courier_protocol::limits::{MAX_FRAME_BYTES, MAX_TEXT_CHARS};
use courier_protocol::{ErrorCode, Seq, ServerFrame};

#[tokio::test]
async fn bad_frames_get_error_codes_and_the_others_go_on() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let chat = alice.direct("bob").await;
    let mut a = alice.connect(&[]).await;
    let mut b = bob.connect(&[]).await;
    let mut m = mallory.connect(&[]).await;

    m.send_text("{this is not json").await;
    assert_eq!(m.error().await, (ErrorCode::BadFrame, None));
    m.send_text(r#"{"t":"launch_missiles","c":{}}"#).await;
    assert_eq!(m.error().await.0, ErrorCode::BadFrame);
    m.ws.send(tokio_tungstenite::tungstenite::Message::Binary(
        vec![1, 2, 3].into(),
    ))
    .await
    .unwrap();
    assert_eq!(m.error().await.0, ErrorCode::BadFrame);
    m.say(chat.id, "intrude", "let me in").await;
    let (code, id) = m.error().await;
    assert_eq!(
        (code, id.map(|i| i.0)),
        (ErrorCode::NotMember, Some("intrude".to_owned()))
    );
    m.send_text(&format!(
        r#"{{"t":"sync","c":{{"chat":{},"after":0}}}}"#,
        chat.id.0
    ))
    .await;
    assert_eq!(m.error().await.0, ErrorCode::NotMember);
    m.say(chat.id, "bad id!", "x").await;
    assert_eq!(m.error().await.0, ErrorCode::BadClientId);
    m.ping().await;

    a.say(chat.id, "long", &"x".repeat(MAX_TEXT_CHARS + 1))
        .await;
    let (code, id) = a.error().await;
    assert_eq!(
        (code, id.map(|i| i.0)),
        (ErrorCode::TextTooLong, Some("long".to_owned()))
    );
    a.say(chat.id, "blank", "   ").await;
    assert_eq!(a.error().await.0, ErrorCode::TextEmpty);
    a.send_text(&" ".repeat(MAX_FRAME_BYTES + 10)).await;
    assert_eq!(a.error().await.0, ErrorCode::FrameTooLarge);

    // Alice's socket still works, Bob never noticed, and nothing was stored.
    a.say(chat.id, "ok", "still here").await;
    let ok = a.sent("ok").await;
    assert_eq!(ok.seq, Seq(1));
    let got = b.events_until(chat.id, Seq(1)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].text(), "still here");
}

#[tokio::test]
async fn a_frame_over_the_hard_cap_closes_only_that_socket() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let chat = alice.direct("bob").await;
    let mut a = alice.connect(&[]).await;
    let mut b = bob.connect(&[]).await;
    let _ =
        a.ws.send(tokio_tungstenite::tungstenite::Message::Text(
            "x".repeat(8 * MAX_FRAME_BYTES).into(),
        ))
        .await;
    assert!(
        a.drain(Duration::from_secs(1))
            .await
            .iter()
            .all(|f| !matches!(f, ServerFrame::Sent { .. }))
    );
    let mut a2 = alice.connect(&[]).await;
    a2.say(chat.id, "after", "after the flood").await;
    a2.sent("after").await;
    assert_eq!(
        b.events_until(chat.id, Seq(1)).await[0].text(),
        "after the flood"
    );
}

#[tokio::test]
async fn the_first_frame_must_be_hello_of_a_known_version() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let mut s = alice.connect_raw().await;
    s.send(&courier_protocol::ClientFrame::Ping).await;
    assert_eq!(s.error().await.0, ErrorCode::HelloRequired);
    let mut s = alice.connect_raw().await;
    s.send_text(r#"{"t":"hello","c":{"version":999,"cursors":[]}}"#)
        .await;
    assert_eq!(s.error().await.0, ErrorCode::UnsupportedVersion);
}

#[tokio::test]
async fn sockets_need_a_session_and_our_origin() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let url = format!("{}/ws", server.base.replace("http://", "ws://"));
    let anonymous = tokio_tungstenite::connect_async(url.as_str()).await;
    assert!(
        matches!(anonymous, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 401)
    );

    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = url.as_str().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("cookie", alice.cookie.parse().unwrap());
    request
        .headers_mut()
        .insert("origin", "http://evil.example".parse().unwrap());
    let foreign = tokio_tungstenite::connect_async(request).await;
    assert!(
        matches!(foreign, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 403)
    );
}

#[tokio::test]
async fn http_bodies_are_bounded_and_validated() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let huge = serde_json::json!({ "name": "x".repeat(100_000) });
    let r = http()
        .post(format!("{}{}", server.base, NEW_GROUP.path))
        .header("cookie", &alice.cookie)
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_eq!(
        read::<serde_json::Value>(r).await,
        Err((413, ErrorCode::BodyTooLarge))
    );
    let r = http()
        .post(format!("{}{}", server.base, NEW_GROUP.path))
        .header("cookie", &alice.cookie)
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        read::<serde_json::Value>(r).await,
        Err((400, ErrorCode::BadRequest))
    );
    let long_name = courier_protocol::http::NewGroup {
        name: "x".repeat(65),
        members: Vec::new(),
    };
    assert_eq!(
        alice.call(&NEW_GROUP, &[], &long_name).await,
        Err((400, ErrorCode::BadName))
    );
    let other = sign_up(&server.base, "bob").await;
    let chat = other.group("Private").await;
    assert_eq!(
        alice.call(&MEMBERS, &[&chat.id.0], &()).await,
        Err((403, ErrorCode::NotMember))
    );
}

use futures_util::SinkExt;
