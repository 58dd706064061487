//! One leg's `RTCPeerConnection`, negotiated the "perfect negotiation"
//! way: either side may make an offer whenever its media changes (the
//! first offer, camera on or off, an ICE restart), and when offers cross
//! the polite side (the callee) gives way and the impolite one ignores
//! the other's. Candidates trickle as they are found.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use courier_protocol::Signal;
use courier_protocol::http::IceServers;
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    MediaStream, RtcConfiguration, RtcIceCandidateInit, RtcIceTransportPolicy, RtcPeerConnection,
    RtcPeerConnectionIceEvent, RtcSdpType, RtcSessionDescriptionInit, RtcSignalingState,
    RtcTrackEvent,
};

/// What the connection reports to the call that owns it.
pub struct Hooks {
    /// A signal to pass to the other leg.
    pub send: Box<dyn Fn(Signal)>,
    /// The other leg's media arrived (or changed).
    pub remote: Box<dyn Fn(MediaStream)>,
    /// The connection's state (`connected`, `failed`, …).
    pub state: Box<dyn Fn(String)>,
}

pub struct Peer {
    pc: RtcPeerConnection,
    polite: bool,
    making_offer: Rc<Cell<bool>>,
    ignore_offer: Cell<bool>,
    /// Media to send once the other leg's first offer is in (the
    /// callee's), so that it rides in the answer.
    waiting: RefCell<Option<MediaStream>>,
    hooks: Rc<Hooks>,
    // Kept alive as long as the connection calls them.
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl Peer {
    pub fn new(ice: &IceServers, polite: bool, hooks: Hooks) -> Result<Peer, JsValue> {
        let config = configuration(ice)?;
        let pc = RtcPeerConnection::new_with_configuration(&config)?;
        let hooks = Rc::new(hooks);
        let making_offer = Rc::new(Cell::new(false));
        let mut handlers = Vec::new();

        let (offering, pc2, h) = (Rc::clone(&making_offer), pc.clone(), Rc::clone(&hooks));
        let negotiate = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let (offering, pc, h) = (Rc::clone(&offering), pc2.clone(), Rc::clone(&h));
            spawn_local(async move {
                offering.set(true);
                if set_local(&pc).await.is_ok()
                    && let Some(signal) = local_signal(&pc)
                {
                    (h.send)(signal);
                }
                offering.set(false);
            });
        });
        pc.set_onnegotiationneeded(Some(negotiate.as_ref().unchecked_ref()));
        handlers.push(negotiate);

        let h = Rc::clone(&hooks);
        let candidate = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let Ok(e) = e.dyn_into::<RtcPeerConnectionIceEvent>() else {
                return;
            };
            // None: gathering is over (sent as an empty candidate).
            let signal = match e.candidate() {
                Some(c) => Signal::Candidate {
                    candidate: c.candidate(),
                    mid: c.sdp_mid(),
                    line: c.sdp_m_line_index(),
                },
                None => Signal::Candidate {
                    candidate: String::new(),
                    mid: None,
                    line: None,
                },
            };
            (h.send)(signal);
        });
        pc.set_onicecandidate(Some(candidate.as_ref().unchecked_ref()));
        handlers.push(candidate);

        let h = Rc::clone(&hooks);
        let track = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let Ok(e) = e.dyn_into::<RtcTrackEvent>() else {
                return;
            };
            if let Ok(stream) = e.streams().get(0).dyn_into::<MediaStream>() {
                (h.remote)(stream);
            }
        });
        pc.set_ontrack(Some(track.as_ref().unchecked_ref()));
        handlers.push(track);

        let (pc2, h) = (pc.clone(), Rc::clone(&hooks));
        let state = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            (h.state)(connection_state(&pc2));
        });
        pc.set_onconnectionstatechange(Some(state.as_ref().unchecked_ref()));
        handlers.push(state);

        Ok(Peer {
            pc,
            polite,
            making_offer,
            ignore_offer: Cell::new(false),
            waiting: RefCell::new(None),
            hooks,
            _handlers: handlers,
        })
    }

    /// Sends `stream`'s tracks once the other leg's first offer is in:
    /// the callee's media then rides in its answer on the offer's own
    /// transceivers. (Added at once, it makes an offer of its own that
    /// crosses the caller's; the polite side's rollback then leaves a
    /// track unsent in some engines.)
    pub fn add_on_offer(&self, stream: &MediaStream) {
        *self.waiting.borrow_mut() = Some(stream.clone());
    }

    /// Sends `stream`'s tracks (which starts a negotiation).
    pub fn add(&self, stream: &MediaStream) {
        for track in stream.get_tracks() {
            if let Ok(track) = track.dyn_into() {
                self.pc.add_track_0(&track, stream);
            }
        }
    }

    /// Takes a signal from the other leg.
    pub async fn receive(&self, signal: Signal) -> Result<(), JsValue> {
        match signal {
            Signal::Description { offer, sdp } => {
                let stable = self.pc.signaling_state() == RtcSignalingState::Stable;
                let collision = offer && (self.making_offer.get() || !stable);
                self.ignore_offer.set(!self.polite && collision);
                if self.ignore_offer.get() {
                    return Ok(());
                }
                let kind = if offer {
                    RtcSdpType::Offer
                } else {
                    RtcSdpType::Answer
                };
                let remote = RtcSessionDescriptionInit::new(kind);
                remote.set_sdp(&sdp);
                // The polite side's own offer, if any, is rolled back by
                // the browser here.
                JsFuture::from(self.pc.set_remote_description(&remote)).await?;
                if offer {
                    let waiting = self.waiting.borrow_mut().take();
                    if let Some(stream) = waiting {
                        self.add(&stream);
                    }
                    set_local(&self.pc).await?;
                    if let Some(answer) = local_signal(&self.pc) {
                        (self.hooks.send)(answer);
                    }
                }
                Ok(())
            }
            Signal::Candidate {
                candidate,
                mid,
                line,
            } => {
                if candidate.is_empty() {
                    return Ok(());
                }
                let init = RtcIceCandidateInit::new(&candidate);
                init.set_sdp_mid(mid.as_deref());
                init.set_sdp_m_line_index(line);
                let added = JsFuture::from(
                    self.pc
                        .add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init)),
                )
                .await;
                match added {
                    // Candidates of an offer this side ignored fail: fine.
                    Err(_) if self.ignore_offer.get() => Ok(()),
                    other => other.map(drop),
                }
            }
        }
    }

    /// Starts an ICE restart (the network changed, the path failed): the
    /// next negotiation carries new credentials.
    pub fn restart_ice(&self) {
        if let Ok(restart) = Reflect::get(&self.pc, &"restartIce".into())
            && let Ok(restart) = restart.dyn_into::<Function>()
        {
            let _ = restart.call0(&self.pc);
        }
    }

    /// Whether media has a working path now.
    pub fn connected(&self) -> bool {
        connection_state(&self.pc) == "connected"
    }

    /// The connection, for its statistics.
    pub fn connection(&self) -> &RtcPeerConnection {
        &self.pc
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.pc.set_onnegotiationneeded(None);
        self.pc.set_onicecandidate(None);
        self.pc.set_ontrack(None);
        self.pc.set_onconnectionstatechange(None);
        self.pc.close();
    }
}

/// A connection's configuration: the ICE servers the server gave (STUN,
/// TURN with this user's credentials), relayed only if it says so.
pub fn configuration(ice: &IceServers) -> Result<RtcConfiguration, JsValue> {
    let config = RtcConfiguration::new();
    let servers = Array::new();
    for server in &ice.servers {
        let s = Object::new();
        let urls: Array = server.urls.iter().map(|u| JsValue::from_str(u)).collect();
        Reflect::set(&s, &"urls".into(), &urls)?;
        if let (Some(user), Some(pass)) = (&server.username, &server.credential) {
            Reflect::set(&s, &"username".into(), &user.into())?;
            Reflect::set(&s, &"credential".into(), &pass.into())?;
        }
        servers.push(&s);
    }
    config.set_ice_servers(&servers);
    if ice.relay_only {
        config.set_ice_transport_policy(RtcIceTransportPolicy::Relay);
    }
    Ok(config)
}

/// `setLocalDescription()` with no argument: the browser makes the offer
/// or answer the signalling state calls for.
pub async fn set_local(pc: &RtcPeerConnection) -> Result<(), JsValue> {
    let set: Function = Reflect::get(pc, &"setLocalDescription".into())?.dyn_into()?;
    let promise: js_sys::Promise = set.call0(pc)?.dyn_into()?;
    JsFuture::from(promise).await.map(drop)
}

/// The local description as a signal.
fn local_signal(pc: &RtcPeerConnection) -> Option<Signal> {
    let desc = pc.local_description()?;
    Some(Signal::Description {
        offer: desc.type_() == RtcSdpType::Offer,
        sdp: desc.sdp(),
    })
}

/// A connection's `connectionState` (`connected`, `failed`, …).
pub fn connection_state(pc: &RtcPeerConnection) -> String {
    Reflect::get(pc, &"connectionState".into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
