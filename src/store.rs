//! The local copy of a user's chats in IndexedDB: one database per user,
//! `courier-<userid>`. The network writes here, the UI reads from here, so
//! the app opens and reads with no connection.
//!
//! Object stores (out-of-line keys):
//! - `chats`: [`ChatSummary`] by chat id;
//! - `messages`: [`Kept`] by `[chat, seq]`, contiguous from the cursor's
//!   `floor` to its `held` (anything past a gap waits for the `Sync` that
//!   fills it; anything before the floor comes by `History` when wanted).
//!   Acts (edit, delete, react, pin) are kept too, as the sequence's own
//!   entries, and applied to the message they target as they arrive;
//! - `loose`: acts whose target is older than the floor, by
//!   `[chat, target, seq]`, applied when the target comes;
//! - `outbox`: [`OutboxEntry`] by client id, time-ordered so key order is
//!   send order;
//! - `cursors`: [`CursorRec`] by chat id: the held range and last seq read;
//! - `meta`: the signed-in [`UserInfo`] under `"me"`, and the user's chat
//!   folders under `"folders"`.

use courier_protocol::http::ChatSettings;
use courier_protocol::model::folder::Folder;
use courier_protocol::model::format;
use courier_protocol::{
    Act, ChatId, ChatKind, ChatSummary, ClientMsgId, Content, ErrorCode, Message, Seq, UserId,
    UserInfo,
};
use indexed_db_futures::KeyRange;
use indexed_db_futures::database::Database;
use indexed_db_futures::error::OpenDbError;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use js_sys::{Object, Reflect};
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Idb(#[from] indexed_db_futures::error::Error),
    #[error(transparent)]
    Open(#[from] OpenDbError),
}

pub type Result<T> = std::result::Result<T, StoreError>;

const CHATS: &str = "chats";
const MESSAGES: &str = "messages";
const OUTBOX: &str = "outbox";
const CURSORS: &str = "cursors";
const META: &str = "meta";
const LOOSE: &str = "loose";
const FOLDERS_KEY: &str = "folders";

/// Schema migrations, applied in order: entry `n` takes the database from
/// version `n` to `n + 1`. Only ever append.
const MIGRATIONS: &[fn(&Database) -> indexed_db_futures::Result<()>] = &[
    |db| {
        for name in [CHATS, MESSAGES, OUTBOX, CURSORS, META] {
            db.create_object_store(name).build()?;
        }
        Ok(())
    },
    |db| {
        db.create_object_store(LOOSE).build()?;
        Ok(())
    },
];

/// The shape of the records kept, apart from the schema above, under
/// `"format"` in `meta`: 2 since protocol version 2, where a message's
/// `text` became its `content`. A database without it is of format 1.
const RECORDS_FORMAT: u32 = 2;
const FORMAT_KEY: &str = "format";

/// Chats with more unread events than this show their count without
/// reading each one (acts included): opening the list stays cheap.
const UNREAD_SCAN: i64 = 1000;
/// Messages a local search reads from IndexedDB at a time.
const SEARCH_PAGE: i64 = 2000;

/// A message as the app keeps it: the server's record and what later acts
/// did to it. Records written before acts existed read as plain messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    #[serde(flatten)]
    pub message: Message,
    #[serde(default)]
    pub edited: bool,
    #[serde(default)]
    pub deleted: bool,
    /// Each reaction with who gave it, in the order reactions first came.
    #[serde(default)]
    pub reactions: Vec<(String, Vec<UserId>)>,
    /// The names of those who reacted, as their reactions gave them.
    #[serde(default)]
    pub reactors: Vec<(UserId, String)>,
    #[serde(default)]
    pub pinned: bool,
    /// Deleted for me: kept (later acts still find it) but never shown.
    #[serde(default)]
    pub hidden: bool,
}

impl Kept {
    /// Applies an act, posted in `by`, to this message.
    fn apply(&mut self, by: &Message, act: &Act) {
        let (by, name) = (by.sender, &by.sender_name);
        match act {
            Act::Edit { text, .. } => {
                if let Some(words) = self.message.content.as_mut().and_then(Content::words_mut) {
                    *words = text.clone();
                }
                self.edited = true;
            }
            Act::Delete { .. } => {
                self.deleted = true;
                self.message.content = None;
            }
            Act::React { emoji, on, .. } => {
                if *on && !self.reactors.iter().any(|(u, _)| *u == by) {
                    self.reactors.push((by, name.clone()));
                }
                let at = self.reactions.iter().position(|(e, _)| e == emoji);
                match (at, on) {
                    (Some(i), true) if !self.reactions[i].1.contains(&by) => {
                        self.reactions[i].1.push(by)
                    }
                    (None, true) => self.reactions.push((emoji.clone(), vec![by])),
                    (Some(i), false) => {
                        self.reactions[i].1.retain(|u| *u != by);
                        if self.reactions[i].1.is_empty() {
                            self.reactions.remove(i);
                        }
                    }
                    _ => {}
                }
            }
            Act::Pin { on, .. } => self.pinned = *on,
        }
    }

    /// A post someone would see in the list (not an act, not deleted).
    pub fn shown(&self) -> bool {
        self.message.act.is_none() && !self.deleted && !self.hidden
    }
}

/// A message written here and not yet acknowledged by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: ClientMsgId,
    pub chat: ChatId,
    /// What it posts (a forward: the original's); none for an act.
    #[serde(default)]
    pub content: Option<Content>,
    /// Milliseconds since the Unix epoch, when the user sent it.
    pub created: i64,
    pub state: OutState,
    #[serde(default)]
    pub reply_to: Option<Seq>,
    /// Set for an act waiting to go (it shows once the server has it).
    #[serde(default)]
    pub act: Option<Act>,
    /// Set for a forward: the original's chat and seq.
    #[serde(default)]
    pub forward: Option<(ChatId, Seq)>,
}

impl OutboxEntry {
    /// The words it shows while it waits.
    pub fn text(&self) -> &str {
        self.content.as_ref().map_or("", Content::words)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutState {
    Pending,
    /// The server refused it for good; kept so the user sees why.
    Failed(ErrorCode),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CursorRec {
    /// Every message after `floor` up to this seq is stored.
    pub held: Seq,
    /// Older messages are on the server only (0: none are).
    #[serde(default)]
    pub floor: Seq,
    /// The user has seen every message up to this seq.
    pub read: Seq,
    /// Messages that were ever pinned, so the pinned bar finds the newest
    /// one still pinned however far back it is.
    #[serde(default)]
    pub pins: Vec<Seq>,
}

impl CursorRec {
    fn note_pin(&mut self, m: &Message) {
        if let Some(Act::Pin { target, .. }) = &m.act
            && !self.pins.contains(target)
        {
            self.pins.push(*target);
        }
    }
}

/// Where "jump to a date" lands, as far as this device can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landing {
    At(Seq),
    /// Nothing held is that recent.
    Nothing,
    /// The oldest message held; the server may have an older one that fits.
    Older(Seq),
}

/// A row of the chat list.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRow {
    pub chat: ChatSummary,
    pub unread: usize,
    /// An unread message names the user (`@username`): it stands out even
    /// in a muted chat.
    pub mentioned: bool,
}

/// Which events of a chat the view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The newest `WINDOW` events, following new ones as they come.
    Newest,
    /// The events after `after`, up to and including `upto`.
    Span { after: Seq, upto: Seq },
}

/// How many events (seqs) the chat view holds at once: what keeps a chat
/// of any length to a few hundred DOM elements.
pub const WINDOW: i64 = 80;

/// What one chat's view shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatPage {
    pub chat: Option<ChatSummary>,
    pub messages: Vec<Kept>,
    pub outbox: Vec<OutboxEntry>,
    /// Everything after `floor` up to this seq is stored.
    pub held: Seq,
    pub floor: Seq,
    /// The window these messages were read for.
    pub window: Option<Window>,
    /// Messages the window's replies quote from outside it.
    pub quoted: Vec<Kept>,
    /// The newest message still pinned, wherever it is; with the message
    /// itself if this device holds it.
    pub pinned: Option<(Seq, Option<Kept>)>,
}

impl ChatPage {
    /// Whether the window asks for events older than the floor, which only
    /// the server has.
    pub fn wants_older(&self) -> bool {
        let after = match self.window {
            Some(Window::Span { after, .. }) => after,
            _ => Seq((self.held.0 - WINDOW).max(0)),
        };
        after < self.floor
    }
}

/// What applying a batch of events did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Applied {
    /// Whether anything new was stored.
    pub changed: bool,
    /// Set when the batch jumped past `held + 1`: ask for events after it.
    pub gap_after: Option<Seq>,
}

/// A handle on one user's database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Rc<Database>,
    me: UserId,
}

fn msg_key(chat: ChatId, seq: Seq) -> (i64, i64) {
    (chat.0, seq.0)
}

/// The keys of `chat`'s messages after `after`.
fn msgs_after(chat: ChatId, after: Seq) -> KeyRange<(i64, i64)> {
    KeyRange::Bound(msg_key(chat, after), true, (chat.0 + 1, 0), true)
}

/// The keys of `chat`'s messages after `after`, up to and including `upto`
/// (which must be past `after`).
fn msgs_between(chat: ChatId, after: Seq, upto: Seq) -> KeyRange<(i64, i64)> {
    KeyRange::Bound(msg_key(chat, after), true, msg_key(chat, upto), false)
}

/// The newest post of `chat` before `before` that a reader would see, as
/// it reads now (edits applied), looking back a page at a time.
async fn newest_shown(tx: &Transaction<'_>, chat: ChatId, before: Seq) -> Result<Option<Message>> {
    const PAGE: i64 = 50;
    let msgs = tx.object_store(MESSAGES)?;
    let mut upto = Seq(before.0 - 1);
    while upto > Seq::ZERO {
        let after = Seq((upto.0 - PAGE).max(0));
        let page: Vec<Kept> = msgs
            .get_all()
            .with_query(msgs_between(chat, after, upto))
            .serde()?
            .await?
            .collect::<indexed_db_futures::Result<_>>()?;
        if let Some(kept) = page.into_iter().rev().find(Kept::shown) {
            return Ok(Some(kept.message));
        }
        upto = after;
    }
    Ok(None)
}

/// The keys of `chat`'s loose acts on the messages after `after` up to
/// and including `upto`.
fn loose_between(chat: ChatId, after: Seq, upto: Seq) -> KeyRange<(i64, i64, i64)> {
    KeyRange::Bound(
        (chat.0, after.0 + 1, 0),
        false,
        (chat.0, upto.0 + 1, 0),
        true,
    )
}

/// Stores one event; an act is applied to its target, or kept loose until
/// the target comes if it is older than what is held.
async fn keep_event(tx: &Transaction<'_>, m: &Message) -> Result<()> {
    let msgs = tx.object_store(MESSAGES)?;
    // An edit's text lives on in its target (or in the loose store until
    // the target comes): a later delete then leaves no copy of it here.
    let mut record = m.clone();
    if let Some(Act::Edit { text, .. }) = &mut record.act {
        text.clear();
    }
    msgs.put(&Kept {
        message: record,
        edited: false,
        deleted: false,
        reactions: Vec::new(),
        reactors: Vec::new(),
        pinned: false,
        hidden: false,
    })
    .with_key(msg_key(m.chat, m.seq))
    .serde()?
    .await?;
    if let Some(act) = &m.act {
        let key = msg_key(m.chat, act.target());
        let target: Option<Kept> = msgs.get(KeyRange::Only(key)).serde()?.await?;
        match target {
            Some(mut target) => {
                target.apply(m, act);
                msgs.put(&target).with_key(key).serde()?.await?;
            }
            None => {
                // Once its target is deleted, an act is moot (and an edit's
                // would keep the text the delete took away): the delete
                // alone waits. Older acts may come after it, by history.
                let (loose, target) = (tx.object_store(LOOSE)?, act.target());
                if matches!(act, Act::Delete { .. }) {
                    let acts_on = loose_between(m.chat, Seq(target.0 - 1), target);
                    loose.delete(acts_on).serde()?.await?;
                } else if deletes(&loose_acts(&loose, m.chat, target).await?) {
                    return Ok(());
                }
                loose
                    .put(m)
                    .with_key((m.chat.0, act.target().0, m.seq.0))
                    .serde()?
                    .await?;
            }
        }
    }
    Ok(())
}

/// Brings records an older app wrote to [`RECORDS_FORMAT`], all in one
/// transaction: a tab closed halfway leaves them as they were, and the next
/// open tries again. Nothing is dropped: the outbox goes out after it.
async fn upgrade_records(db: &Database) -> Result<()> {
    let tx = db
        .transaction([CHATS, MESSAGES, OUTBOX, LOOSE, META])
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    let meta = tx.object_store(META)?;
    let format: Option<u32> = meta.get(FORMAT_KEY.to_string()).serde()?.await?;
    if format.unwrap_or(1) >= RECORDS_FORMAT {
        return Ok(());
    }
    for name in [MESSAGES, LOOSE, OUTBOX] {
        rewrite(&tx.object_store(name)?, text_to_content).await?;
    }
    rewrite(&tx.object_store(CHATS)?, |chat| {
        text_to_content(&Reflect::get(chat, &"last".into()).unwrap_or(JsValue::UNDEFINED))
    })
    .await?;
    meta.put(RECORDS_FORMAT)
        .with_key(FORMAT_KEY.to_string())
        .serde()?
        .await?;
    Ok(tx.commit().await?)
}

/// Puts back every record of `store` that `change` changed (in place).
async fn rewrite(store: &ObjectStore<'_>, change: fn(&JsValue) -> bool) -> Result<()> {
    let keys: Vec<JsValue> = store
        .get_all_keys()
        .primitive()?
        .await?
        .collect::<indexed_db_futures::Result<_>>()?;
    let records: Vec<JsValue> = store
        .get_all()
        .primitive()?
        .await?
        .collect::<indexed_db_futures::Result<_>>()?;
    for (key, record) in keys.into_iter().zip(records) {
        if change(&record) {
            store.put(record).with_key(key).primitive()?.await?;
        }
    }
    Ok(())
}

/// A message or outbox entry of protocol version 1 (`text`) in version 2's
/// shape (`content`; none for an act or a deleted post). Whether it changed.
/// Done on the JS object, field by field: the record's other fields stay
/// exactly as they were.
fn text_to_content(record: &JsValue) -> bool {
    let field = |name: &str| Reflect::get(record, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let text = field("text");
    if !record.is_object() || text.is_undefined() {
        return false;
    }
    let _ = Reflect::delete_property(record.unchecked_ref::<Object>(), &"text".into());
    let act = field("act");
    let is_act = !act.is_undefined() && !act.is_null();
    let deleted = field("deleted").as_bool() == Some(true);
    if let Some(text) = text.as_string()
        && !text.is_empty()
        && !is_act
        && !deleted
    {
        let content = Object::new();
        let _ = Reflect::set(&content, &"kind".into(), &"text".into());
        let _ = Reflect::set(&content, &"text".into(), &text.into());
        let _ = Reflect::set(record, &"content".into(), &content);
    }
    true
}

/// What `tx` holds of `chat` (nothing yet: the zero cursor).
async fn cursor_of(tx: &Transaction<'_>, chat: ChatId) -> Result<CursorRec> {
    Ok(tx
        .object_store(CURSORS)?
        .get(chat.0)
        .serde()?
        .await?
        .unwrap_or_default())
}

/// The acts waiting loose on `chat`'s message `target`, in order.
async fn loose_acts(loose: &ObjectStore<'_>, chat: ChatId, target: Seq) -> Result<Vec<Message>> {
    Ok(loose
        .get_all()
        .with_query(loose_between(chat, Seq(target.0 - 1), target))
        .serde()?
        .await?
        .collect::<indexed_db_futures::Result<_>>()?)
}

fn deletes(acts: &[Message]) -> bool {
    acts.iter()
        .any(|m| matches!(m.act, Some(Act::Delete { .. })))
}

/// Moves `chat`'s read cursor in `tx` forward to `seq`; whether it moved.
async fn read_elsewhere(tx: &Transaction<'_>, chat: ChatId, seq: Seq) -> Result<bool> {
    let mut cursor = cursor_of(tx, chat).await?;
    if cursor.read >= seq {
        return Ok(false);
    }
    cursor.read = seq;
    tx.object_store(CURSORS)?
        .put(cursor)
        .with_key(chat.0)
        .serde()?
        .await?;
    Ok(true)
}

async fn all_chats(tx: &Transaction<'_>) -> Result<Vec<ChatSummary>> {
    Ok(tx
        .object_store(CHATS)?
        .get_all()
        .serde()?
        .await?
        .collect::<indexed_db_futures::Result<_>>()?)
}

/// The name of `me`'s database.
fn database_name(me: UserId) -> String {
    format!("courier-{}", me.0)
}

/// Deletes `me`'s whole database from this browser (signing out of a
/// shared computer). The browser finishes it once every tab has let go.
pub async fn remove_database(me: UserId) {
    let factory = web_sys::window().and_then(|w| w.indexed_db().ok().flatten());
    if let Some(factory) = factory {
        let _ = factory.delete_database(&database_name(me));
    }
}

impl Store {
    pub async fn open(me: UserId) -> Result<Store> {
        let db = Database::open(database_name(me))
            .with_version(MIGRATIONS.len() as u32)
            .with_on_upgrade_needed(|event, db| {
                let from = event.old_version() as usize;
                MIGRATIONS
                    .iter()
                    .skip(from)
                    .try_for_each(|migrate| migrate(&db))
            })
            .await?;
        upgrade_records(&db).await?;
        Ok(Store {
            db: Rc::new(db),
            me,
        })
    }

    pub fn me(&self) -> UserId {
        self.me
    }

    /// Lets go of the database (the tab leaves the account): a deletion of
    /// it, from here or another tab, need not wait for this tab.
    pub fn close(&self) {
        Database::clone(&self.db).close();
    }

    fn tx(&self, stores: &[&str], write: bool) -> Result<Transaction<'_>> {
        let mode = if write {
            TransactionMode::Readwrite
        } else {
            TransactionMode::Readonly
        };
        Ok(self.db.transaction(stores).with_mode(mode).build()?)
    }

    pub async fn save_me(&self, me: &UserInfo) -> Result<()> {
        let tx = self.tx(&[META], true)?;
        tx.object_store(META)?
            .put(me)
            .with_key("me".to_string())
            .serde()?
            .await?;
        Ok(tx.commit().await?)
    }

    pub async fn save_folders(&self, folders: &[Folder]) -> Result<()> {
        let tx = self.tx(&[META], true)?;
        tx.object_store(META)?
            .put(folders)
            .with_key(FOLDERS_KEY.to_string())
            .serde()?
            .await?;
        Ok(tx.commit().await?)
    }

    /// The user's folders as last told by the server (none before that).
    pub async fn folders(&self) -> Result<Vec<Folder>> {
        let tx = self.tx(&[META], false)?;
        let folders: Option<Vec<Folder>> = tx
            .object_store(META)?
            .get(FOLDERS_KEY.to_string())
            .serde()?
            .await?;
        Ok(folders.unwrap_or_default())
    }

    /// Stores chats as the server describes them; the server is the truth,
    /// also of how far the user has read them on any device.
    pub async fn put_chats(&self, chats: &[ChatSummary]) -> Result<()> {
        let tx = self.tx(&[CHATS, CURSORS], true)?;
        let store = tx.object_store(CHATS)?;
        for chat in chats {
            store.put(chat).with_key(chat.id.0).serde()?.await?;
            read_elsewhere(&tx, chat.id, chat.read).await?;
        }
        Ok(tx.commit().await?)
    }

    /// A chat's shared settings changed: the fields set are new.
    pub async fn apply_settings(&self, chat: ChatId, settings: &ChatSettings) -> Result<()> {
        let tx = self.tx(&[CHATS], true)?;
        let chats = tx.object_store(CHATS)?;
        let summary: Option<ChatSummary> = chats.get(chat.0).serde()?.await?;
        let Some(mut summary) = summary else {
            return Ok(());
        };
        // A direct chat is titled by the other person, not by a name.
        if let Some(name) = &settings.name
            && summary.kind != ChatKind::Direct
        {
            summary.title = name.clone();
        }
        if let Some(handle) = &settings.handle {
            summary.handle = (!handle.is_empty()).then(|| handle.clone());
        }
        if let Some(s) = settings.slow_mode_s {
            summary.slow_mode_s = s;
        }
        if let Some(on) = settings.signatures {
            summary.signatures = on;
        }
        if let Some(ttl) = settings.ttl_s {
            summary.ttl_s = ttl;
        }
        chats.put(&summary).with_key(chat.0).serde()?.await?;
        Ok(tx.commit().await?)
    }

    /// Another device of the user read `chat` up to `seq`: this one's
    /// cursor follows, even past what it holds yet. Whether it moved.
    pub async fn read_elsewhere(&self, chat: ChatId, seq: Seq) -> Result<bool> {
        let tx = self.tx(&[CURSORS], true)?;
        let moved = read_elsewhere(&tx, chat, seq).await?;
        tx.commit().await?;
        Ok(moved)
    }

    pub async fn cursors(&self) -> Result<Vec<(ChatId, CursorRec)>> {
        let tx = self.tx(&[CHATS, CURSORS], false)?;
        let chats = all_chats(&tx).await?;
        let cursors = tx.object_store(CURSORS)?;
        let mut out = Vec::with_capacity(chats.len());
        for chat in chats {
            let rec: Option<CursorRec> = cursors.get(chat.id.0).serde()?.await?;
            out.push((chat.id, rec.unwrap_or_default()));
        }
        Ok(out)
    }

    /// Applies one batch of a chat's events in one transaction: drops what is
    /// already held (duplicates by seq), stores what continues the sequence,
    /// stops at a gap, and retires the outbox entries of our own messages.
    pub async fn apply_events(&self, chat: ChatId, messages: &[Message]) -> Result<Applied> {
        let tx = self.tx(&[CHATS, MESSAGES, OUTBOX, CURSORS, LOOSE], true)?;
        let cursors = tx.object_store(CURSORS)?;
        let mut cursor: CursorRec = cursors.get(chat.0).serde()?.await?.unwrap_or_default();
        let outbox = tx.object_store(OUTBOX)?;
        let mut applied = Applied {
            changed: false,
            gap_after: None,
        };
        let mut newest = None;
        // Posts whose text an act here changed or took away.
        let mut touched: Vec<Seq> = Vec::new();
        for m in messages.iter().filter(|m| m.chat == chat) {
            if m.seq <= cursor.held {
                continue;
            }
            // Holding nothing yet, any run is a start: what is older comes
            // by `History` when the reader scrolls to it.
            if cursor.held == Seq::ZERO {
                cursor.floor = Seq(m.seq.0 - 1);
            } else if m.seq != cursor.held.next() {
                applied.gap_after = Some(cursor.held);
                break;
            }
            keep_event(&tx, m).await?;
            cursor.note_pin(m);
            if m.sender == self.me {
                outbox.delete(m.id.0.clone()).serde()?.await?;
                // What we sent ourselves is read.
                cursor.read = cursor.read.max(m.seq);
            }
            cursor.held = m.seq;
            match &m.act {
                None => newest = Some(m.clone()),
                Some(act @ (Act::Edit { .. } | Act::Delete { .. })) => touched.push(act.target()),
                Some(_) => {}
            }
            applied.changed = true;
        }
        if applied.changed {
            cursors.put(&cursor).with_key(chat.0).serde()?.await?;
            let chats = tx.object_store(CHATS)?;
            let summary: Option<ChatSummary> = chats.get(chat.0).serde()?.await?;
            if let Some(mut summary) = summary {
                summary.last_seq = summary.last_seq.max(cursor.held);
                // The list previews the newest post, not an act on one; an
                // edit or delete of the previewed post previews it anew
                // (its new text, or the newest post still there).
                let previewed = summary.last.as_ref().map(|m| m.seq);
                if let Some(last) = newest {
                    summary.last = Some(last);
                } else if let Some(seq) = previewed.filter(|seq| touched.contains(seq)) {
                    summary.last = newest_shown(&tx, chat, seq.next()).await?;
                }
                chats.put(&summary).with_key(chat.0).serde()?.await?;
            }
        }
        tx.commit().await?;
        Ok(applied)
    }

    /// Stores a page of older history that ends where what is held begins
    /// (one that does not, say from another tab's request, is dropped),
    /// and applies the acts on it that came before it did. Whether the
    /// page was taken.
    pub async fn apply_history(&self, chat: ChatId, before: Seq, page: &[Message]) -> Result<bool> {
        let cursor = {
            let tx = self.tx(&[CURSORS], false)?;
            cursor_of(&tx, chat).await?
        };
        if cursor.held == Seq::ZERO {
            return Ok(self.apply_events(chat, page).await?.changed);
        }
        let (Some(first), Some(last)) = (page.first(), page.last()) else {
            return Ok(false);
        };
        let joined = before == cursor.floor.next()
            && last.seq == cursor.floor
            && page.iter().all(|m| m.chat == chat)
            && page.windows(2).all(|w| w[1].seq == w[0].seq.next());
        if !joined {
            return Ok(false);
        }
        let tx = self.tx(&[MESSAGES, CURSORS, LOOSE], true)?;
        // Another tab may have taken the same page meanwhile.
        let mut cursor = cursor_of(&tx, chat).await?;
        if cursor.floor != last.seq {
            return Ok(false);
        }
        for m in page {
            keep_event(&tx, m).await?;
            cursor.note_pin(m);
        }
        let loose = tx.object_store(LOOSE)?;
        let range = loose_between(chat, Seq(first.seq.0 - 1), last.seq);
        let waiting: Vec<Message> = loose
            .get_all()
            .with_query(range.clone())
            .serde()?
            .await?
            .collect::<indexed_db_futures::Result<_>>()?;
        let msgs = tx.object_store(MESSAGES)?;
        // Keyed by target, then seq: each message's acts in their order.
        for act in waiting {
            let Some(a) = &act.act else { continue };
            let key = msg_key(chat, a.target());
            let target: Option<Kept> = msgs.get(KeyRange::Only(key)).serde()?.await?;
            if let Some(mut target) = target {
                target.apply(&act, a);
                msgs.put(&target).with_key(key).serde()?.await?;
            }
        }
        loose.delete(range).serde()?.await?;
        cursor.floor = Seq(first.seq.0 - 1);
        tx.object_store(CURSORS)?
            .put(cursor)
            .with_key(chat.0)
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn add_outbox(&self, entry: &OutboxEntry) -> Result<()> {
        let tx = self.tx(&[OUTBOX], true)?;
        tx.object_store(OUTBOX)?
            .put(entry)
            .with_key(entry.id.0.clone())
            .serde()?
            .await?;
        Ok(tx.commit().await?)
    }

    /// The whole outbox in key order, which is send order.
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        let tx = self.tx(&[OUTBOX], false)?;
        Ok(tx
            .object_store(OUTBOX)?
            .get_all()
            .serde()?
            .await?
            .collect::<indexed_db_futures::Result<_>>()?)
    }

    pub async fn fail_outbox(&self, id: &ClientMsgId, code: ErrorCode) -> Result<()> {
        let tx = self.tx(&[OUTBOX], true)?;
        let store = tx.object_store(OUTBOX)?;
        let entry: Option<OutboxEntry> = store.get(id.0.clone()).serde()?.await?;
        if let Some(mut entry) = entry {
            entry.state = OutState::Failed(code);
            store.put(&entry).with_key(id.0.clone()).serde()?.await?;
        }
        Ok(tx.commit().await?)
    }

    /// Moves the read cursor up to `upto` (never past what is held, never
    /// back); the new cursor if it moved.
    pub async fn mark_read(&self, chat: ChatId, upto: Seq) -> Result<Option<Seq>> {
        let tx = self.tx(&[CURSORS], true)?;
        let cursors = tx.object_store(CURSORS)?;
        let mut cursor: CursorRec = cursors.get(chat.0).serde()?.await?.unwrap_or_default();
        let upto = upto.min(cursor.held);
        if cursor.read >= upto {
            return Ok(None);
        }
        cursor.read = upto;
        cursors.put(&cursor).with_key(chat.0).serde()?.await?;
        tx.commit().await?;
        Ok(Some(cursor.read))
    }

    /// Drops everything held of a chat the user is no longer in.
    pub async fn forget_chat(&self, chat: ChatId) -> Result<()> {
        let tx = self.tx(&[CHATS, MESSAGES, OUTBOX, CURSORS, LOOSE], true)?;
        tx.object_store(LOOSE)?
            .delete(KeyRange::Bound(
                (chat.0, 0, 0),
                false,
                (chat.0 + 1, 0, 0),
                true,
            ))
            .serde()?
            .await?;
        tx.object_store(CHATS)?.delete(chat.0).serde()?.await?;
        tx.object_store(CURSORS)?.delete(chat.0).serde()?.await?;
        tx.object_store(MESSAGES)?
            .delete(msgs_after(chat, Seq::ZERO))
            .serde()?
            .await?;
        let outbox = tx.object_store(OUTBOX)?;
        let entries: Vec<OutboxEntry> = outbox
            .get_all()
            .serde()?
            .await?
            .collect::<indexed_db_futures::Result<_>>()?;
        for entry in entries.into_iter().filter(|e| e.chat == chat) {
            outbox.delete(entry.id.0).serde()?.await?;
        }
        Ok(tx.commit().await?)
    }

    /// The chat list, pinned chats first, then newest last message first,
    /// with unread counts (messages from others after the read cursor) and
    /// whether those mention `username`.
    pub async fn chat_list(&self, username: Option<&str>) -> Result<Vec<ChatRow>> {
        let tx = self.tx(&[CHATS, MESSAGES, CURSORS], false)?;
        let chats = all_chats(&tx).await?;
        let (cursors, msgs) = (tx.object_store(CURSORS)?, tx.object_store(MESSAGES)?);
        let mut rows = Vec::with_capacity(chats.len());
        for chat in chats {
            let cursor: CursorRec = cursors.get(chat.id.0).serde()?.await?.unwrap_or_default();
            let behind = cursor.held.0 - cursor.read.0;
            let (unread, mentioned) = if behind > UNREAD_SCAN {
                (behind as usize, false)
            } else {
                let unread: Vec<Kept> = msgs
                    .get_all()
                    .with_query(msgs_after(chat.id, cursor.read))
                    .serde()?
                    .await?
                    .collect::<indexed_db_futures::Result<_>>()?;
                let theirs: Vec<&Kept> = unread
                    .iter()
                    .filter(|m| m.shown() && m.message.sender != self.me)
                    .collect();
                let mentioned = username.is_some_and(|name| {
                    theirs
                        .iter()
                        .any(|m| format::mentions(m.message.text(), name))
                });
                (theirs.len(), mentioned)
            };
            rows.push(ChatRow {
                chat,
                unread,
                mentioned,
            });
        }
        rows.sort_by_key(|r| {
            let at = r.chat.last.as_ref().map_or(0, |m| m.at);
            std::cmp::Reverse((r.chat.place.pinned, at))
        });
        Ok(rows)
    }

    /// One chat: the events in `window` and its outbox entries.
    pub async fn chat_page(&self, chat: ChatId, window: Window) -> Result<ChatPage> {
        let tx = self.tx(&[CHATS, MESSAGES, OUTBOX, CURSORS, LOOSE], false)?;
        let summary: Option<ChatSummary> = tx.object_store(CHATS)?.get(chat.0).serde()?.await?;
        let cursor = cursor_of(&tx, chat).await?;
        let (after, upto) = match window {
            Window::Newest => (Seq((cursor.held.0 - WINDOW).max(0)), cursor.held),
            Window::Span { after, upto } => (after, upto),
        };
        // IndexedDB refuses an empty range (a new chat's (0, 0]).
        let messages = if upto > after {
            tx.object_store(MESSAGES)?
                .get_all()
                .with_query(msgs_between(chat, after, upto))
                .serde()?
                .await?
                .collect::<indexed_db_futures::Result<_>>()?
        } else {
            Vec::new()
        };
        let outbox: Vec<OutboxEntry> = tx
            .object_store(OUTBOX)?
            .get_all()
            .serde()?
            .await?
            .collect::<indexed_db_futures::Result<_>>()?;
        let outbox: Vec<OutboxEntry> = outbox.into_iter().filter(|e| e.chat == chat).collect();
        let msgs = &tx.object_store(MESSAGES)?;
        let get = |seq: Seq| async move {
            let kept: Option<Kept> = msgs
                .get(KeyRange::Only(msg_key(chat, seq)))
                .serde()?
                .await?;
            Ok::<_, StoreError>(kept)
        };
        let mut quoted = Vec::new();
        let outside = |seq: &Seq| *seq <= after || *seq > upto;
        let mut asked: Vec<Seq> = (messages.iter().filter_map(|m: &Kept| m.message.reply_to))
            .chain(outbox.iter().filter_map(|e| e.reply_to))
            .filter(outside)
            .collect();
        asked.sort_unstable();
        asked.dedup();
        for seq in asked {
            quoted.extend(get(seq).await?);
        }
        let mut pinned = None;
        // Pins noted before `pins` was kept still show from the window.
        let mut pins = cursor.pins.clone();
        pins.extend(messages.iter().filter(|m| m.pinned).map(|m| m.message.seq));
        pins.sort_unstable();
        pins.dedup();
        let loose = &tx.object_store(LOOSE)?;
        for seq in pins.into_iter().rev() {
            let still = match get(seq).await? {
                Some(kept) => (kept.pinned && kept.shown()).then_some(Some(kept)),
                // Older than what is held: its acts wait loose, the last
                // pin or unpin telling, unless a delete came.
                None => {
                    let acts = loose_acts(loose, chat, seq).await?;
                    let last_pin = acts.iter().rev().find_map(|m| match m.act {
                        Some(Act::Pin { on, .. }) => Some(on),
                        _ => None,
                    });
                    (last_pin == Some(true) && !deletes(&acts)).then_some(None)
                }
            };
            if let Some(kept) = still {
                pinned = Some((seq, kept));
                break;
            }
        }
        Ok(ChatPage {
            chat: summary,
            messages,
            outbox,
            held: cursor.held,
            floor: cursor.floor,
            window: Some(window),
            quoted,
            pinned,
        })
    }

    /// The first seq of `chat` stored at or after `ms`, for "jump to date"
    /// (the server stamps events in seq order): a binary search by key.
    /// [`Landing::Older`] when that is the oldest held and the server has
    /// older ones, which may also be after `ms`.
    pub async fn seq_at(&self, chat: ChatId, ms: i64) -> Result<Landing> {
        let tx = self.tx(&[MESSAGES, CURSORS], false)?;
        let cursor = cursor_of(&tx, chat).await?;
        let msgs = tx.object_store(MESSAGES)?;
        let (mut low, mut high) = (cursor.floor.0 + 1, cursor.held.0 + 1);
        while low < high {
            let mid = low + (high - low) / 2;
            let kept: Option<Kept> = msgs
                .get(KeyRange::Only(msg_key(chat, Seq(mid))))
                .serde()?
                .await?;
            if kept.is_some_and(|k| k.message.at >= ms) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        Ok(if low > cursor.held.0 {
            Landing::Nothing
        } else if low == cursor.floor.0 + 1 && cursor.floor > Seq::ZERO {
            Landing::Older(Seq(low))
        } else {
            Landing::At(Seq(low))
        })
    }

    /// The first event after the read cursor, if the chat has unread ones;
    /// none for a chat joined with a long history never read.
    pub async fn first_unread(&self, chat: ChatId) -> Result<Option<Seq>> {
        let tx = self.tx(&[CURSORS], false)?;
        let cursor = cursor_of(&tx, chat).await?;
        let unread = cursor.read < cursor.held
            && cursor.read >= cursor.floor
            && (cursor.read > Seq::ZERO || cursor.held.0 <= WINDOW);
        Ok(unread.then(|| cursor.read.next()))
    }

    /// Every chat held, unordered (for titles and pickers).
    pub async fn chats(&self) -> Result<Vec<ChatSummary>> {
        let tx = self.tx(&[CHATS], false)?;
        all_chats(&tx).await
    }

    pub async fn chat(&self, chat: ChatId) -> Result<Option<ChatSummary>> {
        let tx = self.tx(&[CHATS], false)?;
        Ok(tx.object_store(CHATS)?.get(chat.0).serde()?.await?)
    }

    /// Keeps the chat's draft as the server last told it.
    pub async fn set_draft(&self, chat: ChatId, text: &str) -> Result<()> {
        let tx = self.tx(&[CHATS], true)?;
        let chats = tx.object_store(CHATS)?;
        let summary: Option<ChatSummary> = chats.get(chat.0).serde()?.await?;
        if let Some(mut summary) = summary {
            summary.draft = text.to_owned();
            chats.put(&summary).with_key(chat.0).serde()?.await?;
        }
        Ok(tx.commit().await?)
    }

    /// Hides a message on this device only ("delete for me").
    pub async fn hide(&self, chat: ChatId, seq: Seq) -> Result<()> {
        let tx = self.tx(&[MESSAGES], true)?;
        let msgs = tx.object_store(MESSAGES)?;
        let key = msg_key(chat, seq);
        let kept: Option<Kept> = msgs.get(KeyRange::Only(key)).serde()?.await?;
        if let Some(mut kept) = kept {
            kept.hidden = true;
            msgs.put(&kept).with_key(key).serde()?.await?;
        }
        Ok(tx.commit().await?)
    }

    /// Shown messages containing `query` (case-folded) held in `chat`, or in
    /// every chat, newest first, at most `limit`: works offline.
    pub async fn search(
        &self,
        chat: Option<ChatId>,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Kept>> {
        let query = query.to_lowercase();
        let tx = self.tx(&[CHATS, MESSAGES, CURSORS], false)?;
        let chats: Vec<ChatId> = match chat {
            Some(chat) => vec![chat],
            None => all_chats(&tx).await?.into_iter().map(|c| c.id).collect(),
        };
        let (cursors, msgs) = (tx.object_store(CURSORS)?, tx.object_store(MESSAGES)?);
        let mut found = Vec::new();
        for chat in chats {
            let cursor: CursorRec = cursors.get(chat.0).serde()?.await?.unwrap_or_default();
            let mut upto = cursor.held.0;
            let mut in_chat = 0;
            while upto > cursor.floor.0 && in_chat < limit {
                let after = (upto - SEARCH_PAGE).max(cursor.floor.0);
                let page: Vec<Kept> = msgs
                    .get_all()
                    .with_query(msgs_between(chat, Seq(after), Seq(upto)))
                    .serde()?
                    .await?
                    .collect::<indexed_db_futures::Result<_>>()?;
                for kept in page.into_iter().rev() {
                    if in_chat < limit
                        && kept.shown()
                        && kept.message.text().to_lowercase().contains(&query)
                    {
                        found.push(kept);
                        in_chat += 1;
                    }
                }
                upto = after;
            }
        }
        found.sort_by_key(|k| std::cmp::Reverse(k.message.at));
        found.truncate(limit);
        Ok(found)
    }
}
