//! The `jobs` table behind `kernel::jobs`: one row per waiting job, keyed
//! by (queue, key), claimed by a lease.

use async_trait::async_trait;
use courier_protocol::{CallId, ChatId, ClientMsgId, Seq, UserId};
use serde::{Deserialize, Serialize};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::sql::SqlStore;
use super::statement::{Placeholder, Statement};
use super::{Result, StoreError};
use crate::kernel::jobs::{Claimed, Job, JobStore, NewJob, QueueError};

/// A scheduled post falling due: enqueued with the post, due at its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub chat: ChatId,
    pub sender: UserId,
    pub id: ClientMsgId,
    pub text: String,
}

impl Job for Due {
    const QUEUE: &'static str = "scheduled";
    fn key(&self) -> String {
        // A sender's client ids are unique across their chats.
        format!("{}:{}", self.sender.0, self.id.0)
    }
}

/// A disappearing message's timer: enqueued with the message, due when
/// it is to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    pub chat: ChatId,
    pub seq: Seq,
}

impl Job for Expiry {
    const QUEUE: &'static str = "expire";
    fn key(&self) -> String {
        format!("{}:{}", self.chat.0, self.seq.0)
    }
}

/// A call's ringing running out: enqueued with the call, due
/// `limits::RING_MS` after; a call answered or over by then is left alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingOut {
    pub call: CallId,
}

impl Job for RingOut {
    const QUEUE: &'static str = "ring_out";
    fn key(&self) -> String {
        self.call.0.clone()
    }
}

/// A look at whether both legs of an answered call are still there:
/// enqueued when it is answered, then again after each look (`round`)
/// while it goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegCheck {
    pub call: CallId,
    pub round: u32,
}

impl Job for LegCheck {
    const QUEUE: &'static str = "leg_check";
    fn key(&self) -> String {
        format!("{}:{}", self.call.0, self.round)
    }
}

impl From<StoreError> for QueueError {
    fn from(e: StoreError) -> QueueError {
        QueueError::new(e)
    }
}

impl From<sqlx::Error> for QueueError {
    fn from(e: sqlx::Error) -> QueueError {
        QueueError::new(e)
    }
}

/// Appends the statement that stores `jobs` (none already waiting under
/// their keys are replaced), for a transaction that stores what they
/// follow from.
pub(super) fn insert<'j, DB: Database + Placeholder>(
    jobs: impl IntoIterator<Item = &'j NewJob>,
) -> Statement<DB> {
    let mut q = Statement::<DB>::new("INSERT INTO jobs (queue, key, payload, due_at) ");
    q.values(jobs, |job| {
        vec![
            job.queue.into(),
            job.key.as_str().into(),
            job.payload.as_str().into(),
            job.due_at.into(),
        ]
    });
    q.push(" ON CONFLICT (queue, key) DO NOTHING");
    q
}

/// Deletes the job `(queue, key)`, if waiting: what it was for is gone.
pub(super) async fn cancel<DB>(tx: &mut DB::Connection, queue: &str, key: &str) -> Result<()>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> &'r str: Encode<'r, DB> + Type<DB>,
{
    sqlx::query("DELETE FROM jobs WHERE queue = $1 AND key = $2")
        .bind(queue)
        .bind(key)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

#[async_trait]
impl<DB> JobStore for SqlStore<DB>
where
    DB: Database + Placeholder,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> i64: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> String: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> &'r str: Encode<'r, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> &'r [u8]: Encode<'r, DB> + Type<DB>,
    for<'r> Option<i64>: Encode<'r, DB> + Type<DB>,
    for<'r> Option<&'r str>: Encode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    async fn enqueue(&self, job: &NewJob) -> Result<(), QueueError> {
        insert::<DB>([job]).query().execute(&self.writer).await?;
        Ok(())
    }

    async fn claim(
        &self,
        queue: &str,
        now: i64,
        until: i64,
        limit: usize,
    ) -> Result<Vec<Claimed>, QueueError> {
        // The outer condition is checked again on each row as it is
        // locked (PostgreSQL), so two nodes never claim one job.
        let rows = sqlx::query(
            "UPDATE jobs SET claimed_until = $3, attempts = attempts + 1
              WHERE queue = $1 AND due_at <= $2 AND claimed_until <= $2
                AND id IN (SELECT id FROM jobs
                            WHERE queue = $1 AND due_at <= $2 AND claimed_until <= $2
                            ORDER BY due_at, id LIMIT $4)
          RETURNING id, payload, attempts, due_at",
        )
        .bind(queue)
        .bind(now)
        .bind(until)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.writer)
        .await?;
        let mut claimed = rows
            .iter()
            .map(|r| {
                Ok(Claimed {
                    id: r.try_get("id")?,
                    payload: r.try_get("payload")?,
                    attempts: u32::try_from(r.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
                    due_at: r.try_get("due_at")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        claimed.sort_by_key(|job| (job.due_at, job.id));
        Ok(claimed)
    }

    async fn finish(&self, id: i64) -> Result<(), QueueError> {
        sqlx::query("DELETE FROM jobs WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn retry(&self, id: i64, due_at: i64, error: &str) -> Result<(), QueueError> {
        sqlx::query(
            "UPDATE jobs SET due_at = $2, claimed_until = 0, last_error = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(due_at)
        .bind(error)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn waiting(&self, queue: &str) -> Result<u64, QueueError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE queue = $1")
            .bind(queue)
            .fetch_one(&self.reader)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
