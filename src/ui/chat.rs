//! One open chat: header, members and settings, messages, composer.

use std::collections::HashMap;

use courier_protocol::http::{
    ChatCreated, ChatSettings, Draft, Members, NewScheduled, Presence, Reads, ScheduledPost,
    ScheduledPosts,
};
use courier_protocol::http::{accounts, chats, messaging, moderation, presence};
use courier_protocol::limits::{MAX_TEXT_CHARS, TTL_MAX_S, check_text};
use courier_protocol::policy::{self, SEEN_BY_MAX_MEMBERS, Standing};
use courier_protocol::{
    Act, ChatId, ChatKind, ChatSummary, Content, ErrorCode, Place, Seq, UserId,
};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::admin::{MembersPanel, SettingsPanel};
use super::message::{Line, MessageItem, Quote, Tools, lines, quote_of, show_message};
use super::search::Search;
use super::{Marks, ctx, days_ago, hhmm, members_label, short_date};
use crate::i18n::{t, t_with};
use crate::net::{self, Status};
use crate::store::{ChatPage, Landing, WINDOW, Window};

/// Most channel posts whose view counts the open chat asks for.
const VIEWED_POSTS: usize = 100;
/// Events added to the window when scrolling reaches one of its ends, and
/// the most it holds: what keeps the DOM small in a chat of any length.
const WINDOW_STEP: i64 = 40;
/// How long the list must rest before what is on screen counts as read.
const SETTLE_MS: u64 = 300;
const WINDOW_MAX: i64 = 2 * WINDOW;
/// How close (px) to an end of the list scrolling loads more.
const NEAR_END_PX: i32 = 150;
/// How often an open direct chat asks whether the other person is online.
const PRESENCE_EVERY_MS: u64 = 30_000;
/// The composer tells the chat "typing" at most this often, and saves the
/// draft after this long without a keystroke.
const TYPING_EVERY_MS: f64 = 3000.0;
const DRAFT_SAVE_MS: u64 = 800;
/// Disappearing-message timers offered, in seconds (0 is off).
const TIMERS: [(u32, &str); 4] = [
    (0, "timer-off"),
    (24 * 3600, "timer-day"),
    (7 * 24 * 3600, "timer-week"),
    (30 * 24 * 3600, "timer-month"),
];

#[component]
pub fn ChatView(id: ChatId) -> impl IntoView {
    let ctx = ctx();
    let page = RwSignal::new(ChatPage::default());
    let loaded = RwSignal::new(false);
    let window = RwSignal::new(Window::Newest);
    // Where the list should scroll after the next render.
    let scroll = StoredValue::new(Scroll::Bottom);
    // Opening a chat with unread messages starts at the first of them.
    let first_unread = RwSignal::new(None::<Seq>);
    // Nothing is read before the view knows where it starts.
    let placed = StoredValue::new(false);
    let list = NodeRef::<leptos::html::Ul>::new();
    // A chat opened to show one message (a search hit, a notification)
    // goes there, not to the first unread.
    let asked = ctx
        .jump
        .with_untracked(|j| j.is_some_and(|(chat, _)| chat == id));
    if let Some(store) = ctx.store() {
        spawn_local(async move {
            if let Ok(Some(seq)) = store.first_unread(id).await {
                first_unread.try_set(Some(seq));
                if !asked {
                    ctx.jump.try_set(Some((id, seq)));
                }
            }
            placed.try_set_value(true);
        });
    }
    // A jump (search result, quote, pinned bar, date, first unread) moves
    // the window around its message.
    Effect::new(move |_| {
        let Some((chat, seq)) = ctx.jump.get() else {
            return;
        };
        // Where it is depends on how much is held: wait for the first load.
        if chat != id || !loaded.get() {
            return;
        }
        ctx.jump.set(None);
        let target = around(seq, page.with_untracked(|p| p.held));
        if loaded.get_untracked() && target == window.get_untracked() {
            // Already on screen: nothing re-renders, so show it now.
            request_animation_frame(move || {
                show_message(seq.0);
            });
        } else {
            scroll.set_value(Scroll::To(seq));
            window.set(target);
        }
    });
    Effect::new(move |_| {
        ctx.rev.track();
        let window = window.get();
        let Some(store) = ctx.store() else { return };
        spawn_local(async move {
            let Ok(p) = store.chat_page(id, window).await else {
                return;
            };
            if p.wants_older()
                && let Some(session) = ctx.session()
            {
                session.older(id, p.floor.next());
            }
            // Older history came in above what is on screen: keep the
            // reader's place (a jump or a window move sets its own).
            let top = |p: &ChatPage| p.messages.iter().find(|m| m.shown()).map(|m| m.message.seq);
            let before = page.try_with_untracked(|old| (old.window == p.window).then(|| top(old)));
            if let (Some(Some(Some(first))), Some(now)) = (before, top(&p))
                && now < first
                && !matches!(scroll.try_get_value(), Some(Scroll::To(_)) | None)
                && let Some(px) = list.get_untracked().and_then(|ul| offset_of(&ul, first.0))
            {
                scroll.set_value(Scroll::Keep { seq: first.0, px });
            }
            let channel = p.chat.as_ref().is_some_and(|c| c.kind == ChatKind::Channel);
            let newest: Vec<Seq> = p
                .messages
                .iter()
                .rev()
                .filter(|m| m.shown())
                .take(VIEWED_POSTS)
                .map(|m| m.message.seq)
                .collect();
            page.try_set(p);
            loaded.try_set(true);
            if channel
                && !newest.is_empty()
                && let Some(session) = ctx.session()
            {
                session.ask_views(id, newest);
            }
        });
    });
    let chat = Memo::new(move |_| page.with(|p| p.chat.clone()));
    let has_chat = Memo::new(move |_| chat.with(Option::is_some));
    let title = move || chat.with(|c| c.as_ref().map(|c| c.title.clone()).unwrap_or_default());
    let subtitle = move || chat.with(|c| c.as_ref().map(subtitle_of).unwrap_or_default());
    // A channel's subscribers do not see each other.
    let may_list = move || {
        chat.with(|c| {
            c.as_ref()
                .is_none_or(|c| policy::sees_members(&Standing::of(c)))
        })
    };
    let may_manage = move || {
        chat.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.rights.edit_info || c.rights.invite)
        })
    };
    let names = RwSignal::new(HashMap::<UserId, String>::new());
    let small = Memo::new(move |_| {
        chat.with(|c| {
            c.as_ref()
                .is_some_and(|c| policy::shares_reads(c.kind, c.member_count))
        })
    });
    // Read cursors and names, on opening and after every reconnect.
    Effect::new(move |_| {
        let online = ctx.status.get() == Status::Online;
        if !online || !small.get() {
            return;
        }
        spawn_local(async move {
            if let Ok(Reads { reads }) = net::call(&messaging::READS, &[&id.0], "", &()).await {
                let marks = reads.into_iter().map(|c| {
                    let marks = Marks {
                        read: c.seq,
                        delivered: c.delivered,
                    };
                    (c.user, Marks::read(c.seq).max(marks))
                });
                ctx.reads.try_update(|r| {
                    r.insert(id, marks.collect());
                });
            }
            let query = format!("limit={SEEN_BY_MAX_MEMBERS}");
            if let Ok(Members { members, .. }) =
                net::call(&moderation::MEMBERS, &[&id.0], &query, &()).await
            {
                names.try_set(
                    members
                        .into_iter()
                        .map(|m| (m.user.id, m.user.name))
                        .collect(),
                );
            }
        });
    });
    let me = move || ctx.me.with(|m| m.as_ref().map(|m| m.id));
    let direct =
        Memo::new(move |_| chat.with(|c| c.as_ref().is_some_and(|c| c.kind == ChatKind::Direct)));
    // The other person of a direct chat, and whether they are online.
    let partner = Memo::new(move |_| {
        let me = me();
        names.with(|n| n.keys().copied().find(|u| Some(*u) != me))
    });
    let presence = RwSignal::new(None::<Presence>);
    Effect::new(move |_| {
        let (Some(user), true) = (partner.get(), direct.get()) else {
            return;
        };
        let ask = move || {
            spawn_local(async move {
                if let Ok(p) = net::call(&presence::PRESENCE, &[&user.0], "", &()).await {
                    presence.try_set(Some(p));
                }
            })
        };
        ask();
        if let Ok(handle) =
            set_interval_with_handle(ask, std::time::Duration::from_millis(PRESENCE_EVERY_MS))
        {
            on_cleanup(move || handle.clear());
        }
    });
    let typing = move || {
        ctx.typing.with(|t| {
            t.get(&id)
                .map(|who| {
                    who.values()
                        .map(|(name, _)| name.clone())
                        .collect::<Vec<_>>()
                })
                .filter(|names| !names.is_empty())
        })
    };
    let status_line = move || {
        if let Some(names) = typing() {
            return t_with("typing", &[("names", names.join(", ").into())]);
        }
        match (direct.get(), presence.get()) {
            (true, Some(Presence { online: true, .. })) => t("online"),
            (
                true,
                Some(Presence {
                    last_seen: Some(at),
                    ..
                }),
            ) => match days_ago(at) {
                0 => t_with("last-seen", &[("time", hhmm(at).into())]),
                1 => t_with("last-seen-yesterday", &[("time", hhmm(at).into())]),
                _ => t_with("last-seen-on", &[("date", short_date(at).into())]),
            },
            (true, Some(_)) => t("last-seen-recently"),
            _ => subtitle(),
        }
    };
    // How far any other member has read and received.
    let others = Memo::new(move |_| {
        let me = me();
        ctx.reads.with(|r| {
            r.get(&id).map_or_else(Marks::default, |c| {
                c.iter()
                    .filter(|(u, _)| Some(**u) != me)
                    .fold(Marks::default(), |all, (_, m)| all.max(*m))
            })
        })
    });
    let tools = Tools {
        chat: id,
        selected: RwSignal::new(None),
        reply: RwSignal::new(None),
        edit: RwSignal::new(None),
        may_delete_any: Memo::new(move |_| {
            chat.with(|c| c.as_ref().is_some_and(|c| c.rights.delete))
        }),
        may_pin: Memo::new(move |_| {
            chat.with(|c| {
                c.as_ref()
                    .is_some_and(|c| policy::may_pin(&Standing::of(c)))
            })
        }),
        seen_by: Memo::new(move |_| small.get() && !direct.get()),
        names,
    };
    // The newest pinned message, shown in a bar above the list.
    let pinned = Memo::new(move |_| {
        page.with(|p| {
            p.pinned.as_ref().map(|(seq, kept)| match kept {
                Some(kept) => quote_of(kept),
                None => Quote::not_here(*seq),
            })
        })
    });
    let may_post = Memo::new(move |_| chat.with(|c| c.as_ref().is_some_and(|c| c.rights.post)));
    // What slow mode asks of this user (admins are not slowed).
    let slow_mode_s = Memo::new(move |_| {
        chat.with(|c| {
            c.as_ref().map_or(0, |c| {
                u32::try_from(policy::slow_mode_ms(c.role, c.slow_mode_s) / 1000).unwrap_or(0)
            })
        })
    });
    let panel = RwSignal::new(None::<Panel>);
    let toggle = move |which: Panel| {
        panel.update(|p| *p = if *p == Some(which) { None } else { Some(which) })
    };
    view! {
        <main class="pane chat">
            <header class="chat-head">
                <button class="icon back" aria-label=t("back") on:click=move |_| ctx.open.set(None)>"←"</button>
                <div class="chat-title">
                    <h2 dir="auto">{title}</h2>
                    <span class="muted" class:typing=move || typing().is_some() aria-live="polite">{status_line}</span>
                </div>
                <button
                    class="icon"
                    aria-label=t("search-in-chat")
                    title=t("search-in-chat")
                    aria-expanded=move || (panel.get() == Some(Panel::Search)).to_string()
                    on:click=move |_| toggle(Panel::Search)
                ><svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><circle cx="10.5" cy="10.5" r="6.5"/><path d="M15.5 15.5 21 21"/></svg></button>
                <button
                    class="icon"
                    aria-label=t("chat-options")
                    title=t("chat-options")
                    aria-expanded=move || (panel.get() == Some(Panel::Options)).to_string()
                    on:click=move |_| toggle(Panel::Options)
                >"⋮"</button>
                <Show when=may_list>
                    <button
                        class="members-toggle"
                        aria-expanded=move || (panel.get() == Some(Panel::Members)).to_string()
                        on:click=move |_| toggle(Panel::Members)
                    >
                        {t("members")}
                    </button>
                </Show>
                <Show when=may_manage>
                    <button
                        class="members-toggle"
                        aria-expanded=move || (panel.get() == Some(Panel::Settings)).to_string()
                        on:click=move |_| toggle(Panel::Settings)
                    >
                        {t("settings")}
                    </button>
                </Show>
            </header>
            // A panel takes the chat as it was when opened, so saving its
            // settings does not rebuild it under the person's hands.
            {move || match (panel.get(), has_chat.get()) {
                (Some(Panel::Members), true) => chat.get_untracked().map(|c| view! { <MembersPanel chat=c /> }.into_any()),
                (Some(Panel::Settings), true) => chat.get_untracked().map(|c| view! { <SettingsPanel chat=c /> }.into_any()),
                (Some(Panel::Search), _) => Some(view! { <div class="panel"><Search chat=id /></div> }.into_any()),
                (Some(Panel::Options), true) => chat.get_untracked().map(|c| view! { <OptionsPanel chat=c /> }.into_any()),
                _ => None,
            }}
            <Show when=move || loaded.get() && chat.with(Option::is_none)>
                <p class="gone" role="status">{t("no-longer-member")}</p>
            </Show>
            {move || pinned.get().map(|q| view! {
                <button type="button" class="pinned-bar" aria-label=t("pinned-message") on:click=move |_| ctx.jump.set(Some((id, Seq(q.seq))))>
                    <span class="pinned-label">{t("pinned")}</span>
                    <span class="pinned-text" dir="auto">{q.text.clone()}</span>
                </button>
            })}
            <MessageList page tools window scroll others first_unread placed list />
            // Keyed on whether one may post only: a new message changes the
            // chat's summary, and rebuilding the composer would lose the draft.
            {move || has_chat.get().then(|| if may_post.get() {
                let draft = chat.with_untracked(|c| c.as_ref().map(|c| c.draft.clone()).unwrap_or_default());
                view! { <Composer id slow_mode_s tools draft /> }.into_any()
            } else {
                view! { <p class="composer-note" role="note">{t("admins-only-post")}</p> }.into_any()
            })}
        </main>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Panel {
    Members,
    Settings,
    Search,
    Options,
}

/// What the list does with its scroll position after the next render.
#[derive(Clone, Copy, PartialEq)]
enum Scroll {
    /// Follow the newest message (if the reader is at the bottom).
    Bottom,
    /// Keep the message with this seq where it was on screen (`px` from
    /// the list's top), as older or newer history comes in around it.
    Keep { seq: i64, px: f64 },
    /// Bring this message into view and flash it.
    To(Seq),
}

/// The window of events around `seq`.
fn around(seq: Seq, held: Seq) -> Window {
    if seq.0 + WINDOW / 2 >= held.0 {
        Window::Newest
    } else {
        Window::Span {
            after: Seq((seq.0 - WINDOW / 2).max(0)),
            upto: Seq(seq.0 + WINDOW / 2),
        }
    }
}

/// A chat's own options: jump to a date, and the disappearing timer.
#[component]
fn OptionsPanel(chat: ChatSummary) -> impl IntoView {
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
                Ok(Landing::Older(oldest)) => {
                    net::call(&messaging::SINCE, &[&id.0], &format!("at={ms}"), &())
                        .await
                        .map_or(Some(oldest), |s| s.seq)
                }
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
    let keep = move |answer: Result<ChatCreated, net::ApiFail>| async move {
        match answer {
            Ok(ChatCreated { chat }) => {
                if let Some(store) = ctx.store() {
                    let _ = store.put_chats(std::slice::from_ref(&chat)).await;
                    ctx.changed();
                }
            }
            Err(fail) => {
                error.try_set(Some(super::say(fail)));
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
            keep(net::call(&moderation::UPDATE_CHAT, &[&id.0], "", &settings).await).await
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
            spawn_local(async move {
                keep(net::call(&chats::SET_PLACE, &[&id.0], "", &next).await).await
            });
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
                        match net::call(&chats::LEAVE, &[&id.0], "", &()).await {
                            Ok(()) => {
                                if let Some(store) = ctx.store() {
                                    let _ = store.forget_chat(id).await;
                                }
                                ctx.open.set(None);
                                ctx.changed();
                            }
                            Err(fail) => {
                                error.try_set(Some(super::say(fail)));
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
        let members = net::call(&moderation::MEMBERS, &[&chat.0], "", &()).await;
        let blocked = net::ask(&accounts::BLOCKED).await;
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
            let endpoint = if blocked {
                &accounts::UNBLOCK
            } else {
                &accounts::BLOCK
            };
            let done = net::call(endpoint, &[&id.0], "", &()).await;
            match done {
                Ok(()) => {
                    other.try_set(Some((id, !blocked)));
                }
                Err(fail) => {
                    error.try_set(Some(super::say(fail)));
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

fn subtitle_of(chat: &ChatSummary) -> String {
    let mut parts = vec![match chat.kind {
        ChatKind::Channel => t_with("subscribers-count", &[("n", chat.member_count.into())]),
        _ => members_label(chat.member_count),
    }];
    if let Some(handle) = &chat.handle {
        // Isolated in right-to-left text, or "@" would end up after the handle.
        parts.push(if crate::i18n::current().dir() == "rtl" {
            format!("\u{2068}@{handle}\u{2069}")
        } else {
            format!("@{handle}")
        });
    }
    parts.join(" · ")
}

/// The window of messages on screen. Scrolling near its top or bottom
/// moves the window along the history, keeping the message in view where
/// it was; so a chat of any length holds a few hundred elements.
#[component]
fn MessageList(
    page: RwSignal<ChatPage>,
    tools: Tools,
    window: RwSignal<Window>,
    scroll: StoredValue<Scroll>,
    others: Memo<Marks>,
    first_unread: RwSignal<Option<Seq>>,
    placed: StoredValue<bool>,
    list: NodeRef<leptos::html::Ul>,
) -> impl IntoView {
    let ctx = ctx();
    let items = Memo::new(move |_| {
        let (me, name) = ctx.me.with(|m| {
            (
                m.as_ref().map(|m| m.id),
                m.as_ref().map(|m| m.name.clone()).unwrap_or_default(),
            )
        });
        page.with(|p| lines(p, me, &name, others.get()))
    });
    // Whether the reader is at the newest message, so new ones follow.
    let stick = StoredValue::new(true);
    // What the reader has seen is read, here and on the server: up to the
    // last message whose top is on screen, or everything held once the
    // newest is.
    let marked = StoredValue::new(Seq::ZERO);
    let mark_seen = move || {
        let jumping = matches!(scroll.get_value(), Scroll::To(_))
            || ctx
                .jump
                .with_untracked(|j| j.is_some_and(|(chat, _)| chat == tools.chat));
        let Some(ul) = list
            .get_untracked()
            .filter(|_| placed.get_value() && !jumping)
        else {
            return;
        };
        let bottom = f64::from(ul.client_height());
        let (seen, newest) = items.with_untracked(|l| {
            let mut seqs = l.iter().filter_map(|l| l.seq).rev();
            let newest = seqs.clone().next();
            let seen = seqs.find(|seq| offset_of(&ul, *seq).is_some_and(|top| top < bottom));
            (seen, newest)
        });
        let Some(seen) = seen else {
            return;
        };
        let upto = if Some(seen) == newest && window.get_untracked() == Window::Newest {
            page.with_untracked(|p| p.held)
        } else {
            Seq(seen)
        };
        if upto <= marked.get_value() {
            return;
        }
        marked.set_value(upto);
        // Taken now: after the await, the tab may show another account.
        let (Some(store), Some(session), chat) = (ctx.store(), ctx.session(), tools.chat) else {
            return;
        };
        spawn_local(async move {
            if let Ok(Some(_)) = store.mark_read(chat, upto).await {
                ctx.changed();
            }
            // Told even when this device's cursor had moved already: sending
            // a message there moves it without telling the server.
            session.read(chat, upto);
        });
    };
    // Once the view settles (a jump lands, scrolling stops), so that what
    // only flashed past is not taken as read.
    let settling = StoredValue::new(None::<TimeoutHandle>);
    on_cleanup(move || {
        if let Some(pending) = settling.try_get_value().flatten() {
            pending.clear();
        }
    });
    let read_seen = move || {
        // Called from a frame or a scroll event that may come just after
        // the chat closed, when this list's values are gone.
        let Some(pending) = settling.try_get_value() else {
            return;
        };
        if let Some(pending) = pending {
            pending.clear();
        }
        let wait = std::time::Duration::from_millis(SETTLE_MS);
        settling.set_value(set_timeout_with_handle(mark_seen, wait).ok());
    };
    // After each render, put the scroll position where it belongs.
    Effect::new(move |_| {
        items.track();
        request_animation_frame(move || {
            let (Some(Some(ul)), Some(at)) = (list.try_get_untracked(), scroll.try_get_value())
            else {
                return;
            };
            match at {
                Scroll::Bottom if stick.get_value() => ul.set_scroll_top(ul.scroll_height()),
                Scroll::Bottom => {}
                Scroll::Keep { seq, px } => {
                    if let Some(now) = offset_of(&ul, seq) {
                        ul.set_scroll_top(ul.scroll_top() + (now - px) as i32);
                    }
                    scroll.set_value(Scroll::Bottom);
                }
                // Once the page of its window is in: the message, or the
                // first one shown after it (an act or a deleted message
                // has no line of its own).
                Scroll::To(seq) => {
                    let ready = page.with_untracked(|p| {
                        p.window == Some(window.get_untracked()) && !p.wants_older()
                    });
                    if ready {
                        let shown = items.with_untracked(|l| {
                            l.iter().filter_map(|l| l.seq).find(|s| *s >= seq.0)
                        });
                        stick.set_value(shown.is_none());
                        if let Some(shown) = shown {
                            show_message(shown);
                        }
                        scroll.set_value(Scroll::Bottom);
                    }
                }
            }
            read_seen();
        });
    });
    // Scrolled up from the newest: a button brings the reader back down.
    let away = RwSignal::new(false);
    let to_newest = move |_| {
        stick.set_value(true);
        away.set(false);
        if window.get_untracked() == Window::Newest {
            if let Some(ul) = list.get_untracked() {
                ul.set_scroll_top(ul.scroll_height());
            }
        } else {
            scroll.set_value(Scroll::Bottom);
            window.set(Window::Newest);
        }
    };
    let on_scroll = move |_| {
        let Some(Some(ul)) = list.try_get_untracked() else {
            return;
        };
        read_seen();
        let (top, height, view) = (ul.scroll_top(), ul.scroll_height(), ul.client_height());
        let (first, last) = items.with_untracked(|l| {
            (
                l.iter().find_map(|l| l.seq).unwrap_or(0),
                l.iter().rev().find_map(|l| l.seq).unwrap_or(0),
            )
        });
        let (held, floor) = page.with_untracked(|p| (p.held.0, p.floor.0));
        let (after, upto) = match window.get_untracked() {
            Window::Newest => ((held - WINDOW).max(0), held),
            Window::Span { after, upto } => (after.0, upto.0),
        };
        let keep = |seq: i64| {
            if let Some(px) = offset_of(&ul, seq) {
                scroll.set_value(Scroll::Keep { seq, px });
            }
        };
        let newest = matches!(window.get_untracked(), Window::Newest);
        let near_bottom = height - top - view < NEAR_END_PX;
        stick.set_value(newest && near_bottom);
        if away.get_untracked() == (newest && near_bottom) {
            away.set(!(newest && near_bottom));
        }
        // Below the floor, the server's page is awaited before moving on.
        if top < NEAR_END_PX && after > 0 && after >= floor {
            keep(first);
            let after = (after - WINDOW_STEP).max(0);
            window.set(Window::Span {
                after: Seq(after),
                upto: Seq(upto.min(after + WINDOW_MAX)),
            });
        } else if near_bottom && !newest {
            keep(last);
            let upto = upto + WINDOW_STEP;
            window.set(if upto >= held {
                Window::Newest
            } else {
                Window::Span {
                    after: Seq(after.max(upto - WINDOW_MAX)),
                    upto: Seq(upto),
                }
            });
        }
    };
    view! {
        <div class="list-frame">
        <ul role="list" aria-label=t("messages") class="messages" node_ref=list on:scroll=on_scroll>
            <Show when=move || page.with(ChatPage::wants_older)>
                <li class="loading-older" role="status">{t("loading-older")}</li>
            </Show>
            <For
                each=move || items.get()
                key=|l: &Line| (l.key.clone(), l.version())
                children=move |l| {
                    let divider = l.seq.is_some() && l.seq == first_unread.get_untracked().map(|s| s.0);
                    view! {
                        {divider.then(|| view! { <li class="unread-divider" role="separator">{t("unread-messages")}</li> })}
                        <MessageItem line=l tools />
                    }
                }
            />
        </ul>
        <Show when=move || away.get()>
            <button type="button" class="to-newest" aria-label=t("jump-to-newest") title=t("jump-to-newest") on:click=to_newest>
                <svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 5v14M5 12l7 7 7-7"/></svg>
            </button>
        </Show>
        </div>
    }
}

/// How far below the list's top edge the message `seq` is, in px.
fn offset_of(ul: &web_sys::HtmlUListElement, seq: i64) -> Option<f64> {
    let el = ul
        .query_selector(&format!("li.msg[data-seq=\"{seq}\"]"))
        .ok()??;
    Some(el.get_bounding_client_rect().top() - ul.get_bounding_client_rect().top())
}

#[component]
fn Composer(id: ChatId, slow_mode_s: Memo<u32>, tools: Tools, draft: String) -> impl IntoView {
    let ctx = ctx();
    let draft = RwSignal::new(draft);
    let area = NodeRef::<leptos::html::Textarea>::new();
    let last_typing = StoredValue::new(0.0);
    let saving = StoredValue::new(None::<TimeoutHandle>);
    let save_draft = move |text: String| {
        if let Some(pending) = saving.get_value() {
            pending.clear();
        }
        let save = move || {
            spawn_local(async move {
                let draft = Draft {
                    text,
                    device: net::this_device(),
                };
                let _ = net::call(&messaging::SAVE_DRAFT, &[&id.0], "", &draft).await;
            })
        };
        saving.set_value(
            set_timeout_with_handle(save, std::time::Duration::from_millis(DRAFT_SAVE_MS)).ok(),
        );
    };
    // Another device changed the draft: take it, unless typing here.
    Effect::new(move |seen: Option<u64>| {
        let now = ctx.drafts.get();
        let focused = area.get_untracked().is_some_and(|a| {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .is_some_and(|e| e == *a.unchecked_ref::<web_sys::Element>())
        });
        if seen.is_some()
            && !focused
            && let Some(store) = ctx.store()
        {
            spawn_local(async move {
                if let Ok(Some(chat)) = store.chat(id).await {
                    draft.try_set(chat.draft);
                }
            });
        }
        now
    });
    let on_input = move |text: String| {
        draft.set(text.clone());
        save_draft(text);
        let now = js_sys::Date::now();
        if now - last_typing.get_value() > TYPING_EVERY_MS {
            last_typing.set_value(now);
            if let Some(session) = ctx.session() {
                session.typing(id);
            }
        }
    };
    let scheduled = RwSignal::new(Vec::<ScheduledPost>::new());
    let load_scheduled = move || {
        spawn_local(async move {
            if let Ok(ScheduledPosts { scheduled: list }) =
                net::call(&messaging::SCHEDULED, &[&id.0], "", &()).await
            {
                scheduled.try_set(list);
            }
        })
    };
    load_scheduled();
    let scheduling = RwSignal::new(false);
    let when = RwSignal::new(String::new());
    let schedule_error = RwSignal::new(None::<String>);
    let schedule = move |_| {
        let text = draft.get_untracked();
        let at = js_sys::Date::new(&when.get_untracked().into()).get_time();
        if check_text(&text).is_err() || at.is_nan() {
            return;
        }
        let body = NewScheduled {
            id: net::new_client_id(),
            content: Content::text(text),
            at: at as i64,
        };
        spawn_local(async move {
            match net::call(&messaging::SCHEDULE, &[&id.0], "", &body).await {
                Ok(()) => {
                    draft.try_set(String::new());
                    save_draft(String::new());
                    scheduling.try_set(false);
                    schedule_error.try_set(None);
                    load_scheduled();
                }
                Err(fail) => {
                    schedule_error.try_set(Some(super::say(fail)));
                }
            }
        });
    };
    let unschedule = move |msg: String| {
        spawn_local(async move {
            let _ = net::call(&messaging::UNSCHEDULE, &[&id.0, &msg], "", &()).await;
            load_scheduled();
        })
    };
    let too_long = move || draft.with(|d| check_text(d) == Err(ErrorCode::TextTooLong));
    // Editing puts the message's text in the box; leaving edit empties it.
    Effect::new(move |was_editing: Option<bool>| {
        let editing = tools.edit.with(|e| e.as_ref().map(|q| q.text.clone()));
        match &editing {
            Some(text) => draft.set(text.clone()),
            None if was_editing == Some(true) => draft.set(String::new()),
            None => {}
        }
        editing.is_some()
    });
    let send = move || {
        let text = draft.get_untracked();
        if check_text(&text).is_err() {
            return;
        }
        let Some(session) = ctx.session() else { return };
        let (reply, edit) = (tools.reply.get_untracked(), tools.edit.get_untracked());
        draft.set(String::new());
        save_draft(String::new());
        tools.reply.set(None);
        tools.edit.set(None);
        spawn_local(async move {
            let stored = match edit {
                Some(q) => {
                    session
                        .act(
                            id,
                            Act::Edit {
                                target: Seq(q.seq),
                                text: text.clone(),
                            },
                        )
                        .await
                }
                None => {
                    session
                        .send(id, text.clone(), reply.map(|q| Seq(q.seq)))
                        .await
                }
            };
            if stored.is_err() {
                // Not even stored: give the text back rather than lose it.
                draft.try_set(text);
            }
        });
    };
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    view! {
        <Show when=too_long>
            <p class="error composer-error" role="alert">
                {move || t_with("text-too-long", &[
                    ("n", draft.with(|d| d.chars().count()).into()),
                    ("max", MAX_TEXT_CHARS.into()),
                ])}
            </p>
        </Show>
        {move || (slow_mode_s.get() > 0).then(|| view! {
            <p class="composer-note" role="note">{t_with("slow-mode-note", &[("n", slow_mode_s.get().into())])}</p>
        })}
        {move || tools.reply.get().map(|q| view! {
            <div class="composing" role="status">
                <span class="muted">{t("reply-to")}</span><b dir="auto">{q.sender.clone()}</b>
                <span class="quote-text" dir="auto">{q.text.clone()}</span>
                <button type="button" class="icon" aria-label=t("cancel-reply") on:click=move |_| tools.reply.set(None)>"✕"</button>
            </div>
        })}
        {move || tools.edit.get().map(|_| view! {
            <div class="composing" role="status">
                <span class="muted">{t("editing")}</span>
                <button type="button" class="icon" aria-label=t("cancel-edit") on:click=move |_| tools.edit.set(None)>"✕"</button>
            </div>
        })}
        {move || (!scheduled.with(Vec::is_empty)).then(|| view! {
            <details class="scheduled">
                <summary>{t_with("scheduled-count", &[("n", scheduled.with(Vec::len).into())])}</summary>
                <ul aria-label=t("scheduled-messages")>
                    {scheduled.get().into_iter().map(|p| {
                        let msg = p.id.0.clone();
                        view! {
                            <li>
                                <time>{super::day_time(p.at)}</time>
                                <span dir="auto">{p.content.words().to_string()}</span>
                                <button type="button" class="icon" aria-label=t("cancel-scheduled") on:click=move |_| unschedule(msg.clone())>"✕"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </details>
        })}
        <Show when=move || scheduling.get()>
            <div class="composing schedule-row">
                <label>
                    {t("schedule-at")}
                    <input type="datetime-local" step="1" prop:value=when on:input=move |ev| when.set(event_target_value(&ev)) />
                </label>
                <button type="button" on:click=schedule>{t("schedule")}</button>
                {move || schedule_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
        </Show>
        <form class="composer" on:submit=move |ev: SubmitEvent| {
            ev.prevent_default();
            send();
        }>
            <textarea
                aria-label=t("message")
                placeholder=t("message")
                dir="auto"
                rows="1"
                aria-invalid=move || too_long().then_some("true")
                prop:value=draft
                node_ref=area
                on:input=move |ev| on_input(event_target_value(&ev))
                on:keydown=on_key
            ></textarea>
            <button type="button" class="icon" aria-label=t("schedule-message") title=t("schedule-message")
                aria-expanded=move || scheduling.get().to_string()
                on:click=move |_| scheduling.update(|s| *s = !*s)><svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="13" r="8"/><path d="M12 9v4l3 2M4 5l3-2M20 5l-3-2"/></svg></button>
            <button type="submit" class="send" aria-label=t("send") title=t("send")>"➤"</button>
        </form>
    }
}
