//! Talking to the server: the JSON HTTP API and the socket session.
//!
//! The session connects, says `Hello` with the cursors held in the store,
//! writes whatever the server sends into the store, drains the outbox after
//! `Welcome`, pings, and reconnects with backoff when the line goes quiet.
//! It tells the UI what changed through an [`Observer`] callback and never
//! touches the UI itself.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt::Display;
use std::rc::Rc;

use courier_protocol::error::Retry;
use courier_protocol::http::{ACCOUNT_HEADER, ApiError, Endpoint, Me, Method, accounts};
use courier_protocol::limits::{HISTORY_PAGE, MAX_CURSORS};
use courier_protocol::model::message::ViewCount;
use courier_protocol::policy;
use courier_protocol::{
    Act, ChatId, ChatSummary, ClientFrame, ClientMsgId, Content, Cursor, ErrorCode,
    PROTOCOL_VERSION, Seq, ServerFrame, UserId, UserInfo,
};
use futures::channel::mpsc;
use futures::{FutureExt, SinkExt, StreamExt};
use gloo_net::http::{Request, RequestBuilder};
use gloo_net::websocket::Message as WsMessage;
use gloo_net::websocket::futures::WebSocket;
use gloo_timers::future::TimeoutFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::account;
use crate::store::{OutState, OutboxEntry, Store};

/// Why an HTTP call failed.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ApiFail {
    #[error("{0}")]
    Code(ErrorCode),
    #[error("cannot reach the server")]
    Network,
}

async fn finish<R: DeserializeOwned>(
    resp: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<R, ApiFail> {
    let resp = resp.map_err(|_| ApiFail::Network)?;
    if resp.status() == 204 {
        // No content: only a body type that accepts `null` (unit) fits.
        serde_json::from_value(serde_json::Value::Null)
            .map_err(|_| ApiFail::Code(ErrorCode::BadRequest))
    } else if resp.ok() {
        resp.json()
            .await
            .map_err(|_| ApiFail::Code(ErrorCode::BadRequest))
    } else {
        match resp.json::<ApiError>().await {
            Ok(e) => Err(ApiFail::Code(e.error)),
            Err(_) if resp.status() >= 500 => Err(ApiFail::Code(ErrorCode::Internal)),
            Err(_) => Err(ApiFail::Network),
        }
    }
}

/// Names this tab's account, so the server picks its cookie among the
/// browser's (see `account`).
fn as_account(req: RequestBuilder) -> RequestBuilder {
    match account::acting() {
        Some(id) => req.header(ACCOUNT_HEADER, &id.0.to_string()),
        None => req,
    }
}

/// Calls `endpoint` at its path filled with `at` (and `query`, already
/// encoded, if not empty), sending `body` unless it is `()`.
pub async fn call<Req: Serialize, Resp: DeserializeOwned>(
    endpoint: &Endpoint<Req, Resp>,
    at: &[&dyn Display],
    query: &str,
    body: &Req,
) -> Result<Resp, ApiFail> {
    let mut url = endpoint.at(at);
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    let req = as_account(match endpoint.method {
        Method::Get => Request::get(&url),
        Method::Post => Request::post(&url),
        Method::Put => Request::put(&url),
        Method::Patch => Request::patch(&url),
        Method::Delete => Request::delete(&url),
    });
    let body = serde_json::to_value(body).map_err(|_| ApiFail::Code(ErrorCode::BadRequest))?;
    if body.is_null() {
        return finish(req.send().await).await;
    }
    let req = req
        .json(&body)
        .map_err(|_| ApiFail::Code(ErrorCode::BadRequest))?;
    finish(req.send().await).await
}

/// [`call`] without a body, query or path variables.
pub async fn ask<Resp: DeserializeOwned>(endpoint: &Endpoint<(), Resp>) -> Result<Resp, ApiFail> {
    call(endpoint, &[], "", &()).await
}

/// `POST /api/signout` for `account`, which answers 204 with no body.
pub async fn sign_out(account: UserId) {
    let req = Request::post(accounts::SIGN_OUT.path).header(ACCOUNT_HEADER, &account.0.to_string());
    // Signing out locally happens whatever the server says.
    let _ = req.send().await;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Connecting,
    Online,
    Offline,
}

/// What the session reports to the UI.
#[derive(Debug, Clone)]
pub enum Event {
    Status(Status),
    /// The store changed: re-read it.
    Changed,
    /// The server says who we are (a name may have changed).
    Me(UserInfo),
    /// The server no longer knows our session cookie.
    SignedOut,
    /// View counts of a channel's posts arrived.
    Views(ChatId, Vec<ViewCount>),
    /// The user's draft of a chat changed on another device.
    Draft(ChatId, String),
    /// A member read the chat up to a seq.
    Read(ChatId, UserId, Seq),
    /// A device of a member stored the chat up to a seq.
    Delivered(ChatId, UserId, Seq),
    /// These events were just stored: the senders of posts stopped typing,
    /// the user may be told of new posts, and a notice of a post since
    /// edited or deleted must change or go.
    Arrived(ChatId, Vec<courier_protocol::Message>),
    /// A member (id, name) is typing.
    Typing(ChatId, UserId, String),
}

/// What the UI hands the connection.
enum Wake {
    /// A message in the outbox: send it (again, after a reconnect).
    Outbox(OutboxEntry),
    /// A frame worth sending only on a live connection (read cursor,
    /// view counts); dropped while offline.
    Frame(ClientFrame),
}

pub type Observer = Rc<dyn Fn(Event)>;

/// The handle the UI holds; dropping every clone ends the session and
/// closes the socket.
#[derive(Clone)]
pub struct Session {
    store: Store,
    wake: mpsc::UnboundedSender<Wake>,
    notify: Observer,
}

impl Session {
    pub fn start(store: Store, notify: Observer) -> Session {
        let (wake, rx) = mpsc::unbounded();
        wasm_bindgen_futures::spawn_local(run(store.clone(), notify.clone(), rx));
        Session {
            store,
            wake,
            notify,
        }
    }

    /// Puts a message (answering `reply_to`, if set) in the outbox, so it
    /// survives a reload, and sends it if the socket is up; otherwise it
    /// goes after the next `Welcome`.
    pub async fn send(
        &self,
        chat: ChatId,
        text: String,
        reply_to: Option<Seq>,
    ) -> Result<(), crate::store::StoreError> {
        self.queue(OutboxEntry {
            reply_to,
            ..OutboxEntry::new(chat, Some(Content::text(text)))
        })
        .await
    }

    /// Forwards message `seq` of chat `from` into `chat`, through the outbox.
    pub async fn forward(
        &self,
        chat: ChatId,
        from: ChatId,
        seq: Seq,
        text: String,
    ) -> Result<(), crate::store::StoreError> {
        // The copy shows with the original's words while it waits.
        self.queue(OutboxEntry {
            forward: Some((from, seq)),
            ..OutboxEntry::new(chat, Some(Content::text(text)))
        })
        .await
    }

    /// Edits, deletes, reacts to or pins a message, through the outbox like
    /// a message: it survives going offline and is applied when the server
    /// echoes it.
    pub async fn act(&self, chat: ChatId, act: Act) -> Result<(), crate::store::StoreError> {
        self.queue(OutboxEntry {
            act: Some(act),
            ..OutboxEntry::new(chat, None)
        })
        .await
    }

    async fn queue(&self, entry: OutboxEntry) -> Result<(), crate::store::StoreError> {
        self.store.add_outbox(&entry).await?;
        (self.notify)(Event::Changed);
        let _ = self.wake.unbounded_send(Wake::Outbox(entry));
        Ok(())
    }

    /// Tells the server the user has read `chat` up to `seq`.
    pub fn read(&self, chat: ChatId, seq: Seq) {
        let _ = self
            .wake
            .unbounded_send(Wake::Frame(ClientFrame::Read { chat, seq }));
    }

    /// Tells the chat's members that the user is typing (the composer sends
    /// it at most every few seconds).
    pub fn typing(&self, chat: ChatId) {
        let _ = self
            .wake
            .unbounded_send(Wake::Frame(ClientFrame::Typing { chat }));
    }

    /// Asks the server for the page of `chat`'s history just before
    /// `before` (what is held starts there); it is stored when it comes.
    pub fn older(&self, chat: ChatId, before: Seq) {
        let _ = self
            .wake
            .unbounded_send(Wake::Frame(ClientFrame::History { chat, before }));
    }

    /// Asks for the view counts of channel posts; they come as `Event::Views`.
    pub fn ask_views(&self, chat: ChatId, seqs: Vec<Seq>) {
        let _ = self
            .wake
            .unbounded_send(Wake::Frame(ClientFrame::Views { chat, seqs }));
    }
}

impl OutboxEntry {
    /// A new pending message with a fresh client id.
    fn new(chat: ChatId, content: Option<Content>) -> OutboxEntry {
        OutboxEntry {
            id: new_client_id(),
            chat,
            content,
            created: now_ms() as i64,
            state: OutState::Pending,
            reply_to: None,
            act: None,
            forward: None,
        }
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

thread_local! {
    static LAST_ID_MS: Cell<u64> = const { Cell::new(0) };
    static DEVICE: String = new_client_id().0;
}

/// This tab's name for itself, sent with what it saves (drafts) so it can
/// tell its own echoes from other devices' changes.
pub fn this_device() -> String {
    DEVICE.with(String::clone)
}

/// A client id whose string order is creation order: 13 hex digits of a
/// strictly increasing millisecond clock, then randomness.
pub fn new_client_id() -> ClientMsgId {
    let ms = LAST_ID_MS.with(|last| {
        let ms = (now_ms() as u64).max(last.get() + 1);
        last.set(ms);
        ms
    });
    let rand = || (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    ClientMsgId(format!("{ms:013x}-{:08x}{:08x}", rand(), rand()))
}

const PING_EVERY_MS: f64 = 20_000.0;
const DEAD_AFTER_MS: f64 = 45_000.0;
const TICK_MS: u32 = 2_000;
const BACKOFF_MIN_MS: f64 = 250.0;
const BACKOFF_MAX_MS: f64 = 5_000.0;
/// How long a send refused by a fault of the server waits to go again.
const RETRY_AFTER_FAULT_MS: f64 = 2_000.0;

fn ws_url() -> Option<String> {
    let loc = web_sys::window()?.location();
    let scheme = if loc.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let host = loc.host().ok()?;
    Some(match account::acting() {
        Some(id) => format!("{scheme}://{host}/ws?account={}", id.0),
        None => format!("{scheme}://{host}/ws"),
    })
}

/// How a connection ended.
enum End {
    /// Connection lost or never made: try again.
    Retry { welcomed: bool },
    /// The server no longer speaks this app's protocol version.
    Outdated,
    /// The UI dropped the session, or the user is signed out.
    Stop,
}

async fn run(store: Store, notify: Observer, mut wake: mpsc::UnboundedReceiver<Wake>) {
    notify(Event::Status(Status::Connecting));
    let mut failures = 0u32;
    loop {
        match connect(&store, &notify, &mut wake).await {
            End::Stop => return,
            End::Retry { welcomed } => {
                failures = if welcomed { 0 } else { failures + 1 };
                notify(Event::Status(Status::Offline));
            }
            End::Outdated => {
                // The outbox stays in IndexedDB for the new app to send.
                update_app().await;
                failures += 1;
                notify(Event::Status(Status::Offline));
            }
        }
        let cap = (BACKOFF_MIN_MS * 2f64.powi(failures.min(10) as i32)).min(BACKOFF_MAX_MS);
        let delay = cap * (0.5 + js_sys::Math::random() / 2.0);
        // Wait, but notice the UI going away meanwhile; messages written
        // now are in the outbox and go after the next Welcome.
        let mut sleep = TimeoutFuture::new(delay as u32).fuse();
        loop {
            futures::select! {
                _ = sleep => break,
                msg = wake.next() => if msg.is_none() { return },
            }
        }
    }
}

/// When the app last reloaded to update itself, in sessionStorage.
const UPDATED_AT_KEY: &str = "courier-updated-at";
/// A server that refuses even a fresh app does not get a reload loop.
const UPDATE_AGAIN_AFTER_MS: f64 = 600_000.0;

/// Fetches the newest app (the service worker checks for a new version and,
/// being network-first, the reload gets the new page) and reloads into it,
/// unless this tab already did so lately.
async fn update_app() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let session = window.session_storage().ok().flatten();
    let last = session
        .as_ref()
        .and_then(|s| s.get_item(UPDATED_AT_KEY).ok().flatten())
        .and_then(|at| at.parse::<f64>().ok());
    if last.is_some_and(|at| now_ms() - at < UPDATE_AGAIN_AFTER_MS) {
        return;
    }
    if let Some(s) = &session {
        let _ = s.set_item(UPDATED_AT_KEY, &now_ms().to_string());
    }
    let navigator = window.navigator();
    // Absent on insecure origins: the reload alone brings the new app.
    if js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        let workers = navigator.service_worker();
        if let Ok(registration) = JsFuture::from(workers.get_registration()).await
            && let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>()
            && let Ok(update) = registration.update()
        {
            let _ = JsFuture::from(update).await;
        }
    }
    let _ = window.location().reload();
}

async fn connect(
    store: &Store,
    notify: &Observer,
    wake: &mut mpsc::UnboundedReceiver<Wake>,
) -> End {
    // Ask over HTTP first: a WebSocket cannot tell "signed out" from "server down".
    match ask(&accounts::ME).await {
        Ok(Me { me }) if me.id == store.me() => notify(Event::Me(me)),
        Ok(_) | Err(ApiFail::Code(ErrorCode::Unauthorized)) => {
            notify(Event::SignedOut);
            return End::Stop;
        }
        Err(_) => return End::Retry { welcomed: false },
    }
    let Ok(cursors) = store.cursors().await else {
        return End::Retry { welcomed: false };
    };
    let Some(Ok(ws)) = ws_url().map(|url| WebSocket::open(&url)) else {
        return End::Retry { welcomed: false };
    };
    let (mut tx, mut rx) = ws.split();
    // At most MAX_CURSORS: the chats held furthest; the others resume as
    // on a new device, and their gap is filled by `Sync`.
    let mut cursors: Vec<Cursor> = cursors
        .iter()
        .filter(|(_, c)| c.held.0 > 0)
        .map(|(chat, c)| Cursor {
            chat: *chat,
            seq: c.held,
        })
        .collect();
    cursors.sort_by_key(|c| std::cmp::Reverse(c.seq));
    cursors.truncate(MAX_CURSORS);
    let hello = ClientFrame::Hello {
        version: PROTOCOL_VERSION,
        cursors,
        recent: Some(HISTORY_PAGE as u32),
    };
    if tx.send(WsMessage::Text(hello.encode())).await.is_err() {
        return End::Retry { welcomed: false };
    }
    let mut conn = Conn {
        store,
        notify,
        welcomed: false,
        me: None,
        received: HashMap::new(),
        private: HashSet::new(),
        aliases: HashMap::new(),
        sent: HashSet::new(),
        synced: HashSet::new(),
        asked: HashSet::new(),
        out: Vec::new(),
        retry_at: None,
    };
    let (mut last_heard, mut last_ping) = (now_ms(), now_ms());
    loop {
        futures::select! {
            incoming = rx.next().fuse() => match incoming {
                Some(Ok(WsMessage::Text(text))) => {
                    last_heard = now_ms();
                    // Unknown or malformed frames from a newer server are skipped.
                    match ServerFrame::decode(&text) {
                        Ok(ServerFrame::Error { code: ErrorCode::UnsupportedVersion, .. }) => {
                            return End::Outdated;
                        }
                        Ok(frame) => conn.handle(frame).await,
                        Err(_) => {}
                    }
                }
                Some(Ok(WsMessage::Bytes(_))) => last_heard = now_ms(),
                Some(Err(_)) | None => return End::Retry { welcomed: conn.welcomed },
            },
            wanted = wake.next() => match wanted {
                Some(Wake::Outbox(entry)) if conn.welcomed => conn.queue(entry),
                Some(Wake::Frame(ClientFrame::History { chat, before })) if conn.welcomed => {
                    conn.older(chat, before)
                }
                Some(Wake::Frame(frame)) if conn.welcomed => conn.out.push(frame),
                // Before Welcome: the outbox drain after it picks entries up.
                Some(_) => {}
                None => return End::Stop,
            },
            _ = TimeoutFuture::new(TICK_MS).fuse() => {
                if now_ms() - last_heard > DEAD_AFTER_MS {
                    return End::Retry { welcomed: conn.welcomed };
                }
                if conn.retry_at.is_some_and(|at| now_ms() >= at) {
                    conn.retry_at = None;
                    for entry in store.outbox().await.unwrap_or_default() {
                        conn.queue(entry);
                    }
                }
                if now_ms() - last_ping > PING_EVERY_MS {
                    last_ping = now_ms();
                    conn.out.push(ClientFrame::Ping);
                }
            },
        }
        for frame in conn.out.drain(..) {
            if tx.send(WsMessage::Text(frame.encode())).await.is_err() {
                return End::Retry {
                    welcomed: conn.welcomed,
                };
            }
        }
    }
}

/// The state of one connection.
struct Conn<'a> {
    store: &'a Store,
    notify: &'a Observer,
    welcomed: bool,
    me: Option<UserId>,
    /// How far each chat's delivery was told on this connection.
    received: HashMap<ChatId, Seq>,
    /// Chats whose members do not see each other's deliveries (channels,
    /// big groups): no `received` for them.
    private: HashSet<ChatId>,
    /// The user's alias in each channel (see `ChatSummary::alias`).
    aliases: HashMap<ChatId, UserId>,
    /// Outbox ids sent on this connection, so none goes twice.
    sent: HashSet<ClientMsgId>,
    /// `Sync` requests made on this connection, so a burst asks once.
    synced: HashSet<(ChatId, i64)>,
    /// `History` requests made on this connection: each page once.
    asked: HashSet<(ChatId, Seq)>,
    /// Frames to write once the current one is handled.
    out: Vec<ClientFrame>,
    /// When to send again what the server refused for now (`slow_down`,
    /// or a fault of its own), without waiting for a reconnect.
    retry_at: Option<f64>,
}

impl Conn<'_> {
    fn queue(&mut self, entry: OutboxEntry) {
        // While the server has us wait, nothing newer jumps ahead of what
        // it refused: the retry sends them all, in order.
        if self.retry_at.is_some() {
            return;
        }
        if entry.state == OutState::Pending && self.sent.insert(entry.id.clone()) {
            self.out
                .push(match (entry.act, entry.forward, entry.content) {
                    (Some(act), _, _) => ClientFrame::Act {
                        chat: entry.chat,
                        id: entry.id,
                        act,
                    },
                    (None, Some((from, seq)), _) => ClientFrame::Forward {
                        chat: entry.chat,
                        id: entry.id,
                        from,
                        seq,
                    },
                    (None, None, Some(content)) => ClientFrame::Send {
                        chat: entry.chat,
                        id: entry.id,
                        content,
                        reply_to: entry.reply_to,
                    },
                    // Nothing to post: no entry is made so.
                    (None, None, None) => return,
                });
        }
    }

    fn sync(&mut self, chat: ChatId, after: courier_protocol::Seq) {
        if self.synced.insert((chat, after.0)) {
            self.out.push(ClientFrame::Sync { chat, after });
        }
    }

    fn older(&mut self, chat: ChatId, before: Seq) {
        if self.asked.insert((chat, before)) {
            self.out.push(ClientFrame::History { chat, before });
        }
    }

    async fn handle(&mut self, frame: ServerFrame) {
        match frame {
            ServerFrame::Welcome {
                me,
                chats,
                folders,
                more,
                ..
            } => {
                self.me = Some(me.id);
                (self.notify)(Event::Me(me.clone()));
                let mut chats = chats;
                chats.iter_mut().for_each(|c| self.note_chat(c));
                // A failed write shows up as missing data, which the next resume refills.
                let _ = self.store.save_me(&me).await;
                let _ = self.store.put_chats(&chats).await;
                // Chats left or lost while offline go (`Left` came to nobody).
                let mut listed: HashSet<ChatId> = chats.iter().map(|c| c.id).collect();
                listed.extend(more);
                for held in self.store.chats().await.unwrap_or_default() {
                    if !listed.contains(&held.id) {
                        let _ = self.store.forget_chat(held.id).await;
                    }
                }
                let _ = self.store.save_folders(&folders).await;
                self.welcomed = true;
                (self.notify)(Event::Status(Status::Online));
                (self.notify)(Event::Changed);
                for entry in self.store.outbox().await.unwrap_or_default() {
                    self.queue(entry);
                }
            }
            ServerFrame::Events { chat, messages } => self.apply(chat, &messages).await,
            ServerFrame::History {
                chat,
                before,
                messages,
            } => {
                let messages = self.as_mine(chat, messages);
                if let Ok(true) = self.store.apply_history(chat, before, &messages).await {
                    (self.notify)(Event::Changed);
                }
            }
            ServerFrame::Sent { message } => {
                self.apply(message.chat, std::slice::from_ref(&message))
                    .await
            }
            ServerFrame::Chat { mut chat } => {
                self.note_chat(&mut chat);
                let _ = self.store.put_chats(std::slice::from_ref(&chat)).await;
                (self.notify)(Event::Changed);
                // Joining a chat with history: fetch what we lack, or its
                // newest page if we hold none of it.
                let held = self.store.cursors().await.unwrap_or_default();
                let held = held
                    .iter()
                    .find(|(id, _)| *id == chat.id)
                    .map(|(_, c)| c.held)
                    .unwrap_or_default();
                if held == Seq::ZERO && chat.last_seq > held {
                    self.older(chat.id, chat.last_seq.next());
                } else if chat.last_seq > held {
                    self.sync(chat.id, held);
                }
            }
            ServerFrame::Error {
                code, id: Some(id), ..
            } if code.retry() == Retry::Never => {
                let _ = self.store.fail_outbox(&id, code).await;
                (self.notify)(Event::Changed);
            }
            ServerFrame::Error {
                id: Some(id),
                retry_after_ms,
                ..
            } => {
                // Refused for now: it goes again once the wait is over.
                self.sent.remove(&id);
                let at = now_ms() + retry_after_ms.map_or(RETRY_AFTER_FAULT_MS, |ms| ms as f64);
                self.retry_at = Some(self.retry_at.map_or(at, |other| other.max(at)));
            }
            ServerFrame::Left { chat } => {
                let _ = self.store.forget_chat(chat).await;
                (self.notify)(Event::Changed);
            }
            ServerFrame::Settings { chat, settings } => {
                let _ = self.store.apply_settings(chat, &settings).await;
                (self.notify)(Event::Changed);
            }
            ServerFrame::Folders { folders } => {
                let _ = self.store.save_folders(&folders).await;
                (self.notify)(Event::Changed);
            }
            ServerFrame::Views { chat, counts } => (self.notify)(Event::Views(chat, counts)),
            ServerFrame::Draft { chat, text, device } => {
                let _ = self.store.set_draft(chat, &text).await;
                // This tab's own save needs no taking back into its composer.
                (self.notify)(if device == this_device() {
                    Event::Changed
                } else {
                    Event::Draft(chat, text)
                });
            }
            ServerFrame::Read { chat, user, seq } => {
                if Some(user) == self.me
                    && matches!(self.store.read_elsewhere(chat, seq).await, Ok(true))
                {
                    (self.notify)(Event::Changed);
                }
                (self.notify)(Event::Read(chat, user, seq))
            }
            ServerFrame::Delivered { chat, user, seq } => {
                (self.notify)(Event::Delivered(chat, user, seq))
            }
            ServerFrame::Typing { chat, user, name } => {
                (self.notify)(Event::Typing(chat, user, name))
            }
            ServerFrame::Error { .. } | ServerFrame::Pong => {}
        }
    }

    async fn apply(&mut self, chat: ChatId, messages: &[courier_protocol::Message]) {
        // Copied only in a channel, where the user's own events come aliased.
        let mine;
        let messages = if self.aliases.contains_key(&chat) {
            mine = self.as_mine(chat, messages.to_vec());
            &mine[..]
        } else {
            messages
        };
        let Ok(applied) = self.store.apply_events(chat, messages).await else {
            return;
        };
        if applied.changed {
            (self.notify)(Event::Changed);
            (self.notify)(Event::Arrived(chat, messages.to_vec()));
        }
        match applied.gap_after {
            Some(after) => self.sync(chat, after),
            None => self.received(chat, messages),
        }
    }

    /// Notes what this connection must know of a chat (whether reads are
    /// private, the user's alias there), and shows its preview as the
    /// user's own where it is.
    fn note_chat(&mut self, chat: &mut ChatSummary) {
        if policy::shares_reads(chat.kind, chat.member_count) {
            self.private.remove(&chat.id);
        } else {
            self.private.insert(chat.id);
        }
        match chat.alias {
            Some(alias) => self.aliases.insert(chat.id, alias),
            None => self.aliases.remove(&chat.id),
        };
        if let Some(last) = chat.last.take() {
            chat.last = self.as_mine(chat.id, vec![last]).pop();
        }
    }

    /// A channel shows the user's own events under their alias: the app
    /// stores them as the user's, so that they read as their own (their
    /// reactions pressed, their posts editable).
    fn as_mine(
        &self,
        chat: ChatId,
        mut messages: Vec<courier_protocol::Message>,
    ) -> Vec<courier_protocol::Message> {
        if let (Some(alias), Some(me)) = (self.aliases.get(&chat), self.me) {
            for m in messages.iter_mut().filter(|m| m.sender == *alias) {
                m.sender = me;
            }
        }
        messages
    }

    /// Others' messages are stored with no gap before them: their senders
    /// may show "delivered".
    fn received(&mut self, chat: ChatId, messages: &[courier_protocol::Message]) {
        if self.private.contains(&chat) {
            return;
        }
        let Some(seq) = messages
            .iter()
            .filter(|m| Some(m.sender) != self.me)
            .map(|m| m.seq)
            .max()
        else {
            return;
        };
        let told = self.received.entry(chat).or_default();
        if seq > *told {
            *told = seq;
            self.out.push(ClientFrame::Received { chat, seq });
        }
    }
}
