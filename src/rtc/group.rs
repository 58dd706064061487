//! A group's call in this tab: one connection to the server's SFU that
//! sends this tab's voice, camera (in three simulcast layers) and shared
//! screen, and gets the others' back. The join's offer goes through the
//! socket; after it the SFU and the tab renegotiate on a data channel of
//! their own (`courier_protocol::sfu`), where the SFU also says who speaks
//! and the tab says how large it shows each video. What each one shows
//! (muted, camera, screen, hand) is a step the whole group is told of.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use courier_protocol::sfu::{self, FromPeer, Source, Tile, ToPeer, TrackOf};
use courier_protocol::{ChatId, ClientFrame, ErrorCode, GroupCall, GroupStep, LegId, Showing};
use js_sys::Array;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    MediaStream, MediaStreamTrack, MessageEvent, RtcDataChannel, RtcIceGatheringState,
    RtcPeerConnection, RtcRtpEncodingParameters, RtcRtpTransceiver, RtcRtpTransceiverDirection,
    RtcRtpTransceiverInit, RtcSdpType, RtcSessionDescriptionInit, RtcTrackEvent,
};

use super::devices::Kind;
use super::peer::{configuration, connection_state, set_local};
use super::stats::Stats;
use super::{Failure, Phone, open_media, open_screen, stop};
use crate::api;
use crate::net::new_client_id;

/// The camera's simulcast layers: a quarter, half and full size, so the
/// SFU can send each receiver the one its tile needs.
const LAYERS: [(&str, f64, u32); 3] = [
    ("q", 4.0, 150_000),
    ("h", 2.0, 500_000),
    ("f", 1.0, 1_500_000),
];

/// The longest the join waits for ICE candidates before sending its
/// offer (the SFU has no trickle: the offer carries them).
const GATHERING: Duration = Duration::from_millis(1500);

/// Where this tab's part in a group call stands.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupPhase {
    Joining,
    Connected,
    Failed(Failure),
}

/// The group call this tab is in, as its screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    pub chat: ChatId,
    /// This tab's name in the call (the SFU's name for it is the server's
    /// `peer`, which the call lists).
    pub leg: LegId,
    pub phase: GroupPhase,
    pub showing: Showing,
    /// The peers speaking now.
    pub speaking: Vec<String>,
    /// The last try to share a screen failed (refused, or no screen).
    pub share_failed: bool,
}

/// One of the others' tracks, as it plays here.
#[derive(Clone)]
pub struct Feed {
    pub peer: String,
    pub source: Source,
    pub stream: MediaStream,
}

/// The signals the group call's screen and the chats read.
#[derive(Clone, Copy)]
pub struct GroupSignals {
    /// The calls going on in the user's groups, as last told.
    pub calls: RwSignal<HashMap<ChatId, GroupCall>>,
    pub view: RwSignal<Option<GroupView>>,
    pub feeds: RwSignal<Vec<Feed>, LocalStorage>,
    /// This tab's camera and shared screen, to show it what it sends.
    pub camera: RwSignal<Option<MediaStream>, LocalStorage>,
    pub screen: RwSignal<Option<MediaStream>, LocalStorage>,
    /// What `getStats` says of this tab's connection to the SFU.
    pub stats: RwSignal<Option<Stats>>,
}

impl GroupSignals {
    pub fn new() -> GroupSignals {
        GroupSignals {
            calls: RwSignal::new(HashMap::new()),
            view: RwSignal::new(None),
            feeds: RwSignal::new_local(Vec::new()),
            camera: RwSignal::new_local(None),
            screen: RwSignal::new_local(None),
            stats: RwSignal::new(None),
        }
    }
}

impl Default for GroupSignals {
    fn default() -> Self {
        GroupSignals::new()
    }
}

/// The connection of the call this tab is in.
struct Joined {
    chat: ChatId,
    pc: RtcPeerConnection,
    channel: RtcDataChannel,
    mic: Option<MediaStream>,
    voice: RtcRtpTransceiver,
    camera: RtcRtpTransceiver,
    screen: RtcRtpTransceiver,
    /// Whose each track the SFU sends is, by mid.
    tracks: HashMap<String, TrackOf>,
    /// The sizes last told to the SFU (told again once its channel opens).
    sizes: Vec<Tile>,
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
    /// Reads the statistics once a second.
    stats_timer: Option<IntervalHandle>,
}

impl Drop for Joined {
    fn drop(&mut self) {
        if let Some(timer) = self.stats_timer.take() {
            timer.clear();
        }
        self.pc.set_ontrack(None);
        self.pc.set_onconnectionstatechange(None);
        self.channel.set_onmessage(None);
        self.channel.set_onopen(None);
        for tx in [&self.camera, &self.screen] {
            if let Some(track) = tx.sender().track() {
                track.stop();
            }
        }
        if let Some(mic) = &self.mic {
            stop(mic);
        }
        self.pc.close();
    }
}

thread_local! {
    static JOINED: RefCell<Option<Joined>> = const { RefCell::new(None) };
}

fn with_joined<R>(f: impl FnOnce(&mut Joined) -> R) -> Option<R> {
    JOINED.with(|j| j.borrow_mut().as_mut().map(f))
}

/// Joins (or starts) `chat`'s call, with the microphone on and the camera
/// off; without a microphone, joins muted, to listen.
pub fn join(phone: Phone, chat: ChatId) {
    let s = phone.group;
    if s.view.with_untracked(Option::is_some) {
        return;
    }
    let leg = LegId(new_client_id().0);
    s.view.set(Some(GroupView {
        chat,
        leg: leg.clone(),
        phase: GroupPhase::Joining,
        showing: Showing::default(),
        speaking: Vec::new(),
        share_failed: false,
    }));
    start(phone, chat, leg);
}

/// Opens the microphone, connects to the SFU and sends the join.
fn start(phone: Phone, chat: ChatId, leg: LegId) {
    spawn_local(async move {
        let mic = open_media(true, false).await.ok();
        match &mic {
            None => update(&phone, |v| v.showing.muted = true),
            // Muted before a rejoin stays muted.
            Some(mic) => enable(mic, !showing(&phone).muted),
        }
        let ice = api::calls::ice_servers().await.unwrap_or_default();
        match connect(&phone, chat, mic, &ice).await {
            Ok(sdp) => {
                let step = GroupStep::Join { leg, sdp };
                phone
                    .session
                    .call_frame(ClientFrame::GroupCall { chat, step });
            }
            Err(e) => {
                leptos::logging::warn!("group call: {e:?}");
                failed(&phone, Failure::NoMedia);
            }
        }
    });
}

/// The most times in a row a tab joins again after its connection to the
/// SFU failed, before it gives up.
const REJOINS: u32 = 3;

thread_local! {
    static REJOINED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Joins the same call again with a new connection, keeping what this tab
/// showed (a shared screen ends: sharing again needs the person's click).
fn rejoin(phone: &Phone) {
    let Some((chat, leg)) = in_call(phone) else {
        return;
    };
    JOINED.with(|j| j.borrow_mut().take());
    let s = phone.group;
    s.feeds.set(Vec::new());
    if let Some(screen) = s.screen.get_untracked() {
        stop(&screen);
    }
    s.screen.set(None);
    update(phone, |v| {
        v.phase = GroupPhase::Joining;
        v.showing.screen = false;
        v.speaking.clear();
    });
    start(phone.clone(), chat, leg);
}

/// The socket is back: if the server no longer counts this tab in its
/// call (it restarted, and its SFU with it), join again.
pub fn reconnected(phone: &Phone) {
    let Some((chat, leg)) = in_call(phone) else {
        return;
    };
    let phone = phone.clone();
    spawn_local(async move {
        let Ok(call) = api::calls::group_call(chat).await else {
            return;
        };
        let in_it = call
            .as_ref()
            .is_some_and(|c| c.people.iter().any(|p| p.leg == leg));
        told_call(&phone, chat, call);
        if !in_it {
            rejoin(&phone);
        }
    });
}

/// Sets up the connection to the SFU; gives the join's offer.
async fn connect(
    phone: &Phone,
    chat: ChatId,
    mic: Option<MediaStream>,
    ice: &courier_protocol::http::IceServers,
) -> Result<String, JsValue> {
    let pc = RtcPeerConnection::new_with_configuration(&configuration(ice)?)?;
    // The channel first, then the voice, the camera and the screen: the
    // SFU knows each by this order.
    let channel = pc.create_data_channel(sfu::CHANNEL);
    let sending = || {
        let init = RtcRtpTransceiverInit::new();
        init.set_direction(RtcRtpTransceiverDirection::Sendonly);
        init
    };
    let voice = sending();
    let voice = match mic
        .as_ref()
        .and_then(|m| m.get_audio_tracks().get(0).dyn_into().ok())
    {
        Some(track) => {
            let streams = Array::of1(mic.as_ref().ok_or(JsValue::NULL)?);
            voice.set_streams(&streams);
            pc.add_transceiver_with_media_stream_track_and_init(&track, &voice)
        }
        None => pc.add_transceiver_with_str_and_init("audio", &voice),
    };
    let camera_init = sending();
    let layers = Array::new();
    for (rid, scale, bitrate) in LAYERS {
        let layer = RtcRtpEncodingParameters::new();
        layer.set_rid(rid);
        layer.set_scale_resolution_down_by(scale as f32);
        layer.set_max_bitrate(bitrate);
        layers.push(&layer);
    }
    camera_init.set_send_encodings(&layers);
    let camera = pc.add_transceiver_with_str_and_init("video", &camera_init);
    let screen = pc.add_transceiver_with_str_and_init("video", &sending());

    let mut handlers = Vec::new();
    let on_track = {
        let feeds = phone.group.feeds;
        Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let Ok(e) = e.dyn_into::<RtcTrackEvent>() else {
                return;
            };
            let Some(mid) = e.transceiver().mid() else {
                return;
            };
            let Some(whose) = with_joined(|j| j.tracks.get(&mid).cloned()).flatten() else {
                return;
            };
            let Ok(stream) = MediaStream::new_with_tracks(&Array::of1(&e.track())) else {
                return;
            };
            feeds.update(|f| {
                f.retain(|x| !(x.peer == whose.peer && x.source == whose.source));
                f.push(Feed {
                    peer: whose.peer,
                    source: whose.source,
                    stream,
                });
            });
        })
    };
    pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
    handlers.push(on_track);

    let on_state = {
        let (phone, pc) = (phone.clone(), pc.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |_| match connection_state(&pc).as_str() {
            "connected" => {
                REJOINED.with(|r| r.set(0));
                update(&phone, |v| v.phase = GroupPhase::Connected);
            }
            "failed" if REJOINED.with(|r| r.replace(r.get() + 1)) < REJOINS => {
                rejoin(&phone);
            }
            "failed" => failed(&phone, Failure::Refused(None)),
            _ => {}
        })
    };
    pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
    handlers.push(on_state);

    let on_message = {
        let phone = phone.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let text = e
                .dyn_into::<MessageEvent>()
                .ok()
                .and_then(|e| e.data().as_string());
            let Some(message) = text.and_then(|t| serde_json::from_str::<ToPeer>(&t).ok()) else {
                return;
            };
            told(&phone, message);
        })
    };
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    handlers.push(on_message);

    let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        if let Some(sizes) = with_joined(|j| j.sizes.clone()) {
            say(&FromPeer::View { tiles: sizes });
        }
    });
    channel.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    handlers.push(on_open);

    JOINED.with(|j| {
        *j.borrow_mut() = Some(Joined {
            chat,
            pc: pc.clone(),
            channel,
            mic,
            voice,
            camera,
            screen,
            tracks: HashMap::new(),
            sizes: Vec::new(),
            _handlers: handlers,
            stats_timer: watch_stats(&pc, phone.group.stats),
        });
    });
    set_local(&pc).await?;
    gathered(&pc).await;
    pc.local_description()
        .map(|d| d.sdp())
        .ok_or_else(|| JsValue::from_str("no offer"))
}

/// Reads `pc`'s statistics into `stats` once a second.
fn watch_stats(pc: &RtcPeerConnection, stats: RwSignal<Option<Stats>>) -> Option<IntervalHandle> {
    let pc = pc.clone();
    let read = move || {
        let pc = pc.clone();
        spawn_local(async move {
            let last = stats.get_untracked().unwrap_or_default();
            if let Ok(now) = super::stats::read(&pc, &last).await {
                stats.try_set(Some(now));
            }
        });
    };
    set_interval_with_handle(read, Duration::from_secs(1)).ok()
}

/// Waits until the connection's candidates are all in its offer, or
/// `GATHERING` has passed (then the SFU finds the rest by its checks).
async fn gathered(pc: &RtcPeerConnection) {
    let step = Duration::from_millis(50);
    let mut waited = Duration::ZERO;
    while pc.ice_gathering_state() != RtcIceGatheringState::Complete && waited < GATHERING {
        gloo_timers::future::sleep(step).await;
        waited += step;
    }
}

/// The SFU's answer to the join.
pub fn answered(phone: &Phone, chat: ChatId, leg: &LegId, sdp: String) {
    let mine = phone
        .group
        .view
        .with_untracked(|v| v.as_ref().is_some_and(|v| v.chat == chat && v.leg == *leg));
    let Some(pc) = with_joined(|j| j.pc.clone()).filter(|_| mine) else {
        return;
    };
    let phone = phone.clone();
    spawn_local(async move {
        let answer = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
        answer.set_sdp(&sdp);
        if let Err(e) = JsFuture::from(pc.set_remote_description(&answer)).await {
            leptos::logging::warn!("group call answer: {e:?}");
            return failed(&phone, Failure::Refused(None));
        }
        // The server counts a join as showing nothing: after a rejoin (or
        // a join without a microphone) say what this tab shows.
        let mut shown = showing(&phone);
        if shown.camera {
            shown.camera = camera_on(&phone).await;
        }
        if shown != Showing::default() {
            show(&phone, |s| *s = shown);
        }
    });
}

/// The server refused a step of `chat`'s call: a join that fails ends it
/// here.
pub fn refused(phone: &Phone, chat: ChatId, code: ErrorCode) {
    let joining = phone.group.view.with_untracked(|v| {
        v.as_ref()
            .is_some_and(|v| v.chat == chat && v.phase == GroupPhase::Joining)
    });
    if joining {
        failed(phone, Failure::Refused(Some(code)));
    }
}

/// The server's news of `chat`'s call (`None`: it ended).
pub fn told_call(phone: &Phone, chat: ChatId, call: Option<GroupCall>) {
    phone.group.calls.update(|calls| match call {
        Some(call) => {
            calls.insert(chat, call);
        }
        None => {
            calls.remove(&chat);
        }
    });
}

/// What the SFU says on the channel.
fn told(phone: &Phone, message: ToPeer) {
    match message {
        ToPeer::Offer { sdp, tracks } => {
            let Some(pc) = with_joined(|j| {
                j.tracks = tracks.iter().map(|t| (t.mid.clone(), t.clone())).collect();
                j.pc.clone()
            }) else {
                return;
            };
            // Tracks no longer offered (their sender left) go.
            phone.group.feeds.update(|f| {
                f.retain(|x| {
                    tracks
                        .iter()
                        .any(|t| t.peer == x.peer && t.source == x.source)
                });
            });
            let phone = phone.clone();
            spawn_local(async move {
                let offer = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
                offer.set_sdp(&sdp);
                let answered = async {
                    JsFuture::from(pc.set_remote_description(&offer)).await?;
                    set_local(&pc).await?;
                    pc.local_description().map(|d| d.sdp()).ok_or(JsValue::NULL)
                };
                match answered.await {
                    Ok(sdp) => say(&FromPeer::Answer { sdp }),
                    Err(e) => {
                        leptos::logging::warn!("group call offer: {e:?}");
                        failed(&phone, Failure::Refused(None));
                    }
                }
            });
        }
        ToPeer::Speaking { peers } => update(phone, |v| v.speaking = peers),
    }
}

/// Tells the SFU how large each video shows here (it sends the layer
/// that fits, and nothing for a hidden one).
pub fn show_sizes(tiles: Vec<Tile>) {
    let changed = with_joined(|j| {
        let changed = j.sizes != tiles;
        j.sizes.clone_from(&tiles);
        changed
    });
    if changed == Some(true) {
        say(&FromPeer::View { tiles });
    }
}

fn say(message: &FromPeer) {
    let Ok(text) = serde_json::to_string(message) else {
        return;
    };
    with_joined(|j| {
        if j.channel.ready_state() == web_sys::RtcDataChannelState::Open {
            let _ = j.channel.send_with_str(&text);
        }
    });
}

/// Leaves the call.
pub fn leave(phone: Phone) {
    let Some((chat, leg)) = in_call(&phone) else {
        return;
    };
    let step = GroupStep::Leave { leg };
    phone
        .session
        .call_frame(ClientFrame::GroupCall { chat, step });
    close(&phone);
}

pub fn toggle_mute(phone: Phone) {
    let muted = !showing(&phone).muted;
    let has_mic = with_joined(|j| {
        j.mic.as_ref().is_some_and(|mic| {
            enable(mic, !muted);
            true
        })
    });
    if has_mic == Some(true) {
        show(&phone, |s| s.muted = muted);
    }
}

/// Turns the camera on (opening it) or off (closing it: its light goes
/// out).
pub fn toggle_camera(phone: Phone) {
    let on = !showing(&phone).camera;
    let Some(sender) = with_joined(|j| j.camera.sender()) else {
        return;
    };
    spawn_local(async move {
        if !on {
            if let Some(track) = sender.track() {
                track.stop();
            }
            let _ = JsFuture::from(sender.replace_track(None)).await;
            phone.group.camera.set(None);
            return show(&phone, |s| s.camera = false);
        }
        if camera_on(&phone).await {
            show(&phone, |s| s.camera = true);
        }
    });
}

/// Opens the camera and sends it (an open one is sent again, as after a
/// rejoin); whether it is on.
async fn camera_on(phone: &Phone) -> bool {
    let Some(sender) = with_joined(|j| j.camera.sender()) else {
        return false;
    };
    let stream = match phone.group.camera.get_untracked() {
        Some(open) if open.active() => open,
        _ => match open_media(false, true).await {
            Ok(stream) => stream,
            Err(_) => return false,
        },
    };
    let Some(track) = stream.get_video_tracks().get(0).dyn_into().ok() else {
        return false;
    };
    if JsFuture::from(sender.replace_track(Some(&track)))
        .await
        .is_ok()
    {
        phone.group.camera.set(Some(stream));
        true
    } else {
        stop(&stream);
        phone.group.camera.set(None);
        false
    }
}

/// Sends the chosen microphone, or the chosen camera if the camera is
/// on, in place of the one sent.
pub(super) async fn switch(phone: &Phone, kind: Kind) {
    match kind {
        Kind::Microphone => {
            let Some(sender) = with_joined(|j| j.voice.sender()) else {
                return;
            };
            let Ok(mic) = open_media(true, false).await else {
                return;
            };
            // One who joined without a microphone is muted: it stays so.
            enable(&mic, !showing(phone).muted);
            let sent = match mic.get_audio_tracks().get(0).dyn_into::<MediaStreamTrack>() {
                Ok(track) => JsFuture::from(sender.replace_track(Some(&track)))
                    .await
                    .is_ok(),
                Err(_) => false,
            };
            if !sent {
                return stop(&mic);
            }
            if let Some(Some(old)) = with_joined(|j| j.mic.replace(mic)) {
                stop(&old);
            }
        }
        Kind::Camera if showing(phone).camera => {
            if let Some(old) = phone.group.camera.get_untracked() {
                stop(&old);
            }
            if !camera_on(phone).await {
                phone.group.camera.set(None);
                show(phone, |s| s.camera = false);
            }
        }
        Kind::Camera | Kind::Speaker => {}
    }
}

/// Shares a screen, a window or a tab (the browser asks which), or stops.
pub fn toggle_screen(phone: Phone) {
    let on = !showing(&phone).screen;
    let Some(sender) = with_joined(|j| j.screen.sender()) else {
        return;
    };
    update(&phone, |v| v.share_failed = false);
    spawn_local(async move {
        if !on {
            return stop_screen(&phone, &sender).await;
        }
        let stream = match open_screen().await {
            Ok(stream) => stream,
            // The person said no in the browser's picker: nothing to say.
            Err(e) if error_name(&e) == "NotAllowedError" => return,
            Err(_) => return update(&phone, |v| v.share_failed = true),
        };
        let Some(track) = stream
            .get_video_tracks()
            .get(0)
            .dyn_into::<MediaStreamTrack>()
            .ok()
        else {
            return;
        };
        // The browser's own "Stop sharing" ends the track.
        let ended = {
            let (phone, sender) = (phone.clone(), sender.clone());
            Closure::<dyn FnMut()>::new(move || {
                let (phone, sender) = (phone.clone(), sender.clone());
                spawn_local(async move { stop_screen(&phone, &sender).await });
            })
        };
        track.set_onended(Some(ended.as_ref().unchecked_ref()));
        ended.forget();
        if JsFuture::from(sender.replace_track(Some(&track)))
            .await
            .is_ok()
        {
            phone.group.screen.set(Some(stream));
            show(&phone, |s| s.screen = true);
        } else {
            stop(&stream);
            update(&phone, |v| v.share_failed = true);
        }
    });
}

/// A DOMException's name ("NotAllowedError", "NotFoundError").
fn error_name(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default()
}

async fn stop_screen(phone: &Phone, sender: &web_sys::RtcRtpSender) {
    if let Some(track) = sender.track() {
        track.set_onended(None);
        track.stop();
    }
    let _ = JsFuture::from(sender.replace_track(None)).await;
    phone.group.screen.set(None);
    show(phone, |s| s.screen = false);
}

pub fn toggle_hand(phone: Phone) {
    let hand = !showing(&phone).hand;
    show(&phone, |s| s.hand = hand);
}

/// Turns a microphone's sound on or off (its light stays on).
fn enable(mic: &MediaStream, on: bool) {
    for track in mic.get_audio_tracks() {
        if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
            track.set_enabled(on);
        }
    }
}

fn showing(phone: &Phone) -> Showing {
    phone
        .group
        .view
        .with_untracked(|v| v.as_ref().map(|v| v.showing))
        .unwrap_or_default()
}

/// Changes what this tab shows, and tells the group.
fn show(phone: &Phone, f: impl FnOnce(&mut Showing)) {
    update(phone, |v| f(&mut v.showing));
    let Some((chat, leg)) = in_call(phone) else {
        return;
    };
    let step = GroupStep::Show {
        leg,
        state: showing(phone),
    };
    phone
        .session
        .call_frame(ClientFrame::GroupCall { chat, step });
}

/// The call and leg this tab is in, if any.
fn in_call(phone: &Phone) -> Option<(ChatId, LegId)> {
    phone
        .group
        .view
        .with_untracked(|v| v.as_ref().map(|v| (v.chat, v.leg.clone())))
}

fn update(phone: &Phone, f: impl FnOnce(&mut GroupView)) {
    phone.group.view.try_update(|v| {
        if let Some(v) = v {
            f(v);
        }
    });
}

fn failed(phone: &Phone, why: Failure) {
    if let (Some(_), Some((chat, leg))) = (with_joined(|j| j.chat), in_call(phone)) {
        let step = GroupStep::Leave { leg };
        phone
            .session
            .call_frame(ClientFrame::GroupCall { chat, step });
    }
    JOINED.with(|j| j.borrow_mut().take());
    update(phone, |v| v.phase = GroupPhase::Failed(why));
    let view = phone.group.view;
    set_timeout(
        move || {
            if JOINED.with(|j| j.borrow().is_none()) {
                view.try_set(None);
            }
        },
        super::ENDED_SHOWN,
    );
}

fn close(phone: &Phone) {
    JOINED.with(|j| j.borrow_mut().take());
    let s = phone.group;
    s.view.set(None);
    s.feeds.set(Vec::new());
    for stream in [s.camera.get_untracked(), s.screen.get_untracked()]
        .into_iter()
        .flatten()
    {
        stop(&stream);
    }
    s.camera.set(None);
    s.screen.set(None);
    s.stats.set(None);
}
