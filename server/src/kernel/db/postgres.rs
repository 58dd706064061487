//! PostgreSQL, for many Courier nodes sharing one database. The same SQL as
//! SQLite (see `sql`); every node commits its own batches, and a chat's
//! sequence stays gap-free because reserving it updates (and so locks) the
//! chat's row until the batch commits.

use sqlx::postgres::{PgPool, PgPoolOptions};

pub struct PgStore {
    writer: PgPool,
    /// The same pool: PostgreSQL has no single-writer rule to work around.
    reader: PgPool,
    /// Searches and other scans, apart: however many run, the rest (a
    /// session check, a send) still gets a connection; each is cut off at
    /// [`SCAN_BUDGET`].
    scans: PgPool,
    /// Sends waiting for this node's group committer.
    appends: mpsc::Sender<Append>,
}

impl PgStore {
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
        tokio::spawn(commit_appends(pool.clone(), queue));
        Ok(PgStore {
            writer: pool.clone(),
            reader: pool,
            scans,
            appends,
        })
    }
}

super::sql::sql_store!(PgStore, sqlx::Postgres);
