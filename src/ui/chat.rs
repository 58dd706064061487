//! One open chat: header, members and invite link, messages, composer.

use courier_protocol::api::Members;
use courier_protocol::limits::{MAX_TEXT_CHARS, check_text};
use courier_protocol::{ChatId, ChatKind, ErrorCode};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{ctx, hhmm, members_label, say};
use crate::net::{self, ApiFail};
use crate::store::{ChatPage, OutState};

/// One line of the message list: a stored message or an outbox entry.
#[derive(Clone, PartialEq)]
struct Line {
    /// `s<seq>` or `p<client id>`; stable across refreshes.
    key: String,
    seq: Option<i64>,
    sender: String,
    text: String,
    at: i64,
    own: bool,
    state: Option<OutState>,
}

fn lines(page: &ChatPage, me: Option<courier_protocol::UserId>, my_name: &str) -> Vec<Line> {
    let stored = page.messages.iter().map(|m| Line {
        key: format!("s{}", m.seq.0),
        seq: Some(m.seq.0),
        sender: m.sender_name.clone(),
        text: m.text.clone(),
        at: m.at,
        own: Some(m.sender) == me,
        state: None,
    });
    let pending = page.outbox.iter().map(|e| Line {
        key: format!("p{}", e.id.0),
        seq: None,
        sender: my_name.to_string(),
        text: e.text.clone(),
        at: e.created,
        own: true,
        state: Some(e.state),
    });
    stored.chain(pending).collect()
}

#[component]
pub fn ChatView(id: ChatId) -> impl IntoView {
    let ctx = ctx();
    let page = RwSignal::new(ChatPage::default());
    Effect::new(move |_| {
        ctx.rev.track();
        let Some(store) = ctx.store() else { return };
        spawn_local(async move {
            if let Ok(p) = store.chat_page(id).await {
                page.try_set(p);
            }
            // Reading the chat is what marks it read.
            if let Ok(true) = store.mark_read(id).await {
                ctx.changed();
            }
        });
    });
    let title = move || page.with(|p| p.chat.as_ref().map(|c| c.title.clone()).unwrap_or_default());
    let subtitle = move || {
        page.with(|p| {
            p.chat
                .as_ref()
                .map(|c| members_label(c.member_count))
                .unwrap_or_default()
        })
    };
    let show_members = RwSignal::new(false);
    view! {
        <main class="pane chat">
            <header class="chat-head">
                <button class="icon back" aria-label="Back" on:click=move |_| ctx.open.set(None)>"←"</button>
                <div class="chat-title">
                    <h2 dir="auto">{title}</h2>
                    <span class="muted">{subtitle}</span>
                </div>
                <button
                    class="members-toggle"
                    aria-expanded=move || show_members.get().to_string()
                    on:click=move |_| show_members.update(|s| *s = !*s)
                >
                    "Members"
                </button>
            </header>
            <Show when=move || show_members.get()>
                <MembersPanel id invite=Signal::derive(move || page.with(|p| {
                    // Only groups are joined by link; a 1:1 chat is for its two people.
                    p.chat.as_ref().filter(|c| c.kind == ChatKind::Group).map(|c| c.invite.clone())
                })) />
            </Show>
            <MessageList page />
            <Composer id />
        </main>
    }
}

#[component]
fn MembersPanel(id: ChatId, invite: Signal<Option<String>>) -> impl IntoView {
    let members = RwSignal::new(None::<Result<Members, ApiFail>>);
    spawn_local(async move {
        let found = net::get::<Members>(&format!("/api/chats/{}/members", id.0)).await;
        members.try_set(Some(found));
    });
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let link = move || {
        invite
            .get()
            .map(|code| format!("{origin}/join/{code}"))
            .unwrap_or_default()
    };
    let copied = RwSignal::new(false);
    let copy = {
        let link = link.clone();
        move |_| {
            let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
                return;
            };
            let writing = clipboard.write_text(&link());
            spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(writing).await.is_ok() {
                    copied.try_set(true);
                }
            });
        }
    };
    view! {
        <section class="members" aria-label="Members of this chat">
            <Show when=move || invite.with(Option::is_some)>
                <div class="invite">
                    <input
                        readonly
                        aria-label="Invite link"
                        prop:value=link.clone()
                        on:focus=|ev| { event_target::<web_sys::HtmlInputElement>(&ev).select() }
                    />
                    <button type="button" on:click=copy.clone()>{move || if copied.get() { "Copied" } else { "Copy link" }}</button>
                </div>
            </Show>
            {move || match members.get() {
                None => view! { <p class="muted">"Loading members…"</p> }.into_any(),
                Some(Err(fail)) => view! { <p class="error">{say(fail)}</p> }.into_any(),
                Some(Ok(Members { members })) => view! {
                    <ul class="member-list">
                        {members.into_iter().map(|m| view! {
                            <li dir="auto">
                                {m.name}
                                {m.username.map(|u| view! { <span class="muted">" @" {u}</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn MessageList(page: RwSignal<ChatPage>) -> impl IntoView {
    let ctx = ctx();
    let list = NodeRef::<leptos::html::Ul>::new();
    let items = Memo::new(move |_| {
        let (me, name) = ctx.me.with(|m| {
            (
                m.as_ref().map(|m| m.id),
                m.as_ref().map(|m| m.name.clone()).unwrap_or_default(),
            )
        });
        page.with(|p| lines(p, me, &name))
    });
    // Keep the newest message in view once the DOM has it.
    Effect::new(move |_| {
        items.track();
        request_animation_frame(move || {
            if let Some(ul) = list.get_untracked() {
                ul.set_scroll_top(ul.scroll_height());
            }
        });
    });
    view! {
        <ul role="list" aria-label="Messages" class="messages" node_ref=list>
            <For
                each=move || items.get()
                key=|l| (l.key.clone(), l.state.map(|s| format!("{s:?}")))
                children=|l| view! { <MessageItem line=l /> }
            />
        </ul>
    }
}

fn failure_text(code: ErrorCode) -> String {
    format!("Not sent: {code}")
}

#[component]
fn MessageItem(line: Line) -> impl IntoView {
    let state = match (line.own, line.state) {
        (false, _) => None,
        (true, None) => Some(view! { <span class="state sent" aria-label="Sent" title="Sent">"✓"</span> }.into_any()),
        (true, Some(OutState::Pending)) => {
            Some(view! { <span class="state pending" aria-label="Pending" title="Pending">"🕓"</span> }.into_any())
        }
        (true, Some(OutState::Failed(code))) => Some(
            view! {
                <span class="state failed" aria-label="Failed" title="Failed">"!"</span>
                <span class="failure">{failure_text(code)}</span>
            }
            .into_any(),
        ),
    };
    view! {
        <li
            class="msg"
            class=("own", line.own)
            class=("failed", matches!(line.state, Some(OutState::Failed(_))))
            data-seq=line.seq
            data-pending=line.seq.is_none().then(|| line.key[1..].to_string())
        >
            <span class="sender" dir="auto">{line.sender}</span>
            <p class="text" dir="auto">{line.text}</p>
            <span class="meta">
                <time>{hhmm(line.at)}</time>
                {state}
            </span>
        </li>
    }
}

#[component]
fn Composer(id: ChatId) -> impl IntoView {
    let ctx = ctx();
    let draft = RwSignal::new(String::new());
    let too_long = move || draft.with(|d| check_text(d) == Err(ErrorCode::TextTooLong));
    let send = move || {
        let text = draft.get_untracked();
        if check_text(&text).is_err() {
            return;
        }
        let Some(session) = ctx.session() else { return };
        draft.set(String::new());
        spawn_local(async move {
            if session.send(id, text.clone()).await.is_err() {
                // Not even stored: give the text back rather than lose it.
                draft.try_set(text);
            }
        });
    };
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    view! {
        <Show when=too_long>
            <p class="error composer-error" role="alert">
                {move || format!(
                    "Message is too long: {} of {MAX_TEXT_CHARS} characters allowed",
                    draft.with(|d| d.chars().count()),
                )}
            </p>
        </Show>
        <form class="composer" on:submit=move |ev: SubmitEvent| {
            ev.prevent_default();
            send();
        }>
            <textarea
                aria-label="Message"
                placeholder="Message"
                dir="auto"
                rows="1"
                aria-invalid=move || too_long().then_some("true")
                prop:value=draft
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=on_key
            ></textarea>
            <button type="submit" class="send" aria-label="Send" title="Send">"➤"</button>
        </form>
    }
}
