//! The SFU's thread: one UDP socket, every peer's `Rtc`, and what passes
//! between the peers of a room.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use str0m::change::SdpOffer;
use str0m::crypto::{CryptoProvider, from_feature_flags};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Input, Rtc};
use tokio::sync::mpsc::UnboundedSender;

use crate::layers::sources_of;
use crate::peer::{Moved, Peer};
use crate::{Command, PeerId, RoomId, SfuError, SfuEvent};

/// The most peers in one room: the server keeps calls under it.
pub const MAX_PEERS: usize = 64;

/// How many voices are passed on at once: the loudest.
const LOUDEST: usize = 3;

/// A voice this recent is "speaking".
const SPEAKING_FOR: Duration = Duration::from_millis(700);
const SPEAKING_EVERY: Duration = Duration::from_millis(250);

/// The longest the thread waits on the socket, so commands are not kept
/// waiting.
const MAX_WAIT: Duration = Duration::from_millis(20);

pub struct Engine {
    socket: UdpSocket,
    addr: SocketAddr,
    events: UnboundedSender<SfuEvent>,
    crypto: Arc<CryptoProvider>,
    peers: Vec<Peer>,
    told_speaking_at: Instant,
}

impl Engine {
    pub fn new(
        socket: UdpSocket,
        addr: SocketAddr,
        events: UnboundedSender<SfuEvent>,
    ) -> Result<Engine, SfuError> {
        socket.set_read_timeout(Some(MAX_WAIT))?;
        Ok(Engine {
            socket,
            addr,
            events,
            crypto: Arc::new(from_feature_flags()),
            peers: Vec::new(),
            told_speaking_at: Instant::now(),
        })
    }

    pub fn run(mut self, inbox: &Receiver<Command>) {
        let mut buf = vec![0; 2000];
        loop {
            loop {
                match inbox.try_recv() {
                    Ok(Command::Stop) | Err(TryRecvError::Disconnected) => return,
                    Ok(command) => self.command(command),
                    Err(TryRecvError::Empty) => break,
                }
            }
            self.reap();
            let now = Instant::now();
            let mut wake = now + MAX_WAIT;
            let mut moved = Vec::new();
            for peer in &mut self.peers {
                if peer.due <= now {
                    peer.handle(Input::Timeout(now));
                    let mut its = Vec::new();
                    peer.due = peer.poll(&self.socket, &mut its);
                    // Peers are named within their room: a move is its room's.
                    moved.extend(its.into_iter().map(|m| (peer.room.clone(), m)));
                }
                wake = wake.min(peer.due);
            }
            if !moved.is_empty() {
                self.pass_on(moved);
                continue;
            }
            self.tell_speaking();
            let wait = wake
                .saturating_duration_since(Instant::now())
                .clamp(Duration::from_millis(1), MAX_WAIT);
            // A timeout of zero would mean "block forever".
            let _ = self.socket.set_read_timeout(Some(wait));
            match self.socket.recv_from(&mut buf) {
                Ok((n, source)) => self.received(&buf[..n], source),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => tracing::warn!(error = %e, "the SFU's socket"),
            }
        }
    }

    fn received(&mut self, bytes: &[u8], source: SocketAddr) {
        let Ok(contents) = bytes.try_into() else {
            return;
        };
        let input = Input::Receive(
            Instant::now(),
            Receive {
                proto: Protocol::Udp,
                source,
                destination: self.addr,
                contents,
            },
        );
        // Which peer a datagram is for: the one whose ICE knows it.
        if let Some(peer) = self.peers.iter_mut().find(|p| p.rtc.accepts(&input)) {
            peer.handle(input);
        }
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Join {
                room,
                peer,
                offer,
                answer,
            } => {
                let result = self.join(room, peer, &offer);
                let _ = answer.send(result);
            }
            Command::Leave { room, peer } => self.remove(&room, &peer),
            Command::Stop => {}
        }
    }

    fn join(&mut self, room: RoomId, id: PeerId, offer: &str) -> Result<String, SfuError> {
        self.remove(&room, &id);
        if self.peers.iter().filter(|p| p.room == room).count() >= MAX_PEERS {
            return Err(SfuError::Offer("the call is full".into()));
        }
        let parsed =
            SdpOffer::from_sdp_string(offer).map_err(|e| SfuError::Offer(e.to_string()))?;
        let mut rtc = Rtc::builder()
            .set_crypto_provider(self.crypto.clone())
            .clear_codecs()
            .enable_opus(true, false)
            .enable_vp8(true)
            .build(Instant::now());
        let candidate =
            Candidate::host(self.addr, "udp").map_err(|e| SfuError::Offer(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        let answer = rtc
            .sdp_api()
            .accept_offer(parsed)
            .map_err(|e| SfuError::Offer(e.to_string()))?;
        let mut peer = Peer::new(room.clone(), id, rtc, sources_of(offer));
        for other in self.peers.iter().filter(|p| p.room == room) {
            for track in &other.ins {
                peer.add_out(&other.id, track);
            }
        }
        self.peers.push(peer);
        Ok(answer.to_sdp_string())
    }

    fn remove(&mut self, room: &str, id: &str) {
        let before = self.peers.len();
        self.peers.retain(|p| !(p.room == room && p.id == id));
        if self.peers.len() != before {
            for peer in self.peers.iter_mut().filter(|p| p.room == room) {
                peer.drop_from(&id.to_owned());
            }
        }
    }

    /// Drops peers whose connection ended, and tells the server.
    fn reap(&mut self) {
        let gone: Vec<(RoomId, PeerId)> = self
            .peers
            .iter()
            .filter(|p| !p.rtc.is_alive())
            .map(|p| (p.room.clone(), p.id.clone()))
            .collect();
        for (room, peer) in gone {
            self.remove(&room, &peer);
            let _ = self.events.send(SfuEvent::Gone { room, peer });
        }
    }

    fn pass_on(&mut self, moved: Vec<(RoomId, Moved)>) {
        let mut asks = Vec::new();
        for (room, m) in moved {
            match m {
                Moved::Added { from, mid } => {
                    let Some(i) = self.position(&room, &from) else {
                        continue;
                    };
                    let Some(at) = self.peers[i].ins.iter().position(|t| t.mid == mid) else {
                        continue;
                    };
                    let (before, rest) = self.peers.split_at_mut(i);
                    let (sender, after) = rest.split_at_mut(1);
                    let track = &sender[0].ins[at];
                    for peer in before.iter_mut().chain(after.iter_mut()) {
                        if peer.room == room {
                            peer.add_out(&from, track);
                        }
                    }
                }
                Moved::Media { from, data } => {
                    let Some(i) = self.position(&room, &from) else {
                        continue;
                    };
                    let audible = self.among_loudest(i, data.mid);
                    let (before, rest) = self.peers.split_at_mut(i);
                    let (sender, after) = rest.split_at_mut(1);
                    let layers = sender[0]
                        .ins
                        .iter()
                        .find(|t| t.mid == data.mid)
                        .map(|t| &t.layers);
                    for peer in before.iter_mut().chain(after.iter_mut()) {
                        if peer.room == room {
                            asks.extend(
                                peer.forward(&from, &data, layers, audible)
                                    .map(|ask| (room.clone(), ask)),
                            );
                        }
                    }
                }
                ask @ Moved::Keyframe { .. } => asks.push((room, ask)),
            }
        }
        for (room, ask) in asks {
            if let Moved::Keyframe { from, mid, rid } = ask
                && let Some(i) = self.position(&room, &from)
            {
                self.peers[i].ask_keyframe(mid, rid);
            }
        }
    }

    fn position(&self, room: &str, id: &str) -> Option<usize> {
        self.peers.iter().position(|p| p.room == room && p.id == id)
    }

    /// Whether the voice of track `mid` of the peer at `i` is among its
    /// room's loudest (all are, in a small call).
    fn among_loudest(&self, i: usize, mid: str0m::media::Mid) -> bool {
        let sender = &self.peers[i];
        let Some(mine) = sender.ins.iter().find(|t| t.mid == mid) else {
            return false;
        };
        let louder = self
            .peers
            .iter()
            .filter(|p| p.room == sender.room)
            .flat_map(|p| p.ins.iter())
            .filter(|t| t.kind == str0m::media::MediaKind::Audio && t.loudness > mine.loudness)
            .count();
        louder < LOUDEST
    }

    /// Every `SPEAKING_EVERY`, tells each peer who in its room speaks.
    fn tell_speaking(&mut self) {
        let now = Instant::now();
        if now.duration_since(self.told_speaking_at) < SPEAKING_EVERY {
            return;
        }
        self.told_speaking_at = now;
        let mut speaking: HashMap<RoomId, Vec<PeerId>> = HashMap::new();
        for peer in &self.peers {
            let speaks = peer.ins.iter().any(|t| {
                t.spoke_at
                    .is_some_and(|at| now.duration_since(at) < SPEAKING_FOR)
            });
            let room = speaking.entry(peer.room.clone()).or_default();
            if speaks {
                room.push(peer.id.clone());
            }
        }
        for peer in &mut self.peers {
            if let Some(room) = speaking.get(&peer.room) {
                peer.tell_speaking(room);
            }
        }
    }
}
