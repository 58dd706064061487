//! Routing what the socket session reports into the context's signals.

use courier_protocol::{CallStep, ChatId, Seq, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::account;
use crate::net::{CallNews, Event, Status};
use crate::rtc;

use super::{Ctx, Marks, notify};

/// How long "typing…" shows after the last notice (senders renew it every 3 s).
const TYPING_SHOWN_MS: f64 = 5000.0;

impl Ctx {
    pub(super) fn on_event(self, id: UserId, event: Event) {
        // A session that outlived its user (signed out, switched) is ignored.
        if self
            .me
            .try_with_untracked(|m| m.as_ref().map(|m| m.id))
            .flatten()
            != Some(id)
        {
            return;
        }
        match event {
            Event::Status(s) => {
                let back = s == Status::Online && self.status.get_untracked() != Status::Online;
                self.status.try_set(s);
                if back && let Some(phone) = self.phone() {
                    rtc::ask(phone, rtc::Ask::Reconnected);
                }
            }
            Event::Call(news) => self.call_news(news),
            Event::Changed => self.changed(),
            Event::Views(chat, counts) => {
                self.views
                    .try_update(|v| v.extend(counts.iter().map(|c| ((chat.0, c.seq.0), c.views))));
            }
            Event::Me(me) if me.id == id => {
                if self.me.try_get_untracked().flatten().as_ref() != Some(&me) {
                    account::remember(&me);
                    self.me.try_set(Some(me));
                }
            }
            Event::Me(_) | Event::SignedOut => self.leave(),
            Event::Read(chat, user, seq) => self.mark(chat, user, Marks::read(seq)),
            Event::Delivered(chat, user, delivered) => self.mark(
                chat,
                user,
                Marks {
                    read: Seq::ZERO,
                    delivered,
                },
            ),
            Event::Typing(chat, user, name) if user != id => {
                let until = js_sys::Date::now() + TYPING_SHOWN_MS;
                self.typing
                    .try_update(|t| t.entry(chat).or_default().insert(user, (name, until)));
                // Forget it once it runs out (unless renewed meanwhile).
                set_timeout(
                    move || {
                        let now = js_sys::Date::now();
                        self.typing.try_update(|t| {
                            t.values_mut()
                                .for_each(|who| who.retain(|_, (_, u)| *u > now));
                        });
                    },
                    std::time::Duration::from_millis(TYPING_SHOWN_MS as u64 + 50),
                );
            }
            Event::Typing(..) => {}
            Event::Arrived(chat, events) => {
                self.typing.try_update(|t| {
                    if let Some(who) = t.get_mut(&chat) {
                        who.retain(|user, _| {
                            !events.iter().any(|m| m.act.is_none() && m.sender == *user)
                        });
                    }
                });
                notify::announce(self, chat, events);
            }
            Event::Draft(..) => {
                self.drafts.try_update(|d| *d += 1);
                self.changed();
            }
        }
    }

    /// Hands a call's news to the calls layer; a call ringing here is named
    /// by its chat as the list shows it.
    fn call_news(self, news: CallNews) {
        let Some(phone) = self.phone() else {
            return;
        };
        let ringing = match &news {
            CallNews::Step {
                chat,
                by,
                step: CallStep::Invite { .. },
                ..
            } if *by != phone.me => Some(*chat),
            _ => None,
        };
        rtc::ask(phone.clone(), rtc::Ask::Hear(news));
        if let (Some(chat), Some(store)) = (ringing, self.store()) {
            spawn_local(async move {
                if let Ok(Some(summary)) = store.chat(chat).await {
                    rtc::ask(phone, rtc::Ask::NamePeer(chat, summary.title));
                }
            });
        }
    }

    /// Moves a member's marks of a chat forward (never back).
    fn mark(&self, chat: ChatId, user: UserId, marks: Marks) {
        self.reads.try_update(|r| {
            let known = r.entry(chat).or_default().entry(user).or_default();
            *known = known.max(marks);
        });
    }
}
