//! Files attached in the composer, from the button, by dropping them or
//! by pasting an image: each uploads at once (resumable, see
//! `net::upload`) with its progress, and can be paused, resumed or
//! cancelled. Photos are drawn again in the browser before they go, so
//! what leaves the device carries no EXIF data (no GPS position); a type
//! the page cannot show goes as a file, its bytes as they are.

use courier_protocol::limits::ALBUM_MAX;
use courier_protocol::model::media::is_inline;
use courier_protocol::{Attachment, ChatId, Content, FileId, MediaKind};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{t, t_with};
use crate::net::upload::{self, Control, Interrupted, Stopped};
use crate::ui::message::size_text;
use crate::ui::say;

/// The longest side a photo is sent at, as Telegram's.
const PHOTO_SIDE_MAX: f64 = 2560.0;
/// JPEG quality of a re-encoded photo.
const PHOTO_QUALITY: f64 = 0.87;

/// One file on its way.
#[derive(Clone)]
pub(super) struct Pending {
    pub key: u64,
    pub name: String,
    /// Bytes to send: the file's, or a redrawn photo's once made.
    pub size: RwSignal<f64>,
    /// A local picture of it while it uploads (an object URL).
    pub preview: Option<String>,
    /// Bytes the server holds.
    pub sent: RwSignal<f64>,
    pub control: RwSignal<Control>,
    /// The attachment once uploaded, or why it stopped.
    pub done: RwSignal<Option<Result<Attachment, Stopped>>>,
    /// Where its upload is remembered, to resume after a reload.
    pub memory: String,
}

impl Pending {
    pub fn finished(&self) -> bool {
        self.done.with(Option::is_some)
    }
}

/// How a file is sent, from its type as the browser tells it: shown kinds
/// only for types every browser plays (the server checks the bytes).
fn kind_of(file: &web_sys::File) -> MediaKind {
    let mime = file.type_();
    if !is_inline(&mime) {
        MediaKind::File
    } else if mime.starts_with("image/") {
        MediaKind::Photo
    } else if mime.starts_with("video/") {
        MediaKind::Video
    } else {
        MediaKind::Audio
    }
}

/// A photo drawn again on a canvas (at most [`PHOTO_SIDE_MAX`] a side,
/// turned as its EXIF orientation says): new bytes with no metadata, and
/// its width and height. A GIF stays as it is (it may move).
async fn redrawn(file: &web_sys::File) -> Option<(web_sys::Blob, u32, u32)> {
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
    Some((blob, cw as u32, ch as u32))
}

thread_local! {
    static NEXT_KEY: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Starts uploading `file` for `chat`, adding it to `pending`.
pub(super) fn attach(file: web_sys::File, chat: ChatId, pending: RwSignal<Vec<Pending>>) {
    let kind = kind_of(&file);
    let preview = (kind == MediaKind::Photo)
        .then(|| web_sys::Url::create_object_url_with_blob(&file).ok())
        .flatten();
    let item = Pending {
        key: NEXT_KEY.with(|k| {
            k.set(k.get() + 1);
            k.get()
        }),
        name: file.name(),
        size: RwSignal::new(file.size()),
        preview,
        sent: RwSignal::new(0.0),
        control: RwSignal::new(Control::Go),
        done: RwSignal::new(None),
        memory: upload::memory_key(&file),
    };
    pending.update(|p| p.push(item.clone()));
    spawn_local(async move {
        let redrawn = if kind == MediaKind::Photo && file.type_() != "image/gif" {
            redrawn(&file).await
        } else {
            None
        };
        let (blob, width, height) = match &redrawn {
            Some((blob, w, h)) => (blob.clone(), Some(*w), Some(*h)),
            None => (file.clone().into(), None, None),
        };
        item.size.try_set(blob.size());
        let (sent, control) = (item.sent, item.control);
        let uploaded = upload::upload(
            &file,
            &blob,
            &item.name,
            Some(chat),
            move |at| {
                sent.try_set(at);
            },
            move || control.try_get_untracked().unwrap_or(Control::Cancel),
        )
        .await;
        let attachment = uploaded.map(|file: FileId| Attachment {
            file,
            kind,
            name: item.name.clone(),
            size: blob.size() as u64,
            mime: blob.type_(),
            width,
            height,
            duration_ms: None,
            thumbhash: None,
        });
        item.done.try_set(Some(attachment));
    });
}

/// Starts uploading every file of a list (picked, dropped or pasted).
pub(super) fn attach_all(
    files: Option<web_sys::FileList>,
    chat: ChatId,
    pending: RwSignal<Vec<Pending>>,
) {
    let Some(files) = files else { return };
    for i in 0..files.length() {
        if let Some(file) = files.get(i) {
            attach(file, chat, pending);
        }
    }
}

/// The messages that carry `items`: photos and videos in albums of up to
/// [`ALBUM_MAX`], every other file alone, the caption on the first.
pub(super) fn posts_of(items: Vec<Attachment>, caption: String) -> Vec<Content> {
    let (album, single): (Vec<_>, Vec<_>) = items.into_iter().partition(|a| a.kind.in_albums());
    let mut posts: Vec<Content> = album
        .chunks(ALBUM_MAX)
        .map(|items| items.to_vec())
        .chain(single.into_iter().map(|a| vec![a]))
        .map(|items| Content::Media {
            items,
            caption: String::new(),
        })
        .collect();
    if let Some(Content::Media { caption: first, .. }) = posts.first_mut() {
        *first = caption;
    }
    posts
}

/// The files on their way, above the composer, and the uploads a reload
/// interrupted, until their files are chosen again (or given up).
#[component]
pub(super) fn Tray(
    chat: ChatId,
    pending: RwSignal<Vec<Pending>>,
    /// Opens the file picker.
    pick: Callback<()>,
) -> impl IntoView {
    let stale = RwSignal::new(upload::interrupted(chat));
    // A file chosen again takes its interrupted upload's place.
    let waiting = move || {
        let chosen: Vec<String> = pending.with(|p| p.iter().map(|i| i.memory.clone()).collect());
        stale.with(|s| {
            s.iter()
                .filter(|i| !chosen.contains(&i.key))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let give_up = move |it: Interrupted| {
        stale.update(|s| s.retain(|i| i.key != it.key));
        spawn_local(async move { upload::forget(&it).await });
    };
    let remove = move |key: u64| {
        pending.update(|p| {
            if let Some(gone) = p.iter().find(|i| i.key == key)
                && let Some(url) = &gone.preview
            {
                let _ = web_sys::Url::revoke_object_url(url);
            }
            p.retain(|i| i.key != key);
        });
    };
    view! {
        <Show when=move || !pending.with(Vec::is_empty) || !waiting().is_empty()>
            <ul class="attachments" aria-label=t("attachments")>
                <For each=waiting key=|i| i.key.clone() let:it>
                    {
                        let gone = it.clone();
                        view! {
                            <li class="attachment interrupted">
                                <span class="name" dir="auto">{it.name}</span>
                                <span class="muted" role="status">{t("upload-interrupted")}</span>
                                <button type="button" on:click=move |_| pick.run(())>{t("upload-choose-again")}</button>
                                <button type="button" class="icon" aria-label=t("upload-cancel")
                                    on:click=move |_| give_up(gone.clone())>"✕"</button>
                            </li>
                        }
                    }
                </For>
                <For each=move || pending.get() key=|p| p.key let:item>
                    {
                        let (key, size, control, sent, done) =
                            (item.key, item.size, item.control, item.sent, item.done);
                        let name = item.name.clone();
                        let state = move || match done.get() {
                            Some(Ok(_)) => t("upload-done"),
                            Some(Err(Stopped::Cancelled)) => t("upload-cancelled"),
                            Some(Err(Stopped::Refused(code))) => say(crate::api::ApiFail::Code(code)),
                            None if control.get() == Control::Pause => t("upload-paused"),
                            None => t_with("upload-progress", &[
                                ("sent", size_text(sent.get()).into()),
                                ("size", size_text(size.get()).into()),
                            ]),
                        };
                        let running = move || done.with(Option::is_none);
                        view! {
                            <li class="attachment">
                                {item.preview.map(|src| view! { <img class="thumb" src=src alt="" /> })}
                                <span class="name" dir="auto">{name.clone()}</span>
                                <progress max=move || size.get() value=move || sent.get() aria-label=name></progress>
                                <span class="muted" role="status">{state}</span>
                                <Show when=running>
                                    <button type="button" class="icon"
                                        aria-label=move || if control.get() == Control::Pause { t("upload-resume") } else { t("upload-pause") }
                                        on:click=move |_| control.update(|c| {
                                            *c = if *c == Control::Pause { Control::Go } else { Control::Pause };
                                        })>
                                        {move || if control.get() == Control::Pause { "▶" } else { "⏸" }}
                                    </button>
                                </Show>
                                <button type="button" class="icon" aria-label=t("upload-cancel")
                                    on:click=move |_| {
                                        control.set(Control::Cancel);
                                        remove(key);
                                    }>"✕"</button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: MediaKind, n: u8) -> Attachment {
        Attachment {
            file: FileId(format!("{n:032x}")),
            kind,
            name: format!("{n}"),
            size: 1,
            mime: String::new(),
            width: None,
            height: None,
            duration_ms: None,
            thumbhash: None,
        }
    }

    #[test]
    fn photos_go_in_albums_of_ten_and_files_alone() {
        let mut items: Vec<Attachment> = (0..12).map(|n| item(MediaKind::Photo, n)).collect();
        items.insert(3, item(MediaKind::File, 100));
        let posts = posts_of(items, "hello".into());
        let shape: Vec<(usize, &str)> = posts
            .iter()
            .map(|p| match p {
                Content::Media { items, caption } => (items.len(), caption.as_str()),
                _ => (0, ""),
            })
            .collect();
        assert_eq!(shape, [(10, "hello"), (2, ""), (1, "")]);
        assert!(posts_of(Vec::new(), "x".into()).is_empty());
    }
}
