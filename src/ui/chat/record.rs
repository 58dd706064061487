//! Voice and round video messages recorded in the composer: hold the
//! button and let go to send (slide away to cancel), or tap to start and
//! tap send; cancel with its button. MediaRecorder writes WebM with Opus (the one format both
//! Chromium and Firefox record); the length goes with the message, since
//! such a WebM carries none, and a voice message's waveform is computed
//! from its decoded samples.

use std::cell::RefCell;
use std::rc::Rc;

use courier_protocol::limits::{ROUND_VIDEO_MAX_MS, WAVEFORM_MAX, WAVEFORM_PEAK};
use courier_protocol::{ChatId, Content};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobEvent, MediaRecorder, MediaStream};

use crate::i18n::t;
use crate::net::Session;
use crate::net::upload::{self, Control};
use crate::state::ctx;
use crate::ui::placeholder;

/// What is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Voice,
    Round,
}

/// A recording under way.
struct Recorder {
    recorder: MediaRecorder,
    stream: MediaStream,
    chunks: Rc<RefCell<Vec<Blob>>>,
    started: f64,
    // Kept alive while recording.
    _on_data: Closure<dyn FnMut(BlobEvent)>,
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Opens the microphone (and the front camera for a round video) and
/// starts recording.
async fn start(kind: Kind) -> Result<Recorder, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let devices = window.navigator().media_devices()?;
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::TRUE);
    if kind == Kind::Round {
        let video = js_sys::Object::new();
        js_sys::Reflect::set(&video, &"width".into(), &480.into())?;
        js_sys::Reflect::set(&video, &"height".into(), &480.into())?;
        js_sys::Reflect::set(&video, &"facingMode".into(), &"user".into())?;
        constraints.set_video(&video);
    }
    let stream: MediaStream =
        JsFuture::from(devices.get_user_media_with_constraints(&constraints)?)
            .await?
            .dyn_into()?;
    let options = web_sys::MediaRecorderOptions::new();
    let mime = match kind {
        Kind::Voice => "audio/webm;codecs=opus",
        Kind::Round => "video/webm",
    };
    if MediaRecorder::is_type_supported(mime) {
        options.set_mime_type(mime);
    }
    let recorder =
        MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options)?;
    let chunks = Rc::new(RefCell::new(Vec::new()));
    let into = Rc::clone(&chunks);
    let on_data = Closure::<dyn FnMut(BlobEvent)>::new(move |e: BlobEvent| {
        if let Some(data) = e.data() {
            into.borrow_mut().push(data);
        }
    });
    recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
    recorder.start()?;
    Ok(Recorder {
        recorder,
        stream,
        chunks,
        started: now(),
        _on_data: on_data,
    })
}

impl Recorder {
    /// Stops recording and lets the devices go: what was recorded and how
    /// long it lasts.
    async fn finish(self) -> Result<(Blob, u32), JsValue> {
        let stopped = js_sys::Promise::new(&mut |resolve, _| {
            self.recorder.set_onstop(Some(&resolve));
        });
        let duration_ms = (now() - self.started).max(0.0) as u32;
        self.recorder.stop()?;
        JsFuture::from(stopped).await?;
        self.release();
        let parts = js_sys::Array::new();
        for chunk in self.chunks.borrow().iter() {
            parts.push(chunk);
        }
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(&self.recorder.mime_type());
        Ok((
            Blob::new_with_blob_sequence_and_options(&parts, &options)?,
            duration_ms,
        ))
    }

    fn release(&self) {
        for track in self.stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                track.stop();
            }
        }
    }
}

/// A waveform of at most [`WAVEFORM_MAX`] peaks of 0..=[`WAVEFORM_PEAK`]
/// from recorded audio, the loudest at the top.
async fn waveform(blob: &Blob) -> Option<Vec<u8>> {
    let bytes: js_sys::ArrayBuffer = JsFuture::from(blob.array_buffer())
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let context =
        web_sys::OfflineAudioContext::new_with_number_of_channels_and_length_and_sample_rate(
            1, 48_000, 48_000.0,
        )
        .ok()?;
    let decoded: web_sys::AudioBuffer = JsFuture::from(context.decode_audio_data(&bytes).ok()?)
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    Some(peaks(&decoded.get_channel_data(0).ok()?))
}

/// Samples in buckets, each its loudest, scaled to 5 bits.
fn peaks(samples: &[f32]) -> Vec<u8> {
    if samples.is_empty() {
        return Vec::new();
    }
    let size = samples.len().div_ceil(WAVEFORM_MAX);
    let loudest: Vec<f32> = samples
        .chunks(size)
        .map(|b| b.iter().fold(0.0f32, |m, s| m.max(s.abs())))
        .collect();
    let top = loudest.iter().copied().fold(0.0f32, f32::max).max(1e-6);
    loudest
        .iter()
        .map(|p| ((p / top) * f32::from(WAVEFORM_PEAK)).round() as u8)
        .collect()
}

/// What a recording is sent with: its length, and for a round video the
/// placeholder of its last frame.
struct Took {
    duration_ms: u32,
    thumbhash: Option<String>,
}

/// Uploads a recording and sends it as a voice or round video message.
async fn send(session: Session, chat: ChatId, kind: Kind, blob: Blob, took: Took) {
    let Took {
        duration_ms,
        thumbhash,
    } = took;
    let waveform = match kind {
        Kind::Voice => waveform(&blob).await.unwrap_or_default(),
        Kind::Round => Vec::new(),
    };
    let name = match kind {
        Kind::Voice => "voice.webm",
        Kind::Round => "round.webm",
    };
    let parts = js_sys::Array::of1(&blob);
    let options = web_sys::FilePropertyBag::new();
    options.set_type(&blob.type_());
    let Ok(file) = web_sys::File::new_with_blob_sequence_and_options(&parts, name, &options) else {
        return;
    };
    let Ok(id) = upload::upload(&file, &blob, name, None, |_| {}, || Control::Go).await else {
        return;
    };
    let content = match kind {
        Kind::Voice => Content::Voice {
            file: id,
            duration_ms,
            waveform,
        },
        Kind::Round => Content::RoundVideo {
            file: id,
            duration_ms: duration_ms.min(ROUND_VIDEO_MAX_MS),
            thumbhash,
        },
    };
    let _ = session.send(chat, content, None).await;
}

/// A press shorter than this is a tap (record until "send"); longer,
/// letting go sends.
const HOLD_MS: f64 = 500.0;
/// Sliding a held press this far toward the line's start cancels.
const SLIDE_CANCEL_PX: i32 = 120;

/// How far a pointer moved from `from` toward the start of the line (left,
/// or right in a right-to-left language).
fn toward_start(from: i32, to: i32) -> i32 {
    if crate::i18n::current().dir() == "rtl" {
        to - from
    } else {
        from - to
    }
}

/// The voice and round video buttons, and the recording bar while one
/// records.
#[component]
pub(super) fn Recorders(id: ChatId) -> impl IntoView {
    // Read now: a task past an await has no context to read it from.
    let ctx = ctx();
    let recording = StoredValue::new_local(None::<Recorder>);
    let active = RwSignal::new(None::<Kind>);
    let pressed_at = StoredValue::new(0.0);
    // Where a press on the voice button began, while it is held.
    let held_from = RwSignal::new(None::<i32>);
    let slid = RwSignal::new(0i32);
    let elapsed = RwSignal::new(0u32);
    let failed = RwSignal::new(false);
    let preview = NodeRef::<leptos::html::Video>::new();
    let stop = move |send_it: bool| {
        let Some(recorder) = recording.try_update_value(Option::take).flatten() else {
            return;
        };
        let kind = active.get_untracked();
        active.set(None);
        let session = ctx.session();
        // The camera's last frame, while it is still on.
        let thumbhash = preview
            .get_untracked()
            .filter(|_| kind == Some(Kind::Round))
            .and_then(|video| placeholder::of_video(&video));
        spawn_local(async move {
            match (recorder.finish().await, kind, session) {
                (Ok((blob, ms)), Some(kind), Some(session)) if send_it => {
                    let took = Took {
                        duration_ms: ms,
                        thumbhash,
                    };
                    send(session, id, kind, blob, took).await;
                }
                _ => {}
            }
        });
    };
    let begin = move |kind: Kind| {
        if active.get_untracked().is_some() {
            return;
        }
        pressed_at.set_value(now());
        active.set(Some(kind));
        failed.set(false);
        elapsed.set(0);
        spawn_local(async move {
            match start(kind).await {
                Ok(recorder) => {
                    if let Some(video) = preview.get_untracked() {
                        video.set_src_object(Some(&recorder.stream));
                    }
                    let started = recorder.started;
                    recording.set_value(Some(recorder));
                    // The timer, and the round video's limit.
                    while active.get_untracked() == Some(kind) {
                        let ms = (now() - started) as u32;
                        elapsed.set(ms / 1000);
                        if kind == Kind::Round && ms >= ROUND_VIDEO_MAX_MS {
                            stop(true);
                        }
                        gloo_timers::future::sleep(std::time::Duration::from_millis(250)).await;
                    }
                }
                Err(_) => {
                    active.set(None);
                    failed.set(true);
                }
            }
        });
    };
    // Held down long enough, letting go sends; a tap keeps recording.
    let release = move || {
        if held_from.get_untracked().is_none() {
            return;
        }
        held_from.set(None);
        if active.get_untracked().is_some() && now() - pressed_at.get_value() > HOLD_MS {
            stop(true);
        }
    };
    let press = move |ev: leptos::ev::PointerEvent| {
        // Moves and the release come here even off the button.
        if let Some(button) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = button.set_pointer_capture(ev.pointer_id());
        }
        held_from.set(Some(ev.client_x()));
        slid.set(0);
        begin(Kind::Voice);
    };
    let slide = move |ev: leptos::ev::PointerEvent| {
        let Some(from) = held_from.get_untracked() else {
            return;
        };
        let moved = toward_start(from, ev.client_x()).max(0);
        slid.set(moved);
        if moved > SLIDE_CANCEL_PX {
            held_from.set(None);
            stop(false);
        }
    };
    let timer = move || {
        let s = elapsed.get();
        format!("{}:{:02}", s / 60, s % 60)
    };
    view! {
        <Show when=move || failed.get()>
            <p class="error" role="alert">{t("record-failed")}</p>
        </Show>
        <div class="recording" role="status" hidden=move || active.get().is_none()>
            <video class="round preview" muted autoplay playsinline node_ref=preview
                hidden=move || active.get() != Some(Kind::Round)></video>
            <span class="rec-dot" aria-hidden="true"></span>
            <span>{move || match active.get() {
                Some(Kind::Round) => t("recording-round"),
                _ => t("recording-voice"),
            }}</span>
            <time>{timer}</time>
            <Show when=move || held_from.get().is_some()>
                <span class="slide-hint" aria-hidden="true"
                    style=move || format!("opacity: {}", 1.0 - f64::from(slid.get()) / f64::from(SLIDE_CANCEL_PX))>
                    {t("record-slide-cancel")}
                </span>
            </Show>
            <button type="button" on:click=move |_| stop(false)>{t("record-cancel")}</button>
            <button type="button" class="primary" on:click=move |_| stop(true)>{t("record-send")}</button>
        </div>
        // Kept while a voice message records: letting go of it sends.
        <button type="button" class="icon" aria-label=t("record-voice") title=t("record-voice")
            hidden=move || active.get() == Some(Kind::Round)
            on:pointerdown=press
            on:pointermove=slide
            on:pointerup=move |_| release()
            on:pointercancel=move |_| held_from.set(None)
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    begin(Kind::Voice);
                }
            }>
            <svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3"/></svg>
        </button>
        <button type="button" class="icon" aria-label=t("record-round") title=t("record-round")
            hidden=move || active.get().is_some()
            on:click=move |_| begin(Kind::Round)>
            <svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="9"/><circle cx="12" cy="12" r="3.5"/></svg>
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_fit_five_bits_and_the_limit() {
        let samples: Vec<f32> = (0..10_000).map(|i| (i as f32 / 10_000.0).sin()).collect();
        let wave = peaks(&samples);
        assert!(wave.len() <= WAVEFORM_MAX && wave.len() >= WAVEFORM_MAX - 1);
        assert!(wave.iter().all(|p| *p <= WAVEFORM_PEAK));
        assert_eq!(wave.last(), Some(&WAVEFORM_PEAK), "the loudest at the top");
        assert!(peaks(&[]).is_empty());
        assert_eq!(peaks(&[0.0, 0.0]), [0, 0], "silence is flat");
    }
}
