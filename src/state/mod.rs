//! What the whole app shares: a small context of signals (who is signed
//! in, the connection, the open chat, marks, typing), the account's session
//! lifecycle in this tab, its other tabs, and the routing of what the
//! socket session reports. Components read it; they never hold the socket
//! or the database themselves.

mod events;
pub mod notify;
mod session;
mod tabs;

use std::collections::HashMap;

use courier_protocol::{ChatId, ChatSummary, Seq, UserId, UserInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::net::{Session, Status};
use crate::rtc::group::GroupSignals;
use crate::rtc::{CallSignals, Phone};
use crate::store::Store;

use tabs::Tabs;

/// Who is typing in one chat: name, and until when (by `Date.now()`).
pub type Typists = HashMap<UserId, (String, f64)>;

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
    /// The call this tab is in, as its screen shows it.
    pub call: CallSignals,
    /// Groups' calls, and the one this tab is in.
    pub group: GroupSignals,
    store: StoredValue<Option<Store>, LocalStorage>,
    tabs: StoredValue<Option<Tabs>, LocalStorage>,
    session: StoredValue<Option<Session>, LocalStorage>,
}
impl Ctx {
    pub fn store(&self) -> Option<Store> {
        self.store.get_value()
    }

    pub fn session(&self) -> Option<Session> {
        self.session.get_value()
    }

    /// What the calls layer needs, while someone is signed in.
    pub fn phone(&self) -> Option<Phone> {
        Some(Phone {
            session: self.session()?,
            me: self.me.get_untracked()?.id,
            signals: self.call,
            group: self.group,
        })
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

    /// Opens a chat the server just handed us, before the socket echoes it.
    pub fn show_chat(self, chat: ChatSummary) {
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

pub fn new_ctx() -> Ctx {
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
        call: CallSignals::new(),
        group: GroupSignals::new(),
        store: StoredValue::new_local(None),
        tabs: StoredValue::new_local(None),
        session: StoredValue::new_local(None),
    }
}

fn replace_url(path: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(path));
    }
}
