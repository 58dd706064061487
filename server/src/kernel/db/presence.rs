//! When people were last seen, and whether they show it.

use async_trait::async_trait;
use courier_protocol::UserId;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::Result;
use super::sql::{Changed, SqlStore};
use super::statement::{Placeholder, Statement};

/// What the store knows of someone's presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserPresence {
    /// When a socket of theirs was last open.
    pub seen_at: i64,
    /// Their open sockets vouch they are online until then.
    pub online_until: i64,
    /// They hide their last seen time.
    pub hidden: bool,
}

#[async_trait]
pub trait PresenceStore: Send + Sync + 'static {
    /// Marks `users` seen at `now` and online until `online_until`.
    async fn touch(&self, users: &[UserId], online_until: i64, now: i64) -> Result<()>;
    /// `user`'s presence, if `viewer` shares a chat with them that is not a
    /// channel (a channel's readers and admins stay unknown to each other).
    async fn presence(&self, user: UserId, viewer: UserId) -> Result<Option<UserPresence>>;
    async fn set_hide_seen(&self, user: UserId, hide: bool) -> Result<()>;
    async fn hides_seen(&self, user: UserId) -> Result<bool>;
}

#[async_trait]
impl<DB> PresenceStore for SqlStore<DB>
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
    async fn touch(&self, users: &[UserId], online_until: i64, now: i64) -> Result<()> {
        if users.is_empty() {
            return Ok(());
        }
        let mut q = Statement::<DB>::new("UPDATE users SET seen_at = ");
        q.bind(now)
            .push(", online_until = ")
            .bind(online_until)
            .push(" WHERE id IN (");
        q.list(users, |user| user.0).push(")");
        q.query().execute(&self.writer).await?;
        Ok(())
    }

    async fn presence(&self, user: UserId, viewer: UserId) -> Result<Option<UserPresence>> {
        let row = sqlx::query(
            "SELECT u.seen_at, u.online_until, u.hide_seen FROM users u
              WHERE u.id = $1 AND EXISTS (SELECT 1 FROM members a JOIN members b ON b.chat_id = a.chat_id
                                            JOIN chats c ON c.id = a.chat_id
                                           WHERE a.user_id = $1 AND b.user_id = $2 AND c.broadcast = 0)",
        )
        .bind(user.0)
        .bind(viewer.0)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            Ok(UserPresence {
                seen_at: r.try_get("seen_at")?,
                online_until: r.try_get("online_until")?,
                hidden: r.try_get::<i64, _>("hide_seen")? == 1,
            })
        })
        .transpose()
    }

    async fn set_hide_seen(&self, user: UserId, hide: bool) -> Result<()> {
        sqlx::query("UPDATE users SET hide_seen = $2 WHERE id = $1")
            .bind(user.0)
            .bind(i64::from(hide))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn hides_seen(&self, user: UserId) -> Result<bool> {
        let hide: Option<i64> = sqlx::query_scalar("SELECT hide_seen FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(&self.reader)
            .await?;
        Ok(hide == Some(1))
    }
}
