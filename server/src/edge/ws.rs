//! One WebSocket connection: a reader that handles the client's frames in
//! order and a writer that drains two bounded queues to the socket.
//!
//! - `replies` carries this connection's own answers (Welcome, backlog,
//!   acks, errors); the reader waits for room in it, so a slow client slows
//!   only its own requests.
//! - `live` carries fan-out from the hub, which never waits: when it is
//!   full the hub drops the connection and the client resumes by cursor.
//!
//! The connection joins the hub before it reads the backlog, so nothing
//! committed in between is missed; what arrives twice the client drops by
//! (chat, seq).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes, WebSocket, close_code};
use courier_protocol::budget;
use courier_protocol::limits::MAX_EVENTS_PER_FRAME;
use courier_protocol::{
    ChatId, ChatSummary, ClientFrame, Cursor, ErrorCode, Message, PROTOCOL_VERSION, Seq,
    ServerFrame, UserId, UserInfo,
};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{Notify, mpsc};
use tokio::time::{interval, timeout};
use tokio_util::sync::CancellationToken;

use crate::features::Features;
use crate::features::messaging::Messaging;
use crate::kernel::delivery::hub::Follower;
use crate::kernel::throttle::{Bucket, Buckets, Rate};

/// How long a new socket may take to say `Hello`.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// The server pings this often; browsers answer with a pong.
const PING_EVERY: Duration = Duration::from_secs(20);
/// A connection silent for this long (no frame, no pong) is dead.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Frames waiting for a slow client before the hub gives up on it.
const LIVE_QUEUE: usize = 256;
const REPLY_QUEUE: usize = 32;
/// Most frames written before one flush.
const WRITE_BATCH: usize = 64;
/// Longest a single write may wait for the client to read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The shortest gap between two typing notices a connection passes on.
const TYPING_EVERY: Duration = Duration::from_secs(1);
/// Time the writer gets to flush what is queued when the connection ends.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);
/// Cheap frames (read marks, typing, pings) one connection may send.
const CHEAP_FRAMES: Rate = Rate {
    burst: 200.0,
    per_second: 50.0,
};
/// Pages of events (sync, history, views, resume) one user may be sent:
/// beyond it the pages still come, but paced.
const PAGES: Rate = Rate {
    burst: 500.0,
    per_second: 100.0,
};

/// Users whose writes wait at once, past which the ones done waiting go.
const COOLING_MAX: usize = 10_000;

/// What one user may ask of the sockets of this node, whichever socket
/// asks: writes (send, act, forward) beyond the rate are refused with
/// `slow_down`, reads are paced.
pub struct Limits {
    writes: Buckets<UserId>,
    pages: Buckets<UserId>,
    /// Until when each user's writes are refused: once one is, the ones
    /// after it are too until the wait is over, so that what the client
    /// sends again goes in its order.
    cooling: Mutex<HashMap<UserId, Instant>>,
}

impl Limits {
    /// `sends_per_second` per user, in bursts of up to three seconds' worth.
    pub fn new(sends_per_second: u32) -> Limits {
        let per_second = f64::from(sends_per_second.max(1));
        Limits {
            writes: Buckets::new(Rate {
                burst: per_second * 3.0,
                per_second,
            }),
            pages: Buckets::new(PAGES),
            cooling: Mutex::default(),
        }
    }

    /// Takes one write of `user`'s allowance, or says how long to wait.
    fn write(&self, user: UserId) -> Result<(), Duration> {
        let now = Instant::now();
        let mut cooling = self.cooling.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(&until) = cooling.get(&user) {
            if until > now {
                return Err(until - now);
            }
            cooling.remove(&user);
        }
        self.writes.take(&user, 1.0).inspect_err(|wait| {
            if cooling.len() >= COOLING_MAX {
                cooling.retain(|_, until| *until > now);
            }
            cooling.insert(user, now + *wait);
        })
    }
}

/// Serves one socket of `me`, opened with the session whose token hash is
/// `session` (signing that session out closes the socket).
pub async fn serve(
    mut socket: WebSocket,
    me: UserInfo,
    session: Vec<u8>,
    features: Arc<Features>,
    limits: Arc<Limits>,
    shutdown: CancellationToken,
) {
    let (cursors, recent) = match timeout(HELLO_TIMEOUT, socket.recv()).await {
        Ok(Some(Ok(WsMessage::Text(text)))) => match ClientFrame::parse(&text) {
            Ok(ClientFrame::Hello {
                version: PROTOCOL_VERSION,
                cursors,
                recent,
            }) => (cursors, recent),
            Ok(ClientFrame::Hello { .. }) => {
                return refuse(socket, ErrorCode::UnsupportedVersion).await;
            }
            Ok(_) => return refuse(socket, ErrorCode::HelloRequired).await,
            Err(code) => return refuse(socket, code).await,
        },
        _ => return,
    };
    let (sink, stream) = socket.split();
    let (reply_tx, reply_rx) = mpsc::channel(REPLY_QUEUE);
    let (live_tx, live_rx) = mpsc::channel(LIVE_QUEUE);
    let kick = Arc::new(Notify::new());
    let device = session.clone();
    // Join the hub before reading the chat list: a chat created or joined
    // from now on reaches this connection through `follow`, and one created
    // before is in the list.
    let registration = features.kernel.delivery.hub().register(
        me.id,
        session,
        Follower {
            queue: live_tx,
            kick: Arc::clone(&kick),
        },
    );
    features.presence.came_online(me.id).await;
    features.accounts.seen(&device).await;
    // A list without the user's folders would be saved back over them.
    let (chats, folders) = match (
        features.chats.chats_of(&me).await,
        features.prefs.folders(&me).await,
    ) {
        (Ok(chats), Ok(folders)) => (chats, folders),
        (Err(code), _) | (_, Err(code)) => {
            let _ = reply_tx.try_send(Utf8Bytes::from(ServerFrame::error(code).encode()));
            drop(reply_tx);
            drop(registration);
            features.presence.went_offline(me.id).await;
            return write_loop(sink, reply_rx, live_rx).await;
        }
    };
    let listed: Vec<ChatId> = chats.iter().map(|c| c.id).collect();
    features
        .kernel
        .delivery
        .hub()
        .follow_listed(&registration, &listed);
    let newest: Vec<(ChatId, Seq)> = chats.iter().map(|c| (c.id, c.last_seq)).collect();
    // Welcome takes as many chats as fit one frame; the rest follow as
    // `Chat` frames, before any event.
    let mut chats = chats;
    chats.iter_mut().for_each(budget::shorten_preview);
    let mut runs = budget::by_bytes(chats, budget::summary_bytes).into_iter();
    let first = runs.next().unwrap_or_default();
    let rest: Vec<ChatSummary> = runs.flatten().collect();
    let welcome = ServerFrame::Welcome {
        version: PROTOCOL_VERSION,
        me: me.clone(),
        chats: first,
        folders,
        more: rest.iter().map(|c| c.id).collect(),
    };
    // Queued before the writer starts, so it is the first frame out.
    let _ = reply_tx.try_send(Utf8Bytes::from(welcome.encode()));
    let mut writer = tokio::spawn(write_loop(sink, reply_rx, live_rx));
    for chat in rest {
        if reply_tx
            .send(Utf8Bytes::from(ServerFrame::Chat { chat }.encode()))
            .await
            .is_err()
        {
            break;
        }
    }

    let conn = Connection {
        me,
        features,
        limits,
        replies: reply_tx,
        typed: Mutex::new(None),
        cheap: Mutex::new(Bucket::full(CHEAP_FRAMES, Instant::now())),
    };
    let reader = async {
        conn.resume(&newest, &cursors, recent).await;
        conn.read_loop(stream, &kick, &shutdown).await;
    };
    let writer_done = tokio::select! {
        _ = reader => false,
        _ = &mut writer => true,
    };
    // Leaving the hub and dropping the reply queue ends the writer once it
    // has flushed what is queued.
    drop(registration);
    conn.features.presence.went_offline(conn.me.id).await;
    conn.features.accounts.seen(&device).await;
    drop(conn);
    if !writer_done && timeout(FLUSH_TIMEOUT, &mut writer).await.is_err() {
        writer.abort();
    }
}

/// Answers a bad opening with an error frame and closes.
async fn refuse(mut socket: WebSocket, code: ErrorCode) {
    let error = WsMessage::Text(ServerFrame::error(code).encode().into());
    let close = WsMessage::Close(Some(CloseFrame {
        code: close_code::POLICY,
        reason: Utf8Bytes::from_static(""),
    }));
    let _ = timeout(WRITE_TIMEOUT, async {
        socket.send(error).await?;
        socket.send(close).await
    })
    .await;
}

async fn write_loop(
    mut sink: SplitSink<WebSocket, WsMessage>,
    mut replies: mpsc::Receiver<Utf8Bytes>,
    mut live: mpsc::Receiver<Utf8Bytes>,
) {
    let mut ping = interval(PING_EVERY);
    ping.tick().await;
    loop {
        let message = tokio::select! {
            // The reply queue closes when the reader is done, after what it
            // queued has been drained: then the connection is over. Live
            // frames still queued are not lost: the client resumes them.
            biased;
            frame = replies.recv() => match frame {
                Some(frame) => WsMessage::Text(frame),
                None => break,
            },
            Some(frame) = live.recv() => WsMessage::Text(frame),
            _ = ping.tick() => WsMessage::Ping(Default::default()),
        };
        // A client that stops reading must not pin this task (and its
        // connection permit) forever.
        let written = timeout(
            WRITE_TIMEOUT,
            write_batch(&mut sink, message, &mut replies, &mut live),
        )
        .await;
        if !matches!(written, Ok(Ok(()))) {
            return;
        }
    }
    let _ = timeout(WRITE_TIMEOUT, sink.send(WsMessage::Close(None))).await;
}

/// Writes `first` and whatever else is already queued, then flushes once:
/// under load one system call carries many frames, and when idle a frame
/// still leaves at once.
async fn write_batch(
    sink: &mut SplitSink<WebSocket, WsMessage>,
    first: WsMessage,
    replies: &mut mpsc::Receiver<Utf8Bytes>,
    live: &mut mpsc::Receiver<Utf8Bytes>,
) -> Result<(), axum::Error> {
    sink.feed(first).await?;
    for _ in 1..WRITE_BATCH {
        let Ok(frame) = replies.try_recv().or_else(|_| live.try_recv()) else {
            break;
        };
        sink.feed(WsMessage::Text(frame)).await?;
    }
    sink.flush().await
}

struct Connection {
    me: UserInfo,
    features: Arc<Features>,
    limits: Arc<Limits>,
    replies: mpsc::Sender<Utf8Bytes>,
    /// When this connection last passed on a typing notice.
    typed: Mutex<Option<Instant>>,
    /// This connection's allowance of cheap frames.
    cheap: Mutex<Bucket>,
}

impl Connection {
    /// Refuses a frame that writes (send, act, forward) when the user is
    /// over their rate: `slow_down` names the message and the wait, and
    /// the client sends it again after it.
    async fn may_write(
        &self,
        id: &courier_protocol::ClientMsgId,
        chat: ChatId,
    ) -> Result<(), bool> {
        match self.limits.write(self.me.id) {
            Ok(()) => Ok(()),
            Err(wait) => Err(self
                .reply(&ServerFrame::Error {
                    code: ErrorCode::SlowDown,
                    id: Some(id.clone()),
                    chat: Some(chat),
                    retry_after_ms: Some(wait.as_millis() as u64 + 1),
                })
                .await),
        }
    }

    /// Runs a write in a task of its own: if this connection dies while it
    /// is in flight (its writer fails and the reader is dropped), the write
    /// still commits and fans out, since others are owed what committed.
    async fn to_the_end<F, Fut>(&self, write: F) -> Result<Message, ErrorCode>
    where
        F: FnOnce(Messaging, UserInfo) -> Fut,
        Fut: Future<Output = Result<Message, ErrorCode>> + Send + 'static,
    {
        let task = tokio::spawn(write(self.features.messaging.clone(), self.me.clone()));
        task.await.unwrap_or(Err(ErrorCode::Internal))
    }

    /// Waits until the user may be sent another page of events.
    async fn pace_page(&self) {
        if let Err(wait) = self.limits.pages.take(&self.me.id, 1.0) {
            tokio::time::sleep(wait).await;
        }
    }

    /// Waits until a cheap frame may pass: over the allowance, this
    /// connection is read more slowly, and no read mark is lost.
    async fn pace_cheap(&self) {
        let taken = {
            let mut cheap = self.cheap.lock().unwrap_or_else(|p| p.into_inner());
            cheap.take(CHEAP_FRAMES, 1.0, Instant::now())
        };
        if let Err(wait) = taken {
            tokio::time::sleep(wait).await;
        }
    }

    /// At most one typing notice a second per connection goes on to the
    /// chat, whatever the client sends.
    fn typing_allowed(&self) -> bool {
        let mut typed = self.typed.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if typed.is_some_and(|t| now.duration_since(t) < TYPING_EVERY) {
            return false;
        }
        *typed = Some(now);
        true
    }

    /// Queues a frame for this client; false once the writer is gone.
    async fn reply(&self, frame: &ServerFrame) -> bool {
        self.replies
            .send(Utf8Bytes::from(frame.encode()))
            .await
            .is_ok()
    }

    async fn error(
        &self,
        code: ErrorCode,
        id: Option<courier_protocol::ClientMsgId>,
        chat: Option<ChatId>,
    ) -> bool {
        self.reply(&ServerFrame::Error {
            code,
            id,
            chat,
            retry_after_ms: None,
        })
        .await
    }

    /// Sends every chat's events after the client's cursor. A chat the
    /// client holds nothing of gets its `recent` newest events (all of them
    /// if the client did not say).
    async fn resume(&self, chats: &[(ChatId, Seq)], cursors: &[Cursor], recent: Option<u32>) {
        let held: HashMap<ChatId, Seq> = cursors.iter().map(|c| (c.chat, c.seq)).collect();
        for &(chat, newest) in chats {
            let after = match held.get(&chat) {
                Some(&seq) if seq > Seq::ZERO => seq,
                _ => Seq(recent.map_or(0, |recent| (newest.0 - i64::from(recent)).max(0))),
            };
            // Up to date: no query at all (a reconnect of someone in many
            // quiet chats costs nothing per chat).
            if after >= newest {
                continue;
            }
            if !self.send_events(chat, after).await {
                return;
            }
        }
    }

    /// Pages the events of `chat` after `after` to the client.
    async fn send_events(&self, chat: ChatId, mut after: Seq) -> bool {
        loop {
            self.pace_page().await;
            let messages = match self
                .features
                .messaging
                .events_after(&self.me, chat, after, MAX_EVENTS_PER_FRAME)
                .await
            {
                Ok(messages) => messages,
                Err(code) => return self.error(code, None, Some(chat)).await,
            };
            let Some(last) = messages.last() else {
                return true;
            };
            after = last.seq;
            let full = messages.len() == MAX_EVENTS_PER_FRAME;
            for messages in budget::by_bytes(messages, budget::message_bytes) {
                if !self.reply(&ServerFrame::Events { chat, messages }).await {
                    return false;
                }
            }
            if !full {
                return true;
            }
        }
    }

    async fn read_loop(
        &self,
        mut stream: SplitStream<WebSocket>,
        kick: &Notify,
        shutdown: &CancellationToken,
    ) {
        loop {
            let next = tokio::select! {
                next = timeout(IDLE_TIMEOUT, stream.next()) => next,
                _ = kick.notified() => return,
                _ = shutdown.cancelled() => return,
            };
            let keep_going = match next {
                Ok(Some(Ok(WsMessage::Text(text)))) => self.handle(&text).await,
                Ok(Some(Ok(WsMessage::Binary(_)))) => {
                    self.error(ErrorCode::BadFrame, None, None).await
                }
                Ok(Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_)))) => true,
                // Closed, broken (including a frame over the socket's hard
                // size cap) or silent for too long.
                _ => false,
            };
            if !keep_going {
                return;
            }
        }
    }

    /// Handles one client frame; false once the connection should end.
    async fn handle(&self, text: &str) -> bool {
        let frame = match ClientFrame::parse(text) {
            Ok(frame) => frame,
            Err(code) => {
                // Name the message a rejected Send was about, so the client
                // can mark that one failed.
                let (id, chat) = send_ids(text);
                return self.error(code, id, chat).await;
            }
        };
        let allowed = match &frame {
            ClientFrame::Send { chat, id, .. }
            | ClientFrame::Act { chat, id, .. }
            | ClientFrame::Forward { chat, id, .. } => self.may_write(id, *chat).await,
            ClientFrame::History { .. } | ClientFrame::Views { .. } => {
                self.pace_page().await;
                Ok(())
            }
            // Paced page by page.
            ClientFrame::Sync { .. } => Ok(()),
            ClientFrame::Read { .. }
            | ClientFrame::Received { .. }
            | ClientFrame::Typing { .. }
            | ClientFrame::Ping
            | ClientFrame::Hello { .. } => {
                self.pace_cheap().await;
                Ok(())
            }
        };
        if let Err(keep_going) = allowed {
            return keep_going;
        }
        match frame {
            ClientFrame::Send {
                chat,
                id,
                content,
                reply_to,
            } => {
                let written = self
                    .to_the_end(|messaging, me| {
                        let id = id.clone();
                        async move { messaging.send(&me, chat, &id, &content, reply_to).await }
                    })
                    .await;
                match written {
                    Ok(message) => self.reply(&ServerFrame::Sent { message }).await,
                    Err(code) => self.error(code, Some(id), Some(chat)).await,
                }
            }
            ClientFrame::Act { chat, id, act } => {
                let written = self
                    .to_the_end(|messaging, me| {
                        let id = id.clone();
                        async move { messaging.act(&me, chat, &id, &act).await }
                    })
                    .await;
                match written {
                    Ok(message) => self.reply(&ServerFrame::Sent { message }).await,
                    Err(code) => self.error(code, Some(id), Some(chat)).await,
                }
            }
            ClientFrame::Sync { chat, after } => self.send_events(chat, after).await,
            ClientFrame::History { chat, before } => {
                match self
                    .features
                    .messaging
                    .events_before(&self.me, chat, before)
                    .await
                {
                    Ok(messages) => {
                        // The newest that fit one frame: the client asks
                        // again from the oldest of them.
                        let messages = budget::by_bytes(messages, budget::message_bytes)
                            .pop()
                            .unwrap_or_default();
                        let page = ServerFrame::History {
                            chat,
                            before,
                            messages,
                        };
                        self.reply(&page).await
                    }
                    Err(code) => self.error(code, None, Some(chat)).await,
                }
            }
            ClientFrame::Read { chat, seq } => {
                match self.features.messaging.mark_read(&self.me, chat, seq).await {
                    Ok(()) => true,
                    Err(code) => self.error(code, None, Some(chat)).await,
                }
            }
            ClientFrame::Received { chat, seq } => {
                match self
                    .features
                    .messaging
                    .mark_delivered(&self.me, chat, seq)
                    .await
                {
                    Ok(()) => true,
                    Err(code) => self.error(code, None, Some(chat)).await,
                }
            }
            ClientFrame::Views { chat, seqs } => {
                match self.features.messaging.views(&self.me, chat, &seqs).await {
                    Ok(counts) => self.reply(&ServerFrame::Views { chat, counts }).await,
                    Err(code) => self.error(code, None, Some(chat)).await,
                }
            }
            ClientFrame::Forward {
                chat,
                id,
                from,
                seq,
            } => {
                let written = self
                    .to_the_end(|messaging, me| {
                        let id = id.clone();
                        async move { messaging.forward(&me, chat, &id, from, seq).await }
                    })
                    .await;
                match written {
                    Ok(message) => self.reply(&ServerFrame::Sent { message }).await,
                    Err(code) => self.error(code, Some(id), Some(chat)).await,
                }
            }
            ClientFrame::Typing { chat } => {
                if !self.typing_allowed() {
                    return true;
                }
                match self.features.messaging.typing(&self.me, chat).await {
                    Ok(()) => true,
                    Err(code) => self.error(code, None, Some(chat)).await,
                }
            }
            ClientFrame::Ping => self.reply(&ServerFrame::Pong).await,
            ClientFrame::Hello { .. } => self.error(ErrorCode::HelloRequired, None, None).await,
        }
    }
}

/// The `id` and `chat` of a Send that failed validation, if they can be read.
fn send_ids(text: &str) -> (Option<courier_protocol::ClientMsgId>, Option<ChatId>) {
    #[derive(serde::Deserialize)]
    struct Ids {
        id: Option<courier_protocol::ClientMsgId>,
        chat: Option<ChatId>,
    }
    #[derive(serde::Deserialize)]
    struct Envelope {
        c: Ids,
    }
    match serde_json::from_str::<Envelope>(text) {
        Ok(Envelope { c }) => (c.id.filter(|id| id.validate().is_ok()), c.chat),
        Err(_) => (None, None),
    }
}
