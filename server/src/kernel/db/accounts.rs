//! Users, their sessions (devices) and whom they block.

use async_trait::async_trait;
use courier_protocol::{UserId, UserInfo, UserKind};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::sql::{Changed, SqlStore, kind_str, scan_error, unique_is};
use super::statement::{Placeholder, Statement};
use super::{Result, StoreError};

pub struct NewUser<'a> {
    pub username: Option<&'a str>,
    pub name: &'a str,
    pub password_hash: Option<&'a str>,
    pub kind: UserKind,
    pub now: i64,
}

/// A session as its user's device list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: Vec<u8>,
    pub name: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    async fn create_user(&self, user: NewUser<'_>) -> Result<UserInfo>;
    /// The user and password hash for a username, if it has a password.
    async fn credentials(&self, username: &str) -> Result<Option<(UserInfo, String)>>;
    /// Turns a guest into an account, keeping their id, chats and history.
    async fn claim_account(
        &self,
        user: UserId,
        username: &str,
        password_hash: &str,
    ) -> Result<UserInfo>;
    /// A new session: a device called `name`.
    async fn create_session(
        &self,
        token_hash: &[u8],
        user: UserId,
        name: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()>;
    /// The user a live session belongs to.
    async fn session_user(&self, token_hash: &[u8], now: i64) -> Result<Option<UserInfo>>;
    async fn delete_session(&self, token_hash: &[u8]) -> Result<()>;
    /// The user's live sessions (devices), the most recently seen first.
    async fn sessions_of(&self, user: UserId, now: i64) -> Result<Vec<SessionRow>>;
    /// Renames one of the user's sessions; false if they have no such one.
    async fn rename_session(&self, user: UserId, token_hash: &[u8], name: &str) -> Result<bool>;
    /// The session was just used to open or close a socket.
    async fn touch_session(&self, token_hash: &[u8], now: i64) -> Result<()>;
    /// Deletes every session of the user but `keep`; returns those deleted.
    async fn end_sessions(&self, user: UserId, keep: &[u8]) -> Result<Vec<Vec<u8>>>;
    async fn set_password(&self, user: UserId, password_hash: &str) -> Result<()>;
    /// `user` blocks (`on`) or unblocks `other`; false if there is no
    /// such user to block.
    async fn set_blocked(&self, user: UserId, other: UserId, on: bool, now: i64) -> Result<bool>;
    /// Whom `user` blocked, newest first.
    async fn blocked(&self, user: UserId) -> Result<Vec<UserInfo>>;
    /// Whether either of the two blocked the other.
    async fn blocked_between(&self, a: UserId, b: UserId) -> Result<bool>;
    /// How many groups and channels `user` is in.
    async fn groups_of(&self, user: UserId) -> Result<u32>;
    /// Which of `token_hashes` are sessions still live at `now`.
    async fn live_sessions(&self, token_hashes: &[Vec<u8>], now: i64) -> Result<Vec<Vec<u8>>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<UserInfo>>;
    /// Accounts other than `me` whose username starts with what `look`
    /// asks, or (among those sharing a group or direct chat with `me`)
    /// whose case-folded name holds it; the exact username first, then by
    /// username.
    async fn find_people(&self, me: UserId, look: &Lookup<'_>) -> Result<Vec<UserInfo>>;
}

/// What a directory search looks for, as `LIKE` patterns (a backslash
/// escapes `%`, `_` and itself).
pub struct Lookup<'a> {
    /// What a username or handle starts with: `text%`.
    pub prefix: &'a str,
    /// What a name or title holds, matched against its case-folded copy
    /// (`folded_name`, folded by Rust's `to_lowercase`): `%text%`.
    pub within: &'a str,
    /// The text itself, which an exact match equals.
    pub exact: &'a str,
    pub limit: usize,
}

#[async_trait]
impl<DB> AccountStore for SqlStore<DB>
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
    async fn create_user(&self, user: NewUser<'_>) -> Result<UserInfo> {
        let row = sqlx::query(
            "INSERT INTO users (username, name, password_hash, kind, created_at, folded_name) VALUES ($1, $2, $3, $4, $5, $6)
             RETURNING id, username, name, kind",
        )
        .bind(user.username)
        .bind(user.name)
        .bind(user.password_hash)
        .bind(kind_str(user.kind))
        .bind(user.now)
        .bind(user.name.to_lowercase())
        .fetch_one(&self.writer)
        .await
        .map_err(|e| unique_is(e, StoreError::UsernameTaken))?;
        Self::user_from(&row)
    }

    async fn credentials(&self, username: &str) -> Result<Option<(UserInfo, String)>> {
        let row = sqlx::query(
            "SELECT id, username, name, kind, password_hash FROM users
              WHERE username = $1 AND password_hash IS NOT NULL",
        )
        .bind(username)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| Ok((Self::user_from(&row)?, row.try_get("password_hash")?)))
            .transpose()
    }

    async fn claim_account(
        &self,
        user: UserId,
        username: &str,
        password_hash: &str,
    ) -> Result<UserInfo> {
        let row = sqlx::query(
            "UPDATE users SET username = $1, password_hash = $2, kind = 'account'
              WHERE id = $3 AND kind = 'guest' RETURNING id, username, name, kind",
        )
        .bind(username)
        .bind(password_hash)
        .bind(user.0)
        .fetch_optional(&self.writer)
        .await
        .map_err(|e| unique_is(e, StoreError::UsernameTaken))?;
        Self::user_from(&row.ok_or(StoreError::NotGuest)?)
    }

    async fn create_session(
        &self,
        token_hash: &[u8],
        user: UserId,
        name: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        // Sweep this user's expired sessions, so the table does not grow.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
            .bind(user.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, name, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)")
            .bind(token_hash)
            .bind(user.0)
            .bind(name)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &[u8], now: i64) -> Result<Option<UserInfo>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.name, u.kind FROM sessions s JOIN users u ON u.id = s.user_id
              WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(Self::user_from).transpose()
    }

    async fn delete_session(&self, token_hash: &[u8]) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn sessions_of(&self, user: UserId, now: i64) -> Result<Vec<SessionRow>> {
        sqlx::query(
            "SELECT token_hash, name, created_at, last_seen_at FROM sessions
              WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, created_at DESC",
        )
        .bind(user.0)
        .bind(now)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| {
            Ok(SessionRow {
                token_hash: row.try_get("token_hash")?,
                name: row.try_get("name")?,
                created_at: row.try_get("created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
            })
        })
        .collect()
    }

    async fn rename_session(&self, user: UserId, token_hash: &[u8], name: &str) -> Result<bool> {
        let done =
            sqlx::query("UPDATE sessions SET name = $1 WHERE token_hash = $2 AND user_id = $3")
                .bind(name)
                .bind(token_hash)
                .bind(user.0)
                .execute(&self.writer)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn touch_session(&self, token_hash: &[u8], now: i64) -> Result<()> {
        // At most once a minute: a reconnecting crowd writes little.
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1 - 60000")
            .bind(now)
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn end_sessions(&self, user: UserId, keep: &[u8]) -> Result<Vec<Vec<u8>>> {
        sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2 RETURNING token_hash",
        )
        .bind(user.0)
        .bind(keep)
        .fetch_all(&self.writer)
        .await?
        .iter()
        .map(|row| Ok(row.try_get("token_hash")?))
        .collect()
    }

    async fn set_password(&self, user: UserId, password_hash: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user.0)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn set_blocked(&self, user: UserId, other: UserId, on: bool, now: i64) -> Result<bool> {
        if !on {
            sqlx::query("DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2")
                .bind(user.0)
                .bind(other.0)
                .execute(&self.writer)
                .await?;
            return Ok(true);
        }
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
            .bind(other.0)
            .fetch_optional(&self.writer)
            .await?;
        if known.is_none() {
            return Ok(false);
        }
        sqlx::query("INSERT INTO blocks (user_id, blocked_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(user.0)
            .bind(other.0)
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(true)
    }

    async fn blocked(&self, user: UserId) -> Result<Vec<UserInfo>> {
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.name, u.kind FROM blocks b JOIN users u ON u.id = b.blocked_id
              WHERE b.user_id = $1 ORDER BY b.at DESC",
        )
        .bind(user.0)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(Self::user_from).collect()
    }

    async fn blocked_between(&self, a: UserId, b: UserId) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT user_id FROM blocks WHERE (user_id = $1 AND blocked_id = $2) OR (user_id = $2 AND blocked_id = $1) LIMIT 1",
        )
        .bind(a.0)
        .bind(b.0)
        .fetch_optional(&self.reader)
        .await?;
        Ok(found.is_some())
    }

    async fn groups_of(&self, user: UserId) -> Result<u32> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members m JOIN chats c ON c.id = m.chat_id WHERE m.user_id = $1 AND c.kind <> 'direct'")
            .bind(user.0)
            .fetch_one(&self.reader)
            .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn live_sessions(&self, token_hashes: &[Vec<u8>], now: i64) -> Result<Vec<Vec<u8>>> {
        if token_hashes.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Statement::<DB>::new("SELECT token_hash FROM sessions WHERE expires_at > ");
        q.bind(now).push(" AND token_hash IN (");
        q.list(token_hashes, |hash| hash.as_slice()).push(")");
        q.query()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| Ok(row.try_get("token_hash")?))
            .collect()
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserInfo>> {
        let row = sqlx::query("SELECT id, username, name, kind FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(Self::user_from).transpose()
    }

    async fn find_people(&self, me: UserId, look: &Lookup<'_>) -> Result<Vec<UserInfo>> {
        // By name only those `me` sees as fellow members: a chat that is not
        // a channel (whose readers stay unknown to each other), as presence.
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.name, u.kind FROM users u
              WHERE u.kind = 'account' AND u.id <> $1 AND u.username IS NOT NULL
                AND (u.username LIKE $2 ESCAPE '\\'
                     OR (u.folded_name LIKE $3 ESCAPE '\\' AND EXISTS (
                         SELECT 1 FROM members mine
                           JOIN chats c ON c.id = mine.chat_id AND c.broadcast = 0
                           JOIN members theirs ON theirs.chat_id = mine.chat_id AND theirs.user_id = u.id
                          WHERE mine.user_id = $1)))
              ORDER BY CASE WHEN u.username = $4 THEN 0 ELSE 1 END, u.username
              LIMIT $5",
        )
        .bind(me.0)
        .bind(look.prefix)
        .bind(look.within)
        .bind(look.exact)
        .bind(i64::try_from(look.limit).unwrap_or(i64::MAX))
        .fetch_all(&self.scans)
        .await
        .map_err(scan_error)?;
        rows.iter().map(Self::user_from).collect()
    }
}
