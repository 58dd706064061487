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
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
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
    /// Where or how to reach the store is wrong (a URL, a missing key).
    #[error("{0}")]
    Config(String),
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

/// Where an S3-compatible store is, and how to sign in to it.
#[derive(Clone)]
pub struct S3 {
    pub bucket: String,
    /// Keys go under this (segments as in a [`BlobKey`]), if given.
    pub prefix: Option<String>,
    /// The store's URL (`http://127.0.0.1:9000`); `None` for AWS itself.
    /// Requests go to `{endpoint}/{bucket}/{key}` (path style).
    pub endpoint: Option<String>,
    pub region: String,
    /// Both keys, or neither (AWS then looks for the machine's role).
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

impl std::fmt::Debug for S3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "…"),
            )
            .finish()
    }
}

impl S3 {
    /// The bucket and prefix of `s3://bucket[/prefix]`, the rest as
    /// given. A bucket is 3 to 63 lower-case letters, digits, `.` and
    /// `-`; a prefix, segments as in a [`BlobKey`].
    pub fn at(url: &str) -> Result<S3, BlobError> {
        let bad = |why: &str| BlobError::Config(format!("bad blob store URL {url:?}: {why}"));
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| bad("expected s3://bucket[/prefix]"))?;
        let (bucket, prefix) = match rest.split_once('/') {
            Some((bucket, prefix)) => (bucket, prefix.trim_end_matches('/')),
            None => (rest, ""),
        };
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'));
        if !bucket_ok {
            return Err(bad(
                "a bucket is 3 to 63 lower-case letters, digits, '.' and '-'",
            ));
        }
        let prefix = if prefix.is_empty() {
            None
        } else {
            BlobKey::new(prefix).map_err(|_| {
                bad("a prefix is '/'-separated ASCII letters, digits, '-', '_' and '.'")
            })?;
            Some(prefix.to_owned())
        };
        Ok(S3 {
            bucket: bucket.to_owned(),
            prefix,
            endpoint: None,
            region: "us-east-1".into(),
            access_key_id: None,
            secret_access_key: None,
        })
    }
}

/// The blob store.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// Read in windows of this many bytes, each one request, instead of
    /// the store's own stream (see [`LOCAL_READ_WINDOW`]).
    window: Option<u64>,
}

/// A local directory's reads go in windows of 1 MiB, each one read of the
/// file: object_store streams a file in 8 KiB reads, each a trip to the
/// blocking pool, which held downloads to a fifth of what the disk gives.
/// A window is the most one download holds in memory.
const LOCAL_READ_WINDOW: u64 = 1024 * 1024;

/// Windows read ahead of the one being sent.
const READ_AHEAD: usize = 2;

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
            window: Some(LOCAL_READ_WINDOW),
        })
    }

    /// Blobs in an S3-compatible store: each write a multipart upload,
    /// completed when the last chunk is in and aborted if the write fails.
    /// Nothing is sent yet: see [`Blobs::check`].
    pub fn s3(s3: &S3) -> Result<Blobs, BlobError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&s3.bucket)
            .with_region(&s3.region)
            .with_virtual_hosted_style_request(false);
        if let Some(endpoint) = &s3.endpoint {
            builder = builder
                .with_endpoint(endpoint.trim_end_matches('/'))
                .with_allow_http(endpoint.starts_with("http://"));
        }
        match (&s3.access_key_id, &s3.secret_access_key) {
            (Some(id), Some(secret)) => {
                builder = builder
                    .with_access_key_id(id)
                    .with_secret_access_key(secret);
            }
            (None, None) => {}
            _ => {
                return Err(BlobError::Config(
                    "an S3 access key id needs its secret access key, and the other way round"
                        .into(),
                ));
            }
        }
        let store = builder.build()?;
        let store: Arc<dyn ObjectStore> = match &s3.prefix {
            Some(prefix) => Arc::new(PrefixStore::new(store, prefix.as_str())),
            None => Arc::new(store),
        };
        Ok(Blobs {
            store,
            window: None,
        })
    }

    /// Whether the store answers (its bucket there, the keys accepted):
    /// one page of a listing under a name no blob has.
    pub async fn check(&self) -> Result<(), BlobError> {
        let mut listing = self.store.list(Some(&ObjectPath::from("courier-check")));
        match listing.next().await {
            Some(Err(e)) => Err(e.into()),
            Some(Ok(_)) | None => Ok(()),
        }
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
        // A range is checked against the size; windowed reads need it too.
        let size = match (&range, self.window) {
            (None, None) => None,
            _ => Some(self.size(key).await?),
        };
        if let (Some(range), Some(size)) = (&range, size)
            && (range.start >= size || range.is_empty())
        {
            return Err(BlobError::BadRange {
                start: range.start,
                size,
            });
        }
        if let (Some(window), Some(size)) = (self.window, size) {
            return Ok(self.read_windows(key, size, range, window));
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

    /// [`Blobs::read`] a window at a time, each window one read.
    fn read_windows(
        &self,
        key: &BlobKey,
        size: u64,
        range: Option<Range<u64>>,
        window: u64,
    ) -> Read {
        let range = range.map_or(0..size, |r| r.start..r.end.min(size));
        let windows = (range.start..range.end)
            .step_by(usize::try_from(window).unwrap_or(usize::MAX))
            .map(move |start| start..(start + window).min(range.end));
        let (store, path) = (Arc::clone(&self.store), key.0.clone());
        let chunks = futures_util::stream::iter(windows)
            .map(move |w| {
                let (store, path) = (Arc::clone(&store), path.clone());
                async move { Ok(store.get_range(&path, w).await?) }
            })
            .buffered(READ_AHEAD)
            .boxed();
        Read {
            size,
            range,
            chunks,
        }
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
    fn an_s3_url_gives_a_bucket_and_a_prefix() {
        for (url, bucket, prefix) in [
            ("s3://files", "files", None),
            ("s3://files/", "files", None),
            ("s3://my.files-1/courier", "my.files-1", Some("courier")),
            ("s3://files/a/b_c/", "files", Some("a/b_c")),
        ] {
            let s3 = S3::at(url).map(|s3| (s3.bucket, s3.prefix));
            assert_eq!(
                s3.ok(),
                Some((bucket.to_owned(), prefix.map(str::to_owned))),
                "{url}"
            );
        }
        for bad in [
            "files",
            "s3:/files",
            "s3://ab",
            "s3://Files",
            "s3://f_s",
            "s3://files//x",
        ] {
            assert!(matches!(S3::at(bad), Err(BlobError::Config(_))), "{bad}");
        }
    }

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
