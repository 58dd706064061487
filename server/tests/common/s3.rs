//! A real S3-compatible server for tests: moto's (`moto_server`, which
//! `scripts/setup.sh --test` installs), started on a free port and killed
//! when dropped. Without it a test skips, saying so, unless `CI` is set:
//! then it fails.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use courier_server::kernel::blob::S3;

/// moto's keys are not checked; any pair signs.
pub const ACCESS_KEY_ID: &str = "courier-test";
pub const SECRET_ACCESS_KEY: &str = "courier-test-secret";

pub struct S3Server {
    child: Child,
    /// `http://127.0.0.1:{port}`
    pub endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `moto_server`: `COURIER_TEST_MOTO_SERVER` if set, else the one in the
/// virtualenv `scripts/setup.sh` makes (its pinned version), else the one
/// on `PATH`.
fn moto_server() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("COURIER_TEST_MOTO_SERVER") {
        return Some(PathBuf::from(path));
    }
    let in_venv = std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".local/share/courier/moto/bin/moto_server"));
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("moto_server"));
    in_venv
        .into_iter()
        .chain(on_path)
        .find(|path| path.is_file())
}

impl S3Server {
    /// moto's S3 server on a free port; `None` (the test should return)
    /// if it is not installed and `CI` is not set.
    pub fn start() -> Option<S3Server> {
        let Some(binary) = moto_server() else {
            let why = "moto_server (an S3 server) is not installed: \
                       scripts/setup.sh --test installs it";
            assert!(
                std::env::var_os("CI").is_none(),
                "{why}; CI is set, so this fails instead of skipping"
            );
            eprintln!("SKIPPED: {why}");
            return None;
        };
        let mut child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        // Werkzeug says where it listens on stderr, then logs every
        // request there: read it to the end so the pipe never fills.
        let stderr = child.stderr.take().expect("piped");
        let (found, port) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.split("Running on http://127.0.0.1:").nth(1)
                    && let Some(sender) = found.take()
                {
                    let _ = sender.send(at.trim().to_owned());
                }
            }
        });
        let port = port
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("moto_server to say its port");
        Some(S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        })
    }

    /// Makes the bucket `name`; where it is, with keys.
    pub async fn bucket(&self, name: &str) -> S3 {
        let made = reqwest::Client::new()
            .put(format!("{}/{name}", self.endpoint))
            .send()
            .await
            .unwrap();
        assert!(made.status().is_success(), "making {name}: {made:?}");
        S3 {
            bucket: name.into(),
            prefix: None,
            endpoint: Some(self.endpoint.clone()),
            region: "us-east-1".into(),
            access_key_id: Some(ACCESS_KEY_ID.into()),
            secret_access_key: Some(SECRET_ACCESS_KEY.into()),
        }
    }

    /// Every object in `bucket`, with its size, by name.
    pub async fn objects(&self, bucket: &str) -> Vec<(String, u64)> {
        let listing = self.get(&format!("{bucket}?list-type=2")).await;
        assert!(
            !listing.contains("<IsTruncated>true</IsTruncated>"),
            "one page"
        );
        let mut objects: Vec<(String, u64)> = listing
            .split("<Contents>")
            .skip(1)
            .map(|entry| {
                let key = between(entry, "<Key>", "</Key>");
                let size = between(entry, "<Size>", "</Size>").parse().unwrap();
                (key.to_owned(), size)
            })
            .collect();
        objects.sort();
        objects
    }

    /// How many multipart uploads of `bucket` are neither completed nor
    /// aborted (parts the store keeps but no object shows).
    pub async fn unfinished_uploads(&self, bucket: &str) -> usize {
        let listing = self.get(&format!("{bucket}?uploads")).await;
        listing.matches("<UploadId>").count()
    }

    async fn get(&self, path: &str) -> String {
        let answer = reqwest::Client::new()
            .get(format!("{}/{path}", self.endpoint))
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "GET {path}: {answer:?}");
        answer.text().await.unwrap()
    }
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    text.split(open)
        .nth(1)
        .and_then(|rest| rest.split(close).next())
        .unwrap_or_else(|| panic!("{open} in {text}"))
}
