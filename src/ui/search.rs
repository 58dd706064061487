//! Search, in one chat or over everything. Over everything it finds, in
//! sections as Telegram does: one's chats by title or @handle, people by
//! name or @username (with or without a chat yet), public groups and
//! channels, and messages. Chats and messages come from the device first
//! (so it works offline), then the server adds what this device lacks.

use crate::case;
use std::collections::{HashMap, HashSet};

use courier_protocol::http::chats::{Directory, PersonHit, PublicChat};
use courier_protocol::http::{ChatCreated, Found};
use courier_protocol::{ChatId, ChatSummary, Message};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{hhmm, say};
use crate::api::{self, ApiFail};
use crate::i18n::{self, t};
use crate::state::ctx;

const RESULTS: usize = 50;

/// A search box and its results; `chat` limits it to one chat.
#[component]
pub fn Search(
    #[prop(optional)] chat: Option<ChatId>,
    /// Takes focus when shown (opened from a button or Ctrl+F).
    #[prop(optional)]
    focus: bool,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get().filter(|_| focus) {
            let _ = input.focus();
        }
    });
    let query = RwSignal::new(String::new());
    let label = if chat.is_some() {
        t("search-in-chat")
    } else {
        t("search")
    };
    let landmark = label.clone();
    view! {
        <div class="search" role="search" aria-label=landmark>
            <input
                type="search"
                node_ref=input
                aria-label=label.clone()
                placeholder=label
                dir="auto"
                prop:value=query
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <Show when=move || !query.with(|q| q.trim().is_empty())>
                <Hits query chat />
            </Show>
        </div>
    }
}

/// The results for `query`, searched again as it changes.
#[component]
fn Hits(query: RwSignal<String>, chat: Option<ChatId>) -> impl IntoView {
    let ctx = ctx();
    let results = RwSignal::new(Vec::<Message>::new());
    let offline = RwSignal::new(false);
    let titles = RwSignal::new(HashMap::<ChatId, String>::new());
    // Over everything: one's chats that match, and what the server's
    // directory finds.
    let chats = RwSignal::new(Vec::<ChatSummary>::new());
    let directory = RwSignal::new(Directory::default());
    let error = RwSignal::new(None::<String>);
    // Each keystroke starts a search; only the latest one's answers count.
    let generation = StoredValue::new(0u64);
    let run = move |text: String| {
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let current = move || generation.get_value() == mine;
        if text.trim().is_empty() {
            results.set(Vec::new());
            chats.set(Vec::new());
            directory.set(Directory::default());
            return;
        }
        let Some(store) = ctx.store() else { return };
        if chat.is_none() {
            let text = text.clone();
            spawn_local(async move {
                if let Ok(found) = api::chats::directory(text.trim()).await
                    && current()
                {
                    directory.try_set(found);
                }
            });
        }
        spawn_local(async move {
            if let Ok(all) = store.chats().await {
                if chat.is_none() {
                    chats.try_set(matching(&all, text.trim()));
                }
                titles.try_set(all.into_iter().map(|c| (c.id, c.title)).collect());
            }
            let local: Vec<Message> = store
                .search(chat, text.trim(), RESULTS)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|k| k.message)
                .collect();
            if !current() {
                return;
            }
            results.try_set(local.clone());
            match api::messaging::search(text.trim(), chat).await {
                Ok(Found { messages }) if current() => {
                    offline.try_set(false);
                    results.try_set(merge(local, messages));
                }
                Err(_) if current() => {
                    offline.try_set(true);
                }
                _ => {}
            }
        });
    };
    Effect::new(move |_| run(query.get()));
    // A person found opens the chat with them (made now if need be); a
    // public chat opens once joined.
    let opened = move |made: Result<ChatCreated, ApiFail>| match made {
        Ok(ChatCreated { chat }) => {
            // Emptied, the query closes these results.
            query.set(String::new());
            ctx.show_chat(chat);
        }
        Err(fail) => {
            error.try_set(Some(say(fail)));
        }
    };
    let message_person = move |p: PersonHit| {
        move |_| {
            let username = p.username.clone();
            spawn_local(async move { opened(api::chats::new_direct(username).await) });
        }
    };
    let join = move |c: PublicChat| {
        move |_| {
            let handle = c.handle.clone();
            spawn_local(async move { opened(api::chats::join_public(&handle).await) });
        }
    };
    // Public chats one is in already show among one's chats.
    let public = move || {
        directory.with(|d| {
            d.chats
                .iter()
                .filter(|c| chats.with(|mine| mine.iter().all(|m| m.id != c.id)))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let nothing = move || {
        results.with(Vec::is_empty)
            && chats.with(Vec::is_empty)
            && directory.with(|d| d.people.is_empty())
            && public().is_empty()
    };
    let open = move |m: &Message| {
        let (chat, seq) = (m.chat, m.seq);
        move |_| {
            ctx.jump.set(Some((chat, seq)));
            ctx.open.set(Some(chat));
        }
    };
    let messages = move || {
        results
            .get()
            .iter()
            .map(|m| {
                let title = titles.with(|t| t.get(&m.chat).cloned()).unwrap_or_default();
                view! {
                    <li>
                        <button class="search-hit" on:click=open(m)>
                            <span class="title" dir="auto">{chat.is_none().then_some(title)}</span>
                            <span class="time">{hhmm(m.at)}</span>
                            <span class="preview" dir="auto">
                                {format!("{}: {}", m.sender_name, i18n::gist(m))}
                            </span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || offline.get()>
            <p class="muted">{t("search-offline")}</p>
        </Show>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <div class="search-results">
            <Show when=nothing>
                <p class="muted">{t("search-none")}</p>
            </Show>
            <Show when=move || !chats.with(Vec::is_empty)>
                <Section title=t("chats")>
                    {move || chats.get().into_iter().map(|c| {
                        let id = c.id;
                        view! {
                            <li><button class="search-hit" on:click=move |_| ctx.open.set(Some(id))>
                                <span class="title" dir="auto">{c.title}</span>
                                <span class="preview">{c.handle.map(|h| format!("@{h}"))}</span>
                            </button></li>
                        }
                    }).collect_view()}
                </Section>
            </Show>
            <Show when=move || directory.with(|d| !d.people.is_empty())>
                <Section title=t("section-people")>
                    {move || directory.with(|d| d.people.clone()).into_iter().map(|p| {
                        let (name, handle) = (p.name.clone(), format!("@{}", p.username));
                        view! {
                            <li><button class="search-hit" on:click=message_person(p)>
                                <span class="title" dir="auto">{name}" "</span>
                                <span class="preview">{handle}</span>
                            </button></li>
                        }
                    }).collect_view()}
                </Section>
            </Show>
            <Show when=move || !public().is_empty()>
                <Section title=t("section-public")>
                    {move || public().into_iter().map(|c| {
                        let title = c.title.clone();
                        let about = format!("@{} · {}", c.handle, super::members_label(c.member_count));
                        view! {
                            <li><button class="search-hit" on:click=join(c)>
                                <span class="title" dir="auto">{title}" "</span>
                                <span class="preview">{about}</span>
                            </button></li>
                        }
                    }).collect_view()}
                </Section>
            </Show>
            <Show when=move || !results.with(Vec::is_empty)>
                {move || if chat.is_none() {
                    view! { <Section title=t("messages") label=t("search-results")>{messages}</Section> }.into_any()
                } else {
                    view! { <ul class="search-list" aria-label=t("search-results")>{messages}</ul> }.into_any()
                }}
            </Show>
        </div>
    }
}

/// One kind of result, under its heading; the list is named `label`, or
/// as the heading.
#[component]
fn Section(
    title: String,
    #[prop(optional, into)] label: Option<String>,
    children: ChildrenFn,
) -> impl IntoView {
    let label = label.unwrap_or_else(|| title.clone());
    view! {
        <section class="search-section">
            <h2>{title}</h2>
            <ul class="search-list" aria-label=label>{children()}</ul>
        </section>
    }
}

/// One's chats whose title or @handle holds `text`, ignoring case.
fn matching(chats: &[ChatSummary], text: &str) -> Vec<ChatSummary> {
    let text = case::lower(text.trim_start_matches('@'));
    chats
        .iter()
        .filter(|c| {
            case::lower(&c.title).contains(&text)
                || c.handle
                    .as_ref()
                    .is_some_and(|h| case::lower(h).contains(&text))
        })
        .take(RESULTS)
        .cloned()
        .collect()
}

/// The server's results and the device's, each message once, newest first.
fn merge(local: Vec<Message>, remote: Vec<Message>) -> Vec<Message> {
    let mut seen = HashSet::new();
    let mut all: Vec<Message> = local
        .into_iter()
        .chain(remote)
        .filter(|m| seen.insert((m.chat, m.seq)))
        .collect();
    all.sort_by_key(|m| std::cmp::Reverse((m.at, m.seq)));
    all.truncate(RESULTS);
    all
}
