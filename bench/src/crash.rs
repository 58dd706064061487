//! The crash test: clients send as fast as acks allow while the server (or
//! a random node of a cluster) is killed with SIGKILL and restarted; they
//! reconnect (to the next node, as through a load balancer), resend what
//! was not acknowledged (same ids) and resume by cursor. Then the checker
//! proves:
//! - every acknowledged message is stored, at the seq its ack named;
//! - no (sender, id) is stored twice: exactly once after idempotent resends;
//! - each chat's sequence is 1..=N with no gap;
//! - every client ends with the same history for its chat as the server.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use courier_protocol::{ChatId, ClientMsgId, Cursor, Message, Seq, ServerFrame, UserId};
use rand::Rng;
use tokio::sync::{Barrier, RwLock};

use crate::client::{self, source_addr};
use crate::cluster::Cluster;
use crate::target::{Seat, seats};

/// Unacknowledged sends a client keeps in flight.
const WINDOW: usize = 8;

pub struct CrashReport {
    pub clients: usize,
    pub kills: usize,
    pub acked: usize,
    pub stored: usize,
    pub violations: Vec<String>,
}

impl CrashReport {
    pub fn passed(&self) -> bool {
        self.violations.is_empty() && self.acked > 0
    }
}

/// What one client knows at the end.
struct Outcome {
    me: UserId,
    /// id → seq, from acks.
    acked: HashMap<ClientMsgId, Seq>,
    /// seq → (sender, id), from events (duplicates must agree).
    received: BTreeMap<Seq, (UserId, ClientMsgId)>,
    violations: Vec<String>,
}

/// Runs the test on one node (SQLite) or `nodes` nodes (PostgreSQL + NATS).
pub async fn run(
    data: &std::path::Path,
    groups: usize,
    size: usize,
    kills: usize,
    nodes: usize,
) -> anyhow::Result<CrashReport> {
    let mut cluster = if nodes > 1 {
        Cluster::postgres(data, nodes).await?
    } else {
        Cluster::sqlite(data).await?
    };
    let seats = seats(&cluster.nodes[0], groups, size).await?;
    let addr = Arc::new(RwLock::new(cluster.addrs()));
    let stop = Arc::new(AtomicBool::new(false));
    // Everyone finishes sending before anyone reads the final history.
    let barrier = Arc::new(Barrier::new(seats.len()));
    let clients: Vec<_> = seats
        .iter()
        .enumerate()
        .map(|(i, seat)| {
            let (seat, addr, stop, barrier) = (
                seat.clone(),
                Arc::clone(&addr),
                Arc::clone(&stop),
                Arc::clone(&barrier),
            );
            tokio::spawn(async move {
                let mut out = client_loop(i, &seat, &addr, &stop).await?;
                barrier.wait().await;
                let node = addr.read().await[i % nodes];
                catch_up(i, &seat, node, &mut out).await?;
                anyhow::Ok(out)
            })
        })
        .collect();

    for _ in 0..kills {
        let pause = rand::thread_rng().gen_range(300..1500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let victim = rand::thread_rng().gen_range(0..nodes);
        let node = &mut cluster.nodes[victim];
        node.kill().await?;
        tokio::time::sleep(Duration::from_millis(rand::thread_rng().gen_range(50..300))).await;
        node.restart().await?;
        addr.write().await[victim] = node.addr;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::SeqCst);

    let mut outcomes = Vec::new();
    for c in clients {
        outcomes.push(tokio::time::timeout(Duration::from_secs(120), c).await???);
    }
    let (stored, violations) = check(cluster.nodes[0].addr, &seats, &outcomes).await?;
    Ok(CrashReport {
        clients: seats.len(),
        kills,
        acked: outcomes.iter().map(|o| o.acked.len()).sum(),
        stored,
        violations,
    })
}

/// Sends until `stop`, then until its outbox is empty, reconnecting and
/// resending through every kill.
async fn client_loop(
    i: usize,
    seat: &Seat,
    addrs: &RwLock<Vec<SocketAddr>>,
    stop: &AtomicBool,
) -> anyhow::Result<Outcome> {
    let mut outbox: VecDeque<(ClientMsgId, String)> = VecDeque::new();
    let mut out = Outcome {
        me: UserId(0),
        acked: HashMap::new(),
        received: BTreeMap::new(),
        violations: Vec::new(),
    };
    let mut n = 0u64;
    // Each reconnect goes to the next node, as a load balancer would send it.
    let mut attempt = i;
    loop {
        let target = {
            let addrs = addrs.read().await;
            attempt += 1;
            addrs[attempt % addrs.len()]
        };
        let Ok((mut sink, mut stream)) =
            client::connect(target, &seat.path, seat.cookie.as_deref(), source_addr(i)).await
        else {
            tokio::time::sleep(Duration::from_millis(50 + rand::random::<u64>() % 150)).await;
            continue;
        };
        let cursor = Cursor {
            chat: seat.chat,
            seq: held(&out.received),
        };
        let Ok((me, _)) = client::hello(&mut sink, &mut stream, vec![cursor]).await else {
            continue;
        };
        out.me = me.id;
        // Resend what was never acknowledged, in order, with the same ids.
        let mut ok = true;
        for (id, text) in &outbox {
            ok &= client::say(&mut sink, seat.chat, id.0.clone(), text.clone())
                .await
                .is_ok();
        }
        while ok {
            if stop.load(Ordering::Relaxed) && outbox.is_empty() {
                return Ok(out);
            }
            if !stop.load(Ordering::Relaxed) && outbox.len() < WINDOW {
                n += 1;
                let id = ClientMsgId(format!("c{i}-{n}"));
                let text = format!("{} from client {i}", n);
                outbox.push_back((id.clone(), text.clone()));
                if client::say(&mut sink, seat.chat, id.0, text).await.is_err() {
                    break;
                }
                continue;
            }
            match tokio::time::timeout(Duration::from_secs(2), client::next(&mut stream)).await {
                Ok(Ok(ServerFrame::Sent { message })) => {
                    outbox.retain(|(id, _)| *id != message.id);
                    out.acked.insert(message.id.clone(), message.seq);
                    record(&mut out, &message);
                }
                Ok(Ok(ServerFrame::Events { messages, .. })) => {
                    for m in &messages {
                        record(&mut out, m);
                    }
                }
                Ok(Ok(ServerFrame::Error { code, id, .. })) => out
                    .violations
                    .push(format!("client {i}: error {code:?} for {id:?}")),
                Ok(Ok(_)) => {}
                Ok(Err(_)) => ok = false,
                // Quiet: ask for anything missed, so a lost frame shows up.
                Err(_) => {
                    ok = client::send(
                        &mut sink,
                        &courier_protocol::ClientFrame::Sync {
                            chat: seat.chat,
                            after: held(&out.received),
                        },
                    )
                    .await
                    .is_ok();
                }
            }
        }
    }
}

/// After all sending is over: resume by cursor on a fresh socket, as the
/// client would on its next start, until nothing more comes.
async fn catch_up(
    i: usize,
    seat: &Seat,
    addr: SocketAddr,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let (mut sink, mut stream) =
        client::connect(addr, &seat.path, seat.cookie.as_deref(), source_addr(i)).await?;
    client::hello(
        &mut sink,
        &mut stream,
        vec![Cursor {
            chat: seat.chat,
            seq: held(&out.received),
        }],
    )
    .await?;
    while let Ok(Ok(frame)) =
        tokio::time::timeout(Duration::from_millis(1500), client::next(&mut stream)).await
    {
        if let ServerFrame::Events { messages, .. } = frame {
            for m in &messages {
                record(out, m);
            }
        }
    }
    Ok(())
}

fn record(out: &mut Outcome, m: &Message) {
    let entry = (m.sender, m.id.clone());
    if let Some(before) = out.received.insert(m.seq, entry.clone())
        && before != entry
    {
        out.violations.push(format!(
            "chat {} seq {} was {:?} then {:?}",
            m.chat.0, m.seq.0, before, entry
        ));
    }
}

/// The highest seq up to which a client holds every event.
fn held(received: &BTreeMap<Seq, (UserId, ClientMsgId)>) -> Seq {
    let mut seq = Seq::ZERO;
    while received.contains_key(&seq.next()) {
        seq = seq.next();
    }
    seq
}

/// Reads each chat's stored history from the restarted server and checks
/// every client against it.
async fn check(
    addr: SocketAddr,
    seats: &[Seat],
    outcomes: &[Outcome],
) -> anyhow::Result<(usize, Vec<String>)> {
    let mut violations: Vec<String> = outcomes.iter().flat_map(|o| o.violations.clone()).collect();
    let mut stored = 0;
    let mut by_chat: HashMap<ChatId, Vec<(&Seat, &Outcome)>> = HashMap::new();
    for (seat, outcome) in seats.iter().zip(outcomes) {
        by_chat.entry(seat.chat).or_default().push((seat, outcome));
    }
    for (chat, members) in &by_chat {
        let history = history(addr, members[0].0).await?;
        stored += history.len();
        let seqs: Vec<i64> = history.iter().map(|m| m.seq.0).collect();
        if seqs != (1..=history.len() as i64).collect::<Vec<_>>() {
            violations.push(format!("chat {}: sequence has gaps", chat.0));
        }
        let mut once = HashSet::new();
        for m in &history {
            if !once.insert((m.sender, m.id.clone())) {
                violations.push(format!("chat {}: {:?} stored twice", chat.0, m.id));
            }
        }
        let by_seq: HashMap<Seq, (UserId, ClientMsgId)> = history
            .iter()
            .map(|m| (m.seq, (m.sender, m.id.clone())))
            .collect();
        for (_, outcome) in members {
            for (id, seq) in &outcome.acked {
                if by_seq.get(seq) != Some(&(outcome.me, id.clone())) {
                    violations.push(format!(
                        "chat {}: acked {:?} at seq {} is not stored there",
                        chat.0, id, seq.0
                    ));
                }
            }
            let theirs = &outcome.received;
            let same = theirs.len() == by_seq.len()
                && theirs.iter().all(|(s, e)| by_seq.get(s) == Some(e));
            if !same {
                violations.push(format!(
                    "chat {}: client {:?} history differs from the server's",
                    chat.0, outcome.me
                ));
            }
        }
    }
    Ok((stored, violations))
}

/// A chat's whole stored history, read on a fresh socket from seq 0. The
/// socket may hear an event twice (a cluster node relays what it has not
/// relayed yet, and the protocol is at least once), so events are kept by
/// seq, as a client keeps them; two different events at one seq would be a
/// violation, and `check` reports them from the client side.
async fn history(addr: SocketAddr, seat: &Seat) -> anyhow::Result<Vec<Message>> {
    let (mut sink, mut stream) =
        client::connect(addr, &seat.path, seat.cookie.as_deref(), source_addr(0)).await?;
    client::hello(
        &mut sink,
        &mut stream,
        vec![Cursor {
            chat: seat.chat,
            seq: Seq::ZERO,
        }],
    )
    .await?;
    let mut by_seq: BTreeMap<Seq, Message> = BTreeMap::new();
    while let Ok(Ok(frame)) =
        tokio::time::timeout(Duration::from_secs(2), client::next(&mut stream)).await
    {
        if let ServerFrame::Events {
            chat,
            messages: page,
        } = frame
            && chat == seat.chat
        {
            for m in page {
                if let Some(before) = by_seq.get(&m.seq)
                    && *before != m
                {
                    anyhow::bail!(
                        "chat {} seq {} came as two different events",
                        chat.0,
                        m.seq.0
                    );
                }
                by_seq.insert(m.seq, m);
            }
        }
    }
    Ok(by_seq.into_values().collect())
}
