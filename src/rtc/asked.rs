//! The door to the calls part: the rest of the app hands calls what it
//! asks of them here, and they run in the `calls` part of the wasm
//! (`scripts/app.sh`), fetched the first time anything is asked. What is
//! asked while the part is on its way waits, and everything runs in the
//! order asked, so a call's news never overtakes the news before it.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use courier_protocol::ChatId;
use wasm_bindgen_futures::spawn_local;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

use super::{Phone, group};
use crate::net::CallNews;

/// What the rest of the app asks of calls.
pub enum Ask {
    /// The server's news of a call.
    Hear(CallNews),
    /// The socket is back online (the network may have changed).
    Reconnected,
    /// Names the other person of the call of a chat on its screen.
    NamePeer(ChatId, String),
    /// Calls the other person of a 1:1 (`peer` is their name).
    Call {
        chat: ChatId,
        peer: String,
        video: bool,
    },
    /// Joins (or starts) a group's call.
    Join(ChatId),
}

thread_local! {
    static WAITING: RefCell<VecDeque<(Phone, Ask)>> = const { RefCell::new(VecDeque::new()) };
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    /// Whether anything but `Reconnected` was ever asked: until then there
    /// is no call to restore, and the part need not be fetched for it.
    static USED: Cell<bool> = const { Cell::new(false) };
}

/// Hands `ask` to the calls part, after whatever was asked before it.
pub fn ask(phone: Phone, ask: Ask) {
    if matches!(ask, Ask::Reconnected) && !USED.get() {
        return;
    }
    USED.set(true);
    WAITING.with_borrow_mut(|w| w.push_back((phone, ask)));
    if !RUNNING.replace(true) {
        spawn_local(async {
            while let Some((phone, ask)) = WAITING.with_borrow_mut(VecDeque::pop_front) {
                if perform(phone, ask).await.is_err() {
                    // Offline before the part was kept: this one is lost, and
                    // the next ask fetches the part again.
                    leptos::logging::warn!("the calls part could not be loaded");
                }
            }
            RUNNING.set(false);
        });
    }
}

#[wasm_split(calls, fallible)]
fn perform(phone: Phone, ask: Ask) -> Result<(), SplitLoaderError> {
    match ask {
        Ask::Hear(news) => super::hear(&phone, news),
        Ask::Reconnected => super::reconnected(&phone),
        Ask::NamePeer(chat, name) => super::name_peer(&phone, chat, name),
        Ask::Call { chat, peer, video } => super::call(phone, chat, peer, video),
        Ask::Join(chat) => group::join(phone, chat),
    }
    Ok(())
}
