//! The microphone, camera and speaker a call uses: the ones this browser
//! has, and the person's choice, remembered in this browser for the next
//! call. A chosen device that is gone falls back to the browser's default.

use std::cell::RefCell;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaDeviceInfo, MediaDeviceKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Microphone,
    Camera,
    Speaker,
}

impl Kind {
    fn browsers(self) -> MediaDeviceKind {
        match self {
            Kind::Microphone => MediaDeviceKind::Audioinput,
            Kind::Camera => MediaDeviceKind::Videoinput,
            Kind::Speaker => MediaDeviceKind::Audiooutput,
        }
    }

    fn memory_key(self) -> &'static str {
        match self {
            Kind::Microphone => "courier.device.microphone",
            Kind::Camera => "courier.device.camera",
            Kind::Speaker => "courier.device.speaker",
        }
    }
}

/// One device as the browser names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Device {
    pub id: String,
    pub label: String,
}

/// The devices this browser has, by kind, asked of the browser once.
/// Their names show once the person let a call use the microphone or
/// camera; before that, an empty name (the picker numbers them).
pub async fn list_all() -> Vec<(Kind, Vec<Device>)> {
    let mut kinds = vec![Kind::Microphone, Kind::Camera];
    if speakers_supported() {
        kinds.push(Kind::Speaker);
    }
    let listed = enumerate().await;
    kinds
        .into_iter()
        .map(|kind| {
            let devices = listed
                .iter()
                .filter(|d| d.kind() == kind.browsers() && !d.device_id().is_empty())
                .map(|d| Device {
                    id: d.device_id(),
                    label: d.label(),
                })
                .collect();
            (kind, devices)
        })
        .collect()
}

async fn enumerate() -> Vec<MediaDeviceInfo> {
    let Ok(devices) = super::media_devices() else {
        return Vec::new();
    };
    let Ok(listed) = devices.enumerate_devices() else {
        return Vec::new();
    };
    let Ok(all) = JsFuture::from(listed).await else {
        return Vec::new();
    };
    js_sys::Array::from(&all)
        .iter()
        .filter_map(|d| d.dyn_into::<MediaDeviceInfo>().ok())
        .collect()
}

thread_local! {
    /// The one listener for devices plugged in or out: only one panel of
    /// pickers is open at a time.
    static ON_CHANGE: RefCell<Option<Closure<dyn FnMut()>>> = const { RefCell::new(None) };
}

/// Calls `changed` each time a device is plugged in or out, until
/// [`unwatch`].
pub fn watch(changed: impl FnMut() + 'static) {
    let Ok(devices) = super::media_devices() else {
        return;
    };
    let changed = Closure::<dyn FnMut()>::new(changed);
    devices.set_ondevicechange(Some(changed.as_ref().unchecked_ref()));
    ON_CHANGE.with(|c| c.replace(Some(changed)));
}

pub fn unwatch() {
    if let Ok(devices) = super::media_devices() {
        devices.set_ondevicechange(None);
    }
    ON_CHANGE.with(|c| c.take());
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The device of `kind` the person chose, if any.
pub fn chosen(kind: Kind) -> Option<String> {
    storage()?.get_item(kind.memory_key()).ok()?
}

pub fn choose(kind: Kind, id: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(kind.memory_key(), id);
    }
}

/// What to ask `getUserMedia` for, for `kind` (wanted or not): the chosen
/// device if it is still there, else any.
pub fn constraint(kind: Kind, wanted: bool) -> JsValue {
    match chosen(kind).filter(|_| wanted) {
        Some(id) => {
            let ideal = Object::new();
            let _ = Reflect::set(&ideal, &"ideal".into(), &id.into());
            let c = Object::new();
            let _ = Reflect::set(&c, &"deviceId".into(), &ideal);
            c.into()
        }
        None => JsValue::from_bool(wanted),
    }
}

/// `setSinkId` of media elements: Chromium and Firefox have it, WebKit
/// not.
fn set_sink_id() -> Option<Function> {
    let proto = Reflect::get(&js_sys::global(), &"HTMLMediaElement".into())
        .and_then(|c| Reflect::get(&c, &"prototype".into()))
        .ok()?;
    Reflect::get(&proto, &"setSinkId".into())
        .ok()?
        .dyn_into()
        .ok()
}

/// Whether this browser can play a call on a chosen speaker.
pub fn speakers_supported() -> bool {
    set_sink_id().is_some()
}

/// Plays `element` on the chosen speaker (the default if none).
pub fn play_on_speaker(element: &web_sys::HtmlMediaElement) {
    if let (Some(set), Some(id)) = (set_sink_id(), chosen(Kind::Speaker)) {
        // A speaker unplugged since: the sound stays where it was.
        if let Ok(p) = set
            .call1(element, &id.into())
            .and_then(|p| p.dyn_into::<js_sys::Promise>())
        {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = JsFuture::from(p).await;
            });
        }
    }
}
