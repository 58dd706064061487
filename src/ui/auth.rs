//! Who is using the app: sign in / sign up, joining by link, and a guest
//! keeping their chats with a username and password.

use crate::case;
use courier_protocol::ChatKind;
use courier_protocol::http::{
    Claim, GuestJoin, InvitePreview, JoinAnswer, JoinPending, Joined, Me, SignIn, SignUp,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::later::fetch_after_paint;
use super::prefs::LanguageSelect;
use super::{members_label, say};
use crate::api::{self, ApiFail};
use crate::i18n::{t, t_with};
use crate::state::ctx;

/// A form's error line, announced when it appears.
#[component]
fn FormError(error: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <p class="error" role="alert">{e}</p> })
    }
}

#[component]
pub fn AuthScreen() -> impl IntoView {
    let ctx = ctx();
    fetch_after_paint(super::preload_signed_in);
    view! {
        <main class="auth">
            <h1>"Courier"</h1>
            <AuthForm />
            <Show when=move || ctx.adding.get()>
                <button type="button" class="link" on:click=move |_| ctx.adding.set(false)>
                    {t("back-to-account")}
                </button>
            </Show>
            <div class="auth-prefs">
                <LanguageSelect />
            </div>
        </main>
    }
}

#[component]
fn AuthForm() -> impl IntoView {
    let ctx = ctx();
    let signing_up = RwSignal::new(false);
    let (username, password, name) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let (error, busy) = (RwSignal::new(None::<String>), RwSignal::new(false));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (username, password) = (
            case::lower(username.get_untracked().trim()),
            password.get_untracked(),
        );
        let name = Some(name.get_untracked().trim().to_string()).filter(|n| !n.is_empty());
        spawn_local(async move {
            let result: Result<Me, ApiFail> = if signing_up.get_untracked() {
                api::accounts::sign_up(&SignUp {
                    username,
                    password,
                    name,
                })
                .await
            } else {
                api::accounts::sign_in(&SignIn { username, password }).await
            };
            busy.try_set(false);
            match result {
                Ok(Me { me }) => ctx.enter(me),
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    let action = move || {
        if signing_up.get() {
            t("sign-up")
        } else {
            t("sign-in")
        }
    };
    view! {
        <form class="card" on:submit=submit>
            <h2>{action}</h2>
            <label>
                {t("username")}
                <input
                    dir="auto"
                    autocomplete="username"
                    autocapitalize="none"
                    required
                    prop:value=username
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
            </label>
            <label>
                {t("password")}
                <input
                    type="password"
                    autocomplete=move || if signing_up.get() { "new-password" } else { "current-password" }
                    required
                    prop:value=password
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
            </label>
            <Show when=move || signing_up.get()>
                <label>
                    {t("display-name")}
                    <input
                        dir="auto"
                        placeholder=t("optional")
                        autocomplete="name"
                        prop:value=name
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
            </Show>
            <FormError error />
            <button type="submit" class="primary" disabled=busy>{action}</button>
            <button
                type="button"
                class="link"
                on:click=move |_| {
                    error.set(None);
                    signing_up.update(|s| *s = !*s);
                }
            >
                {move || if signing_up.get() { t("have-account") } else { t("create-account") }}
            </button>
        </form>
    }
}

/// The server's answer to joining: in, or waiting for an admin.
/// `/join/<code>`: the invite's preview, then join as a guest with only a
/// name, or with the signed-in account (or ask to, if admins approve).
#[component]
pub fn JoinScreen() -> impl IntoView {
    let ctx = ctx();
    fetch_after_paint(super::preload_signed_in);
    let code = ctx.join.get_untracked().unwrap_or_default();
    let preview = RwSignal::new(None::<Result<InvitePreview, ApiFail>>);
    {
        let code = code.clone();
        spawn_local(async move {
            let found = api::chats::invite_preview(&code).await;
            preview.try_set(Some(found));
        });
    }
    let (name, error, busy, with_account) = (
        RwSignal::new(String::new()),
        RwSignal::new(None::<String>),
        RwSignal::new(false),
        RwSignal::new(false),
    );
    let pending = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (code, name) = (code.clone(), name.get_untracked().trim().to_string());
        let signed_in = ctx.me.get_untracked().is_some();
        spawn_local(async move {
            let joined = if signed_in {
                api::chats::join_by_invite(&code)
                    .await
                    .map(|answer| match answer {
                        JoinAnswer::Joined(c) => Some(c.chat),
                        JoinAnswer::Pending(_) => None,
                    })
            } else {
                api::accounts::guest(&GuestJoin { invite: code, name })
                    .await
                    .map(|answer| match answer {
                        JoinAnswer::Joined(Joined { me, chat }) => {
                            ctx.enter(me);
                            Some(chat)
                        }
                        JoinAnswer::Pending(JoinPending { me, .. }) => {
                            if let Some(me) = me {
                                ctx.enter(me);
                            }
                            None
                        }
                    })
            };
            busy.try_set(false);
            match joined {
                Ok(Some(chat)) => ctx.show_chat(chat),
                Ok(None) => {
                    pending.try_set(true);
                }
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    let signed_in = move || ctx.me.with(|m| m.is_some());
    view! {
        <main class="auth join">
            <h1>"Courier"</h1>
            <form class="card" on:submit=submit>
                {move || match preview.get() {
                    None => view! { <p>{t("loading-invite")}</p> }.into_any(),
                    Some(Ok(p)) => view! {
                        <h2 dir="auto">{p.title}</h2>
                        <p class="muted">{match p.kind {
                            ChatKind::Channel => t_with("channel-subscribers", &[("n", p.member_count.into())]),
                            _ => members_label(p.member_count),
                        }}</p>
                        {p.needs_approval.then(|| view! { <p class="muted">{t("admin-approves")}</p> })}
                    }.into_any(),
                    Some(Err(fail)) => view! { <p class="error" role="alert">{say(fail)}</p> }.into_any(),
                }}
                <Show when=move || !signed_in()>
                    <label>
                        {t("display-name")}
                        <input
                            dir="auto"
                            required
                            autocomplete="name"
                            prop:value=name
                            on:input=move |ev| name.set(event_target_value(&ev))
                        />
                    </label>
                </Show>
                <FormError error />
                <Show when=move || pending.get()>
                    <p class="notice" role="status">{t("join-request-sent")}</p>
                </Show>
                <button
                    type="submit"
                    class="primary"
                    disabled=move || busy.get() || pending.get() || preview.with(|p| matches!(p, Some(Err(_))))
                >
                    {move || if preview.with(|p| matches!(p, Some(Ok(p)) if p.needs_approval)) { t("request-to-join") } else { t("join-chat") }}
                </button>
            </form>
            <Show when=move || !signed_in()>
                <Show
                    when=move || with_account.get()
                    fallback=move || view! {
                        <button type="button" class="link" on:click=move |_| with_account.set(true)>
                            {t("have-account")}
                        </button>
                    }
                >
                    <AuthForm />
                </Show>
            </Show>
            <div class="auth-prefs">
                <LanguageSelect />
            </div>
        </main>
    }
}

/// Shown to guests: choose a username and password and keep everything.
#[component]
pub fn GuestBanner() -> impl IntoView {
    let ctx = ctx();
    let (username, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (error, busy) = (RwSignal::new(None::<String>), RwSignal::new(false));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let claim = Claim {
            username: case::lower(username.get_untracked().trim()),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let result = api::accounts::claim(&claim).await;
            busy.try_set(false);
            match result {
                Ok(Me { me }) => ctx.enter(me),
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    view! {
        <section class="banner" aria-labelledby="keep-title">
            <p id="keep-title">{t("keep-title")}</p>
            <form on:submit=submit aria-label=t("keep-my-chats")>
                <input
                    dir="auto"
                    aria-label=t("username")
                    placeholder=t("username")
                    autocomplete="username"
                    autocapitalize="none"
                    required
                    prop:value=username
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
                <input
                    type="password"
                    aria-label=t("password")
                    placeholder=t("password")
                    autocomplete="new-password"
                    required
                    prop:value=password
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <FormError error />
                <button type="submit" class="primary" disabled=busy>{t("keep-my-chats")}</button>
            </form>
        </section>
    }
}
