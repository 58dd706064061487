//! The measurements. Each opens real sockets against a running server and
//! returns figures; `report` turns them into the table.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::anyhow;
use courier_protocol::{ChatId, Cursor, Seq, ServerFrame};
use hdrhistogram::Histogram;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::client::{self, Sink, Stream, source_addr};
use crate::micros_now;
use crate::target::{Seat, Server};

/// One open, greeted socket.
pub struct Peer {
    pub seat: Seat,
    pub sink: Sink,
    pub stream: Stream,
}

/// What a seat's socket asks of the history it holds no cursor for.
#[derive(Clone, Copy)]
pub enum Backlog {
    /// Every chat's whole history, as a new device with nothing cached.
    Whole,
    /// Nothing old: a client that had read everything before it reconnected
    /// (real clients resume from their cursors).
    UpToDate,
}

/// Opens and greets a socket per seat, a few hundred at a time, seat `i`
/// on node `addrs[i % n]`. The `stalled` seat gets a small receive buffer
/// (see [`client::connect_with`]) and always the whole history, so that
/// what it holds can be checked from seq 1.
pub async fn open_all(
    addrs: &[SocketAddr],
    seats: &[Seat],
    offset: usize,
    stalled: Option<usize>,
    backlog: Backlog,
) -> anyhow::Result<Vec<Peer>> {
    let limit = Arc::new(Semaphore::new(256));
    let mut tasks = Vec::with_capacity(seats.len());
    for (i, seat) in seats.iter().enumerate() {
        let (seat, limit, addr) = (seat.clone(), Arc::clone(&limit), addrs[i % addrs.len()]);
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire().await?;
            let is_stalled = stalled == Some(i);
            let backlog = if is_stalled { Backlog::Whole } else { backlog };
            let (peer, _) = greet(addr, seat, offset + i, is_stalled, backlog).await?;
            anyhow::Ok(peer)
        }));
    }
    let mut peers = Vec::with_capacity(tasks.len());
    for task in tasks {
        peers.push(task.await??);
    }
    // Let the backlog each hello brought arrive before measuring.
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(peers)
}

/// Opens and greets one seat's socket: the peer, and the newest seq of its
/// chat that the welcome named.
async fn greet(
    addr: SocketAddr,
    seat: Seat,
    source: usize,
    stalled: bool,
    backlog: Backlog,
) -> anyhow::Result<(Peer, Seq)> {
    let (mut sink, mut stream) = client::connect_with(
        addr,
        &seat.path,
        seat.cookie.as_deref(),
        source_addr(source),
        stalled.then_some(4096),
    )
    .await?;
    let recent = match backlog {
        Backlog::Whole => None,
        Backlog::UpToDate => Some(0),
    };
    let (_, chats) = client::hello_recent(&mut sink, &mut stream, vec![], recent).await?;
    let newest = chats
        .iter()
        .find(|c| c.id == seat.chat)
        .map_or(Seq::ZERO, |c| c.last_seq);
    Ok((Peer { seat, sink, stream }, newest))
}

/// Everyone reconnects at once with nothing cached (after a restart, say):
/// the time from the first connect until every seat has received its chat's
/// whole history up to the newest seq its welcome named, and how many
/// events arrived.
pub async fn catch_up(addr: SocketAddr, seats: &[Seat]) -> anyhow::Result<(Duration, u64)> {
    let started = tokio::time::Instant::now();
    let limit = Arc::new(Semaphore::new(256));
    let mut tasks = Vec::with_capacity(seats.len());
    for (i, seat) in seats.iter().enumerate() {
        let (seat, limit) = (seat.clone(), Arc::clone(&limit));
        tasks.push(tokio::spawn(async move {
            let (mut peer, newest) = {
                let _permit = limit.acquire().await?;
                greet(addr, seat, i, false, Backlog::Whole).await?
            };
            let (mut held, mut events) = (Seq::ZERO, 0u64);
            while held < newest {
                if let ServerFrame::Events { chat, messages } =
                    client::next(&mut peer.stream).await?
                    && chat == peer.seat.chat
                {
                    events += messages.len() as u64;
                    held = messages.last().map_or(held, |m| m.seq.max(held));
                }
            }
            anyhow::Ok(events)
        }));
    }
    let mut events = 0;
    for task in tasks {
        events += tokio::time::timeout(Duration::from_secs(120), task).await???;
    }
    Ok((started.elapsed(), events))
}

/// 1 µs to 100 s at 3 significant digits.
#[allow(clippy::expect_used, reason = "constant, valid bounds")]
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 100_000_000, 3).expect("valid histogram bounds")
}

/// Figures of one load run.
pub struct Load {
    pub messages_per_s: f64,
    pub deliveries_per_s: f64,
    /// send → Sent, µs
    pub ack: Histogram<u64>,
    /// send → Events at a member, µs
    pub delivery: Histogram<u64>,
    pub errors: u64,
    pub peak_rss: u64,
}

/// How the senders pace themselves.
#[derive(Clone, Copy)]
pub enum Pace {
    /// Keep this many sends unacknowledged per socket: as fast as acks allow.
    Window(usize),
    /// Offer this many messages per second in total, whatever the acks do.
    Rate(f64),
}

struct Shared {
    measuring: AtomicBool,
    /// Senders stop.
    stop: AtomicBool,
    /// Readers stop, once what was in flight has arrived.
    readers_done: AtomicBool,
    messages: AtomicU64,
    deliveries: AtomicU64,
    errors: AtomicU64,
}

/// Runs senders on every peer (except those in `silent`) for `warmup` then
/// `measure`, counting what arrives during `measure`.
pub async fn run(
    server: &Server,
    peers: Vec<Peer>,
    pace: Pace,
    warmup: Duration,
    measure: Duration,
    silent: &BTreeSet<usize>,
) -> anyhow::Result<(Load, Vec<Option<Peer>>)> {
    let shared = Arc::new(Shared {
        measuring: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        readers_done: AtomicBool::new(false),
        messages: AtomicU64::new(0),
        deliveries: AtomicU64::new(0),
        errors: AtomicU64::new(0),
    });
    let senders = peers.len() - silent.len();
    // Client ids unique to this run: a later run on the same seats reusing
    // them would be answered with the earlier run's messages (sends are
    // idempotent), and those would count with their old send times.
    let run = micros_now();
    let mut readers: Vec<JoinHandle<Readings>> = Vec::new();
    let mut writers: Vec<JoinHandle<Sink>> = Vec::new();
    let mut kept: Vec<Option<Peer>> = Vec::new();
    for (i, peer) in peers.into_iter().enumerate() {
        if silent.contains(&i) {
            kept.push(Some(peer));
            continue;
        }
        kept.push(None);
        // At a fixed rate the window is never waited on; acks add permits
        // that nobody takes, far fewer than the semaphore's maximum.
        let window = Arc::new(Semaphore::new(match pace {
            Pace::Window(w) => w,
            Pace::Rate(_) => 0,
        }));
        readers.push(tokio::spawn(read_loop(
            peer.stream,
            Arc::clone(&shared),
            Arc::clone(&window),
        )));
        let interval = match pace {
            Pace::Rate(rate) => Some(Duration::from_secs_f64(senders as f64 / rate)),
            Pace::Window(_) => None,
        };
        writers.push(tokio::spawn(write_loop(
            format!("{run:x}-p{i}"),
            peer.sink,
            peer.seat.chat,
            Arc::clone(&shared),
            window,
            interval,
        )));
    }
    tokio::time::sleep(warmup).await;
    shared.measuring.store(true, Ordering::SeqCst);
    let mut peak_rss = 0;
    let started = tokio::time::Instant::now();
    while started.elapsed() < measure {
        tokio::time::sleep(Duration::from_millis(250)).await;
        peak_rss = peak_rss.max(server.rss_bytes());
    }
    shared.measuring.store(false, Ordering::SeqCst);
    let seconds = started.elapsed().as_secs_f64();
    shared.stop.store(true, Ordering::SeqCst);
    let (mut ack, mut delivery) = (histogram(), histogram());
    let mut sinks = Vec::new();
    for w in writers {
        sinks.push(w.await?);
    }
    // Give in-flight frames a moment, then stop the readers.
    tokio::time::sleep(Duration::from_millis(300)).await;
    shared.readers_done.store(true, Ordering::SeqCst);
    for r in readers {
        let (a, d, _) = r.await?;
        ack.add(&a).ok();
        delivery.add(&d).ok();
    }
    drop(sinks);
    let load = Load {
        messages_per_s: shared.messages.load(Ordering::SeqCst) as f64 / seconds,
        deliveries_per_s: shared.deliveries.load(Ordering::SeqCst) as f64 / seconds,
        ack,
        delivery,
        errors: shared.errors.load(Ordering::SeqCst),
        peak_rss,
    };
    Ok((load, kept))
}

async fn write_loop(
    ids: String,
    mut sink: Sink,
    chat: ChatId,
    shared: Arc<Shared>,
    window: Arc<Semaphore>,
    interval: Option<Duration>,
) -> Sink {
    let mut n = 0u64;
    let mut tick = interval.map(|every| {
        // Spread the senders' phases so the offered load is smooth.
        let start = tokio::time::Instant::now() + every.mul_f64(rand::random::<f64>());
        let mut t = tokio::time::interval_at(start, every);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        t
    });
    while !shared.stop.load(Ordering::Relaxed) {
        match &mut tick {
            Some(t) => {
                t.tick().await;
            }
            None => {
                match tokio::time::timeout(Duration::from_millis(200), window.acquire()).await {
                    Ok(Ok(permit)) => permit.forget(),
                    _ => continue,
                }
            }
        }
        n += 1;
        let text = format!("{} bench payload of about forty bytes", micros_now());
        if client::say(&mut sink, chat, format!("{ids}-{n}"), text)
            .await
            .is_err()
        {
            break;
        }
        if shared.measuring.load(Ordering::Relaxed) {
            shared.messages.fetch_add(1, Ordering::Relaxed);
        }
    }
    sink
}

/// What one reader measured: send→ack and send→receive, in µs.
type Readings = (Histogram<u64>, Histogram<u64>, Stream);

async fn read_loop(mut stream: Stream, shared: Arc<Shared>, window: Arc<Semaphore>) -> Readings {
    let (mut ack, mut delivery) = (histogram(), histogram());
    while !shared.readers_done.load(Ordering::Relaxed) {
        let frame =
            match tokio::time::timeout(Duration::from_millis(100), client::next(&mut stream)).await
            {
                Ok(Ok(frame)) => frame,
                Ok(Err(_)) => break,
                Err(_) => continue,
            };
        let measuring = shared.measuring.load(Ordering::Relaxed);
        match frame {
            ServerFrame::Sent { message } => {
                window.add_permits(1);
                if let (true, Some(stamp)) = (measuring, client::stamp_of(&message)) {
                    ack.saturating_record(micros_now().saturating_sub(stamp));
                }
            }
            ServerFrame::Events { messages, .. } if measuring => {
                let now = micros_now();
                for m in &messages {
                    if let Some(stamp) = client::stamp_of(m) {
                        delivery.saturating_record(now.saturating_sub(stamp));
                    }
                }
                shared
                    .deliveries
                    .fetch_add(messages.len() as u64, Ordering::Relaxed);
            }
            ServerFrame::Error { .. } => {
                window.add_permits(1);
                shared.errors.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }
    (ack, delivery, stream)
}

/// Server memory per idle socket: open `n` greeted sockets of one session.
pub async fn idle_rss_per_socket(
    server: &Server,
    seat: &Seat,
    n: usize,
) -> anyhow::Result<(f64, u64)> {
    let before = server.rss_bytes();
    let seats = vec![seat.clone(); n];
    let peers = open_all(&[server.addr], &seats, 0, None, Backlog::Whole).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server.rss_bytes();
    drop(peers);
    tokio::time::sleep(Duration::from_secs(1)).await;
    Ok((after.saturating_sub(before) as f64 / n as f64, after))
}

/// One message from the first seat to a chat whose every other seat is
/// online, spread over `addrs`: the time until the last one has it.
pub async fn fan_out(addrs: &[SocketAddr], seats: &[Seat]) -> anyhow::Result<Duration> {
    let mut peers = open_all(addrs, seats, 0, None, Backlog::Whole).await?;
    let chat = seats.first().ok_or_else(|| anyhow!("no seats"))?.chat;
    let mut sender = peers.remove(0);
    let mut waits = Vec::with_capacity(peers.len());
    for peer in peers {
        let mut stream = peer.stream;
        waits.push(tokio::spawn(async move {
            loop {
                match client::next(&mut stream).await? {
                    ServerFrame::Events { messages, .. }
                        if messages.iter().any(|m| m.id.0 == "fanout") =>
                    {
                        return anyhow::Ok(micros_now());
                    }
                    _ => {}
                }
            }
        }));
    }
    let sent_at = micros_now();
    client::say(
        &mut sender.sink,
        chat,
        "fanout".into(),
        format!("{sent_at} one to all"),
    )
    .await?;
    let mut last = sent_at;
    for wait in waits {
        last = last.max(tokio::time::timeout(Duration::from_secs(60), wait).await???);
    }
    Ok(Duration::from_micros(last - sent_at))
}

/// Sends `rate` messages a second of `size` bytes to a seat's chat from a
/// socket of its own, for `duration`: traffic that fills a stalled
/// member's buffers within seconds.
pub async fn flood(
    addr: SocketAddr,
    seat: &Seat,
    rate: f64,
    size: usize,
    duration: Duration,
) -> anyhow::Result<u64> {
    let (mut sink, mut stream) =
        client::connect(addr, &seat.path, seat.cookie.as_deref(), source_addr(3)).await?;
    client::hello(&mut sink, &mut stream, vec![]).await?;
    // Its own frames are not the point: read and drop them.
    let drain = tokio::spawn(async move { while client::next(&mut stream).await.is_ok() {} });
    let padding = "x".repeat(size);
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let end = tokio::time::Instant::now() + duration;
    let mut sent = 0;
    // Unique to this flood (see `run`).
    let ids = format!("{:x}-flood", micros_now());
    while tokio::time::Instant::now() < end {
        tick.tick().await;
        sent += 1;
        client::say(
            &mut sink,
            seat.chat,
            format!("{ids}-{sent}"),
            format!("{} {padding}", micros_now()),
        )
        .await?;
    }
    drain.abort();
    Ok(sent)
}

/// Reads a stalled peer's socket to its end (the server should have closed
/// it) and returns the highest contiguous seq it had received.
pub async fn drain_stalled(peer: Peer) -> (bool, Seq) {
    let mut stream = peer.stream;
    let mut seqs = BTreeSet::new();
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(5), client::next(&mut stream)).await {
            Ok(Ok(ServerFrame::Events { messages, .. })) => {
                seqs.extend(messages.iter().map(|m| m.seq.0));
            }
            Ok(Ok(_)) => {}
            Ok(Err(_)) => break true,
            Err(_) => break false,
        }
    };
    let mut held = 0;
    while seqs.contains(&(held + 1)) {
        held += 1;
    }
    (closed, Seq(held))
}

/// Reconnects a seat with a cursor and checks it receives every event
/// after it, gap-free, up to the chat's newest seq as of the reconnect.
pub async fn resume_is_complete(
    addr: SocketAddr,
    seat: &Seat,
    cursor: Seq,
) -> anyhow::Result<bool> {
    let (mut sink, mut stream) =
        client::connect(addr, &seat.path, seat.cookie.as_deref(), source_addr(7)).await?;
    let (_, chats) = client::hello(
        &mut sink,
        &mut stream,
        vec![Cursor {
            chat: seat.chat,
            seq: cursor,
        }],
    )
    .await?;
    let last = chats
        .iter()
        .find(|c| c.id == seat.chat)
        .map_or(Seq::ZERO, |c| c.last_seq);
    // Live events may overtake the backlog: collect, then look for holes.
    let mut seen = BTreeSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !(cursor.0 + 1..=last.0).all(|s| seen.contains(&s)) {
        match tokio::time::timeout_at(deadline, client::next(&mut stream)).await {
            Ok(Ok(ServerFrame::Events { chat, messages })) if chat == seat.chat => {
                seen.extend(messages.iter().map(|m| m.seq.0));
            }
            Ok(Ok(_)) => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}
