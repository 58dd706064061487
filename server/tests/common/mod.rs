//! Test helpers as a small language: start a server, sign people up, open
//! their sockets, send and expect frames.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod group_call;
pub mod s3;
pub mod tus;

use std::fmt::Display;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use courier_protocol::http::{
    ApiError, ChatCreated, Endpoint, JoinAnswer, Me, Method, NewDirect, NewGroup, SignUp, accounts,
    chats,
};
use courier_protocol::{
    ChatId, ChatSummary, ClientFrame, ClientMsgId, Content, Cursor, ErrorCode, Message,
    PROTOCOL_VERSION, Seq, ServerFrame, UserInfo,
};
use courier_server::kernel::clock::Clock;
use courier_server::startup::{Config, Running};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::AsyncBufReadExt;
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_util::sync::CancellationToken;

pub const WAIT: Duration = Duration::from_secs(10);

/// A server in this process on a free port, with its own data directory.
pub struct TestServer {
    pub base: String,
    pub shutdown: CancellationToken,
    pub dir: tempfile::TempDir,
    /// The server's clock: a test moves it forward instead of sleeping.
    pub clock: Clock,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub fn config(data: &Path) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        postgres: None,
        nats: None,
        nats_subject: "courier.events".into(),
        data: data.to_path_buf(),
        blob: None,
        s3_endpoint: None,
        s3_region: "us-east-1".into(),
        s3_access_key_id: None,
        s3_secret_access_key: None,
        static_dir: data.join("no-app"),
        allowed_origins: vec![],
        max_connections: 1000,
        max_sockets_per_user: 64,
        https: false,
        new_users_per_hour: 0,
        trust_forwarded_for: false,
        // Tests fill chats fast; tests/abuse.rs checks the limit itself.
        sends_per_second: 100_000,
        upload_quota: 20 * 1024 * 1024 * 1024,
        turn_urls: vec![],
        turn_secret: None,
        turn_relay_only: false,
        sfu_udp: Some("127.0.0.1:0".parse().unwrap()),
        sfu_advertise: None,
        clock: Clock::default(),
    }
}

pub async fn start_server() -> TestServer {
    start_with(|_| {}).await
}

/// A server in this process whose configuration `change` adjusts.
pub async fn start_with(change: impl FnOnce(&mut Config)) -> TestServer {
    start_in(tempfile::tempdir().unwrap(), change).await
}

/// A server in this process on the data already in `dir`.
pub async fn start_in(dir: tempfile::TempDir, change: impl FnOnce(&mut Config)) -> TestServer {
    let shutdown = CancellationToken::new();
    let mut config = config(dir.path());
    change(&mut config);
    let running = Running::start(&config, shutdown.clone()).await.unwrap();
    let base = format!("http://{}", running.local_addr().unwrap());
    tokio::spawn(running.serve());
    TestServer {
        base,
        shutdown,
        dir,
        clock: config.clock,
    }
}

/// The real `courier-server` binary, so it can be killed with SIGKILL.
pub struct Process {
    pub child: tokio::process::Child,
    pub base: String,
}

pub async fn spawn_binary(data: &Path) -> Process {
    spawn_binary_with(data, &[], &[]).await
}

/// [`spawn_binary`] with more flags and environment variables.
pub async fn spawn_binary_with(data: &Path, args: &[&str], envs: &[(&str, &str)]) -> Process {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_courier-server"))
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(["--static-dir", "no-app"])
        .args(["--sends-per-second", "100000"])
        .args(args)
        // The server logs to stdout, before and after the URL's line: keep
        // it to warnings.
        .env("RUST_LOG", "warn")
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let url = tokio::time::timeout(WAIT, async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.split("running at ").nth(1) {
                return url.trim_end_matches('/').to_owned();
            }
        }
        panic!("courier-server exited before saying where it runs");
    })
    .await
    .expect("courier-server to start in time");
    let url_for_log = url.clone();
    // Read the rest, so the server never blocks on a full pipe, and show
    // it with the test's output.
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("[courier-server {url_for_log}] {line}");
        }
    });
    Process { child, base: url }
}

/// One person: their session cookie and who they are.
#[derive(Clone)]
pub struct Person {
    pub base: String,
    pub cookie: String,
    pub me: UserInfo,
}

pub fn http() -> reqwest::Client {
    reqwest::Client::new()
}

pub fn cookie_of(response: &reqwest::Response) -> String {
    let set = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// The request for `endpoint` on the server at `base`: its method, its path
/// with the `{…}` segments filled by `at` (and `query`, already encoded, if
/// not empty), and `body` as JSON unless it is `()`. Without a cookie; for
/// what a test reads beyond the answer (headers, cookies) or adds to it.
pub fn request_to<Req: Serialize, Resp>(
    base: &str,
    endpoint: &Endpoint<Req, Resp>,
    at: &[&dyn Display],
    query: &str,
    body: &Req,
) -> reqwest::RequestBuilder {
    let method = match endpoint.method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    };
    let mut url = format!("{base}{}", endpoint.at(at));
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    let request = http().request(method, url);
    let json = serde_json::to_vec(body).unwrap();
    if json == b"null" {
        request
    } else {
        request
            .header("content-type", "application/json")
            .body(json)
    }
}

/// The chat joined by a link that needs no approval.
pub fn joined<T>(answer: JoinAnswer<T>) -> T {
    match answer {
        JoinAnswer::Joined(joined) => joined,
        JoinAnswer::Pending(pending) => panic!("expected to join, got {pending:?}"),
    }
}

pub async fn sign_up(base: &str, username: &str) -> Person {
    sign_up_named(base, username, None).await
}

/// [`sign_up`] with a display name other than the username.
pub async fn sign_up_named(base: &str, username: &str, name: Option<&str>) -> Person {
    let body = SignUp {
        username: username.into(),
        password: "correct horse".into(),
        name: name.map(Into::into),
    };
    let response = request_to(base, &accounts::SIGN_UP, &[], "", &body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "sign up {username}");
    let cookie = cookie_of(&response);
    let me = response.json::<Me>().await.unwrap().me;
    Person {
        base: base.to_owned(),
        cookie,
        me,
    }
}

impl Person {
    /// Calls `endpoint` with this person's cookie at its path filled with
    /// `at`, sending `body` unless it is `()`; the answer or the error code.
    pub fn call<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        endpoint: &Endpoint<Req, Resp>,
        at: &[&dyn Display],
        body: &Req,
    ) -> impl Future<Output = Result<Resp, (u16, ErrorCode)>> + use<Req, Resp> {
        self.call_query(endpoint, at, "", body)
    }

    /// [`Person::call`] with `query` (already encoded) after the path.
    pub fn call_query<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        endpoint: &Endpoint<Req, Resp>,
        at: &[&dyn Display],
        query: &str,
        body: &Req,
    ) -> impl Future<Output = Result<Resp, (u16, ErrorCode)>> + use<Req, Resp> {
        // Built before the future, which so holds no `dyn Display` (not
        // `Send`) and can be spawned.
        let request =
            request_to(&self.base, endpoint, at, query, body).header("cookie", &self.cookie);
        async move { read(request.send().await.unwrap()).await }
    }

    pub async fn group(&self, name: &str) -> ChatSummary {
        self.new_chat(&chats::NEW_GROUP, name).await
    }

    pub async fn channel(&self, name: &str) -> ChatSummary {
        self.new_chat(&chats::NEW_CHANNEL, name).await
    }

    /// A group or channel (as `endpoint` makes) with this person alone in it.
    async fn new_chat(
        &self,
        endpoint: &Endpoint<NewGroup, ChatCreated>,
        name: &str,
    ) -> ChatSummary {
        let body = NewGroup {
            name: name.into(),
            members: Vec::new(),
        };
        self.call(endpoint, &[], &body).await.unwrap().chat
    }

    pub async fn direct(&self, username: &str) -> ChatSummary {
        let body = NewDirect {
            username: username.into(),
        };
        self.call(&chats::NEW_DIRECT, &[], &body)
            .await
            .unwrap()
            .chat
    }

    pub async fn join(&self, chat: &ChatSummary) {
        joined(
            self.call(&chats::JOIN_BY_INVITE, &[&chat.invite], &())
                .await
                .unwrap(),
        );
    }

    /// Opens a socket, says Hello with `cursors`, and waits for Welcome.
    pub async fn connect(&self, cursors: &[Cursor]) -> Socket {
        self.welcome(cursors).await.0
    }

    /// Like [`Person::connect`], also giving the chats Welcome listed.
    pub async fn welcome(&self, cursors: &[Cursor]) -> (Socket, Vec<ChatSummary>) {
        let mut socket = self.connect_raw().await;
        socket
            .send(&ClientFrame::Hello {
                version: PROTOCOL_VERSION,
                cursors: cursors.to_vec(),
                recent: None,
            })
            .await;
        match socket.next().await {
            ServerFrame::Welcome { chats, .. } => (socket, chats),
            other => panic!("expected welcome, got {other:?}"),
        }
    }

    pub async fn connect_raw(&self) -> Socket {
        let url = format!("{}/ws", self.base.replace("http://", "ws://"));
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("cookie", self.cookie.parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        Socket { ws }
    }
}

pub async fn read<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, (u16, ErrorCode)> {
    let status = response.status().as_u16();
    if response.status().is_success() {
        let bytes = response.bytes().await.unwrap();
        let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        Ok(serde_json::from_slice(body).unwrap())
    } else {
        Err((status, response.json::<ApiError>().await.unwrap().error))
    }
}

pub struct Socket {
    pub ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Socket {
    pub async fn send(&mut self, frame: &ClientFrame) {
        self.send_text(&frame.encode()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Ws::Text(text.into())).await.unwrap();
    }

    pub async fn say(&mut self, chat: ChatId, id: &str, text: &str) {
        self.send(&ClientFrame::Send {
            chat,
            id: ClientMsgId(id.into()),
            content: Content::text(text),
            reply_to: None,
        })
        .await;
    }

    /// The next Courier frame (control frames skipped); panics after [`WAIT`].
    pub async fn next(&mut self) -> ServerFrame {
        self.try_next(WAIT).await.expect("a frame in time")
    }

    pub async fn try_next(&mut self, wait: Duration) -> Option<ServerFrame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()??
                .ok()?;
            if let Ws::Text(text) = message {
                return Some(ServerFrame::decode(&text).unwrap());
            }
        }
    }

    /// Waits for the ack of `id`, skipping other frames.
    /// Waits for the call event posted in `chat`.
    pub async fn call_event(&mut self, chat: ChatId) -> (courier_protocol::UserId, Content) {
        loop {
            if let ServerFrame::Events { chat: c, messages } = self.next().await
                && c == chat
                && let Some(m) = messages
                    .into_iter()
                    .find(|m| matches!(m.content, Some(Content::Call { .. })))
            {
                return (m.sender, m.content.unwrap_or(Content::Unsupported));
            }
        }
    }

    pub async fn sent(&mut self, id: &str) -> Message {
        loop {
            match self.next().await {
                ServerFrame::Sent { message } if message.id.0 == id => return message,
                ServerFrame::Error {
                    code,
                    id: Some(eid),
                    ..
                } if eid.0 == id => panic!("{id} refused: {code:?}"),
                _ => {}
            }
        }
    }

    /// Waits for both the ack of `id` and its echo in an `events` frame,
    /// which come in either order, skipping other frames.
    pub async fn posted(&mut self, id: &str) -> Message {
        let (mut acked, mut echoed) = (None, false);
        while acked.is_none() || !echoed {
            match self.next().await {
                ServerFrame::Sent { message } if message.id.0 == id => acked = Some(message),
                ServerFrame::Events { messages, .. } => {
                    echoed |= messages.iter().any(|m| m.id.0 == id);
                }
                ServerFrame::Error {
                    code,
                    id: Some(eid),
                    ..
                } if eid.0 == id => panic!("{id} refused: {code:?}"),
                _ => {}
            }
        }
        acked.expect("acked")
    }

    /// Waits for an error frame, skipping others.
    pub async fn error(&mut self) -> (ErrorCode, Option<ClientMsgId>) {
        loop {
            if let ServerFrame::Error { code, id, .. } = self.next().await {
                return (code, id);
            }
        }
    }

    /// Collects messages of `chat` from Events frames until `last` is seen.
    pub async fn events_until(&mut self, chat: ChatId, last: Seq) -> Vec<Message> {
        let mut got = Vec::new();
        while got.last().is_none_or(|m: &Message| m.seq < last) {
            if let ServerFrame::Events { chat: c, messages } = self.next().await
                && c == chat
            {
                got.extend(messages);
            }
        }
        got
    }

    /// Collects messages of `chat` until it holds every seq from `first`
    /// to `last`, whatever order they come in (live and relayed deliveries
    /// from several nodes interleave).
    pub async fn events_covering(&mut self, chat: ChatId, first: Seq, last: Seq) -> Vec<Message> {
        let mut got = std::collections::BTreeMap::new();
        while !(first.0..=last.0).all(|s| got.contains_key(&Seq(s))) {
            if let ServerFrame::Events { chat: c, messages } = self.next().await
                && c == chat
            {
                got.extend(messages.into_iter().map(|m| (m.seq, m)));
            }
        }
        got.into_values().collect()
    }

    /// Frames that arrive within `wait` (to show that nothing more comes).
    pub async fn drain(&mut self, wait: Duration) -> Vec<ServerFrame> {
        let mut frames = Vec::new();
        while let Some(frame) = self.try_next(wait).await {
            frames.push(frame);
        }
        frames
    }

    /// Whether the server closes the socket within `wait` (frames before
    /// the close are skipped).
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Ws::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// A round trip: proves the socket still works.
    pub async fn ping(&mut self) {
        self.send(&ClientFrame::Ping).await;
        loop {
            if self.next().await == ServerFrame::Pong {
                return;
            }
        }
    }
}

pub const DEFAULT_POSTGRES: &str = "postgres://root@127.0.0.1:5432/test";

/// A fresh database on the local PostgreSQL (COURIER_TEST_POSTGRES to point
/// elsewhere), dropped by [`TestDatabase::drop_now`].
pub struct TestDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        use std::hash::{BuildHasher, RandomState};
        let admin_url =
            std::env::var("COURIER_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES.into());
        let name = format!(
            "courier_test_{}_{}",
            std::process::id(),
            RandomState::new().hash_one(std::time::SystemTime::now())
        );
        let admin = sqlx::PgPool::connect(&admin_url)
            .await
            .expect("PostgreSQL on 127.0.0.1:5432 (scripts/test.sh starts it)");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
        TestDatabase {
            admin_url,
            name,
            url,
        }
    }

    pub async fn drop_now(self) {
        let admin = sqlx::PgPool::connect(&self.admin_url).await.unwrap();
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&admin)
        .await
        .unwrap();
    }
}
