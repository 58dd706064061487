//! The SQL that SQLite and PostgreSQL share, written once.
//!
//! Both engines accept `$1`-style parameters, `ON CONFLICT DO NOTHING`,
//! `RETURNING`, row values and `UPDATE … FROM (VALUES …)`, so one text
//! serves both (statements built at run time number their parameters each
//! backend's way, see `statement`): [`SqlStore`] is generic over sqlx's
//! backend, and what a backend must offer is named once per impl block
//! (the `where` lists; Rust does not carry such bounds from one to another).
//! Opening a store is the backend's own (`sqlite`, `postgres`): pools,
//! pragmas, migrations.

use std::collections::HashMap;

use async_trait::async_trait;
use courier_protocol::http::{
    ChatSettings, InviteLink, JoinRequest, NewInvite, ReadCursor, ScheduledPost,
};
use courier_protocol::model::folder::Folder;
use courier_protocol::model::message::ViewCount;
use courier_protocol::policy;
use courier_protocol::{
    Act, ChatId, ChatKind, ChatSummary, ClientMsgId, Content, Member, Message, Place, Rights, Role,
    Seq, UserId, UserInfo, UserKind,
};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};
use tokio::sync::{mpsc, oneshot};

use super::jobs::{self, Due, Expiry};
use super::statement::{Placeholder, Statement};
use super::{
    Appended, InviteTarget, NewChat, NewUser, Post, ReadMoved, Redeemed, Result, Search,
    SessionRow, Standing, Store, StoreError, UserPresence,
};
use crate::kernel::jobs::{Job, NewJob};

/// A store on one sqlx backend: `writer` (the pool writes go through),
/// `reader` (the pool reads use), `scans` (searches and other scans, each
/// cut off at [`SCAN_BUDGET`]) and `appends` (the group committer's queue).
pub struct SqlStore<DB: Database> {
    pub(super) writer: Pool<DB>,
    pub(super) reader: Pool<DB>,
    pub(super) scans: Pool<DB>,
    pub(super) appends: mpsc::Sender<Append>,
}

/// What a statement's result says on every backend: how many rows it
/// changed.
pub trait Changed {
    fn rows_affected(&self) -> u64;
}

fn kind_str(kind: UserKind) -> &'static str {
    match kind {
        UserKind::Account => "account",
        UserKind::Guest => "guest",
    }
}

/// The columns of a message `m` by user `u` in chat `c`. A veiled
/// event (an unsigned post or any act in a channel, as it was when
/// written) shows the channel's name, and `message_from` puts an
/// alias in place of its sender (see [`alias`]).
const MESSAGE_COLUMNS: &str = "m.chat_id, m.seq, m.client_id, m.sender_id, \
    CASE WHEN m.veiled = 1 THEN c.name ELSE u.name END AS sender_name, m.text, m.at, \
    m.reply_to, m.act, m.forwarded_from, m.expires_at, m.veiled, c.broadcast AS chat_broadcast, c.salt AS chat_salt";

/// Whether an event of a channel hides who made it: all do but a
/// post under its author's signature. Decided when it is written:
/// turning signatures on later reveals nobody.
fn veiled(broadcast: bool, signatures: bool, act: Option<&Act>) -> bool {
    broadcast && !(signatures && act.is_none())
}

/// The id that stands for `user` in a channel whose secret is `salt`:
/// the same for all their events there (so reactions still count
/// once each, and their own app knows them), different in every
/// channel, and no reader can tell whose it is. Negative, so it is
/// never a real user's.
pub(crate) fn alias(salt: &str, user: UserId) -> UserId {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(salt.as_bytes())
        .chain_update(user.0.to_be_bytes())
        .finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    UserId(-1 - (i64::from_be_bytes(bytes) & 0x0000_ffff_ffff_ffff))
}

/// A chat as one member (`$1`) sees it, with its newest message.
fn summary_query() -> String {
    format!(
        "SELECT c.id, c.kind, c.broadcast, c.name, c.invite, c.last_seq, mc.n AS member_count, me.user_id AS viewer_id,
                c.handle, c.slow_mode_s, c.signatures, c.ttl_s, me.role, me.rights, me.draft, me.read_seq,
                me.pinned, me.muted, me.archived,
                -- Only a direct chat is titled by the other person; the
                -- CASE keeps this off a big group's member rows.
                CASE WHEN c.kind = 'direct' THEN
                    (SELECT u.name FROM members o JOIN users u ON u.id = o.user_id
                      WHERE o.chat_id = c.id AND o.user_id <> $1 LIMIT 1) END AS other_name,
                (SELECT u.name FROM users u WHERE u.id = $1) AS own_name,
                {MESSAGE_COLUMNS}
           FROM members me
           JOIN chats c ON c.id = me.chat_id
           JOIN member_counts mc ON mc.chat_id = c.id
           -- The preview is the newest post still there, not an act on one.
           LEFT JOIN messages m ON m.chat_id = c.id AND m.seq =
                (SELECT MAX(p.seq) FROM messages p WHERE p.chat_id = c.id AND p.act IS NULL AND p.deleted = 0)
           LEFT JOIN users u ON u.id = m.sender_id
          WHERE me.user_id = $1"
    )
}

fn role_from(role: &str) -> Role {
    match role {
        "owner" => Role::Owner,
        "admin" => Role::Admin,
        _ => Role::Member,
    }
}

fn role_str(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Member => "member",
    }
}

#[async_trait]
impl<DB> Store for SqlStore<DB>
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
            "INSERT INTO users (username, name, password_hash, kind, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id, username, name, kind",
        )
        .bind(user.username)
        .bind(user.name)
        .bind(user.password_hash)
        .bind(kind_str(user.kind))
        .bind(user.now)
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

    async fn create_chat(&self, chat: NewChat<'_>) -> Result<ChatId> {
        let mut tx = self.writer.begin().await?;
        let (kind, broadcast) = match chat.kind {
            ChatKind::Direct => ("direct", 0),
            ChatKind::Group => ("group", 0),
            ChatKind::Channel => ("group", 1),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO chats (kind, name, invite, direct_key, created_at, broadcast, salt)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(kind)
        .bind(chat.name)
        .bind(chat.invite)
        .bind(chat.direct_key)
        .bind(chat.now)
        .bind(broadcast)
        // The secret behind the chat's aliases (see `alias`).
        .bind(crate::kernel::auth::new_invite_code())
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

    async fn set_role(
        &self,
        chat: ChatId,
        user: UserId,
        role: Role,
        rights: Rights,
    ) -> Result<bool> {
        let changed = sqlx::query("UPDATE members SET role = $3, rights = $4 WHERE chat_id = $1 AND user_id = $2 AND role <> 'owner'")
            .bind(chat.0)
            .bind(user.0)
            .bind(role_str(role))
            .bind(if role == Role::Admin { rights.to_bits() } else { 0 })
            .execute(&self.writer)
            .await?
            .rows_affected();
        Ok(changed == 1)
    }

    async fn remove_member(&self, chat: ChatId, user: UserId, ban: bool, now: i64) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let removed = sqlx::query(
            "DELETE FROM members WHERE chat_id = $1 AND user_id = $2 AND role <> 'owner'",
        )
        .bind(chat.0)
        .bind(user.0)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if removed {
            sqlx::query("UPDATE member_counts SET n = n - 1 WHERE chat_id = $1")
                .bind(chat.0)
                .execute(&mut *tx)
                .await?;
        }
        if ban {
            sqlx::query("INSERT INTO bans (chat_id, user_id, banned_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(chat.0)
                .bind(user.0)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM join_requests WHERE chat_id = $1 AND user_id = $2")
                .bind(chat.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    async fn unban(&self, chat: ChatId, user: UserId) -> Result<()> {
        sqlx::query("DELETE FROM bans WHERE chat_id = $1 AND user_id = $2")
            .bind(chat.0)
            .bind(user.0)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn update_chat(&self, chat: ChatId, settings: &ChatSettings) -> Result<()> {
        if *settings == ChatSettings::default() {
            return Ok(());
        }
        let mut q = Statement::<DB>::new("");
        let mut set = Vec::new();
        if let Some(name) = &settings.name {
            set.push(format!("name = {}", q.arg(name.as_str())));
        }
        if let Some(handle) = &settings.handle {
            let handle = (!handle.is_empty()).then_some(handle.as_str());
            set.push(format!("handle = {}", q.arg(handle)));
        }
        if let Some(slow) = settings.slow_mode_s {
            set.push(format!("slow_mode_s = {}", q.arg(i64::from(slow))));
        }
        if let Some(signatures) = settings.signatures {
            set.push(format!("signatures = {}", q.arg(i64::from(signatures))));
        }
        if let Some(ttl) = settings.ttl_s {
            set.push(format!("ttl_s = {}", q.arg(i64::from(ttl))));
        }
        q.push("UPDATE chats SET ").push(&set.join(", "));
        q.push(" WHERE id = ").bind(chat.0);
        q.query()
            .execute(&self.writer)
            .await
            .map_err(|e| unique_is(e, StoreError::HandleTaken))?;
        Ok(())
    }

    async fn create_invite(
        &self,
        chat: ChatId,
        code: &str,
        invite: &NewInvite,
        now: i64,
    ) -> Result<InviteLink> {
        let expires_at = invite.expires_in_s.map(|s| now + i64::from(s) * 1000);
        sqlx::query(
            "INSERT INTO invites (code, chat_id, created_at, expires_at, usage_limit, needs_approval) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(code)
        .bind(chat.0)
        .bind(now)
        .bind(expires_at)
        .bind(invite.usage_limit.map(i64::from))
        .bind(i64::from(invite.needs_approval))
        .execute(&self.writer)
        .await?;
        Ok(InviteLink {
            code: code.to_owned(),
            primary: false,
            expires_at,
            usage_limit: invite.usage_limit,
            uses: 0,
            needs_approval: invite.needs_approval,
            revoked: false,
        })
    }

    async fn invites(&self, chat: ChatId) -> Result<Vec<InviteLink>> {
        let main: String = sqlx::query_scalar("SELECT invite FROM chats WHERE id = $1")
            .bind(chat.0)
            .fetch_one(&self.reader)
            .await?;
        let mut links = vec![InviteLink {
            code: main,
            primary: true,
            expires_at: None,
            usage_limit: None,
            uses: 0,
            needs_approval: false,
            revoked: false,
        }];
        let rows = sqlx::query(
            "SELECT code, expires_at, usage_limit, uses, needs_approval, revoked FROM invites
              WHERE chat_id = $1 ORDER BY created_at DESC, code LIMIT 100",
        )
        .bind(chat.0)
        .fetch_all(&self.reader)
        .await?;
        for row in &rows {
            links.push(Self::invite_from(row)?);
        }
        Ok(links)
    }

    async fn revoke_invite(
        &self,
        chat: ChatId,
        code: &str,
        replacement: &str,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let extra = sqlx::query("UPDATE invites SET revoked = 1 WHERE chat_id = $1 AND code = $2")
            .bind(chat.0)
            .bind(code)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        let main = !extra
            && sqlx::query("UPDATE chats SET invite = $3 WHERE id = $1 AND invite = $2")
                .bind(chat.0)
                .bind(code)
                .bind(replacement)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
        if main {
            // Kept, so the old link says "revoked" rather than "unknown".
            sqlx::query(
                "INSERT INTO invites (code, chat_id, created_at, revoked) VALUES ($1, $2, $3, 1)",
            )
            .bind(code)
            .bind(chat.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(extra || main)
    }

    async fn join_requests(&self, chat: ChatId) -> Result<Vec<JoinRequest>> {
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.name, u.kind, r.requested_at FROM join_requests r JOIN users u ON u.id = r.user_id
              WHERE r.chat_id = $1 ORDER BY r.requested_at, u.id LIMIT 200",
        )
        .bind(chat.0)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(JoinRequest {
                    user: Self::user_from(row)?,
                    at: row.try_get("requested_at")?,
                })
            })
            .collect()
    }

    async fn answer_request(
        &self,
        chat: ChatId,
        user: UserId,
        approve: bool,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let waiting = sqlx::query("DELETE FROM join_requests WHERE chat_id = $1 AND user_id = $2")
            .bind(chat.0)
            .bind(user.0)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if waiting && approve {
            Self::insert_member(&mut tx, chat, user, Role::Member, now).await?;
        }
        tx.commit().await?;
        Ok(waiting)
    }

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

    async fn user_by_username(&self, username: &str) -> Result<Option<UserInfo>> {
        let row = sqlx::query("SELECT id, username, name, kind FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(Self::user_from).transpose()
    }

    async fn chat_summary(&self, chat: ChatId, viewer: UserId) -> Result<Option<ChatSummary>> {
        let row = sqlx::query(&format!("{} AND c.id = $2", summary_query()))
            .bind(viewer.0)
            .bind(chat.0)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(Self::summary_from).transpose()
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

    async fn chats_of(&self, user: UserId) -> Result<Vec<ChatSummary>> {
        let rows = sqlx::query(&summary_query())
            .bind(user.0)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(Self::summary_from).collect()
    }

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
            text: post.text.to_owned(),
            reply_to: post.reply_to,
            forwarded_from: post.forwarded_from.map(str::to_owned),
            at,
            reply,
        };
        self.appends
            .send(append)
            .await
            .map_err(|_| StoreError::CommitFailed("store closed".into()))?;
        answer
            .await
            .map_err(|_| StoreError::CommitFailed("store closed".into()))?
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
        let json = serde_json::to_string(act).map_err(|e| StoreError::Corrupt(e.to_string()))?;
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

    async fn set_place(&self, chat: ChatId, user: UserId, place: Place) -> Result<()> {
        let set = sqlx::query("UPDATE members SET pinned = $3, muted = $4, archived = $5 WHERE chat_id = $1 AND user_id = $2")
            .bind(chat.0)
            .bind(user.0)
            .bind(i64::from(place.pinned))
            .bind(i64::from(place.muted))
            .bind(i64::from(place.archived))
            .execute(&self.writer)
            .await?;
        if set.rows_affected() == 0 {
            return Err(StoreError::NotMember);
        }
        Ok(())
    }

    async fn save_draft(&self, chat: ChatId, user: UserId, text: &str) -> Result<()> {
        let saved =
            sqlx::query("UPDATE members SET draft = $3 WHERE chat_id = $1 AND user_id = $2")
                .bind(chat.0)
                .bind(user.0)
                .bind(text)
                .execute(&self.writer)
                .await?;
        if saved.rows_affected() == 0 {
            return Err(StoreError::NotMember);
        }
        Ok(())
    }

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

    async fn folders(&self, user: UserId) -> Result<Vec<Folder>> {
        let json: Option<String> = sqlx::query_scalar("SELECT folders FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(&self.reader)
            .await?;
        json.map_or(Ok(Vec::new()), |json| {
            serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))
        })
    }

    async fn set_folders(&self, user: UserId, folders: &[Folder]) -> Result<()> {
        let json =
            serde_json::to_string(folders).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query("UPDATE users SET folders = $2 WHERE id = $1")
            .bind(user.0)
            .bind(json)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

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
        let job = NewJob::of(&due, post.at).map_err(|e| StoreError::Corrupt(e.to_string()))?;
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
        let json = serde_json::to_string(&act).map_err(|e| StoreError::Corrupt(e.to_string()))?;
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

/// Connections for searches and scans, apart from the readers.
pub(super) const SCAN_CONNECTIONS: u32 = 2;
/// Longest one search or scan may run before it is cut off.
pub(super) const SCAN_BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

/// Most posts one move of a channel reader's cursor counts a view of.
const VIEWED_AT_ONCE: i64 = 100;

/// Sends queued for the group committer before senders wait for room.
pub(super) const APPEND_QUEUE: usize = 4096;
/// Most sends stored in one transaction.
const MAX_BATCH: usize = 512;
/// Times a batch the database aborted (deadlock) is run again.
const COMMIT_RETRIES: usize = 3;

/// One send waiting for the next group commit.
pub(super) struct Append {
    chat: ChatId,
    sender: UserId,
    id: ClientMsgId,
    text: String,
    reply_to: Option<Seq>,
    forwarded_from: Option<String>,
    at: i64,
    reply: oneshot::Sender<Result<Appended>>,
}

/// A scan stopped at its budget (`scans`' time limit: SQLite's
/// `interrupted`, PostgreSQL's `query_canceled`) is `TooBroad`.
fn scan_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.code().is_some_and(|c| c == "9" || c == "57014") => {
            StoreError::TooBroad
        }
        _ => StoreError::Db(e),
    }
}

/// A UNIQUE violation means a name (username, handle) is taken: `taken`.
fn unique_is(e: sqlx::Error, taken: StoreError) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => taken,
        _ => StoreError::Db(e),
    }
}

impl<DB> SqlStore<DB>
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
    fn user_from(row: &DB::Row) -> Result<UserInfo> {
        let kind: String = row.try_get("kind")?;
        Ok(UserInfo {
            id: UserId(row.try_get("id")?),
            name: row.try_get("name")?,
            username: row.try_get("username")?,
            kind: if kind == "guest" {
                UserKind::Guest
            } else {
                UserKind::Account
            },
        })
    }

    /// A message as its readers see it: veiled where a channel hides
    /// who made it.
    fn message_from(row: &DB::Row) -> Result<Message> {
        let mut message = Self::message_as_stored(row)?;
        if row.try_get::<i64, _>("veiled")? == 1 {
            let salt: String = row.try_get("chat_salt")?;
            message.sender = alias(&salt, message.sender);
        }
        Ok(message)
    }

    /// A message with its real sender, for the store's own checks.
    fn message_as_stored(row: &DB::Row) -> Result<Message> {
        let act: Option<Act> = match row.try_get::<Option<String>, _>("act")? {
            // Written by `append_act` from the same type: unreadable means a bad row.
            Some(json) => {
                Some(serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?)
            }
            None => None,
        };
        Ok(Message {
            chat: ChatId(row.try_get("chat_id")?),
            seq: Seq(row.try_get("seq")?),
            id: ClientMsgId(row.try_get("client_id")?),
            sender: UserId(row.try_get("sender_id")?),
            sender_name: row.try_get("sender_name")?,
            content: crate::kernel::db::stored_content(row.try_get("text")?, act.is_some()),
            at: row.try_get("at")?,
            reply_to: row.try_get::<Option<i64>, _>("reply_to")?.map(Seq),
            act,
            forwarded_from: row.try_get("forwarded_from")?,
            expires_at: row.try_get("expires_at")?,
        })
    }

    fn chat_kind(row: &DB::Row) -> Result<ChatKind> {
        let kind: String = row.try_get("kind")?;
        Ok(match (kind.as_str(), row.try_get::<i64, _>("broadcast")?) {
            ("direct", _) => ChatKind::Direct,
            (_, 0) => ChatKind::Group,
            _ => ChatKind::Channel,
        })
    }

    fn count(row: &DB::Row, column: &str) -> Result<u32> {
        Ok(row
            .try_get::<i64, _>(column)?
            .try_into()
            .unwrap_or(u32::MAX))
    }

    /// A member's role and granted rights, from `role` and `rights` columns.
    fn standing(row: &DB::Row) -> Result<(Role, Rights)> {
        Ok((
            role_from(&row.try_get::<String, _>("role")?),
            Rights::from_bits(row.try_get("rights")?),
        ))
    }

    fn summary_from(row: &DB::Row) -> Result<ChatSummary> {
        let kind = Self::chat_kind(row)?;
        let title: Option<String> = match kind {
            ChatKind::Group | ChatKind::Channel => row.try_get("name")?,
            // A direct chat with oneself ("saved messages") has no other member.
            ChatKind::Direct => row
                .try_get::<Option<String>, _>("other_name")?
                .or(row.try_get("own_name")?),
        };
        let (role, granted) = Self::standing(row)?;
        let standing = Standing::new(kind, role, granted);
        let has_last: Option<i64> = row.try_get("seq")?;
        Ok(ChatSummary {
            id: ChatId(row.try_get("id")?),
            kind,
            title: title.unwrap_or_default(),
            // A channel's subscribers reach it by its handle or an admin's link.
            invite: if policy::sees_invite(&standing) {
                row.try_get("invite")?
            } else {
                String::new()
            },
            member_count: Self::count(row, "member_count")?,
            last_seq: Seq(row.try_get("last_seq")?),
            last: if has_last.is_some() {
                Some(Self::message_from(row)?)
            } else {
                None
            },
            role,
            rights: standing.rights,
            handle: row.try_get("handle")?,
            slow_mode_s: Self::count(row, "slow_mode_s")?,
            signatures: row.try_get::<i64, _>("signatures")? == 1,
            ttl_s: Self::count(row, "ttl_s")?,
            draft: row.try_get("draft")?,
            read: Seq(row.try_get("read_seq")?),
            place: Place {
                pinned: row.try_get::<i64, _>("pinned")? == 1,
                muted: row.try_get::<i64, _>("muted")? == 1,
                archived: row.try_get::<i64, _>("archived")? == 1,
            },
            alias: match kind {
                ChatKind::Channel => Some(alias(
                    &row.try_get::<String, _>("chat_salt")?,
                    UserId(row.try_get("viewer_id")?),
                )),
                _ => None,
            },
        })
    }

    fn target_from(row: &DB::Row, needs_approval: bool) -> Result<InviteTarget> {
        Ok(InviteTarget {
            chat: ChatId(row.try_get("id")?),
            kind: Self::chat_kind(row)?,
            name: row
                .try_get::<Option<String>, _>("name")?
                .unwrap_or_default(),
            member_count: Self::count(row, "member_count")?,
            needs_approval,
        })
    }

    fn invite_from(row: &DB::Row) -> Result<InviteLink> {
        Ok(InviteLink {
            code: row.try_get("code")?,
            primary: false,
            expires_at: row.try_get("expires_at")?,
            usage_limit: row
                .try_get::<Option<i64>, _>("usage_limit")?
                .map(|n| n.try_into().unwrap_or(u32::MAX)),
            uses: Self::count(row, "uses")?,
            needs_approval: row.try_get::<i64, _>("needs_approval")? == 1,
            revoked: row.try_get::<i64, _>("revoked")? == 1,
        })
    }

    /// The chat a code opens, and whether it is one of the extra links
    /// (whose uses are counted), or why it opens nothing.
    async fn resolve_invite(
        conn: &mut DB::Connection,
        code: &str,
        now: i64,
    ) -> Result<(InviteTarget, bool)> {
        // Only groups and channels are joined by invite: a direct chat is for its two people.
        let main = sqlx::query(
            "SELECT c.id, c.kind, c.broadcast, c.name, mc.n AS member_count FROM chats c
               JOIN member_counts mc ON mc.chat_id = c.id WHERE c.invite = $1 AND c.kind = 'group'",
        )
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = main {
            return Ok((Self::target_from(&row, false)?, false));
        }
        let row = sqlx::query(
            "SELECT c.id, c.kind, c.broadcast, c.name, mc.n AS member_count,
                    i.code, i.expires_at, i.usage_limit, i.uses, i.needs_approval, i.revoked
               FROM invites i JOIN chats c ON c.id = i.chat_id JOIN member_counts mc ON mc.chat_id = c.id
              WHERE i.code = $1 AND c.kind = 'group'",
        )
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::BadInvite)?;
        let link = Self::invite_from(&row)?;
        if link.revoked {
            Err(StoreError::InviteRevoked)
        } else if link.expires_at.is_some_and(|at| at <= now) {
            Err(StoreError::InviteExpired)
        } else if link.usage_limit.is_some_and(|limit| link.uses >= limit) {
            Err(StoreError::InviteUsedUp)
        } else {
            Ok((Self::target_from(&row, link.needs_approval)?, true))
        }
    }

    /// Deletes a message's text for everyone, inside a transaction;
    /// whether this call took it (it was not deleted already). Its
    /// earlier texts go too: the edits that carried them keep only
    /// their target.
    async fn erase(tx: &mut DB::Connection, chat: ChatId, target: Seq) -> Result<bool> {
        let edited: Option<i64> = sqlx::query_scalar(
            "UPDATE messages SET text = '', folded = '', deleted = 1 WHERE chat_id = $1 AND seq = $2 AND deleted = 0 RETURNING edited",
        )
        .bind(chat.0)
        .bind(target.0)
        .fetch_optional(&mut *tx)
        .await?;
        if edited == Some(1) {
            Self::blank_edits(tx, chat, target, Seq(i64::MAX)).await?;
        }
        Ok(edited.is_some())
    }

    /// Blanks the texts carried by the edits of message `target` that
    /// came before `before`: what a message said before its latest
    /// edit, or before it was deleted, is served to nobody.
    async fn blank_edits(
        tx: &mut DB::Connection,
        chat: ChatId,
        target: Seq,
        before: Seq,
    ) -> Result<()> {
        let blank = serde_json::to_string(&Act::Edit {
            target,
            text: String::new(),
        })
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        // An edit's JSON starts with its kind and target, in this order.
        let edits_of = format!("{{\"do\":\"edit\",\"target\":{},%", target.0);
        sqlx::query("UPDATE messages SET act = $3 WHERE chat_id = $1 AND seq > $2 AND seq < $5 AND act LIKE $4")
            .bind(chat.0)
            .bind(target.0)
            .bind(blank)
            .bind(edits_of)
            .bind(before.0)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }

    async fn banned(tx: &mut DB::Connection, chat: ChatId, user: UserId) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT user_id FROM bans WHERE chat_id = $1 AND user_id = $2")
                .bind(chat.0)
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?;
        Ok(found.is_some())
    }

    /// Adds a member inside a transaction; false if they already were
    /// one, `Banned` if they may not come back.
    async fn insert_member(
        tx: &mut DB::Connection,
        chat: ChatId,
        user: UserId,
        role: Role,
        now: i64,
    ) -> Result<bool> {
        if Self::banned(tx, chat, user).await? {
            return Err(StoreError::Banned);
        }
        let added = sqlx::query("INSERT INTO members (chat_id, user_id, joined_at, role) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(chat.0)
            .bind(user.0)
            .bind(now)
            .bind(role_str(role))
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if added {
            sqlx::query("DELETE FROM join_requests WHERE chat_id = $1 AND user_id = $2")
                .bind(chat.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            // Last: every join of a big group waits for this row's lock,
            // so the transaction holds it only until its commit.
            sqlx::query("UPDATE member_counts SET n = n + 1 WHERE chat_id = $1")
                .bind(chat.0)
                .execute(&mut *tx)
                .await?;
        }
        Ok(added)
    }

    /// Group commit: every send that queued while the previous transaction was
    /// syncing goes into the next one, so one fsync acknowledges many messages.
    /// Each answer is sent only after its transaction committed (ack = durable).
    pub(super) async fn commit_appends(writer: Pool<DB>, mut queue: mpsc::Receiver<Append>) {
        while let Some(first) = queue.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(append) => batch.push(append),
                    Err(_) => break,
                }
            }
            // Two nodes' batches may lock the same chats in different
            // orders; PostgreSQL then aborts one (deadlock), and nothing
            // of it was stored, so it is safe to run it again.
            let mut outcome = Self::append_batch(&writer, &batch).await;
            for _ in 0..COMMIT_RETRIES {
                match &outcome {
                    Err(StoreError::Db(sqlx::Error::Database(db)))
                        if db.code().is_some_and(|c| c == "40P01" || c == "40001") =>
                    {
                        tracing::warn!(code = ?db.code(), "group commit aborted by the database; retrying");
                        outcome = Self::append_batch(&writer, &batch).await;
                    }
                    _ => break,
                }
            }
            // Another node stored one of these client ids meanwhile (a
            // scheduled message both posted): one clash must not fail
            // the others, so each goes alone, and the clashing one is
            // then a resend.
            if batch.len() > 1
                && matches!(&outcome, Err(StoreError::Db(sqlx::Error::Database(db))) if db.is_unique_violation())
            {
                for append in batch {
                    let result =
                        match Self::append_batch(&writer, std::slice::from_ref(&append)).await {
                            Ok(mut results) => results
                                .pop()
                                .unwrap_or(Err(StoreError::CommitFailed("empty batch".into()))),
                            Err(e) => Err(StoreError::CommitFailed(e.to_string())),
                        };
                    let _ = append.reply.send(result);
                }
                continue;
            }
            match outcome {
                Ok(results) => {
                    for (append, result) in batch.into_iter().zip(results) {
                        let _ = append.reply.send(result);
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, size = batch.len(), "group commit failed");
                    for append in batch {
                        let _ = append
                            .reply
                            .send(Err(StoreError::CommitFailed(e.to_string())));
                    }
                }
            }
        }
    }

    /// Stores a batch in one transaction with four statements whatever its
    /// size (five if some disappear): each statement is a round trip to sqlx's SQLite thread, and those
    /// round trips, not SQLite, were most of a send's cost. The outer error
    /// aborts the whole batch; an inner one (not a member) refuses that send.
    async fn append_batch(writer: &Pool<DB>, batch: &[Append]) -> Result<Vec<Result<Appended>>> {
        let mut tx = writer.begin().await?;

        // 1. Who may send where, under which name, and (in slow mode)
        // when they last did.
        let mut q = Statement::<DB>::new(
            "SELECT m.chat_id, m.user_id, m.role, m.rights, c.kind, c.broadcast, c.signatures, c.salt, c.slow_mode_s, c.ttl_s,
                    CASE WHEN c.broadcast = 1 AND c.signatures = 0 THEN c.name ELSE u.name END AS sender_name,
                    CASE WHEN c.slow_mode_s > 0
                         THEN (SELECT MAX(x.at) FROM messages x WHERE x.chat_id = m.chat_id AND x.sender_id = m.user_id AND x.act IS NULL) END AS last_at,
                    CASE WHEN c.kind = 'direct'
                         THEN (SELECT COUNT(*) FROM members o JOIN blocks b
                                 ON (b.user_id = o.user_id AND b.blocked_id = m.user_id) OR (b.user_id = m.user_id AND b.blocked_id = o.user_id)
                                WHERE o.chat_id = m.chat_id AND o.user_id <> m.user_id)
                         ELSE 0 END AS blocks
               FROM members m JOIN users u ON u.id = m.user_id JOIN chats c ON c.id = m.chat_id
              WHERE (m.chat_id, m.user_id) IN (",
        );
        q.values(batch, |a| vec![a.chat.0.into(), a.sender.0.into()]);
        q.push(")");
        struct Sender {
            name: String,
            may_post: bool,
            /// Slow mode's least gap between posts, in ms (`policy::slow_mode_ms`).
            gap_ms: i64,
            /// Disappearing messages' lifetime in ms; 0 is off.
            ttl_ms: i64,
            last_at: Option<i64>,
            /// In a 1:1: one of the two blocked the other.
            blocked: bool,
            /// In a channel without signatures: the id its posts show.
            alias: Option<UserId>,
        }
        let mut senders: HashMap<(i64, i64), Sender> = HashMap::new();
        for row in q.query().fetch_all(&mut *tx).await? {
            let (role, granted) = Self::standing(&row)?;
            let slow_s = u32::try_from(row.try_get::<i64, _>("slow_mode_s")?).unwrap_or(u32::MAX);
            let sender = Sender {
                name: row.try_get("sender_name")?,
                may_post: policy::rights(Self::chat_kind(&row)?, role, granted).post,
                gap_ms: policy::slow_mode_ms(role, slow_s),
                ttl_ms: row.try_get::<i64, _>("ttl_s")? * 1000,
                last_at: row.try_get("last_at")?,
                blocked: row.try_get::<i64, _>("blocks")? > 0,
                alias: if veiled(
                    row.try_get::<i64, _>("broadcast")? == 1,
                    row.try_get::<i64, _>("signatures")? == 1,
                    None,
                ) {
                    Some(alias(
                        &row.try_get::<String, _>("salt")?,
                        UserId(row.try_get("user_id")?),
                    ))
                } else {
                    None
                },
            };
            senders.insert((row.try_get("chat_id")?, row.try_get("user_id")?), sender);
        }

        // 2. Sends stored before under the same client id (idempotent resends).
        let mut q = Statement::<DB>::new(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id JOIN chats c ON c.id = m.chat_id
              WHERE (m.chat_id, m.sender_id, m.client_id) IN ("
        ));
        q.values(batch, |a| {
            vec![a.chat.0.into(), a.sender.0.into(), a.id.as_str().into()]
        });
        q.push(")");
        let mut known: HashMap<(ChatId, UserId, ClientMsgId), Message> = HashMap::new();
        for row in q.query().fetch_all(&mut *tx).await? {
            let sender = UserId(row.try_get("sender_id")?);
            let m = Self::message_from(&row)?;
            known.insert((m.chat, sender, m.id.clone()), m);
        }

        // Decide each send: refused, a resend, or new (the first of its id in
        // this batch; later ones with that id answer with the same message).
        enum Plan {
            Refused(fn() -> StoreError),
            Known(Message),
            New(usize),
            SameAs(usize),
        }
        let mut fresh: Vec<&Append> = Vec::new();
        let mut first_of: HashMap<(ChatId, UserId, &ClientMsgId), usize> = HashMap::new();
        let mut per_chat: HashMap<i64, i64> = HashMap::new();
        let plans: Vec<Plan> = batch
            .iter()
            .map(|a| {
                let Some(sender) = senders.get_mut(&(a.chat.0, a.sender.0)) else {
                    return Plan::Refused(|| StoreError::NotMember);
                };
                if let Some(m) = known.get(&(a.chat, a.sender, a.id.clone())) {
                    Plan::Known(m.clone())
                } else if let Some(&i) = first_of.get(&(a.chat, a.sender, &a.id)) {
                    Plan::SameAs(i)
                } else if !sender.may_post {
                    Plan::Refused(|| StoreError::NotAllowed)
                } else if sender.blocked {
                    Plan::Refused(|| StoreError::Blocked)
                } else if !policy::slow_mode_allows(sender.gap_ms, sender.last_at, a.at) {
                    Plan::Refused(|| StoreError::SlowMode)
                } else {
                    // A second send in this batch waits like one after a commit.
                    sender.last_at = Some(a.at);
                    first_of.insert((a.chat, a.sender, &a.id), fresh.len());
                    *per_chat.entry(a.chat.0).or_default() += 1;
                    fresh.push(a);
                    Plan::New(fresh.len() - 1)
                }
            })
            .collect();

        let mut stored: Vec<Message> = Vec::with_capacity(fresh.len());
        // The ids the stored messages show (an alias in a channel).
        let mut shown_as: Vec<UserId> = Vec::with_capacity(fresh.len());
        if !fresh.is_empty() {
            // 3. Reserve each chat's next sequences, gap-free, in one statement.
            let mut q =
                Statement::<DB>::new("UPDATE chats SET last_seq = last_seq + v.column2 FROM (");
            q.values(&per_chat, |(chat, n)| vec![(*chat).into(), (*n).into()]);
            q.push(") AS v WHERE chats.id = v.column1 RETURNING chats.id, chats.last_seq");
            let mut next: HashMap<i64, i64> = HashMap::new();
            for row in q.query().fetch_all(&mut *tx).await? {
                let (chat, last): (i64, i64) = (row.try_get("id")?, row.try_get("last_seq")?);
                next.insert(chat, last - per_chat.get(&chat).copied().unwrap_or(0) + 1);
            }
            for a in &fresh {
                let seq = next.entry(a.chat.0).or_default();
                let sender = senders.get(&(a.chat.0, a.sender.0));
                let sender_name = sender.map(|s| s.name.clone()).unwrap_or_default();
                let expires_at = sender.filter(|s| s.ttl_ms > 0).map(|s| a.at + s.ttl_ms);
                shown_as.push(sender.and_then(|s| s.alias).unwrap_or(a.sender));
                stored.push(Message {
                    chat: a.chat,
                    seq: Seq(*seq),
                    id: a.id.clone(),
                    sender: a.sender,
                    sender_name,
                    content: Some(Content::text(a.text.clone())),
                    at: a.at,
                    reply_to: a.reply_to,
                    act: None,
                    forwarded_from: a.forwarded_from.clone(),
                    expires_at,
                });
                *seq += 1;
            }
            // 4. Store them all.
            let mut q = Statement::<DB>::new(
                "INSERT INTO messages (chat_id, seq, sender_id, client_id, text, at, reply_to, forwarded_from, folded, expires_at, veiled) ",
            );
            q.values(stored.iter().zip(&shown_as), |(m, shown)| {
                vec![
                    m.chat.0.into(),
                    m.seq.0.into(),
                    m.sender.0.into(),
                    m.id.as_str().into(),
                    m.text().into(),
                    m.at.into(),
                    m.reply_to.map(|r| r.0).into(),
                    m.forwarded_from.clone().into(),
                    m.text().to_lowercase().into(),
                    m.expires_at.into(),
                    i64::from(*shown != m.sender).into(),
                ]
            });
            q.query().execute(&mut *tx).await?;

            // 5. Their disappearing timers, if the chat has one.
            let timers = stored
                .iter()
                .filter_map(|m| {
                    let expiry = Expiry {
                        chat: m.chat,
                        seq: m.seq,
                    };
                    Some(NewJob::of(&expiry, m.expires_at?))
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if !timers.is_empty() {
                jobs::insert::<DB>(&timers)
                    .query()
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;

        Ok(plans
            .into_iter()
            .map(|plan| match plan {
                Plan::Refused(why) => Err(why()),
                Plan::Known(message) => Ok(Appended {
                    message,
                    fresh: false,
                }),
                Plan::New(i) => Ok(Appended {
                    message: Message {
                        sender: shown_as[i],
                        ..stored[i].clone()
                    },
                    fresh: true,
                }),
                Plan::SameAs(i) => Ok(Appended {
                    message: Message {
                        sender: shown_as[i],
                        ..stored[i].clone()
                    },
                    fresh: false,
                }),
            })
            .collect())
    }
}
