//! Group calls' media: rooms of str0m participants through Courier's SFU
//! (each sends a voice at 50 frames/s and a camera at 30 frames/s; the
//! SFU passes every camera and the three loudest voices to each other
//! member), beside a plain UDP relay in the same process that copies
//! datagrams of the same sizes and rates to the same receivers with no
//! WebRTC at all: ICE, DTLS, SRTP, RTP and the choices of what to send are
//! what the difference costs. Figures: frames delivered per second, and
//! the forwarding thread's CPU per 1,000 frames delivered.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use courier_sfu::Sfu;
use courier_sfu::participant::Participant;

/// A voice frame every 20 ms and a camera frame every 33 ms, of the sizes
/// the SFU's participants send.
const VOICE: (Duration, usize) = (Duration::from_millis(20), 80);
const CAMERA: (Duration, usize) = (Duration::from_millis(33), 1_200);

pub struct Figures {
    pub rooms: usize,
    pub per_room: usize,
    pub seconds: u64,
    pub sfu_frames_per_s: f64,
    pub relay_frames_per_s: f64,
    pub sfu_cpu_ms_per_1k: f64,
    pub relay_cpu_ms_per_1k: f64,
}

pub async fn run(rooms: usize, per_room: usize, seconds: u64) -> anyhow::Result<Figures> {
    let time = Duration::from_secs(seconds);
    let (sfu_frames, sfu_cpu) = through_sfu(rooms, per_room, time).await?;
    let (relay_frames, relay_cpu) = through_relay(rooms, per_room, time)?;
    let per_s = |n: u64| n as f64 / time.as_secs_f64();
    let per_1k = |cpu: Duration, n: u64| cpu.as_secs_f64() * 1000.0 / (n.max(1) as f64 / 1000.0);
    Ok(Figures {
        rooms,
        per_room,
        seconds,
        sfu_frames_per_s: per_s(sfu_frames),
        relay_frames_per_s: per_s(relay_frames),
        sfu_cpu_ms_per_1k: per_1k(sfu_cpu, sfu_frames),
        relay_cpu_ms_per_1k: per_1k(relay_cpu, relay_frames),
    })
}

/// Frames the participants got, and the SFU thread's CPU, over `time`
/// once every participant gets media.
async fn through_sfu(
    rooms: usize,
    per_room: usize,
    time: Duration,
) -> anyhow::Result<(u64, Duration)> {
    let (sfu, _events) = Sfu::start("127.0.0.1:0".parse()?, None)?;
    let mut people = Vec::new();
    for room in 0..rooms {
        for n in 0..per_room {
            // A few speak in each room, as in a real call.
            let (mut p, offer) = Participant::new(true, n < 2)?;
            let answer = sfu
                .join(&format!("r{room}"), &format!("p{n}"), &offer)
                .await?;
            p.answered(&answer)?;
            people.push(p);
        }
    }
    let total =
        |people: &[Participant]| -> u64 { people.iter().flat_map(|p| p.frames.values()).sum() };
    // Warm up: every participant gets something from every other.
    let ready = Instant::now() + Duration::from_secs(30);
    while people.iter().any(|p| p.frames.len() < per_room - 1) {
        if Instant::now() > ready {
            bail!("the SFU's participants never all got media");
        }
        drive(&mut people)?;
    }
    let (got_before, cpu_before) = (total(&people), thread_cpu("sfu")?);
    let end = Instant::now() + time;
    while Instant::now() < end {
        drive(&mut people)?;
    }
    Ok((total(&people) - got_before, thread_cpu("sfu")? - cpu_before))
}

fn drive(people: &mut [Participant]) -> anyhow::Result<()> {
    for p in people.iter_mut() {
        p.turn()?;
    }
    std::thread::sleep(Duration::from_millis(1));
    Ok(())
}

/// The same rooms through a relay that copies each datagram to the others.
fn through_relay(rooms: usize, per_room: usize, time: Duration) -> anyhow::Result<(u64, Duration)> {
    let relay = UdpSocket::bind("127.0.0.1:0")?;
    let relay_addr = relay.local_addr()?;
    let mut senders = Vec::new();
    let mut room_of = HashMap::new();
    let mut members: Vec<Vec<SocketAddr>> = vec![Vec::new(); rooms];
    for (room, addrs) in members.iter_mut().enumerate() {
        for _ in 0..per_room {
            let socket = UdpSocket::bind("127.0.0.1:0")?;
            socket.set_nonblocking(true)?;
            let addr = socket.local_addr()?;
            room_of.insert(addr, room);
            addrs.push(addr);
            senders.push(socket);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let relaying = {
        let stop = Arc::clone(&stop);
        relay.set_read_timeout(Some(Duration::from_millis(20)))?;
        std::thread::Builder::new()
            .name("relay".into())
            .spawn(move || {
                let mut buf = [0; 2000];
                while !stop.load(Ordering::Relaxed) {
                    let Ok((n, from)) = relay.recv_from(&mut buf) else {
                        continue;
                    };
                    let Some(room) = room_of.get(&from) else {
                        continue;
                    };
                    for to in members[*room].iter().filter(|a| **a != from) {
                        let _ = relay.send_to(&buf[..n], to);
                    }
                }
            })?
    };
    let start = Instant::now();
    let mut next = vec![(start, start); senders.len()];
    let mut got = 0u64;
    let mut buf = [0; 2000];
    let mut measure_from = None;
    let warm = start + Duration::from_secs(1);
    let end = warm + time;
    while Instant::now() < end {
        let now = Instant::now();
        if measure_from.is_none() && now >= warm {
            measure_from = Some((got, thread_cpu("relay")?));
        }
        for (socket, (voice, camera)) in senders.iter().zip(next.iter_mut()) {
            while *voice <= now {
                *voice += VOICE.0;
                let _ = socket.send_to(&[0x78; VOICE.1], relay_addr);
            }
            while *camera <= now {
                *camera += CAMERA.0;
                let _ = socket.send_to(&[0x42; CAMERA.1], relay_addr);
            }
            loop {
                match socket.recv_from(&mut buf) {
                    Ok(_) => got += 1,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e.into()),
                }
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let cpu = thread_cpu("relay")?;
    stop.store(true, Ordering::Relaxed);
    relaying
        .join()
        .map_err(|_| anyhow::anyhow!("the relay thread panicked"))?;
    let (got_before, cpu_before) = measure_from.context("the relay run was too short")?;
    Ok((got - got_before, cpu - cpu_before))
}

/// The CPU time (user + system) of this process's thread named `name`.
fn thread_cpu(name: &str) -> anyhow::Result<Duration> {
    for task in std::fs::read_dir("/proc/self/task")? {
        let path = task?.path();
        if std::fs::read_to_string(path.join("comm"))?.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat"))?;
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
        return Ok(Duration::from_millis((ticks(11)? + ticks(12)?) * 10));
    }
    bail!("no thread named {name}")
}

impl Figures {
    pub fn table(&self) -> String {
        format!(
            "| {rooms} rooms of {n}, {s} s | Courier's SFU | UDP relay | ratio |\n| --- | --- | --- | --- |\n\
             | frames delivered per second | {:.0} | {:.0} | {:.2} |\n\
             | forwarding thread's CPU per 1,000 frames delivered, ms | {:.1} | {:.1} | {} |\n",
            self.sfu_frames_per_s,
            self.relay_frames_per_s,
            self.sfu_frames_per_s / self.relay_frames_per_s.max(1.0),
            self.sfu_cpu_ms_per_1k,
            self.relay_cpu_ms_per_1k,
            // The kernel counts CPU in 10 ms ticks: a relay under one tick has no ratio.
            if self.relay_cpu_ms_per_1k > 0.0 {
                format!("{:.1}", self.sfu_cpu_ms_per_1k / self.relay_cpu_ms_per_1k)
            } else {
                "–".into()
            },
            rooms = self.rooms,
            n = self.per_room,
            s = self.seconds,
        )
    }
}
