//! Leptos components. They read from the [`Store`] and ask [`net`] to act;
//! they never touch the socket or IndexedDB themselves. The session reports
//! changes through signals in [`Ctx`] and the components re-read the store.

mod accounts;
mod admin;
mod auth;
mod chat;
mod chats;
mod devices;
mod folders;
mod message;
mod notify;
mod prefs;
mod search;
mod signout;

use courier_protocol::http::Me;
use courier_protocol::{ChatId, Seq, UserId, UserInfo, UserKind};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsValue;

use crate::account;
use crate::i18n::{t, t_with};
use crate::net::{self, Event, Session, Status};
use crate::store::Store;

/// Who is typing in one chat: name, and until when (by `Date.now()`).
pub type Typists = HashMap<UserId, (String, f64)>;

/// The user's other tabs of this browser. Each tab has its own socket and
/// all write the same IndexedDB, which stays right by itself (events by
/// seq, messages by client id); a tab only needs telling that it changed,
/// for what its socket does not bring (read cursors, deleted for me).
struct Tabs {
    channel: web_sys::BroadcastChannel,
    _listener: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Tabs {
    fn open(user: UserId, rev: RwSignal<u64>) -> Option<Tabs> {
        let channel = web_sys::BroadcastChannel::new(&format!("courier-{}", user.0)).ok()?;
        let listener =
            wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
                rev.try_update(|r| *r += 1);
            });
        channel.set_onmessage(Some(wasm_bindgen::JsCast::unchecked_ref(listener.as_ref())));
        Some(Tabs {
            channel,
            _listener: listener,
        })
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.close();
    }
}

/// How far a member has read a chat, and how far a device of theirs has
/// stored it (delivered).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    pub read: Seq,
    pub delivered: Seq,
}

impl Marks {
    /// Reading a message means it was delivered.
    pub fn read(seq: Seq) -> Marks {
        Marks {
            read: seq,
            delivered: seq,
        }
    }

    /// The furthest of both, field by field.
    pub fn max(self, other: Marks) -> Marks {
        Marks {
            read: self.read.max(other.read),
            delivered: self.delivered.max(other.delivered),
        }
    }
}

/// What every component may reach: small signals and the two handles.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub me: RwSignal<Option<UserInfo>>,
    pub status: RwSignal<Status>,
    /// Bumped whenever the store changed; readers track it and re-read.
    pub rev: RwSignal<u64>,
    pub open: RwSignal<Option<ChatId>>,
    /// View counts of channel posts by (chat, seq), as last told.
    pub views: RwSignal<std::collections::HashMap<(i64, i64), u32>>,
    /// Each chat's members' read and delivered cursors, as fetched and
    /// then told live.
    pub reads: RwSignal<HashMap<ChatId, HashMap<UserId, Marks>>>,
    /// Who is typing where (name, and until when by `Date.now()`).
    pub typing: RwSignal<HashMap<ChatId, Typists>>,
    /// A message to bring into view in the open chat (search, quotes).
    pub jump: RwSignal<Option<(ChatId, Seq)>>,
    /// A message picked for forwarding: its chat, seq and text.
    pub forwarding: RwSignal<Option<(ChatId, Seq, String)>>,
    /// Bumped when the server tells of a draft from another device.
    pub drafts: RwSignal<u64>,
    /// The invite code when the app was opened at `/join/<code>`.
    pub join: RwSignal<Option<String>>,
    /// Signing in to one more account, beside those signed in here.
    pub adding: RwSignal<bool>,
    store: StoredValue<Option<Store>, LocalStorage>,
    tabs: StoredValue<Option<Tabs>, LocalStorage>,
    session: StoredValue<Option<Session>, LocalStorage>,
}

impl Ctx {
    pub fn store(&self) -> Option<Store> {
        self.store.get_value()
    }

    /// Moves a member's marks of a chat forward (never back).
    fn mark(&self, chat: ChatId, user: UserId, marks: Marks) {
        self.reads.try_update(|r| {
            let known = r.entry(chat).or_default().entry(user).or_default();
            *known = known.max(marks);
        });
    }

    pub fn session(&self) -> Option<Session> {
        self.session.get_value()
    }

    /// The store changed here: re-read it, and tell this user's other tabs.
    pub fn changed(&self) {
        self.rev.try_update(|r| *r += 1);
        self.tabs.with_value(|t| {
            if let Some(tabs) = t {
                let _ = tabs.channel.post_message(&JsValue::NULL);
            }
        });
    }

    /// Signs `me` in locally, or switches this tab to them: remembers them
    /// for offline starts, opens their database and starts the socket
    /// session (ending another account's).
    pub fn enter(self, me: UserInfo) {
        let same_user = self.me.with_untracked(|m| m.as_ref().map(|m| m.id)) == Some(me.id)
            && self.store().is_some();
        account::remember(&me);
        self.adding.set(false);
        if same_user {
            self.me.set(Some(me));
            return;
        }
        self.close();
        account::act_as(Some(me.id));
        self.me.set(Some(me.clone()));
        spawn_local(async move {
            let Ok(store) = Store::open(me.id).await else {
                return;
            };
            // Switched again meanwhile: that account's own task goes on.
            if account::acting() != Some(me.id) {
                return;
            }
            // The socket refreshes it anyway; this only speeds up an offline start.
            let _ = store.save_me(&me).await;
            self.store.set_value(Some(store.clone()));
            self.tabs.set_value(Tabs::open(me.id, self.rev));
            let notify: net::Observer = Rc::new(move |event| self.on_event(me.id, event));
            self.session.set_value(Some(Session::start(store, notify)));
            self.changed();
        });
    }

    fn on_event(self, id: UserId, event: Event) {
        // A session that outlived its user (signed out, switched) is ignored.
        if self
            .me
            .try_with_untracked(|m| m.as_ref().map(|m| m.id))
            .flatten()
            != Some(id)
        {
            return;
        }
        match event {
            Event::Status(s) => {
                self.status.try_set(s);
            }
            Event::Changed => self.changed(),
            Event::Views(chat, counts) => {
                self.views
                    .try_update(|v| v.extend(counts.iter().map(|c| ((chat.0, c.seq.0), c.views))));
            }
            Event::Me(me) if me.id == id => {
                if self.me.try_get_untracked().flatten().as_ref() != Some(&me) {
                    account::remember(&me);
                    self.me.try_set(Some(me));
                }
            }
            Event::Me(_) | Event::SignedOut => self.leave(),
            Event::Read(chat, user, seq) => self.mark(chat, user, Marks::read(seq)),
            Event::Delivered(chat, user, delivered) => self.mark(
                chat,
                user,
                Marks {
                    read: Seq::ZERO,
                    delivered,
                },
            ),
            Event::Typing(chat, user, name) if user != id => {
                let until = js_sys::Date::now() + TYPING_SHOWN_MS;
                self.typing
                    .try_update(|t| t.entry(chat).or_default().insert(user, (name, until)));
                // Forget it once it runs out (unless renewed meanwhile).
                set_timeout(
                    move || {
                        let now = js_sys::Date::now();
                        self.typing.try_update(|t| {
                            t.values_mut()
                                .for_each(|who| who.retain(|_, (_, u)| *u > now))
                        });
                    },
                    std::time::Duration::from_millis(TYPING_SHOWN_MS as u64 + 50),
                );
            }
            Event::Typing(..) => {}
            Event::Arrived(chat, events) => {
                self.typing.try_update(|t| {
                    if let Some(who) = t.get_mut(&chat) {
                        who.retain(|user, _| {
                            !events.iter().any(|m| m.act.is_none() && m.sender == *user)
                        });
                    }
                });
                notify::announce(self, chat, events);
            }
            Event::Draft(..) => {
                self.drafts.try_update(|d| *d += 1);
                self.changed();
            }
        }
    }

    /// Forgets the signed-in user locally (their database stays for next
    /// time) and shows the next account signed in here, if any.
    pub fn leave(self) {
        if let Some(me) = self.me.get_untracked() {
            account::forget(me.id);
        }
        self.close();
        self.me.set(None);
        if let Some(next) = account::current() {
            self.enter(next);
        }
    }

    /// Ends the account's session in this tab and what the tab showed of it.
    fn close(self) {
        account::act_as(None);
        self.session.set_value(None);
        if let Some(store) = self.store.get_value() {
            store.close();
        }
        self.store.set_value(None);
        self.tabs.set_value(None);
        self.open.set(None);
        self.forwarding.set(None);
        self.jump.set(None);
        self.reads.set(HashMap::new());
        self.typing.set(HashMap::new());
        self.views.set(Default::default());
        self.status.set(Status::Connecting);
    }

    /// Opens a chat the server just handed us, before the socket echoes it.
    pub fn show_chat(self, chat: courier_protocol::ChatSummary) {
        let id = chat.id;
        if self.join.get_untracked().is_some() {
            replace_url("/");
            self.join.set(None);
        }
        self.open.set(Some(id));
        if let Some(store) = self.store() {
            spawn_local(async move {
                let _ = store.put_chats(std::slice::from_ref(&chat)).await;
                self.changed();
            });
        }
    }
}

pub fn ctx() -> Ctx {
    use_context::<Ctx>().unwrap_or_else(|| {
        // Only reachable if a component is mounted outside <App/>.
        leptos::logging::error!("Courier context missing");
        new_ctx()
    })
}

fn new_ctx() -> Ctx {
    Ctx {
        me: RwSignal::new(None),
        status: RwSignal::new(Status::Connecting),
        rev: RwSignal::new(0),
        open: RwSignal::new(None),
        views: RwSignal::new(Default::default()),
        reads: RwSignal::new(Default::default()),
        typing: RwSignal::new(Default::default()),
        jump: RwSignal::new(None),
        forwarding: RwSignal::new(None),
        drafts: RwSignal::new(0),
        join: RwSignal::new(None),
        adding: RwSignal::new(false),
        store: StoredValue::new_local(None),
        tabs: StoredValue::new_local(None),
        session: StoredValue::new_local(None),
    }
}

/// How long "typing…" shows after the last notice (senders renew it every 3 s).
const TYPING_SHOWN_MS: f64 = 5000.0;

fn replace_url(path: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(path));
    }
}

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
            if let Ok(Me { me }) = net::ask(&courier_protocol::http::accounts::ME).await {
                ctx.enter(me);
            }
            booting.set(false);
        }),
    }
    let user = Memo::new(move |_| ctx.me.with(|m| m.as_ref().map(|m| m.id)));
    // Every text is formatted untracked in the current language: a new
    // language rebuilds the whole tree.
    move || {
        prefs.lang.track();
        match (ctx.join.get().is_some(), user.get(), booting.get()) {
            (true, _, _) => view! { <auth::JoinScreen /> }.into_any(),
            _ if ctx.adding.get() => view! { <auth::AuthScreen /> }.into_any(),
            (false, Some(_), _) => view! { <Shell /> }.into_any(),
            (false, None, true) => view! { <p class="loading">{t("loading")}</p> }.into_any(),
            (false, None, false) => view! { <auth::AuthScreen /> }.into_any(),
        }
    }
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
    view! {
        <div class="shell" class=("has-chat", move || ctx.open.get().is_some())>
            <header class="topbar">
                <span class="brand">"Courier"</span>
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
                    <chats::NewChat />
                    <chats::ChatList />
                </aside>
                {move || ctx.forwarding.get().is_some().then(|| view! { <chats::ForwardPicker /> })}
                {move || match open.get() {
                    Some(id) => view! { <chat::ChatView id /> }.into_any(),
                    None => view! { <div class="pane empty"><p>{t("select-chat")}</p></div> }.into_any(),
                }}
            </div>
        </div>
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
