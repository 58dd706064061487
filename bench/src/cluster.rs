//! Courier as a deployment: one node on SQLite, or N nodes sharing a fresh
//! PostgreSQL database and NATS (the machine's own, on loopback), each a
//! real `courier-server` process. Clients spread over the nodes as a load
//! balancer would spread them.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, bail};
use courier_protocol::ChatSummary;

use crate::target::{self, Seat, Server};

/// The PostgreSQL server the bench creates its databases on.
fn postgres_base() -> String {
    std::env::var("COURIER_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432".into())
}

fn nats_url() -> String {
    std::env::var("COURIER_BENCH_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

pub struct Cluster {
    pub nodes: Vec<Server>,
    /// The database made for this cluster, dropped with it.
    database: Option<String>,
}

/// Runs SQL with `psql` on the bench's PostgreSQL server.
fn psql(database: &str, sql: &str) -> anyhow::Result<()> {
    let status = std::process::Command::new("psql")
        .args([
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &format!("{}/{database}", postgres_base()),
            "-c",
            sql,
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .context("running psql")?;
    if !status.success() {
        bail!("psql failed: {sql}");
    }
    Ok(())
}

impl Cluster {
    /// One node on its embedded SQLite store.
    pub async fn sqlite(data: &Path) -> anyhow::Result<Cluster> {
        Ok(Cluster {
            nodes: vec![Server::courier(data, 0).await?],
            database: None,
        })
    }

    /// `n` nodes on a fresh PostgreSQL database, fanning out over NATS.
    pub async fn postgres(data: &Path, n: usize) -> anyhow::Result<Cluster> {
        let database = format!(
            "courier_bench_{}_{}",
            std::process::id(),
            rand::random::<u32>()
        );
        psql("postgres", &format!("CREATE DATABASE {database}"))?;
        let mut cluster = Cluster {
            nodes: Vec::with_capacity(n),
            database: Some(database.clone()),
        };
        let subject = format!("courier.bench.{database}");
        for i in 0..n {
            let extra = vec![
                "--postgres".into(),
                format!("{}/{database}", postgres_base()),
                "--nats".into(),
                nats_url(),
                "--nats-subject".into(),
                subject.clone(),
            ];
            cluster
                .nodes
                .push(Server::courier_with(&data.join(format!("node{i}")), 0, extra).await?);
        }
        Ok(cluster)
    }

    pub fn addrs(&self) -> Vec<SocketAddr> {
        self.nodes.iter().map(|n| n.addr).collect()
    }

    /// Runs SQL on the cluster's database.
    pub fn sql(&self, sql: &str) -> anyhow::Result<()> {
        match &self.database {
            Some(database) => psql(database, sql),
            None => bail!("a SQLite node has no SQL console here"),
        }
    }

    /// A channel of `online + offline` subscribers: the owner's seat first,
    /// then `online` guests who joined by its link over every node, and how
    /// many of those joins a second went through. The offline ones only
    /// need to exist, so they are written straight into the database first:
    /// every measured join is into a channel that already has them.
    pub async fn channel(&self, online: usize, offline: usize) -> anyhow::Result<(Vec<Seat>, f64)> {
        let first = self.nodes[0].addr;
        let (path, cookie) = target::owner(first).await?;
        let channel: ChatSummary =
            target::create_chat(first, &cookie, "channel", "bench channel").await?;
        let id = channel.id.0;
        self.sql(&format!(
            "WITH u AS (INSERT INTO users (name, kind, created_at) SELECT 'offline ' || g, 'guest', 0 FROM generate_series(1, {offline}) g RETURNING id)
             INSERT INTO members (chat_id, user_id, joined_at) SELECT {id}, id, 0 FROM u;
             UPDATE member_counts SET n = n + {offline} WHERE chat_id = {id}"
        ))?;
        // What autovacuum would do after such a bulk load, before the joins are timed.
        self.sql("ANALYZE")?;
        let mut seats = vec![Seat {
            path,
            cookie: Some(cookie),
            chat: channel.id,
        }];
        let started = std::time::Instant::now();
        seats.extend(target::guests(&self.addrs(), &channel, online).await?);
        let joins_per_s = online as f64 / started.elapsed().as_secs_f64();
        Ok((seats, joins_per_s))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            node.stop_now();
        }
        if let Some(database) = &self.database {
            let _ = psql(
                "postgres",
                &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
            );
        }
    }
}
