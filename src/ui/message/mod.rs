//! One message in the list and what can be done to it: reply, react,
//! edit, delete, pin. Acts go through the outbox like messages and show
//! once the server has them in the chat's sequence.

use std::collections::HashMap;

use courier_protocol::limits::REACTIONS;
use courier_protocol::model::format::{self, Span};
use courier_protocol::{Act, ChatId, ClientMsgId, ErrorCode, Seq, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;

mod lines;
mod media;

pub use lines::{Line, Quote, Reach, lines, quote_of};
pub use media::size_text;

use super::hhmm;
use crate::i18n::{self, t, t_with};
use crate::state::ctx;
use crate::store::OutState;
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
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("button, a, .tools").ok().flatten())
        .is_some()
}

fn failure_text(code: ErrorCode) -> String {
    let reason = i18n::lower_first(&i18n::error_text(code));
    t_with("not-sent", &[("reason", reason.into())])
}

#[component]
pub fn MessageItem(line: Line, tools: Tools) -> impl IntoView {
    let state = match (line.own, line.state) {
        (false, _) => None,
        (true, None) if line.reach == Reach::Read => Some(
            view! { <span class="state read" aria-label=t("read") title=t("read")>"✓✓"</span> }.into_any(),
        ),
        (true, None) if line.reach == Reach::Delivered => Some(
            view! {
                <span class="state delivered" aria-label=t("delivered") title=t("delivered")>"✓✓"</span>
            }
            .into_any(),
        ),
        (true, None) => Some(
            view! { <span class="state sent" aria-label=t("sent") title=t("sent")>"✓"</span> }.into_any(),
        ),
        (true, Some(OutState::Pending | OutState::Uploading)) => Some(
            view! { <span class="state pending" aria-label=t("pending") title=t("pending")>"🕓"</span> }
                .into_any(),
        ),
        (true, Some(OutState::Failed(code))) => Some(
            view! {
                <span class="state failed" aria-label=t("failed") title=t("failed")>"!"</span>
                <span class="failure">{failure_text(code)}</span>
            }
            .into_any(),
        ),
    };
    let seq = line.seq;
    let open = move || seq.is_some() && tools.selected.get() == seq;
    let quote = Quote {
        seq: seq.unwrap_or(0),
        sender: line.sender.clone(),
        text: line.text.clone(),
    };
    let reply = line.reply.clone().map(|q| {
        let label = if q.sender.is_empty() {
            t("reply-to-earlier")
        } else {
            t_with(
                "reply-to-quote",
                &[("sender", q.sender.clone().into()), ("text", q.text.clone().into())],
            )
        };
        view! {
            <button type="button" class="quote" aria-label=label on:click=move |_| ctx().jump.set(Some((tools.chat, Seq(q.seq))))>
                <span class="quote-sender" dir="auto">{q.sender.clone()}</span>
                <span class="quote-text" dir="auto">{q.text.clone()}</span>
            </button>
        }
    });
    let reactions =
        (!line.reactions.is_empty()).then(|| {
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
            let label = if r.names.is_empty() {
                t_with("reaction-count", &[("emoji", emoji), ("n", count.into())])
            } else {
                t_with("reaction-by", &[("emoji", emoji), ("names", who.clone().into())])
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
            data-pending=line.seq.is_none().then(|| line.key[1..].to_string())
            on:click=move |ev: leptos::ev::MouseEvent| {
                // A click on one of the message's buttons or links is theirs.
                if seq.is_some() && !on_button(&ev) {
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
            </span>
            <Show when=open>
                <MessageTools quote=quote.clone() own pinned has_text forwardable tools />
            </Show>
        </li>
    }
}

/// The actions of the selected message.
#[component]
fn MessageTools(
    quote: Quote,
    own: bool,
    pinned: bool,
    has_text: bool,
    /// It has words or files to pass on.
    forwardable: bool,
    tools: Tools,
) -> impl IntoView {
    let ctx = ctx();
    let target = Seq(quote.seq);
    let done = move || tools.selected.set(None);
    let forward = {
        let text = quote.text.clone();
        move |_| {
            ctx.forwarding.set(Some((tools.chat, target, text.clone())));
            done();
        }
    };
    let delete_for_me = move |_| {
        done();
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
    let reply = {
        let quote = quote.clone();
        move |_| {
            tools.edit.set(None);
            tools.reply.set(Some(quote.clone()));
            done();
        }
    };
    let edit = {
        move |_| {
            tools.reply.set(None);
            tools.edit.set(Some(quote.clone()));
            done();
        }
    };
    view! {
        <div class="tools" role="toolbar" aria-label=t("message-actions")>
            <div class="react-row">
                {REACTIONS.iter().map(|&emoji| view! {
                    <button type="button" class="icon" aria-label=t_with("react", &[("emoji", emoji.into())])
                        on:click=move |_| { tools.act(Act::React { target, emoji: emoji.to_string(), on: true }); done(); }>
                        {emoji}
                    </button>
                }).collect_view()}
            </div>
            {seen_by}
            <button type="button" on:click=reply>{t("reply")}</button>
            {forwardable.then(|| view! { <button type="button" on:click=forward.clone()>{t("forward")}</button> })}
            {(own && has_text).then(|| view! { <button type="button" on:click=edit.clone()>{t("edit")}</button> })}
            <button type="button" on:click=delete_for_me>{t("delete-for-me")}</button>
            {(own || tools.may_delete_any.get_untracked()).then(|| view! {
                <button type="button" class="danger" on:click=move |_| { tools.act(Act::Delete { target }); done(); }>{t("delete-for-everyone")}</button>
            })}
            {tools.may_pin.get_untracked().then(|| view! {
                <button type="button" on:click=move |_| { tools.act(Act::Pin { target, on: !pinned }); done(); }>
                    {if pinned { t("unpin") } else { t("pin") }}
                </button>
            })}
        </div>
    }
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
