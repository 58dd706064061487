//! The open chat's messages: a window that moves along the history as
//! the reader scrolls, keeping what they look at in place.

use courier_protocol::Seq;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::Scroll;
use crate::i18n::t;
use crate::state::Marks;
use crate::state::ctx;
use crate::store::{ChatPage, WINDOW, Window};
use crate::ui::message::{Line, MessageItem, Tools, lines, show_message, spoken};

/// Events added to the window when scrolling reaches one of its ends, and
/// the most it holds: what keeps the DOM small in a chat of any length.
const WINDOW_STEP: i64 = 40;
/// How long the list must rest before what is on screen counts as read.
const SETTLE_MS: u64 = 300;
const WINDOW_MAX: i64 = 2 * WINDOW;
/// How close (px) to an end of the list scrolling loads more.
const NEAR_END_PX: i32 = 150;

/// The window of messages on screen. Scrolling near its top or bottom
/// moves the window along the history, keeping the message in view where
/// it was; so a chat of any length holds a few hundred elements.
#[component]
pub(super) fn MessageList(
    page: RwSignal<ChatPage>,
    tools: Tools,
    window: RwSignal<Window>,
    scroll: StoredValue<Scroll>,
    others: Memo<Marks>,
    first_unread: RwSignal<Option<Seq>>,
    placed: StoredValue<bool>,
    list: NodeRef<leptos::html::Ul>,
) -> impl IntoView {
    let ctx = ctx();
    let items = Memo::new(move |_| {
        let (me, name) = ctx.me.with(|m| {
            (
                m.as_ref().map(|m| m.id),
                m.as_ref().map(|m| m.name.clone()).unwrap_or_default(),
            )
        });
        page.with(|p| lines(p, me, &name, others.get()))
    });
    // Whether the reader is at the newest message, so new ones follow.
    let stick = StoredValue::new(true);
    // What the reader has seen is read, here and on the server: up to the
    // last message whose top is on screen, or everything held once the
    // newest is.
    let marked = StoredValue::new(Seq::ZERO);
    let mark_seen = move || {
        let jumping = matches!(scroll.get_value(), Scroll::To(_))
            || ctx
                .jump
                .with_untracked(|j| j.is_some_and(|(chat, _)| chat == tools.chat));
        let Some(ul) = list
            .get_untracked()
            .filter(|_| placed.get_value() && !jumping)
        else {
            return;
        };
        let bottom = f64::from(ul.client_height());
        let (seen, newest) = items.with_untracked(|l| {
            let mut seqs = l.iter().filter_map(|l| l.seq).rev();
            let newest = seqs.clone().next();
            let seen = seqs.find(|seq| offset_of(&ul, *seq).is_some_and(|top| top < bottom));
            (seen, newest)
        });
        let Some(seen) = seen else {
            return;
        };
        let upto = if Some(seen) == newest && window.get_untracked() == Window::Newest {
            page.with_untracked(|p| p.held)
        } else {
            Seq(seen)
        };
        if upto <= marked.get_value() {
            return;
        }
        marked.set_value(upto);
        // Taken now: after the await, the tab may show another account.
        let (Some(store), Some(session), chat) = (ctx.store(), ctx.session(), tools.chat) else {
            return;
        };
        spawn_local(async move {
            if let Ok(Some(_)) = store.mark_read(chat, upto).await {
                ctx.changed();
            }
            // Told even when this device's cursor had moved already: sending
            // a message there moves it without telling the server.
            session.read(chat, upto);
        });
    };
    // Once the view settles (a jump lands, scrolling stops), so that what
    // only flashed past is not taken as read.
    let settling = StoredValue::new(None::<TimeoutHandle>);
    on_cleanup(move || {
        if let Some(pending) = settling.try_get_value().flatten() {
            pending.clear();
        }
    });
    let read_seen = move || {
        // Called from a frame or a scroll event that may come just after
        // the chat closed, when this list's values are gone.
        let Some(pending) = settling.try_get_value() else {
            return;
        };
        if let Some(pending) = pending {
            pending.clear();
        }
        let wait = std::time::Duration::from_millis(SETTLE_MS);
        settling.set_value(set_timeout_with_handle(mark_seen, wait).ok());
    };
    // After each render, put the scroll position where it belongs.
    Effect::new(move |_| {
        items.track();
        request_animation_frame(move || {
            let (Some(Some(ul)), Some(at)) = (list.try_get_untracked(), scroll.try_get_value())
            else {
                return;
            };
            match at {
                Scroll::Bottom if stick.get_value() => ul.set_scroll_top(ul.scroll_height()),
                Scroll::Bottom => {}
                // Until the window asked for has rendered: a scroll event
                // from a change in between is not the reader's.
                Scroll::Keep { seq, px } => {
                    if let Some(now) = offset_of(&ul, seq) {
                        ul.set_scroll_top(ul.scroll_top() + (now - px) as i32);
                    }
                    if page.with_untracked(|p| p.window == Some(window.get_untracked())) {
                        scroll.set_value(Scroll::Bottom);
                    }
                }
                // Once the page of its window is in: the message, or the
                // first one shown after it (an act or a deleted message
                // has no line of its own).
                Scroll::To(seq) => {
                    let ready = page.with_untracked(|p| {
                        p.window == Some(window.get_untracked()) && !p.wants_older()
                    });
                    if ready {
                        let shown = items.with_untracked(|l| {
                            l.iter().filter_map(|l| l.seq).find(|s| *s >= seq.0)
                        });
                        stick.set_value(shown.is_none());
                        if let Some(shown) = shown {
                            show_message(shown);
                        }
                        scroll.set_value(Scroll::Bottom);
                    }
                }
            }
            read_seen();
        });
    });
    // Keyboard: the list is one tab stop, a message (the last focused, or
    // the list itself until one was); arrow keys, Home and End move it.
    let unfocused = Memo::new(move |_| {
        tools.focused.with(|f| {
            f.as_ref()
                .is_none_or(|k| items.with(|l| l.iter().all(|l| &l.key != k)))
        })
    });
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(ul) = list.get_untracked() else {
            return;
        };
        let from = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .filter(|el| el.class_list().contains("msg") || *el == **ul);
        let Some(from) = from else { return };
        let messages = ul.query_selector_all("li.msg").ok();
        let all: Vec<web_sys::HtmlElement> = messages
            .map(|l| {
                (0..l.length())
                    .filter_map(|i| l.item(i)?.dyn_into().ok())
                    .collect()
            })
            .unwrap_or_default();
        let at = all.iter().position(|m| **m == from);
        let last = all.len().saturating_sub(1);
        let to = match (ev.key().as_str(), at) {
            ("ArrowUp", Some(i)) => i.saturating_sub(1),
            ("ArrowDown", Some(i)) => (i + 1).min(last),
            ("ArrowUp" | "ArrowDown" | "End", None) | ("End", _) => last,
            ("Home", _) => 0,
            _ => return,
        };
        ev.prevent_default();
        if let Some(m) = all.get(to) {
            tools.focused.set(m.get_attribute("data-key"));
            let _ = m.focus();
        }
    };
    // New messages from others in the open chat are said once, politely.
    let said = StoredValue::new(None::<i64>);
    let announce = RwSignal::new(String::new());
    Effect::new(move |_| {
        // What the chat held when it opened is not news.
        if page.with(|p| p.window.is_none()) {
            return;
        }
        items.with(|l| {
            let newest = l.iter().rev().find_map(|l| l.seq).unwrap_or(0);
            match said.get_value() {
                None => said.set_value(Some(newest)),
                Some(before) if newest > before => {
                    said.set_value(Some(newest));
                    if window.get_untracked() != Window::Newest {
                        return;
                    }
                    let fresh: Vec<String> = l
                        .iter()
                        .filter(|l| l.seq.is_some_and(|s| s > before) && !l.own)
                        .map(spoken)
                        .collect();
                    if !fresh.is_empty() {
                        announce.set(fresh.join(". "));
                    }
                }
                Some(_) => {}
            }
        });
    });
    // Scrolled up from the newest: a button brings the reader back down.
    let away = RwSignal::new(false);
    let to_newest = move |_| {
        stick.set_value(true);
        away.set(false);
        if window.get_untracked() == Window::Newest {
            if let Some(ul) = list.get_untracked() {
                ul.set_scroll_top(ul.scroll_height());
            }
        } else {
            scroll.set_value(Scroll::Bottom);
            window.set(Window::Newest);
        }
    };
    let on_scroll = move |_| {
        let Some(Some(ul)) = list.try_get_untracked() else {
            return;
        };
        read_seen();
        let (top, height, view) = (ul.scroll_top(), ul.scroll_height(), ul.client_height());
        let (first, last) = items.with_untracked(|l| {
            (
                l.iter().find_map(|l| l.seq).unwrap_or(0),
                l.iter().rev().find_map(|l| l.seq).unwrap_or(0),
            )
        });
        let (held, floor) = page.with_untracked(|p| (p.held.0, p.floor.0));
        let (after, upto) = match window.get_untracked() {
            Window::Newest => ((held - WINDOW).max(0), held),
            Window::Span { after, upto } => (after.0, upto.0),
        };
        // A place still being kept stands: it is where the reader was.
        let keep = |seq: i64| {
            if !matches!(scroll.get_value(), Scroll::Keep { .. })
                && let Some(px) = offset_of(&ul, seq)
            {
                scroll.set_value(Scroll::Keep { seq, px });
            }
        };
        let newest = matches!(window.get_untracked(), Window::Newest);
        let near_bottom = height - top - view < NEAR_END_PX;
        stick.set_value(newest && near_bottom);
        if away.get_untracked() == (newest && near_bottom) {
            away.set(!(newest && near_bottom));
        }
        // Below the floor, the server's page is awaited before moving on.
        if top < NEAR_END_PX && after > 0 && after >= floor {
            keep(first);
            let after = (after - WINDOW_STEP).max(0);
            window.set(Window::Span {
                after: Seq(after),
                upto: Seq(upto.min(after + WINDOW_MAX)),
            });
        } else if near_bottom && !newest {
            keep(last);
            let upto = upto + WINDOW_STEP;
            window.set(if upto >= held {
                Window::Newest
            } else {
                Window::Span {
                    after: Seq(after.max(upto - WINDOW_MAX)),
                    upto: Seq(upto),
                }
            });
        }
    };
    view! {
        <div class="list-frame">
        <p class="visually-hidden" aria-live="polite" aria-atomic="true">{announce}</p>
        <ul role="list" aria-label=t("messages") class="messages" node_ref=list on:scroll=on_scroll
            tabindex=move || if unfocused.get() { "0" } else { "-1" }
            on:keydown=on_key
        >
            <Show when=move || page.with(ChatPage::wants_older)>
                <li class="loading-older"><span role="status">{t("loading-older")}</span></li>
            </Show>
            <For
                each=move || items.get()
                key=|l: &Line| (l.key.clone(), l.version())
                children=move |l| {
                    let divider = l.seq.is_some() && l.seq == first_unread.get_untracked().map(|s| s.0);
                    view! {
                        {divider.then(|| view! { <li class="unread-divider">{t("unread-messages")}</li> })}
                        <MessageItem line=l tools />
                    }
                }
            />
        </ul>
        <Show when=move || away.get()>
            <button type="button" class="to-newest" aria-label=t("jump-to-newest") title=t("jump-to-newest") on:click=to_newest>
                <svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 5v14M5 12l7 7 7-7"/></svg>
            </button>
        </Show>
        </div>
    }
}

/// How far below the list's top edge the message `seq` is, in px.
pub(super) fn offset_of(ul: &web_sys::HtmlUListElement, seq: i64) -> Option<f64> {
    let el = ul
        .query_selector(&format!("li.msg[data-seq=\"{seq}\"]"))
        .ok()??;
    Some(el.get_bounding_client_rect().top() - ul.get_bounding_client_rect().top())
}
