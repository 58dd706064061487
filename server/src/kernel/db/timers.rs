//! Messages posted later (scheduled) and deleted later (disappearing).

use async_trait::async_trait;
use courier_protocol::http::ScheduledPost;
use courier_protocol::{Act, ChatId, ClientMsgId, Content, Message, Seq, UserId};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::jobs::{self, Due};
use super::sql::{Changed, MESSAGE_COLUMNS, SqlStore, alias};
use super::statement::Placeholder;
use super::{Result, StoreError};
use crate::kernel::jobs::{Job, NewJob};

#[async_trait]
pub trait TimerStore: Send + Sync + 'static {
    /// Keeps a message to post at `post.at`, with its [`Due`] job;
    /// `TooMany` if the sender has `most` waiting in the chat. The same id
    /// twice keeps the first.
    async fn schedule(
        &self,
        chat: ChatId,
        sender: UserId,
        post: &ScheduledPost,
        most: usize,
    ) -> Result<()>;
    /// The sender's waiting messages in a chat, soonest first.
    async fn scheduled(&self, chat: ChatId, sender: UserId) -> Result<Vec<ScheduledPost>>;
    /// Drops a waiting message (cancelled, or posted) and its job; false
    /// if none.
    async fn unschedule(&self, chat: ChatId, sender: UserId, id: &ClientMsgId) -> Result<bool>;
    /// Deletes a message whose disappearing timer ran out, by a delete
    /// act from its sender appended to its chat at `now`: the act, or
    /// `None` if it was gone already.
    async fn expire(&self, chat: ChatId, seq: Seq, now: i64) -> Result<Option<Message>>;
}

#[async_trait]
impl<DB> TimerStore for SqlStore<DB>
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
    async fn schedule(
        &self,
        chat: ChatId,
        sender: UserId,
        post: &ScheduledPost,
        most: usize,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM scheduled WHERE chat_id = $1 AND sender_id = $2",
        )
        .bind(chat.0)
        .bind(sender.0)
        .fetch_one(&mut *tx)
        .await?;
        if waiting >= most as i64 {
            return Err(StoreError::TooMany);
        }
        // The same id again (a retried request) changes nothing.
        sqlx::query("INSERT INTO scheduled (chat_id, sender_id, client_id, text, due_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
            .bind(chat.0)
            .bind(sender.0)
            .bind(post.id.as_str())
            .bind(post.content.words())
            .bind(post.at)
            .execute(&mut *tx)
            .await?;
        let due = Due {
            chat,
            sender,
            id: post.id.clone(),
            text: post.content.words().to_owned(),
        };
        let job = NewJob::of(&due, post.at).map_err(|e| StoreError::corrupt(e))?;
        jobs::insert::<DB>([&job]).query().execute(&mut *tx).await?;
        Ok(tx.commit().await?)
    }

    async fn scheduled(&self, chat: ChatId, sender: UserId) -> Result<Vec<ScheduledPost>> {
        let rows = sqlx::query("SELECT client_id, text, due_at FROM scheduled WHERE chat_id = $1 AND sender_id = $2 ORDER BY due_at, client_id")
            .bind(chat.0)
            .bind(sender.0)
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ScheduledPost {
                    id: ClientMsgId(r.try_get("client_id")?),
                    content: Content::text(r.try_get::<String, _>("text")?),
                    at: r.try_get("due_at")?,
                })
            })
            .collect()
    }

    async fn unschedule(&self, chat: ChatId, sender: UserId, id: &ClientMsgId) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query(
            "DELETE FROM scheduled WHERE chat_id = $1 AND sender_id = $2 AND client_id = $3",
        )
        .bind(chat.0)
        .bind(sender.0)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let due = Due {
            chat,
            sender,
            id: id.clone(),
            text: String::new(),
        };
        jobs::cancel::<DB>(&mut tx, Due::QUEUE, &due.key()).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn expire(&self, chat: ChatId, seq: Seq, now: i64) -> Result<Option<Message>> {
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id JOIN chats c ON c.id = m.chat_id
              WHERE m.chat_id = $1 AND m.seq = $2 AND m.deleted = 0"
        ))
        .bind(chat.0)
        .bind(seq.0)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let gone = Self::message_as_stored(&row)?;
        let (broadcast, salt): (i64, String) =
            (row.try_get("chat_broadcast")?, row.try_get("chat_salt")?);
        let mut tx = self.writer.begin().await?;
        // Only this transaction may take it: a delete for everyone, or
        // another node running this job, that got here first leaves
        // nothing to update.
        if !Self::erase(&mut tx, gone.chat, gone.seq).await? {
            return Ok(None);
        }
        let seq: i64 = sqlx::query_scalar(
            "UPDATE chats SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
        )
        .bind(gone.chat.0)
        .fetch_one(&mut *tx)
        .await?;
        let act = Act::Delete { target: gone.seq };
        let json = serde_json::to_string(&act).map_err(|e| StoreError::corrupt(e))?;
        // A client id no client can send (a '.'), so it never collides.
        let id = ClientMsgId(format!("expired.{}", gone.seq.0));
        sqlx::query("INSERT INTO messages (chat_id, seq, sender_id, client_id, text, at, act, veiled) VALUES ($1, $2, $3, $4, '', $5, $6, $7)")
            .bind(gone.chat.0)
            .bind(seq)
            .bind(gone.sender.0)
            .bind(id.as_str())
            .bind(now)
            .bind(json)
            .bind(broadcast)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let sender = if broadcast == 1 {
            alias(&salt, gone.sender)
        } else {
            gone.sender
        };
        Ok(Some(Message {
            sender,
            seq: Seq(seq),
            id,
            content: None,
            at: now,
            reply_to: None,
            act: Some(act),
            forwarded_from: None,
            expires_at: None,
            ..gone
        }))
    }
}
