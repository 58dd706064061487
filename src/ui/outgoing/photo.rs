//! Photos drawn again in the browser before they go, so what leaves the
//! device carries no EXIF data (no GPS position).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The longest side a photo is sent at, as Telegram's.
const PHOTO_SIDE_MAX: f64 = 2560.0;
/// JPEG quality of a re-encoded photo.
const PHOTO_QUALITY: f64 = 0.87;

use super::Facts;
use crate::ui::placeholder;

/// A photo drawn again on a canvas (at most [`PHOTO_SIDE_MAX`] a side,
/// turned as its EXIF orientation says): new bytes with no metadata, and
/// what it shows before they arrive (size, placeholder).
pub(super) async fn redrawn(file: &web_sys::File) -> Option<(web_sys::Blob, Facts)> {
    let window = web_sys::window()?;
    let decoding = window.create_image_bitmap_with_blob(file).ok()?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(decoding).await.ok()?.dyn_into().ok()?;
    let (w, h) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let scale = (PHOTO_SIDE_MAX / w.max(h)).min(1.0);
    let (cw, ch) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let canvas: web_sys::HtmlCanvasElement = window
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(cw as u32);
    canvas.set_height(ch as u32);
    let context: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").ok()??.dyn_into().ok()?;
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, cw, ch)
        .ok()?;
    bitmap.close();
    let facts = Facts {
        width: Some(cw as u32),
        height: Some(ch as u32),
        duration_ms: None,
        thumbhash: placeholder::of_canvas(&canvas),
    };
    // PNG keeps transparency; anything else becomes JPEG.
    let mime = if file.type_() == "image/png" {
        "image/png"
    } else {
        "image/jpeg"
    };
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        let _ = canvas.to_blob_with_type_and_encoder_options(
            done.unchecked_ref(),
            mime,
            &JsValue::from_f64(PHOTO_QUALITY),
        );
    });
    let blob = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
    Some((blob, facts))
}
