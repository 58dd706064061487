//! Courier's instruments.
//!
//! - [`client`]: one protocol client on a real socket, bound to a chosen
//!   127.0.0.x source address so 100,000 sockets do not run out of ports.
//! - [`target`]: the server under test — Courier (guests joined to real
//!   groups) or the baseline (no auth, no storage) — and its process.
//! - [`cluster`]: one node on SQLite, or several on PostgreSQL + NATS,
//!   and a channel of 100,000 subscribers on them.
//! - [`scenario`]: the measurements: max throughput, latency at a fixed rate,
//!   memory per idle socket, fan-out to one big group, a slow consumer.
//! - [`crash`]: clients sending through repeated SIGKILLs, and the checker
//!   that proves ack = durable, exactly once, gap-free, same history.
//! - [`sfu`]: group calls' media through the SFU, its capacity within half a
//!   core and the delay it adds, beside a UDP relay.
//! - [`report`]: the table printed and written to `bench/RESULTS.md`.

pub mod album;
pub mod client;
pub mod cluster;
pub mod crash;
pub mod media;
pub mod report;
pub mod scenario;
pub mod sfu;
pub mod target;

use std::sync::OnceLock;
use std::time::Instant;

/// One clock for the whole run: send times travel inside message texts as
/// microseconds since this instant, so any receiver can compute latency.
pub fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

pub fn micros_now() -> u64 {
    u64::try_from(epoch().elapsed().as_micros()).unwrap_or(u64::MAX)
}
