//! What a video shows before its bytes arrive: its size, length, and its
//! first frame as a placeholder and a poster, read in the browser from
//! the file.

use std::pin::pin;
use std::time::Duration;

use courier_protocol::limits::{MEDIA_DURATION_MAX_MS, MEDIA_SIDE_MAX};
use futures::future::select;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{Facts, photo};
use crate::ui::placeholder;

/// How long a video may take to show its first frame before it goes
/// without its facts (a type this browser cannot play, say).
const PROBE_MS: u64 = 5000;

pub(super) async fn facts(file: &web_sys::File) -> Facts {
    let Some(url) = web_sys::Url::create_object_url_with_blob(file).ok() else {
        return Facts::default();
    };
    let facts = probe(&url).await.unwrap_or_default();
    let _ = web_sys::Url::revoke_object_url(&url);
    facts
}

async fn probe(url: &str) -> Option<Facts> {
    let video: web_sys::HtmlVideoElement = web_sys::window()?
        .document()?
        .create_element("video")
        .ok()?
        .dyn_into()
        .ok()?;
    video.set_muted(true);
    video.set_preload("auto");
    let loaded = js_sys::Promise::new(&mut |resolve, _reject| {
        video.set_onloadeddata(Some(&resolve));
        video.set_onerror(Some(&resolve));
    });
    video.set_src(url);
    let waited = gloo_timers::future::sleep(Duration::from_millis(PROBE_MS));
    select(pin!(JsFuture::from(loaded)), pin!(waited)).await;
    video.set_onloadeddata(None);
    video.set_onerror(None);
    // HAVE_CURRENT_DATA: a frame to draw.
    let facts = if video.ready_state() >= 2 {
        let side = |v: u32| (v > 0 && v <= MEDIA_SIDE_MAX).then_some(v);
        let duration = video.duration() * 1000.0;
        let (w, h) = (
            f64::from(video.video_width()),
            f64::from(video.video_height()),
        );
        let poster = photo::shrunk(w, h, |c, tw, th| {
            c.draw_image_with_html_video_element_and_dw_and_dh(&video, 0.0, 0.0, tw, th)
                .ok()
        })
        .await;
        Some(Facts {
            width: side(video.video_width()),
            height: side(video.video_height()),
            duration_ms: (duration.is_finite() && duration <= f64::from(MEDIA_DURATION_MAX_MS))
                .then_some(duration as u32),
            thumbhash: placeholder::of_video(&video),
            thumb: poster,
        })
    } else {
        None
    };
    video.remove_attribute("src").ok()?;
    video.load();
    facts
}
