//! Files attached in the composer, from the button, by dropping them or
//! by pasting an image: each starts uploading at once (`ui::outgoing`)
//! and shows in a tray until the message goes; uploads a reload
//! interrupted before their message was sent show there too.

use courier_protocol::{ChatId, MediaKind};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::t;
use crate::net::upload::{self, Interrupted};
use crate::state::ctx;
use crate::ui::outgoing::{self, Pending, UploadControls};

/// The files attached in a chat's composer, and whether photos and videos
/// go as they are, as files ("send as file"), or as shown media.
#[derive(Clone, Copy)]
pub(super) struct Attached {
    chat: ChatId,
    items: RwSignal<Vec<Pending>, LocalStorage>,
    as_files: RwSignal<bool>,
}

impl Attached {
    pub fn new(chat: ChatId) -> Attached {
        Attached {
            chat,
            items: RwSignal::new_local(Vec::new()),
            as_files: RwSignal::new(false),
        }
    }

    /// Starts uploading every file of a list (picked, dropped or pasted).
    pub fn add(self, files: Option<web_sys::FileList>) {
        let Some(files) = files else { return };
        for file in (0..files.length()).filter_map(|i| files.get(i)) {
            // The same file twice is one upload.
            let key = upload::memory_key(&file);
            if self
                .items
                .with_untracked(|p| !p.iter().any(|i| i.memory == key))
            {
                let item = outgoing::start(file, self.chat, self.as_files.get_untracked(), None);
                self.items.update(|p| p.push(item));
            }
        }
    }

    pub fn is_empty(self) -> bool {
        self.items.with_untracked(Vec::is_empty)
    }

    /// The files, for the message that takes them.
    pub fn take(self) -> Vec<Pending> {
        self.items.try_update(std::mem::take).unwrap_or_default()
    }

    /// Gives up every file attached (the chat closed unsent): the server
    /// lets their bytes go.
    pub fn discard(self) {
        for item in self.take() {
            item.cancel();
            outgoing::forget(&item.key);
        }
    }

    /// Sends photos and videos as files, or not: those attached start
    /// again so.
    fn send_as_files(self, as_files: bool) {
        self.as_files.set(as_files);
        let items = self.items.get_untracked().into_iter().map(|item| {
            if !outgoing::shown(&item.source) {
                return item;
            }
            item.cancel();
            outgoing::forget(&item.key);
            outgoing::start(item.source, self.chat, as_files, None)
        });
        self.items.set(items.collect());
    }
}

/// The files on their way, above the composer, and the uploads a reload
/// interrupted, until their files are chosen again (or given up).
#[component]
pub(super) fn Tray(
    attached: Attached,
    /// Opens the file picker.
    pick: Callback<()>,
) -> impl IntoView {
    let ctx = ctx();
    let (chat, pending) = (attached.chat, attached.items);
    let switchable = move || pending.with(|p| p.iter().any(|i| outgoing::shown(&i.source)));
    let stale = RwSignal::new(Vec::<Interrupted>::new());
    // Not those of a message already sent: it shows them itself.
    if let Some(store) = ctx.store() {
        spawn_local(async move {
            let held: Vec<String> = store
                .outbox()
                .await
                .unwrap_or_default()
                .into_iter()
                .flat_map(|e| e.uploads)
                .map(|key| outgoing::memory_of(&key).to_owned())
                .collect();
            let mut left = upload::interrupted(chat);
            left.retain(|i| !held.contains(&i.key));
            stale.try_set(left);
        });
    }
    // A file chosen again takes its interrupted upload's place.
    let waiting = move || {
        let chosen: Vec<String> = pending.with(|p| p.iter().map(|i| i.memory.clone()).collect());
        stale.with(|s| {
            s.iter()
                .filter(|i| !chosen.contains(&i.key))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let give_up = move |it: Interrupted| {
        stale.update(|s| s.retain(|i| i.key != it.key));
        spawn_local(async move { upload::abandon(&it.key).await });
    };
    let remove = move |key: String| {
        pending.update(|p| p.retain(|i| i.key != key));
        outgoing::forget(&key);
    };
    view! {
        <Show when=move || !pending.with(Vec::is_empty) || !waiting().is_empty()>
            <Show when=switchable>
                <label class="as-files">
                    <input type="checkbox" prop:checked=attached.as_files
                        on:change=move |ev| attached.send_as_files(event_target_checked(&ev)) />
                    {t("send-as-files")}
                </label>
            </Show>
            <ul class="attachments" aria-label=t("attachments")>
                <For each=waiting key=|i| i.key.clone() let:it>
                    {
                        let gone = it.clone();
                        view! {
                            <li class="attachment interrupted">
                                <span class="name" dir="auto">{it.name}</span>
                                <span class="muted" role="status">{t("upload-interrupted")}</span>
                                <button type="button" on:click=move |_| pick.run(())>{t("upload-choose-again")}</button>
                                <button type="button" class="icon" aria-label=t("upload-cancel")
                                    on:click=move |_| give_up(gone.clone())>"✕"</button>
                            </li>
                        }
                    }
                </For>
                <For each=move || pending.get() key=|p| p.key.clone() let:item>
                    {
                        let key = item.key.clone();
                        view! {
                            <li class="attachment">
                                {item.preview.clone().filter(|_| item.kind == MediaKind::Photo).map(|src| view! { <img class="thumb" src=src alt="" /> })}
                                <span class="name" dir="auto">{item.name.clone()}</span>
                                <UploadControls item cancelled=Callback::new(move |()| remove(key.clone())) />
                            </li>
                        }
                    }
                </For>
            </ul>
        </Show>
    }
}
