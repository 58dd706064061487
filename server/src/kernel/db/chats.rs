//! Chats, their members and the links and handles that open them.

use async_trait::async_trait;
use courier_protocol::http::PublicChat;
use courier_protocol::policy::Standing;
use courier_protocol::{ChatId, ChatKind, ChatSummary, Member, Rights, Role, Seq, UserId};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::accounts::Lookup;
use super::sql::{Changed, SqlStore, role_str, scan_error, summary_query};
use super::statement::{Placeholder, Statement};
use super::{Result, StoreError};

pub struct NewChat<'a> {
    /// For a group or channel, the first of `members` owns it.
    pub kind: ChatKind,
    pub name: Option<&'a str>,
    pub invite: &'a str,
    pub direct_key: Option<&'a str>,
    pub members: &'a [UserId],
    pub now: i64,
}

/// The chat an invite code or @handle opens.
pub struct InviteTarget {
    pub chat: ChatId,
    pub kind: ChatKind,
    pub name: String,
    pub member_count: u32,
    pub needs_approval: bool,
}

/// What redeeming an invite did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redeemed {
    /// The user is a member now; `fresh` is false if they were before.
    Joined { chat: ChatId, fresh: bool },
    /// The link needs an admin's approval: a join request is waiting.
    Requested { chat: ChatId },
}

#[async_trait]
pub trait ChatStore: Send + Sync + 'static {
    /// Creates a chat with its first members.
    async fn create_chat(&self, chat: NewChat<'_>) -> Result<ChatId>;
    async fn direct_chat(&self, direct_key: &str) -> Result<Option<ChatId>>;
    /// The chat an invite opens, or why it does not: `BadInvite` (unknown,
    /// or a direct chat's), `InviteExpired`, `InviteRevoked`, `InviteUsedUp`.
    async fn chat_by_invite(&self, invite: &str, now: i64) -> Result<InviteTarget>;
    /// Joins `user` by an invite (counting the use), or files a join
    /// request if the link needs approval; refused as `chat_by_invite`
    /// refuses, or `Banned`.
    async fn redeem_invite(&self, invite: &str, user: UserId, now: i64) -> Result<Redeemed>;
    /// A public chat by its @handle.
    async fn chat_by_handle(&self, handle: &str) -> Result<Option<InviteTarget>>;
    /// Public chats whose handle starts with, or whose title holds, what
    /// `look` asks; the exact handle first, then the biggest.
    async fn find_public(&self, look: &Lookup<'_>) -> Result<Vec<PublicChat>>;
    /// Adds a member; false if they already were one; `Banned` if banned.
    async fn add_member(&self, chat: ChatId, user: UserId, now: i64) -> Result<bool>;
    /// `user`'s standing in `chat`; `None` if not a member.
    async fn membership(&self, chat: ChatId, user: UserId) -> Result<Option<Standing>>;
    /// Members with user id above `after`, by user id, at most `limit`.
    async fn members(&self, chat: ChatId, after: UserId, limit: usize) -> Result<Vec<Member>>;
    /// The chat as `viewer` sees it (a direct chat is titled by the other person).
    async fn chat_summary(&self, chat: ChatId, viewer: UserId) -> Result<Option<ChatSummary>>;
    async fn chats_of(&self, user: UserId) -> Result<Vec<ChatSummary>>;
    /// The newest seq of each of `chats` that exists.
    async fn last_seqs(&self, chats: &[ChatId]) -> Result<Vec<(ChatId, Seq)>>;
}

#[async_trait]
impl<DB> ChatStore for SqlStore<DB>
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
    async fn create_chat(&self, chat: NewChat<'_>) -> Result<ChatId> {
        let mut tx = self.writer.begin().await?;
        let (kind, broadcast) = match chat.kind {
            ChatKind::Direct => ("direct", 0),
            ChatKind::Group => ("group", 0),
            ChatKind::Channel => ("group", 1),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO chats (kind, name, invite, direct_key, created_at, broadcast, salt, folded_name)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(kind)
        .bind(chat.name)
        .bind(chat.invite)
        .bind(chat.direct_key)
        .bind(chat.now)
        .bind(broadcast)
        // The secret behind the chat's aliases (see `alias`).
        .bind(crate::kernel::auth::new_invite_code())
        .bind(chat.name.unwrap_or_default().to_lowercase())
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO member_counts (chat_id, n) VALUES ($1, $2)")
            .bind(id)
            .bind(chat.members.len() as i64)
            .execute(&mut *tx)
            .await?;
        for (i, user) in chat.members.iter().enumerate() {
            let role = if i == 0 && chat.kind != ChatKind::Direct {
                Role::Owner
            } else {
                Role::Member
            };
            sqlx::query(
                "INSERT INTO members (chat_id, user_id, joined_at, role) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(user.0)
            .bind(chat.now)
            .bind(role_str(role))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ChatId(id))
    }

    async fn direct_chat(&self, direct_key: &str) -> Result<Option<ChatId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM chats WHERE direct_key = $1")
            .bind(direct_key)
            .fetch_optional(&self.reader)
            .await?;
        Ok(id.map(ChatId))
    }

    async fn chat_by_invite(&self, invite: &str, now: i64) -> Result<InviteTarget> {
        let mut conn = self.reader.acquire().await?;
        Ok(Self::resolve_invite(&mut conn, invite, now).await?.0)
    }

    async fn redeem_invite(&self, invite: &str, user: UserId, now: i64) -> Result<Redeemed> {
        let mut tx = self.writer.begin().await?;
        let (target, counted) = Self::resolve_invite(&mut tx, invite, now).await?;
        let chat = target.chat;
        let member: Option<i64> =
            sqlx::query_scalar("SELECT user_id FROM members WHERE chat_id = $1 AND user_id = $2")
                .bind(chat.0)
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?;
        if member.is_some() {
            return Ok(Redeemed::Joined { chat, fresh: false });
        }
        if Self::banned(&mut tx, chat, user).await? {
            return Err(StoreError::Banned);
        }
        if target.needs_approval {
            sqlx::query("INSERT INTO join_requests (chat_id, user_id, requested_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(chat.0)
                .bind(user.0)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(Redeemed::Requested { chat });
        }
        if counted {
            // Conditional, so two joins racing for the last use cannot both get it.
            let used = sqlx::query("UPDATE invites SET uses = uses + 1 WHERE code = $1 AND (usage_limit IS NULL OR uses < usage_limit)")
                .bind(invite)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if used == 0 {
                return Err(StoreError::InviteUsedUp);
            }
        }
        let fresh = Self::insert_member(&mut tx, chat, user, Role::Member, now).await?;
        tx.commit().await?;
        Ok(Redeemed::Joined { chat, fresh })
    }

    async fn chat_by_handle(&self, handle: &str) -> Result<Option<InviteTarget>> {
        let row = sqlx::query(
            "SELECT c.id, c.kind, c.broadcast, c.name, mc.n AS member_count FROM chats c
               JOIN member_counts mc ON mc.chat_id = c.id WHERE c.handle = $1",
        )
        .bind(handle)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| Self::target_from(&row, false)).transpose()
    }

    async fn find_public(&self, look: &Lookup<'_>) -> Result<Vec<PublicChat>> {
        let rows = sqlx::query(
            "SELECT c.id, c.kind, c.broadcast, c.name, c.handle, mc.n AS member_count FROM chats c
               JOIN member_counts mc ON mc.chat_id = c.id
              WHERE c.handle IS NOT NULL
                AND (c.handle LIKE $1 ESCAPE '\\' OR c.folded_name LIKE $2 ESCAPE '\\')
              ORDER BY CASE WHEN c.handle = $3 THEN 0 ELSE 1 END, mc.n DESC, c.handle
              LIMIT $4",
        )
        .bind(look.prefix)
        .bind(look.within)
        .bind(look.exact)
        .bind(i64::try_from(look.limit).unwrap_or(i64::MAX))
        .fetch_all(&self.scans)
        .await
        .map_err(scan_error)?;
        rows.iter()
            .map(|row| {
                let found = Self::target_from(row, false)?;
                Ok(PublicChat {
                    id: found.chat,
                    handle: row.try_get("handle")?,
                    title: found.name,
                    kind: found.kind,
                    member_count: found.member_count,
                })
            })
            .collect()
    }

    async fn add_member(&self, chat: ChatId, user: UserId, now: i64) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let added = Self::insert_member(&mut tx, chat, user, Role::Member, now).await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn membership(&self, chat: ChatId, user: UserId) -> Result<Option<Standing>> {
        let row = sqlx::query(
            "SELECT m.role, m.rights, c.kind, c.broadcast FROM members m JOIN chats c ON c.id = m.chat_id
              WHERE m.chat_id = $1 AND m.user_id = $2",
        )
        .bind(chat.0)
        .bind(user.0)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| {
            let kind = Self::chat_kind(&row)?;
            let (role, granted) = Self::standing(&row)?;
            Ok(Standing::new(kind, role, granted))
        })
        .transpose()
    }

    async fn members(&self, chat: ChatId, after: UserId, limit: usize) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.name, u.kind, m.role, m.rights FROM members m JOIN users u ON u.id = m.user_id
              WHERE m.chat_id = $1 AND m.user_id > $2 ORDER BY m.user_id LIMIT $3",
        )
        .bind(chat.0)
        .bind(after.0)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let (role, granted) = Self::standing(row)?;
                let rights = match role {
                    Role::Owner => Rights::ALL,
                    Role::Admin => granted,
                    Role::Member => Rights::NONE,
                };
                Ok(Member {
                    user: Self::user_from(row)?,
                    role,
                    rights,
                })
            })
            .collect()
    }

    async fn chat_summary(&self, chat: ChatId, viewer: UserId) -> Result<Option<ChatSummary>> {
        let row = sqlx::query(&format!("{} AND c.id = $2", summary_query()))
            .bind(viewer.0)
            .bind(chat.0)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(Self::summary_from).transpose()
    }

    async fn chats_of(&self, user: UserId) -> Result<Vec<ChatSummary>> {
        let rows = sqlx::query(&summary_query())
            .bind(user.0)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(Self::summary_from).collect()
    }

    async fn last_seqs(&self, chats: &[ChatId]) -> Result<Vec<(ChatId, Seq)>> {
        if chats.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Statement::<DB>::new("SELECT id, last_seq FROM chats WHERE id IN (");
        q.list(chats, |chat| chat.0).push(")");
        q.query()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| Ok((ChatId(row.try_get("id")?), Seq(row.try_get("last_seq")?))))
            .collect()
    }
}
