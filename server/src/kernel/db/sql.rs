//! The store generic over sqlx's backend, and what every capability's SQL
//! shares: the columns of a message and a chat summary, row readers, and
//! the steps several use (erasing a message, adding a member).
//!
//! Both engines accept `$1`-style parameters, `ON CONFLICT DO NOTHING`,
//! `RETURNING`, row values and `UPDATE … FROM (VALUES …)`, so one text
//! serves both (statements built at run time number their parameters each
//! backend's way, see `statement`): [`SqlStore`] is generic over sqlx's
//! backend, and what a backend must offer is named once per impl block,
//! one per capability (the `where` lists: Rust carries neither a trait's
//! `where` clauses nor bounds on other types, such as `i64: Encode<DB>`,
//! from one block to another, so they cannot be named once).
//! Opening a store is the backend's own (`sqlite`, `postgres`): pools,
//! pragmas, migrations.

use courier_protocol::http::InviteLink;
use courier_protocol::policy;
use courier_protocol::{
    Act, ChatId, ChatKind, ChatSummary, ClientMsgId, Message, Place, Rights, Role, Seq, UserId,
    UserInfo, UserKind,
};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};
use tokio::sync::mpsc;

use super::group_commit::Append;
use super::statement::Placeholder;
use super::{InviteTarget, Result, Standing, StoreError};

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

pub(super) fn kind_str(kind: UserKind) -> &'static str {
    match kind {
        UserKind::Account => "account",
        UserKind::Guest => "guest",
    }
}

/// The columns of a message `m` by user `u` in chat `c`. A veiled
/// event (an unsigned post or any act in a channel, as it was when
/// written) shows the channel's name, and `message_from` puts an
/// alias in place of its sender (see [`alias`]).
pub(super) const MESSAGE_COLUMNS: &str = "m.chat_id, m.seq, m.client_id, m.sender_id, \
    CASE WHEN m.veiled = 1 THEN c.name ELSE u.name END AS sender_name, m.text, m.content, m.at, \
    m.reply_to, m.act, m.forwarded_from, m.expires_at, m.veiled, c.broadcast AS chat_broadcast, c.salt AS chat_salt";

/// Whether an event of a channel hides who made it: all do but a
/// post under its author's signature. Decided when it is written:
/// turning signatures on later reveals nobody.
pub(super) fn veiled(broadcast: bool, signatures: bool, act: Option<&Act>) -> bool {
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
pub(super) fn summary_query() -> String {
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

pub(super) fn role_from(role: &str) -> Role {
    match role {
        "owner" => Role::Owner,
        "admin" => Role::Admin,
        _ => Role::Member,
    }
}

pub(super) fn role_str(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Member => "member",
    }
}

/// Connections for searches and scans, apart from the readers.
pub(super) const SCAN_CONNECTIONS: u32 = 2;
/// Longest one search or scan may run before it is cut off.
pub(super) const SCAN_BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

/// Most posts one move of a channel reader's cursor counts a view of.
pub(super) const VIEWED_AT_ONCE: i64 = 100;

/// A scan stopped at its budget (`scans`' time limit: SQLite's
/// `interrupted`, PostgreSQL's `query_canceled`) is `TooBroad`.
#[track_caller]
pub(super) fn scan_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.code().is_some_and(|c| c == "9" || c == "57014") => {
            StoreError::TooBroad
        }
        _ => StoreError::from(e),
    }
}

/// A UNIQUE violation means a name (username, handle) is taken: `taken`.
#[track_caller]
pub(super) fn unique_is(e: sqlx::Error, taken: StoreError) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => taken,
        _ => StoreError::from(e),
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
    pub(super) fn user_from(row: &DB::Row) -> Result<UserInfo> {
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
    pub(super) fn message_from(row: &DB::Row) -> Result<Message> {
        let mut message = Self::message_as_stored(row)?;
        if row.try_get::<i64, _>("veiled")? == 1 {
            let salt: String = row.try_get("chat_salt")?;
            message.sender = alias(&salt, message.sender);
        }
        Ok(message)
    }

    /// A message with its real sender, for the store's own checks.
    pub(super) fn message_as_stored(row: &DB::Row) -> Result<Message> {
        let act: Option<Act> = match row.try_get::<Option<String>, _>("act")? {
            // Written by `append_act` from the same type: unreadable means a bad row.
            Some(json) => Some(serde_json::from_str(&json).map_err(|e| StoreError::corrupt(e))?),
            None => None,
        };
        Ok(Message {
            chat: ChatId(row.try_get("chat_id")?),
            seq: Seq(row.try_get("seq")?),
            id: ClientMsgId(row.try_get("client_id")?),
            sender: UserId(row.try_get("sender_id")?),
            sender_name: row.try_get("sender_name")?,
            content: super::messages::stored_content(
                row.try_get("text")?,
                row.try_get("content")?,
                act.is_some(),
            )?,
            at: row.try_get("at")?,
            reply_to: row.try_get::<Option<i64>, _>("reply_to")?.map(Seq),
            act,
            forwarded_from: row.try_get("forwarded_from")?,
            expires_at: row.try_get("expires_at")?,
        })
    }

    pub(super) fn chat_kind(row: &DB::Row) -> Result<ChatKind> {
        let kind: String = row.try_get("kind")?;
        Ok(match (kind.as_str(), row.try_get::<i64, _>("broadcast")?) {
            ("direct", _) => ChatKind::Direct,
            (_, 0) => ChatKind::Group,
            _ => ChatKind::Channel,
        })
    }

    pub(super) fn count(row: &DB::Row, column: &str) -> Result<u32> {
        Ok(row
            .try_get::<i64, _>(column)?
            .try_into()
            .unwrap_or(u32::MAX))
    }

    /// A member's role and granted rights, from `role` and `rights` columns.
    pub(super) fn standing(row: &DB::Row) -> Result<(Role, Rights)> {
        Ok((
            role_from(&row.try_get::<String, _>("role")?),
            Rights::from_bits(row.try_get("rights")?),
        ))
    }

    pub(super) fn summary_from(row: &DB::Row) -> Result<ChatSummary> {
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

    pub(super) fn target_from(row: &DB::Row, needs_approval: bool) -> Result<InviteTarget> {
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

    pub(super) fn invite_from(row: &DB::Row) -> Result<InviteLink> {
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
    pub(super) async fn resolve_invite(
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

    /// Deletes a message's content for everyone, inside a transaction;
    /// whether this call took it (it was not deleted already). Its
    /// earlier texts go too: the edits that carried them keep only
    /// their target. Its files are let go: a job removes each that no
    /// other message carries.
    pub(super) async fn erase(tx: &mut DB::Connection, chat: ChatId, target: Seq) -> Result<bool> {
        let edited: Option<i64> = sqlx::query_scalar(
            "UPDATE messages SET text = '', folded = '', content = NULL, deleted = 1 WHERE chat_id = $1 AND seq = $2 AND deleted = 0 RETURNING edited",
        )
        .bind(chat.0)
        .bind(target.0)
        .fetch_optional(&mut *tx)
        .await?;
        if edited == Some(1) {
            Self::blank_edits(tx, chat, target, Seq(i64::MAX)).await?;
        }
        super::media::release::<DB>(tx, chat, target).await?;
        Ok(edited.is_some())
    }

    /// Blanks the texts carried by the edits of message `target` that
    /// came before `before`: what a message said before its latest
    /// edit, or before it was deleted, is served to nobody.
    pub(super) async fn blank_edits(
        tx: &mut DB::Connection,
        chat: ChatId,
        target: Seq,
        before: Seq,
    ) -> Result<()> {
        let blank = serde_json::to_string(&Act::Edit {
            target,
            text: String::new(),
        })
        .map_err(|e| StoreError::corrupt(e))?;
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

    pub(super) async fn banned(
        tx: &mut DB::Connection,
        chat: ChatId,
        user: UserId,
    ) -> Result<bool> {
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
    pub(super) async fn insert_member(
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
}
