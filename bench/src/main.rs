//! `courier-bench suite`: the standard benchmark (≤10 minutes on 2 cores),
//! printed as one table and written to bench/RESULTS.md.
//! `courier-bench crash --kills 3`: the crash test alone (the test command
//! runs this short form). Run through `bench/run.sh`, which builds the
//! servers and raises the open-file limit.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use courier_bench::cluster::Cluster;
use courier_bench::report::{self, Row, ms};
use courier_bench::scenario::{self, Backlog, Load, Pace, open_all};
use courier_bench::target::{self, Server};
use courier_bench::{crash, epoch};

#[derive(Parser)]
#[command(about = "Courier's load generator, benchmarks and crash test")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The standard suite: throughput, latency, memory, fan-out, slow consumer, crash.
    Suite {
        /// Where to write the results table.
        #[arg(long, default_value = "bench/RESULTS.md")]
        results: PathBuf,
        /// Sockets for the largest idle-memory figure: 100,000, or as many
        /// as the open-file limit allows (server and client each hold one
        /// descriptor per socket).
        #[arg(long)]
        max_idle: Option<usize>,
        /// Kills in the crash test.
        #[arg(long, default_value_t = 10)]
        kills: usize,
    },
    /// One load run against one server, for profiling: prints its figures
    /// and the server's pid, and keeps the server up for `--seconds`.
    Load {
        /// Send at this many messages/s in total instead of as fast as acks allow.
        #[arg(long)]
        rate: Option<f64>,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Drive the baseline server instead of Courier.
        #[arg(long)]
        baseline: bool,
    },
    /// Only the scale-out figures (PostgreSQL, three nodes, the channel).
    Scale,
    /// Only the slow-consumer figures, at this many messages/s.
    Slow {
        #[arg(long, default_value_t = 2750.0)]
        rate: f64,
    },
    /// Files: upload and download through Courier beside a plain axum
    /// handler and tower-http's ServeDir, Courier's RSS while a larger file
    /// streams in, and a photo album from send to shown beside a text
    /// message.
    Media {
        /// Size of the file uploaded and downloaded, in MiB.
        #[arg(long, default_value_t = 1024)]
        mb: u64,
        /// Size of the file streamed in while RSS is sampled, in MiB.
        #[arg(long, default_value_t = 4096)]
        rss_mb: u64,
    },
    /// Group calls' media: rooms of WebRTC participants through the SFU,
    /// one more at each step until its thread uses half a core, beside a
    /// plain UDP relay of the same datagrams.
    Sfu {
        /// The most rooms to step up to.
        #[arg(long, default_value_t = 16)]
        rooms: usize,
        /// Participants in each room, each with a voice and a simulcast camera.
        #[arg(long, default_value_t = 6)]
        per_room: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Where to write the table.
        #[arg(long, default_value = "bench/SFU.md")]
        results: PathBuf,
    },
    /// Clients send through repeated SIGKILLs; the checker proves nothing was lost.
    Crash {
        #[arg(long, default_value_t = 3)]
        kills: usize,
        #[arg(long, default_value_t = 10)]
        groups: usize,
        #[arg(long, default_value_t = 10)]
        size: usize,
        /// Nodes: 1 runs on SQLite; more share a fresh PostgreSQL database
        /// and NATS, and each kill hits a random node.
        #[arg(long, default_value_t = 1)]
        nodes: usize,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    epoch();
    match Args::parse().command {
        Command::Media { mb, rss_mb } => {
            let figures = courier_bench::media::run(mb, rss_mb).await?;
            println!("{}", figures.table());
            let album = courier_bench::album::run().await?;
            println!("{}", album.table());
        }
        Command::Sfu {
            rooms,
            per_room,
            seconds,
            results,
        } => {
            let figures = courier_bench::sfu::run(rooms, per_room, seconds).await?;
            let table = figures.table();
            println!("{table}");
            std::fs::write(
                &results,
                format!(
                    "# Group calls' media: Courier's SFU beside a UDP relay\n\n\
                     Written by `bench/run.sh sfu` (see `bench/src/sfu.rs` for what each figure is).\n\n{table}"
                ),
            )?;
        }
        Command::Crash {
            kills,
            groups,
            size,
            nodes,
        } => {
            let report = crash_test(kills, groups, size, nodes).await?;
            if !report {
                bail!("crash test failed");
            }
        }
        Command::Load {
            rate,
            seconds,
            baseline,
        } => {
            let dir = scratch()?;
            let server = if baseline {
                Server::baseline().await?
            } else {
                Server::courier(&dir, 0).await?
            };
            eprintln!("[bench] server pid {}", server.pid());
            let seats = target::seats(&server, SOCKETS / GROUP, GROUP).await?;
            let peers = open_all(&[server.addr], &seats, 0, None, Backlog::Whole).await?;
            let pace = rate.map_or(Pace::Window(4), Pace::Rate);
            let (load, _) = scenario::run(
                &server,
                peers,
                pace,
                WARMUP,
                Duration::from_secs(seconds),
                &BTreeSet::new(),
            )
            .await?;
            println!(
                "{:.0} deliveries/s, {:.0} messages/s; ack p50 {:.2} p99 {:.2} ms; receive p50 {:.2} p99 {:.2} ms",
                load.deliveries_per_s,
                load.messages_per_s,
                ms(&load.ack, 0.5),
                ms(&load.ack, 0.99),
                ms(&load.delivery, 0.5),
                ms(&load.delivery, 0.99)
            );
            let _ = std::fs::remove_dir_all(&dir);
        }
        Command::Scale => {
            let dir = scratch()?;
            let courier = Server::courier(&dir.join("throughput"), 0).await?;
            let sqlite = load(&courier, Pace::Window(4)).await?;
            drop(courier);
            let rows = scale_out(&dir, &sqlite).await?;
            println!("{}", report::table(&rows));
            let _ = std::fs::remove_dir_all(&dir);
        }
        Command::Slow { rate } => {
            let dir = scratch()?;
            let (rows, notes) = slow_consumer(&dir, rate).await?;
            println!("{}\n{notes}", report::table(&rows));
            let _ = std::fs::remove_dir_all(&dir);
        }
        Command::Suite {
            results,
            max_idle,
            kills,
        } => {
            let max_idle =
                max_idle.unwrap_or_else(|| 100_000.min(open_file_limit().saturating_sub(1000)));
            suite(&results, max_idle, kills).await?;
        }
    }
    Ok(())
}

/// The soft limit on open files, from /proc (0 if unknown).
fn open_file_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            l.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3)?.parse().ok())
        })
        .unwrap_or(0)
}

fn scratch() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "courier-bench-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn crash_test(
    kills: usize,
    groups: usize,
    size: usize,
    nodes: usize,
) -> anyhow::Result<bool> {
    let dir = scratch()?;
    let report = crash::run(&dir, groups, size, kills, nodes).await?;
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "crash test: {} clients, {} node(s), {} SIGKILLs, {} messages acknowledged, {} stored, {} violations",
        report.clients,
        nodes,
        report.kills,
        report.acked,
        report.stored,
        report.violations.len()
    );
    for v in report.violations.iter().take(20) {
        println!("  violation: {v}");
    }
    Ok(report.passed())
}

const SOCKETS: usize = 1000;
const GROUP: usize = 10;
const WARMUP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(8);

async fn load(server: &Server, pace: Pace) -> anyhow::Result<Load> {
    load_over(server, &[server.addr], pace).await
}

/// The same workload with seats made on `first` and sockets spread over
/// `addrs` (a cluster's nodes).
async fn load_over(
    first: &Server,
    addrs: &[std::net::SocketAddr],
    pace: Pace,
) -> anyhow::Result<Load> {
    let seats = target::seats(first, SOCKETS / GROUP, GROUP).await?;
    let peers = open_all(addrs, &seats, 0, None, Backlog::Whole).await?;
    let (load, _) = scenario::run(first, peers, pace, WARMUP, MEASURE, &BTreeSet::new()).await?;
    Ok(load)
}

/// PostgreSQL vs SQLite on one node, three nodes vs one, and a channel
/// post to 100,000 subscribers (10,000 online) on three nodes vs one.
async fn scale_out(dir: &std::path::Path, sqlite_max: &Load) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    eprintln!("[bench] scale-out: the throughput workload on 1 and 3 nodes (PostgreSQL + NATS)");
    let one = Cluster::postgres(&dir.join("pg1"), 1).await?;
    let p1 = load_over(&one.nodes[0], &one.addrs(), Pace::Window(4)).await?;
    drop(one);
    let three = Cluster::postgres(&dir.join("pg3"), 3).await?;
    let p3 = load_over(&three.nodes[0], &three.addrs(), Pace::Window(4)).await?;
    drop(three);
    rows.push(Row::compared(
        "1 node: max durable deliveries/s, PostgreSQL (vs SQLite)",
        p1.deliveries_per_s,
        sqlite_max.deliveries_per_s,
        "/s",
    ));
    rows.push(Row::compared(
        "3 nodes vs 1 node on PostgreSQL + NATS: max deliveries/s",
        p3.deliveries_per_s,
        p1.deliveries_per_s,
        "/s",
    ));
    rows.push(Row::compared(
        "3 nodes vs 1 node: send→ack p99 at that load",
        ms(&p3.ack, 0.99),
        ms(&p1.ack, 0.99),
        "ms",
    ));

    let (mut posts, mut joins) = (Vec::new(), Vec::new());
    for nodes in [3, 1] {
        eprintln!("[bench] channel: 100,000 subscribers, 10,000 online, on {nodes} node(s)");
        let cluster = Cluster::postgres(&dir.join(format!("channel{nodes}")), nodes).await?;
        let (seats, joins_per_s) = cluster.channel(10_000, 90_000).await?;
        joins.push(joins_per_s);
        let post = scenario::fan_out(&cluster.addrs(), &seats).await?;
        posts.push(post.as_secs_f64() * 1000.0);
    }
    rows.push(Row::compared(
        "channel post to 100,000 subscribers (10,000 online): last online has it, 3 nodes vs 1",
        posts[0],
        posts[1],
        "ms",
    ));
    rows.push(Row::compared(
        "guests joining that channel (90,000+ subscribers) by link: joins/s, 3 nodes vs 1",
        joins[0],
        joins[1],
        "/s",
    ));
    rows.push(Row::single(
        "errors during scale-out load runs",
        format!("{}", p1.errors + p3.errors),
    ));
    Ok(rows)
}

async fn suite(results: &std::path::Path, max_idle: usize, kills: usize) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    let mut notes = String::new();
    let dir = scratch()?;

    eprintln!("[bench] throughput: {SOCKETS} sockets in groups of {GROUP}, as fast as acks allow");
    let courier = Server::courier(&dir.join("throughput"), 0).await?;
    let c_max = load(&courier, Pace::Window(4)).await?;
    drop(courier);
    let baseline = Server::baseline().await?;
    let b_max = load(&baseline, Pace::Window(4)).await?;
    drop(baseline);
    rows.push(Row::compared(
        "max durable deliveries/s (1,000 sockets, groups of 10)",
        c_max.deliveries_per_s,
        b_max.deliveries_per_s,
        "/s",
    ));
    rows.push(Row::compared(
        "  messages/s at that load",
        c_max.messages_per_s,
        b_max.messages_per_s,
        "/s",
    ));

    let half = c_max.messages_per_s / 2.0;
    eprintln!("[bench] latency at half of Courier's max: {half:.0} messages/s offered to both");
    let courier = Server::courier(&dir.join("latency"), 0).await?;
    let c_half = load(&courier, Pace::Rate(half)).await?;
    drop(courier);
    let baseline = Server::baseline().await?;
    let b_half = load(&baseline, Pace::Rate(half)).await?;
    drop(baseline);
    for (name, q) in [("p50", 0.5), ("p99", 0.99), ("p99.9", 0.999)] {
        rows.push(Row::compared(
            format!("send→ack {name} at half load"),
            ms(&c_half.ack, q),
            ms(&b_half.ack, q),
            "ms",
        ));
    }
    for (name, q) in [("p50", 0.5), ("p99", 0.99), ("p99.9", 0.999)] {
        rows.push(Row::compared(
            format!("send→receive {name} at half load"),
            ms(&c_half.delivery, q),
            ms(&b_half.delivery, q),
            "ms",
        ));
    }
    rows.push(Row::single(
        "errors during load runs",
        format!("{}", c_max.errors + c_half.errors),
    ));

    for n in [10_000, max_idle] {
        eprintln!("[bench] memory: {n} idle sockets");
        let courier = Server::courier(&dir.join(format!("idle{n}")), 0).await?;
        let seat = target::one_session(&courier).await?;
        let (c_per, c_total) = scenario::idle_rss_per_socket(&courier, &seat, n)
            .await
            .with_context(|| format!("{n} courier sockets"))?;
        drop(courier);
        let baseline = Server::baseline().await?;
        let seat = target::one_session(&baseline).await?;
        let (b_per, _) = scenario::idle_rss_per_socket(&baseline, &seat, n)
            .await
            .with_context(|| format!("{n} baseline sockets"))?;
        drop(baseline);
        rows.push(Row::compared(
            format!("RSS per idle socket at {n} sockets"),
            c_per / 1024.0,
            b_per / 1024.0,
            "KiB",
        ));
        rows.push(Row::single(
            format!("  server RSS with {n} idle sockets"),
            format!("{:.0} MiB", c_total as f64 / f64::from(1 << 20)),
        ));
    }

    eprintln!("[bench] fan-out: one message to a 10,000-member group, all online");
    let courier = Server::courier(&dir.join("fanout"), 0).await?;
    let seats = target::seats(&courier, 1, 10_000).await?;
    let c_fan = scenario::fan_out(&[courier.addr], &seats).await?;
    drop(courier);
    let baseline = Server::baseline().await?;
    let seats = target::seats(&baseline, 1, 10_000).await?;
    let b_fan = scenario::fan_out(&[baseline.addr], &seats).await?;
    drop(baseline);
    rows.push(Row::compared(
        "one message to 10,000 online members: last one has it",
        c_fan.as_secs_f64() * 1000.0,
        b_fan.as_secs_f64() * 1000.0,
        "ms",
    ));

    rows.extend(scale_out(&dir, &c_max).await?);

    eprintln!(
        "[bench] slow consumer: one of {SOCKETS} stops reading, at a quarter of Courier's max"
    );
    let (slow_rows, slow_notes) = slow_consumer(&dir.join("slow"), half / 2.0).await?;
    rows.extend(slow_rows);
    notes.push_str(&slow_notes);

    eprintln!("[bench] crash test: {kills} SIGKILLs");
    let crash = crash::run(&dir.join("crash"), 10, 10, kills, 1).await?;
    rows.push(Row::single(
        format!("crash test: 100 clients, {kills} SIGKILLs"),
        format!(
            "{} acked, {} stored, {} violations",
            crash.acked,
            crash.stored,
            crash.violations.len()
        ),
    ));
    eprintln!(
        "[bench] crash test on 3 nodes (PostgreSQL + NATS): {kills} SIGKILLs of random nodes"
    );
    let cluster_crash = crash::run(&dir.join("crash3"), 10, 10, kills, 3).await?;
    rows.push(Row::single(
        format!("crash test on 3 nodes: 100 clients, {kills} SIGKILLs"),
        format!(
            "{} acked, {} stored, {} violations",
            cluster_crash.acked,
            cluster_crash.stored,
            cluster_crash.violations.len()
        ),
    ));

    if max_idle < 100_000 {
        notes.push_str(&format!(
            "The largest idle figure is at {max_idle} sockets, not 100,000: this machine's hard limit on open files is {} and cannot be raised here (no CAP_SYS_RESOURCE), and the server holds one descriptor per socket.\n",
            open_file_limit()
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let table = report::table(&rows);
    println!("{table}");
    let command = "bench/run.sh";
    report::write_results(results, command, &table, &notes)?;
    eprintln!("[bench] wrote {}", results.display());
    for crash in [&crash, &cluster_crash] {
        if !crash.passed() {
            bail!(
                "crash test failed: {:?}",
                &crash.violations[..crash.violations.len().min(5)]
            );
        }
    }
    Ok(())
}

/// One client of 1,000 stops reading at half load: the others' p99 before
/// and during, the server's peak memory, whether the stalled client was
/// disconnected, and whether it then resumes with nothing lost.
async fn slow_consumer(data: &std::path::Path, rate: f64) -> anyhow::Result<(Vec<Row>, String)> {
    let server = Server::courier(data, 0).await?;
    let seats = target::seats(&server, SOCKETS / GROUP, GROUP).await?;
    // Both phases carry the same load, plus a busy member of the stalled
    // client's group (2 KB messages, 200 a second) so that a client that
    // stops reading fills its buffers within seconds: only the stall differs.
    let flood = |duration| {
        let (addr, seat) = (server.addr, seats[1].clone());
        tokio::spawn(async move { scenario::flood(addr, &seat, 200.0, 2000, duration).await })
    };
    let peers = open_all(&[server.addr], &seats, 0, None, Backlog::Whole).await?;
    let flooding = flood(WARMUP + MEASURE);
    let (before, _) = scenario::run(
        &server,
        peers,
        Pace::Rate(rate),
        WARMUP,
        MEASURE,
        &BTreeSet::new(),
    )
    .await?;
    flooding.await??;
    // Between the phases everyone reconnects with nothing cached; phase two
    // then starts as clients that had read everything.
    let (caught_up, backlog) = scenario::catch_up(server.addr, &seats).await?;
    let peers = open_all(&[server.addr], &seats, 0, Some(0), Backlog::UpToDate).await?;
    let stalled = BTreeSet::from([0]);
    let flooding = flood(WARMUP + Duration::from_secs(15));
    let (during, mut kept) = scenario::run(
        &server,
        peers,
        Pace::Rate(rate),
        WARMUP,
        Duration::from_secs(15),
        &stalled,
    )
    .await?;
    let flooded = flooding.await??;
    let peer = kept
        .get_mut(0)
        .and_then(Option::take)
        .context("the stalled peer")?;
    let seat = peer.seat.clone();
    let (closed, held) = scenario::drain_stalled(peer).await;
    let complete = scenario::resume_is_complete(server.addr, &seat, held).await?;
    let rows = vec![
        Row::single(
            "slow consumer: others' send→receive p99 before → during",
            format!(
                "{:.2} → {:.2} ms",
                ms(&before.delivery, 0.99),
                ms(&during.delivery, 0.99)
            ),
        ),
        Row::single(
            "slow consumer: server peak RSS before → during",
            format!(
                "{:.0} → {:.0} MiB",
                before.peak_rss as f64 / 1048576.0,
                during.peak_rss as f64 / 1048576.0
            ),
        ),
        Row::single(
            "reconnect of 1,000 clients with nothing cached: all caught up",
            format!("{:.2} s ({backlog} events)", caught_up.as_secs_f64()),
        ),
        Row::single(
            "slow consumer: stalled client disconnected / resumed complete",
            format!("{closed} / {complete}"),
        ),
    ];
    let notes = format!(
        "Slow consumer, at a quarter of Courier's max ({rate:.0} messages/s): besides that load, one member of the stalled client's group sent {flooded} messages of 2 KB (200/s) in each phase. The stalled client (kernel receive buffer 4 KiB) was {} by the server and, reconnecting from seq {}, {}.\n",
        if closed {
            "disconnected"
        } else {
            "NOT disconnected"
        },
        held.0,
        if complete {
            "received every later message with no gap"
        } else {
            "did NOT receive every later message"
        }
    );
    Ok((rows, notes))
}
