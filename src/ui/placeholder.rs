//! Thumbhash placeholders: a photo's or video's colours in a few dozen
//! bytes, made by the sender's app and sent with the file, shown blurred
//! behind it while it loads, so a grid is never a row of blank boxes.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::{Clamped, JsCast};

/// Thumbhash encodes images of at most this many pixels a side.
const SIDE_MAX: f64 = 100.0;
/// Placeholders drawn and kept, at most: a window of messages holds fewer.
const KEPT_MAX: usize = 512;

thread_local! {
    static DRAWN: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// A canvas of `w`×`h` and its 2D context.
pub fn canvas(
    w: u32,
    h: u32,
) -> Option<(
    web_sys::HtmlCanvasElement,
    web_sys::CanvasRenderingContext2d,
)> {
    let canvas: web_sys::HtmlCanvasElement = web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(w);
    canvas.set_height(h);
    let context = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    Some((canvas, context))
}

/// The thumbhash (base64) of what `draw` paints on a canvas of at most
/// 100 px a side, the picture being `w`×`h`.
fn made(
    w: f64,
    h: f64,
    draw: impl FnOnce(&web_sys::CanvasRenderingContext2d, f64, f64) -> Option<()>,
) -> Option<String> {
    let scale = (SIDE_MAX / w.max(h)).min(1.0);
    let (sw, sh) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let (_, context) = canvas(sw as u32, sh as u32)?;
    draw(&context, sw, sh)?;
    let pixels = context.get_image_data(0.0, 0.0, sw, sh).ok()?.data();
    let hash = thumbhash::rgba_to_thumb_hash(sw as usize, sh as usize, &pixels);
    Some(crate::base64::encode(&hash))
}

/// The placeholder of a picture drawn on `source`.
pub fn of_canvas(source: &web_sys::HtmlCanvasElement) -> Option<String> {
    let (w, h) = (f64::from(source.width()), f64::from(source.height()));
    made(w, h, |c, sw, sh| {
        c.draw_image_with_html_canvas_element_and_dw_and_dh(source, 0.0, 0.0, sw, sh)
            .ok()
    })
}

/// The placeholder of the frame a video shows.
pub fn of_video(video: &web_sys::HtmlVideoElement) -> Option<String> {
    let (w, h) = (
        f64::from(video.video_width()),
        f64::from(video.video_height()),
    );
    made(w, h, |c, sw, sh| {
        c.draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, sw, sh)
            .ok()
    })
}

/// A placeholder as a picture (a data URL), drawn once.
pub fn picture(hash: &str) -> Option<String> {
    if let Some(url) = DRAWN.with(|d| d.borrow().get(hash).cloned()) {
        return Some(url);
    }
    let (w, h, rgba) = thumbhash::thumb_hash_to_rgba(&crate::base64::decode(hash)?).ok()?;
    let (canvas, context) = canvas(w as u32, h as u32)?;
    let image =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w as u32, h as u32)
            .ok()?;
    context.put_image_data(&image, 0.0, 0.0).ok()?;
    let url = canvas.to_data_url().ok()?;
    DRAWN.with(|d| {
        let mut d = d.borrow_mut();
        if d.len() >= KEPT_MAX {
            d.clear();
        }
        d.insert(hash.to_owned(), url.clone());
    });
    Some(url)
}

/// The style that shows a placeholder behind a picture, if it has one.
pub fn backdrop(hash: Option<&str>) -> String {
    hash.and_then(picture)
        .map(|url| format!("background-image: url({url}); background-size: cover;"))
        .unwrap_or_default()
}
