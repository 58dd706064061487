//! Photos drawn again in the browser before they go, so what leaves the
//! device carries no EXIF data (no GPS position).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The longest side a photo is sent at, as Telegram's.
const PHOTO_SIDE_MAX: f64 = 2560.0;
/// JPEG quality of a re-encoded photo.
const PHOTO_QUALITY: f64 = 0.87;
/// The longest side of a thumbnail, and of the photos that get one (a
/// smaller photo is shown as it is).
const THUMB_SIDE: f64 = 640.0;
const THUMB_FROM: f64 = 1280.0;

use super::Facts;
use crate::ui::placeholder;

/// A photo drawn again on a canvas (at most [`PHOTO_SIDE_MAX`] a side,
/// turned as its EXIF orientation says): new bytes with no metadata, and
/// what it shows before they arrive (size, placeholder, and for a large
/// photo a thumbnail).
pub(super) async fn redrawn(file: &web_sys::File) -> Option<(web_sys::Blob, Facts)> {
    let window = web_sys::window()?;
    let decoding = window.create_image_bitmap_with_blob(file).ok()?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(decoding).await.ok()?.dyn_into().ok()?;
    let (w, h) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let scale = (PHOTO_SIDE_MAX / w.max(h)).min(1.0);
    let (cw, ch) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let (canvas, context) = placeholder::canvas(cw as u32, ch as u32)?;
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, cw, ch)
        .ok()?;
    bitmap.close();
    let mut facts = Facts {
        width: Some(cw as u32),
        height: Some(ch as u32),
        thumbhash: placeholder::of_canvas(&canvas),
        ..Facts::default()
    };
    // PNG keeps transparency; anything else becomes JPEG.
    let mime = if file.type_() == "image/png" {
        "image/png"
    } else {
        "image/jpeg"
    };
    let blob = encoded(&canvas, mime).await?;
    if cw.max(ch) > THUMB_FROM {
        facts.thumb = shrunk(cw, ch, |c, w, h| {
            c.draw_image_with_html_canvas_element_and_dw_and_dh(&canvas, 0.0, 0.0, w, h)
                .ok()
        })
        .await;
    }
    Some((blob, facts))
}

/// A picture of `w`×`h` that `draw` paints, as a JPEG of at most
/// [`THUMB_SIDE`] a side: a thumbnail, or a video's poster.
pub(super) async fn shrunk(
    w: f64,
    h: f64,
    draw: impl FnOnce(&web_sys::CanvasRenderingContext2d, f64, f64) -> Option<()>,
) -> Option<web_sys::Blob> {
    let scale = (THUMB_SIDE / w.max(h)).min(1.0);
    let (tw, th) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let (canvas, context) = placeholder::canvas(tw as u32, th as u32)?;
    draw(&context, tw, th)?;
    encoded(&canvas, "image/jpeg").await
}

/// What a canvas holds, encoded as `mime`.
async fn encoded(canvas: &web_sys::HtmlCanvasElement, mime: &str) -> Option<web_sys::Blob> {
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
    JsFuture::from(promise).await.ok()?.dyn_into().ok()
}
