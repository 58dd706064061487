//! A chat's events (posts and acts): storing them, history, search.

use async_trait::async_trait;
use courier_protocol::policy;
use courier_protocol::policy::Standing;
use courier_protocol::{Act, ChatId, ChatKind, ClientMsgId, Content, Message, Seq, UserId};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};
use tokio::sync::oneshot;

use super::group_commit::Append;
use super::sql::{Changed, MESSAGE_COLUMNS, SqlStore, alias, scan_error};
use super::statement::{Placeholder, Statement};
use super::{Result, StoreError};

/// What a message posts.
#[derive(Debug, Clone)]
pub struct Post<'a> {
    pub content: Content,
    pub reply_to: Option<Seq>,
    /// For a forwarded copy: who first posted it.
    pub forwarded_from: Option<&'a str>,
}

impl<'a> Post<'a> {
    /// A post of `content`, answering nothing, forwarded from no one.
    pub fn of(content: Content) -> Post<'a> {
        Post {
            content,
            reply_to: None,
            forwarded_from: None,
        }
    }
}

/// A substring search over the messages a user can read.
#[derive(Debug, Clone, Copy)]
pub struct Search<'a> {
    pub text: &'a str,
    /// One chat, or all of the user's.
    pub chat: Option<ChatId>,
    /// Only messages before this seq (paging back in one chat).
    pub before: Option<Seq>,
    pub limit: usize,
}

/// The result of storing a message: `fresh` is false when the same client
/// id had been stored before, and `message` is then that earlier message.
pub struct Appended {
    pub message: Message,
    pub fresh: bool,
}

/// A message's content as stored. The `text` column holds a post's
/// words: a text, or a caption (the same in protocol versions 1 and 2, so
/// older databases need no rewrite, and edits and search treat a caption as
/// text). The `content` column holds any other kind as JSON, its caption
/// left empty; text has none. An act, or a post deleted for everyone, has
/// no content.
pub(super) fn stored_content(
    text: String,
    column: Option<String>,
    is_act: bool,
) -> Result<Option<Content>> {
    if is_act {
        return Ok(None);
    }
    let Some(json) = column else {
        return Ok((!text.is_empty()).then_some(Content::Text { text }));
    };
    // Written by `content_column` from the same type.
    let mut content: Content = serde_json::from_str(&json).map_err(|e| StoreError::corrupt(e))?;
    if let Some(words) = content.words_mut() {
        *words = text;
    }
    Ok(Some(content))
}

/// The `content` column of a post (see [`stored_content`]).
pub(super) fn content_column(content: &Content) -> Result<Option<String>> {
    if matches!(content, Content::Text { .. }) {
        return Ok(None);
    }
    let mut bare = content.clone();
    if let Some(words) = bare.words_mut() {
        words.clear();
    }
    serde_json::to_string(&bare)
        .map(Some)
        .map_err(|e| StoreError::corrupt(e))
}

#[async_trait]
pub trait MessageStore: Send + Sync + 'static {
    /// Stores a message from a member under the chat's next sequence, in one
    /// transaction; or returns the message stored before under the same
    /// client id. `NotMember` if `sender` is not in the chat, `NotAllowed`
    /// if they may not post, `SlowMode` if they posted too recently.
    async fn append_message(
        &self,
        chat: ChatId,
        sender: UserId,
        id: &ClientMsgId,
        post: Post<'_>,
        at: i64,
    ) -> Result<Appended>;
    /// Stores an act on an earlier message as the chat's next event and
    /// applies it (an edit's text, a deletion), in one transaction; or
    /// returns the event stored before under the same client id.
    /// `NotMember`, `BadTarget`, or `NotAllowed` (editing another's
    /// message, deleting it without the `delete` right, pinning without `pin`).
    async fn append_act(
        &self,
        chat: ChatId,
        sender: UserId,
        id: &ClientMsgId,
        act: &Act,
        at: i64,
    ) -> Result<Appended>;
    /// The first post of `chat` (not an act, not deleted) stamped at or
    /// after `at` (ms).
    async fn post_since(&self, chat: ChatId, at: i64) -> Result<Option<Seq>>;
    /// Posts (not acts, not deleted) containing the text, case-folded, in
    /// chats `user` is a member of; newest first.
    async fn search(&self, user: UserId, query: &Search<'_>) -> Result<Vec<Message>>;
    /// Messages with `seq > after`, oldest first, at most `limit`.
    async fn messages_after(&self, chat: ChatId, after: Seq, limit: usize) -> Result<Vec<Message>>;
    /// The newest `limit` messages with `seq < before`, oldest first.
    async fn messages_before(
        &self,
        chat: ChatId,
        before: Seq,
        limit: usize,
    ) -> Result<Vec<Message>>;
}

#[async_trait]
impl<DB> MessageStore for SqlStore<DB>
where
    DB: Database + Placeholder,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> i64: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> bool: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> String: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> &'r str: Encode<'r, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> &'r [u8]: Encode<'r, DB> + Type<DB>,
    for<'r> Vec<u8>: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> Option<i64>: Encode<'r, DB> + Type<DB>,
    for<'r> Option<&'r str>: Encode<'r, DB> + Type<DB>,
    for<'r> Option<String>: Encode<'r, DB> + Type<DB>,
    DB::QueryResult: Changed,
    usize: ColumnIndex<DB::Row>,
{
    async fn append_message(
        &self,
        chat: ChatId,
        sender: UserId,
        id: &ClientMsgId,
        post: Post<'_>,
        at: i64,
    ) -> Result<Appended> {
        let (reply, answer) = oneshot::channel();
        let append = Append {
            chat,
            sender,
            id: id.clone(),
            content: post.content,
            reply_to: post.reply_to,
            forwarded_from: post.forwarded_from.map(str::to_owned),
            at,
            reply,
        };
        self.appends
            .send(append)
            .await
            .map_err(|_| StoreError::commit_failed("store closed"))?;
        answer
            .await
            .map_err(|_| StoreError::commit_failed("store closed"))?
    }

    async fn append_act(
        &self,
        chat: ChatId,
        sender: UserId,
        id: &ClientMsgId,
        act: &Act,
        at: i64,
    ) -> Result<Appended> {
        let mut tx = self.writer.begin().await?;
        let who = sqlx::query(
            "SELECT m.role, m.rights, c.kind, c.broadcast, c.salt,
                    CASE WHEN c.broadcast = 1 THEN c.name ELSE u.name END AS sender_name
               FROM members m JOIN users u ON u.id = m.user_id JOIN chats c ON c.id = m.chat_id
              WHERE m.chat_id = $1 AND m.user_id = $2",
        )
        .bind(chat.0)
        .bind(sender.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotMember)?;
        let known = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id JOIN chats c ON c.id = m.chat_id
              WHERE m.chat_id = $1 AND m.sender_id = $2 AND m.client_id = $3"
        ))
        .bind(chat.0)
        .bind(sender.0)
        .bind(id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = known {
            return Ok(Appended {
                message: Self::message_from(&row)?,
                fresh: false,
            });
        }
        let kind = Self::chat_kind(&who)?;
        let (role, granted) = Self::standing(&who)?;
        let standing = Standing::new(kind, role, granted);
        let target = sqlx::query("SELECT sender_id FROM messages WHERE chat_id = $1 AND seq = $2 AND act IS NULL AND deleted = 0")
            .bind(chat.0)
            .bind(act.target().0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::BadTarget)?;
        let author = UserId(target.try_get("sender_id")?);
        // In a 1:1 where one blocked the other, only taking one's
        // own message back is left.
        if kind == ChatKind::Direct && !matches!(act, Act::Delete { .. }) {
            let blocks: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM members o JOIN blocks b
                     ON (b.user_id = o.user_id AND b.blocked_id = $2) OR (b.user_id = $2 AND b.blocked_id = o.user_id)
                  WHERE o.chat_id = $1 AND o.user_id <> $2",
            )
            .bind(chat.0)
            .bind(sender.0)
            .fetch_one(&mut *tx)
            .await?;
            if blocks > 0 {
                return Err(StoreError::Blocked);
            }
        }
        if !policy::may_act(&standing, act, author == sender) {
            return Err(StoreError::NotAllowed);
        }
        let seq: i64 = sqlx::query_scalar(
            "UPDATE chats SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
        )
        .bind(chat.0)
        .fetch_one(&mut *tx)
        .await?;
        let json = serde_json::to_string(act).map_err(|e| StoreError::corrupt(e))?;
        // Every act in a channel is veiled (see `veiled`).
        let broadcast: i64 = who.try_get("broadcast")?;
        sqlx::query("INSERT INTO messages (chat_id, seq, sender_id, client_id, text, at, act, veiled) VALUES ($1, $2, $3, $4, '', $5, $6, $7)")
            .bind(chat.0)
            .bind(seq)
            .bind(sender.0)
            .bind(id.as_str())
            .bind(at)
            .bind(json)
            .bind(broadcast)
            .execute(&mut *tx)
            .await?;
        // The stored message shows its latest state to whoever loads
        // it later; the act tells those who hold it already.
        match act {
            Act::Edit { target, text } => {
                // Checked again: a delete may have committed since
                // the target was read (PostgreSQL), and its text
                // must not come back. Dropping `tx` undoes the act.
                let edited = sqlx::query("UPDATE messages SET text = $3, folded = $4, edited = 1 WHERE chat_id = $1 AND seq = $2 AND deleted = 0")
                    .bind(chat.0)
                    .bind(target.0)
                    .bind(text.as_str())
                    .bind(text.to_lowercase())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if edited == 0 {
                    return Err(StoreError::BadTarget);
                }
                Self::blank_edits(&mut tx, chat, *target, Seq(seq)).await?;
            }
            Act::Delete { target } => {
                Self::erase(&mut tx, chat, *target).await?;
            }
            Act::React { .. } | Act::Pin { .. } => {}
        }
        tx.commit().await?;
        let shown_as = if broadcast == 1 {
            alias(&who.try_get::<String, _>("salt")?, sender)
        } else {
            sender
        };
        let message = Message {
            chat,
            seq: Seq(seq),
            id: id.clone(),
            sender: shown_as,
            sender_name: who.try_get("sender_name")?,
            content: None,
            at,
            reply_to: None,
            act: Some(act.clone()),
            forwarded_from: None,
            expires_at: None,
        };
        Ok(Appended {
            message,
            fresh: true,
        })
    }

    async fn post_since(&self, chat: ChatId, at: i64) -> Result<Option<Seq>> {
        // Stamps grow with seq, so the first in time is the first by
        // seq, and the index on (chat_id, at) finds it.
        let seq: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM messages WHERE chat_id = $1 AND at >= $2 AND act IS NULL AND deleted = 0 ORDER BY at, seq LIMIT 1",
        )
        .bind(chat.0)
        .bind(at)
        .fetch_optional(&self.scans)
        .await
        .map_err(scan_error)?;
        Ok(seq.map(Seq))
    }

    async fn search(&self, user: UserId, query: &Search<'_>) -> Result<Vec<Message>> {
        // The query's own %, _ and \ match themselves.
        let escaped = query
            .text
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let mut q = Statement::<DB>::new(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id JOIN chats c ON c.id = m.chat_id
               JOIN members me ON me.chat_id = m.chat_id AND me.user_id = "
        ));
        q.bind(user.0);
        q.push(" WHERE m.act IS NULL AND m.deleted = 0 AND m.folded LIKE ");
        q.bind(format!("%{escaped}%"));
        q.push(" ESCAPE '\\'");
        if let Some(chat) = query.chat {
            q.push(" AND m.chat_id = ").bind(chat.0);
        }
        if let Some(before) = query.before {
            q.push(" AND m.seq < ").bind(before.0);
        }
        q.push(" ORDER BY m.at DESC, m.seq DESC LIMIT ")
            .bind(i64::try_from(query.limit).unwrap_or(i64::MAX));
        let rows = q.query().fetch_all(&self.scans).await.map_err(scan_error)?;
        rows.iter().map(Self::message_from).collect()
    }

    async fn messages_after(&self, chat: ChatId, after: Seq, limit: usize) -> Result<Vec<Message>> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id JOIN chats c ON c.id = m.chat_id
              WHERE m.chat_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
        ))
        .bind(chat.0)
        .bind(after.0)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(Self::message_from).collect()
    }

    async fn messages_before(
        &self,
        chat: ChatId,
        before: Seq,
        limit: usize,
    ) -> Result<Vec<Message>> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id JOIN chats c ON c.id = m.chat_id
              WHERE m.chat_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3"
        ))
        .bind(chat.0)
        .bind(before.0)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().rev().map(Self::message_from).collect()
    }
}
