//! How a file on its way shows: its progress and what can be done with it,
//! in the composer's tray and in the held message.

use courier_protocol::{Attachment, MediaKind};
use leptos::prelude::*;

use super::{Pending, live};
use crate::i18n::{t, t_with};
use crate::net::upload::{Control, Stopped};
use crate::ui::message::size_text;
use crate::ui::say;

/// An upload's progress bar, how far it is, and pause/resume and cancel
/// buttons (cancelling also runs `cancelled`).
#[component]
pub fn UploadControls(
    item: Pending,
    #[prop(optional)] cancelled: Option<Callback<()>>,
) -> impl IntoView {
    let stop = item.clone();
    let Pending {
        name,
        size,
        sent,
        control,
        done,
        ..
    } = item;
    let state = {
        let (size, sent, control, done) =
            (size.clone(), sent.clone(), control.clone(), done.clone());
        move || match done.get() {
            Some(Ok(_)) => t("upload-done"),
            Some(Err(Stopped::Cancelled)) => t("upload-cancelled"),
            Some(Err(Stopped::Refused(code))) => say(crate::api::ApiFail::Code(code)),
            None if control.get() == Control::Pause => t("upload-paused"),
            None => t_with(
                "upload-progress",
                &[
                    ("sent", size_text(sent.get()).into()),
                    ("size", size_text(size.get()).into()),
                ],
            ),
        }
    };
    let running = move || done.with(Option::is_none);
    let paused = {
        let control = control.clone();
        move || control.get() == Control::Pause
    };
    let toggle = control;
    view! {
        <progress max=move || size.get() value=move || sent.get() aria-label=name></progress>
        <span class="muted" role="status">{state}</span>
        <Show when=running>
            {
                let (paused, paused_too, toggle) = (paused.clone(), paused.clone(), toggle.clone());
                view! {
                    <button type="button" class="icon"
                        aria-label=move || if paused() { t("upload-resume") } else { t("upload-pause") }
                        on:click=move |_| toggle.update(|c| {
                            *c = if *c == Control::Pause { Control::Go } else { Control::Pause };
                        })>
                        {move || if paused_too() { "▶" } else { "⏸" }}
                    </button>
                }
            }
        </Show>
        <button type="button" class="icon" aria-label=t("upload-cancel")
            on:click=move |_| {
                stop.cancel();
                if let Some(cancelled) = cancelled {
                    cancelled.run(());
                }
            }>"✕"</button>
    }
}

/// An item of a held message whose file is not up yet: its local preview
/// and progress while its upload runs here, else a mark that it stopped.
pub fn uploading_item(a: &Attachment, memory: Option<&String>) -> AnyView {
    let Some(item) = memory.and_then(|m| live(m)) else {
        return view! {
            <div class="uploading stopped">
                <span class="name" dir="auto">{a.name.clone()}</span>
                <span class="muted">{size_text(a.size as f64)}</span>
            </div>
        }
        .into_any();
    };
    let preview = item.preview.clone().map(|src| match item.kind {
        MediaKind::Video => view! { <video class="preview" src=src muted preload="metadata" aria-hidden="true"></video> }.into_any(),
        _ => view! { <img class="preview" src=src alt="" /> }.into_any(),
    });
    view! {
        <div class="uploading">
            {preview}
            <span class="name" dir="auto">{item.name.clone()}</span>
            <UploadControls item />
        </div>
    }
    .into_any()
}
