//! Files' bytes (photos, voice, video, documents) in an object store: a
//! directory under the data directory by default, an S3-compatible store
//! for a cluster. Bytes stream in and out in chunks: a 4 GiB file is never
//! held whole in memory, and a write that fails half-way leaves nothing
//! under its key.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, WriteMultipart};

/// The most chunks of one write sent to the store at once.
const WRITE_CONCURRENCY: usize = 4;

/// The longest key.
pub const MAX_KEY_LEN: usize = 200;

/// A blob's name in the store, made by the server (never a client's
/// file name): segments of ASCII letters, digits, `-`, `_` and `.`,
/// joined by `/`, none empty nor `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobKey(ObjectPath);

impl BlobKey {
    pub fn new(key: &str) -> Result<BlobKey, BlobError> {
        let segment_ok = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        if key.len() > MAX_KEY_LEN || !key.split('/').all(segment_ok) {
            return Err(BlobError::BadKey(key.to_owned()));
        }
        Ok(BlobKey(ObjectPath::from(key)))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("bad blob key {0:?}")]
    BadKey(String),
    #[error("no blob {0}")]
    NotFound(String),
    /// The range asked for starts at or past the end.
    #[error("range {start}.. of a blob of {size} bytes")]
    BadRange { start: u64, size: u64 },
    /// What was being written failed to arrive; nothing was kept.
    #[error("reading what was to be written: {0}")]
    Source(Box<dyn std::error::Error + Send + Sync>),
    #[error("blob store: {0}")]
    Store(#[source] object_store::Error),
    #[error("blob directory {0}: {1}")]
    Dir(std::path::PathBuf, std::io::Error),
}

impl From<object_store::Error> for BlobError {
    fn from(e: object_store::Error) -> BlobError {
        match e {
            object_store::Error::NotFound { path, .. } => BlobError::NotFound(path),
            other => BlobError::Store(other),
        }
    }
}

/// A blob's bytes on their way out.
pub struct Read {
    /// The whole blob's size.
    pub size: u64,
    /// The bytes of this read.
    pub range: Range<u64>,
    pub chunks: futures_util::stream::BoxStream<'static, Result<Bytes, BlobError>>,
}

/// The blob store.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
}

impl Blobs {
    /// Blobs as files under `dir` (created if missing), each synced to
    /// disk before a write returns.
    pub fn local(dir: &Path) -> Result<Blobs, BlobError> {
        std::fs::create_dir_all(dir).map_err(|e| BlobError::Dir(dir.to_owned(), e))?;
        let store = LocalFileSystem::new_with_prefix(dir)?
            .with_fsync(true)
            .with_automatic_cleanup(true);
        Ok(Blobs {
            store: Arc::new(store),
        })
    }

    /// Writes `chunks` under `key` (replacing what was there), streaming
    /// them to the store; the blob's size. If `chunks` fails, or the
    /// store does, the write is abandoned and `key` keeps what it had.
    pub async fn write<S, E>(&self, key: &BlobKey, chunks: S) -> Result<u64, BlobError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let upload = self.store.put_multipart(&key.0).await?;
        let mut writer = WriteMultipart::new(upload);
        let mut size = 0u64;
        let mut chunks = std::pin::pin!(chunks);
        while let Some(chunk) = chunks.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) => {
                    abandon(writer).await;
                    return Err(BlobError::Source(e.into()));
                }
            };
            if let Err(e) = writer.wait_for_capacity(WRITE_CONCURRENCY).await {
                abandon(writer).await;
                return Err(e.into());
            }
            size += chunk.len() as u64;
            writer.put(chunk);
        }
        writer.finish().await?;
        Ok(size)
    }

    /// The blob's size.
    pub async fn size(&self, key: &BlobKey) -> Result<u64, BlobError> {
        Ok(self.store.head(&key.0).await?.size)
    }

    /// Reads the blob, or `range` of it (cut at its end), in chunks.
    pub async fn read(&self, key: &BlobKey, range: Option<Range<u64>>) -> Result<Read, BlobError> {
        if let Some(range) = &range {
            let size = self.size(key).await?;
            if range.start >= size || range.is_empty() {
                return Err(BlobError::BadRange {
                    start: range.start,
                    size,
                });
            }
        }
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let got = self.store.get_opts(&key.0, options).await?;
        Ok(Read {
            size: got.meta.size,
            range: got.range.clone(),
            chunks: got.into_stream().map_err(BlobError::from).boxed(),
        })
    }

    /// Deletes the blob; deleting one that is not there is no error (a
    /// clean-up job may run twice).
    pub async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        match self.store.delete(&key.0).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// Gives up a write: the store drops its parts.
async fn abandon(writer: WriteMultipart) {
    if let Err(e) = writer.abort().await {
        tracing::warn!(error = %e, "abandoning a blob write");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_plain_segments() {
        for good in ["media/1/abc", "uploads/7f3a.part-2", "a_b-c.d"] {
            assert_eq!(
                BlobKey::new(good).map(|k| k.as_str().to_owned()).ok(),
                Some(good.into())
            );
        }
        let long = "a".repeat(MAX_KEY_LEN + 1);
        for bad in [
            "",
            "/x",
            "x/",
            "a//b",
            "../etc/passwd",
            "a/./b",
            "a b",
            "ä",
            "a\\b",
            &long,
        ] {
            assert!(BlobKey::new(bad).is_err(), "{bad:?}");
        }
    }
}
