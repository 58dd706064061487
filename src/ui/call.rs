//! The call screen, over whatever else shows: a call ringing here (with
//! answer and decline), ours ringing there, and the call itself (the other
//! person's video, ours small, a timer, microphone, camera, the devices
//! used, the call's statistics and hanging up). Closes a moment after the
//! call ends.

use courier_protocol::CallEnd;
use leptos::html::Video;
use leptos::prelude::*;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

use crate::i18n::{self, t};
use crate::rtc::stats::{Quality, Stats};
use crate::rtc::{self, Failure, Phase};
use crate::state::ctx;
use crate::ui::call_devices::DevicePickers;
use crate::ui::later::on_first_use;

#[component]
pub fn CallScreen() -> impl IntoView {
    let ctx = ctx();
    let open = Memo::new(move |_| ctx.call.view.with(Option::is_some));
    move || open.get().then(|| on_first_use(call_panel()))
}

/// The call panel, in the `calls` part: a tab that never calls never
/// fetches it.
#[wasm_split(calls, fallible)]
fn call_panel() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <CallPanel /> }.into_any())
}

#[component]
fn CallPanel() -> impl IntoView {
    let ctx = ctx();
    let s = ctx.call;
    let phase = Memo::new(move |_| s.view.with(|v| v.as_ref().map(|v| v.phase.clone())));
    let field = move |f: fn(&rtc::CallView) -> bool| s.view.with(|v| v.as_ref().is_some_and(f));
    let video = move || field(|v| v.video);
    let peer = move || {
        s.view
            .with(|v| v.as_ref().map(|v| v.peer.clone()).unwrap_or_default())
    };
    let (remote, local) = (NodeRef::<Video>::new(), NodeRef::<Video>::new());
    Effect::new(move |_| {
        let stream = s.remote.get();
        if let Some(v) = remote.get() {
            v.set_src_object(stream.as_ref());
            rtc::devices::play_on_speaker(&v);
        }
    });
    Effect::new(move |_| {
        let stream = s.local.get();
        if let Some(v) = local.get() {
            v.set_src_object(stream.as_ref());
        }
    });
    // The timer's clock.
    let now = RwSignal::new(js_sys::Date::now());
    if let Ok(tick) = set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || tick.clear());
    }
    let status = move || match phase.get() {
        Some(Phase::Calling) => t("call-calling"),
        Some(Phase::Ringing) => t("call-ringing"),
        Some(Phase::Incoming) if video() => t("call-incoming-video"),
        Some(Phase::Incoming) => t("call-incoming-voice"),
        Some(Phase::Connecting) => t("call-connecting"),
        Some(Phase::Connected) => {
            let since = s.view.with(|v| v.as_ref().and_then(|v| v.since));
            let ms = since.map_or(0.0, |since| (now.get() - since).max(0.0));
            i18n::clock(ms as u32)
        }
        Some(Phase::Ended(end)) => ended_text(end),
        Some(Phase::Failed(Failure::NoMedia)) => t("call-no-media"),
        Some(Phase::Failed(Failure::Refused(Some(code)))) => i18n::error_text(code),
        Some(Phase::Failed(Failure::Refused(None))) | None => t("call-failed"),
    };
    let ringing_here = move || phase.get() == Some(Phase::Incoming);
    let going = move || {
        matches!(
            phase.get(),
            Some(Phase::Calling | Phase::Ringing | Phase::Connecting | Phase::Connected)
        )
    };
    let info = RwSignal::new(false);
    let devices = RwSignal::new(false);
    // Minimised to a bar at the top, the call goes on (its media keeps
    // playing) while the person uses the rest of the app.
    let mini = RwSignal::new(false);
    let act = move |f: fn(rtc::Phone)| {
        move |_| {
            if let Some(phone) = ctx.phone() {
                f(phone);
            }
        }
    };
    let answer = NodeRef::<leptos::html::Button>::new();
    // Someone who hears the ring by keyboard answers with Enter.
    Effect::new(move |_| {
        if ringing_here()
            && let Some(b) = answer.get()
        {
            let _ = b.focus();
        }
    });
    view! {
        <section class="call" class:video=video class:mini=move || mini.get() role=move || if mini.get() { "region" } else { "dialog" } aria-label=t("call")>
            <div class="call-stage">
                <video class="remote" node_ref=remote autoplay playsinline aria-label=t("call-their-video")></video>
                // Our own picture, once the camera is open.
                <Show when=move || video() && s.local.with(Option::is_some)>
                    <video class="local" node_ref=local autoplay playsinline prop:muted=true aria-label=t("call-my-video")></video>
                </Show>
                <div class="call-who">
                    <h2 dir="auto">{peer}</h2>
                    <p class="call-status" role="status">{status}</p>
                    <QualityMark stats=s.stats />
                </div>
            </div>
            <Show when=move || info.get() && !mini.get()>
                <CallInfo stats=s.stats />
            </Show>
            <Show when=move || devices.get() && !mini.get()>
                <DevicePickers video=Signal::derive(video) />
            </Show>
            <div class="call-controls">
                <Show when=ringing_here>
                    <button class="call-accept" node_ref=answer on:click=act(rtc::accept)>{t("call-accept")}</button>
                    <button class="call-end" on:click=act(rtc::hang_up)>{t("call-decline")}</button>
                </Show>
                <Show when=going>
                    <button
                        class="call-media"
                        aria-pressed=move || field(|v| v.muted).to_string()
                        on:click=act(rtc::toggle_mute)
                    >{t("call-mute")}</button>
                    <Show when=video>
                        <button
                            class="call-media"
                            aria-pressed=move || field(|v| v.camera_off).to_string()
                            on:click=act(rtc::toggle_camera)
                        >{t("call-camera-off")}</button>
                    </Show>
                    <button
                        class="call-more"
                        aria-expanded=move || devices.get().to_string()
                        on:click=move |_| devices.update(|d| *d = !*d)
                    >{t("call-devices")}</button>
                    <button
                        class="call-more"
                        aria-expanded=move || info.get().to_string()
                        on:click=move |_| info.update(|i| *i = !*i)
                    >{t("call-info")}</button>
                    <button
                        aria-pressed=move || mini.get().to_string()
                        on:click=move |_| mini.update(|m| *m = !*m)
                    >{t("call-minimise")}</button>
                    <button class="call-end" on:click=act(rtc::hang_up)>{t("call-hang-up")}</button>
                </Show>
            </div>
        </section>
    }
}

/// The connection's quality: three bars, as many lit as it is good, and
/// named for a screen reader. Nothing until there is something to judge.
#[component]
pub(super) fn QualityMark(stats: RwSignal<Option<Stats>>) -> impl IntoView {
    let quality = Memo::new(move |_| stats.with(|s| s.as_ref().and_then(|s| s.quality)));
    move || {
        quality.get().map(|q| {
            let (lit, class, key) = match q {
                Quality::Good => (3, "good", "call-quality-good"),
                Quality::Fair => (2, "fair", "call-quality-fair"),
                Quality::Poor => (1, "poor", "call-quality-poor"),
            };
            let bars = (0..3)
                .map(|i| {
                    view! { <rect x=i * 6 y=8 - i * 4 width=4 height=4 + i * 4 rx=1 class:lit=i < lit /> }
                })
                .collect_view();
            view! {
                <span class=format!("call-quality {class}") role="img" aria-label=t(key) title=t(key)>
                    <svg viewBox="0 0 16 12" aria-hidden="true">{bars}</svg>
                </span>
            }
        })
    }
}

/// What `getStats` says, for "the sound stutters".
#[component]
pub(super) fn CallInfo(stats: RwSignal<Option<Stats>>) -> impl IntoView {
    let row = move |label: &'static str, value: Box<dyn Fn(&Stats) -> String + Send + Sync>| {
        view! {
            <dt>{t(label)}</dt>
            // Figures and units read left to right in Arabic too.
            <dd><bdi>{move || stats.with(|s| s.as_ref().map(&value).unwrap_or_else(|| "–".into()))}</bdi></dd>
        }
    };
    view! {
        <dl class="call-info" aria-label=t("call-info")>
            {row("call-info-codecs", Box::new(|s| s.codecs.join(", ")))}
            {row("call-info-bitrate", Box::new(|s| format!("{} kbit/s", s.kbps_in)))}
            {row("call-info-lost", Box::new(|s| s.packets_lost.to_string()))}
            {row("call-info-jitter", Box::new(|s| format!("{} ms", s.jitter_ms)))}
            {row("call-info-path", Box::new(|s| s.path.clone().unwrap_or_else(|| "–".into())))}
            {row("call-info-frames", Box::new(|s| s.frames_decoded.to_string()))}
            {row("call-info-energy", Box::new(|s| format!("{:.4}", s.audio_energy)))}
        </dl>
    }
}

fn ended_text(end: CallEnd) -> String {
    match end {
        CallEnd::Hangup => t("call-ended"),
        CallEnd::Missed => t("call-missed"),
        CallEnd::Declined => t("call-declined"),
        CallEnd::Busy => t("call-busy"),
        CallEnd::Cancelled => t("call-cancelled"),
    }
}
