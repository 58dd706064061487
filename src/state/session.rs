//! An account's session in this tab: entering it (its database, its tabs
//! channel, its socket session), leaving it, and switching.

use std::collections::HashMap;
use std::rc::Rc;

use courier_protocol::UserInfo;
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

use crate::account;
use crate::net::{self, Session, Status};
use crate::store::Store;

use super::{Ctx, Tabs};

impl Ctx {
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
            // Not fetched (offline before the app was kept): the signed-in
            // screen says so, and the next start tries again.
            if let Ok(starting) = start(self, me).await {
                starting.await;
            }
        });
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
}

/// Opens `me`'s database, their tabs channel and their socket session, in
/// the `signed_in` part: the sign-in screen loads without the code of the
/// store, the socket and what they report.
#[wasm_split(signed_in, fallible)]
fn start(ctx: Ctx, me: UserInfo) -> Result<LocalBoxFuture<'static, ()>, SplitLoaderError> {
    Ok(Box::pin(async move {
        let Ok(store) = Store::open(me.id).await else {
            return;
        };
        // Switched again meanwhile: that account's own task goes on.
        if account::acting() != Some(me.id) {
            return;
        }
        ctx.store.set_value(Some(store.clone()));
        ctx.tabs.set_value(Tabs::open(me.id, ctx.rev));
        let notify: net::Observer = Rc::new(move |event| ctx.on_event(me.id, event));
        ctx.session
            .set_value(Some(Session::start(store.clone(), notify)));
        ctx.changed();
        // The socket refreshes it anyway; this only speeds up the next
        // offline start, so the session does not wait for it.
        let _ = store.save_me(&me).await;
    }))
}
