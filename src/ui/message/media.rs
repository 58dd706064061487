//! What a media message shows: photos and videos in a grid that keeps its
//! place while they load (their sizes are known), players for audio,
//! voice and round video, and files with their name, size and a download.

use courier_protocol::http::media::media_path;
use courier_protocol::{Attachment, Content, FileId, MediaKind};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::account;
use crate::i18n::{self, t, t_with};
use crate::ui::outgoing::uploading_item;
use crate::ui::placeholder;

/// A file's address for this tab's account.
fn url(file: &FileId) -> String {
    match account::acting() {
        Some(id) => format!("{}?account={}", media_path(file), id.0),
        None => media_path(file),
    }
}

/// A size as people read it: "43 KB", "200.0 MB".
pub fn size_text(bytes: f64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes >= MB {
        format!("{:.1} MB", bytes / MB)
    } else {
        format!("{} KB", (bytes / 1024.0).ceil())
    }
}

/// One photo, video, audio track or file; a photo opens the viewer at
/// `index` of its message's photos.
fn item(a: &Attachment, index: usize, viewing: RwSignal<Option<usize>>) -> AnyView {
    let src = url(&a.file);
    // The chat shows a large photo's thumbnail (the viewer, the photo).
    let shown = url(a.thumb.as_ref().unwrap_or(&a.file));
    let poster = a.thumb.as_ref().map(url);
    // Its shape and colours before the bytes come.
    let ratio = match (a.width, a.height) {
        (Some(w), Some(h)) => format!("aspect-ratio: {w} / {h}; "),
        _ => String::new(),
    } + &placeholder::backdrop(a.thumbhash.as_deref());
    match a.kind {
        MediaKind::Photo => view! {
            <button type="button" class="photo" style=ratio aria-label=t("open-photo")
                on:click=move |_| viewing.set(Some(index))>
                <img src=shown alt=a.name.clone() loading="lazy" width=a.width height=a.height />
            </button>
        }
        .into_any(),
        MediaKind::Video => view! {
            <video class="video" controls preload="metadata" src=src poster=poster style=ratio
                aria-label=a.name.clone()></video>
        }
        .into_any(),
        MediaKind::Audio => view! {
            <figure class="audio">
                <figcaption dir="auto">{a.name.clone()}</figcaption>
                <audio controls preload="metadata" src=src></audio>
            </figure>
        }
        .into_any(),
        MediaKind::File => view! {
            <a class="file" href=src download=a.name.clone()>
                <svg class="file-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 2h8l6 6v14H6z M14 2v6h6"/></svg>
                <span class="name" dir="auto">{a.name.clone()}</span>
                <span class="muted">{size_text(a.size as f64)}</span>
            </a>
        }
        .into_any(),
    }
}

/// The files a message carries, if it is of a media kind; `uploads` are
/// those of a held message, whose files still on their way show their
/// progress.
pub fn media_view(content: &Content, uploads: &[String]) -> Option<AnyView> {
    Some(match content {
        Content::Media { items, .. } => {
            let album = items.len() > 1;
            let viewing = RwSignal::new(None::<usize>);
            let photos: Vec<Attachment> = items
                .iter()
                .filter(|a| a.kind == MediaKind::Photo)
                .cloned()
                .collect();
            let mut next_photo = 0;
            let shown = items.iter().enumerate().map(|(i, a)| {
                if a.file.as_str().is_empty() {
                    return uploading_item(a, uploads.get(i));
                }
                let index = next_photo;
                if a.kind == MediaKind::Photo {
                    next_photo += 1;
                }
                item(a, index, viewing)
            });
            view! {
                <div class="media" class:album=album>
                    {shown.collect_view()}
                </div>
                <Show when=move || viewing.get().is_some()>
                    <Viewer photos=photos.clone() viewing />
                </Show>
            }
            .into_any()
        }
        Content::Voice {
            file,
            duration_ms,
            waveform,
        } => view! {
            <VoicePlayer file=file.clone() duration_ms=*duration_ms waveform=waveform.clone() />
        }
        .into_any(),
        Content::RoundVideo {
            file, thumbhash, ..
        } => {
            let video = NodeRef::<leptos::html::Video>::new();
            video.on_load(|v| {
                ROUND_WATCH.with(|watch| {
                    if let Some(watch) = watch {
                        watch.observe(&v);
                    }
                });
            });
            // Plays silently while on screen; a click plays it from the
            // start with sound. Reloaded rather than sought: a recorded
            // WebM has no index to seek by.
            let with_sound = move |_| {
                if let Some(v) = video.get() {
                    v.set_muted(false);
                    v.load();
                    play(&v);
                }
            };
            view! {
                <video class="round" loop prop:muted=true style=placeholder::backdrop(thumbhash.as_deref()) playsinline preload="metadata" src=url(file)
                    node_ref=video aria-label=t("round-video") on:click=with_sound></video>
            }
            .into_any()
        }
        Content::Text { .. } | Content::Call { .. } | Content::Unsupported => return None,
    })
}

/// Plays a video, its promise's refusal (a pause came first) handled.
fn play(video: &web_sys::HtmlMediaElement) {
    if let Ok(playing) = video.play() {
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(playing).await;
        });
    }
}

/// Round videos play, muted, while at least half of one is on screen, and
/// pause when scrolled away; one played with sound is left to the user.
fn round_watch() -> Option<web_sys::IntersectionObserver> {
    let seen = Closure::<dyn FnMut(js_sys::Array)>::new(|entries: js_sys::Array| {
        for entry in entries.iter() {
            let entry: web_sys::IntersectionObserverEntry = entry.unchecked_into();
            let Ok(video) = entry.target().dyn_into::<web_sys::HtmlMediaElement>() else {
                continue;
            };
            if !video.muted() {
                continue;
            }
            if entry.is_intersecting() {
                play(&video);
            } else {
                let _ = video.pause();
            }
        }
    });
    let init = web_sys::IntersectionObserverInit::new();
    init.set_threshold(&JsValue::from_f64(0.5));
    let watch =
        web_sys::IntersectionObserver::new_with_options(seen.as_ref().unchecked_ref(), &init).ok();
    // Lives as long as the page, as the one observer does.
    seen.forget();
    watch
}

thread_local! {
    static ROUND_WATCH: Option<web_sys::IntersectionObserver> = round_watch();
}

/// Whether this device has played a voice message ("listened").
fn listened_key(file: &FileId) -> String {
    format!("courier-listened:{}", file.as_str())
}

/// Playback speeds a voice message cycles through.
const SPEEDS: [f64; 3] = [1.0, 1.5, 2.0];

/// A voice message: play and pause, its waveform as a seek bar (arrow
/// keys move five seconds), the time, 1×/1.5×/2× and a mark until it is
/// first played here.
#[component]
fn VoicePlayer(file: FileId, duration_ms: u32, waveform: Vec<u8>) -> impl IntoView {
    let audio = NodeRef::<leptos::html::Audio>::new();
    let playing = RwSignal::new(false);
    let at_s = RwSignal::new(0.0f64);
    let speed = RwSignal::new(0usize);
    let total_s = f64::from(duration_ms) / 1000.0;
    let key = listened_key(&file);
    let heard = RwSignal::new(
        account::local_storage()
            .and_then(|s| s.get_item(&key).ok().flatten())
            .is_some(),
    );
    let toggle = move |_| {
        let Some(a) = audio.get() else { return };
        if a.paused() {
            // From the start, loaded afresh rather than sought: a recorded
            // WebM has no index, and Chromium fails to seek in one.
            if a.current_time() == 0.0 || a.ended() {
                a.load();
            }
            let _ = a.play();
            if !heard.get_untracked() {
                heard.set(true);
                if let Some(storage) = account::local_storage() {
                    let _ = storage.set_item(&key, "1");
                }
            }
        } else {
            let _ = a.pause();
        }
    };
    let seek = move |to: f64| {
        if let Some(a) = audio.get() {
            a.set_current_time(to.clamp(0.0, total_s));
        }
    };
    let bars = waveform.len().max(1);
    let done = move || {
        if total_s > 0.0 {
            at_s.get() / total_s
        } else {
            0.0
        }
    };
    view! {
        <div class="voice" role="group" aria-label=t_with("voice-message", &[("duration", i18n::clock(duration_ms).into())])>
            <button type="button" class="icon play"
                aria-label=move || if playing.get() { t("voice-pause") } else { t("voice-play") }
                on:click=toggle>
                {move || if playing.get() { "⏸" } else { "▶" }}
            </button>
            <div class="wave" role="slider" tabindex="0" aria-label=t("voice-position")
                aria-valuemin="0" aria-valuemax=total_s.round()
                aria-valuenow=move || at_s.get().round()
                aria-valuetext=move || format!("{} / {}", i18n::clock((at_s.get() * 1000.0) as u32), i18n::clock(duration_ms))
                on:click=move |ev: leptos::ev::MouseEvent| {
                    use wasm_bindgen::JsCast;
                    let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
                    let rect = el.get_bounding_client_rect();
                    let mut x = (f64::from(ev.client_x()) - rect.left()) / rect.width().max(1.0);
                    if crate::i18n::current().dir() == "rtl" {
                        x = 1.0 - x;
                    }
                    seek(x * total_s);
                }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    let step = match ev.key().as_str() {
                        "ArrowRight" | "ArrowUp" => 5.0,
                        "ArrowLeft" | "ArrowDown" => -5.0,
                        _ => return,
                    };
                    ev.prevent_default();
                    seek(at_s.get_untracked() + step);
                }>
                {waveform.iter().enumerate().map(|(i, peak)| {
                    let height = format!("height: {}%", 12 + u32::from(*peak) * 88 / 31);
                    let played = move || (i as f64 + 0.5) / bars as f64 <= done();
                    view! { <span class:played=played style=height></span> }
                }).collect_view()}
            </div>
            <time>{move || i18n::clock(((if playing.get() || at_s.get() > 0.0 { at_s.get() } else { total_s }) * 1000.0) as u32)}</time>
            <button type="button" class="speed" aria-label=t("voice-speed")
                on:click=move |_| {
                    speed.update(|s| *s = (*s + 1) % SPEEDS.len());
                    if let Some(a) = audio.get() {
                        a.set_playback_rate(SPEEDS[speed.get_untracked()]);
                    }
                }>
                {move || format!("{}×", SPEEDS[speed.get()])}
            </button>
            <Show when=move || !heard.get()>
                <span class="unheard" role="img" aria-label=t("voice-unheard")></span>
            </Show>
            <audio preload="metadata" src=url(&file) node_ref=audio
                on:play=move |_| playing.set(true)
                on:pause=move |_| playing.set(false)
                on:ended=move |_| { playing.set(false); at_s.set(0.0); }
                on:timeupdate=move |_| {
                    if let Some(a) = audio.get() {
                        at_s.set(a.current_time());
                    }
                }></audio>
        </div>
    }
}

/// Zoom steps of the viewer.
const ZOOMS: [f64; 3] = [1.0, 2.0, 3.0];

/// The photos of a message, one at a time over the page: arrows (and the
/// arrow keys) go between them, zoom steps in, download saves it, Escape
/// or the close button leaves, and focus goes back where it was.
#[component]
fn Viewer(photos: Vec<Attachment>, viewing: RwSignal<Option<usize>>) -> impl IntoView {
    let count = photos.len();
    let zoom = RwSignal::new(0usize);
    let dialog = NodeRef::<leptos::html::Div>::new();
    let before = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let close = move || {
        viewing.set(None);
        if let Some(el) = before.as_ref().and_then(|e| {
            use wasm_bindgen::JsCast;
            e.dyn_ref::<web_sys::HtmlElement>().cloned()
        }) {
            let _ = el.focus();
        }
    };
    let close = StoredValue::new_local(close);
    let step = move |by: isize| {
        zoom.set(0);
        viewing.update(|v| {
            if let Some(i) = v {
                *i = (*i as isize + by).rem_euclid(count.max(1) as isize) as usize;
            }
        });
    };
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            let _ = d.focus();
        }
    });
    let current = move || viewing.get().and_then(|i| photos.get(i).cloned());
    view! {
        <div class="viewer" role="dialog" aria-modal="true" aria-label=t("photo-viewer") tabindex="-1"
            node_ref=dialog
            on:click=move |ev: leptos::ev::MouseEvent| ev.stop_propagation()
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                let rtl = crate::i18n::current().dir() == "rtl";
                match ev.key().as_str() {
                    "Escape" => close.with_value(|c| c()),
                    "ArrowRight" => step(if rtl { -1 } else { 1 }),
                    "ArrowLeft" => step(if rtl { 1 } else { -1 }),
                    "+" | "=" => zoom.update(|z| *z = (*z + 1).min(ZOOMS.len() - 1)),
                    "-" => zoom.update(|z| *z = z.saturating_sub(1)),
                    _ => return,
                }
                ev.prevent_default();
            }>
            <div class="viewer-bar">
                <span class="muted">{move || format!("{} / {count}", viewing.get().unwrap_or(0) + 1)}</span>
                // Named as it reads: "Zoom 2×".
                <button type="button" title=t("zoom-in")
                    aria-label=move || format!("{} {}×", t("zoom-in"), ZOOMS[zoom.get()])
                    on:click=move |_| zoom.update(|z| *z = (*z + 1) % ZOOMS.len())>
                    {move || format!("{}×", ZOOMS[zoom.get()])}
                </button>
                {
                    let current = current.clone();
                    move || current().map(|a| view! {
                        <a class="button" href=url(&a.file) download=a.name.clone()>{t("download")}</a>
                    })
                }
                <button type="button" aria-label=t("close") title=t("close")
                    on:click=move |_| close.with_value(|c| c())>"✕"</button>
            </div>
            <div class="viewer-stage">
                {(count > 1).then(|| view! {
                    <button type="button" class="viewer-prev" aria-label=t("previous-photo") on:click=move |_| step(-1)>"‹"</button>
                })}
                {move || current().map(|a| view! {
                    <img src=url(&a.file) alt=a.name.clone()
                        style=move || format!("transform: scale({})", ZOOMS[zoom.get()]) />
                })}
                {(count > 1).then(|| view! {
                    <button type="button" class="viewer-next" aria-label=t("next-photo") on:click=move |_| step(1)>"›"</button>
                })}
            </div>
        </div>
    }
}
