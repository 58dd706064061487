//! `cursors`: per chat, the held range of events and how far the user read.

use courier_protocol::{Act, ChatId, Message, Seq};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use serde::{Deserialize, Serialize};

use super::chats::all_chats;
use super::{CHATS, CURSORS, Result, Store, WINDOW};

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
    pub(super) fn note_pin(&mut self, m: &Message) {
        if let Some(Act::Pin { target, .. }) = &m.act
            && !self.pins.contains(target)
        {
            self.pins.push(*target);
        }
    }
}

/// What `tx` holds of `chat` (nothing yet: the zero cursor).
pub(super) async fn cursor_of(tx: &Transaction<'_>, chat: ChatId) -> Result<CursorRec> {
    Ok(tx
        .object_store(CURSORS)?
        .get(chat.0)
        .serde()?
        .await?
        .unwrap_or_default())
}

/// Moves `chat`'s read cursor in `tx` forward to `seq`; whether it moved.
pub(super) async fn read_elsewhere(tx: &Transaction<'_>, chat: ChatId, seq: Seq) -> Result<bool> {
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

impl Store {
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
}
