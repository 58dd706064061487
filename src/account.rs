//! The accounts this browser is signed in to, and the one this tab shows.
//!
//! The server keeps a session cookie per account; every request of the tab
//! names its account, so two tabs can show two accounts side by side. Each
//! account has its own IndexedDB database (see `store`). The list lives in
//! localStorage, most recently used first, so the app opens offline into
//! the last account; the tab's choice lives in sessionStorage, so a reload
//! keeps it.

use std::cell::Cell;

use courier_protocol::{UserId, UserInfo};

const KNOWN_KEY: &str = "courier.accounts";
const CURRENT_KEY: &str = "courier.account";

thread_local! {
    /// The account this tab's requests act as, from the moment it is shown
    /// until it is left: never re-read from storage, which other tabs
    /// change, so a tab cannot drift into another account.
    static ACTING: Cell<Option<UserId>> = const { Cell::new(None) };
}

/// The account requests name (`None` before any is shown: signing in).
pub fn acting() -> Option<UserId> {
    ACTING.with(Cell::get)
}

pub fn act_as(id: Option<UserId>) {
    ACTING.with(|a| a.set(id));
}

pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Every account signed in here, most recently used first.
pub fn known() -> Vec<UserInfo> {
    local_storage()
        .and_then(|ls| ls.get_item(KNOWN_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn keep(accounts: &[UserInfo]) {
    // Storage can be full or disabled; the app then needs the server to start.
    if let (Some(ls), Ok(json)) = (local_storage(), serde_json::to_string(accounts)) {
        let _ = ls.set_item(KNOWN_KEY, &json);
    }
}

/// This tab's account: its own choice, else the one used last.
pub fn current() -> Option<UserInfo> {
    let known = known();
    let chosen = session()
        .and_then(|s| s.get_item(CURRENT_KEY).ok().flatten())
        .and_then(|id| id.parse().ok().map(UserId));
    match chosen {
        Some(id) => known.into_iter().find(|a| a.id == id),
        None => known.into_iter().next(),
    }
}

/// The account this tab now shows (just signed in, or switched to).
pub fn remember(me: &UserInfo) {
    let mut accounts = known();
    accounts.retain(|a| a.id != me.id);
    accounts.insert(0, me.clone());
    keep(&accounts);
    if let Some(s) = session() {
        let _ = s.set_item(CURRENT_KEY, &me.id.0.to_string());
    }
}

/// Signed out of `id`. If this tab showed it, the tab goes on to the
/// account used last (`current`), or to none.
pub fn forget(id: UserId) {
    let mut accounts = known();
    accounts.retain(|a| a.id != id);
    keep(&accounts);
    if let Some(s) = session()
        && s.get_item(CURRENT_KEY).ok().flatten() == Some(id.0.to_string())
    {
        let _ = s.remove_item(CURRENT_KEY);
    }
}
