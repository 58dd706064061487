//! `chats`: each chat's summary, and the chat list as the UI shows it.

use courier_protocol::http::ChatSettings;
use courier_protocol::model::format;
use courier_protocol::{ChatId, ChatKind, ChatSummary};
use indexed_db_futures::KeyRange;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;

use super::blocks;
use super::cursors::read_elsewhere;
use super::{CHATS, CURSORS, CursorRec, Kept, LOOSE, MESSAGES, OUTBOX, OutboxEntry, Result, Store};

/// A row of the chat list.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRow {
    pub chat: ChatSummary,
    pub unread: usize,
    /// An unread message names the user (`@username`): it stands out even
    /// in a muted chat.
    pub mentioned: bool,
}

pub(super) async fn all_chats(tx: &Transaction<'_>) -> Result<Vec<ChatSummary>> {
    Ok(tx
        .object_store(CHATS)?
        .get_all()
        .serde()?
        .await?
        .collect::<indexed_db_futures::Result<_>>()?)
}

/// Chats with more unread events than this show their count without
/// reading each one (acts included): opening the list stays cheap.
pub(super) const UNREAD_SCAN: i64 = 1000;

impl Store {
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
            .delete(blocks::all_of(chat))
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
                let unread = blocks::read(&msgs, chat.id, cursor.read, None).await?;
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
}
