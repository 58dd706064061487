//! Calls between the two people of a 1:1: who rings whom, which legs took
//! part, and how each call ended. A call's row decides every race over it
//! (an answer against a timeout, a hang-up from each side): each change is
//! a conditional update, and only the first one wins.

use async_trait::async_trait;
use courier_protocol::policy::{self, Standing};
use courier_protocol::{CallEnd, CallId, ChatId, LegId, UserId};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::jobs;
use super::sql::{Changed, SqlStore};
use super::statement::Placeholder;
use super::{Result, StoreError};
use crate::kernel::jobs::NewJob;

/// A call as the caller's app starts it.
#[derive(Debug, Clone, Copy)]
pub struct NewCall<'a> {
    pub id: &'a CallId,
    pub chat: ChatId,
    pub caller: UserId,
    pub video: bool,
    pub leg: &'a LegId,
}

/// A call as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRow {
    pub id: CallId,
    pub chat: ChatId,
    pub caller: UserId,
    pub callee: UserId,
    pub video: bool,
    pub caller_leg: LegId,
    /// The callee's leg, once answered.
    pub callee_leg: Option<LegId>,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    /// How and when it ended, once it has.
    pub ended: Option<(CallEnd, i64)>,
    /// When the legs of an answered call last said they are there: the
    /// earlier of the two.
    pub legs_seen: Option<i64>,
}

impl CallRow {
    /// The other person of the call.
    pub fn peer_of(&self, user: UserId) -> UserId {
        if user == self.caller {
            self.callee
        } else {
            self.caller
        }
    }

    /// How long it went on after it was answered, in ms (0 if it never was).
    pub fn duration_ms(&self) -> u32 {
        match (self.answered_at, self.ended) {
            (Some(from), Some((_, to))) => u32::try_from(to - from).unwrap_or(u32::MAX),
            _ => 0,
        }
    }
}

/// What ringing found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rang {
    /// The call rings: new, or the same id rung again (as it stands now).
    Ringing(CallRow),
    /// The callee is calling the caller in this chat already: their call.
    Crossed(CallRow),
    /// The callee is in another call: this one, stored as ended busy.
    Busy(CallRow),
}

#[async_trait]
pub trait CallStore: Send + Sync + 'static {
    /// Rings the other person of a 1:1 (after `policy::may_call`), with
    /// `ring_out` (the job that ends it unanswered) in the same
    /// transaction. `InCall` if the caller is in another call,
    /// `NotMember`, `NotAllowed` or `Blocked` if the chat does not allow it.
    async fn ring(&self, call: NewCall<'_>, ring_out: &NewJob, now: i64) -> Result<Rang>;
    async fn call(&self, id: &CallId) -> Result<Option<CallRow>>;
    /// Answers a ringing call from the callee's `leg`, with `check` (the
    /// first look at its legs) in the same transaction: the call, or
    /// `None` if it is not ringing (answered elsewhere, or over).
    async fn answer(
        &self,
        id: &CallId,
        leg: &LegId,
        check: &NewJob,
        now: i64,
    ) -> Result<Option<CallRow>>;
    /// Notes that `user`'s leg of an answered call is there at `now`:
    /// false if it is not theirs, not answered, or over.
    async fn leg_alive(&self, id: &CallId, user: UserId, now: i64) -> Result<bool>;
    /// Ends a call that is not over, with `Hangup` if it was answered and
    /// any other end if not: the call as it ended, or `None` if it had
    /// ended already (or the end does not fit it).
    async fn end_call(&self, id: &CallId, end: CallEnd, now: i64) -> Result<Option<CallRow>>;
}

const CALL_COLUMNS: &str = "id, chat_id, caller_id, callee_id, video, caller_leg, callee_leg, \
    started_at, answered_at, ended_at, outcome, caller_seen, callee_seen";

fn end_str(end: CallEnd) -> &'static str {
    match end {
        CallEnd::Hangup => "hangup",
        CallEnd::Missed => "missed",
        CallEnd::Declined => "declined",
        CallEnd::Busy => "busy",
        CallEnd::Cancelled => "cancelled",
    }
}

fn end_from(stored: &str) -> Result<CallEnd> {
    Ok(match stored {
        "hangup" => CallEnd::Hangup,
        "missed" => CallEnd::Missed,
        "declined" => CallEnd::Declined,
        "busy" => CallEnd::Busy,
        "cancelled" => CallEnd::Cancelled,
        other => return Err(StoreError::corrupt(format!("call outcome {other:?}"))),
    })
}

#[async_trait]
impl<DB> CallStore for SqlStore<DB>
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
    for<'r> Option<i64>: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> Option<&'r str>: Encode<'r, DB> + Type<DB>,
    for<'r> Option<String>: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    DB::QueryResult: Changed,
    usize: ColumnIndex<DB::Row>,
{
    async fn ring(&self, call: NewCall<'_>, ring_out: &NewJob, now: i64) -> Result<Rang> {
        let mut tx = self.writer.begin().await?;
        let known = sqlx::query(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = $1"))
            .bind(call.id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = known {
            let row = Self::call_from(&row)?;
            // Another's id is not theirs to ring again: as if not there.
            return if row.caller == call.caller && row.chat == call.chat {
                Ok(Rang::Ringing(row))
            } else {
                Err(StoreError::NotMember)
            };
        }
        let who = sqlx::query(
            "SELECT m.role, m.rights, c.kind, c.broadcast FROM members m JOIN chats c ON c.id = m.chat_id
              WHERE m.chat_id = $1 AND m.user_id = $2",
        )
        .bind(call.chat.0)
        .bind(call.caller.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotMember)?;
        let (role, granted) = Self::standing(&who)?;
        if !policy::may_call(&Standing::new(Self::chat_kind(&who)?, role, granted)) {
            return Err(StoreError::NotAllowed);
        }
        // The other person, and whether either blocked the other.
        let other = sqlx::query(
            "SELECT o.user_id,
                    (SELECT COUNT(*) FROM blocks b
                      WHERE (b.user_id = o.user_id AND b.blocked_id = $2)
                         OR (b.user_id = $2 AND b.blocked_id = o.user_id)) AS blocks
               FROM members o WHERE o.chat_id = $1 AND o.user_id <> $2",
        )
        .bind(call.chat.0)
        .bind(call.caller.0)
        .fetch_optional(&mut *tx)
        .await?
        // A chat with oneself: nobody to call.
        .ok_or(StoreError::NotAllowed)?;
        if other.try_get::<i64, _>("blocks")? > 0 {
            return Err(StoreError::Blocked);
        }
        let callee = UserId(other.try_get("user_id")?);
        let live = sqlx::query(&format!(
            "SELECT {CALL_COLUMNS} FROM calls
              WHERE ended_at IS NULL AND (caller_id IN ($1, $2) OR callee_id IN ($1, $2))"
        ))
        .bind(call.caller.0)
        .bind(callee.0)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(Self::call_from)
        .collect::<Result<Vec<_>>>()?;
        let crossed = live
            .iter()
            .find(|c| c.chat == call.chat && c.caller == callee && c.answered_at.is_none());
        if let Some(theirs) = crossed {
            return Ok(Rang::Crossed(theirs.clone()));
        }
        if live
            .iter()
            .any(|c| c.caller == call.caller || c.callee == call.caller)
        {
            return Err(StoreError::InCall);
        }
        let busy = !live.is_empty();
        let (ended_at, outcome) = if busy {
            (Some(now), Some(end_str(CallEnd::Busy)))
        } else {
            (None, None)
        };
        sqlx::query(
            "INSERT INTO calls (id, chat_id, caller_id, callee_id, video, caller_leg, started_at, ended_at, outcome)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(call.id.as_str())
        .bind(call.chat.0)
        .bind(call.caller.0)
        .bind(callee.0)
        .bind(i64::from(call.video))
        .bind(call.leg.as_str())
        .bind(now)
        .bind(ended_at)
        .bind(outcome)
        .execute(&mut *tx)
        .await?;
        if !busy {
            jobs::insert::<DB>([ring_out])
                .query()
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let row = CallRow {
            id: call.id.clone(),
            chat: call.chat,
            caller: call.caller,
            callee,
            video: call.video,
            caller_leg: call.leg.clone(),
            callee_leg: None,
            started_at: now,
            answered_at: None,
            ended: ended_at.map(|at| (CallEnd::Busy, at)),
            legs_seen: None,
        };
        Ok(if busy {
            Rang::Busy(row)
        } else {
            Rang::Ringing(row)
        })
    }

    async fn call(&self, id: &CallId) -> Result<Option<CallRow>> {
        sqlx::query(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = $1"))
            .bind(id.as_str())
            .fetch_optional(&self.writer)
            .await?
            .map(|row| Self::call_from(&row))
            .transpose()
    }

    async fn answer(
        &self,
        id: &CallId,
        leg: &LegId,
        check: &NewJob,
        now: i64,
    ) -> Result<Option<CallRow>> {
        let mut tx = self.writer.begin().await?;
        let answered = sqlx::query(
            "UPDATE calls SET callee_leg = $2, answered_at = $3, caller_seen = $3, callee_seen = $3
              WHERE id = $1 AND answered_at IS NULL AND ended_at IS NULL",
        )
        .bind(id.as_str())
        .bind(leg.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = Self::changed_call(&mut tx, id, answered.rows_affected()).await?;
        if row.is_some() {
            jobs::insert::<DB>([check])
                .query()
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(row)
    }

    async fn leg_alive(&self, id: &CallId, user: UserId, now: i64) -> Result<bool> {
        let seen = sqlx::query(
            "UPDATE calls
                SET caller_seen = CASE WHEN caller_id = $2 THEN $3 ELSE caller_seen END,
                    callee_seen = CASE WHEN callee_id = $2 THEN $3 ELSE callee_seen END
              WHERE id = $1 AND ended_at IS NULL AND answered_at IS NOT NULL
                AND (caller_id = $2 OR callee_id = $2)",
        )
        .bind(id.as_str())
        .bind(user.0)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(seen.rows_affected() > 0)
    }

    async fn end_call(&self, id: &CallId, end: CallEnd, now: i64) -> Result<Option<CallRow>> {
        let mut tx = self.writer.begin().await?;
        // Only an answered call hangs up; only an unanswered one is
        // missed, declined or cancelled.
        let answered = if end == CallEnd::Hangup {
            "answered_at IS NOT NULL"
        } else {
            "answered_at IS NULL"
        };
        let ended = sqlx::query(&format!(
            "UPDATE calls SET ended_at = $2, outcome = $3 WHERE id = $1 AND ended_at IS NULL AND {answered}"
        ))
        .bind(id.as_str())
        .bind(now)
        .bind(end_str(end))
        .execute(&mut *tx)
        .await?;
        let row = Self::changed_call(&mut tx, id, ended.rows_affected()).await?;
        tx.commit().await?;
        Ok(row)
    }
}

impl<DB> SqlStore<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> i64: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> String: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> &'r str: Encode<'r, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> Option<i64>: Decode<'r, DB> + Type<DB>,
    for<'r> Option<String>: Decode<'r, DB> + Type<DB>,
{
    /// The call as a conditional update left it, if it changed a row.
    async fn changed_call(
        tx: &mut sqlx::Transaction<'_, DB>,
        id: &CallId,
        changed: u64,
    ) -> Result<Option<CallRow>> {
        if changed == 0 {
            return Ok(None);
        }
        let row = sqlx::query(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = $1"))
            .bind(id.as_str())
            .fetch_one(&mut **tx)
            .await?;
        Self::call_from(&row).map(Some)
    }

    fn call_from(row: &DB::Row) -> Result<CallRow> {
        let ended_at: Option<i64> = row.try_get("ended_at")?;
        let outcome: Option<String> = row.try_get("outcome")?;
        let ended = match (ended_at, outcome) {
            (Some(at), Some(outcome)) => Some((end_from(&outcome)?, at)),
            (None, None) => None,
            _ => return Err(StoreError::corrupt("a call's end without its time")),
        };
        Ok(CallRow {
            id: CallId(row.try_get("id")?),
            chat: ChatId(row.try_get("chat_id")?),
            caller: UserId(row.try_get("caller_id")?),
            callee: UserId(row.try_get("callee_id")?),
            video: row.try_get::<i64, _>("video")? != 0,
            caller_leg: LegId(row.try_get("caller_leg")?),
            callee_leg: row.try_get::<Option<String>, _>("callee_leg")?.map(LegId),
            started_at: row.try_get("started_at")?,
            answered_at: row.try_get("answered_at")?,
            ended,
            legs_seen: match (
                row.try_get::<Option<i64>, _>("caller_seen")?,
                row.try_get::<Option<i64>, _>("callee_seen")?,
            ) {
                (Some(a), Some(b)) => Some(a.min(b)),
                _ => None,
            },
        })
    }
}
