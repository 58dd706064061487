//! The embedded store: one SQLite file under the data directory, in WAL
//! mode.
//!
//! Writes go through a pool of one connection, so SQLite never has to
//! upgrade a reader to a writer under contention (which fails with BUSY
//! instead of waiting); reads use a separate pool and never block writes.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use sqlx::Sqlite;
use tokio::sync::mpsc;

use super::Result;
use super::group_commit::APPEND_QUEUE;
use super::sql::{Changed, SCAN_BUDGET, SCAN_CONNECTIONS, SqlStore};

pub type SqliteStore = SqlStore<Sqlite>;

impl SqlStore<Sqlite> {
    /// Opens (creating if needed) `courier.db` under `dir` and migrates it.
    pub async fn open(dir: &Path) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(dir.join("courier.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before the ack goes out (ack = durable),
            // even across a power cut, not only a process crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone().read_only(true))
            .await?;
        let scans = SqlitePoolOptions::new()
            .max_connections(SCAN_CONNECTIONS)
            // Each use of a connection is one query: its clock starts when
            // the connection is handed out, new or idle.
            .after_connect(|conn, _| Box::pin(start_scan_clock(conn)))
            .before_acquire(|conn, _| {
                Box::pin(async move {
                    start_scan_clock(conn).await?;
                    Ok(true)
                })
            })
            .connect_with(options.read_only(true))
            .await?;
        let (appends, queue) = mpsc::channel(APPEND_QUEUE);
        tokio::spawn(Self::commit_appends(writer.clone(), queue));
        Ok(SqlStore {
            writer,
            reader,
            scans,
            appends,
        })
    }
}

/// Interrupts whatever runs on `conn` once [`SCAN_BUDGET`] has passed.
async fn start_scan_clock(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    let started = std::time::Instant::now();
    conn.lock_handle()
        .await?
        .set_progress_handler(10_000, move || started.elapsed() < SCAN_BUDGET);
    Ok(())
}

impl Changed for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::sqlite::SqliteQueryResult::rows_affected(self)
    }
}
