//! Files: an upload and a download through Courier (tus `PATCH`, `GET
//! /api/media`) beside the same bytes written by a plain axum handler and
//! served by tower-http's `ServeDir` (the baseline server), both driven by
//! the same `curl` in the same run; and Courier's memory while a larger
//! file streams in, which must stay flat.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use courier_protocol::http::media::{TUS_VERSION, UPLOADS};
use tokio::process::Command;

use crate::target::{self, Server};

const MB: u64 = 1024 * 1024;

/// What one run measured.
pub struct Figures {
    pub mb: u64,
    pub upload_s: f64,
    pub baseline_upload_s: f64,
    pub download_s: f64,
    pub baseline_download_s: f64,
    pub rss_mb: u64,
    pub rss_before: u64,
    pub rss_peak: u64,
}

/// A file of `mb` MiB of a repeating pattern.
fn make_file(dir: &Path, name: &str, mb: u64) -> anyhow::Result<PathBuf> {
    use std::io::Write;
    let path = dir.join(name);
    let mut file = std::fs::File::create(&path)?;
    let block: Vec<u8> = (0..MB).map(|i| (i % 251) as u8).collect();
    for _ in 0..mb {
        file.write_all(&block)?;
    }
    file.sync_all()?;
    Ok(path)
}

/// Runs curl with `args`; its time.
async fn curl(args: &[&str]) -> anyhow::Result<f64> {
    let started = Instant::now();
    let status = Command::new("curl")
        .args(["-sS", "--fail", "-o", "/dev/null"])
        .args(args)
        .status()
        .await
        .context("running curl")?;
    if !status.success() {
        bail!("curl {args:?} failed: {status}");
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Starts a tus upload of `size` bytes: its URL.
pub(crate) async fn create(addr: SocketAddr, cookie: &str, size: u64) -> anyhow::Result<String> {
    let created = reqwest::Client::new()
        .post(format!("http://{addr}{UPLOADS}"))
        .header("Cookie", cookie)
        .header("Tus-Resumable", TUS_VERSION)
        .header("Upload-Length", size.to_string())
        .send()
        .await?
        .error_for_status()?;
    let location = created
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .context("no Location")?;
    Ok(format!("http://{addr}{location}"))
}

fn patch_args<'a>(file: &'a str, cookie: &'a str, url: &'a str) -> Vec<&'a str> {
    vec![
        "-X",
        "PATCH",
        "-T",
        file,
        "-H",
        cookie,
        "-H",
        "Tus-Resumable: 1.0.0",
        "-H",
        "Content-Type: application/offset+octet-stream",
        "-H",
        "Upload-Offset: 0",
        url,
    ]
}

/// Uploads and downloads `mb` MiB through Courier and the baseline, then
/// streams `rss_mb` MiB into Courier watching its RSS.
pub async fn run(mb: u64, rss_mb: u64) -> anyhow::Result<Figures> {
    let dir = std::env::temp_dir().join(format!("courier-media-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = measure(&dir, mb, rss_mb).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn measure(dir: &Path, mb: u64, rss_mb: u64) -> anyhow::Result<Figures> {
    let file = make_file(dir, "bench.bin", mb)?;
    let file = file.to_str().context("path")?;
    let data = dir.join("courier");
    let mut courier = Server::courier(&data, 0).await?;
    let mut baseline = Server::baseline().await?;
    let (_, cookie) = target::owner(courier.addr).await?;
    let cookie_header = format!("Cookie: {cookie}");

    let url = create(courier.addr, &cookie, mb * MB).await?;
    let upload_s = curl(&patch_args(file, &cookie_header, &url)).await?;
    let id = url.rsplit('/').next().context("id")?;
    let media = format!("http://{}/api/media/{id}", courier.addr);
    let download_s = curl(&["-H", &cookie_header, &media]).await?;

    let plain = format!("http://{}/files/bench.bin", baseline.addr);
    let put = format!("http://{}/upload/bench.bin", baseline.addr);
    let baseline_upload_s = curl(&["-T", file, &put]).await?;
    let baseline_download_s = curl(&[&plain]).await?;
    std::fs::remove_file(file)?;

    // Memory while a larger file streams in: sampled every 50 ms.
    let big = make_file(dir, "big.bin", rss_mb)?;
    let big = big.to_str().context("path")?.to_owned();
    let url = create(courier.addr, &cookie, rss_mb * MB).await?;
    let rss_before = courier.rss_bytes();
    let args: Vec<String> = patch_args(&big, &cookie_header, &url)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let upload = tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        curl(&args).await
    });
    let mut rss_peak = rss_before;
    while !upload.is_finished() {
        rss_peak = rss_peak.max(courier.rss_bytes());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    upload.await??;
    courier.kill().await?;
    // The baseline keeps its files in a directory named by its pid.
    let baseline_files = std::env::temp_dir().join(format!("baseline-files-{}", baseline.pid()));
    baseline.kill().await?;
    let _ = std::fs::remove_dir_all(baseline_files);
    Ok(Figures {
        mb,
        upload_s,
        baseline_upload_s,
        download_s,
        baseline_download_s,
        rss_mb,
        rss_before,
        rss_peak,
    })
}

impl Figures {
    /// The figures as a Markdown table, each beside its baseline.
    pub fn table(&self) -> String {
        let rate = |s: f64| self.mb as f64 / s;
        format!(
            "| {mb} MiB | Courier | baseline | ratio |\n| --- | --- | --- | --- |\n\
             | upload (tus PATCH vs axum handler), MiB/s | {:.0} | {:.0} | {:.2} |\n\
             | download (/api/media vs ServeDir), MiB/s | {:.0} | {:.0} | {:.2} |\n\
             | server RSS before / peak while {} MiB streams in, MiB | {} / {} | | |\n",
            rate(self.upload_s),
            rate(self.baseline_upload_s),
            self.baseline_upload_s / self.upload_s,
            rate(self.download_s),
            rate(self.baseline_download_s),
            self.baseline_download_s / self.download_s,
            self.rss_mb,
            self.rss_before / MB,
            self.rss_peak / MB,
            mb = self.mb,
        )
    }
}
