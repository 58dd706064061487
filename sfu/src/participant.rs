//! A participant made of str0m instead of a browser, for the SFU's tests
//! and benchmark: it joins as a browser tab does (a data channel, a voice
//! and maybe a camera, in one layer or the app's three simulcast layers),
//! answers the SFU's offers, sends synthetic frames and counts the frames
//! it gets, by whose track they are, and how long each took to come.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::channel::ChannelId;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid, Simulcast, SimulcastLayer};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcError};

use crate::layers::LAYERS;
use crate::wire::{CHANNEL, FromPeer, Tile, ToPeer};
use crate::{PeerId, Source};

/// A frame every 20 ms for the voice, 33 ms for the camera.
pub const VOICE_EVERY: Duration = Duration::from_millis(20);
pub const CAMERA_EVERY: Duration = Duration::from_millis(33);
/// Frames further behind than this are not sent.
const MISSED: Duration = Duration::from_millis(200);
/// Bytes of a voice frame and a camera frame (a small Opus frame, a
/// low-resolution VP8 frame).
pub const VOICE_BYTES: usize = 80;
pub const CAMERA_BYTES: usize = 1_200;
/// Bytes of a frame in each simulcast layer of [`LAYERS`], smallest first;
/// each fits one packet, so a layer's frames and packets are as many.
pub const LAYER_BYTES: [usize; 3] = [250, 600, 1_100];

/// What a participant's camera sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Camera {
    Off,
    /// One stream, as a browser that cannot simulcast sends.
    Single,
    /// The three layers the app sends.
    Simulcast,
}

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
    simulcast: bool,
    /// Whose each track the SFU sends is, from its offers.
    tracks: HashMap<String, (PeerId, Source)>,
    /// Frames got, by whose track they are.
    pub frames: HashMap<(PeerId, Source), u64>,
    /// The size of the last frame got of each track, which tells its layer.
    last_bytes: HashMap<(PeerId, Source), usize>,
    /// Who the SFU last said is speaking.
    pub speaking: Vec<PeerId>,
    /// How long each frame got took, from its sender's write to its
    /// last packet's arrival here, until taken.
    delays: Vec<Duration>,
    /// Frames sent, voice and camera (each layer's frame counts).
    pub sent: u64,
    loud: bool,
    started: Instant,
    next_voice: Instant,
    next_camera: Instant,
    keyframe_due: bool,
}

impl Participant {
    /// A participant with a voice (speaking if `loud`) and a `camera`;
    /// gives it and its offer for the SFU.
    pub fn new(camera: Camera, loud: bool) -> Result<(Participant, String), ParticipantError> {
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
        let simulcast = camera == Camera::Simulcast;
        let layers = simulcast.then(|| {
            let mut layers = Simulcast::new();
            for rid in LAYERS {
                layers.add_send_layer(SimulcastLayer::new(rid));
            }
            layers
        });
        let camera = (camera != Camera::Off)
            .then(|| change.add_media(MediaKind::Video, Direction::SendOnly, None, None, layers));
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
            simulcast,
            tracks: HashMap::new(),
            frames: HashMap::new(),
            last_bytes: HashMap::new(),
            speaking: Vec::new(),
            delays: Vec::new(),
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

    /// The size of the last frame got from `peer`'s `source`.
    pub fn last_frame_bytes(&self, peer: &str, source: Source) -> Option<usize> {
        self.last_bytes.get(&(peer.to_owned(), source)).copied()
    }

    /// How long each frame got since the last call took to come.
    pub fn take_delays(&mut self) -> Vec<Duration> {
        std::mem::take(&mut self.delays)
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
                    self.last_bytes.insert(whose.clone(), data.data.len());
                    if let Some(delay) = delay(&data.data, data.network_time) {
                        self.delays.push(delay);
                    }
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
        // Not turned for a while, it sends on from now, as a tab that was
        // paused does, not a burst of all it missed.
        for next in [&mut self.next_voice, &mut self.next_camera] {
            if now.duration_since(*next) > MISSED {
                *next = now;
            }
        }
        while self.next_voice <= now {
            self.next_voice += VOICE_EVERY;
            let level = if self.loud { 20 } else { 100 };
            if let Some(writer) = self.rtc.writer(self.voice) {
                let writer = writer.audio_level(-level, self.loud);
                let Some(pt) = writer.payload_params().next().map(|p| p.pt()) else {
                    break;
                };
                let time = MediaTime::new(since * 48 / 1000, Frequency::FORTY_EIGHT_KHZ);
                writer.write(pt, now, time, stamped(0x78, VOICE_BYTES, now))?;
                self.sent += 1;
                // str0m takes one write between polls.
                self.drain()?;
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
            let time = MediaTime::new(since * 90 / 1000, Frequency::NINETY_KHZ);
            let layers: Vec<(Option<&str>, usize)> = if self.simulcast {
                LAYERS.into_iter().map(Some).zip(LAYER_BYTES).collect()
            } else {
                vec![(None, CAMERA_BYTES)]
            };
            for (rid, bytes) in layers {
                let Some(mut writer) = self.rtc.writer(camera) else {
                    break;
                };
                if let Some(rid) = rid {
                    writer = writer.rid(rid.into());
                }
                let Some(pt) = writer.payload_params().next().map(|p| p.pt()) else {
                    break;
                };
                writer.write(pt, now, time, stamped(first, bytes, now))?;
                self.sent += 1;
                self.drain()?;
            }
        }
        Ok(())
    }
}

/// The instant frames' stamps count from, one for the process.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// A frame of `bytes` bytes beginning with `first` whose last eight say
/// when it was written, for [`delay`].
pub fn stamped(first: u8, bytes: usize, at: Instant) -> Vec<u8> {
    let mut frame = vec![0x42; bytes.max(9)];
    if let Some(byte) = frame.first_mut() {
        *byte = first;
    }
    let micros = u64::try_from(at.saturating_duration_since(epoch()).as_micros()).unwrap_or(0);
    let end = frame.len() - 8;
    if let Some(stamp) = frame.get_mut(end..) {
        stamp.copy_from_slice(&micros.to_le_bytes());
    }
    frame
}

/// How long a [`stamped`] frame took, from its write to `got`.
pub fn delay(frame: &[u8], got: Instant) -> Option<Duration> {
    let stamp = frame.get(frame.len().checked_sub(8)?..)?;
    let micros = u64::from_le_bytes(stamp.try_into().ok()?);
    let written = epoch() + Duration::from_micros(micros);
    Some(got.saturating_duration_since(written))
}
