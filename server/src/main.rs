//! `courier-server --listen 127.0.0.1:8080 --data ./data`: runs Courier on
//! one node with SQLite under the data directory. `--help` lists every flag.

use anyhow::Context;
use clap::Parser;
use courier_server::startup::{Config, Running};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    let shutdown = CancellationToken::new();
    let running = Running::start(&config, shutdown.clone())
        .await
        .context("starting Courier")?;
    let addr = running.local_addr()?;
    // Tests and scripts read this line to learn the port.
    println!("Courier is running at http://{addr}/");
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        shutdown.cancel();
    });
    running.serve().await.context("serving")?;
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
