//! The chat list and the forms that start chats.

use courier_protocol::ErrorCode;
use courier_protocol::api::{ChatCreated, NewDirect, NewGroup};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{ctx, hhmm, say};
use crate::net::{self, ApiFail};
use crate::store::ChatRow;

/// Start a 1:1 chat by username (or open a public chat by @handle), or
/// create a named group or channel.
#[component]
pub fn NewChat() -> impl IntoView {
    let ctx = ctx();
    let (username, group) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let error = RwSignal::new(None::<String>);
    // Which of the group form's two buttons submitted it.
    let channel = RwSignal::new(false);
    let create = move |direct: bool| {
        move |ev: SubmitEvent| {
            ev.prevent_default();
            error.set(None);
            let field = if direct { username } else { group };
            let value = field.get_untracked().trim().to_string();
            if value.is_empty() {
                return;
            }
            spawn_local(async move {
                let created = if direct {
                    let name = value.trim_start_matches('@').to_lowercase();
                    let person = net::post::<_, ChatCreated>(
                        "/api/chats/direct",
                        &NewDirect {
                            username: name.clone(),
                        },
                    )
                    .await;
                    match person {
                        // Not a person: maybe a public group or channel.
                        Err(ApiFail::Code(ErrorCode::UnknownUser)) => {
                            net::post_empty::<ChatCreated>(&format!("/api/public/{name}/join"))
                                .await
                                .map_err(|_| ApiFail::Code(ErrorCode::UnknownUser))
                        }
                        other => other,
                    }
                } else {
                    let path = if channel.get_untracked() {
                        "/api/chats/channel"
                    } else {
                        "/api/chats/group"
                    };
                    net::post::<_, ChatCreated>(path, &NewGroup { name: value }).await
                };
                match created {
                    Ok(ChatCreated { chat }) => {
                        field.try_set(String::new());
                        ctx.show_chat(chat);
                    }
                    Err(fail) => {
                        error.try_set(Some(say(fail)));
                    }
                }
            });
        }
    };
    view! {
        <div class="new-chat">
            <form on:submit=create(true)>
                <input
                    aria-label="Username to chat with"
                    placeholder="Username or @public chat"
                    autocapitalize="none"
                    dir="auto"
                    prop:value=username
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
                <button type="submit">"Start chat"</button>
            </form>
            <form on:submit=create(false)>
                <input
                    aria-label="New group name"
                    placeholder="New group name"
                    dir="auto"
                    prop:value=group
                    on:input=move |ev| group.set(event_target_value(&ev))
                />
                <button type="submit" on:click=move |_| channel.set(false)>"Create group"</button>
                <button type="submit" on:click=move |_| channel.set(true)>"Create channel"</button>
            </form>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </div>
    }
}

#[component]
pub fn ChatList() -> impl IntoView {
    let ctx = ctx();
    let rows = RwSignal::new(Vec::<ChatRow>::new());
    Effect::new(move |_| {
        ctx.rev.track();
        if let Some(store) = ctx.store() {
            spawn_local(async move {
                if let Ok(list) = store.chat_list().await {
                    rows.try_set(list);
                }
            });
        }
    });
    let me = move || ctx.me.with(|m| m.as_ref().map(|m| m.id));
    view! {
        <nav aria-label="Chats" class="chat-list">
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="muted empty-list">"No chats yet: start one above or open an invite link."</p>
            </Show>
            <ul>
                <For
                    each=move || rows.get()
                    key=|r| (r.chat.id, r.chat.title.clone(), r.chat.last_seq, r.unread)
                    children=move |row| {
                        let id = row.chat.id;
                        let preview = row.chat.last.as_ref().map(|m| {
                            let who = if Some(m.sender) == me() { "You".to_string() } else { m.sender_name.clone() };
                            format!("{who}: {}", m.text.lines().next().unwrap_or_default())
                        });
                        let time = row.chat.last.as_ref().map(|m| hhmm(m.at));
                        let unread = row.unread;
                        view! {
                            <li>
                                <button
                                    class="chat-row"
                                    class=("active", move || ctx.open.get() == Some(id))
                                    aria-current=move || (ctx.open.get() == Some(id)).then_some("true")
                                    on:click=move |_| ctx.open.set(Some(id))
                                >
                                    <span class="avatar" aria-hidden="true">
                                        {row.chat.title.chars().next().map(|c| c.to_uppercase().to_string())}
                                    </span>
                                    <span class="title" dir="auto">{row.chat.title.clone()}</span>
                                    <span class="time">{time}</span>
                                    <span class="preview" dir="auto">{preview}</span>
                                    {(unread > 0).then(|| view! {
                                        <span class="badge" aria-label=format!("{unread} unread")>{unread}</span>
                                    })}
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
        </nav>
    }
}
