//! The chat list, its folders, and the picker of where to forward.

use crate::case;
use std::collections::HashMap;

use courier_protocol::model::folder::{Candidate, Folder};
use courier_protocol::{ChatId, ChatKind, ChatSummary, Place, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::folders::folder_editor;
use super::later::on_first_use;
use super::when;
use crate::i18n::{self, t, t_with, t_with_raw};
use crate::state::ctx;
use crate::store::ChatRow;

#[component]
pub fn ChatList() -> impl IntoView {
    let ctx = ctx();
    let rows = RwSignal::new(Vec::<ChatRow>::new());
    let tab = RwSignal::new(Tab::All);
    let own = RwSignal::new(Vec::<Folder>::new());
    let editing = RwSignal::new(false);
    Effect::new(move |_| {
        ctx.rev.track();
        let username = ctx.me.with(|m| m.as_ref().and_then(|m| m.username.clone()));
        if let Some(store) = ctx.store() {
            spawn_local(async move {
                if let Ok(list) = store.chat_list(username.as_deref()).await {
                    rows.try_set(list);
                }
                if let Ok(folders) = store.folders().await
                    && own.with_untracked(|o| *o != folders)
                {
                    // The open folder stays open by its name wherever it
                    // moved; deleted, its tab gives way to All.
                    if let Tab::Own(i) = tab.get_untracked() {
                        let name = own.with_untracked(|o| o.get(i).map(|f| f.name.clone()));
                        let now = folders.iter().position(|f| Some(&f.name) == name.as_ref());
                        tab.try_set(now.map_or(Tab::All, Tab::Own));
                    }
                    own.try_set(folders);
                }
            });
        }
    });
    let me = move || ctx.me.with(|m| m.as_ref().map(|m| m.id));
    // Where each chat is in `rows`: a row finds its own in one step.
    let index = Memo::new(move |_| {
        rows.with(|r| {
            r.iter()
                .enumerate()
                .map(|(i, row)| (row.chat.id, i))
                .collect::<HashMap<_, _>>()
        })
    });
    let shown = move || {
        let tab = tab.get();
        own.with(|own| {
            rows.with(|r| {
                r.iter()
                    .filter(|r| tab.holds(r, own))
                    .map(|r| r.chat.id)
                    .collect::<Vec<_>>()
            })
        })
    };
    let tabs = move || {
        let own = own.get();
        Tab::BEFORE_OWN
            .into_iter()
            .chain((0..own.len()).map(Tab::Own))
            .chain([Tab::Archived])
            .map(|f| {
                view! {
                    <button type="button" role="tab"
                        aria-selected=move || (tab.get() == f).to_string()
                        on:click=move |_| tab.set(f)>
                        {f.label(&own)}
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        <div class="folders">
            <div role="tablist" aria-label=t("folders")>{tabs}</div>
            <button type="button" class="edit-folders" aria-label=t("edit-folders") title=t("edit-folders")
                on:click=move |_| editing.set(true)>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 20h4L19 9l-4-4L4 16zM14 6l4 4" /></svg>
            </button>
        </div>
        <Show when=move || editing.get()>
            {move || on_first_use(folder_editor(own.get_untracked(), rows.get_untracked(), editing))}
        </Show>
        <nav aria-label=t("chats") class="chat-list">
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="muted empty-list">{t("no-chats")}</p>
            </Show>
            <ul>
                // Keyed by the chat alone: a row's button stays the same
                // element while its preview, time and badges change, so a
                // click during a sync is never lost on a replaced row.
                <For
                    each=shown
                    key=|id| *id
                    children=move |id| {
                        let row = Memo::new(move |_| {
                            let at = index.with(|ix| ix.get(&id).copied());
                            at.and_then(|i| rows.with(|r| r.get(i).cloned()))
                        });
                        view! {
                            <li>
                                <button
                                    class="chat-row"
                                    class=("active", move || ctx.open.get() == Some(id))
                                    aria-current=move || (ctx.open.get() == Some(id)).then_some("true")
                                    on:click=move |_| ctx.open.set(Some(id))
                                >
                                    {move || row.get().map(|row| row_body(row, me()))}
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
        </nav>
    }
}

/// What a chat list row shows: avatar, title, time, the newest message
/// (or the unsent draft) and its marks.
fn row_body(row: ChatRow, me: Option<UserId>) -> impl IntoView {
    let preview = row.chat.last.as_ref().map(|m| {
        let who = if Some(m.sender) == me {
            t("you")
        } else {
            m.sender_name.clone()
        };
        let text = i18n::gist(m).lines().next().unwrap_or_default().to_string();
        t_with_raw("preview", &[("who", who.into()), ("text", text.into())])
    });
    // An unsent draft shows instead, as in Telegram.
    let draft = (!row.chat.draft.is_empty()).then(|| {
        let text = row
            .chat
            .draft
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        view! { <span class="draft">{t("draft-label")}</span>" "{text} }
    });
    let preview = match draft {
        Some(draft) => draft.into_any(),
        None => preview.into_any(),
    };
    let time = row.chat.last.as_ref().map(|m| when(m.at));
    let (unread, mentioned, place) = (row.unread, row.mentioned, row.chat.place);
    view! {
        <span class="avatar" aria-hidden="true">
            {case::initial(&row.chat.title)}
        </span>
        <span class="title" dir="auto">{row.chat.title}</span>
        <span class="time">{time}</span>
        <span class="preview" dir="auto">{preview}</span>
        <span class="marks">
            {place.pinned.then(|| view! { <span class="pin-mark" aria-label=t("pinned-chat")>"📌"</span> })}
            {place.muted.then(|| view! { <span class="muted-mark" aria-label=t("muted")>"🔕"</span> })}
            {mentioned.then(|| view! { <span class="badge mention" aria-label=t("mentioned")>"@"</span> })}
            {(unread > 0).then(|| view! {
                <span class="badge" class:muted=place.muted aria-label=t_with("unread", &[("n", unread.into())])>{unread}</span>
            })}
        </span>
    }
}

/// Where to forward the picked message: every chat one may post in.
#[component]
pub fn ForwardPicker() -> impl IntoView {
    let ctx = ctx();
    let rows = RwSignal::new(Vec::<ChatSummary>::new());
    if let Some(store) = ctx.store() {
        spawn_local(async move {
            if let Ok(mut chats) = store.chats().await {
                chats.retain(|c| c.rights.post);
                chats.sort_by(|a, b| a.title.cmp(&b.title));
                rows.try_set(chats);
            }
        });
    }
    let forward = move |target: ChatId| {
        let (Some((from, seq, text)), Some(session)) =
            (ctx.forwarding.get_untracked(), ctx.session())
        else {
            return;
        };
        ctx.forwarding.set(None);
        ctx.open.set(Some(target));
        spawn_local(async move {
            let _ = session.forward(target, from, seq, text).await;
        });
    };
    view! {
        <div class="dialog-backdrop" on:click=move |_| ctx.forwarding.set(None)>
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-label=t("forward-to")
                on:click=|ev| ev.stop_propagation()
            >
                <h2>{t("forward-to")}</h2>
                <ul class="forward-targets">
                    <For
                        each=move || rows.get()
                        key=|c| c.id
                        children=move |chat| {
                            let id = chat.id;
                            view! {
                                <li>
                                    <button class="chat-row" on:click=move |_| forward(id)>
                                        <span class="title" dir="auto">{chat.title}</span>
                                    </button>
                                </li>
                            }
                        }
                    />
                </ul>
                <button type="button" on:click=move |_| ctx.forwarding.set(None)>{t("cancel")}</button>
            </div>
        </div>
    }
}

/// The chat list's folders: the built-in filters over the chats one is in,
/// then the user's own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    All,
    Unread,
    Personal,
    Groups,
    Channels,
    /// A folder of the user's own, by its place in their list.
    Own(usize),
    Archived,
}

impl Tab {
    const BEFORE_OWN: [Tab; 5] = [
        Tab::All,
        Tab::Unread,
        Tab::Personal,
        Tab::Groups,
        Tab::Channels,
    ];

    fn label(self, own: &[Folder]) -> String {
        let key = match self {
            Tab::All => "folder-all",
            Tab::Unread => "folder-unread",
            Tab::Personal => "folder-personal",
            Tab::Groups => "folder-groups",
            Tab::Channels => "folder-channels",
            Tab::Archived => "folder-archived",
            Tab::Own(i) => return own.get(i).map(|f| f.name.clone()).unwrap_or_default(),
        };
        t(key)
    }

    /// Archived chats show only in the archive, as in Telegram, or in an
    /// own folder that names them.
    fn holds(self, row: &ChatRow, own: &[Folder]) -> bool {
        let Place {
            archived, muted, ..
        } = row.chat.place;
        match self {
            Tab::Own(i) => own.get(i).is_some_and(|f| {
                f.holds(&Candidate {
                    id: row.chat.id,
                    kind: row.chat.kind,
                    muted,
                    archived,
                    unread: row.unread > 0 || row.mentioned,
                })
            }),
            Tab::Archived => archived,
            _ if archived => false,
            Tab::All => true,
            Tab::Unread => row.unread > 0 || row.mentioned,
            Tab::Personal => row.chat.kind == ChatKind::Direct,
            Tab::Groups => row.chat.kind == ChatKind::Group,
            Tab::Channels => row.chat.kind == ChatKind::Channel,
        }
    }
}
