//! A chat's people and settings: the paged member list with what the
//! viewer's rights allow (make admin, remove, ban), and for admins the
//! chat's settings, invite links and join requests. The server checks
//! every action again; the UI only hides what would be refused.

use courier_protocol::http::{ChatSettings, InviteLink, JoinRequests, MemberAction, NewInvite};
use courier_protocol::policy::{self, Standing};
use courier_protocol::{ChatId, ChatKind, ChatSummary, Member, Rights, Role, UserId};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

use super::say;
use crate::api::{self};
use crate::i18n::{self, t, t_with};
use crate::state::ctx;

const PAGE: u32 = 50;

/// The members panel, in the `admin` part with the chat's settings.
#[wasm_split(admin, fallible)]
pub fn members_panel(chat: ChatSummary) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <MembersPanel chat /> }.into_any())
}

/// The chat's settings panel (`admin` part).
#[wasm_split(admin, fallible)]
pub fn settings_panel(chat: ChatSummary) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <SettingsPanel chat /> }.into_any())
}

/// The members, a page at a time, with the actions the viewer may take.
#[component]
fn MembersPanel(chat: ChatSummary) -> impl IntoView {
    let id = chat.id;
    let (members, next, error) = (
        RwSignal::new(Vec::<Member>::new()),
        RwSignal::new(None::<UserId>),
        RwSignal::new(None::<String>),
    );
    let load = move |after: Option<UserId>| {
        spawn_local(async move {
            match api::moderation::members(id, after, Some(PAGE)).await {
                Ok(page) => {
                    members.try_update(|m| {
                        if after.is_none() {
                            m.clear();
                        }
                        m.extend(page.members);
                    });
                    next.try_set(page.next);
                }
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    load(None);
    let mine = Standing::of(&chat);
    let my_role = chat.role;
    let act = move |target: UserId, action: MemberAction| {
        error.set(None);
        spawn_local(async move {
            match api::moderation::member_action(id, target, &action).await {
                Ok(()) => load(None),
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    let invite =
        (chat.kind != ChatKind::Direct && !chat.invite.is_empty()).then(|| chat.invite.clone());
    view! {
        <section class="members" aria-label=t("members-of-chat")>
            {invite.map(|code| view! { <InviteBox code /> })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <ul class="member-list">
                <For
                    each=move || members.get()
                    key=|m| (m.user.id, m.role)
                    children=move |m| {
                        let target = m.user.id;
                        let name = m.user.name.clone();
                        let is_me = ctx().me.with_untracked(|me| me.as_ref().map(|me| me.id)) == Some(target);
                        let may_promote = my_role == Role::Owner && m.role != Role::Owner && !is_me;
                        let may_ban = !is_me
                            && m.role != Role::Owner
                            && policy::may_remove(&mine, Some(m.role));
                        let badge = match m.role {
                            Role::Owner => Some(t("role-owner")),
                            Role::Admin => Some(t("role-admin")),
                            Role::Member => None,
                        };
                        let admin = m.role == Role::Admin;
                        view! {
                            <li>
                                <span dir="auto">{m.user.name.clone()}</span>
                                {m.user.username.map(|u| view! { <span class="muted" dir="ltr">"@" {u}</span> })}
                                {badge.map(|b| view! { <span class="badge role">{b}</span> })}
                                <span class="actions">
                                    {may_promote.then(|| {
                                        let (label, action) = if admin {
                                            (t_with("dismiss-admin-named", &[("name", name.clone().into())]), MemberAction::Demote)
                                        } else {
                                            let rights = Rights { post: true, delete: true, ban: true, pin: true, invite: true, edit_info: false };
                                            (t_with("make-admin-named", &[("name", name.clone().into())]), MemberAction::Promote { rights })
                                        };
                                        let text = if admin { t("dismiss-admin") } else { t("make-admin") };
                                        view! { <button type="button" class="small" aria-label=label on:click=move |_| act(target, action.clone())>{text}</button> }
                                    })}
                                    {may_ban.then(|| view! {
                                        <button type="button" class="small" aria-label=t_with("remove-named", &[("name", name.clone().into())]) on:click=move |_| act(target, MemberAction::Remove)>{t("remove")}</button>
                                        <button type="button" class="small danger" aria-label=t_with("ban-named", &[("name", name.clone().into())]) on:click=move |_| act(target, MemberAction::Ban)>{t("ban")}</button>
                                    })}
                                </span>
                            </li>
                        }
                    }
                />
            </ul>
            <Show when=move || next.with(Option::is_some)>
                <button type="button" class="link" on:click=move |_| load(next.get_untracked())>{t("show-more")}</button>
            </Show>
        </section>
    }
}

/// The chat's main link with a copy button.
#[component]
fn InviteBox(code: String) -> impl IntoView {
    let link = join_link(&code);
    let copied = RwSignal::new(false);
    let copy = {
        let link = link.clone();
        move |_| {
            let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
                return;
            };
            let writing = clipboard.write_text(&link);
            spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(writing).await.is_ok() {
                    copied.try_set(true);
                }
            });
        }
    };
    view! {
        <div class="invite">
            <input readonly dir="auto" aria-label=t("invite-link") prop:value=link on:focus=|ev| { event_target::<web_sys::HtmlInputElement>(&ev).select() } />
            <button type="button" on:click=copy>{move || if copied.get() { t("copied") } else { t("copy-link") }}</button>
        </div>
    }
}

fn join_link(code: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}/join/{code}")
}

/// Settings (the `edit_info` right), invite links and join requests (the
/// `invite` right).
#[component]
fn SettingsPanel(chat: ChatSummary) -> impl IntoView {
    let rights = chat.rights;
    let id = chat.id;
    view! {
        <section class="settings" aria-label=t("chat-settings")>
            {rights.edit_info.then(|| view! { <InfoForm chat=chat.clone() /> })}
            {rights.invite.then(|| view! { <InviteLinksBox id /> <RequestsBox id /> })}
        </section>
    }
}

/// Slow mode's choices, in seconds.
const SLOW_MODES: [u32; 7] = [0, 10, 30, 60, 300, 900, 3600];

/// A duration as a person says it: "Off" for none, else the largest whole unit.
fn duration_label(s: u32, none: &str) -> String {
    const UNITS: [(u32, &str); 5] = [
        (604_800, "duration-weeks"),
        (86_400, "duration-days"),
        (3600, "duration-hours"),
        (60, "duration-minutes"),
        (1, "duration-seconds"),
    ];
    match UNITS
        .iter()
        .find(|(unit, _)| s > 0 && s.is_multiple_of(*unit))
    {
        Some(&(unit, key)) => t_with(key, &[("n", (s / unit).into())]),
        None => t(none),
    }
}

#[component]
fn InfoForm(chat: ChatSummary) -> impl IntoView {
    let ctx = ctx();
    let id = chat.id;
    let is_channel = chat.kind == ChatKind::Channel;
    let name = RwSignal::new(chat.title.clone());
    let handle = RwSignal::new(chat.handle.clone().unwrap_or_default());
    let slow = RwSignal::new(chat.slow_mode_s);
    let signatures = RwSignal::new(chat.signatures);
    let (note, error) = (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        note.set(None);
        let settings = ChatSettings {
            name: Some(name.get_untracked()),
            handle: Some(handle.get_untracked()),
            slow_mode_s: Some(slow.get_untracked()),
            signatures: is_channel.then(|| signatures.get_untracked()),
            // Absent fields stay as they are (fields newer than this form too).
            ..ChatSettings::default()
        };
        spawn_local(async move {
            match api::moderation::update_chat(ctx.store(), id, &settings).await {
                Ok(_) => {
                    note.try_set(Some(t("saved")));
                    ctx.changed();
                }
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    view! {
        <form class="card-lite" on:submit=save>
            <label>{t("chat-name")} <input dir="auto" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) /></label>
            <label>
                {t("public-handle")}
                <input
                    dir="auto"
                    placeholder=t("handle-placeholder")
                    autocapitalize="none"
                    prop:value=handle
                    on:input=move |ev| handle.set(event_target_value(&ev))
                />
            </label>
            {(!is_channel).then(|| view! {
                <label>
                    {t("slow-mode")}
                    <select on:change=move |ev| slow.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {SLOW_MODES.iter().map(|&s| view! {
                            <option value=s.to_string() selected=move || slow.get() == s>{duration_label(s, "off")}</option>
                        }).collect_view()}
                    </select>
                </label>
            })}
            {is_channel.then(|| view! {
                <label class="check">
                    <input type="checkbox" prop:checked=signatures on:change=move |ev| signatures.set(event_target_checked(&ev)) />
                    {t("sign-posts")}
                </label>
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || note.get().map(|n| view! { <p class="muted" role="status">{n}</p> })}
            <button type="submit">{t("save")}</button>
        </form>
    }
}

/// An invite link's lifetimes, in seconds; none is forever.
const EXPIRIES: [u32; 4] = [0, 3600, 86_400, 604_800];

#[component]
fn InviteLinksBox(id: ChatId) -> impl IntoView {
    let (links, error) = (
        RwSignal::new(Vec::<InviteLink>::new()),
        RwSignal::new(None::<String>),
    );
    let reload = move || {
        spawn_local(async move {
            match api::moderation::invites(id).await {
                Ok(l) => {
                    links.try_set(l.invites);
                }
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    reload();
    let (expiry, limit, approval) = (
        RwSignal::new(0u32),
        RwSignal::new(String::new()),
        RwSignal::new(false),
    );
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let invite = NewInvite {
            expires_in_s: Some(expiry.get_untracked()).filter(|s| *s > 0),
            usage_limit: limit.get_untracked().trim().parse().ok(),
            needs_approval: approval.get_untracked(),
        };
        spawn_local(async move {
            match api::moderation::new_invite(id, &invite).await {
                Ok(_) => reload(),
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    let revoke = move |code: String| {
        spawn_local(async move {
            match api::moderation::revoke_invite(id, &code).await {
                Ok(()) => reload(),
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    view! {
        <h3>{t("invite-links")}</h3>
        <ul class="links" aria-label=t("invite-links")>
            <For
                each=move || links.get()
                key=|l| (l.code.clone(), l.revoked, l.uses)
                children=move |l| {
                    let code = l.code.clone();
                    let facts = link_facts(&l);
                    view! {
                        <li class:revoked=l.revoked>
                            <code dir="auto">{join_link(&l.code)}</code>
                            <span class="muted">{facts}</span>
                            {(!l.revoked).then(|| view! {
                                <button type="button" class="small danger" aria-label=t_with("revoke-named", &[("code", l.code.clone().into())]) on:click=move |_| revoke(code.clone())>{t("revoke")}</button>
                            })}
                        </li>
                    }
                }
            />
        </ul>
        <form class="card-lite" on:submit=create aria-label=t("new-invite-link")>
            <label>
                {t("expires")}
                <select on:change=move |ev| expiry.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {EXPIRIES.iter().map(|&s| view! { <option value=s.to_string()>{duration_label(s, "never")}</option> }).collect_view()}
                </select>
            </label>
            <label>{t("usage-limit")} <input inputmode="numeric" dir="auto" placeholder=t("no-limit") prop:value=limit on:input=move |ev| limit.set(event_target_value(&ev)) /></label>
            <label class="check">
                <input type="checkbox" prop:checked=approval on:change=move |ev| approval.set(event_target_checked(&ev)) />
                {t("admins-approve")}
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t("create-link")}</button>
        </form>
    }
}

fn link_facts(l: &InviteLink) -> String {
    let mut facts = Vec::new();
    if l.primary {
        facts.push(t("link-main"));
    }
    if l.revoked {
        facts.push(t("link-revoked"));
    }
    match l.usage_limit {
        Some(limit) => facts.push(t_with(
            "link-used",
            &[("uses", l.uses.into()), ("limit", limit.into())],
        )),
        None if !l.primary => facts.push(t_with("link-joined", &[("n", l.uses.into())])),
        None => {}
    }
    if let Some(at) = l.expires_at {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64));
        let date = String::from(
            date.to_locale_string(i18n::current().tag(), &wasm_bindgen::JsValue::UNDEFINED),
        );
        facts.push(t_with("link-expires", &[("date", date.into())]));
    }
    if l.needs_approval {
        facts.push(t("link-needs-approval"));
    }
    facts.join(" · ")
}

#[component]
fn RequestsBox(id: ChatId) -> impl IntoView {
    let (requests, error) = (
        RwSignal::new(None::<JoinRequests>),
        RwSignal::new(None::<String>),
    );
    let reload = move || {
        spawn_local(async move {
            match api::moderation::join_requests(id).await {
                Ok(r) => {
                    requests.try_set(Some(r));
                }
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    reload();
    let answer = move |user: UserId, approve: bool| {
        spawn_local(async move {
            let done = api::moderation::answer_request(id, user, approve).await;
            if let Err(fail) = done {
                error.try_set(Some(say(fail)));
            }
            reload();
        });
    };
    view! {
        <Show when=move || requests.with(|r| r.as_ref().is_some_and(|r| !r.requests.is_empty()))>
            <h3>{t("join-requests")}</h3>
            <ul class="requests" aria-label=t("join-requests")>
                {move || requests.get().map(|r| r.requests.into_iter().map(|req| {
                    let (user, name) = (req.user.id, req.user.name.clone());
                    view! {
                        <li>
                            <span dir="auto">{req.user.name}</span>
                            <button type="button" class="small" aria-label=t_with("approve-named", &[("name", name.clone().into())]) on:click=move |_| answer(user, true)>{t("approve")}</button>
                            <button type="button" class="small danger" aria-label=t_with("decline-named", &[("name", name.into())]) on:click=move |_| answer(user, false)>{t("decline")}</button>
                        </li>
                    }
                }).collect_view())}
            </ul>
        </Show>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}
