//! Writing in the open chat: the composer with its reply and edit bar,
//! drafts, typing notices, slow mode and scheduling.

use courier_protocol::http::{Draft, NewScheduled, ScheduledPost, ScheduledPosts};
use courier_protocol::limits::{MAX_TEXT_CHARS, check_text};
use courier_protocol::{Act, ChatId, ClientMsgId, Content, ErrorCode, Seq};
use leptos::ev::{ClipboardEvent, DragEvent, KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::attach::{Attached, Tray};
use super::record::Recorders;
use crate::api;
use crate::i18n::{t, t_with};
use crate::net;
use crate::state::ctx;
use crate::ui::message::Tools;
use crate::ui::outgoing;
use crate::ui::{day_time, say};

/// The composer tells the chat "typing" at most this often, and saves the
/// draft after this long without a keystroke.
const TYPING_EVERY_MS: f64 = 3000.0;
const DRAFT_SAVE_MS: u64 = 800;

#[component]
pub(super) fn Composer(
    id: ChatId,
    slow_mode_s: Memo<u32>,
    tools: Tools,
    draft: String,
) -> impl IntoView {
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
                let _ = api::messaging::save_draft(id, &draft).await;
            });
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
            if let Ok(ScheduledPosts { scheduled: list }) = api::messaging::scheduled(id).await {
                scheduled.try_set(list);
            }
        });
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
            match api::messaging::schedule(id, &body).await {
                Ok(()) => {
                    draft.try_set(String::new());
                    save_draft(String::new());
                    scheduling.try_set(false);
                    schedule_error.try_set(None);
                    load_scheduled();
                }
                Err(fail) => {
                    schedule_error.try_set(Some(say(fail)));
                }
            }
        });
    };
    let unschedule = move |msg: String| {
        spawn_local(async move {
            let _ = api::messaging::unschedule(id, &ClientMsgId(msg)).await;
            load_scheduled();
        });
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
    let attached = Attached::new(id);
    // Files attached and not sent go with the chat, as Telegram's do.
    on_cleanup(move || attached.discard());
    let picker = NodeRef::<leptos::html::Input>::new();
    let send_files = move |caption: String, reply: Option<Seq>| {
        let files = attached.take();
        if let Some(session) = ctx.session() {
            outgoing::send_with_files(session, id, files, caption, reply);
        }
    };
    let send = move || {
        let text = draft.get_untracked();
        let with_files = !attached.is_empty();
        if with_files && tools.edit.with_untracked(Option::is_none) {
            if check_text(&text) == Err(ErrorCode::TextTooLong) {
                return;
            }
            draft.set(String::new());
            save_draft(String::new());
            send_files(text, tools.reply.get_untracked().map(|q| Seq(q.seq)));
            tools.reply.set(None);
            return;
        }
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
                        .send(id, Content::text(text.clone()), reply.map(|q| Seq(q.seq)))
                        .await
                }
            };
            if stored.is_err() {
                // Not even stored: give the text back rather than lose it.
                draft.try_set(text);
            }
        });
    };
    // Up in an empty composer edits one's last message, as in Telegram.
    let on_key = move |ev: KeyboardEvent| {
        let plain = !(ev.shift_key() || ev.alt_key() || ev.ctrl_key() || ev.meta_key());
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        } else if ev.key() == "ArrowUp"
            && plain
            && draft.with_untracked(String::is_empty)
            && tools.edit.with_untracked(Option::is_none)
            && let Some(last) = tools.last_own.get_untracked()
        {
            ev.prevent_default();
            tools.reply.set(None);
            tools.edit.set(Some(last));
        }
    };
    // Choosing reply or edit on a message brings the writer here.
    Effect::new(move |_| {
        let composing = tools.reply.with(Option::is_some) || tools.edit.with(Option::is_some);
        if let Some(area) = area.get().filter(|_| composing) {
            let _ = area.focus();
        }
    });
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
                <span class="quote-text" dir="auto">{q.text}</span>
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
                                <time>{day_time(p.at)}</time>
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
        <Tray attached pick=Callback::new(move |()| {
            if let Some(input) = picker.get() {
                input.click();
            }
        }) />
        <form class="composer"
            on:submit=move |ev: SubmitEvent| {
                ev.prevent_default();
                send();
            }
            on:dragover=move |ev: DragEvent| ev.prevent_default()
            on:drop=move |ev: DragEvent| {
                ev.prevent_default();
                attached.add(ev.data_transfer().and_then(|d| d.files()));
            }
        >
            <input type="file" multiple class="picker" node_ref=picker tabindex="-1" aria-hidden="true"
                on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    attached.add(input.files());
                    input.set_value("");
                } />
            <button type="button" class="icon" aria-label=t("attach") title=t("attach")
                on:click=move |_| {
                    if let Some(input) = picker.get() {
                        input.click();
                    }
                }><svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><path d="M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7"/></svg></button>
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
                on:paste=move |ev: ClipboardEvent| {
                    let files = ev.clipboard_data().and_then(|d| d.files());
                    if files.as_ref().is_some_and(|f| f.length() > 0) {
                        ev.prevent_default();
                        attached.add(files);
                    }
                }
            ></textarea>
            <button type="button" class="icon" aria-label=t("schedule-message") title=t("schedule-message")
                aria-expanded=move || scheduling.get().to_string()
                on:click=move |_| scheduling.update(|s| *s = !*s)><svg class="glyph" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="13" r="8"/><path d="M12 9v4l3 2M4 5l3-2M20 5l-3-2"/></svg></button>
            <Recorders id />
            <button type="submit" class="send" aria-label=t("send") title=t("send")>"➤"</button>
        </form>
    }
}
