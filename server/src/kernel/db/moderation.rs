//! What a chat's admins change: roles, removals and bans, settings, invite
//! links and join requests.

use async_trait::async_trait;
use courier_protocol::http::{ChatSettings, InviteLink, JoinRequest, NewInvite};
use courier_protocol::{ChatId, Rights, Role, UserId};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::sql::{Changed, SqlStore, role_str, unique_is};
use super::statement::{Placeholder, Statement};
use super::{Result, StoreError};

#[async_trait]
pub trait ModerationStore: Send + Sync + 'static {
    /// Sets a member's role and (for an admin) rights; false if not a member.
    async fn set_role(
        &self,
        chat: ChatId,
        user: UserId,
        role: Role,
        rights: Rights,
    ) -> Result<bool>;
    /// Takes `user` out of `chat`, and with `ban` keeps them out; false if
    /// they were not a member.
    async fn remove_member(&self, chat: ChatId, user: UserId, ban: bool, now: i64) -> Result<bool>;
    async fn unban(&self, chat: ChatId, user: UserId) -> Result<()>;
    /// Changes what `settings` sets; `HandleTaken` if another chat has the handle.
    async fn update_chat(&self, chat: ChatId, settings: &ChatSettings) -> Result<()>;
    async fn create_invite(
        &self,
        chat: ChatId,
        code: &str,
        invite: &NewInvite,
        now: i64,
    ) -> Result<InviteLink>;
    /// The chat's links, its main one first.
    async fn invites(&self, chat: ChatId) -> Result<Vec<InviteLink>>;
    /// Revokes one of the chat's links; revoking the main link replaces it
    /// with `replacement`. False if the chat has no such link.
    async fn revoke_invite(
        &self,
        chat: ChatId,
        code: &str,
        replacement: &str,
        now: i64,
    ) -> Result<bool>;
    async fn join_requests(&self, chat: ChatId) -> Result<Vec<JoinRequest>>;
    /// Approves (adds the member) or declines a waiting request; false if
    /// there was none.
    async fn answer_request(
        &self,
        chat: ChatId,
        user: UserId,
        approve: bool,
        now: i64,
    ) -> Result<bool>;
}

#[async_trait]
impl<DB> ModerationStore for SqlStore<DB>
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
            set.push(format!("folded_name = {}", q.arg(name.to_lowercase())));
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
}
