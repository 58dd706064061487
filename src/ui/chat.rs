//! One open chat: header, members and settings, messages, composer.

use courier_protocol::limits::{MAX_TEXT_CHARS, check_text};
use courier_protocol::{ChatId, ChatKind, ChatSummary, ErrorCode, Seq};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::admin::{MembersPanel, SettingsPanel};
use super::{ctx, hhmm, members_label};
use crate::store::{ChatPage, OutState};

/// Most channel posts whose view counts the open chat asks for.
const VIEWED_POSTS: usize = 100;

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
    /// Set for a channel's stored posts, which show a view count.
    views_key: Option<(i64, i64)>,
}

fn lines(page: &ChatPage, me: Option<courier_protocol::UserId>, my_name: &str) -> Vec<Line> {
    let channel = page
        .chat
        .as_ref()
        .is_some_and(|c| c.kind == ChatKind::Channel);
    let stored = page.messages.iter().map(|m| Line {
        key: format!("s{}", m.seq.0),
        seq: Some(m.seq.0),
        sender: m.sender_name.clone(),
        text: m.text.clone(),
        at: m.at,
        own: Some(m.sender) == me,
        state: None,
        views_key: channel.then_some((m.chat.0, m.seq.0)),
    });
    let pending = page.outbox.iter().map(|e| Line {
        key: format!("p{}", e.id.0),
        seq: None,
        sender: my_name.to_string(),
        text: e.text.clone(),
        at: e.created,
        own: true,
        state: Some(e.state),
        views_key: None,
    });
    stored.chain(pending).collect()
}

#[component]
pub fn ChatView(id: ChatId) -> impl IntoView {
    let ctx = ctx();
    let page = RwSignal::new(ChatPage::default());
    let loaded = RwSignal::new(false);
    Effect::new(move |_| {
        ctx.rev.track();
        let Some(store) = ctx.store() else { return };
        spawn_local(async move {
            let Ok(p) = store.chat_page(id).await else {
                return;
            };
            let channel = p.chat.as_ref().is_some_and(|c| c.kind == ChatKind::Channel);
            let newest: Vec<Seq> = p
                .messages
                .iter()
                .rev()
                .take(VIEWED_POSTS)
                .map(|m| m.seq)
                .collect();
            page.try_set(p);
            loaded.try_set(true);
            // Reading the chat is what marks it read, here and on the server.
            if let Ok(Some(seq)) = store.mark_read(id).await {
                ctx.changed();
                if let Some(session) = ctx.session() {
                    session.read(id, seq);
                }
            }
            if channel
                && !newest.is_empty()
                && let Some(session) = ctx.session()
            {
                session.ask_views(id, newest);
            }
        });
    });
    let chat = Memo::new(move |_| page.with(|p| p.chat.clone()));
    let has_chat = Memo::new(move |_| chat.with(Option::is_some));
    let title = move || chat.with(|c| c.as_ref().map(|c| c.title.clone()).unwrap_or_default());
    let subtitle = move || chat.with(|c| c.as_ref().map(subtitle_of).unwrap_or_default());
    // A channel's subscribers do not see each other.
    let may_list = move || {
        chat.with(|c| {
            c.as_ref().is_none_or(|c| {
                c.kind != ChatKind::Channel || c.role != courier_protocol::Role::Member
            })
        })
    };
    let may_manage = move || {
        chat.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.rights.edit_info || c.rights.invite)
        })
    };
    let panel = RwSignal::new(None::<Panel>);
    let toggle = move |which: Panel| {
        panel.update(|p| *p = if *p == Some(which) { None } else { Some(which) })
    };
    view! {
        <main class="pane chat">
            <header class="chat-head">
                <button class="icon back" aria-label="Back" on:click=move |_| ctx.open.set(None)>"←"</button>
                <div class="chat-title">
                    <h2 dir="auto">{title}</h2>
                    <span class="muted">{subtitle}</span>
                </div>
                <Show when=may_list>
                    <button
                        class="members-toggle"
                        aria-expanded=move || (panel.get() == Some(Panel::Members)).to_string()
                        on:click=move |_| toggle(Panel::Members)
                    >
                        "Members"
                    </button>
                </Show>
                <Show when=may_manage>
                    <button
                        class="members-toggle"
                        aria-expanded=move || (panel.get() == Some(Panel::Settings)).to_string()
                        on:click=move |_| toggle(Panel::Settings)
                    >
                        "Settings"
                    </button>
                </Show>
            </header>
            // A panel takes the chat as it was when opened, so saving its
            // settings does not rebuild it under the person's hands.
            {move || match (panel.get(), has_chat.get()) {
                (Some(Panel::Members), true) => chat.get_untracked().map(|c| view! { <MembersPanel chat=c /> }.into_any()),
                (Some(Panel::Settings), true) => chat.get_untracked().map(|c| view! { <SettingsPanel chat=c /> }.into_any()),
                _ => None,
            }}
            <Show when=move || loaded.get() && chat.with(Option::is_none)>
                <p class="gone" role="status">"You are no longer a member of this chat."</p>
            </Show>
            <MessageList page />
            {move || chat.get().map(|c| if c.rights.post {
                view! { <Composer id slow_mode_s=c.slow_mode_s /> }.into_any()
            } else {
                view! { <p class="composer-note" role="note">"Only admins post in this channel."</p> }.into_any()
            })}
        </main>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Panel {
    Members,
    Settings,
}

fn subtitle_of(chat: &ChatSummary) -> String {
    let mut parts = vec![match chat.kind {
        ChatKind::Channel if chat.member_count == 1 => "1 subscriber".to_string(),
        ChatKind::Channel => format!("{} subscribers", chat.member_count),
        _ => members_label(chat.member_count),
    }];
    if let Some(handle) = &chat.handle {
        parts.push(format!("@{handle}"));
    }
    parts.join(" · ")
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
        (true, None) => Some(
            view! { <span class="state sent" aria-label="Sent" title="Sent">"✓"</span> }.into_any(),
        ),
        (true, Some(OutState::Pending)) => Some(
            view! { <span class="state pending" aria-label="Pending" title="Pending">"🕓"</span> }
                .into_any(),
        ),
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
                {line.views_key.map(|key| view! { <PostViews key /> })}
                <time>{hhmm(line.at)}</time>
                {state}
            </span>
        </li>
    }
}

/// A channel post's view count, once the server has told it.
#[component]
fn PostViews(key: (i64, i64)) -> impl IntoView {
    let ctx = ctx();
    let views = move || ctx.views.with(|v| v.get(&key).copied());
    view! {
        <Show when=move || views().is_some()>
            <span class="views" aria-label=move || match views().unwrap_or(0) { 1 => "1 view".to_string(), n => format!("{n} views") }>{move || format!("👁 {}", views().unwrap_or(0))}</span>
        </Show>
    }
}

#[component]
fn Composer(id: ChatId, slow_mode_s: u32) -> impl IntoView {
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
        {(slow_mode_s > 0).then(|| view! {
            <p class="composer-note" role="note">{format!("Slow mode: one message every {slow_mode_s} s")}</p>
        })}
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
