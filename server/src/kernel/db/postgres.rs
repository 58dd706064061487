//! PostgreSQL, for many Courier nodes sharing one database. The same SQL as
//! SQLite (see `sql`); every node commits its own batches, and a chat's
//! sequence stays gap-free because reserving it updates (and so locks) the
//! chat's row until the batch commits.

use sqlx::Postgres;
use sqlx::postgres::PgPoolOptions;
use tokio::sync::mpsc;

use super::Result;
use super::group_commit::APPEND_QUEUE;
use super::sql::{Changed, SCAN_BUDGET, SCAN_CONNECTIONS, SqlStore};

pub type PgStore = SqlStore<Postgres>;

impl SqlStore<Postgres> {
    /// Connects to `url` (`postgres://user@host:port/db`) and migrates it.
    pub async fn open(url: &str) -> Result<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        let timeout = format!("SET statement_timeout = {}", SCAN_BUDGET.as_millis());
        let scans = PgPoolOptions::new()
            .max_connections(SCAN_CONNECTIONS)
            .after_connect(move |conn, _| {
                let timeout = timeout.clone();
                Box::pin(async move {
                    sqlx::Executor::execute(conn, timeout.as_str()).await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        let (appends, queue) = mpsc::channel(APPEND_QUEUE);
        tokio::spawn(Self::commit_appends(pool.clone(), queue));
        Ok(SqlStore {
            writer: pool.clone(),
            // The same pool: PostgreSQL has no single-writer rule to work around.
            reader: pool,
            scans,
            appends,
        })
    }
}

impl Changed for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::postgres::PgQueryResult::rows_affected(self)
    }
}
