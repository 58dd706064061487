//! What a media message shows: photos and videos in a grid that keeps its
//! place while they load (their sizes are known), players for audio,
//! voice and round video, and files with their name, size and a download.

use courier_protocol::http::media::media_path;
use courier_protocol::{Attachment, Content, FileId, MediaKind};
use leptos::prelude::*;

use crate::account;
use crate::i18n::{t, t_with};

/// A file's address for this tab's account.
fn url(file: &FileId) -> String {
    match account::acting() {
        Some(id) => format!("{}?account={}", media_path(file), id.0),
        None => media_path(file),
    }
}

fn size_text(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

fn seconds(ms: u32) -> String {
    let s = ms / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// One photo, video, audio track or file.
fn item(a: &Attachment) -> AnyView {
    let src = url(&a.file);
    let ratio = match (a.width, a.height) {
        (Some(w), Some(h)) => format!("aspect-ratio: {w} / {h}"),
        _ => String::new(),
    };
    match a.kind {
        MediaKind::Photo => {
            let link = src.clone();
            view! {
                <a class="photo" href=link target="_blank" rel="noopener" style=ratio>
                    <img src=src alt=a.name.clone() loading="lazy" width=a.width height=a.height />
                </a>
            }
            .into_any()
        }
        MediaKind::Video => view! {
            <video class="video" controls preload="metadata" src=src style=ratio
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
                <span class="muted">{size_text(a.size)}</span>
            </a>
        }
        .into_any(),
    }
}

/// The files a message carries, if it is of a media kind.
pub fn media_view(content: &Content) -> Option<AnyView> {
    Some(match content {
        Content::Media { items, .. } => {
            let album = items.len() > 1;
            view! {
                <div class="media" class:album=album>
                    {items.iter().map(item).collect_view()}
                </div>
            }
            .into_any()
        }
        Content::Voice {
            file, duration_ms, ..
        } => view! {
            <figure class="voice">
                <figcaption>{t_with("voice-message", &[("duration", seconds(*duration_ms).into())])}</figcaption>
                <audio controls preload="metadata" src=url(file)></audio>
            </figure>
        }
        .into_any(),
        Content::RoundVideo { file, .. } => view! {
            <video class="round" controls playsinline preload="metadata" src=url(file)
                aria-label=t("round-video")></video>
        }
        .into_any(),
        Content::Text { .. } | Content::Unsupported => return None,
    })
}
