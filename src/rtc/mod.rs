//! Calls in this tab: the one call it takes part in (or rings for), its
//! control steps sent until the server acks them, its media negotiated
//! peer to peer (`peer`), and what the call screen shows (`CallSignals`).
//! The socket session hands it the server's news of calls (`hear`), through
//! the door to the calls part (`asked`).

mod asked;
pub mod devices;
pub mod group;
mod peer;
pub mod stats;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use courier_protocol::http::IceServers;
use courier_protocol::limits::LEG_ALIVE_MS;
use courier_protocol::{CallEnd, CallId, CallStep, ChatId, ClientFrame, ErrorCode, LegId, UserId};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::MediaStream;

use crate::api;
use crate::net::{CallNews, Session, new_client_id};
use devices::Kind;
use peer::{Hooks, Peer};
use stats::Stats;

pub use asked::{Ask, ask};

/// Seconds between two sends of a step the server has not acked.
const RESEND_EVERY_S: u32 = 3;
/// A step unacked this long (seconds) gives the call up.
const GIVE_UP_S: u32 = 60;
/// How long the screen says how a call ended before it closes.
const ENDED_SHOWN: Duration = Duration::from_millis(2500);

/// Where a call stands, as its screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Ours, not yet ringing anywhere.
    Calling,
    /// Ours, ringing on a device of theirs.
    Ringing,
    /// Theirs, ringing here.
    Incoming,
    /// Answered; media is being set up (or restored).
    Connecting,
    /// Media flows.
    Connected,
    Ended(CallEnd),
    /// It could not go on (no camera, the server refused).
    Failed(Failure),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Failure {
    /// The microphone or camera could not be opened.
    NoMedia,
    /// The server refused a step, or never answered.
    Refused(Option<ErrorCode>),
}

/// What the call screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CallView {
    pub chat: ChatId,
    /// The other person.
    pub peer: String,
    pub video: bool,
    pub phase: Phase,
    pub muted: bool,
    pub camera_off: bool,
    /// When media started flowing (`Date.now()`), for the timer.
    pub since: Option<f64>,
}

/// The signals the call screen reads.
#[derive(Clone, Copy)]
pub struct CallSignals {
    pub view: RwSignal<Option<CallView>>,
    pub local: RwSignal<Option<MediaStream>, LocalStorage>,
    pub remote: RwSignal<Option<MediaStream>, LocalStorage>,
    pub stats: RwSignal<Option<Stats>>,
}

impl CallSignals {
    pub fn new() -> CallSignals {
        CallSignals {
            view: RwSignal::new(None),
            local: RwSignal::new_local(None),
            remote: RwSignal::new_local(None),
            stats: RwSignal::new(None),
        }
    }
}

impl Default for CallSignals {
    fn default() -> Self {
        CallSignals::new()
    }
}

/// What the calls layer needs of the app: the socket, who we are, and
/// where to show the call.
#[derive(Clone)]
pub struct Phone {
    pub session: Session,
    pub me: UserId,
    pub signals: CallSignals,
    pub group: group::GroupSignals,
}

/// The call this tab is in.
struct Live {
    id: CallId,
    chat: ChatId,
    leg: LegId,
    caller: bool,
    video: bool,
    /// The other leg: the caller's from the invite, the callee's once
    /// answered.
    peer_leg: Option<LegId>,
    answered: bool,
    ice: IceServers,
    local: Option<MediaStream>,
    peer: Option<Rc<Peer>>,
    /// A step waiting for its ack, and seconds since it was first sent.
    pending: Option<(CallStep, u32)>,
    ticks: u32,
    timer: Option<IntervalHandle>,
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.clear();
        }
        if let Some(stream) = &self.local {
            stop(stream);
        }
    }
}

thread_local! {
    static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
}

fn with_live<R>(f: impl FnOnce(&mut Live) -> R) -> Option<R> {
    LIVE.with(|l| l.borrow_mut().as_mut().map(f))
}

fn is_live(call: &CallId) -> bool {
    with_live(|l| l.id == *call).unwrap_or(false)
}

/// Whether this browser can make calls (Debian's WebKitGTK, for one, has
/// no WebRTC).
pub fn supported() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &"RTCPeerConnection".into()).unwrap_or(false)
}

/// Calls the other person of a 1:1 (`peer` is their name).
fn call(phone: Phone, chat: ChatId, peer: String, video: bool) {
    if LIVE.with(|l| l.borrow().is_some()) {
        return;
    }
    phone.signals.view.set(Some(CallView {
        chat,
        peer,
        video,
        phase: Phase::Calling,
        muted: false,
        camera_off: false,
        since: None,
    }));
    let (id, leg) = (CallId(new_client_id().0), LegId(new_client_id().0));
    spawn_local(async move {
        let Ok(local) = open_media(true, video).await else {
            return fail(&phone, Failure::NoMedia);
        };
        let ice = api::calls::ice_servers().await.unwrap_or_default();
        phone.signals.local.set(Some(local.clone()));
        let step = CallStep::Invite {
            video,
            leg: leg.clone(),
        };
        begin(
            &phone,
            Live {
                id,
                chat,
                leg,
                caller: true,
                video,
                peer_leg: None,
                answered: false,
                ice,
                local: Some(local),
                peer: None,
                pending: None,
                ticks: 0,
                timer: None,
            },
        );
        send_step(&phone, step);
    });
}

/// Answers the call ringing here.
pub fn accept(phone: Phone) {
    let Some(video) = with_live(|l| (!l.caller && !l.answered).then_some(l.video)).flatten() else {
        return;
    };
    with_live(|l| l.answered = true);
    update_view(&phone, |v| v.phase = Phase::Connecting);
    spawn_local(async move {
        let Ok(local) = open_media(true, video).await else {
            return fail(&phone, Failure::NoMedia);
        };
        let ice = api::calls::ice_servers().await.unwrap_or_default();
        phone.signals.local.set(Some(local.clone()));
        let leg = with_live(|l| {
            l.ice = ice;
            l.local = Some(local);
            l.leg.clone()
        });
        if let Some(leg) = leg {
            connect(&phone, true);
            send_step(&phone, CallStep::Accept { leg });
        }
    });
}

/// Declines a ringing call, cancels ours, or hangs up.
pub fn hang_up(phone: Phone) {
    let Some(step) = with_live(|l| match (l.answered, l.caller) {
        (true, _) => CallStep::Hangup,
        (false, true) => CallStep::Cancel,
        (false, false) => CallStep::Decline,
    }) else {
        return;
    };
    let end = match step {
        CallStep::Cancel => CallEnd::Cancelled,
        CallStep::Decline => CallEnd::Declined,
        _ => CallEnd::Hangup,
    };
    send_step(&phone, step);
    // Over here at once; the server's word follows (or its timers, if
    // the step never reaches it).
    finish(&phone, end);
}

/// Turns the microphone off or on.
pub fn toggle_mute(phone: Phone) {
    let muted = !phone
        .signals
        .view
        .with_untracked(|v| v.as_ref().is_some_and(|v| v.muted));
    set_tracks(&phone, "audio", !muted);
    update_view(&phone, |v| v.muted = muted);
}

/// Turns the camera off or on.
pub fn toggle_camera(phone: Phone) {
    let off = !phone
        .signals
        .view
        .with_untracked(|v| v.as_ref().is_some_and(|v| v.camera_off));
    set_tracks(&phone, "video", !off);
    update_view(&phone, |v| v.camera_off = off);
}

/// Uses another microphone or camera from now on, in the call this tab is
/// in (if it sends that kind) and in the next, or another speaker (which
/// the call screen plays on).
pub fn switch_device(phone: Phone, kind: Kind, id: String) {
    devices::choose(kind, &id);
    if kind == Kind::Speaker {
        return;
    }
    spawn_local(async move {
        if phone.group.view.with_untracked(Option::is_some) {
            group::switch(&phone, kind).await;
        } else {
            switch(kind).await;
        }
    });
}

/// Puts the chosen device's track in place of the one the 1:1 call sends
/// of its kind, on or off as that one was.
async fn switch(kind: Kind) {
    let Some((Some(local), peer)) = with_live(|l| (l.local.clone(), l.peer.clone())) else {
        return;
    };
    let old = tracks_of(&local, kind);
    let Some(was) = old.first() else {
        return;
    };
    let Some(track) = open_track(kind).await else {
        return;
    };
    track.set_enabled(was.enabled());
    if let Some(peer) = peer {
        for sender in peer.connection().get_senders() {
            let Ok(sender) = sender.dyn_into::<web_sys::RtcRtpSender>() else {
                continue;
            };
            if sender.track().is_some_and(|t| t.kind() == track.kind()) {
                let _ = JsFuture::from(sender.replace_track(Some(&track))).await;
            }
        }
    }
    for gone in &old {
        local.remove_track(gone);
        gone.stop();
    }
    local.add_track(&track);
}

/// The tracks of `kind` (a microphone's or a camera's) in `stream`.
fn tracks_of(stream: &MediaStream, kind: Kind) -> Vec<web_sys::MediaStreamTrack> {
    let tracks = if kind == Kind::Camera {
        stream.get_video_tracks()
    } else {
        stream.get_audio_tracks()
    };
    tracks.iter().filter_map(|t| t.dyn_into().ok()).collect()
}

/// Opens the chosen microphone or camera: its track.
async fn open_track(kind: Kind) -> Option<web_sys::MediaStreamTrack> {
    let camera = kind == Kind::Camera;
    let stream = open_media(!camera, camera).await.ok()?;
    tracks_of(&stream, kind).into_iter().next()
}

/// The socket is back: steps go again, and media finds its path again
/// (the network may have changed under it). The caller restarts ICE, the
/// callee only if its path is down: both at once would make offers that
/// cross, and a rollback leaves media unsent in some engines.
fn reconnected(phone: &Phone) {
    group::reconnected(phone);
    let resend = with_live(|l| {
        if let Some(peer) = &l.peer
            && (l.caller || !peer.connected())
        {
            peer.restart_ice();
        }
        (l.pending.as_ref().map(|(s, _)| s.clone()), l.answered)
    });
    if let Some((pending, answered)) = resend {
        if let Some(step) = pending {
            frame(phone, step);
        } else if answered {
            frame(phone, CallStep::Alive);
        }
    }
}

/// Names the other person of the call of `chat` on its screen.
fn name_peer(phone: &Phone, chat: ChatId, name: String) {
    update_view(phone, |v| {
        if v.chat == chat {
            v.peer = name;
        }
    });
}

/// Takes the server's news of a call.
fn hear(phone: &Phone, news: CallNews) {
    match news {
        CallNews::Step {
            chat,
            call,
            by,
            step,
        } => match step {
            CallStep::Invite { video, leg } if by != phone.me => {
                incoming(phone, chat, call, video, leg);
            }
            CallStep::Ringing if is_live(&call) => {
                update_view(phone, |v| {
                    if v.phase == Phase::Calling {
                        v.phase = Phase::Ringing;
                    }
                });
            }
            CallStep::Accept { leg } if is_live(&call) => {
                let (caller, mine) = with_live(|l| (l.caller, l.leg == leg)).unwrap_or_default();
                if caller {
                    with_live(|l| {
                        l.peer_leg = Some(leg);
                        l.answered = true;
                    });
                    update_view(phone, |v| v.phase = Phase::Connecting);
                    connect(phone, false);
                } else if !mine {
                    // Answered on another device of ours: stop ringing.
                    LIVE.with(|l| l.borrow_mut().take());
                    phone.signals.view.set(None);
                }
            }
            _ => {}
        },
        CallNews::Ok(call) => {
            with_live(|l| {
                if l.id == call {
                    l.pending = None;
                }
            });
        }
        CallNews::Refused(call, code) if is_live(&call) => {
            if code == ErrorCode::CallCrossed {
                // Their invite rings here (again), and is answered.
                with_live(|l| l.pending = None);
            } else if with_live(|l| l.pending.is_some()).unwrap_or(false) {
                fail(phone, Failure::Refused(Some(code)));
            }
        }
        CallNews::Refused(..) => {}
        CallNews::Group { chat, call } => group::told_call(phone, chat, call),
        CallNews::GroupAnswer { chat, leg, sdp } => group::answered(phone, chat, &leg, sdp),
        CallNews::GroupRefused(chat, code) => group::refused(phone, chat, code),
        CallNews::Ended { call, end, .. } if is_live(&call) => finish(phone, end),
        CallNews::Ended { .. } => {}
        CallNews::Signal { call, from, signal } => {
            let peer = with_live(|l| {
                (l.id == call && l.peer_leg.as_ref() == Some(&from))
                    .then(|| l.peer.clone())
                    .flatten()
            })
            .flatten();
            if let Some(peer) = peer {
                spawn_local(async move {
                    if let Err(e) = peer.receive(signal).await {
                        leptos::logging::warn!("call signal: {e:?}");
                    }
                });
            }
        }
    }
}

/// Their call rings here, unless this tab is in another (the server
/// answers "busy" for a user already in a call, so only a crossing call
/// of ours to the same chat meets it here: then theirs wins).
fn incoming(phone: &Phone, chat: ChatId, call: CallId, video: bool, leg: LegId) {
    let ours = with_live(|l| (l.id == call, l.caller && l.chat == chat && !l.answered));
    match ours {
        Some((true, _)) => return,
        Some((false, true)) => {
            // We called them as they called us: theirs goes on, answered
            // at once with the media we opened.
            let local = with_live(|l| l.local.take()).flatten();
            LIVE.with(|l| l.borrow_mut().take());
            ring(phone, chat, call, video, leg, local);
            accept(phone.clone());
            return;
        }
        Some((false, false)) => return,
        None => {}
    }
    ring(phone, chat, call, video, leg, None);
}

/// Rings here for call `call` of `chat`.
fn ring(
    phone: &Phone,
    chat: ChatId,
    call: CallId,
    video: bool,
    leg: LegId,
    local: Option<MediaStream>,
) {
    let peer = phone
        .signals
        .view
        .with_untracked(|v| v.as_ref().map(|v| v.peer.clone()))
        .unwrap_or_default();
    phone.signals.view.set(Some(CallView {
        chat,
        peer,
        video,
        phase: Phase::Incoming,
        muted: false,
        camera_off: false,
        since: None,
    }));
    begin(
        phone,
        Live {
            id: call,
            chat,
            leg: LegId(new_client_id().0),
            caller: false,
            video,
            peer_leg: Some(leg),
            answered: false,
            ice: IceServers::default(),
            local,
            peer: None,
            pending: None,
            ticks: 0,
            timer: None,
        },
    );
    send_step(phone, CallStep::Ringing);
}

/// Makes `live` this tab's call, with its clock.
fn begin(phone: &Phone, mut live: Live) {
    let ticking = phone.clone();
    live.timer = set_interval_with_handle(move || tick(&ticking), Duration::from_secs(1)).ok();
    LIVE.with(|l| *l.borrow_mut() = Some(live));
}

/// Once a second: steps not acked go again, an answered call says it is
/// still here, and the statistics are read.
fn tick(phone: &Phone) {
    let due = with_live(|l| {
        l.ticks += 1;
        let resend = l.pending.as_mut().and_then(|(step, waited)| {
            *waited += 1;
            (*waited % RESEND_EVERY_S == 0).then(|| step.clone())
        });
        let given_up = l.pending.as_ref().is_some_and(|(_, w)| *w >= GIVE_UP_S);
        let alive = l.answered && u64::from(l.ticks) % (LEG_ALIVE_MS as u64 / 1000) == 0;
        (resend, given_up, alive, l.peer.clone())
    });
    let Some((resend, given_up, alive, peer)) = due else {
        return;
    };
    if given_up {
        return fail(phone, Failure::Refused(None));
    }
    if let Some(step) = resend {
        frame(phone, step);
    }
    if alive {
        frame(phone, CallStep::Alive);
    }
    if let Some(peer) = peer {
        let stats = phone.signals.stats;
        spawn_local(async move {
            let last = stats.get_untracked().unwrap_or_default();
            if let Ok(now) = stats::read(peer.connection(), &last).await {
                stats.try_set(Some(now));
            }
        });
    }
}

/// Sets up this leg's connection, sending our media.
fn connect(phone: &Phone, polite: bool) {
    let Some((call, leg, ice, local)) =
        with_live(|l| (l.id.clone(), l.leg.clone(), l.ice.clone(), l.local.clone()))
    else {
        return;
    };
    let (session, signals) = (phone.session.clone(), phone.signals);
    let hooks = Hooks {
        send: Box::new(move |signal| {
            session.call_frame(ClientFrame::Signal {
                call: call.clone(),
                leg: leg.clone(),
                signal,
            });
        }),
        remote: Box::new(move |stream| {
            signals.remote.try_set(Some(stream));
        }),
        state: Box::new({
            let phone = phone.clone();
            move |state| match state.as_str() {
                "connected" => update_view(&phone, |v| {
                    v.phase = Phase::Connected;
                    v.since.get_or_insert_with(js_sys::Date::now);
                }),
                "failed" => {
                    update_view(&phone, |v| v.phase = Phase::Connecting);
                    if let Some(peer) = with_live(|l| l.peer.clone()).flatten() {
                        peer.restart_ice();
                    }
                }
                _ => {}
            }
        }),
    };
    match Peer::new(&ice, polite, hooks) {
        Ok(peer) => {
            match (&local, polite) {
                (Some(local), true) => peer.add_on_offer(local),
                (Some(local), false) => peer.add(local),
                (None, _) => {}
            }
            with_live(|l| l.peer = Some(Rc::new(peer)));
        }
        Err(e) => {
            leptos::logging::warn!("call connection: {e:?}");
            fail(phone, Failure::NoMedia);
        }
    }
}

/// Sends a step and keeps it until the server acks it.
fn send_step(phone: &Phone, step: CallStep) {
    with_live(|l| l.pending = Some((step.clone(), 0)));
    frame(phone, step);
}

fn frame(phone: &Phone, step: CallStep) {
    let Some((chat, call)) = with_live(|l| (l.chat, l.id.clone())) else {
        return;
    };
    phone
        .session
        .call_frame(ClientFrame::Call { chat, call, step });
}

/// The call is over here: media stops, the screen says how it ended, then
/// closes.
fn finish(phone: &Phone, end: CallEnd) {
    close(phone);
    update_view(phone, |v| v.phase = Phase::Ended(end));
    close_later(phone);
}

fn fail(phone: &Phone, why: Failure) {
    close(phone);
    update_view(phone, |v| v.phase = Phase::Failed(why));
    close_later(phone);
}

fn close(phone: &Phone) {
    LIVE.with(|l| l.borrow_mut().take());
    phone.signals.local.try_set(None);
    phone.signals.remote.try_set(None);
    phone.signals.stats.try_set(None);
}

/// Closes the screen after a moment, unless another call opened it.
fn close_later(phone: &Phone) {
    let view = phone.signals.view;
    set_timeout(
        move || {
            if LIVE.with(|l| l.borrow().is_none()) {
                view.try_set(None);
            }
        },
        ENDED_SHOWN,
    );
}

fn update_view(phone: &Phone, f: impl FnOnce(&mut CallView)) {
    phone.signals.view.try_update(|v| {
        if let Some(v) = v {
            f(v);
        }
    });
}

/// Enables or disables this leg's tracks of `kind` ("audio", "video").
fn set_tracks(phone: &Phone, kind: &str, on: bool) {
    if let Some(stream) = phone.signals.local.get_untracked() {
        for track in stream.get_tracks() {
            if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>()
                && track.kind() == kind
            {
                track.set_enabled(on);
            }
        }
    }
}

fn stop(stream: &MediaStream) {
    for track in stream.get_tracks() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// The browser's media devices.
fn media_devices() -> Result<web_sys::MediaDevices, JsValue> {
    web_sys::window()
        .ok_or(JsValue::NULL)?
        .navigator()
        .media_devices()
}

/// The microphone, the camera or both (the browser asks the first time).
async fn open_media(audio: bool, video: bool) -> Result<MediaStream, JsValue> {
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_audio(&devices::constraint(Kind::Microphone, audio));
    constraints.set_video(&devices::constraint(Kind::Camera, video));
    JsFuture::from(media_devices()?.get_user_media_with_constraints(&constraints)?)
        .await?
        .dyn_into()
}

/// A screen, a window or a tab to share (the browser asks which).
async fn open_screen() -> Result<MediaStream, JsValue> {
    let constraints = web_sys::DisplayMediaStreamConstraints::new();
    constraints.set_video(&JsValue::TRUE);
    JsFuture::from(media_devices()?.get_display_media_with_constraints(&constraints)?)
        .await?
        .dyn_into()
}
