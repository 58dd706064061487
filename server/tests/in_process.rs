//! The edge driven in this process, with no TCP: the whole router answering
//! one request at a time (`oneshot`), and a connection serving a socket
//! made of two channels. The same code the network reaches, minus the
//! network, so what the edge decides is checked fast and exactly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::ws::Message as WsMessage;
use axum::http::{Request, StatusCode, header};
use common::config;
use courier_protocol::http::{
    ApiError, ChatCreated, Me, NewScheduled, SignUp, accounts, chats, messaging,
};
use courier_protocol::limits::{MAX_TEXT_CHARS, body};
use courier_protocol::{
    ClientFrame, ClientMsgId, Content, ErrorCode, PROTOCOL_VERSION, ServerFrame,
};
use courier_server::edge::ws;
use courier_server::features::Features;
use courier_server::kernel::Kernel;
use courier_server::kernel::auth;
use courier_server::kernel::blob::Blobs;
use courier_server::kernel::clock::Clock;
use courier_server::kernel::db::{SqliteStore, Store};
use courier_server::kernel::delivery::Delivery;
use courier_server::kernel::delivery::bus::LocalBus;
use courier_server::kernel::delivery::hub::Hub;
use courier_server::startup;
use futures_util::{Sink, Stream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

const WAIT: Duration = Duration::from_secs(10);

/// The router of a server on SQLite in `dir`, and its shutdown.
async fn router(dir: &tempfile::TempDir) -> (axum::Router, CancellationToken) {
    let shutdown = CancellationToken::new();
    let router = startup::router(&config(dir.path()), shutdown.clone())
        .await
        .unwrap();
    (router, shutdown)
}

fn post(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

async fn error_of(response: axum::response::Response) -> ErrorCode {
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    serde_json::from_slice::<ApiError>(&bytes).unwrap().error
}

#[tokio::test]
async fn the_router_signs_up_refuses_foreign_origins_and_bounds_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _shutdown) = router(&dir).await;
    let sign_up = serde_json::to_vec(&SignUp {
        username: "alice".into(),
        password: "correct horse".into(),
        name: None,
    })
    .unwrap();

    let response = app
        .clone()
        .oneshot(post(accounts::SIGN_UP.path, sign_up.clone()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("courier_session=") && cookie.contains("HttpOnly"));
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let me: Me = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(me.me.username.as_deref(), Some("alice"));

    let mut foreign = post(accounts::SIGN_UP.path, sign_up);
    foreign
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    let response = app.clone().oneshot(foreign).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(response).await, ErrorCode::BadOrigin);

    // Each capability's routes carry their own body limit, checked before
    // parsing: one byte over it is refused, and a whole message of
    // four-byte characters (over the old common 16 KiB) is not.
    let with_cookie = |path: &str, body: String| {
        let mut request = post(path, body);
        request
            .headers_mut()
            .insert(header::COOKIE, cookie.parse().unwrap());
        request
    };
    let response = app
        .clone()
        .oneshot(with_cookie(
            chats::NEW_GROUP.path,
            r#"{"name":"Team"}"#.to_owned(),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let team: ChatCreated = serde_json::from_slice(&bytes).unwrap();
    let schedule = messaging::SCHEDULE.at(&[&team.chat.id.0]);
    for (path, limit) in [
        (accounts::SIGN_UP.path.to_owned(), body::ACCOUNTS),
        (chats::NEW_GROUP.path.to_owned(), body::CHATS),
        (schedule.clone(), body::MESSAGING),
    ] {
        let filler = limit + 1 - r#"{"name":""}"#.len();
        let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(filler));
        assert_eq!(huge.len(), limit + 1);
        let response = app.clone().oneshot(with_cookie(&path, huge)).await.unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(error_of(response).await, ErrorCode::BodyTooLarge, "{path}");
    }
    let whole = NewScheduled {
        id: ClientMsgId("later-1".into()),
        content: Content::text("😀".repeat(MAX_TEXT_CHARS)),
        at: Clock::default().now_ms() + 3_600_000,
    };
    let whole = serde_json::to_string(&whole).unwrap();
    assert!(whole.len() > 16 * 1024);
    let response = app
        .clone()
        .oneshot(with_cookie(&schedule, whole))
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());

    let response = app
        .oneshot(Request::get("/api/nothing").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(response).await, ErrorCode::NotFound);
}

/// A socket made of two channels: what the test sends, the connection
/// reads; what the connection writes, the test receives.
struct MemorySocket {
    from_client: mpsc::UnboundedReceiver<WsMessage>,
    to_client: mpsc::UnboundedSender<WsMessage>,
}

impl Stream for MemorySocket {
    type Item = Result<WsMessage, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.from_client.poll_recv(cx).map(|m| m.map(Ok))
    }
}

impl Sink<WsMessage> for MemorySocket {
    type Error = axum::Error;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), axum::Error>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, item: WsMessage) -> Result<(), axum::Error> {
        self.to_client.send(item).map_err(axum::Error::new)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), axum::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), axum::Error>> {
        Poll::Ready(Ok(()))
    }
}

/// The client's end of a [`MemorySocket`].
struct Client {
    send: mpsc::UnboundedSender<WsMessage>,
    receive: mpsc::UnboundedReceiver<WsMessage>,
}

impl Client {
    fn say(&self, frame: &ClientFrame) {
        self.send
            .send(WsMessage::Text(frame.encode().into()))
            .unwrap();
    }

    /// The next Courier frame, pings skipped.
    async fn next(&mut self) -> ServerFrame {
        loop {
            let message = tokio::time::timeout(WAIT, self.receive.recv())
                .await
                .expect("a frame in time")
                .expect("the connection still open");
            if let WsMessage::Text(text) = message {
                return serde_json::from_str(&text).unwrap();
            }
        }
    }
}

#[tokio::test]
async fn a_connection_serves_any_socket_from_hello_to_sent() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).await.unwrap());
    let delivery = Delivery::new(
        Arc::clone(&store),
        Arc::new(Hub::default()),
        Arc::new(LocalBus),
        None,
    );
    let features = Arc::new(Features::new(
        Arc::new(Kernel::new(
            store,
            delivery,
            Blobs::local(&dir.path().join("blobs")).unwrap(),
            Clock::default(),
        )),
        1 << 30,
        None,
        Arc::new(
            courier_sfu::Sfu::start("127.0.0.1:0".parse().unwrap(), None)
                .unwrap()
                .0,
        ),
    ));
    let alice = features
        .accounts
        .sign_up("alice", "correct horse", None, "a test")
        .await
        .unwrap();
    let chat = features
        .chats
        .new_group(&alice.me, "Picnic", courier_protocol::ChatKind::Group, &[])
        .await
        .unwrap();

    let (send, from_client) = mpsc::unbounded_channel();
    let (to_client, receive) = mpsc::unbounded_channel();
    let socket = MemorySocket {
        from_client,
        to_client,
    };
    let shutdown = CancellationToken::new();
    tokio::spawn(ws::serve(
        socket,
        alice.me.clone(),
        auth::token_hash(&alice.token),
        features,
        Arc::new(ws::Limits::new(100)),
        shutdown.clone(),
    ));
    let mut client = Client { send, receive };

    client.say(&ClientFrame::Hello {
        version: PROTOCOL_VERSION,
        cursors: vec![],
        recent: None,
    });
    match client.next().await {
        ServerFrame::Welcome { me, chats, .. } => {
            assert_eq!(me.id, alice.me.id);
            assert_eq!(chats.iter().map(|c| c.id).collect::<Vec<_>>(), [chat.id]);
        }
        other => panic!("expected welcome, got {other:?}"),
    }

    client.say(&ClientFrame::Send {
        chat: chat.id,
        id: ClientMsgId("m-1".into()),
        content: Content::text("hello"),
        reply_to: None,
    });
    let sent = loop {
        match client.next().await {
            ServerFrame::Sent { message } => break message,
            // Its own fan-out may come first; the ack is what counts here.
            ServerFrame::Events { .. } => {}
            other => panic!("expected sent, got {other:?}"),
        }
    };
    assert_eq!(sent.text(), "hello");
    assert_eq!(sent.sender, alice.me.id);

    // A binary frame is refused with a clear error; the connection stays.
    client
        .send
        .send(WsMessage::Binary(vec![1, 2, 3].into()))
        .unwrap();
    loop {
        match client.next().await {
            ServerFrame::Error { code, .. } => {
                assert_eq!(code, ErrorCode::BadFrame);
                break;
            }
            ServerFrame::Events { .. } => {}
            other => panic!("expected an error, got {other:?}"),
        }
    }
    client.say(&ClientFrame::Ping);
    loop {
        if client.next().await == ServerFrame::Pong {
            break;
        }
    }
    shutdown.cancel();
}
