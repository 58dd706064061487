//! How far each member has read and received a chat (their cursors, not
//! events), and the view counts that reading a channel adds.

use async_trait::async_trait;
use courier_protocol::http::ReadCursor;
use courier_protocol::model::message::ViewCount;
use courier_protocol::policy;
use courier_protocol::{ChatId, ChatKind, Seq, UserId};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::sql::{Changed, SqlStore, VIEWED_AT_ONCE};
use super::statement::{Placeholder, Statement};
use super::{Result, StoreError};

/// A read cursor that moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadMoved {
    pub seq: Seq,
    /// The chat's members see each other's reads (not a channel, nor a
    /// group over `SEEN_BY_MAX_MEMBERS`); otherwise only the reader's own
    /// devices are told.
    pub shared: bool,
}

#[async_trait]
pub trait CursorStore: Send + Sync + 'static {
    /// Moves a member's read cursor forward to `seq`; in a channel, each
    /// post it passes for the first time gains a view. Where it moved to,
    /// if it moved.
    async fn mark_read(&self, chat: ChatId, user: UserId, seq: Seq) -> Result<Option<ReadMoved>>;
    /// Moves the member's delivered cursor forward; the new cursor where
    /// members see each other's deliveries and it moved, `None` otherwise.
    async fn mark_delivered(&self, chat: ChatId, user: UserId, seq: Seq) -> Result<Option<Seq>>;
    /// Every member's read cursor, or none if the chat has more than `most` members.
    async fn reads(&self, chat: ChatId, most: u32) -> Result<Vec<ReadCursor>>;
    async fn views(&self, chat: ChatId, seqs: &[Seq]) -> Result<Vec<ViewCount>>;
}

#[async_trait]
impl<DB> CursorStore for SqlStore<DB>
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
    async fn mark_read(&self, chat: ChatId, user: UserId, seq: Seq) -> Result<Option<ReadMoved>> {
        let mut tx = self.writer.begin().await?;
        let Some(row) = sqlx::query(
            "SELECT m.read_seq, c.broadcast, c.last_seq, mc.n FROM members m JOIN chats c ON c.id = m.chat_id
               JOIN member_counts mc ON mc.chat_id = c.id
              WHERE m.chat_id = $1 AND m.user_id = $2",
        )
        .bind(chat.0)
        .bind(user.0)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Err(StoreError::NotMember);
        };
        let (from, broadcast, last): (i64, i64, i64) = (
            row.try_get("read_seq")?,
            row.try_get("broadcast")?,
            row.try_get("last_seq")?,
        );
        // Only whether it is a channel counts here, not 1:1 or group.
        let kind = if broadcast == 0 {
            ChatKind::Group
        } else {
            ChatKind::Channel
        };
        let shared = policy::shares_reads(
            kind,
            u32::try_from(row.try_get::<i64, _>("n")?).unwrap_or(u32::MAX),
        );
        let to = seq.0.min(last);
        if to <= from {
            return Ok(None);
        }
        // Conditional on the cursor read above: two tabs reading at
        // once count each post once.
        let moved = sqlx::query(
            "UPDATE members SET read_seq = $3,
                    delivered_seq = CASE WHEN delivered_seq < $3 THEN $3 ELSE delivered_seq END
              WHERE chat_id = $1 AND user_id = $2 AND read_seq = $4",
        )
        .bind(chat.0)
        .bind(user.0)
        .bind(to)
        .bind(from)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if moved && broadcast == 1 {
            // Admins' own posts are not views of them. A reader
            // sees at most a screenful at once: a new reader of a
            // long channel views its newest posts, not all of them
            // (and costs a bounded write).
            sqlx::query("UPDATE messages SET views = views + 1 WHERE chat_id = $1 AND seq > $2 AND seq <= $3 AND sender_id <> $4")
                .bind(chat.0)
                .bind(from.max(to - VIEWED_AT_ONCE))
                .bind(to)
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(moved.then_some(ReadMoved {
            seq: Seq(to),
            shared,
        }))
    }

    async fn mark_delivered(&self, chat: ChatId, user: UserId, seq: Seq) -> Result<Option<Seq>> {
        let Some(row) = sqlx::query(
            "SELECT c.broadcast, c.last_seq, mc.n FROM members m JOIN chats c ON c.id = m.chat_id
               JOIN member_counts mc ON mc.chat_id = c.id
              WHERE m.chat_id = $1 AND m.user_id = $2",
        )
        .bind(chat.0)
        .bind(user.0)
        .fetch_optional(&self.reader)
        .await?
        else {
            return Err(StoreError::NotMember);
        };
        let (broadcast, last, n): (i64, i64, i64) = (
            row.try_get("broadcast")?,
            row.try_get("last_seq")?,
            row.try_get("n")?,
        );
        // Nobody sees deliveries in channels and big groups: no write.
        let kind = if broadcast == 0 {
            ChatKind::Group
        } else {
            ChatKind::Channel
        };
        if !policy::shares_reads(kind, u32::try_from(n).unwrap_or(u32::MAX)) {
            return Ok(None);
        }
        let to = seq.0.min(last);
        let moved = sqlx::query("UPDATE members SET delivered_seq = $3 WHERE chat_id = $1 AND user_id = $2 AND delivered_seq < $3")
            .bind(chat.0)
            .bind(user.0)
            .bind(to)
            .execute(&self.writer)
            .await?
            .rows_affected()
            == 1;
        Ok(moved.then_some(Seq(to)))
    }

    async fn reads(&self, chat: ChatId, most: u32) -> Result<Vec<ReadCursor>> {
        let rows = sqlx::query(
            "SELECT user_id, read_seq, delivered_seq FROM members WHERE chat_id = $1 LIMIT $2",
        )
        .bind(chat.0)
        .bind(i64::from(most) + 1)
        .fetch_all(&self.reader)
        .await?;
        if rows.len() > most as usize {
            return Ok(Vec::new());
        }
        rows.iter()
            .map(|r| {
                Ok(ReadCursor {
                    user: UserId(r.try_get("user_id")?),
                    seq: Seq(r.try_get("read_seq")?),
                    delivered: Seq(r.try_get("delivered_seq")?),
                })
            })
            .collect()
    }

    async fn views(&self, chat: ChatId, seqs: &[Seq]) -> Result<Vec<ViewCount>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Statement::<DB>::new("SELECT seq, views FROM messages WHERE chat_id = ");
        q.bind(chat.0).push(" AND seq IN (");
        q.list(seqs, |seq| seq.0).push(") ORDER BY seq");
        q.query()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| {
                Ok(ViewCount {
                    seq: Seq(row.try_get("seq")?),
                    views: Self::count(row, "views")?,
                })
            })
            .collect()
    }
}
