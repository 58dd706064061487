//! The blob store on a real directory and on a real S3-compatible server
//! (moto's, see `common/s3.rs`), by the same checks: a file streamed in
//! chunks reads back whole and by range, a write that fails half-way
//! leaves nothing (no file, no object, no unfinished multipart upload),
//! and a deleted blob's bytes are gone. Then the S3 store's settings: a bad
//! URL or a missing bucket stops the server from starting.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use bytes::Bytes;
use common::s3::S3Server;
use courier_server::kernel::blob::{BlobError, BlobKey, Blobs, S3};
use courier_server::startup::{Running, StartError};
use futures_util::{StreamExt, TryStreamExt, stream};
use sha2::{Digest, Sha256};

const CHUNK: usize = 64 * 1024;

/// `n` chunks of a pattern no two chunks share.
fn chunks(n: usize) -> impl Iterator<Item = Bytes> {
    (0..n).map(|i| {
        let bytes: Vec<u8> = (0..CHUNK)
            .map(|j| (i.wrapping_mul(31) ^ j.wrapping_mul(7)).to_le_bytes()[0])
            .collect();
        Bytes::from(bytes)
    })
}

/// Every file under `dir`, with its size.
fn files(dir: &Path) -> Vec<(String, u64)> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                dirs.push(entry.path());
            } else {
                let name = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .display()
                    .to_string();
                found.push((name, meta.len()));
            }
        }
    }
    found.sort();
    found
}

/// A blob store under test, and where to see what it holds.
enum Held {
    Dir(tempfile::TempDir),
    /// The server, the bucket, and the prefix the store writes under.
    S3(S3Server, String, String),
}

impl Held {
    fn local() -> (Blobs, Held) {
        let dir = tempfile::tempdir().unwrap();
        (Blobs::local(dir.path()).unwrap(), Held::Dir(dir))
    }

    /// A store in a fresh bucket of a fresh moto, under a prefix (as
    /// `s3://blobs/courier/test` gives); `None` to skip.
    async fn s3() -> Option<(Blobs, Held)> {
        let server = S3Server::start()?;
        let s3 = S3 {
            prefix: Some("courier/test".into()),
            ..server.bucket("blobs").await
        };
        let blobs = Blobs::s3(&s3).unwrap();
        blobs.check().await.unwrap();
        Some((blobs, Held::S3(server, s3.bucket, "courier/test/".into())))
    }

    /// Every blob the store holds, by key, with its size; for S3, after
    /// checking that nothing lies outside the prefix and no multipart
    /// upload is left unfinished.
    async fn blobs(&self) -> Vec<(String, u64)> {
        match self {
            Held::Dir(dir) => files(dir.path()),
            Held::S3(server, bucket, prefix) => {
                assert_eq!(
                    server.unfinished_uploads(bucket).await,
                    0,
                    "an unfinished multipart upload"
                );
                server
                    .objects(bucket)
                    .await
                    .into_iter()
                    .map(|(key, size)| {
                        let key = key.strip_prefix(prefix.as_str()).expect("under the prefix");
                        (key.to_owned(), size)
                    })
                    .collect()
            }
        }
    }
}

async fn read_all(blobs: &Blobs, key: &BlobKey, range: Option<std::ops::Range<u64>>) -> Vec<u8> {
    let read = blobs.read(key, range).await.unwrap();
    let parts: Vec<Bytes> = read.chunks.try_collect().await.unwrap();
    parts.concat()
}

async fn a_streamed_file_reads_back_whole_and_by_range((blobs, held): (Blobs, Held)) {
    let key = BlobKey::new("media/1/photo").unwrap();
    let sent: Vec<Bytes> = chunks(320).collect(); // 20 MiB
    let expected = sent.concat();
    let size = blobs
        .write(&key, stream::iter(sent).map(Ok::<_, std::io::Error>))
        .await
        .unwrap();
    assert_eq!(size, expected.len() as u64);
    assert_eq!(blobs.size(&key).await.unwrap(), size);
    assert_eq!(
        held.blobs().await,
        [("media/1/photo".to_owned(), size)],
        "one blob, under its key"
    );

    let whole = read_all(&blobs, &key, None).await;
    assert_eq!(
        Sha256::digest(&whole),
        Sha256::digest(&expected),
        "the same bytes back"
    );
    let middle = 5_000_000..5_100_123;
    assert_eq!(
        read_all(&blobs, &key, Some(middle.clone())).await,
        expected[5_000_000..5_100_123]
    );
    let read = blobs.read(&key, Some(size - 10..size + 100)).await.unwrap();
    assert_eq!(
        (read.size, read.range),
        (size, size - 10..size),
        "a range past the end is cut at it"
    );
    assert!(matches!(
        blobs.read(&key, Some(size..size + 1)).await,
        Err(BlobError::BadRange { .. })
    ));
}

async fn a_write_that_fails_half_way_leaves_nothing((blobs, held): (Blobs, Held)) {
    let key = BlobKey::new("uploads/9").unwrap();
    let broken = stream::iter(
        chunks(40)
            .map(Ok)
            .chain([Err(std::io::Error::other("connection reset"))]),
    );
    assert!(matches!(
        blobs.write(&key, broken).await,
        Err(BlobError::Source(_))
    ));
    assert!(matches!(
        blobs.size(&key).await,
        Err(BlobError::NotFound(_))
    ));
    assert_eq!(held.blobs().await, [], "no part left");

    // A failed rewrite keeps what was there.
    let first = blobs
        .write(&key, stream::iter(chunks(2)).map(Ok::<_, std::io::Error>))
        .await
        .unwrap();
    let broken = stream::iter(
        chunks(5)
            .map(Ok)
            .chain([Err(std::io::Error::other("gone"))]),
    );
    assert!(blobs.write(&key, broken).await.is_err());
    assert_eq!(blobs.size(&key).await.unwrap(), first);
    assert_eq!(held.blobs().await, [("uploads/9".to_owned(), first)]);
}

async fn a_deleted_blob_is_gone((blobs, held): (Blobs, Held)) {
    let key = BlobKey::new("media/2/voice").unwrap();
    blobs
        .write(&key, stream::iter(chunks(3)).map(Ok::<_, std::io::Error>))
        .await
        .unwrap();
    blobs.delete(&key).await.unwrap();
    assert_eq!(held.blobs().await, []);
    assert!(matches!(
        blobs.read(&key, None).await,
        Err(BlobError::NotFound(_))
    ));
    blobs.delete(&key).await.unwrap();
}

#[tokio::test]
async fn a_streamed_file_reads_back_whole_and_by_range_from_a_directory() {
    a_streamed_file_reads_back_whole_and_by_range(Held::local()).await;
}

#[tokio::test]
async fn a_streamed_file_reads_back_whole_and_by_range_from_s3() {
    if let Some(store) = Held::s3().await {
        a_streamed_file_reads_back_whole_and_by_range(store).await;
    }
}

#[tokio::test]
async fn a_write_that_fails_half_way_leaves_nothing_in_a_directory() {
    a_write_that_fails_half_way_leaves_nothing(Held::local()).await;
}

#[tokio::test]
async fn a_write_that_fails_half_way_leaves_nothing_in_s3() {
    if let Some(store) = Held::s3().await {
        a_write_that_fails_half_way_leaves_nothing(store).await;
    }
}

#[tokio::test]
async fn a_deleted_blob_is_gone_from_a_directory() {
    a_deleted_blob_is_gone(Held::local()).await;
}

#[tokio::test]
async fn a_deleted_blob_is_gone_from_s3() {
    if let Some(store) = Held::s3().await {
        a_deleted_blob_is_gone(store).await;
    }
}

/// Why the server would not start on `change`d settings.
async fn start_error(change: impl FnOnce(&mut courier_server::startup::Config)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config(dir.path());
    change(&mut config);
    let shutdown = tokio_util::sync::CancellationToken::new();
    match Running::start(&config, shutdown).await {
        Ok(_) => panic!("started"),
        Err(e @ StartError::Blobs(_)) => e.to_string(),
        Err(other) => panic!("not a blob store error: {other}"),
    }
}

#[tokio::test]
async fn a_bad_blob_url_stops_the_start() {
    for (url, why) in [
        ("/var/courier/blobs", "expected s3://bucket[/prefix]"),
        (
            "https://s3.example.com/files",
            "expected s3://bucket[/prefix]",
        ),
        ("s3://", "a bucket is 3 to 63"),
        ("s3://My_Bucket", "a bucket is 3 to 63"),
        ("s3://files/a//b", "a prefix is"),
        ("s3://files/../b", "a prefix is"),
    ] {
        let error = start_error(|c| c.blob = Some(url.into())).await;
        assert!(
            error.starts_with("opening the blob store: bad blob store URL") && error.contains(why),
            "{url}: {error}"
        );
    }
    let error = start_error(|c| {
        c.blob = Some("s3://files".into());
        c.s3_endpoint = Some("http://127.0.0.1:9".into());
        c.s3_access_key_id = Some("id".into());
    })
    .await;
    assert!(error.contains("secret access key"), "{error}");
}

#[tokio::test]
async fn a_missing_bucket_stops_the_start() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let s3 = server.bucket("there").await;
    let started = |bucket: &str| {
        let dir = tempfile::tempdir().unwrap();
        let mut config = common::config(dir.path());
        config.blob = Some(format!("s3://{bucket}/some/prefix"));
        config.s3_endpoint = s3.endpoint.clone();
        config.s3_access_key_id = s3.access_key_id.clone();
        config.s3_secret_access_key = s3.secret_access_key.clone().map(Into::into);
        async move {
            let shutdown = tokio_util::sync::CancellationToken::new();
            let started = Running::start(&config, shutdown.clone()).await;
            shutdown.cancel();
            drop(dir);
            started.map(|_| ())
        }
    };
    started("there").await.unwrap();
    let error = started("not-there").await.unwrap_err().to_string();
    assert!(
        error.starts_with("opening the blob store:") && error.contains("NoSuchBucket"),
        "{error}"
    );
}
