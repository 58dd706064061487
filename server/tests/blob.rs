//! The blob store on a real directory: a file streamed in chunks reads
//! back whole and by range, a write that fails half-way leaves nothing,
//! and a deleted blob's bytes are gone from the disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use bytes::Bytes;
use courier_server::kernel::blob::{BlobError, BlobKey, Blobs};
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

async fn read_all(blobs: &Blobs, key: &BlobKey, range: Option<std::ops::Range<u64>>) -> Vec<u8> {
    let read = blobs.read(key, range).await.unwrap();
    let parts: Vec<Bytes> = read.chunks.try_collect().await.unwrap();
    parts.concat()
}

#[tokio::test]
async fn a_streamed_file_reads_back_whole_and_by_range() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::local(dir.path()).unwrap();
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
        files(dir.path()),
        [("media/1/photo".to_owned(), size)],
        "one file, under its key"
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

#[tokio::test]
async fn a_write_that_fails_half_way_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::local(dir.path()).unwrap();
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
    assert_eq!(files(dir.path()), [], "no part left on disk");

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
}

#[tokio::test]
async fn a_deleted_blob_is_gone_from_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::local(dir.path()).unwrap();
    let key = BlobKey::new("media/2/voice").unwrap();
    blobs
        .write(&key, stream::iter(chunks(3)).map(Ok::<_, std::io::Error>))
        .await
        .unwrap();
    blobs.delete(&key).await.unwrap();
    assert_eq!(files(dir.path()), []);
    assert!(matches!(
        blobs.read(&key, None).await,
        Err(BlobError::NotFound(_))
    ));
    blobs.delete(&key).await.unwrap();
}
