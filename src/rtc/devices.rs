//! The microphone, camera and speaker a call uses: the ones this browser
//! has, and the person's choice, remembered in this browser for the next
//! call. A chosen device that is gone falls back to the browser's default.

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
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: String,
    pub label: String,
}

/// The devices of `kind` this browser has. Their names show once the
/// person let a call use the microphone or camera; before that, an empty
/// name (the picker numbers them).
pub async fn list(kind: Kind) -> Vec<Device> {
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
        .filter(|d| d.kind() == kind.browsers() && !d.device_id().is_empty())
        .map(|d| Device {
            id: d.device_id(),
            label: d.label(),
        })
        .collect()
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
