//! One connection after another: a connection's life from `Hello` to its
//! end, the frames it handles, and the backoff between connections.

use std::collections::{HashMap, HashSet};

use courier_protocol::error::Retry;
use courier_protocol::http::{Me, accounts};
use courier_protocol::limits::{HISTORY_PAGE, MAX_CURSORS};
use courier_protocol::policy;
use courier_protocol::{
    ChatId, ChatSummary, ClientFrame, ClientMsgId, Cursor, ErrorCode, PROTOCOL_VERSION, Seq,
    ServerFrame, UserId,
};
use futures::channel::mpsc;
use futures::{FutureExt, SinkExt, StreamExt};
use gloo_net::websocket::Message as WsMessage;
use gloo_net::websocket::futures::WebSocket;
use gloo_timers::future::TimeoutFuture;

use super::this_device;
use super::update::update_app;
use super::{CallNews, Event, Observer, Status, Wake, now_ms};
use crate::account;
use crate::api::{ApiFail, ask};
use crate::store::{OutState, OutboxEntry, Store};

const PING_EVERY_MS: f64 = 20_000.0;
const DEAD_AFTER_MS: f64 = 45_000.0;
const TICK_MS: u32 = 2_000;
const BACKOFF_MIN_MS: f64 = 250.0;
const BACKOFF_MAX_MS: f64 = 5_000.0;
/// How long a send refused by a fault of the server waits to go again.
const RETRY_AFTER_FAULT_MS: f64 = 2_000.0;
/// At most this many frames that came meanwhile are handled as one burst:
/// 25 full pages of events (5,000 messages), one transaction.
const BURST_FRAMES: usize = 25;

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

pub(super) async fn run(store: Store, notify: Observer, mut wake: mpsc::UnboundedReceiver<Wake>) {
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
                // The outbox stays in IndexedDB for the new app to send. A
                // page on its way out opens no new socket.
                if update_app().await {
                    return;
                }
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

async fn connect(
    store: &Store,
    notify: &Observer,
    wake: &mut mpsc::UnboundedReceiver<Wake>,
) -> End {
    // Ask over HTTP first: a WebSocket cannot tell "signed out" from
    // "server down" (and a browser reports each socket that found no
    // server as an error).
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
            incoming = rx.next().fuse() => {
                // What has come meanwhile is handled together: a burst of a
                // chat's events (a resume, a sync) is stored in one
                // transaction and shown once, not frame by frame.
                let mut burst = Vec::new();
                let mut next = Some(incoming);
                let mut closed = false;
                while let Some(incoming) = next.take() {
                    match incoming {
                        Some(Ok(WsMessage::Text(text))) => {
                            last_heard = now_ms();
                            // Unknown or malformed frames from a newer server are skipped.
                            match ServerFrame::decode(&text) {
                                Ok(ServerFrame::Error { code: ErrorCode::UnsupportedVersion, .. }) => {
                                    return End::Outdated;
                                }
                                Ok(frame) => burst.push(frame),
                                Err(_) => {}
                            }
                        }
                        Some(Ok(WsMessage::Bytes(_))) => last_heard = now_ms(),
                        Some(Err(_)) | None => closed = true,
                    }
                    if !closed && burst.len() < BURST_FRAMES {
                        next = rx.next().now_or_never();
                    }
                }
                for frame in join_events(burst) {
                    conn.handle(frame).await;
                }
                if closed {
                    return End::Retry { welcomed: conn.welcomed };
                }
            },
            wanted = wake.next() => match wanted {
                Some(Wake::Outbox(entry)) if conn.welcomed => conn.queue(entry),
                Some(Wake::Frame(ClientFrame::History { chat, before })) if conn.welcomed => {
                    conn.older(chat, before);
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

/// `frames` in order, with each run of one chat's `Events` joined into one.
fn join_events(frames: Vec<ServerFrame>) -> Vec<ServerFrame> {
    let mut joined: Vec<ServerFrame> = Vec::with_capacity(frames.len());
    for frame in frames {
        match (joined.last_mut(), frame) {
            (
                Some(ServerFrame::Events { chat, messages }),
                ServerFrame::Events {
                    chat: next,
                    messages: more,
                },
            ) if *chat == next => messages.extend(more),
            (_, frame) => joined.push(frame),
        }
    }
    joined
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
        if entry.state == OutState::Pending
            && self.sent.insert(entry.id.clone())
            && let Some(frame) = entry.frame()
        {
            self.out.push(frame);
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
                    .await;
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
                (self.notify)(Event::Read(chat, user, seq));
            }
            ServerFrame::Delivered { chat, user, seq } => {
                (self.notify)(Event::Delivered(chat, user, seq));
            }
            ServerFrame::Typing { chat, user, name } => {
                (self.notify)(Event::Typing(chat, user, name));
            }
            ServerFrame::Call {
                chat,
                call,
                by,
                step,
            } => (self.notify)(Event::Call(CallNews::Step {
                chat,
                call,
                by,
                step,
            })),
            ServerFrame::CallOk { call } => (self.notify)(Event::Call(CallNews::Ok(call))),
            ServerFrame::CallEnded {
                chat,
                call,
                end,
                duration_ms,
            } => (self.notify)(Event::Call(CallNews::Ended {
                chat,
                call,
                end,
                duration_ms,
            })),
            ServerFrame::Signal { call, from, signal } => {
                (self.notify)(Event::Call(CallNews::Signal { call, from, signal }));
            }
            ServerFrame::Error {
                code,
                call: Some(call),
                ..
            } => (self.notify)(Event::Call(CallNews::Refused(call, code))),
            ServerFrame::GroupCall { chat, call } => {
                (self.notify)(Event::Call(CallNews::Group { chat, call }));
            }
            ServerFrame::GroupAnswer { chat, leg, sdp } => {
                (self.notify)(Event::Call(CallNews::GroupAnswer { chat, leg, sdp }));
            }
            // Refused with a chat and nothing else to name: a group call's step.
            ServerFrame::Error {
                code,
                chat: Some(chat),
                id: None,
                call: None,
                ..
            } => (self.notify)(Event::Call(CallNews::GroupRefused(chat, code))),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::post;
    use courier_protocol::Message;

    fn events(chat: i64, seqs: &[i64]) -> ServerFrame {
        ServerFrame::Events {
            chat: ChatId(chat),
            messages: seqs
                .iter()
                .map(|&s| Message {
                    chat: ChatId(chat),
                    ..post(s, UserId(1), "ana", "hi")
                })
                .collect(),
        }
    }

    fn seqs(frame: &ServerFrame) -> (i64, Vec<i64>) {
        match frame {
            ServerFrame::Events { chat, messages } => {
                (chat.0, messages.iter().map(|m| m.seq.0).collect())
            }
            _ => (0, Vec::new()),
        }
    }

    #[test]
    fn a_burst_joins_each_run_of_one_chats_events_and_keeps_the_order() {
        let joined = join_events(vec![
            events(1, &[1, 2]),
            events(1, &[3]),
            events(2, &[7]),
            ServerFrame::Pong,
            events(2, &[8]),
            events(2, &[9]),
            events(1, &[4]),
        ]);
        let got: Vec<_> = joined.iter().map(seqs).collect();
        assert_eq!(
            got,
            vec![
                (1, vec![1, 2, 3]),
                (2, vec![7]),
                (0, vec![]),
                (2, vec![8, 9]),
                (1, vec![4])
            ]
        );
    }
}
