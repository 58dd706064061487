//! Starting chats, as in Telegram: one "New chat" button whose menu makes a
//! private chat (find the person), a group (its name, then people) or a
//! channel (its name).

use courier_protocol::UserId;
use courier_protocol::http::ChatCreated;
use courier_protocol::http::chats::PersonHit;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::menu::{self, MenuKey};
use super::say;
use crate::api;
use crate::i18n::t;
use crate::state::ctx;

/// What the "New chat" menu opened.
#[derive(Clone, Copy, PartialEq)]
enum Making {
    Direct,
    Group,
    Channel,
}

/// The button over the chat list, its menu and the dialog it opens.
#[component]
pub fn NewChat() -> impl IntoView {
    let open = RwSignal::new(false);
    let making = RwSignal::new(None::<Making>);
    let button = NodeRef::<leptos::html::Button>::new();
    let menu_el = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(menu) = menu_el.get() {
            menu::focus_first(&menu);
        }
    });
    // Focus goes back to the button when the menu or the dialog closes.
    let back = move || {
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    let choose = move |what: Making| {
        move |_| {
            open.set(false);
            making.set(Some(what));
        }
    };
    // Focus moves first: Firefox drops it to the page when the focused
    // element goes.
    let close = Callback::new(move |()| {
        back();
        making.set(None);
    });
    view! {
        <div class="new-chat">
            <button type="button" class="fab" node_ref=button aria-label=t("new-chat") title=t("new-chat")
                aria-haspopup="menu" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                <svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 20h4L19 9l-4-4L4 16zM14 6l4 4" /></svg>
            </button>
            <Show when=move || open.get()>
                <div class="menu" role="menu" aria-label=t("new-chat") node_ref=menu_el
                    on:keydown=move |ev| {
                        let Some(menu) = menu_el.get_untracked() else { return };
                        match menu::on_key(&ev, &menu) {
                            MenuKey::Close => { back(); open.set(false); }
                            MenuKey::Leave => open.set(false),
                            MenuKey::Handled => {}
                        }
                    }>
                    <button type="button" role="menuitem" tabindex="-1" on:click=choose(Making::Direct)>{t("new-private-chat")}</button>
                    <button type="button" role="menuitem" tabindex="-1" on:click=choose(Making::Group)>{t("new-group")}</button>
                    <button type="button" role="menuitem" tabindex="-1" on:click=choose(Making::Channel)>{t("new-channel")}</button>
                </div>
            </Show>
            {move || making.get().map(|what| dialog(what, close))}
        </div>
    }
}

/// The dialog the menu opened.
fn dialog(what: Making, close: Callback<()>) -> AnyView {
    match what {
        Making::Direct => view! { <NewDirect close /> }.into_any(),
        Making::Group => view! { <NewGroup channel=false close /> }.into_any(),
        Making::Channel => view! { <NewGroup channel=true close /> }.into_any(),
    }
}

/// A modal dialog: its heading names it, Escape or a click outside closes
/// it, and its first field takes focus.
#[component]
fn Dialog(title: String, close: Callback<()>, children: Children) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(field) = dialog
            .get()
            .and_then(|d| d.query_selector("input, button").ok().flatten())
            .and_then(|f| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(f).ok())
        {
            let _ = field.focus();
        }
    });
    view! {
        <div class="dialog-backdrop" on:click=move |_| close.run(())>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="new-chat-title" node_ref=dialog
                on:click=|ev| ev.stop_propagation()
                on:keydown=move |ev| if ev.key() == "Escape" { ev.stop_propagation(); close.run(()); }>
                <h2 id="new-chat-title">{title}</h2>
                {children()}
            </div>
        </div>
    }
}

/// Finds people by name (those one shares a chat with) or @username
/// (anyone); each one found is a button that calls `pick`.
#[component]
fn PeopleSearch(
    pick: Callback<PersonHit>,
    /// People already chosen, shown pressed.
    #[prop(optional)]
    chosen: Option<RwSignal<Vec<PersonHit>>>,
) -> impl IntoView {
    let found = RwSignal::new(Vec::<PersonHit>::new());
    let error = RwSignal::new(None::<String>);
    // Only the latest keystroke's answer counts.
    let asked = StoredValue::new(0u64);
    let search = move |text: String| {
        asked.update_value(|a| *a += 1);
        let mine = asked.get_value();
        if text.trim().trim_start_matches('@').is_empty() {
            found.set(Vec::new());
            return;
        }
        spawn_local(async move {
            let answer = api::chats::directory(&text).await;
            if asked.try_get_value() != Some(mine) {
                return;
            }
            match answer {
                Ok(dir) => {
                    error.try_set(None);
                    found.try_set(dir.people);
                }
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    let is_chosen =
        move |id: UserId| chosen.is_some_and(|c| c.with(|c| c.iter().any(|p| p.id == id)));
    view! {
        <input type="search" aria-label=t("search-people") placeholder=t("search-people") dir="auto" autocapitalize="none"
            on:input=move |ev| search(event_target_value(&ev)) />
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <ul class="people" aria-label=t("section-people")>
            <For each=move || found.get() key=|p| p.id children=move |person| {
                let id = person.id;
                view! {
                    <li>
                        <button type="button" class="search-hit person"
                            aria-pressed=move || chosen.map(|_| is_chosen(id).to_string())
                            on:click=move |_| pick.run(person.clone())>
                            <span class="title" dir="auto">{person.name.clone()}" "</span>
                            <span class="preview">{format!("@{}", person.username)}</span>
                        </button>
                    </li>
                }
            } />
        </ul>
    }
}

/// "New private chat": find the person, and the chat with them opens.
#[component]
fn NewDirect(close: Callback<()>) -> impl IntoView {
    let ctx = ctx();
    let error = RwSignal::new(None::<String>);
    let pick = Callback::new(move |person: PersonHit| {
        spawn_local(async move {
            match api::chats::new_direct(person.username).await {
                Ok(ChatCreated { chat }) => {
                    close.run(());
                    ctx.show_chat(chat);
                }
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    });
    view! {
        <Dialog title=t("new-private-chat") close>
            <PeopleSearch pick />
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="button" on:click=move |_| close.run(())>{t("cancel")}</button>
        </Dialog>
    }
}

/// "New group" (a name, then the people in it) or "New channel" (a name).
#[component]
fn NewGroup(channel: bool, close: Callback<()>) -> impl IntoView {
    let ctx = ctx();
    let name = RwSignal::new(String::new());
    let naming = RwSignal::new(true);
    let chosen = RwSignal::new(Vec::<PersonHit>::new());
    let error = RwSignal::new(None::<String>);
    let create = move || {
        let title = name.get_untracked().trim().to_string();
        let members = chosen.with_untracked(|c| c.iter().map(|p| p.username.clone()).collect());
        spawn_local(async move {
            match api::chats::new_group(title, channel, members).await {
                Ok(ChatCreated { chat }) => {
                    close.run(());
                    ctx.show_chat(chat);
                }
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    let on_name = move |ev: SubmitEvent| {
        ev.prevent_default();
        if name.with_untracked(|n| n.trim().is_empty()) {
            return;
        }
        if channel {
            create();
        } else {
            naming.set(false);
        }
    };
    let toggle = Callback::new(move |person: PersonHit| {
        chosen.update(|c| match c.iter().position(|p| p.id == person.id) {
            Some(at) => {
                c.remove(at);
            }
            None => c.push(person),
        });
    });
    let title = if channel {
        t("new-channel")
    } else {
        t("new-group")
    };
    let label = if channel {
        t("channel-name")
    } else {
        t("group-name")
    };
    view! {
        <Dialog title close>
            <Show when=move || naming.get()
                fallback=move || view! {
                    <p class="muted">{t("add-people")}</p>
                    <ul class="chosen" aria-label=t("add-people")>
                        {move || chosen.get().into_iter().map(|p| view! { <li>{p.name}</li> }).collect_view()}
                    </ul>
                    <PeopleSearch pick=toggle chosen />
                    <div class="actions">
                        <button type="button" on:click=move |_| naming.set(true)>{t("back")}</button>
                        <button type="button" class="primary" on:click=move |_| create()>{t("create")}</button>
                    </div>
                }>
                <form class="card-lite" on:submit=on_name>
                    <label>{label.clone()}
                        <input dir="auto" required prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                    </label>
                    <div class="actions">
                        <button type="button" on:click=move |_| close.run(())>{t("cancel")}</button>
                        <button type="submit" class="primary">{if channel { t("create") } else { t("next") }}</button>
                    </div>
                </form>
            </Show>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </Dialog>
    }
}
