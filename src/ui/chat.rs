//! One open chat: header, members and settings, messages, composer.

use courier_protocol::limits::{MAX_TEXT_CHARS, check_text};
use courier_protocol::{Act, ChatId, ChatKind, ChatSummary, ErrorCode, Seq};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::admin::{MembersPanel, SettingsPanel};
use super::message::{Line, MessageItem, Quote, Tools, lines, show_message};
use super::{ctx, members_label};
use crate::store::ChatPage;

/// Most channel posts whose view counts the open chat asks for.
const VIEWED_POSTS: usize = 100;

#[component]
pub fn ChatView(id: ChatId) -> impl IntoView {
    let ctx = ctx();
    let page = RwSignal::new(ChatPage::default());
    let loaded = RwSignal::new(false);
    Effect::new(move |_| {
        ctx.rev.track();
        let Some(store) = ctx.store() else { return };
        spawn_local(async move {
            let Ok(p) = store.chat_page(id, crate::store::Window::Newest).await else {
                return;
            };
            let channel = p.chat.as_ref().is_some_and(|c| c.kind == ChatKind::Channel);
            let newest: Vec<Seq> = p
                .messages
                .iter()
                .rev()
                .filter(|m| m.shown())
                .take(VIEWED_POSTS)
                .map(|m| m.message.seq)
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
    let tools = Tools {
        chat: id,
        selected: RwSignal::new(None),
        reply: RwSignal::new(None),
        edit: RwSignal::new(None),
        may_delete_any: Memo::new(move |_| {
            chat.with(|c| c.as_ref().is_some_and(|c| c.rights.delete))
        }),
        may_pin: Memo::new(move |_| {
            chat.with(|c| {
                c.as_ref()
                    .is_some_and(|c| c.rights.pin || c.kind == ChatKind::Direct)
            })
        }),
    };
    // The newest pinned message, shown in a bar above the list.
    let pinned = Memo::new(move |_| {
        page.with(|p| {
            p.messages
                .iter()
                .rev()
                .find(|m| m.pinned && m.shown())
                .map(|m| Quote {
                    seq: m.message.seq.0,
                    sender: m.message.sender_name.clone(),
                    text: m.message.text.clone(),
                })
        })
    });
    let may_post = Memo::new(move |_| chat.with(|c| c.as_ref().is_some_and(|c| c.rights.post)));
    let slow_mode_s = Memo::new(move |_| chat.with(|c| c.as_ref().map_or(0, |c| c.slow_mode_s)));
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
            {move || pinned.get().map(|q| view! {
                <button type="button" class="pinned-bar" aria-label="Pinned message" on:click=move |_| show_message(q.seq)>
                    <span class="pinned-label">"Pinned"</span>
                    <span class="pinned-text" dir="auto">{q.text.clone()}</span>
                </button>
            })}
            <MessageList page tools />
            // Keyed on whether one may post only: a new message changes the
            // chat's summary, and rebuilding the composer would lose the draft.
            {move || has_chat.get().then(|| if may_post.get() {
                view! { <Composer id slow_mode_s tools /> }.into_any()
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
fn MessageList(page: RwSignal<ChatPage>, tools: Tools) -> impl IntoView {
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
                key=|l: &Line| (l.key.clone(), l.version())
                children=move |l| view! { <MessageItem line=l tools /> }
            />
        </ul>
    }
}

#[component]
fn Composer(id: ChatId, slow_mode_s: Memo<u32>, tools: Tools) -> impl IntoView {
    let ctx = ctx();
    let draft = RwSignal::new(String::new());
    let too_long = move || draft.with(|d| check_text(d) == Err(ErrorCode::TextTooLong));
    // Editing puts the message's text in the box; leaving edit empties it.
    Effect::new(move |was_editing: Option<bool>| {
        let editing = tools.edit.with(|e| e.as_ref().map(|q| q.text.clone()));
        match &editing {
            Some(text) => draft.set(text.clone()),
            None if was_editing == Some(true) => draft.set(String::new()),
            None => {}
        }
        editing.is_some()
    });
    let send = move || {
        let text = draft.get_untracked();
        if check_text(&text).is_err() {
            return;
        }
        let Some(session) = ctx.session() else { return };
        let (reply, edit) = (tools.reply.get_untracked(), tools.edit.get_untracked());
        draft.set(String::new());
        tools.reply.set(None);
        tools.edit.set(None);
        spawn_local(async move {
            let stored = match edit {
                Some(q) => {
                    session
                        .act(
                            id,
                            Act::Edit {
                                target: Seq(q.seq),
                                text: text.clone(),
                            },
                        )
                        .await
                }
                None => {
                    session
                        .send(id, text.clone(), reply.map(|q| Seq(q.seq)))
                        .await
                }
            };
            if stored.is_err() {
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
        {move || (slow_mode_s.get() > 0).then(|| view! {
            <p class="composer-note" role="note">{format!("Slow mode: one message every {} s", slow_mode_s.get())}</p>
        })}
        {move || tools.reply.get().map(|q| view! {
            <div class="composing" role="status">
                <span class="muted">"Reply to "</span><b dir="auto">{q.sender.clone()}</b>
                <span class="quote-text" dir="auto">{q.text.clone()}</span>
                <button type="button" class="icon" aria-label="Cancel reply" on:click=move |_| tools.reply.set(None)>"✕"</button>
            </div>
        })}
        {move || tools.edit.get().map(|_| view! {
            <div class="composing" role="status">
                <span class="muted">"Editing message"</span>
                <button type="button" class="icon" aria-label="Cancel edit" on:click=move |_| tools.edit.set(None)>"✕"</button>
            </div>
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
