//! Group calls' media: rooms of str0m participants through Courier's SFU,
//! one room more at each step until the SFU's thread uses more than half
//! of one core. Each participant sends a voice at 50 frames/s (two in a
//! room speak) and a camera in the app's three simulcast layers at 30
//! frames/s, and shows one other participant large and the rest small, as
//! the app's call view does; the SFU passes each receiver the layer of its
//! tile and the loudest voices. Beside each step, a plain UDP relay in the
//! same process gets the same datagrams from the same senders and copies
//! each to the receivers the SFU sent its frame to, with no WebRTC at all:
//! ICE, DTLS, SRTP, RTP and the choices of what to send are what the
//! difference costs.
//!
//! Figures per step: the streams forwarded (a sender's voice or camera
//! reaching one receiver), frames delivered per second, the forwarding
//! thread's share of one core, and each frame's delay from its sender's
//! write to its arrival at the receiver's socket, p50 and p99. Both paths
//! are driven by one loop that wakes every millisecond, so both delays
//! include up to a turn of that loop; the difference is what the SFU adds.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use courier_sfu::participant::{
    CAMERA_EVERY, Camera, LAYER_BYTES, Participant, VOICE_BYTES, VOICE_EVERY, delay, stamped,
};
use courier_sfu::wire::{Size, Tile};
use courier_sfu::{Sfu, Source};

/// The share of one core the capacity is measured at.
const BUDGET: f64 = 0.5;

/// One path's figures at one step.
#[derive(Debug, Clone, Copy)]
pub struct Path {
    pub frames_per_s: f64,
    /// The forwarding thread's CPU over wall time: 1.0 is one core.
    pub core_share: f64,
    pub p50: Duration,
    pub p99: Duration,
}

#[derive(Debug, Clone, Copy)]
pub struct Step {
    pub rooms: usize,
    pub streams: usize,
    pub sfu: Path,
    pub relay: Path,
    /// The participants' own thread's share of one core, to tell whether
    /// the load itself kept up.
    pub driver_share: f64,
}

pub struct Figures {
    pub per_room: usize,
    pub seconds: u64,
    pub steps: Vec<Step>,
}

/// A sender's datagram in the relay, by its first byte: a voice or a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Voice,
    Layer(u8),
}

impl Kind {
    fn tag(self) -> u8 {
        match self {
            Kind::Voice => 0,
            Kind::Layer(i) => 1 + i,
        }
    }

    /// What a frame of `bytes` got from the SFU was.
    fn of(source: Source, bytes: usize) -> Option<Kind> {
        match source {
            Source::Microphone => Some(Kind::Voice),
            _ => LAYER_BYTES
                .iter()
                .position(|b| *b == bytes)
                .and_then(|i| u8::try_from(i).ok())
                .map(Kind::Layer),
        }
    }
}

/// Who gets what: (room, sender, kind) to the receivers in that room.
type Routes = HashMap<(usize, usize, Kind), Vec<usize>>;

pub async fn run(max_rooms: usize, per_room: usize, seconds: u64) -> anyhow::Result<Figures> {
    if per_room < 2 {
        bail!("a room needs two participants");
    }
    let time = Duration::from_secs(seconds);
    let (sfu, _events) = Sfu::start("127.0.0.1:0".parse()?, None)?;
    let mut people: Vec<Participant> = Vec::new();
    let mut measured = Vec::new();
    for room in 0..max_rooms {
        for n in 0..per_room {
            // Two speak in each room, as in a real call.
            let (mut p, offer) = Participant::new(Camera::Simulcast, n < 2)?;
            let answer = sfu
                .join(&format!("r{room}"), &format!("p{n}"), &offer)
                .await?;
            p.answered(&answer)?;
            people.push(p);
        }
        settle(&mut people, per_room)?;
        let (streams, routes, path, driver_share) = through_sfu(&mut people, per_room, time)?;
        eprintln!(
            "[sfu] {} rooms: {streams} streams, the SFU's thread at {:.1} % of a core",
            room + 1,
            path.core_share * 100.0
        );
        measured.push((room + 1, streams, routes, path, driver_share));
        if path.core_share > BUDGET {
            break;
        }
    }
    // The relay runs once the SFU and its participants are gone, so
    // neither takes the other's CPU.
    drop((people, sfu));
    let mut steps = Vec::new();
    for (rooms, streams, routes, sfu, driver_share) in measured {
        steps.push(Step {
            rooms,
            streams,
            sfu,
            relay: through_relay(rooms, per_room, &routes, time)?,
            driver_share,
        });
    }
    Ok(Figures {
        per_room,
        seconds,
        steps,
    })
}

/// Runs until every participant gets every other's camera in the layer of
/// its tile: the first other large, the rest small.
fn settle(people: &mut [Participant], per_room: usize) -> anyhow::Result<()> {
    let [small, _, large] = LAYER_BYTES;
    let mut viewing = vec![false; people.len()];
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut settled = true;
        for (i, p) in people.iter_mut().enumerate() {
            let me = i % per_room;
            let speaker = usize::from(me == 0);
            if !viewing[i] {
                viewing[i] = p.view(
                    (0..per_room)
                        .filter(|n| *n != me)
                        .map(|n| Tile {
                            peer: format!("p{n}"),
                            source: Source::Camera,
                            size: if n == speaker {
                                Size::Large
                            } else {
                                Size::Small
                            },
                        })
                        .collect(),
                );
            }
            settled &= viewing[i]
                && (0..per_room).filter(|n| *n != me).all(|n| {
                    let want = if n == speaker { large } else { small };
                    p.last_frame_bytes(&format!("p{n}"), Source::Camera) == Some(want)
                });
        }
        if settled {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the SFU's participants never all got their tiles' layers");
        }
        drive(people)?;
    }
}

/// The streams forwarded, who got what, and the SFU's figures over `time`.
fn through_sfu(
    people: &mut [Participant],
    per_room: usize,
    time: Duration,
) -> anyhow::Result<(usize, Routes, Path, f64)> {
    let counts = |people: &[Participant]| -> Vec<HashMap<(String, Source), u64>> {
        people.iter().map(|p| p.frames.clone()).collect()
    };
    for p in people.iter_mut() {
        p.take_delays();
    }
    let before = counts(people);
    let (sfu_before, driver_before, start) = (thread_cpu("sfu")?, driver_cpu()?, Instant::now());
    while start.elapsed() < time {
        drive(people)?;
    }
    let wall = start.elapsed();
    let (sfu_cpu, driver) = (
        thread_cpu("sfu")? - sfu_before,
        driver_cpu()? - driver_before,
    );
    let mut delays = Vec::new();
    let mut routes = Routes::new();
    let (mut streams, mut frames) = (0, 0);
    for (i, (p, before)) in people.iter_mut().zip(&before).enumerate() {
        delays.extend(p.take_delays());
        for ((peer, source), got) in &p.frames {
            let new = got - before.get(&(peer.clone(), *source)).copied().unwrap_or(0);
            if new == 0 {
                continue;
            }
            streams += 1;
            frames += new;
            let sender = peer
                .strip_prefix('p')
                .and_then(|n| n.parse::<usize>().ok())
                .context("a participant's name")?;
            let kind = p
                .last_frame_bytes(peer, *source)
                .and_then(|bytes| Kind::of(*source, bytes))
                .context("a frame of no layer")?;
            routes
                .entry((i / per_room, sender, kind))
                .or_default()
                .push(i % per_room);
        }
    }
    let path = path(frames, sfu_cpu, wall, delays);
    Ok((streams, routes, path, share(driver, wall)))
}

fn drive(people: &mut [Participant]) -> anyhow::Result<()> {
    for p in people.iter_mut() {
        p.turn()?;
    }
    std::thread::sleep(Duration::from_millis(1));
    Ok(())
}

/// The same senders' datagrams through a relay that copies each to whom
/// `routes` says.
fn through_relay(
    rooms: usize,
    per_room: usize,
    routes: &Routes,
    time: Duration,
) -> anyhow::Result<Path> {
    let relay = UdpSocket::bind("127.0.0.1:0")?;
    let relay_addr = relay.local_addr()?;
    let mut sockets = Vec::new();
    for _ in 0..rooms * per_room {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_nonblocking(true)?;
        sockets.push(socket);
    }
    let addrs: Vec<SocketAddr> = sockets
        .iter()
        .map(UdpSocket::local_addr)
        .collect::<Result<_, _>>()?;
    let to: HashMap<(SocketAddr, u8), Vec<SocketAddr>> = routes
        .iter()
        .filter_map(|((room, sender, kind), receivers)| {
            let from = *addrs.get(room * per_room + sender)?;
            let receivers = receivers
                .iter()
                .filter_map(|r| addrs.get(room * per_room + r).copied())
                .collect();
            Some(((from, kind.tag()), receivers))
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    relay.set_read_timeout(Some(Duration::from_millis(20)))?;
    let relaying = {
        let stop = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("relay".into())
            .spawn(move || {
                let mut buf = [0; 2000];
                while !stop.load(Ordering::Relaxed) {
                    let Ok((n, from)) = relay.recv_from(&mut buf) else {
                        continue;
                    };
                    let (Some(frame), Some(tag)) = (buf.get(..n), buf.first()) else {
                        continue;
                    };
                    for receiver in to.get(&(from, *tag)).into_iter().flatten() {
                        let _ = relay.send_to(frame, receiver);
                    }
                }
            })?
    };
    let layers: Vec<(Kind, usize)> = (0u8..)
        .zip(LAYER_BYTES)
        .map(|(i, bytes)| (Kind::Layer(i), bytes))
        .collect();
    let start = Instant::now();
    let mut next = vec![(start, start); sockets.len()];
    let (mut got, mut delays) = (0u64, Vec::new());
    let mut buf = [0; 2000];
    let mut measure_from = None;
    let warm = start + Duration::from_secs(1);
    let end = warm + time;
    while Instant::now() < end {
        let now = Instant::now();
        if measure_from.is_none() && now >= warm {
            measure_from = Some((got, thread_cpu("relay")?, now));
            delays.clear();
        }
        for (socket, (voice, camera)) in sockets.iter().zip(next.iter_mut()) {
            // Every sender sends all it sends the SFU; the relay drops what
            // nobody gets, as the SFU does.
            while *voice <= now {
                *voice += VOICE_EVERY;
                let _ = socket.send_to(&stamped(Kind::Voice.tag(), VOICE_BYTES, now), relay_addr);
            }
            while *camera <= now {
                *camera += CAMERA_EVERY;
                for (kind, bytes) in &layers {
                    let _ = socket.send_to(&stamped(kind.tag(), *bytes, now), relay_addr);
                }
            }
            loop {
                match socket.recv_from(&mut buf) {
                    Ok((n, _)) => {
                        got += 1;
                        let at = Instant::now();
                        if let Some(d) = buf.get(..n).and_then(|frame| delay(frame, at)) {
                            delays.push(d);
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e.into()),
                }
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let cpu = thread_cpu("relay")?;
    let wall_end = Instant::now();
    stop.store(true, Ordering::Relaxed);
    relaying
        .join()
        .map_err(|_| anyhow::anyhow!("the relay thread panicked"))?;
    let (got_before, cpu_before, from) = measure_from.context("the relay run was too short")?;
    Ok(path(
        got - got_before,
        cpu - cpu_before,
        wall_end - from,
        delays,
    ))
}

fn path(frames: u64, cpu: Duration, wall: Duration, mut delays: Vec<Duration>) -> Path {
    delays.sort_unstable();
    let at = |percent: usize| -> Duration {
        let i = delays.len().saturating_sub(1) * percent / 100;
        delays.get(i).copied().unwrap_or_default()
    };
    Path {
        frames_per_s: frames as f64 / wall.as_secs_f64(),
        core_share: share(cpu, wall),
        p50: at(50),
        p99: at(99),
    }
}

fn share(cpu: Duration, wall: Duration) -> f64 {
    cpu.as_secs_f64() / wall.as_secs_f64().max(f64::EPSILON)
}

/// The CPU of the thread that drives the participants: this one.
fn driver_cpu() -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat")?;
    cpu_of(&stat)
}

/// The CPU time (user + system) of this process's thread named `name`.
fn thread_cpu(name: &str) -> anyhow::Result<Duration> {
    for task in std::fs::read_dir("/proc/self/task")? {
        let path = task?.path();
        if std::fs::read_to_string(path.join("comm"))?.trim() != name {
            continue;
        }
        return cpu_of(&std::fs::read_to_string(path.join("stat"))?);
    }
    bail!("no thread named {name}")
}

/// The CPU time in a thread's `stat`.
fn cpu_of(stat: &str) -> anyhow::Result<Duration> {
    // After the command's closing parenthesis: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("a thread's stat")?
        .1
        .split_whitespace()
        .collect();
    let ticks = |i: usize| -> anyhow::Result<u64> {
        Ok(fields.get(i).context("a thread's stat")?.parse()?)
    };
    // Linux's USER_HZ is 100 on every architecture it runs on here.
    Ok(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}

impl Figures {
    pub fn table(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let pct = |share: f64| share * 100.0;
        let mut out = format!(
            "Rooms of {n}, each step {s} s; every participant sends a voice and three camera layers and shows one other large.\n\n\
             | rooms | streams forwarded | frames/s, SFU | frames/s, relay | SFU thread, % of a core | relay thread, % | delay p50 / p99, SFU, ms | delay p50 / p99, relay, ms | participants' thread, % |\n\
             | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
            n = self.per_room,
            s = self.seconds,
        );
        for step in &self.steps {
            out.push_str(&format!(
                "| {} | {} | {:.0} | {:.0} | {:.1} | {:.1} | {:.2} / {:.2} | {:.2} / {:.2} | {:.0} |\n",
                step.rooms,
                step.streams,
                step.sfu.frames_per_s,
                step.relay.frames_per_s,
                pct(step.sfu.core_share),
                pct(step.relay.core_share),
                ms(step.sfu.p50),
                ms(step.sfu.p99),
                ms(step.relay.p50),
                ms(step.relay.p99),
                pct(step.driver_share),
            ));
        }
        let within = self
            .steps
            .iter()
            .filter(|s| s.sfu.core_share <= BUDGET)
            .max_by_key(|s| s.streams);
        let more = self
            .steps
            .last()
            .is_some_and(|s| s.sfu.core_share <= BUDGET);
        out.push_str(&match within {
            Some(step) => format!(
                "\nStreams forwarded within half a core: {}{} ({} rooms, the SFU's thread at {:.1} %; the relay forwarded the same at {:.1} %).\n",
                if more { "at least " } else { "" },
                step.streams,
                step.rooms,
                pct(step.sfu.core_share),
                pct(step.relay.core_share),
            ),
            None => "\nEven one room took more than half a core.\n".to_owned(),
        });
        out
    }
}
