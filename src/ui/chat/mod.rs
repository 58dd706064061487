//! One open chat: header, members and settings, messages, composer.

mod attach;
mod composer;
mod list;
mod options;
mod record;

use std::collections::HashMap;

use courier_protocol::http::{Members, Presence, Reads};
use courier_protocol::policy::{self, SEEN_BY_MAX_MEMBERS, Standing};
use courier_protocol::{ChatId, ChatKind, ChatSummary, Seq, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

use super::admin::{members_panel, settings_panel};
use super::group_call::{self, GroupCallBar};
use super::later::on_first_use;
use super::message::{Quote, Tools, quote_of, show_message};
use super::search::Search;
use super::{days_ago, hhmm, members_label, short_date};
use crate::api;
use crate::i18n::{t, t_with};
use crate::net::Status;
use crate::rtc;
use crate::state::Marks;
use crate::state::ctx;
use crate::store::{ChatPage, WINDOW, Window};
use composer::Composer;
use list::{MessageList, offset_of};
use options::OptionsPanel;

/// Most channel posts whose view counts the open chat asks for.
const VIEWED_POSTS: usize = 100;
/// How often an open direct chat asks whether the other person is online.
const PRESENCE_EVERY_MS: u64 = 30_000;

/// The open chat, in the `chat` part with the photo viewer and the
/// recorder: the chat list paints without its code, and `preload_chat`
/// fetches it while the user looks at the list, so the first chat opened
/// seldom waits.
#[wasm_split(chat, fallible, preload(preload_chat))]
pub fn chat_view(id: ChatId) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ChatView id /> }.into_any())
}

#[component]
fn ChatView(id: ChatId) -> impl IntoView {
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
            // reader's place. A jump or a window move sets its own, which
            // stands if not yet taken (history can come before the move's
            // render), being measured before either changed the list.
            let top = |p: &ChatPage| p.messages.iter().find(|m| m.shown()).map(|m| m.message.seq);
            let before = page.try_with_untracked(|old| (old.window == p.window).then(|| top(old)));
            if let (Some(Some(Some(first))), Some(now)) = (before, top(&p))
                && now < first
                && matches!(scroll.try_get_value(), Some(Scroll::Bottom))
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
    // Either person of a 1:1 may call the other (group calls come later),
    // in a browser that can.
    let can_call = rtc::supported();
    let may_call = move || {
        can_call
            && chat.with(|c| {
                c.as_ref()
                    .is_some_and(|c| policy::may_call(&Standing::of(c)) && c.member_count > 1)
            })
    };
    let in_call =
        move || ctx.call.view.with(Option::is_some) || ctx.group.view.with(Option::is_some);
    // Any member of a group starts its video chat, or joins the one going on.
    let may_group_call = move || {
        can_call
            && chat.with(|c| {
                c.as_ref()
                    .is_some_and(|c| policy::may_join_group_call(&Standing::of(c)))
            })
    };
    let group_call_going = move || ctx.group.calls.with(|c| c.contains_key(&id));
    // The call going on, on opening and after every reconnect (news of it
    // comes by the socket after that).
    Effect::new(move |_| {
        if ctx.status.get() != Status::Online || !may_group_call() {
            return;
        }
        spawn_local(async move {
            if let Ok(call) = api::calls::group_call(id).await {
                ctx.group.calls.try_update(|c| match call {
                    Some(call) => {
                        c.insert(id, call);
                    }
                    None => {
                        c.remove(&id);
                    }
                });
            }
        });
    });
    let start_call = move |video: bool| {
        if let Some(phone) = ctx.phone() {
            rtc::ask(
                phone,
                rtc::Ask::Call {
                    chat: id,
                    peer: title(),
                    video,
                },
            );
        }
    };
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
            if let Ok(Reads { reads }) = api::messaging::reads(id).await {
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
            if let Ok(Members { members, .. }) =
                api::moderation::members(id, None, Some(SEEN_BY_MAX_MEMBERS)).await
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
                if let Ok(p) = api::presence::presence(user).await {
                    presence.try_set(Some(p));
                }
            });
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
        focused: RwSignal::new(None),
        last_own: Memo::new(move |_| {
            let me = me();
            page.with(|p| {
                p.messages
                    .iter()
                    .rev()
                    .find(|m| {
                        m.shown() && Some(m.message.sender) == me && !m.message.text().is_empty()
                    })
                    .map(quote_of)
            })
        }),
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
        panel.update(|p| *p = if *p == Some(which) { None } else { Some(which) });
    };
    // Telegram's keys in an open chat: Escape closes the open panel (focus
    // back on its button), else leaves the reply or edit; Ctrl+F searches
    // the chat. Dialogs and menus handle their own Escape.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key();
        if key == "Escape" && !in_dialog(&ev) {
            if panel.get_untracked().is_some() {
                let button = web_sys::window().and_then(|w| w.document()).and_then(|d| {
                    d.query_selector(".chat-head button[aria-expanded=true]")
                        .ok()
                        .flatten()
                });
                if let Some(button) = button.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = button.focus();
                }
                panel.set(None);
            } else if tools.reply.with_untracked(Option::is_some)
                || tools.edit.with_untracked(Option::is_some)
            {
                tools.reply.set(None);
                tools.edit.set(None);
            }
        } else if (ev.ctrl_key() || ev.meta_key()) && !ev.alt_key() && key.eq_ignore_ascii_case("f")
        {
            ev.prevent_default();
            panel.set(Some(Panel::Search));
        }
    });
    on_cleanup(move || keys.remove());
    view! {
        <main class="pane chat">
            <header class="chat-head">
                <button class="icon back" aria-label=t("back") on:click=move |_| ctx.open.set(None)>"←"</button>
                <div class="chat-title">
                    <h2 dir="auto">{title}</h2>
                    <span class="muted" class:typing=move || typing().is_some() aria-live="polite">{status_line}</span>
                </div>
                <Show when=may_call>
                    <button
                        class="icon"
                        aria-label=t("call-voice-start")
                        title=t("call-voice-start")
                        disabled=in_call
                        on:click=move |_| start_call(false)
                    ><svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><path d="M6.6 3.5 9 8.2 7.4 9.8a12 12 0 0 0 6.8 6.8l1.6-1.6 4.7 2.4-1 3.1A2 2 0 0 1 17.6 22 15.6 15.6 0 0 1 2 6.4a2 2 0 0 1 1.5-1.9z"/></svg></button>
                    <button
                        class="icon"
                        aria-label=t("call-video-start")
                        title=t("call-video-start")
                        disabled=in_call
                        on:click=move |_| start_call(true)
                    ><svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><rect x="2.5" y="6" width="13" height="12" rx="2"/><path d="m15.5 10.5 6-3.5v10l-6-3.5z"/></svg></button>
                </Show>
                <Show when=move || may_group_call() && !group_call_going()>
                    <button
                        class="icon"
                        aria-label=t("group-call-start")
                        title=t("group-call-start")
                        disabled=in_call
                        on:click=move |_| group_call::join(id)
                    ><svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><rect x="2.5" y="6" width="13" height="12" rx="2"/><path d="m15.5 10.5 6-3.5v10l-6-3.5z"/></svg></button>
                </Show>
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
            <GroupCallBar chat=id />
            // A panel takes the chat as it was when opened, so saving its
            // settings does not rebuild it under the person's hands.
            {move || match (panel.get(), has_chat.get()) {
                (Some(Panel::Members), true) => chat.get_untracked().map(|c| on_first_use(members_panel(c)).into_any()),
                (Some(Panel::Settings), true) => chat.get_untracked().map(|c| on_first_use(settings_panel(c)).into_any()),
                (Some(Panel::Search), _) => Some(view! { <div class="panel"><Search chat=id focus=true /></div> }.into_any()),
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

/// Whether a key went to an open dialog or menu, which answer it themselves.
fn in_dialog(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            el.closest("[role=dialog], [role=menu]")
                .ok()
                .flatten()
                .is_some()
        })
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
