//! Uploaded files: tus uploads as they arrive, the parts their bytes are
//! kept in, who may read them, and which messages carry them (a file goes
//! when none does).

use async_trait::async_trait;
use courier_protocol::{ChatId, FileId, Message, Seq, UserId};
use serde::{Deserialize, Serialize};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::jobs;
use super::sql::{Changed, SqlStore};
use super::statement::{Placeholder, Statement};
use super::{Result, StoreError};
use crate::kernel::jobs::{Job, NewJob};

/// A new upload.
#[derive(Debug, Clone, Copy)]
pub struct NewUpload<'a> {
    pub id: &'a FileId,
    pub owner: UserId,
    pub length: u64,
    /// The name the client gave it (tus `filename` metadata).
    pub name: &'a str,
    pub at: i64,
    /// When it goes if no message carries it by then.
    pub expires_at: i64,
}

/// A file, complete or still arriving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: FileId,
    pub owner: UserId,
    pub length: u64,
    /// Bytes received so far: the tus offset.
    pub received: u64,
    pub name: String,
    /// Its type, found in its bytes once complete.
    pub mime: Option<String>,
    /// When it goes unless a message carries it; `None` once one has.
    pub expires_at: Option<i64>,
}

impl StoredFile {
    pub fn complete(&self) -> bool {
        self.received == self.length
    }
}

/// A stretch of a file's bytes, kept as one blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub start: u64,
    pub size: u64,
    pub blob: String,
}

/// "See whether this file should go": due when an upload expires and
/// when a message carrying it is deleted. `why` tells the two apart (and
/// each deletion from another), so one check never hides the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCheck {
    pub file: FileId,
    pub why: String,
}

impl Job for FileCheck {
    const QUEUE: &'static str = "files";
    fn key(&self) -> String {
        format!("{}:{}", self.file.0, self.why)
    }
}

fn size(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|e| StoreError::corrupt(e))
}

fn column(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|e| StoreError::corrupt(e))
}

#[async_trait]
pub trait MediaStore: Send + Sync + 'static {
    /// Keeps a new upload, with the job that removes it at `expires_at`
    /// unless a message carries it by then. `QuotaExceeded` if the
    /// owner's files would pass `quota` bytes.
    async fn create_upload(&self, new: NewUpload<'_>, quota: u64) -> Result<()>;
    /// The file, unless it expired (at `now`) or is being removed.
    async fn file(&self, id: &FileId, now: i64) -> Result<Option<StoredFile>>;
    /// Records a part received from `part.start`; false (nothing
    /// recorded) if the file's offset is no longer `part.start`.
    async fn add_part(&self, id: &FileId, part: &Part) -> Result<bool>;
    async fn set_mime(&self, id: &FileId, mime: &str) -> Result<()>;
    /// The file's parts, in order.
    async fn parts(&self, id: &FileId) -> Result<Vec<Part>>;
    /// Whether `user` may read the file: they uploaded it, or they are a
    /// member of a chat in which a message carries it.
    async fn may_read(&self, id: &FileId, user: UserId) -> Result<bool>;
    /// Ends an upload at once (tus termination). `NotAllowed` if a
    /// message carries it.
    async fn terminate(&self, id: &FileId, now: i64) -> Result<()>;
    /// If the file should go (no message carries it, and one did or it
    /// expired), marks it gone and returns its parts to remove; `None`
    /// if it stays.
    async fn doom_file(&self, id: &FileId, now: i64) -> Result<Option<Vec<Part>>>;
    /// Forgets a gone file whose parts were removed.
    async fn forget_file(&self, id: &FileId) -> Result<()>;
}

/// Records, inside the transaction that stores them, which files the
/// messages carry; a carried file no longer expires.
pub(super) async fn carry<DB>(tx: &mut DB::Connection, messages: &[Message]) -> Result<()>
where
    DB: Database + Placeholder,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> Option<i64>: Encode<'r, DB> + Type<DB>,
    for<'r> Option<&'r str>: Encode<'r, DB> + Type<DB>,
    for<'r> &'r [u8]: Encode<'r, DB> + Type<DB>,
{
    let carried: Vec<(ChatId, Seq, &FileId)> = messages
        .iter()
        .flat_map(|m| {
            let files = m.content.as_ref().map(|c| c.files()).unwrap_or_default();
            files.into_iter().map(move |f| (m.chat, m.seq, f))
        })
        .collect();
    if carried.is_empty() {
        return Ok(());
    }
    let mut q = Statement::<DB>::new("INSERT INTO message_files (chat_id, seq, file_id) ");
    q.values(&carried, |(chat, seq, file)| {
        vec![chat.0.into(), seq.0.into(), file.as_str().into()]
    });
    q.push(" ON CONFLICT DO NOTHING");
    q.query().execute(&mut *tx).await?;
    let mut q = Statement::<DB>::new("UPDATE files SET expires_at = NULL WHERE id IN (");
    q.list(carried.iter().map(|(_, _, file)| file.as_str()), |v| v);
    q.push(")");
    q.query().execute(&mut *tx).await?;
    Ok(())
}

/// Lets go of the files of a message deleted for everyone, inside its
/// transaction: each gets a check, which removes it if no other message
/// carries it.
pub(super) async fn release<DB>(tx: &mut DB::Connection, chat: ChatId, seq: Seq) -> Result<()>
where
    DB: Database + Placeholder,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> i64: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> String: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> Option<i64>: Encode<'r, DB> + Type<DB>,
    for<'r> Option<&'r str>: Encode<'r, DB> + Type<DB>,
    for<'r> &'r [u8]: Encode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    let files: Vec<String> = sqlx::query_scalar(
        "DELETE FROM message_files WHERE chat_id = $1 AND seq = $2 RETURNING file_id",
    )
    .bind(chat.0)
    .bind(seq.0)
    .fetch_all(&mut *tx)
    .await?;
    if files.is_empty() {
        return Ok(());
    }
    let checks = files
        .into_iter()
        .map(|file| {
            let check = FileCheck {
                file: FileId(file),
                why: format!("{}-{}", chat.0, seq.0),
            };
            NewJob::of(&check, 0)
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| StoreError::corrupt(e))?;
    jobs::insert::<DB>(&checks)
        .query()
        .execute(&mut *tx)
        .await?;
    Ok(())
}

#[async_trait]
impl<DB> MediaStore for SqlStore<DB>
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
    async fn create_upload(&self, new: NewUpload<'_>, quota: u64) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let used: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(length), 0) AS BIGINT) FROM files WHERE owner_id = $1 AND gone = 0",
        )
        .bind(new.owner.0)
        .fetch_one(&mut *tx)
        .await?;
        if size(used)?.saturating_add(new.length) > quota {
            return Err(StoreError::QuotaExceeded);
        }
        sqlx::query("INSERT INTO files (id, owner_id, length, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(new.id.as_str())
            .bind(new.owner.0)
            .bind(column(new.length)?)
            .bind(new.name)
            .bind(new.at)
            .bind(new.expires_at)
            .execute(&mut *tx)
            .await?;
        let check = FileCheck {
            file: new.id.clone(),
            why: "expiry".into(),
        };
        let job = NewJob::of(&check, new.expires_at).map_err(|e| StoreError::corrupt(e))?;
        jobs::insert::<DB>([&job]).query().execute(&mut *tx).await?;
        Ok(tx.commit().await?)
    }

    async fn file(&self, id: &FileId, now: i64) -> Result<Option<StoredFile>> {
        let Some(row) = sqlx::query(
            "SELECT owner_id, length, received, name, mime, expires_at FROM files
              WHERE id = $1 AND gone = 0 AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(id.as_str())
        .bind(now)
        .fetch_optional(&self.reader)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(StoredFile {
            id: id.clone(),
            owner: UserId(row.try_get("owner_id")?),
            length: size(row.try_get("length")?)?,
            received: size(row.try_get("received")?)?,
            name: row.try_get("name")?,
            mime: row.try_get("mime")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    async fn add_part(&self, id: &FileId, part: &Part) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let moved = sqlx::query(
            "UPDATE files SET received = received + $3 WHERE id = $1 AND received = $2 AND gone = 0",
        )
        .bind(id.as_str())
        .bind(column(part.start)?)
        .bind(column(part.size)?)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("INSERT INTO file_parts (file_id, start, size, blob) VALUES ($1, $2, $3, $4)")
            .bind(id.as_str())
            .bind(column(part.start)?)
            .bind(column(part.size)?)
            .bind(part.blob.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn set_mime(&self, id: &FileId, mime: &str) -> Result<()> {
        sqlx::query("UPDATE files SET mime = $2 WHERE id = $1")
            .bind(id.as_str())
            .bind(mime)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn parts(&self, id: &FileId) -> Result<Vec<Part>> {
        let rows = sqlx::query(
            "SELECT start, size, blob FROM file_parts WHERE file_id = $1 ORDER BY start",
        )
        .bind(id.as_str())
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Part {
                    start: size(r.try_get("start")?)?,
                    size: size(r.try_get("size")?)?,
                    blob: r.try_get("blob")?,
                })
            })
            .collect()
    }

    async fn may_read(&self, id: &FileId, user: UserId) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            // A BIGINT column, not `1` (an INT4 on PostgreSQL).
            "SELECT f.owner_id FROM files f WHERE f.id = $1 AND f.gone = 0 AND (f.owner_id = $2 OR EXISTS (
                 SELECT 1 FROM message_files mf JOIN members m ON m.chat_id = mf.chat_id
                  WHERE mf.file_id = f.id AND m.user_id = $2))",
        )
        .bind(id.as_str())
        .bind(user.0)
        .fetch_optional(&self.reader)
        .await?;
        Ok(found.is_some())
    }

    async fn terminate(&self, id: &FileId, now: i64) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let ended = sqlx::query(
            "UPDATE files SET expires_at = $2 WHERE id = $1 AND expires_at IS NOT NULL AND gone = 0",
        )
        .bind(id.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if ended.rows_affected() == 0 {
            return Err(StoreError::NotAllowed);
        }
        let check = FileCheck {
            file: id.clone(),
            why: "ended".into(),
        };
        let job = NewJob::of(&check, now).map_err(|e| StoreError::corrupt(e))?;
        jobs::insert::<DB>([&job]).query().execute(&mut *tx).await?;
        Ok(tx.commit().await?)
    }

    async fn doom_file(&self, id: &FileId, now: i64) -> Result<Option<Vec<Part>>> {
        let mut tx = self.writer.begin().await?;
        let doomed = sqlx::query(
            "UPDATE files SET gone = 1 WHERE id = $1
                AND (gone = 1 OR expires_at IS NULL OR expires_at <= $2)
                AND NOT EXISTS (SELECT 1 FROM message_files WHERE file_id = $1)",
        )
        .bind(id.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if doomed.rows_affected() == 0 {
            return Ok(None);
        }
        Ok(Some(self.parts(id).await?))
    }

    async fn forget_file(&self, id: &FileId) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        for sql in [
            "DELETE FROM file_parts WHERE file_id = $1",
            "DELETE FROM files WHERE id = $1 AND gone = 1",
        ] {
            sqlx::query(sql).bind(id.as_str()).execute(&mut *tx).await?;
        }
        Ok(tx.commit().await?)
    }
}
