//! One message in the list and what can be done to it: reply, react,
//! edit, delete, pin. Acts go through the outbox like messages and show
//! once the server has them in the chat's sequence.

use std::collections::HashMap;

use courier_protocol::limits::REACTIONS;
use courier_protocol::model::format::{self, Span};
use courier_protocol::{Act, ChatId, ClientMsgId, ErrorCode, Seq, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

mod lines;
mod media;

pub use lines::{Line, Quote, Reach, lines, quote_of};
pub use media::size_text;

use super::hhmm;
use crate::i18n::{self, t, t_with};
use crate::state::ctx;
use crate::store::OutState;
use crate::ui::menu::{self, MenuKey};
use crate::ui::outgoing::{HeldNote, interrupted};

/// What the open chat's message actions share with its composer.
#[derive(Clone, Copy)]
pub struct Tools {
    pub chat: ChatId,
    /// The message whose actions are open.
    pub selected: RwSignal<Option<i64>>,
    pub reply: RwSignal<Option<Quote>>,
    /// The own message being edited, and its text before.
    pub edit: RwSignal<Option<Quote>>,
    /// Whether the viewer may delete others' messages, and pin.
    pub may_delete_any: Memo<bool>,
    pub may_pin: Memo<bool>,
    /// Whether own messages show who has read them (small groups), and
    /// the members' names by id.
    pub seen_by: Memo<bool>,
    pub names: RwSignal<HashMap<UserId, String>>,
    /// The message that holds the list's one tab stop (by line key), so
    /// Tab comes back to where the reader was.
    pub focused: RwSignal<Option<String>>,
    /// The newest own message with words: Up in an empty composer edits it.
    pub last_own: Memo<Option<Quote>>,
}

impl Tools {
    fn act(self, act: Act) {
        let Some(session) = ctx().session() else {
            return;
        };
        spawn_local(async move {
            let _ = session.act(self.chat, act).await;
        });
    }
}

/// Scrolls the list to a message and flashes it (a reply's quote, the
/// pinned bar, a search result); false if it is not in the list.
pub fn show_message(seq: i64) -> bool {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let Ok(Some(el)) = doc.query_selector(&format!("li.msg[data-seq=\"{seq}\"]")) else {
        return false;
    };
    el.scroll_into_view();
    let _ = el.class_list().add_1("flash");
    set_timeout(
        move || drop(el.class_list().remove_1("flash")),
        std::time::Duration::from_millis(1200),
    );
    true
}

/// A message's text as elements: formatting becomes `strong`, `em`,
/// `code`, `pre` and links, and everything else stays text nodes, so no
/// message can inject markup.
fn formatted(text: &str) -> impl IntoView + use<> {
    format::parse(text)
        .into_iter()
        .map(|span| match span {
            Span::Text(t) => t.into_any(),
            Span::Bold(t) => view! { <strong>{t}</strong> }.into_any(),
            Span::Italic(t) => view! { <em>{t}</em> }.into_any(),
            Span::Code(t) => view! { <code>{t}</code> }.into_any(),
            Span::Pre(t) => view! { <pre>{t}</pre> }.into_any(),
            Span::Mention(name) => {
                view! { <span class="mention">{format!("@{name}")}</span> }.into_any()
            }
            Span::Link(url) => {
                let href = url.clone();
                view! { <a href=href target="_blank" rel="noopener noreferrer">{url}</a> }
                    .into_any()
            }
        })
        .collect_view()
}

fn on_button(ev: &leptos::ev::MouseEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("button, a, .tools").ok().flatten())
        .is_some()
}

/// How long a touch must rest on a message to open its actions, and how
/// far it may wander meanwhile.
const LONG_PRESS_MS: u64 = 500;
const LONG_PRESS_SLOP_PX: i32 = 10;

/// Whether the reader has selected some text in the page.
fn has_selection() -> bool {
    web_sys::window()
        .and_then(|w| w.get_selection().ok().flatten())
        .is_some_and(|s| !s.is_collapsed())
}

/// How far an own message got, as its class, its name's string key and
/// its mark; `None` for others' messages.
fn state_of(line: &Line) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match (line.own, line.state) {
        (false, _) => return None,
        (true, None) => match line.reach {
            Reach::Read => ("read", "read", "✓✓"),
            Reach::Delivered => ("delivered", "delivered", "✓✓"),
            Reach::Sent => ("sent", "sent", "✓"),
        },
        (true, Some(OutState::Pending | OutState::Uploading)) => ("pending", "pending", "🕓"),
        (true, Some(OutState::Failed(_))) => ("failed", "failed", "!"),
    })
}

/// What a screen reader says for a message: who, what, when, how far.
pub fn spoken(line: &Line) -> String {
    let what = if line.text.is_empty() {
        line.media
            .as_ref()
            .map(i18n::content_gist)
            .unwrap_or_default()
    } else {
        format::parse(&line.text)
            .into_iter()
            .map(|span| match span {
                Span::Text(t) | Span::Bold(t) | Span::Italic(t) | Span::Code(t) | Span::Pre(t) => t,
                Span::Mention(name) => format!("@{name}"),
                Span::Link(url) => url,
            })
            .collect()
    };
    let mut parts = vec![line.sender.clone()];
    parts.extend(
        line.forwarded_from
            .as_ref()
            .map(|from| t_with("forwarded-from", &[("name", from.clone().into())])),
    );
    parts.push(what);
    if line.edited {
        parts.push(t("edited"));
    }
    parts.push(hhmm(line.at));
    parts.extend(state_of(line).map(|(_, key, _)| t(key)));
    parts.retain(|p| !p.is_empty());
    parts.join(", ")
}

fn failure_text(code: ErrorCode) -> String {
    let reason = i18n::lower_first(&i18n::error_text(code));
    t_with("not-sent", &[("reason", reason.into())])
}

#[component]
pub fn MessageItem(line: Line, tools: Tools) -> impl IntoView {
    let failure = match line.state {
        Some(OutState::Failed(code)) if line.own => {
            Some(view! { <span class="failure">{failure_text(code)}</span> })
        }
        _ => None,
    };
    let state = state_of(&line).map(|(class, key, mark)| {
        view! { <span class=format!("state {class}") aria-label=t(key) title=t(key)>{mark}</span> }
    });
    let seq = line.seq;
    let open = move || seq.is_some() && tools.selected.get() == seq;
    let li = NodeRef::<leptos::html::Li>::new();
    let key = line.key.clone();
    let spoken = spoken(&line);
    // Actions open on a stored message only: an unsent one has nothing
    // to act on yet.
    let open_menu = move || {
        if seq.is_some() {
            tools.selected.set(seq);
        }
    };
    // Drawn anew (a reaction, a read mark) while it had focus, it takes
    // focus back from the page, which the old element left it with.
    {
        let key = key.clone();
        Effect::new(move |_| {
            let Some(el) = li.get() else { return };
            let key = key.clone();
            // Once the old element is gone, in the next frame.
            request_animation_frame(move || {
                let lost = web_sys::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| {
                        d.active_element()
                            .is_none_or(|a| Some(a) == d.body().map(Into::into))
                    });
                let mine = tools
                    .focused
                    .try_with_untracked(|f| f.as_ref() == Some(&key));
                if lost && mine == Some(true) && el.is_connected() {
                    let _ = el.focus();
                }
            });
        });
    }
    // A long press on a touch screen opens the actions, as a right-click
    // does with a mouse.
    let pressing = StoredValue::new(None::<(TimeoutHandle, i32, i32)>);
    let stop_press = move || {
        if let Some((pending, _, _)) = pressing.get_value() {
            pending.clear();
        }
        pressing.set_value(None);
    };
    let quote = Quote {
        seq: seq.unwrap_or(0),
        sender: line.sender.clone(),
        text: line.text.clone(),
    };
    // Named by its words, as seen, after a "Reply to" only screen readers say.
    let reply = line.reply.clone().map(|q| {
        let has_sender = !q.sender.is_empty();
        view! {
            <button type="button" class="quote" on:click=move |_| ctx().jump.set(Some((tools.chat, Seq(q.seq))))>
                <span class="visually-hidden">{t("reply-to")}" "</span>
                <span class="quote-sender" dir="auto">
                    {q.sender.clone()}
                    {has_sender.then(|| view! { <span class="visually-hidden">": "</span> })}
                </span>
                <span class="quote-text" dir="auto">{q.text.clone()}</span>
            </button>
        }
    });
    let reactions = (!line.reactions.is_empty()).then(|| {
        let chips = line.reactions.iter().map(|r| {
            let (count, mine) = (r.count, r.mine);
            let target = Seq(seq.unwrap_or(0));
            let act = Act::React {
                target,
                emoji: r.emoji.clone(),
                on: !mine,
            };
            let who = r.names.join(", ");
            let emoji = r.emoji.clone().into();
            // Begins as it reads ("👍 2"), then who gave it.
            let label = if r.names.is_empty() {
                t_with("reaction-count", &[("emoji", emoji), ("n", count.into())])
            } else {
                t_with(
                    "reaction-by",
                    &[
                        ("emoji", emoji),
                        ("n", count.into()),
                        ("names", who.clone().into()),
                    ],
                )
            };
            view! {
                <button type="button" class="reaction" class:mine=mine aria-pressed=mine.to_string()
                    aria-label=label title=(!who.is_empty()).then_some(who)
                    on:click=move |_| tools.act(act.clone())>
                    {format!("{} {count}", r.emoji)}
                </button>
            }
        });
        view! { <div class="reactions">{chips.collect_view()}</div> }
    });
    let (own, pinned, has_text) = (line.own, line.pinned, !line.text.is_empty());
    let forwardable = has_text || line.media.is_some();
    view! {
        <li
            class="msg"
            class=("own", line.own)
            class=("failed", matches!(line.state, Some(OutState::Failed(_))))
            class=("selected", open)
            data-seq=line.seq
            data-key=key.clone()
            data-pending=line.seq.is_none().then(|| line.key[1..].to_string())
            node_ref=li
            tabindex={
                let key = key.clone();
                move || if tools.focused.with(|f| f.as_ref() == Some(&key)) { "0" } else { "-1" }
            }
            aria-label=spoken
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                // Keys pressed in the message's buttons and menu are theirs.
                let on_li = li
                    .get_untracked()
                    .is_some_and(|li| ev.target().map(wasm_bindgen::JsValue::from) == Some(li.into()));
                if !on_li {
                    return;
                }
                let key = ev.key();
                if key == "Enter" || key == "ContextMenu" || (key == "F10" && ev.shift_key()) {
                    ev.prevent_default();
                    open_menu();
                }
            }
            on:contextmenu=move |ev: leptos::ev::MouseEvent| {
                // Selected words keep the browser's menu, to copy them.
                if seq.is_some() && !has_selection() {
                    ev.prevent_default();
                    open_menu();
                }
            }
            on:pointerdown=move |ev: leptos::ev::PointerEvent| {
                if ev.pointer_type() == "touch" && seq.is_some() {
                    stop_press();
                    let at = (ev.client_x(), ev.client_y());
                    let wait = std::time::Duration::from_millis(LONG_PRESS_MS);
                    if let Ok(h) = set_timeout_with_handle(move || { pressing.set_value(None); open_menu(); }, wait) {
                        pressing.set_value(Some((h, at.0, at.1)));
                    }
                }
            }
            on:pointermove=move |ev: leptos::ev::PointerEvent| {
                if let Some((_, x, y)) = pressing.get_value()
                    && (ev.client_x() - x).abs().max((ev.client_y() - y).abs()) > LONG_PRESS_SLOP_PX
                {
                    stop_press();
                }
            }
            on:pointerup=move |_| stop_press()
            on:pointercancel=move |_| stop_press()
            on:click=move |ev: leptos::ev::MouseEvent| {
                // A click on one of the message's buttons or links is theirs.
                if seq.is_some() && !on_button(&ev) {
                    tools.focused.set(Some(key.clone()));
                    tools.selected.update(|s| *s = if *s == seq { None } else { seq });
                }
            }
        >
            <span class="sender" dir="auto">{line.sender}</span>
            {line.forwarded_from.map(|from| view! {
                <span class="forwarded" dir="auto">{t_with("forwarded-from", &[("name", from.into())])}</span>
            })}
            {reply}
            {line.media.as_ref().and_then(|m| media::media_view(m, &line.uploads))}
            {
                // Running uploads have their own controls; a stopped or
                // refused one needs the message's.
                let stopped = interrupted(line.media.as_ref(), &line.uploads);
                let failed = matches!(line.state, Some(OutState::Failed(_)));
                (!line.uploads.is_empty() && (stopped || failed)).then(|| view! {
                    <HeldNote id=ClientMsgId(line.key[1..].to_string()) interrupted=stopped />
                })
            }
            {has_text.then(|| view! { <p class="text" dir="auto">{formatted(&line.text)}</p> })}
            {reactions}
            <span class="meta">
                {line.pinned.then(|| view! { <span class="pin-mark" aria-label=t("pinned")>"📌"</span> })}
                {line.edited.then(|| view! { <span class="edited">{t("edited")}</span> })}
                {line.expires.then(|| view! { <span class="expires" aria-label=t("disappears") title=t("disappears")>"⏱"</span> })}
                {line.views_key.map(|key| view! { <PostViews key /> })}
                <time>{hhmm(line.at)}</time>
                {state}
                {failure}
            </span>
            <Show when=open>
                <MessageTools quote=quote.clone() own pinned has_text forwardable tools li />
            </Show>
        </li>
    }
}

/// The actions of the selected message, as a menu: it takes focus when it
/// opens, arrow keys move through it, and Escape gives focus back to the
/// message.
#[component]
fn MessageTools(
    quote: Quote,
    own: bool,
    pinned: bool,
    has_text: bool,
    /// It has words or files to pass on.
    forwardable: bool,
    tools: Tools,
    /// The message's element, which focus goes back to.
    li: NodeRef<leptos::html::Li>,
) -> impl IntoView {
    let ctx = ctx();
    let target = Seq(quote.seq);
    let menu = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(menu) = menu.get() {
            menu::focus_first(&menu);
        }
    });
    // Closed, the menu gives focus back to its message.
    // Closed, the menu gives focus back to its message: in the next frame,
    // once the focused item is gone (Firefox drops focus to the page then).
    let done = move || {
        tools.selected.set(None);
        let key = format!("s{}", target.0);
        tools.focused.set(Some(key.clone()));
        request_animation_frame(move || refocus_message(&key));
    };
    // A message that goes passes the list's tab stop to a neighbour.
    let gone = move || {
        tools.selected.set(None);
        let next = li
            .get_untracked()
            .and_then(|li| neighbour(&li)?.get_attribute("data-key"));
        if let Some(next) = next {
            tools.focused.set(Some(next.clone()));
            request_animation_frame(move || refocus_message(&next));
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(menu) = menu.get_untracked() else {
            return;
        };
        match menu::on_key(&ev, &menu) {
            MenuKey::Close => done(),
            MenuKey::Leave => tools.selected.set(None),
            MenuKey::Handled => {}
        }
    };
    let forward = {
        let text = quote.text.clone();
        move |_| {
            done();
            ctx.forwarding.set(Some((tools.chat, target, text.clone())));
        }
    };
    let delete_for_me = move |_| {
        gone();
        if let Some(store) = ctx.store() {
            spawn_local(async move {
                if store.hide(tools.chat, target).await.is_ok() {
                    ctx.changed();
                }
            });
        }
    };
    // Who has read it, in a group small enough to say (not one's own name).
    let seen_by = move || {
        let me = ctx.me.with(|m| m.as_ref().map(|m| m.id));
        let names: Vec<String> = ctx.reads.with(|r| {
            r.get(&tools.chat)
                .map(|cursors| {
                    cursors
                        .iter()
                        .filter(|(user, marks)| Some(**user) != me && marks.read >= target)
                        .filter_map(|(user, _)| tools.names.with(|n| n.get(user).cloned()))
                        .collect()
                })
                .unwrap_or_default()
        });
        (own && tools.seen_by.get_untracked()).then(|| {
            let text = if names.is_empty() {
                t("seen-by-nobody")
            } else {
                t_with("seen-by", &[("names", names.join(", ").into())])
            };
            view! { <p class="seen-by muted">{text}</p> }
        })
    };
    // Replying and editing go on in the composer, which takes focus.
    let reply = {
        let quote = quote.clone();
        move |_| {
            tools.selected.set(None);
            tools.edit.set(None);
            tools.reply.set(Some(quote.clone()));
        }
    };
    let edit = {
        move |_| {
            tools.selected.set(None);
            tools.reply.set(None);
            tools.edit.set(Some(quote.clone()));
        }
    };
    view! {
        <div class="tools">
            {seen_by}
            <div role="menu" aria-label=t("message-actions") node_ref=menu on:keydown=on_key>
                <div class="react-row" role="group" aria-label=t("reactions")>
                    {REACTIONS.iter().map(|&emoji| view! {
                        <button type="button" role="menuitem" tabindex="-1" class="icon" aria-label=t_with("react", &[("emoji", emoji.into())])
                            on:click=move |_| { tools.act(Act::React { target, emoji: emoji.to_string(), on: true }); done(); }>
                            {emoji}
                        </button>
                    }).collect_view()}
                </div>
                <button type="button" role="menuitem" tabindex="-1" on:click=reply>{t("reply")}</button>
                {forwardable.then(|| view! { <button type="button" role="menuitem" tabindex="-1" on:click=forward.clone()>{t("forward")}</button> })}
                {(own && has_text).then(|| view! { <button type="button" role="menuitem" tabindex="-1" on:click=edit.clone()>{t("edit")}</button> })}
                {tools.may_pin.get_untracked().then(|| view! {
                    <button type="button" role="menuitem" tabindex="-1" on:click=move |_| { tools.act(Act::Pin { target, on: !pinned }); done(); }>
                        {if pinned { t("unpin") } else { t("pin") }}
                    </button>
                })}
                <button type="button" role="menuitem" tabindex="-1" on:click=delete_for_me>{t("delete-for-me")}</button>
                {(own || tools.may_delete_any.get_untracked()).then(|| view! {
                    <button type="button" role="menuitem" tabindex="-1" class="danger" on:click=move |_| { gone(); tools.act(Act::Delete { target }); }>{t("delete-for-everyone")}</button>
                })}
            </div>
        </div>
    }
}

/// Puts focus on the message whose line key is `key`, if it is shown.
pub fn focus_message(key: &str) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!("li.msg[data-key=\"{key}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}

/// Gives focus back to a message once its menu has gone, unless focus
/// has moved on to a field meanwhile (Ctrl+F pressed before the next
/// frame puts it in the chat's search): what the person types there must
/// stay there.
fn refocus_message(key: &str) {
    let typing = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA"));
    if !typing {
        focus_message(key);
    }
}

/// The message after `li` in the list, or before it if it is the last.
fn neighbour(li: &web_sys::HtmlLiElement) -> Option<web_sys::HtmlElement> {
    let is_msg = |e: &web_sys::Element| e.class_list().contains("msg");
    let step = |e: &web_sys::Element, forward: bool| {
        let mut at = if forward {
            e.next_element_sibling()
        } else {
            e.previous_element_sibling()
        };
        while let Some(el) = at {
            if is_msg(&el) {
                return Some(el);
            }
            at = if forward {
                el.next_element_sibling()
            } else {
                el.previous_element_sibling()
            };
        }
        None
    };
    step(li, true)
        .or_else(|| step(li, false))
        .and_then(|e| e.dyn_into().ok())
}

/// A channel post's view count, once the server has told it.
#[component]
fn PostViews(key: (i64, i64)) -> impl IntoView {
    let ctx = ctx();
    let views = move || ctx.views.with(|v| v.get(&key).copied());
    view! {
        <Show when=move || views().is_some()>
            <span class="views" aria-label=move || t_with("views", &[("n", views().unwrap_or(0).into())])>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3"/></svg>
                {move || views().unwrap_or(0)}
            </span>
        </Show>
    }
}
