//! Preferences' devices: every sign-in of the account with its name and
//! when it was last seen, this one marked; the others can be signed out,
//! and a new password signs out all of them.

use courier_protocol::http::devices::{Devices, NewPassword};
use courier_protocol::model::device::Device;
use courier_protocol::{ErrorCode, UserKind};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::when;
use crate::api::{self, ApiFail};
use crate::i18n::{say, t, t_with};
use crate::state::ctx;

/// The account's devices; nothing before signing in.
#[component]
pub fn DevicesBox() -> impl IntoView {
    let devices = RwSignal::new(None::<Vec<Device>>);
    let error = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            if let Ok(Devices { devices: list }) = api::devices::devices().await {
                devices.try_set(Some(list));
            }
        });
    };
    load();
    let end = move |id: String| {
        spawn_local(async move {
            match api::devices::end(&id).await {
                Ok(()) => load(),
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    view! {
        <Show when=move || devices.with(Option::is_some)>
            <section class="devices" aria-labelledby="devices-title">
                <h2 id="devices-title" class="pref-title">{t("devices")}</h2>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <ul>
                    <For
                        each=move || devices.get().unwrap_or_default()
                        key=|d| (d.id.clone(), d.name.clone(), d.last_seen_at)
                        children=move |d| view! { <DeviceRow device=d end /> }
                    />
                </ul>
                <PasswordForm on_changed=load />
            </section>
        </Show>
    }
}

#[component]
fn DeviceRow(device: Device, end: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let unnamed = t("device-unnamed");
    let draft = RwSignal::new(device.name.clone());
    let shown = move || {
        let name = draft.get();
        if name.trim().is_empty() {
            unnamed.clone()
        } else {
            name
        }
    };
    let seen = if device.current {
        t("device-this")
    } else {
        t_with("device-seen", &[("time", when(device.last_seen_at).into())])
    };
    let editing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = device.id.clone();
    let rename = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (id, name) = (id.clone(), draft.get_untracked());
        spawn_local(async move {
            match api::devices::rename(&id, name).await {
                Ok(()) => {
                    editing.try_set(false);
                    error.try_set(None);
                }
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    let end_label = t_with("device-end-named", &[("name", shown().into())]);
    let id = device.id.clone();
    view! {
        <li class="device">
            {move || if editing.get() {
                view! {
                    <form class="device-rename" on:submit=rename.clone()>
                        <input
                            aria-label=t("device-name")
                            maxlength="64"
                            prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev))
                        />
                        <button type="submit">{t("save")}</button>
                    </form>
                }.into_any()
            } else {
                view! { <span class="device-name">{shown.clone()}</span> }.into_any()
            }}
            <span class="device-seen">{seen}</span>
            {device.current.then(|| view! {
                <button type="button" class="link" aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|e| *e = !*e)>
                    {t("device-rename")}
                </button>
            })}
            {(!device.current).then(|| view! {
                <button type="button" class="link danger" aria-label=end_label on:click=move |_| end(id.clone())>
                    {t("device-end")}
                </button>
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </li>
    }
}

/// A new password, given the current one: signs out every other device.
#[component]
fn PasswordForm(on_changed: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let ctx = ctx();
    let is_account = move || {
        ctx.me
            .with(|me| me.as_ref().is_some_and(|me| me.kind == UserKind::Account))
    };
    let old = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let status = RwSignal::new(None::<(bool, String)>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let body = NewPassword {
            old: old.get_untracked(),
            new: new.get_untracked(),
        };
        spawn_local(async move {
            let done = api::devices::change_password(&body).await;
            match done {
                Ok(()) => {
                    old.try_set(String::new());
                    new.try_set(String::new());
                    status.try_set(Some((true, t("password-changed"))));
                    on_changed();
                }
                Err(ApiFail::Code(ErrorCode::BadCredentials)) => {
                    status.try_set(Some((false, t("password-wrong"))));
                }
                Err(fail) => {
                    status.try_set(Some((false, say(fail))));
                }
            }
        });
    };
    view! {
        <Show when=is_account>
            <form class="password-form" on:submit=submit>
                <h3 class="pref-title">{t("password-change")}</h3>
                <label class="pref">
                    <span>{t("password-old")}</span>
                    <input type="password" autocomplete="current-password" required
                        prop:value=move || old.get() on:input=move |ev| old.set(event_target_value(&ev)) />
                </label>
                <label class="pref">
                    <span>{t("password-new")}</span>
                    <input type="password" autocomplete="new-password" required minlength="8"
                        prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev)) />
                </label>
                <button type="submit">{t("password-change")}</button>
                {move || status.get().map(|(ok, text)| if ok {
                    view! { <p class="note" role="status">{text}</p> }.into_any()
                } else {
                    view! { <p class="error" role="alert">{text}</p> }.into_any()
                })}
            </form>
        </Show>
    }
}
