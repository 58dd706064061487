//! Courier's selective forwarding unit: every participant of a group call
//! sends its media here once, over one UDP port, and gets the others'
//! back, the video layer each receiver shows and the audio of the loudest
//! few. It knows rooms and peers by opaque names only: no chats, no users,
//! no permissions; the server decides who joins what.
//!
//! One thread runs every room: str0m is sans-IO, so the thread owns the
//! socket and each peer's `Rtc`, and the server talks to it by commands.
//! After the join (an offer in, an answer out, through the server), a peer
//! and the SFU renegotiate over a data channel of their own (see
//! [`wire`]): the SFU offers the others' tracks, the browser answers.

mod engine;
mod layers;
#[cfg(feature = "participant")]
pub mod participant;
mod peer;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::mpsc;

use tokio::sync::{mpsc as tokio_mpsc, oneshot};

pub use courier_protocol::sfu as wire;
pub use wire::{PeerId, Source};

/// A group call, as the server names it.
pub type RoomId = String;

#[derive(Debug, thiserror::Error)]
pub enum SfuError {
    #[error("the SFU's UDP socket: {0}")]
    Socket(#[from] std::io::Error),
    #[error("the SFU has stopped")]
    Stopped,
    #[error("the offer was refused: {0}")]
    Offer(String),
    #[error("the SFU's address {0} is not one a browser can reach: give the address to advertise")]
    Unspecified(SocketAddr),
}

/// What the SFU tells the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SfuEvent {
    /// A peer's connection ended (its tab closed, its network went away)
    /// without the server's `leave`.
    Gone { room: RoomId, peer: PeerId },
}

pub(crate) enum Command {
    Join {
        room: RoomId,
        peer: PeerId,
        offer: String,
        answer: oneshot::Sender<Result<String, SfuError>>,
    },
    Leave {
        room: RoomId,
        peer: PeerId,
    },
    Stop,
}

/// This machine's address on its default route (where a packet to the
/// internet would leave from), or loopback if it has none: the SFU's
/// address when none is given. Not loopback where there is a choice:
/// Firefox never pairs its candidates with a loopback one, so a browser on
/// the same machine could not reach an SFU there.
pub fn routed_address() -> IpAddr {
    // Connecting a UDP socket sends nothing: it only asks the routing
    // table which address would be used (TEST-NET-3 stands for anywhere).
    let routed = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))
        .and_then(|s| s.connect((Ipv4Addr::new(203, 0, 113, 1), 9)).map(|()| s))
        .and_then(|s| s.local_addr());
    match routed {
        Ok(addr) if !addr.ip().is_unspecified() => addr.ip(),
        _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
    }
}

/// The handle to the running SFU; dropping it stops the thread.
pub struct Sfu {
    commands: mpsc::Sender<Command>,
    addr: SocketAddr,
}

impl Sfu {
    /// Binds `bind` and starts forwarding. `advertise` is the address put
    /// in peers' candidates when `bind` is not one they can reach (a
    /// wildcard, or behind NAT).
    pub fn start(
        bind: SocketAddr,
        advertise: Option<SocketAddr>,
    ) -> Result<(Sfu, tokio_mpsc::UnboundedReceiver<SfuEvent>), SfuError> {
        let socket = UdpSocket::bind(bind)?;
        let local = socket.local_addr()?;
        let addr = match advertise {
            Some(addr) if addr.port() == 0 => SocketAddr::new(addr.ip(), local.port()),
            Some(addr) => addr,
            None if local.ip().is_unspecified() => return Err(SfuError::Unspecified(local)),
            None => local,
        };
        let (commands, inbox) = mpsc::channel();
        let (events, news) = tokio_mpsc::unbounded_channel();
        let engine = engine::Engine::new(socket, addr, events)?;
        std::thread::Builder::new()
            .name("sfu".into())
            .spawn(move || engine.run(&inbox))?;
        Ok((Sfu { commands, addr }, news))
    }

    /// The address peers send their media to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Adds `peer` to `room` (replacing an earlier connection of the same
    /// name: a rejoin) with the browser's offer; gives the answer.
    pub async fn join(&self, room: &str, peer: &str, offer: &str) -> Result<String, SfuError> {
        let (answer, answered) = oneshot::channel();
        self.commands
            .send(Command::Join {
                room: room.to_owned(),
                peer: peer.to_owned(),
                offer: offer.to_owned(),
                answer,
            })
            .map_err(|_| SfuError::Stopped)?;
        answered.await.map_err(|_| SfuError::Stopped)?
    }

    /// Drops `peer` from `room`; the others' apps lose its tracks.
    pub fn leave(&self, room: &str, peer: &str) {
        let _ = self.commands.send(Command::Leave {
            room: room.to_owned(),
            peer: peer.to_owned(),
        });
    }
}

impl Drop for Sfu {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
    }
}
