//! The top bar's sign-out: ends the session, and on a shared computer can
//! also take this account's messages off the browser (its IndexedDB
//! database), as a person leaving a library computer expects.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::t;
use crate::state::ctx;
use crate::{api, store};

#[component]
pub fn SignOutMenu() -> impl IntoView {
    let ctx = ctx();
    let open = RwSignal::new(false);
    let leave = move |remove_data: bool| {
        open.set(false);
        let Some(me) = ctx.me.get_untracked() else {
            return;
        };
        ctx.leave();
        spawn_local(async move {
            api::accounts::sign_out(me.id).await;
            if remove_data {
                store::remove_database(me.id);
            }
        });
    };
    let close = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            open.set(false);
        }
    };
    view! {
        <button
            class="icon"
            aria-label=t("sign-out")
            title=t("sign-out")
            aria-expanded=move || open.get().to_string()
            aria-controls="sign-out"
            on:click=move |_| open.update(|o| *o = !*o)
        >"⎋"</button>
        <Show when=move || open.get()>
            <super::popover::Shade close=Callback::new(move |()| open.set(false)) />
            <div id="sign-out" class="accounts sign-out" role="dialog" aria-label=t("sign-out") on:keydown=close>
                <p dir="auto">{move || ctx.me.get().map(|m| m.name)}</p>
                <button type="button" autofocus on:click=move |_| leave(false)>{t("sign-out")}</button>
                <button type="button" class="danger" on:click=move |_| leave(true)>{t("sign-out-remove-data")}</button>
                <button type="button" class="link" on:click=move |_| open.set(false)>{t("cancel")}</button>
            </div>
        </Show>
    }
}
