//! The top bar's account menu: who is signed in here, switching between
//! the accounts of this browser, and adding one more.

use crate::case;
use courier_protocol::http::Accounts;
use courier_protocol::limits::ACCOUNTS_MAX;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::account;
use crate::api;
use crate::i18n::t;
use crate::state::ctx;

#[component]
pub fn AccountMenu() -> impl IntoView {
    let ctx = ctx();
    let open = RwSignal::new(false);
    let known = RwSignal::new(account::known());
    // The server knows which sessions still hold: one signed out on
    // another tab or device leaves the list. Offline, the list stands.
    let refresh = move || {
        spawn_local(async move {
            if let Ok(Accounts { accounts }) = api::accounts::accounts().await {
                // The tab's own account leaves only when its socket hears so.
                let shown = account::acting();
                for gone in account::known()
                    .iter()
                    .filter(|a| Some(a.id) != shown && !accounts.iter().any(|b| b.id == a.id))
                {
                    account::forget(gone.id);
                }
                known.try_set(account::known());
            }
        });
    };
    let toggle = move |_| {
        let now = !open.get_untracked();
        open.set(now);
        if now {
            known.set(account::known());
            refresh();
        }
    };
    let close = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            open.set(false);
        }
    };
    let me = move || ctx.me.with(|m| m.as_ref().map(|m| m.id));
    view! {
        <button
            class="whoami"
            dir="auto"
            // Named as it reads (the account's name), then what it opens.
            aria-label=move || {
                let name = ctx.me.with(|m| m.as_ref().map(|m| m.name.clone())).unwrap_or_default();
                format!("{name} · {}", t("accounts"))
            }
            aria-expanded=move || open.get().to_string()
            aria-controls="accounts"
            on:click=toggle
        >
            {move || ctx.me.get().map(|m| m.name)}
            <span aria-hidden="true">" ▾"</span>
        </button>
        <Show when=move || open.get()>
            <super::popover::Shade close=Callback::new(move |()| open.set(false)) />
            <div id="accounts" class="accounts" role="dialog" aria-label=t("accounts") on:keydown=close>
                <ul>
                    {move || known.get().into_iter().map(|a| {
                        let current = me() == Some(a.id);
                        let to = a.clone();
                        view! {
                            <li>
                                <button type="button" class="account" aria-current=current.then_some("true")
                                    on:click=move |_| {
                                        open.set(false);
                                        if !current {
                                            ctx.enter(to.clone());
                                        }
                                    }>
                                    <span class="avatar" aria-hidden="true">
                                        {case::initial(&a.name)}
                                    </span>
                                    <span class="name" dir="auto">{a.name.clone()}</span>
                                    <span class="muted">{a.username.map(|u| format!("@{u}"))}</span>
                                    {current.then(|| view! { <span class="check" aria-hidden="true">"✓"</span> })}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <Show when=move || { known.with(Vec::len) < ACCOUNTS_MAX }>
                    <button type="button" class="link" on:click=move |_| {
                        open.set(false);
                        ctx.adding.set(true);
                    }>{t("add-account")}</button>
                </Show>
            </div>
        </Show>
    }
}
