//! Desktop notifications of new messages, as Telegram Web and WhatsApp Web
//! show them: for a chat not in view, unless the chat is muted, and always
//! for a message that mentions the user. Off until turned on in the
//! preferences, which asks the browser's permission.

use std::cell::RefCell;
use std::collections::HashMap;

use courier_protocol::model::format;
use courier_protocol::{Act, ChatId, ChatKind, Message, Seq};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

use super::Ctx;
use crate::account::local_storage;
use crate::i18n;

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

thread_local! {
    /// The notifications this tab shows, by (chat, seq), so that one whose
    /// post is deleted (or disappears) goes, and one edited shows the edit.
    static SHOWN: RefCell<HashMap<(ChatId, Seq), (Notification, String)>> = RefCell::default();
}

/// Takes back or rewrites the notices of posts that `events` delete or edit.
fn revise(events: &[Message]) {
    for m in events {
        let (target, text) = match &m.act {
            Some(Act::Delete { target }) => (*target, None),
            Some(Act::Edit { target, text }) => (*target, Some(text)),
            _ => continue,
        };
        let Some((note, title)) = SHOWN.with(|s| s.borrow_mut().remove(&(m.chat, target))) else {
            continue;
        };
        note.close();
        if let Some(text) = text {
            let body: String = text.chars().take(PREVIEW_CHARS).collect();
            // The same tag replaces it quietly where it was.
            show_quietly(&title, &body, m.chat, target);
        }
    }
}

/// Announces others' fresh posts in `chat`, as the rules above say, and
/// revises notices of posts edited or deleted since.
pub fn announce(ctx: Ctx, chat: ChatId, events: Vec<Message>) {
    revise(&events);
    if !enabled() || in_view(ctx, chat) {
        return;
    }
    let posts: Vec<Message> = events.into_iter().filter(|m| m.act.is_none()).collect();
    let (Some(me), Some(store)) = (ctx.me.get_untracked(), ctx.store()) else {
        return;
    };
    let now = js_sys::Date::now();
    let fresh: Vec<Message> = posts
        .into_iter()
        .filter(|m| m.sender != me.id && m.content.is_some() && now - (m.at as f64) < FRESH_MS)
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
                .is_some_and(|name| format::mentions(m.text(), name));
            if summary.place.muted && !mentioned {
                continue;
            }
            let text: String = i18n::gist(&m).chars().take(PREVIEW_CHARS).collect();
            let body = match summary.kind {
                ChatKind::Group => format!("{}: {text}", m.sender_name),
                ChatKind::Direct | ChatKind::Channel => text,
            };
            show(ctx, &summary.title, &body, m.chat, m.seq);
        }
    });
}

/// Shows a notice tagged by its post, remembered for [`revise`].
fn notice(title: &str, body: &str, chat: ChatId, seq: Seq, silent: bool) -> Option<Notification> {
    let options = NotificationOptions::new();
    options.set_body(body);
    options.set_silent(Some(silent));
    // Every tab of the user announces the message; one tag shows it once.
    options.set_tag(&format!("courier-{}-{}", chat.0, seq.0));
    let note = Notification::new_with_options(title, &options).ok()?;
    SHOWN.with(|s| {
        s.borrow_mut()
            .insert((chat, seq), (note.clone(), title.to_owned()))
    });
    Some(note)
}

fn show_quietly(title: &str, body: &str, chat: ChatId, seq: Seq) {
    let _ = notice(title, body, chat, seq, true);
}

fn show(ctx: Ctx, title: &str, body: &str, chat: ChatId, seq: Seq) {
    let Some(note) = notice(title, body, chat, seq, false) else {
        return;
    };
    let account = crate::account::acting();
    let clicked = note.clone();
    let open = wasm_bindgen::closure::Closure::once_into_js(move || {
        clicked.close();
        SHOWN.with(|s| s.borrow_mut().remove(&(chat, seq)));
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
