//! A call's device pickers: the microphone, the camera (in a video call)
//! and the speaker (where the browser can choose one), listed when the
//! panel opens and again when a device is plugged in or out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::i18n::{t, t_with};
use crate::rtc::{self, devices::Device, devices::Kind};
use crate::state::ctx;

#[component]
pub fn DevicePickers(
    /// Whether the call sends video (else there is no camera to pick).
    #[prop(into)]
    video: Signal<bool>,
) -> impl IntoView {
    let listed = RwSignal::new(Vec::<(Kind, Vec<Device>)>::new());
    let refresh = move || {
        spawn_local(async move {
            listed.try_set(rtc::devices::list_all().await);
        });
    };
    refresh();
    rtc::devices::watch(refresh);
    on_cleanup(rtc::devices::unwatch);
    let shown = move || {
        listed
            .get()
            .into_iter()
            .filter(|(kind, devices)| !devices.is_empty() && (*kind != Kind::Camera || video.get()))
            .collect::<Vec<_>>()
    };
    view! {
        <div class="call-devices" role="group" aria-label=t("call-devices")>
            <For each=shown key=|(kind, devices)| (*kind as u8, devices.clone()) let:((kind, devices))>
                <Picker kind devices />
            </For>
        </div>
    }
}

#[component]
fn Picker(kind: Kind, devices: Vec<Device>) -> impl IntoView {
    let ctx = ctx();
    let chosen = rtc::devices::chosen(kind);
    let label = match kind {
        Kind::Microphone => "call-device-microphone",
        Kind::Camera => "call-device-camera",
        Kind::Speaker => "call-device-speaker",
    };
    let pick = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        if let Some(phone) = ctx.phone() {
            rtc::switch_device(phone, kind, id);
        }
        if kind == Kind::Speaker {
            replay_on_speaker();
        }
    };
    view! {
        <label class="call-device">
            <span>{t(label)}</span>
            <select on:change=pick>
                {devices.into_iter().enumerate().map(|(i, d)| {
                    let selected = chosen.as_ref() == Some(&d.id);
                    // Unnamed until the browser was let use a device.
                    let name = if d.label.is_empty() {
                        t_with("call-device-unnamed", &[("n", (i + 1).into())])
                    } else {
                        d.label
                    };
                    view! { <option value=d.id selected=selected>{name}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// Plays every call's sound on the chosen speaker now.
fn replay_on_speaker() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(playing) = doc.query_selector_all(".call audio, .call video.remote") else {
        return;
    };
    for i in 0..playing.length() {
        if let Some(el) = playing.item(i).and_then(|n| n.dyn_into().ok()) {
            rtc::devices::play_on_speaker(&el);
        }
    }
}
