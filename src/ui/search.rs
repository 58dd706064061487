//! Message search, in one chat or across all: the device's IndexedDB
//! history first (so it works offline), then the server for what this
//! device does not hold.

use std::collections::{HashMap, HashSet};

use courier_protocol::http::Found;
use courier_protocol::{ChatId, Message};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::hhmm;
use crate::api;
use crate::i18n::{self, t};
use crate::state::ctx;

const RESULTS: usize = 50;

/// A search box and its results; `chat` limits it to one chat.
#[component]
pub fn Search(#[prop(optional)] chat: Option<ChatId>) -> impl IntoView {
    let ctx = ctx();
    let query = RwSignal::new(String::new());
    let results = RwSignal::new(Vec::<Message>::new());
    let offline = RwSignal::new(false);
    let titles = RwSignal::new(HashMap::<ChatId, String>::new());
    // Each keystroke starts a search; only the latest one's answers count.
    let generation = StoredValue::new(0u64);
    let run = move |text: String| {
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let current = move || generation.get_value() == mine;
        if text.trim().is_empty() {
            results.set(Vec::new());
            return;
        }
        let Some(store) = ctx.store() else { return };
        spawn_local(async move {
            if let Ok(chats) = store.chats().await {
                titles.try_set(chats.into_iter().map(|c| (c.id, c.title)).collect());
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
    let label = if chat.is_some() {
        t("search-in-chat")
    } else {
        t("search-messages")
    };
    let open = move |m: &Message| {
        let (chat, seq) = (m.chat, m.seq);
        move |_| {
            ctx.jump.set(Some((chat, seq)));
            ctx.open.set(Some(chat));
        }
    };
    view! {
        <div class="search">
            <input
                type="search"
                aria-label=label.clone()
                placeholder=label
                dir="auto"
                prop:value=query
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    query.set(text.clone());
                    run(text);
                }
            />
            <Show when=move || !query.with(|q| q.trim().is_empty())>
                <Show when=move || offline.get()>
                    <p class="muted">{t("search-offline")}</p>
                </Show>
                <ul class="search-results" role="list" aria-label=t("search-results")>
                    {move || {
                        let found = results.get();
                        if found.is_empty() {
                            return view! { <li class="muted">{t("search-none")}</li> }.into_any();
                        }
                        found
                            .iter()
                            .map(|m| {
                                let title = titles
                                    .with(|t| t.get(&m.chat).cloned())
                                    .unwrap_or_default();
                                view! {
                                    <li>
                                        <button class="search-hit" on:click=open(m)>
                                            <span class="title" dir="auto">
                                                {chat.is_none().then_some(title)}
                                            </span>
                                            <span class="time">{hhmm(m.at)}</span>
                                            <span class="preview" dir="auto">
                                                {format!("{}: {}", m.sender_name, i18n::gist(m))}
                                            </span>
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </ul>
            </Show>
        </div>
    }
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
