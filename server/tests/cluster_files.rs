//! Files in a cluster: two `courier-server` processes sharing one
//! PostgreSQL database, NATS and an S3-compatible store (moto's, see
//! `common/s3.rs`), each with a data directory of its own. A file uploaded
//! through one node downloads byte for byte through the other, and an
//! upload begun on a node that is then killed goes on through the other.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::s3::{ACCESS_KEY_ID, S3Server, SECRET_ACCESS_KEY};
use common::tus::*;
use common::*;
use sha2::{Digest, Sha256};

const NATS: &str = "nats://127.0.0.1:4222";
const BUCKET: &str = "files";

/// A node on `database` and `s3`'s bucket, its files' bytes under the
/// prefix `courier`; the keys go by the environment, as in production.
async fn node(database: &TestDatabase, s3: &S3Server, subject: &str, data: &Path) -> Process {
    let blob = format!("s3://{BUCKET}/courier");
    spawn_binary_with(
        data,
        &[
            "--postgres",
            &database.url,
            "--nats",
            NATS,
            "--nats-subject",
            subject,
            "--blob",
            &blob,
            "--s3-endpoint",
            &s3.endpoint,
        ],
        &[
            ("COURIER_S3_ACCESS_KEY_ID", ACCESS_KEY_ID),
            ("COURIER_S3_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY),
        ],
    )
    .await
}

/// Two nodes, A and B, on a fresh database and bucket, with their data
/// directories.
struct Cluster {
    s3: S3Server,
    database: TestDatabase,
    a: Process,
    b: Process,
    dirs: [tempfile::TempDir; 2],
}

impl Cluster {
    /// `None` (the test should return) if there is no S3 server to test
    /// against.
    async fn start(tag: &str) -> Option<Cluster> {
        let s3 = S3Server::start()?;
        s3.bucket(BUCKET).await;
        let database = TestDatabase::create().await;
        let subject = format!("courier.test.{tag}.{}", std::process::id());
        let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        let a = node(&database, &s3, &subject, dirs[0].path()).await;
        let b = node(&database, &s3, &subject, dirs[1].path()).await;
        Some(Cluster {
            s3,
            database,
            a,
            b,
            dirs,
        })
    }

    /// The objects in the bucket, by name.
    async fn objects(&self) -> Vec<String> {
        self.s3
            .objects(BUCKET)
            .await
            .into_iter()
            .map(|(key, _)| key)
            .collect()
    }

    /// Whether a node wrote any file's bytes to its own data directory.
    fn any_local_blob(&self) -> bool {
        self.dirs.iter().any(|dir| {
            std::fs::read_dir(dir.path().join("blobs"))
                .map(|mut entries| entries.next().is_some())
                .unwrap_or(false)
        })
    }

    async fn stop(mut self) {
        let _ = self.a.child.kill().await;
        let _ = self.b.child.kill().await;
        self.database.drop_now().await;
    }
}

fn digest(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[tokio::test]
async fn a_file_uploaded_through_one_node_downloads_through_the_other() {
    let Some(cluster) = Cluster::start("files").await else {
        return;
    };
    let alice = sign_up(&cluster.a.base, "alice").await;
    // More than one 16 MiB part.
    let bytes = png(17 * 1024 * 1024 + 12_345);
    let file = Uploads { person: &alice }.upload(&bytes, "big.png").await;

    let objects = cluster.objects().await;
    let under = format!("courier/files/{}/", file.as_str());
    assert_eq!(objects.len(), 2, "two parts: {objects:?}");
    assert!(objects.iter().all(|o| o.starts_with(&under)), "{objects:?}");
    assert!(!cluster.any_local_blob(), "bytes on a node's disk");

    // The same session works on node B: sessions live in the database.
    let alice_on_b = Person {
        base: cluster.b.base.clone(),
        ..alice.clone()
    };
    let whole = get(&alice_on_b, &file, &[]).await;
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["content-type"], "image/png");
    let got = whole.bytes().await.unwrap();
    assert_eq!(got.len(), bytes.len());
    assert_eq!(digest(&got), digest(&bytes), "the same bytes through B");

    // A range across the two parts.
    let (from, to) = (16 * 1024 * 1024 - 100, 16 * 1024 * 1024 + 99);
    let part = get(
        &alice_on_b,
        &file,
        &[("Range", &format!("bytes={from}-{to}"))],
    )
    .await;
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.bytes().await.unwrap().to_vec(),
        bytes[from..=to].to_vec()
    );
    cluster.stop().await;
}

#[tokio::test]
async fn an_upload_begun_on_a_killed_node_goes_on_through_the_other() {
    let Some(mut cluster) = Cluster::start("resume").await else {
        return;
    };
    let alice = sign_up(&cluster.a.base, "alice").await;
    let on_a = Uploads { person: &alice };
    let bytes = png(3_000_000);
    let at = on_a.start(bytes.len() as u64, "half.png").await;
    let first = on_a.patch(&at, 0, bytes[..1_200_000].to_vec()).await;
    assert_eq!(first.status(), 204);
    assert_eq!(on_a.offset(&at).await, Ok(1_200_000));

    // Node A dies (SIGKILL): no clean shutdown.
    cluster.a.child.kill().await.unwrap();
    assert!(
        http().get(&cluster.a.base).send().await.is_err(),
        "node A is gone"
    );

    let alice_on_b = Person {
        base: cluster.b.base.clone(),
        ..alice.clone()
    };
    let on_b = Uploads {
        person: &alice_on_b,
    };
    assert_eq!(on_b.offset(&at).await, Ok(1_200_000), "A's offset, on B");
    let rest = on_b
        .patch(&at, 1_200_000, bytes[1_200_000..].to_vec())
        .await;
    assert_eq!(rest.status(), 204);
    assert_eq!(rest.headers()["upload-offset"], "3000000");
    assert_eq!(
        cluster.objects().await.len(),
        2,
        "one part from A, one from B"
    );
    assert!(!cluster.any_local_blob(), "bytes on a node's disk");

    let whole = get(&alice_on_b, &file_of(&at), &[]).await;
    assert_eq!(whole.status(), 200);
    assert_eq!(
        digest(&whole.bytes().await.unwrap()),
        digest(&bytes),
        "the same bytes through B"
    );
    cluster.stop().await;
}
