//! Work that must happen at least once outside a socket, later or again:
//! durable queues, one per consumer (a scheduled post falling due, a
//! disappearing message's timer; next Web Push, webhooks, media clean-up).
//!
//! A job is a row of the store's `jobs` table, written in the same
//! transaction as what it follows from, so it is never lost nor made for
//! something that was not stored. Every node runs every queue: a node
//! claims a batch of due jobs for [`LEASE_MS`] (another node skips them;
//! if this one dies they come back when the lease runs out), runs their
//! handlers at once, then deletes each done job or moves it back with a
//! growing delay. A handler may thus run twice for one job (a crash
//! between its effect and the delete): each must be idempotent.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::clock::Clock;

/// What goes into one queue.
pub trait Job: Serialize + DeserializeOwned + Send {
    /// The queue's name, stored with each job: fixed once jobs exist.
    const QUEUE: &'static str;
    /// Enqueuing a job whose key is waiting in its queue keeps the first.
    fn key(&self) -> String;
}

/// A job as it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub queue: &'static str,
    pub key: String,
    /// The job, as JSON.
    pub payload: String,
    /// Not run before this time (ms).
    pub due_at: i64,
}

impl NewJob {
    pub fn of<J: Job>(job: &J, due_at: i64) -> Result<NewJob, QueueError> {
        Ok(NewJob {
            queue: J::QUEUE,
            key: job.key(),
            payload: serde_json::to_string(job).map_err(QueueError::new)?,
            due_at,
        })
    }
}

/// A due job this node holds until its lease runs out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub payload: String,
    /// Runs so far, this one included.
    pub attempts: u32,
    pub due_at: i64,
}

/// The store could not keep or hand out jobs.
#[derive(Debug, thiserror::Error)]
#[error("job queue: {0}")]
pub struct QueueError(Box<dyn std::error::Error + Send + Sync>);

impl QueueError {
    pub fn new(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> QueueError {
        QueueError(e.into())
    }
}

/// Where jobs are kept: the store.
#[async_trait]
pub trait JobStore: Send + Sync + 'static {
    async fn enqueue(&self, job: &NewJob) -> Result<(), QueueError>;
    /// Claims up to `limit` jobs of `queue` due by `now` and not held by a
    /// lease, until `until`, soonest first, counting an attempt on each.
    async fn claim(
        &self,
        queue: &str,
        now: i64,
        until: i64,
        limit: usize,
    ) -> Result<Vec<Claimed>, QueueError>;
    /// Deletes a job: done, or given up.
    async fn finish(&self, id: i64) -> Result<(), QueueError>;
    /// Puts a job back, due at `due_at`, with why it failed.
    async fn retry(&self, id: i64, due_at: i64, error: &str) -> Result<(), QueueError>;
    /// How many jobs `queue` holds, due or not.
    async fn waiting(&self, queue: &str) -> Result<u64, QueueError>;
}

/// How a handler's run of a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Failed for now (the database, a rate limit): run again later.
    Retry(String),
    /// Can never succeed: dropped, and logged.
    GiveUp(String),
}

/// How long a claim keeps other nodes off a job.
pub const LEASE_MS: i64 = 10_000;
/// The longest wait between two runs of a failing job.
pub const MAX_BACKOFF_MS: i64 = 10 * 60 * 1000;

/// The wait before a job's next run after it failed `attempts` times: one
/// second, doubling, up to [`MAX_BACKOFF_MS`].
pub fn backoff_ms(attempts: u32) -> i64 {
    let doublings = attempts.saturating_sub(1).min(20);
    (1000_i64 << doublings).min(MAX_BACKOFF_MS)
}

/// The queues, over the store that keeps them.
#[derive(Clone)]
pub struct Jobs {
    store: Arc<dyn JobStore>,
    clock: Clock,
}

impl Jobs {
    pub fn new(store: Arc<dyn JobStore>, clock: Clock) -> Jobs {
        Jobs { store, clock }
    }

    pub async fn enqueue<J: Job>(&self, job: &J, due_at: i64) -> Result<(), QueueError> {
        self.store.enqueue(&NewJob::of(job, due_at)?).await
    }

    /// Runs up to `limit` due jobs of `J`'s queue through `handle`, all at
    /// once (so that writes they make can share one group commit); how
    /// many ran.
    pub async fn run_due<J, F, Fut>(&self, limit: usize, handle: F) -> usize
    where
        J: Job,
        F: Fn(J) -> Fut,
        Fut: Future<Output = Outcome>,
    {
        let now = self.clock.now_ms();
        let claimed = match self.store.claim(J::QUEUE, now, now + LEASE_MS, limit).await {
            Ok(claimed) => claimed,
            Err(e) => {
                tracing::error!(queue = J::QUEUE, error = %e, "claiming jobs");
                return 0;
            }
        };
        let count = claimed.len();
        let runs = claimed.into_iter().map(|job| {
            let run = serde_json::from_str::<J>(&job.payload).map(&handle);
            async move {
                let outcome = match run {
                    Ok(run) => run.await,
                    Err(e) => Outcome::GiveUp(format!("unreadable job: {e}")),
                };
                (job, outcome)
            }
        });
        for (job, outcome) in futures_util::future::join_all(runs).await {
            self.settle(J::QUEUE, &job, outcome).await;
        }
        count
    }

    async fn settle(&self, queue: &str, job: &Claimed, outcome: Outcome) {
        let stored = match outcome {
            Outcome::Done => self.store.finish(job.id).await,
            Outcome::GiveUp(why) => {
                tracing::warn!(
                    queue,
                    id = job.id,
                    attempts = job.attempts,
                    why,
                    "job given up"
                );
                self.store.finish(job.id).await
            }
            Outcome::Retry(why) => {
                tracing::info!(
                    queue,
                    id = job.id,
                    attempts = job.attempts,
                    why,
                    "job retried"
                );
                let due_at = self.clock.now_ms() + backoff_ms(job.attempts);
                self.store.retry(job.id, due_at, &why).await
            }
        };
        // The lease runs out and the job runs again: handlers are idempotent.
        if let Err(e) = stored {
            tracing::error!(queue, id = job.id, error = %e, "settling a job");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_second_up_to_its_cap() {
        assert_eq!(
            [1, 2, 3, 4].map(backoff_ms),
            [1000, 2000, 4000, 8000],
            "one second, doubling"
        );
        assert_eq!(backoff_ms(0), 1000);
        assert_eq!(backoff_ms(10), 512_000);
        assert_eq!(backoff_ms(11), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(u32::MAX), MAX_BACKOFF_MS, "no overflow");
    }
}
