//! A chat's own options: jump to a date, the disappearing timer, and
//! blocking the other person of a 1:1 chat.

use courier_protocol::http::ChatSettings;
use courier_protocol::limits::TTL_MAX_S;
use courier_protocol::policy::{self, Standing};
use courier_protocol::{ChatId, ChatKind, ChatSummary, Place, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::i18n::t;
use crate::state::ctx;
use crate::store::Landing;
use crate::ui::say;

/// Disappearing-message timers offered, in seconds (0 is off).
const TIMERS: [(u32, &str); 4] = [
    (0, "timer-off"),
    (24 * 3600, "timer-day"),
    (7 * 24 * 3600, "timer-week"),
    (30 * 24 * 3600, "timer-month"),
];

/// A chat's own options: jump to a date, and the disappearing timer.
#[component]
pub(super) fn OptionsPanel(chat: ChatSummary) -> impl IntoView {
    let ctx = ctx();
    let id = chat.id;
    let may_time = policy::may_change(
        &Standing::of(&chat),
        &ChatSettings {
            ttl_s: Some(0),
            ..ChatSettings::default()
        },
    );
    let error = RwSignal::new(None::<String>);
    let go_to_date = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        // `YYYY-MM-DD` read as local midnight.
        let ms = js_sys::Date::new(&format!("{value}T00:00").into()).get_time();
        if ms.is_nan() {
            return;
        }
        let Some(store) = ctx.store() else { return };
        spawn_local(async move {
            let ms = ms as i64;
            let seq = match store.seq_at(id, ms).await {
                Ok(Landing::At(seq)) => Some(seq),
                // Offline, the oldest held is as near as this device gets.
                Ok(Landing::Older(oldest)) => api::messaging::since(id, ms)
                    .await
                    .map_or(Some(oldest), |s| s.seq),
                Ok(Landing::Nothing) | Err(_) => None,
            };
            match seq {
                Some(seq) => ctx.jump.set(Some((id, seq))),
                None => {
                    error.try_set(Some(t("no-messages-since")));
                }
            }
        });
    };
    // The chat as the server answers a change: kept, or why not shown.
    let keep = move |answer: Result<ChatSummary, api::ApiFail>| async move {
        match answer {
            Ok(_) => ctx.changed(),
            Err(fail) => {
                error.try_set(Some(say(fail)));
            }
        }
    };
    let custom = RwSignal::new(chat.ttl_s > 0 && TIMERS.iter().all(|&(s, _)| s != chat.ttl_s));
    let custom_hours = RwSignal::new((chat.ttl_s / 3600).max(1).to_string());
    let set_timer = move |ttl: u32| {
        let settings = ChatSettings {
            ttl_s: Some(ttl),
            ..ChatSettings::default()
        };
        spawn_local(async move {
            keep(api::moderation::update_chat(ctx.store(), id, &settings).await).await;
        });
    };
    let pick_timer = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        custom.set(value == "custom");
        if let Ok(ttl) = value.parse::<u32>() {
            set_timer(ttl);
        }
    };
    let place = RwSignal::new(chat.place);
    let set_place = move |change: fn(&mut Place, bool)| {
        move |ev: leptos::ev::Event| {
            let mut next = place.get_untracked();
            change(&mut next, event_target_checked(&ev));
            place.set(next);
            spawn_local(
                async move { keep(api::chats::set_place(ctx.store(), id, &next).await).await },
            );
        }
    };
    view! {
        <section class="panel options" aria-label=t("chat-options")>
            <label class="check">
                <input type="checkbox" prop:checked=move || place.get().pinned on:change=set_place(|p, on| p.pinned = on) />
                {t("pin-chat")}
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || place.get().muted on:change=set_place(|p, on| p.muted = on) />
                {t("mute-chat")}
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || place.get().archived on:change=set_place(|p, on| p.archived = on) />
                {t("archive-chat")}
            </label>
            <label>
                {t("jump-to-date")}
                <input type="date" on:change=go_to_date />
            </label>
            {may_time.then(|| view! {
                <label>
                    {t("auto-delete")}
                    <select on:change=pick_timer>
                        {TIMERS.iter().map(|&(s, key)| view! {
                            <option value=s.to_string() selected=chat.ttl_s == s>{t(key)}</option>
                        }).collect_view()}
                        <option value="custom" selected=custom.get_untracked()>{t("timer-custom")}</option>
                    </select>
                </label>
                <Show when=move || custom.get()>
                    <label>
                        {t("timer-hours")}
                        <input type="number" min="1" max=TTL_MAX_S / 3600 prop:value=custom_hours
                            on:input=move |ev| custom_hours.set(event_target_value(&ev)) />
                        <button type="button" on:click=move |_| {
                            if let Ok(hours) = custom_hours.get_untracked().parse::<u32>() {
                                set_timer(hours.saturating_mul(3600));
                            }
                        }>{t("timer-set")}</button>
                    </label>
                </Show>
            })}
            {(chat.kind == ChatKind::Direct).then(|| view! { <BlockButton chat=id error /> })}
            {policy::may_leave(&Standing::of(&chat)).then(|| {
                let label = if chat.kind == ChatKind::Channel { "leave-channel" } else { "leave-group" };
                let leave = move |_| {
                    spawn_local(async move {
                        match api::chats::leave(ctx.store(), id).await {
                            Ok(()) => {
                                ctx.open.set(None);
                                ctx.changed();
                            }
                            Err(fail) => {
                                error.try_set(Some(say(fail)));
                            }
                        }
                    });
                };
                view! { <button type="button" class="danger" on:click=leave>{t(label)}</button> }
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}

/// In a 1:1: blocks the other person (they can no longer write here), or
/// unblocks them. Whether they are blocked is asked when the panel opens.
#[component]
fn BlockButton(chat: ChatId, error: RwSignal<Option<String>>) -> impl IntoView {
    let ctx = ctx();
    // The other person, and whether they are blocked; unknown until asked.
    let other = RwSignal::new(None::<(UserId, bool)>);
    spawn_local(async move {
        let me = ctx.me.get_untracked().map(|m| m.id);
        let members = api::moderation::members(chat, None, None).await;
        let blocked = api::accounts::blocked().await;
        if let (Ok(members), Ok(blocked)) = (members, blocked)
            && let Some(them) = members.members.iter().find(|m| Some(m.user.id) != me)
        {
            let id = them.user.id;
            other.try_set(Some((id, blocked.blocked.iter().any(|u| u.id == id))));
        }
    });
    let toggle = move |_| {
        let Some((id, blocked)) = other.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let done = api::accounts::set_blocked(id, !blocked).await;
            match done {
                Ok(()) => {
                    other.try_set(Some((id, !blocked)));
                }
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    view! {
        {move || other.get().map(|(_, blocked)| view! {
            <button type="button" class=if blocked { "" } else { "danger" } aria-pressed=blocked.to_string() on:click=toggle>
                {t(if blocked { "unblock-user" } else { "block-user" })}
            </button>
            {blocked.then(|| view! { <p class="muted" role="status">{t("blocked-note")}</p> })}
        })}
    }
}
