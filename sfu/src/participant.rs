//! A participant made of str0m instead of a browser, for the SFU's tests
//! and benchmark: it joins as a browser tab does (a data channel, a voice
//! and maybe a camera), answers the SFU's offers, sends synthetic frames
//! and counts the frames it gets, by whose track they are.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::channel::ChannelId;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcError};

use crate::wire::{CHANNEL, FromPeer, Tile, ToPeer};
use crate::{PeerId, Source};

/// A frame every 20 ms for the voice, 33 ms for the camera.
const VOICE_EVERY: Duration = Duration::from_millis(20);
const CAMERA_EVERY: Duration = Duration::from_millis(33);
/// Bytes of a voice frame and a camera frame (a small Opus frame, a
/// low-resolution VP8 frame).
const VOICE_BYTES: usize = 80;
const CAMERA_BYTES: usize = 1_200;

#[derive(Debug, thiserror::Error)]
pub enum ParticipantError {
    #[error("a participant's socket: {0}")]
    Socket(#[from] std::io::Error),
    #[error("WebRTC: {0}")]
    Rtc(#[from] RtcError),
    #[error("an SDP: {0}")]
    Sdp(String),
    #[error("no answer was pending")]
    NotOffering,
}

pub struct Participant {
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    pending: Option<SdpPendingOffer>,
    channel: Option<ChannelId>,
    voice: Mid,
    camera: Option<Mid>,
    /// Whose each track the SFU sends is, from its offers.
    tracks: HashMap<String, (PeerId, Source)>,
    /// Frames got, by whose track they are.
    pub frames: HashMap<(PeerId, Source), u64>,
    /// Who the SFU last said is speaking.
    pub speaking: Vec<PeerId>,
    /// Frames sent, voice and camera.
    pub sent: u64,
    loud: bool,
    started: Instant,
    next_voice: Instant,
    next_camera: Instant,
    keyframe_due: bool,
}

impl Participant {
    /// A participant with a voice (speaking if `loud`) and, if `camera`, a
    /// camera; gives it and its offer for the SFU.
    pub fn new(camera: bool, loud: bool) -> Result<(Participant, String), ParticipantError> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_nonblocking(true)?;
        let local = socket.local_addr()?;
        let now = Instant::now();
        let mut rtc = Rtc::builder()
            .clear_codecs()
            .enable_opus(true, false)
            .enable_vp8(true)
            .build(now);
        let candidate =
            Candidate::host(local, "udp").map_err(|e| ParticipantError::Sdp(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        let mut change = rtc.sdp_api();
        change.add_channel(CHANNEL.into());
        let voice = change.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None);
        let camera = camera
            .then(|| change.add_media(MediaKind::Video, Direction::SendOnly, None, None, None));
        let (offer, pending) = change
            .apply()
            .ok_or_else(|| ParticipantError::Sdp("nothing to offer".into()))?;
        let participant = Participant {
            rtc,
            socket,
            local,
            pending: Some(pending),
            channel: None,
            voice,
            camera,
            tracks: HashMap::new(),
            frames: HashMap::new(),
            speaking: Vec::new(),
            sent: 0,
            loud,
            started: now,
            next_voice: now,
            next_camera: now,
            keyframe_due: true,
        };
        Ok((participant, offer.to_sdp_string()))
    }

    /// Takes the SFU's answer to the join.
    pub fn answered(&mut self, sdp: &str) -> Result<(), ParticipantError> {
        let pending = self.pending.take().ok_or(ParticipantError::NotOffering)?;
        let answer =
            SdpAnswer::from_sdp_string(sdp).map_err(|e| ParticipantError::Sdp(e.to_string()))?;
        self.rtc.sdp_api().accept_answer(pending, answer)?;
        Ok(())
    }

    /// Whether the connection still lives.
    pub fn is_alive(&self) -> bool {
        self.rtc.is_alive()
    }

    /// Whether the data channel to the SFU is open.
    pub fn is_open(&self) -> bool {
        self.channel.is_some()
    }

    /// Frames got from `peer`'s `source`.
    pub fn got(&self, peer: &str, source: Source) -> u64 {
        self.frames
            .get(&(peer.to_owned(), source))
            .copied()
            .unwrap_or(0)
    }

    /// Tells the SFU how large this participant shows videos.
    pub fn view(&mut self, tiles: Vec<Tile>) -> bool {
        self.say(&FromPeer::View { tiles })
    }

    /// Does everything due now: takes the datagrams waiting, sends the
    /// frames due and whatever str0m has to send.
    pub fn turn(&mut self) -> Result<(), ParticipantError> {
        let mut buf = [0; 2000];
        loop {
            match self.socket.recv_from(&mut buf) {
                Ok((n, source)) => {
                    let Some(bytes) = buf.get(..n) else { break };
                    let Ok(contents) = bytes.try_into() else {
                        continue;
                    };
                    self.rtc.handle_input(Input::Receive(
                        Instant::now(),
                        Receive {
                            proto: Protocol::Udp,
                            source,
                            destination: self.local,
                            contents,
                        },
                    ))?;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(e.into()),
            }
        }
        let now = Instant::now();
        self.rtc.handle_input(Input::Timeout(now))?;
        self.send_frames(now)?;
        self.drain()
    }

    fn drain(&mut self) -> Result<(), ParticipantError> {
        while self.rtc.is_alive() {
            match self.rtc.poll_output()? {
                Output::Timeout(_) => break,
                Output::Transmit(t) => {
                    // A full socket buffer drops a datagram, as a network would.
                    let _ = self.socket.send_to(&t.contents, t.destination);
                }
                Output::Event(event) => self.event(event)?,
            }
        }
        Ok(())
    }

    fn event(&mut self, event: Event) -> Result<(), ParticipantError> {
        match event {
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.rtc.disconnect();
            }
            Event::ChannelOpen(id, _) => self.channel = Some(id),
            Event::ChannelData(data) => {
                let message = serde_json::from_slice::<ToPeer>(&data.data)
                    .map_err(|e| ParticipantError::Sdp(e.to_string()))?;
                self.told(message)?;
            }
            Event::MediaData(data) => {
                if let Some(whose) = self.tracks.get(&data.mid.to_string()) {
                    *self.frames.entry(whose.clone()).or_default() += 1;
                }
            }
            Event::KeyframeRequest(_) => self.keyframe_due = true,
            _ => {}
        }
        Ok(())
    }

    fn told(&mut self, message: ToPeer) -> Result<(), ParticipantError> {
        match message {
            ToPeer::Offer { sdp, tracks } => {
                let offer = SdpOffer::from_sdp_string(&sdp)
                    .map_err(|e| ParticipantError::Sdp(e.to_string()))?;
                let answer = self.rtc.sdp_api().accept_offer(offer)?;
                self.tracks = tracks
                    .into_iter()
                    .map(|t| (t.mid, (t.peer, t.source)))
                    .collect();
                self.say(&FromPeer::Answer {
                    sdp: answer.to_sdp_string(),
                });
            }
            ToPeer::Speaking { peers } => self.speaking = peers,
        }
        Ok(())
    }

    fn say(&mut self, message: &FromPeer) -> bool {
        let Some(mut channel) = self.channel.and_then(|id| self.rtc.channel(id)) else {
            return false;
        };
        let Ok(text) = serde_json::to_string(message) else {
            return false;
        };
        matches!(channel.write(false, text.as_bytes()), Ok(true))
    }

    fn send_frames(&mut self, now: Instant) -> Result<(), ParticipantError> {
        if !self.rtc.is_alive() || !self.is_open() {
            return Ok(());
        }
        let since = u64::try_from(now.duration_since(self.started).as_micros()).unwrap_or(u64::MAX);
        while self.next_voice <= now {
            self.next_voice += VOICE_EVERY;
            let level = if self.loud { 20 } else { 100 };
            if let Some(writer) = self.rtc.writer(self.voice) {
                let writer = writer.audio_level(-level, self.loud);
                let Some(pt) = writer.payload_params().next().map(|p| p.pt()) else {
                    break;
                };
                let time = MediaTime::new(since * 48 / 1000, Frequency::FORTY_EIGHT_KHZ);
                writer.write(pt, now, time, vec![0x78; VOICE_BYTES])?;
                self.sent += 1;
            }
        }
        let Some(camera) = self.camera else {
            return Ok(());
        };
        while self.next_camera <= now {
            self.next_camera += CAMERA_EVERY;
            // A VP8 frame whose first bit is clear is a keyframe.
            let first = if self.keyframe_due { 0x10 } else { 0x11 };
            self.keyframe_due = false;
            let mut frame = vec![0x42; CAMERA_BYTES];
            if let Some(byte) = frame.first_mut() {
                *byte = first;
            }
            if let Some(writer) = self.rtc.writer(camera) {
                let Some(pt) = writer.payload_params().next().map(|p| p.pt()) else {
                    break;
                };
                let time = MediaTime::new(since * 90 / 1000, Frequency::NINETY_KHZ);
                writer.write(pt, now, time, frame)?;
                self.sent += 1;
            }
        }
        Ok(())
    }
}
