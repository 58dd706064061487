//! The dialog where the user makes, changes and removes their own chat
//! folders. It edits a copy and saves the whole list at once; the server
//! hands it to every device of theirs.

use courier_protocol::limits::{FOLDER_NAME_MAX, FOLDERS_MAX};
use courier_protocol::model::folder::{self, Folder};
use courier_protocol::{ChatId, ErrorCode};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

use super::say;
use crate::api;
use crate::i18n::{error_text, t};
use crate::state::ctx;
use crate::store::ChatRow;

/// How a folder treats one chat.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rule {
    ByKind,
    Always,
    Never,
}

impl Rule {
    const ALL: [Rule; 3] = [Rule::ByKind, Rule::Always, Rule::Never];

    fn of(folder: &Folder, chat: ChatId) -> Rule {
        if folder.chats.contains(&chat) {
            Rule::Always
        } else if folder.excluded.contains(&chat) {
            Rule::Never
        } else {
            Rule::ByKind
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Rule::ByKind => "kind",
            Rule::Always => "always",
            Rule::Never => "never",
        }
    }

    fn label(self) -> String {
        t(match self {
            Rule::ByKind => "folder-by-kind",
            Rule::Always => "folder-always",
            Rule::Never => "folder-never",
        })
    }

    fn apply(self, folder: &mut Folder, chat: ChatId) {
        folder.chats.retain(|c| *c != chat);
        folder.excluded.retain(|c| *c != chat);
        match self {
            Rule::ByKind => {}
            Rule::Always => folder.chats.push(chat),
            Rule::Never => folder.excluded.push(chat),
        }
    }
}

/// The folder editor, in the `folders` part.
#[wasm_split(folders, fallible)]
pub fn folder_editor(
    folders: Vec<Folder>,
    chats: Vec<ChatRow>,
    editing: RwSignal<bool>,
) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <FolderEditor folders chats editing /> }.into_any())
}

#[component]
fn FolderEditor(
    folders: Vec<Folder>,
    chats: Vec<ChatRow>,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let ctx = ctx();
    let list = RwSignal::new(folders);
    let open = RwSignal::new(None::<usize>);
    let error = RwSignal::new(None::<String>);
    // Closed, focus goes back to the button that opened it.
    let close = move || {
        if let Some(button) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(".edit-folders").ok().flatten())
            .and_then(|b| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(b).ok())
        {
            let _ = button.focus();
        }
        editing.set(false);
    };
    let add = move |_| {
        let at = list.with(Vec::len);
        list.update(|l| {
            l.push(Folder {
                name: t("new-folder"),
                ..Folder::default()
            });
        });
        open.set(Some(at));
    };
    let save = move |_| {
        let folders = list.get_untracked();
        if let Err(code) = folder::validate_all(&folders) {
            error.set(Some(error_text(code)));
            return;
        }
        spawn_local(async move {
            match api::prefs::set_folders(ctx.store(), folders).await {
                Ok(()) => {
                    ctx.changed();
                    editing.try_set(false);
                }
                Err(fail) => {
                    error.try_set(Some(say(fail)));
                }
            }
        });
    };
    let overview = move || {
        view! {
            <ul class="folder-list">
                {move || list.get().into_iter().enumerate().map(|(i, f)| view! {
                    <li>
                        <span class="title" dir="auto">{f.name}</span>
                        <button type="button" class="link" on:click=move |_| open.set(Some(i))>{t("edit")}</button>
                        <button type="button" class="link danger" on:click=move |_| list.update(|l| {
                            if i < l.len() {
                                l.remove(i);
                            }
                        })>
                            {t("delete-folder")}
                        </button>
                    </li>
                }).collect_view()}
            </ul>
            <button type="button" on:click=add disabled=move || { list.with(Vec::len) >= FOLDERS_MAX }>
                {t("new-folder")}
            </button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="actions">
                <button type="button" on:click=move |_| close()>{t("cancel")}</button>
                <button type="button" class="primary" on:click=save>{t("save")}</button>
            </div>
        }
    };
    view! {
        <div class="dialog-backdrop" on:click=move |_| close()>
            <div
                class="dialog folder-editor"
                role="dialog"
                aria-modal="true"
                aria-label=t("edit-folders")
                on:click=|ev| ev.stop_propagation()
                on:keydown=move |ev| if ev.key() == "Escape" { ev.stop_propagation(); close(); }
            >
                <h2>{t("edit-folders")}</h2>
                {move || match open.get() {
                    Some(i) => view! { <FolderForm list at=i chats=chats.clone() done=open /> }.into_any(),
                    None => overview().into_any(),
                }}
            </div>
        </div>
    }
}

/// One folder's name, the kinds of chat it takes and its rule for each chat.
#[component]
fn FolderForm(
    list: RwSignal<Vec<Folder>>,
    at: usize,
    chats: Vec<ChatRow>,
    done: RwSignal<Option<usize>>,
) -> impl IntoView {
    let get = move |read: fn(&Folder) -> bool| list.with(|l| l.get(at).is_some_and(read));
    let edit = move |change: Box<dyn FnOnce(&mut Folder)>| {
        list.update(|l| {
            if let Some(f) = l.get_mut(at) {
                change(f);
            }
        });
    };
    let check =
        move |key: &'static str, read: fn(&Folder) -> bool, write: fn(&mut Folder, bool)| {
            view! {
                <label class="check">
                    <input type="checkbox" prop:checked=move || get(read)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            edit(Box::new(move |f| write(f, on)));
                        } />
                    {t(key)}
                </label>
            }
        };
    let name = move || list.with(|l| l.get(at).map(|f| f.name.clone()).unwrap_or_default());
    let bad_name = move || {
        let name = name();
        courier_protocol::limits::check_name(&name, FOLDER_NAME_MAX).is_err()
    };
    // The form replaces the button that opened it: its name takes focus.
    let field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(field) = field.get() {
            let _ = field.focus();
        }
    });
    view! {
        <label class="field">
            <span>{t("folder-name")}</span>
            <input dir="auto" node_ref=field maxlength=FOLDER_NAME_MAX prop:value=name
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    edit(Box::new(move |f| f.name = value));
                } />
        </label>
        <fieldset>
            <legend>{t("folder-include")}</legend>
            {check("folder-personal", |f| f.personal, |f, on| f.personal = on)}
            {check("folder-groups", |f| f.groups, |f, on| f.groups = on)}
            {check("folder-channels", |f| f.channels, |f, on| f.channels = on)}
            {check("folder-skip-muted", |f| f.skip_muted, |f, on| f.skip_muted = on)}
            {check("folder-skip-read", |f| f.skip_read, |f, on| f.skip_read = on)}
        </fieldset>
        <fieldset>
            <legend>{t("folder-chats")}</legend>
            <ul class="folder-chats">
                {chats.into_iter().map(|row| {
                    let id = row.chat.id;
                    let rule = move || list.with(|l| l.get(at).map_or(Rule::ByKind, |f| Rule::of(f, id)));
                    view! {
                        <li>
                            <label>
                                <span class="title" dir="auto">{row.chat.title}</span>
                                <select on:change=move |ev| {
                                    let tag = event_target_value(&ev);
                                    let rule = Rule::ALL.into_iter().find(|r| r.tag() == tag).unwrap_or(Rule::ByKind);
                                    edit(Box::new(move |f| rule.apply(f, id)));
                                }>
                                    {Rule::ALL.into_iter().map(|r| view! {
                                        <option value=r.tag() prop:selected=move || rule() == r>{r.label()}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </fieldset>
        <Show when=bad_name>
            <p class="error" role="alert">{error_text(ErrorCode::BadName)}</p>
        </Show>
        <div class="actions">
            <button type="button" class="primary" disabled=bad_name on:click=move |_| done.set(None)>
                {t("done")}
            </button>
        </div>
    }
}
