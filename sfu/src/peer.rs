//! One participant's connection: its `Rtc`, the tracks it sends (in) and
//! the others' tracks it gets (out), and the renegotiation that adds and
//! stops those on its data channel.

use std::collections::HashMap;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::channel::ChannelId;
use str0m::media::{Direction, KeyframeRequestKind, MediaData, MediaKind, Mid, Rid};
use str0m::{Event, IceConnectionState, Input, Output, Rtc};

use crate::layers::{Layers, fallback_source};
use crate::wire::{FromPeer, MAX_MESSAGE_BYTES, Size, Source, ToPeer, TrackOf};
use crate::{PeerId, RoomId};

/// The least time between two keyframe requests for one track: a
/// receiver that lost packets asks until one comes.
const KEYFRAME_GAP: Duration = Duration::from_millis(500);

/// Audio at or above this level is speech. str0m gives RFC 6464's level
/// as dBov: 0 is loudest, -127 silence.
const SPEECH_LEVEL: i8 = -50;

/// What a peer's output asks the engine to do for the rest of its room.
pub enum Moved {
    /// A track this peer sends appeared: the others get it too.
    Added { from: PeerId, mid: Mid },
    /// A frame to pass on.
    Media { from: PeerId, data: Box<MediaData> },
    /// A receiver wants a keyframe of `from`'s track `mid`.
    Keyframe {
        from: PeerId,
        mid: Mid,
        rid: Option<Rid>,
    },
}

pub struct TrackIn {
    pub mid: Mid,
    pub kind: MediaKind,
    pub source: Source,
    pub layers: Layers,
    /// Smoothed loudness (0 silence to 127), to rank the room's voices.
    pub loudness: f32,
    /// When speech was last heard on it.
    pub spoke_at: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutState {
    ToOpen,
    Negotiating(Mid),
    Open(Mid),
    ToStop(Mid),
    NegotiatingStop(Mid),
}

struct TrackOut {
    from: PeerId,
    from_mid: Mid,
    kind: MediaKind,
    source: Source,
    state: OutState,
    /// Its sender has left: stop it once negotiated.
    gone: bool,
    /// The simulcast layer passed on now, once `started` on a keyframe.
    rid: Option<Rid>,
    started: bool,
    asked_at: Option<Instant>,
}

impl TrackOut {
    fn mid(&self) -> Option<Mid> {
        match self.state {
            OutState::ToOpen => None,
            OutState::Negotiating(m)
            | OutState::Open(m)
            | OutState::ToStop(m)
            | OutState::NegotiatingStop(m) => Some(m),
        }
    }
}

pub struct Peer {
    pub room: RoomId,
    pub id: PeerId,
    pub rtc: Rtc,
    sources: HashMap<String, Source>,
    channel: Option<ChannelId>,
    pending: Option<SdpPendingOffer>,
    pub ins: Vec<TrackIn>,
    outs: Vec<TrackOut>,
    sizes: HashMap<(PeerId, Source), Size>,
    told_speaking: Vec<PeerId>,
    /// When the peer next needs time and a poll: str0m's next timeout, or
    /// now once it was given anything. The engine turns only peers due, so
    /// a datagram costs the peers it concerns, not the whole SFU.
    pub due: Instant,
}

impl Peer {
    pub fn new(room: RoomId, id: PeerId, rtc: Rtc, sources: HashMap<String, Source>) -> Peer {
        Peer {
            room,
            id,
            rtc,
            sources,
            channel: None,
            pending: None,
            ins: Vec::new(),
            outs: Vec::new(),
            sizes: HashMap::new(),
            told_speaking: Vec::new(),
            due: Instant::now(),
        }
    }

    pub fn handle(&mut self, input: Input) {
        if !self.rtc.is_alive() {
            return;
        }
        if let Err(e) = self.rtc.handle_input(input) {
            tracing::debug!(peer = self.id, error = %e, "an SFU peer's input");
            self.rtc.disconnect();
        }
        self.stirred();
    }

    /// Something was given to the peer: it is due a poll.
    fn stirred(&mut self) {
        self.due = Instant::now();
    }

    /// Sends what the peer has to send and gathers what the room must do,
    /// until str0m has nothing more before the instant it returns.
    pub fn poll(&mut self, socket: &UdpSocket, moved: &mut Vec<Moved>) -> Instant {
        loop {
            if !self.rtc.is_alive() {
                return Instant::now();
            }
            self.negotiate();
            let output = match self.rtc.poll_output() {
                Ok(output) => output,
                Err(e) => {
                    tracing::debug!(peer = self.id, error = %e, "an SFU peer's output");
                    self.rtc.disconnect();
                    return Instant::now();
                }
            };
            match output {
                Output::Timeout(at) => return at,
                Output::Transmit(t) => {
                    if let Err(e) = socket.send_to(&t.contents, t.destination) {
                        tracing::debug!(error = %e, "sending from the SFU");
                    }
                }
                Output::Event(event) => self.event(event, moved),
            }
        }
    }

    fn event(&mut self, event: Event, moved: &mut Vec<Moved>) {
        match event {
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.rtc.disconnect();
            }
            Event::ChannelOpen(id, _) => self.channel = Some(id),
            Event::ChannelData(data) if data.data.len() <= MAX_MESSAGE_BYTES => {
                match serde_json::from_slice::<FromPeer>(&data.data) {
                    Ok(message) => self.said(message),
                    Err(e) => tracing::debug!(peer = self.id, error = %e, "an SFU message"),
                }
            }
            Event::MediaAdded(added) if added.direction.is_receiving() => {
                let source = self
                    .sources
                    .get(&added.mid.to_string())
                    .copied()
                    .unwrap_or_else(|| fallback_source(added.kind));
                self.ins.push(TrackIn {
                    mid: added.mid,
                    kind: added.kind,
                    source,
                    layers: Layers::default(),
                    loudness: 0.0,
                    spoke_at: None,
                });
                moved.push(Moved::Added {
                    from: self.id.clone(),
                    mid: added.mid,
                });
            }
            Event::MediaData(data) => {
                let now = Instant::now();
                if let Some(track) = self.ins.iter_mut().find(|t| t.mid == data.mid) {
                    if let Some(rid) = data.rid {
                        track.layers.heard(rid, now);
                    }
                    if let Some(level) = data.ext_vals.audio_level {
                        let loudness = f32::from(127 + level.clamp(-127, 0));
                        track.loudness = track.loudness * 0.8 + loudness * 0.2;
                        if level >= SPEECH_LEVEL {
                            track.spoke_at = Some(now);
                        }
                    }
                }
                if !data.contiguous {
                    self.ask_keyframe(data.mid, data.rid);
                }
                moved.push(Moved::Media {
                    from: self.id.clone(),
                    data: Box::new(data),
                });
            }
            Event::KeyframeRequest(request) => {
                if let Some(out) = self.outs.iter().find(|o| o.mid() == Some(request.mid)) {
                    moved.push(Moved::Keyframe {
                        from: out.from.clone(),
                        mid: out.from_mid,
                        rid: out.rid,
                    });
                }
            }
            _ => {}
        }
    }

    fn said(&mut self, message: FromPeer) {
        match message {
            FromPeer::Answer { sdp } => {
                let (Some(pending), Ok(answer)) =
                    (self.pending.take(), SdpAnswer::from_sdp_string(&sdp))
                else {
                    return;
                };
                if let Err(e) = self.rtc.sdp_api().accept_answer(pending, answer) {
                    tracing::debug!(peer = self.id, error = %e, "an SFU peer's answer");
                    self.rtc.disconnect();
                    return;
                }
                self.outs
                    .retain(|o| !matches!(o.state, OutState::NegotiatingStop(_)));
                for out in &mut self.outs {
                    if let OutState::Negotiating(m) = out.state {
                        out.state = OutState::Open(m);
                    }
                }
            }
            FromPeer::View { tiles } => {
                for tile in tiles.into_iter().take(crate::engine::MAX_PEERS * 3) {
                    self.sizes.insert((tile.peer, tile.source), tile.size);
                }
            }
        }
    }

    /// Asks this peer's browser for a keyframe of its track `mid`.
    pub fn ask_keyframe(&mut self, mid: Mid, rid: Option<Rid>) {
        if let Some(mut writer) = self.rtc.writer(mid) {
            // Fails only for a layer it does not send: nothing to do.
            let _ = writer.request_keyframe(rid, KeyframeRequestKind::Pli);
        }
        self.stirred();
    }

    /// Starts getting `from`'s track.
    pub fn add_out(&mut self, from: &PeerId, track: &TrackIn) {
        self.outs.push(TrackOut {
            from: from.clone(),
            from_mid: track.mid,
            kind: track.kind,
            source: track.source,
            state: OutState::ToOpen,
            gone: false,
            rid: None,
            started: false,
            asked_at: None,
        });
        self.stirred();
    }

    /// Stops getting anything from `from`, who left.
    pub fn drop_from(&mut self, from: &PeerId) {
        self.outs
            .retain(|o| !(o.from == *from && o.state == OutState::ToOpen));
        for out in self.outs.iter_mut().filter(|o| o.from == *from) {
            out.gone = true;
        }
        self.stirred();
    }

    /// Passes on a frame of `from`'s if this peer gets that track, in the
    /// layer its tile's size calls for; switching layers waits for a
    /// keyframe of the new one, which it asks for (returned).
    pub fn forward(
        &mut self,
        from: &PeerId,
        data: &MediaData,
        layers: Option<&Layers>,
        audible: bool,
    ) -> Option<Moved> {
        let now = Instant::now();
        let out = self
            .outs
            .iter_mut()
            .find(|o| o.from == *from && o.from_mid == data.mid && !o.gone)?;
        let OutState::Open(mid) = out.state else {
            return None;
        };
        let mut ask = None;
        match out.kind {
            MediaKind::Audio if !audible => return None,
            MediaKind::Audio => {}
            MediaKind::Video => {
                let default = match out.source {
                    Source::Screen => Size::Large,
                    _ => Size::Small,
                };
                let size = self
                    .sizes
                    .get(&(from.clone(), out.source))
                    .copied()
                    .unwrap_or(default);
                if size == Size::Hidden {
                    // Shown again, it starts on a keyframe.
                    out.started = false;
                    return None;
                }
                let want = match data.rid {
                    Some(_) => layers.and_then(|l| l.choose(size, now)),
                    None => None,
                };
                let mut ask_for = |rid: Option<Rid>| {
                    let due = out
                        .asked_at
                        .is_none_or(|at| now.duration_since(at) > KEYFRAME_GAP);
                    if due {
                        out.asked_at = Some(now);
                    }
                    due.then(|| Moved::Keyframe {
                        from: from.clone(),
                        mid: data.mid,
                        rid,
                    })
                };
                if out.started && data.rid == out.rid {
                    // The layer passed on now goes on until the wanted one's
                    // keyframe comes.
                    if want.is_some() && want != out.rid {
                        ask = ask_for(want);
                    }
                } else if data.rid == want {
                    // A layer starts on a keyframe, or the picture breaks.
                    if !data.is_keyframe() {
                        return ask_for(want);
                    }
                    out.rid = want;
                    out.started = true;
                } else {
                    return None;
                }
            }
        }
        let writer = self.rtc.writer(mid)?;
        let pt = writer.match_params(data.params)?;
        if let Err(e) = writer.write(pt, data.network_time, data.time, data.data.clone()) {
            tracing::debug!(peer = self.id, error = %e, "forwarding");
            self.rtc.disconnect();
        }
        self.stirred();
        ask
    }

    /// Tells the peer who is speaking, if that changed.
    pub fn tell_speaking(&mut self, peers: &[PeerId]) {
        if self.told_speaking == peers {
            return;
        }
        let message = ToPeer::Speaking {
            peers: peers.to_vec(),
        };
        if self.send(&message) {
            self.told_speaking = peers.to_vec();
        }
    }

    fn send(&mut self, message: &ToPeer) -> bool {
        let Some(mut channel) = self.channel.and_then(|id| self.rtc.channel(id)) else {
            return false;
        };
        let Ok(text) = serde_json::to_string(message) else {
            return false;
        };
        let sent = matches!(channel.write(false, text.as_bytes()), Ok(true));
        self.stirred();
        sent
    }

    /// Offers the tracks added and stopped since the last offer, once the
    /// data channel is open and no offer is waiting for its answer.
    fn negotiate(&mut self) {
        if self.channel.is_none() || self.pending.is_some() {
            return;
        }
        for out in &mut self.outs {
            if let (OutState::Open(m), true) = (out.state, out.gone) {
                out.state = OutState::ToStop(m);
            }
        }
        let mut change = self.rtc.sdp_api();
        for out in &mut self.outs {
            match out.state {
                OutState::ToOpen => {
                    let track = format!("{}-{:?}", out.from, out.source).to_lowercase();
                    let mid = change.add_media(
                        out.kind,
                        Direction::SendOnly,
                        Some(out.from.clone()),
                        Some(track),
                        None,
                    );
                    out.state = OutState::Negotiating(mid);
                }
                OutState::ToStop(m) => {
                    change.stop_media(m);
                    out.state = OutState::NegotiatingStop(m);
                }
                _ => {}
            }
        }
        let Some((offer, pending)) = change.apply() else {
            return;
        };
        let tracks = self
            .outs
            .iter()
            .filter_map(|o| match o.state {
                OutState::Negotiating(m) | OutState::Open(m) => Some(TrackOf {
                    mid: m.to_string(),
                    peer: o.from.clone(),
                    source: o.source,
                }),
                _ => None,
            })
            .collect();
        let message = ToPeer::Offer {
            sdp: offer.to_sdp_string(),
            tracks,
        };
        if self.send(&message) {
            self.pending = Some(pending);
        } else {
            tracing::debug!(peer = self.id, "an offer that did not fit the channel");
            self.rtc.disconnect();
        }
    }
}
