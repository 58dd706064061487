//! A group's video chat: the bar in the group that says it is going on
//! and joins it, and the call's screen over the app: a shared screen
//! large, everyone's tile (camera or initial, name, muted, raised hand, a
//! ring while they speak), the voices playing, and the controls:
//! microphone, camera, screen, hand, the devices used, the call's
//! statistics, minimise and leave.

use courier_protocol::sfu::{Size, Source, Tile};
use courier_protocol::{ChatId, Participant};
use leptos::html::{Audio, Video};
use leptos::prelude::*;
use wasm_split_helpers::{SplitLoaderError, wasm_split};
use web_sys::MediaStream;

use crate::i18n::{self, t, t_with};
use crate::rtc::group::{self, GroupPhase};
use crate::rtc::{self, Failure};
use crate::state::ctx;
use crate::ui::call::{CallInfo, QualityMark};
use crate::ui::call_devices::DevicePickers;
use crate::ui::later::on_first_use;

/// Under a group's header while its call goes on and this tab is not in
/// it: how many are in, and joining.
#[component]
pub fn GroupCallBar(chat: ChatId) -> impl IntoView {
    let ctx = ctx();
    let count = move || {
        ctx.group
            .calls
            .with(|c| c.get(&chat).map(|c| c.people.len()))
    };
    let here = move || {
        ctx.group
            .view
            .with(|v| v.as_ref().is_some_and(|v| v.chat == chat))
    };
    move || {
        let n = count()?;
        (!here()).then(|| {
            view! {
                <div class="group-call-bar" role="region" aria-label=t("group-call")>
                    <span>{t_with("group-call-going", &[("n", n.into())])}</span>
                    <button
                        aria-label=t("group-call-join-label")
                        disabled=move || ctx.group.view.with(Option::is_some) || ctx.call.view.with(Option::is_some)
                        on:click=move |_| join(chat)
                    >{t("group-call-join")}</button>
                </div>
            }
        })
    }
}

/// Joins `chat`'s call (starting it if none goes on).
pub fn join(chat: ChatId) {
    if let Some(phone) = ctx().phone() {
        rtc::ask(phone, rtc::Ask::Join(chat));
    }
}

#[component]
pub fn GroupCallScreen() -> impl IntoView {
    let ctx = ctx();
    let open = Memo::new(move |_| ctx.group.view.with(Option::is_some));
    move || open.get().then(|| on_first_use(group_call_panel()))
}

/// The group call's panel, in the `calls` part with the 1:1 call's.
#[wasm_split(calls, fallible)]
fn group_call_panel() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <GroupCallPanel /> }.into_any())
}

#[component]
fn GroupCallPanel() -> impl IntoView {
    let ctx = ctx();
    let s = ctx.group;
    let chat = Memo::new(move |_| s.view.with(|v| v.as_ref().map(|v| v.chat)));
    let me = move || ctx.me.with(|m| m.as_ref().map(|m| m.id));
    let mine = move |p: &Participant| {
        Some(p.user) == me() && s.view.with(|v| v.as_ref().is_some_and(|v| v.leg == p.leg))
    };
    let people = Memo::new(move |_| {
        let chat = chat.get()?;
        s.calls.with(|c| c.get(&chat).map(|c| c.people.clone()))
    });
    let phase = Memo::new(move |_| s.view.with(|v| v.as_ref().map(|v| v.phase.clone())));
    let showing = move || {
        s.view
            .with(|v| v.as_ref().map(|v| v.showing).unwrap_or_default())
    };
    let speaking = move |peer: &str| {
        s.view.with(|v| {
            v.as_ref()
                .is_some_and(|v| v.speaking.iter().any(|p| p == peer))
        })
    };
    // The one the call is about now: the last who spoke.
    let speaker = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let now = s
            .view
            .with(|v| v.as_ref().and_then(|v| v.speaking.first().cloned()));
        if now.is_some() {
            speaker.set(now);
        }
    });
    let name_of = move |peer: &str| {
        people.with(|p| {
            p.iter()
                .flatten()
                .find(|x| x.peer == peer)
                .map(|x| x.name.clone())
                .unwrap_or_default()
        })
    };
    // Whether `peer` shows its camera or screen now.
    let shown = move |peer: &str, source: Source| {
        people.with(|p| {
            p.iter().flatten().any(|x| {
                x.peer == peer
                    && match source {
                        Source::Camera => x.showing.camera,
                        Source::Screen => x.showing.screen,
                        Source::Microphone => !x.showing.muted,
                    }
            })
        })
    };
    // A screen's track is there from the start, sharing or not: it shows
    // only while its sender says it shares.
    let screens = Memo::new(move |_| {
        s.feeds.with(|f| {
            f.iter()
                .filter(|x| x.source == Source::Screen && shown(&x.peer, Source::Screen))
                .map(|x| x.peer.clone())
                .collect::<Vec<_>>()
        })
    });
    // Tell the SFU the layer each video needs: a screen and the speaker
    // large, the rest small.
    Effect::new(move |_| {
        let speaker = speaker.get();
        let tiles = s.feeds.with(|f| {
            f.iter()
                .filter(|x| x.source != Source::Microphone)
                .map(|x| Tile {
                    peer: x.peer.clone(),
                    source: x.source,
                    size: if !shown(&x.peer, x.source) {
                        Size::Hidden
                    } else if x.source == Source::Screen || Some(&x.peer) == speaker.as_ref() {
                        Size::Large
                    } else {
                        Size::Small
                    },
                })
                .collect()
        });
        group::show_sizes(tiles);
    });
    let status = move || match phase.get() {
        Some(GroupPhase::Joining) => t("group-call-joining"),
        Some(GroupPhase::Connected) => {
            let n = people.with(|p| p.as_ref().map_or(0, Vec::len));
            t_with("group-call-count", &[("n", n.into())])
        }
        Some(GroupPhase::Failed(Failure::NoMedia)) => t("call-no-media"),
        Some(GroupPhase::Failed(Failure::Refused(Some(code)))) => i18n::error_text(code),
        Some(GroupPhase::Failed(Failure::Refused(None))) | None => t("call-failed"),
    };
    let going = move || {
        matches!(
            phase.get(),
            Some(GroupPhase::Joining | GroupPhase::Connected)
        )
    };
    let mini = RwSignal::new(false);
    let (info, devices) = (RwSignal::new(false), RwSignal::new(false));
    let share_failed = move || s.view.with(|v| v.as_ref().is_some_and(|v| v.share_failed));
    let act = move |f: fn(rtc::Phone)| {
        move |_| {
            if let Some(phone) = ctx.phone() {
                f(phone);
            }
        }
    };
    let can_share = screen_sharing();
    let stream_of = move |peer: String, source: Source| {
        move || {
            s.feeds.with(|f| {
                f.iter()
                    .find(|x| x.peer == peer && x.source == source)
                    .map(|x| x.stream.clone())
            })
        }
    };
    view! {
        <section class="call group-call video" class:mini=move || mini.get() role=move || if mini.get() { "region" } else { "dialog" } aria-label=t("group-call")>
            // On a phone the stage scrolls: focusable, so a keyboard scrolls it.
            <div class="call-stage group-stage" tabindex="0" role="group" aria-label=t("group-call-people")>
                <div class="call-who">
                    <h2>{t("group-call")}</h2>
                    <p class="call-status" role="status">{status}</p>
                    <QualityMark stats=s.stats />
                    <Show when=share_failed>
                        <p class="call-status" role="alert">{t("group-call-share-failed")}</p>
                    </Show>
                </div>
                <For each=move || screens.get() key=Clone::clone let:peer>
                    <figure class="group-screen">
                        <FeedVideo stream=Signal::derive(stream_of(peer.clone(), Source::Screen)) mine=false />
                        <figcaption dir="auto">{
                            move || t_with("group-call-screen-of", &[("name", name_of(&peer).into())])
                        }</figcaption>
                    </figure>
                </For>
                <Show when=move || s.screen.with(Option::is_some)>
                    <figure class="group-screen mine">
                        <FeedVideo stream=Signal::derive(move || s.screen.get()) mine=true />
                        <figcaption>{move || t_with("group-call-screen-of", &[("name", my_name().into())])}</figcaption>
                    </figure>
                </Show>
                <ul class="group-tiles" aria-label=t("group-call-people")>
                    <For each=move || people.get().unwrap_or_default() key=|p| (p.peer.clone(), p.showing, p.name.clone()) let:p>
                        {
                            let peer = p.peer.clone();
                            let is_me = mine(&p);
                            let camera = if is_me {
                                Signal::derive(move || s.camera.get())
                            } else {
                                Signal::derive(stream_of(peer.clone(), Source::Camera))
                            };
                            let name = if is_me {
                                t_with("group-call-you", &[("name", p.name.clone().into())])
                            } else {
                                p.name.clone()
                            };
                            let initial = p.name.chars().next().map(String::from).unwrap_or_default();
                            let (muted, hand, on) = (p.showing.muted, p.showing.hand, p.showing.camera);
                            let talking = Signal::derive({
                                let peer = peer.clone();
                                move || speaking(&peer)
                            });
                            let large = {
                                move || speaker.with(|s| s.as_deref() == Some(peer.as_str()))
                            };
                            view! {
                                <li class="group-tile" class:speaking=talking class:speaker=large>
                                    {move || match (on, camera.get()) {
                                        (true, Some(_)) => view! { <FeedVideo stream=camera mine=is_me /> }.into_any(),
                                        _ => view! { <span class="group-initial" aria-hidden="true">{initial.clone()}</span> }.into_any(),
                                    }}
                                    <span class="group-name"><bdi>{name}</bdi></span>
                                    <span class="group-marks">
                                        {muted.then(|| view! {
                                            <span class="group-muted" role="img" aria-label=t("group-call-muted")>
                                                <svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3zM5 11a7 7 0 0 0 14 0M12 18v3M3 3l18 18"/></svg>
                                            </span>
                                        })}
                                        {hand.then(|| view! {
                                            <span class="group-hand" role="img" aria-label=t("group-call-hand-raised")>
                                                <svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><path d="M8 13V5a1.5 1.5 0 0 1 3 0v6M11 11V3.5a1.5 1.5 0 0 1 3 0V11M14 11V5a1.5 1.5 0 0 1 3 0v8a7 7 0 0 1-7 7h-.5A5.5 5.5 0 0 1 5 16.5L3.5 13a1.5 1.5 0 0 1 2.6-1.4L8 14"/></svg>
                                            </span>
                                        })}
                                        <span class="visually-hidden">{move || talking.get().then(|| t("group-call-speaking"))}</span>
                                    </span>
                                </li>
                            }
                        }
                    </For>
                </ul>
                // The others' voices.
                <For each=move || s.feeds.with(|f| f.iter().filter(|x| x.source == Source::Microphone).map(|x| x.peer.clone()).collect::<Vec<_>>()) key=Clone::clone let:peer>
                    <FeedAudio stream=Signal::derive(stream_of(peer, Source::Microphone)) />
                </For>
            </div>
            <Show when=move || info.get() && !mini.get()>
                <CallInfo stats=s.stats />
            </Show>
            <Show when=move || devices.get() && !mini.get()>
                <DevicePickers video=true />
            </Show>
            <div class="call-controls">
                <Show when=going>
                    <button class="call-media" aria-pressed=move || showing().muted.to_string() on:click=act(group::toggle_mute)>{t("call-mute")}</button>
                    <button class="call-media" aria-pressed=move || showing().camera.to_string() on:click=act(group::toggle_camera)>{t("group-call-camera")}</button>
                    {can_share.then(|| view! {
                        <button class="call-media" aria-pressed=move || showing().screen.to_string() on:click=act(group::toggle_screen)>{t("group-call-screen")}</button>
                    })}
                    <button class="call-media" aria-pressed=move || showing().hand.to_string() on:click=act(group::toggle_hand)>{t("group-call-hand")}</button>
                    <button class="call-more" aria-expanded=move || devices.get().to_string() on:click=move |_| devices.update(|d| *d = !*d)>{t("call-devices")}</button>
                    <button class="call-more" aria-expanded=move || info.get().to_string() on:click=move |_| info.update(|i| *i = !*i)>{t("call-info")}</button>
                    <button aria-pressed=move || mini.get().to_string() on:click=move |_| mini.update(|m| *m = !*m)>{t("call-minimise")}</button>
                </Show>
                <button class="call-end" on:click=act(group::leave)>{t("group-call-leave")}</button>
            </div>
        </section>
    }
}

fn my_name() -> String {
    ctx()
        .me
        .with_untracked(|m| m.as_ref().map(|m| m.name.clone()).unwrap_or_default())
}

/// A video playing `stream`; this tab's own is muted (no echo) and
/// mirrored like a looking-glass.
#[component]
fn FeedVideo(stream: Signal<Option<MediaStream>>, mine: bool) -> impl IntoView {
    let video = NodeRef::<Video>::new();
    Effect::new(move |_| {
        let stream = stream.get();
        if let Some(v) = video.get() {
            v.set_src_object(stream.as_ref());
        }
    });
    view! { <video node_ref=video class:mine=mine autoplay playsinline prop:muted=true aria-hidden="true"></video> }
}

/// A voice playing.
#[component]
fn FeedAudio(stream: Signal<Option<MediaStream>>) -> impl IntoView {
    let audio = NodeRef::<Audio>::new();
    Effect::new(move |_| {
        let stream = stream.get();
        if let Some(a) = audio.get() {
            a.set_src_object(stream.as_ref());
            rtc::devices::play_on_speaker(&a);
        }
    });
    view! { <audio node_ref=audio autoplay></audio> }
}

/// Whether this browser can share a screen (phones' browsers cannot).
fn screen_sharing() -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .is_some_and(|d| js_sys::Reflect::has(&d, &"getDisplayMedia".into()).unwrap_or(false))
}
