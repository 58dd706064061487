//! Leptos components. They read from the [`Store`] and ask [`net`] to act;
//! they never touch the socket or IndexedDB themselves. The session reports
//! changes through signals in [`Ctx`] and the components re-read the store.

mod accounts;
mod admin;
mod auth;
mod call;
mod call_devices;
mod chat;
mod chats;
mod devices;
mod folders;
mod group_call;
mod later;
mod menu;
mod message;
mod new_chat;
mod outgoing;
mod placeholder;
mod popover;
mod prefs;
mod search;
mod signout;

use courier_protocol::http::Me;
use courier_protocol::{UserId, UserKind};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

use crate::account;
use crate::api;
use crate::i18n::{t, t_with};
use crate::net::Status;
use crate::state::{ctx, new_ctx};
use later::{fetch_after_paint, on_first_use, per_key};

fn register_service_worker() {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    // Absent on insecure origins; the app works without it, only not offline.
    if js_sys::Reflect::has(&nav, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        let registering = nav.service_worker().register("/sw.js");
        spawn_local(async move {
            if let Err(e) = wasm_bindgen_futures::JsFuture::from(registering).await {
                leptos::logging::warn!("service worker not registered: {e:?}");
            }
        });
    }
}

pub use crate::i18n::say;
pub use prefs::opening_lang;

/// A date and time in the current language's form (scheduled messages).
pub fn day_time(ms: i64) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    String::from(d.to_locale_string(crate::i18n::current().tag(), &JsValue::UNDEFINED))
}

/// Local wall-clock time `HH:MM` of a server timestamp.
pub fn hhmm(ms: i64) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// How many days before today `ms` fell on, by the local calendar.
pub fn days_ago(ms: i64) -> i64 {
    let midnight = |d: js_sys::Date| {
        d.set_hours(0);
        d.set_minutes(0);
        d.set_seconds(0);
        d.set_milliseconds(0);
        d.get_time()
    };
    let then = midnight(js_sys::Date::new(&JsValue::from_f64(ms as f64)));
    let today = midnight(js_sys::Date::new_0());
    // Rounded: a day that moved the clocks is 23 or 25 hours long.
    ((today - then) / 86_400_000.0).round() as i64
}

/// A day as the app's language writes it short ("12 Nov", "12 нояб.").
pub fn short_date(ms: i64) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"day".into(), &"numeric".into());
    let _ = js_sys::Reflect::set(&options, &"month".into(), &"short".into());
    js_sys::Date::new(&JsValue::from_f64(ms as f64))
        .to_locale_date_string(crate::i18n::current().tag(), &options)
        .into()
}

/// When something happened, as a list shows it: the time today, else the day.
pub fn when(ms: i64) -> String {
    if days_ago(ms) == 0 {
        hhmm(ms)
    } else {
        short_date(ms)
    }
}

pub fn members_label(n: u32) -> String {
    t_with("members-count", &[("n", n.into())])
}

#[component]
pub fn App() -> impl IntoView {
    let ctx = new_ctx();
    provide_context(ctx);
    let prefs = prefs::Prefs::load();
    provide_context(prefs);
    register_service_worker();
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    if let Some(code) = path.strip_prefix("/join/").filter(|c| !c.is_empty()) {
        ctx.join.set(Some(code.to_string()));
    }
    let booting = RwSignal::new(true);
    match account::current() {
        Some(me) => {
            ctx.enter(me);
            booting.set(false);
        }
        None => spawn_local(async move {
            if let Ok(Me { me }) = api::accounts::me().await {
                ctx.enter(me);
            }
            booting.set(false);
        }),
    }
    let user = Memo::new(move |_| ctx.me.with(|m| m.as_ref().map(|m| m.id)));
    let screen = Memo::new(move |_| {
        let screen = match (ctx.join.get().is_some(), user.get(), booting.get()) {
            (true, _, _) => Screen::Join,
            _ if ctx.adding.get() => Screen::SignIn,
            (false, Some(id), _) => Screen::Chats(id),
            (false, None, true) => Screen::Loading,
            (false, None, false) => Screen::SignIn,
        };
        // Every text is formatted untracked in the current language: a new
        // language builds the whole tree anew.
        (screen, prefs.lang.get())
    });
    per_key(
        move || Some(screen.get()),
        |(screen, _)| match screen {
            Screen::Join => view! { <auth::JoinScreen /> }.into_any(),
            Screen::SignIn => view! { <auth::AuthScreen /> }.into_any(),
            Screen::Chats(_) => on_first_use(signed_in()).into_any(),
            Screen::Loading => view! { <p class="loading">{t("loading")}</p> }.into_any(),
        },
    )
}

/// What the whole window shows.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Screen {
    Join,
    SignIn,
    /// Whose chats: another account's are a new screen.
    Chats(UserId),
    Loading,
}

/// The signed-in screen, in the `signed_in` part with the session it
/// shows (`state::session`): a new visitor's first load is only the
/// sign-in screen's code, and it fetches this while they type.
#[wasm_split(signed_in, fallible, preload(preload_signed_in))]
fn signed_in() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <Shell /> }.into_any())
}

/// The signed-in layout: top bar, chat list and the open chat.
#[component]
fn Shell() -> impl IntoView {
    let ctx = ctx();
    let guest = move || {
        ctx.me
            .with(|m| m.as_ref().map(|m| m.kind) == Some(UserKind::Guest))
    };
    // Opening the chat already open (a search hit in it) keeps its view.
    let open = Memo::new(move |_| ctx.open.get());
    // Alt+Up and Alt+Down (or Ctrl+Tab) go to the chat above or below in
    // the list, as in Telegram.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let step = match (ev.key().as_str(), ev.alt_key(), ev.ctrl_key()) {
            ("ArrowUp", true, false) => -1,
            ("ArrowDown", true, false) => 1,
            ("Tab", false, true) if ev.shift_key() => -1,
            ("Tab", false, true) => 1,
            _ => return,
        };
        ev.prevent_default();
        next_chat(step);
    });
    on_cleanup(move || keys.remove());
    // The open chat's code is a part of its own, fetched once the session
    // has connected (or found no server): before, its compiling would hold
    // up the store's opening and the first sync.
    Effect::new(move |fetched: Option<bool>| {
        if fetched == Some(true) || ctx.status.get() == Status::Connecting {
            return fetched.unwrap_or(false);
        }
        fetch_after_paint(chat::preload_chat);
        true
    });
    view! {
        <div class="shell" class=("has-chat", move || ctx.open.get().is_some())>
            <header class="topbar">
                <h1 class="brand">"Courier"</h1>
                <ConnectionStatus />
                <accounts::AccountMenu />
                <prefs::PrefsButton />
                <signout::SignOutMenu />
            </header>
            <div class="panes">
                <aside class="sidebar">
                    <Show when=guest>
                        <auth::GuestBanner />
                    </Show>
                    <search::Search />
                    <chats::ChatList />
                    <new_chat::NewChat />
                </aside>
                {move || ctx.forwarding.get().is_some().then(|| view! { <chats::ForwardPicker /> })}
                {move || open.get().is_none().then(|| view! { <main class="pane empty"><p>{t("select-chat")}</p></main> })}
                // Each chat opened gets a view of its own.
                {per_key(move || open.get(), |id| on_first_use(chat::chat_view(id)))}
            </div>
            <call::CallScreen />
            <group_call::GroupCallScreen />
        </div>
    }
}

/// Opens the chat `step` rows from the open one in the list as shown.
fn next_chat(step: isize) {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(rows) = doc.query_selector_all(".chat-list .chat-row") else {
        return;
    };
    let rows: Vec<web_sys::HtmlElement> = (0..rows.length())
        .filter_map(|i| rows.item(i)?.dyn_into().ok())
        .collect();
    let at = rows.iter().position(|r| r.class_list().contains("active"));
    let to = match at {
        Some(i) => i.checked_add_signed(step).filter(|to| *to < rows.len()),
        None if step > 0 => Some(0),
        None => rows.len().checked_sub(1),
    };
    if let Some(row) = to.and_then(|to| rows.get(to)) {
        row.click();
    }
}

#[component]
fn ConnectionStatus() -> impl IntoView {
    let status = ctx().status;
    let (state, text) = (
        move || match status.get() {
            Status::Connecting => "connecting",
            Status::Online => "online",
            Status::Offline => "offline",
        },
        move || {
            t(match status.get() {
                Status::Connecting => "conn-connecting",
                Status::Online => "conn-online",
                Status::Offline => "conn-offline",
            })
        },
    );
    view! { <span class="conn" role="status" aria-label=t("connection") data-state=state>{text}</span> }
}
