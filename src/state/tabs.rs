//! This account's other tabs in this browser, told when the store changed.

use courier_protocol::UserId;
use leptos::prelude::*;

/// The user's other tabs of this browser. Each tab has its own socket and
/// all write the same IndexedDB, which stays right by itself (events by
/// seq, messages by client id); a tab only needs telling that it changed,
/// for what its socket does not bring (read cursors, deleted for me).
pub(super) struct Tabs {
    pub(super) channel: web_sys::BroadcastChannel,
    _listener: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Tabs {
    pub(super) fn open(user: UserId, rev: RwSignal<u64>) -> Option<Tabs> {
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
