//! Desktop notifications of new messages, as Telegram Web and WhatsApp Web
//! show them: for a chat not in view, unless the chat is muted, and always
//! for a message that mentions the user. Off until turned on in the
//! preferences, which asks the browser's permission.

use courier_protocol::{ChatKind, Message, format};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

use super::Ctx;
use crate::account::local_storage;

const PREF_KEY: &str = "courier.notify";
/// A backlog fetched after time offline is not announced message by message.
const FRESH_MS: f64 = 60_000.0;
/// How much of a message a notification shows.
const PREVIEW_CHARS: usize = 120;

fn granted() -> bool {
    Notification::permission() == NotificationPermission::Granted
}

/// Whether the user turned notifications on and the browser allows them.
pub fn enabled() -> bool {
    let chosen = local_storage()
        .and_then(|ls| ls.get_item(PREF_KEY).ok().flatten())
        .is_some_and(|v| v == "on");
    chosen && granted()
}

/// Turns notifications on (asking the browser first) or off; whether they
/// are on afterwards.
pub async fn set_enabled(on: bool) -> bool {
    if on
        && !granted()
        && let Ok(asked) = Notification::request_permission()
    {
        let _ = JsFuture::from(asked).await;
    }
    if let Some(ls) = local_storage() {
        let _ = ls.set_item(PREF_KEY, if on { "on" } else { "off" });
    }
    enabled()
}

fn in_view(ctx: Ctx, chat: courier_protocol::ChatId) -> bool {
    let hidden = web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.hidden());
    !hidden && ctx.open.get_untracked() == Some(chat)
}

/// Announces others' fresh posts in `chat`, as the rules above say.
pub fn announce(ctx: Ctx, chat: courier_protocol::ChatId, posts: Vec<Message>) {
    if !enabled() || in_view(ctx, chat) {
        return;
    }
    let (Some(me), Some(store)) = (ctx.me.get_untracked(), ctx.store()) else {
        return;
    };
    let now = js_sys::Date::now();
    let fresh: Vec<Message> = posts
        .into_iter()
        .filter(|m| m.sender != me.id && !m.text.is_empty() && now - (m.at as f64) < FRESH_MS)
        .collect();
    if fresh.is_empty() {
        return;
    }
    spawn_local(async move {
        let Ok(Some(summary)) = store.chat(chat).await else {
            return;
        };
        for m in fresh {
            let mentioned = me
                .username
                .as_deref()
                .is_some_and(|name| format::mentions(&m.text, name));
            if summary.place.muted && !mentioned {
                continue;
            }
            let text: String = m.text.chars().take(PREVIEW_CHARS).collect();
            let body = match summary.kind {
                ChatKind::Group => format!("{}: {text}", m.sender_name),
                ChatKind::Direct | ChatKind::Channel => text,
            };
            show(ctx, &summary.title, &body, m.chat, m.seq);
        }
    });
}

fn show(
    ctx: Ctx,
    title: &str,
    body: &str,
    chat: courier_protocol::ChatId,
    seq: courier_protocol::Seq,
) {
    let options = NotificationOptions::new();
    options.set_body(body);
    // Every tab of the user announces the message; one tag shows it once.
    options.set_tag(&format!("courier-{}-{}", chat.0, seq.0));
    let Ok(note) = Notification::new_with_options(title, &options) else {
        return;
    };
    let account = crate::account::acting();
    let clicked = note.clone();
    let open = wasm_bindgen::closure::Closure::once_into_js(move || {
        clicked.close();
        if let Some(w) = web_sys::window() {
            let _ = w.focus();
        }
        // The tab may have switched accounts since.
        if crate::account::acting() == account {
            ctx.open.set(Some(chat));
        }
    });
    note.set_onclick(Some(open.unchecked_ref()));
}
