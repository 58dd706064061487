//! The socket session: it connects, says `Hello` with the cursors held in
//! the store, writes whatever the server sends into the store, drains the
//! outbox after `Welcome`, pings, and reconnects with backoff when the line
//! goes quiet. It tells the UI what changed through an [`Observer`]
//! callback and never touches the UI itself.

mod connection;
mod update;
pub mod upload;

use std::cell::Cell;
use std::rc::Rc;

use courier_protocol::model::message::ViewCount;
use courier_protocol::{
    Act, CallEnd, CallId, CallStep, ChatId, ClientFrame, ClientMsgId, Content, ErrorCode, LegId,
    Seq, Signal, UserId, UserInfo,
};
use futures::channel::mpsc;

use crate::store::{OutState, OutboxEntry, Store};
use connection::run;

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
    /// News of a call, for the calls layer (`rtc`).
    Call(CallNews),
}

/// What the server says of a call.
#[derive(Debug, Clone)]
pub enum CallNews {
    /// A step taken by `by`, on one of their devices.
    Step {
        chat: ChatId,
        call: CallId,
        by: UserId,
        step: CallStep,
    },
    /// A step of ours was taken.
    Ok(CallId),
    /// A step or signal of ours was refused.
    Refused(CallId, ErrorCode),
    Ended {
        chat: ChatId,
        call: CallId,
        end: CallEnd,
        duration_ms: u32,
    },
    /// A group's call changed (`None`: it ended).
    Group {
        chat: ChatId,
        call: Option<courier_protocol::GroupCall>,
    },
    /// The SFU's answer to this tab's join of a group's call.
    GroupAnswer {
        chat: ChatId,
        leg: courier_protocol::LegId,
        sdp: String,
    },
    /// A step of a group's call was refused.
    GroupRefused(ChatId, ErrorCode),
    /// Media negotiation from the other leg.
    Signal {
        call: CallId,
        from: LegId,
        signal: Signal,
    },
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
        content: Content,
        reply_to: Option<Seq>,
    ) -> Result<(), crate::store::StoreError> {
        self.queue(OutboxEntry {
            reply_to,
            ..OutboxEntry::new(chat, Some(content))
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

    /// Puts a message whose files are still uploading in the outbox: it
    /// shows at once and outlives a reload, and goes only when released.
    pub async fn hold(
        &self,
        chat: ChatId,
        content: Content,
        reply_to: Option<Seq>,
        uploads: Vec<String>,
    ) -> Result<OutboxEntry, crate::store::StoreError> {
        let entry = OutboxEntry {
            reply_to,
            uploads,
            state: OutState::Uploading,
            ..OutboxEntry::new(chat, Some(content))
        };
        self.store.add_outbox(&entry).await?;
        (self.notify)(Event::Changed);
        Ok(entry)
    }

    /// Stores how far a held message got (its files that are up, or why
    /// it failed), without sending it; unless it was deleted meanwhile:
    /// whether it is still held.
    pub async fn keep(&self, entry: &OutboxEntry) -> Result<bool, crate::store::StoreError> {
        let still = self.store.keep_held(entry).await?;
        (self.notify)(Event::Changed);
        Ok(still)
    }

    /// Sends a held message, its files all up (or, every file cancelled,
    /// its caption alone), unless it was deleted meanwhile.
    pub async fn release(&self, entry: OutboxEntry) -> Result<(), crate::store::StoreError> {
        let content = match entry.content {
            Some(Content::Media { items, caption }) if items.is_empty() => {
                (!caption.is_empty()).then(|| Content::text(caption))
            }
            content => content,
        };
        if content.is_none() {
            return self.withdraw(&entry.id).await;
        }
        let sent = OutboxEntry {
            state: OutState::Pending,
            uploads: Vec::new(),
            content,
            ..entry
        };
        // Checked and written in one go: a message deleted meanwhile stays so.
        if self.store.keep_held(&sent).await? {
            (self.notify)(Event::Changed);
            let _ = self.wake.unbounded_send(Wake::Outbox(sent));
        }
        Ok(())
    }

    /// Whether message `id` is still in the outbox, unsent.
    pub async fn holds(&self, id: &ClientMsgId) -> bool {
        let outbox = self.store.outbox().await.unwrap_or_default();
        outbox.iter().any(|e| e.id == *id)
    }

    /// Takes a held message out unsent.
    pub async fn withdraw(&self, id: &ClientMsgId) -> Result<(), crate::store::StoreError> {
        self.store.remove_outbox(id).await?;
        (self.notify)(Event::Changed);
        Ok(())
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

    /// Sends a call's step or signal on a live connection (dropped while
    /// offline: the calls layer sends a step again until it is acked).
    pub fn call_frame(&self, frame: ClientFrame) {
        let _ = self.wake.unbounded_send(Wake::Frame(frame));
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
            uploads: Vec::new(),
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
