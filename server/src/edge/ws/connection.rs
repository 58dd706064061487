//! A connection's reader: the client's frames, read in order and paced
//! (send rate, pages, typing), then dispatched (`dispatch`); acks, errors
//! and pages of events go back on the reply queue.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::Message as WsMessage;
use courier_protocol::budget;
use courier_protocol::limits::MAX_EVENTS_PER_FRAME;
use courier_protocol::{CallId, ChatId, Cursor, ErrorCode, Message, Seq, ServerFrame, UserInfo};
use futures_util::{Stream, StreamExt};
use tokio::sync::{Notify, mpsc};
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

use crate::features::Features;
use crate::features::messaging::Messaging;
use crate::kernel::delivery::hub::Encoded;
use crate::kernel::throttle::Bucket;

use super::limits::{CHEAP_FRAMES, Limits};

/// A connection silent for this long (no frame, no pong) is dead.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The shortest gap between two typing notices a connection passes on.
const TYPING_EVERY: Duration = Duration::from_secs(1);

pub(super) struct Connection {
    pub(super) me: UserInfo,
    pub(super) features: Arc<Features>,
    limits: Arc<Limits>,
    replies: mpsc::Sender<Encoded>,
    /// When this connection last passed on a typing notice.
    typed: Mutex<Option<Instant>>,
    /// This connection's allowance of cheap frames.
    cheap: Mutex<Bucket>,
}

impl Connection {
    pub(super) fn new(
        me: UserInfo,
        features: Arc<Features>,
        limits: Arc<Limits>,
        replies: mpsc::Sender<Encoded>,
    ) -> Connection {
        Connection {
            me,
            features,
            limits,
            replies,
            typed: Mutex::new(None),
            cheap: Mutex::new(Bucket::full(CHEAP_FRAMES, Instant::now())),
        }
    }

    /// Refuses a frame that writes (send, act, forward) when the user is
    /// over their rate: `slow_down` names the message and the wait, and
    /// the client sends it again after it.
    pub(super) async fn may_write(
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
                    call: None,
                    retry_after_ms: Some(
                        u64::try_from(wait.as_millis())
                            .unwrap_or(u64::MAX)
                            .saturating_add(1),
                    ),
                })
                .await),
        }
    }

    /// Runs a write in a task of its own: if this connection dies while it
    /// is in flight (its writer fails and the reader is dropped), the write
    /// still commits and fans out, since others are owed what committed.
    pub(super) async fn to_the_end<F, Fut>(&self, write: F) -> Result<Message, ErrorCode>
    where
        F: FnOnce(Messaging, UserInfo) -> Fut,
        Fut: Future<Output = Result<Message, ErrorCode>> + Send + 'static,
    {
        let task = tokio::spawn(write(self.features.messaging.clone(), self.me.clone()));
        task.await.unwrap_or(Err(ErrorCode::Internal))
    }

    /// Waits until the user may be sent another page of events.
    pub(super) async fn pace_page(&self) {
        if let Err(wait) = self.limits.pages.take(&self.me.id, 1.0) {
            tokio::time::sleep(wait).await;
        }
    }

    /// Waits until a cheap frame may pass: over the allowance, this
    /// connection is read more slowly, and no read mark is lost.
    pub(super) async fn pace_cheap(&self) {
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
    pub(super) fn typing_allowed(&self) -> bool {
        let mut typed = self.typed.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if typed.is_some_and(|t| now.duration_since(t) < TYPING_EVERY) {
            return false;
        }
        *typed = Some(now);
        true
    }

    /// Queues a frame for this client; false once the writer is gone.
    pub(super) async fn reply(&self, frame: &ServerFrame) -> bool {
        self.replies.send(Encoded::new(frame)).await.is_ok()
    }

    pub(super) async fn error(
        &self,
        code: ErrorCode,
        id: Option<courier_protocol::ClientMsgId>,
        chat: Option<ChatId>,
    ) -> bool {
        self.reply(&ServerFrame::Error {
            code,
            id,
            chat,
            call: None,
            retry_after_ms: None,
        })
        .await
    }

    /// Answers a call's step or signal: `CallOk`, or an error naming the
    /// call (a signal that went on is not answered).
    pub(super) async fn call_answer(
        &self,
        call: CallId,
        done: Result<(), ErrorCode>,
        ack: bool,
    ) -> bool {
        match done {
            Ok(()) if ack => self.reply(&ServerFrame::CallOk { call }).await,
            Ok(()) => true,
            Err(code) => {
                self.reply(&ServerFrame::Error {
                    code,
                    id: None,
                    chat: None,
                    call: Some(call),
                    retry_after_ms: None,
                })
                .await
            }
        }
    }

    /// Sends every chat's events after the client's cursor. A chat the
    /// client holds nothing of gets its `recent` newest events (all of them
    /// if the client did not say).
    pub(super) async fn resume(
        &self,
        chats: &[(ChatId, Seq)],
        cursors: &[Cursor],
        recent: Option<u32>,
    ) {
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
    pub(super) async fn send_events(&self, chat: ChatId, mut after: Seq) -> bool {
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

    pub(super) async fn read_loop(
        &self,
        mut stream: impl Stream<Item = Result<WsMessage, axum::Error>> + Unpin,
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
}
