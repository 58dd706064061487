//! Messages held in the outbox while their files upload: made when the
//! user sends, each file's id stored as it is up (so a reload keeps what
//! is done), released to go when all are, failed if the server refuses a
//! file, and taken out if every file is cancelled.

use std::cell::RefCell;
use std::collections::HashSet;
use std::time::Duration;

use courier_protocol::limits::ALBUM_MAX;
use courier_protocol::{ChatId, ClientMsgId, Content, ErrorCode, MediaKind, Seq};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{Pending, forget, live, memory_of, start};
use crate::i18n::t;
use crate::net::Session;
use crate::net::upload::{self, Stopped};
use crate::state::ctx;
use crate::store::{OutState, OutboxEntry};

/// How often a held message looks at its uploads.
const WATCH_MS: u64 = 200;

thread_local! {
    /// The held messages this tab is watching, by client id.
    static WATCHING: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Groups files into messages: photos and videos in albums of up to
/// [`ALBUM_MAX`], every other file alone.
fn albums<T>(items: Vec<T>, kind: impl Fn(&T) -> MediaKind) -> Vec<Vec<T>> {
    let (album, single): (Vec<_>, Vec<_>) = items.into_iter().partition(|i| kind(i).in_albums());
    let mut groups = Vec::new();
    let mut album = album.into_iter().peekable();
    while album.peek().is_some() {
        groups.push(album.by_ref().take(ALBUM_MAX).collect());
    }
    groups.extend(single.into_iter().map(|i| vec![i]));
    groups
}

/// Sends `files` to `chat` with `caption` (on the first message),
/// answering `reply`: each message shows at once and goes when its files
/// are up.
pub fn send_with_files(
    session: Session,
    chat: ChatId,
    files: Vec<Pending>,
    caption: String,
    reply: Option<Seq>,
) {
    spawn_local(async move {
        let (mut caption, mut reply) = (Some(caption), reply);
        for group in albums(files, |p| p.kind) {
            let content = Content::Media {
                items: group.iter().map(Pending::placeholder).collect(),
                caption: caption.take().unwrap_or_default(),
            };
            let uploads = group.iter().map(|p| p.key.clone()).collect();
            if let Ok(entry) = session.hold(chat, content, reply.take(), uploads).await {
                watch(session.clone(), entry);
            }
        }
    });
}

/// Where a held message's uploads are.
#[derive(Debug, PartialEq)]
enum Step {
    Waiting,
    /// An upload of it does not run here (a reload ended it).
    Interrupted,
    Refused(ErrorCode),
    /// Every file that was not cancelled is up.
    Up,
}

/// Takes what the uploads of `entry` finished into it: the attachments
/// that are up, and cancelled files out (their uploads put in `gone`, to
/// forget once the entry is stored without them). Whether it changed, and
/// where it is.
fn advance(entry: &mut OutboxEntry, gone: &mut Vec<String>) -> (bool, Step) {
    let OutboxEntry {
        content: Some(Content::Media { items, .. }),
        uploads,
        ..
    } = entry
    else {
        return (false, Step::Up);
    };
    let (mut changed, mut step, mut i) = (false, Step::Up, 0);
    while i < items.len() {
        if !items[i].file.as_str().is_empty() {
            i += 1;
            continue;
        }
        let Some(item) = uploads.get(i).and_then(|m| live(m)) else {
            step = Step::Interrupted;
            i += 1;
            continue;
        };
        match item.done.get_untracked() {
            None if step == Step::Up => step = Step::Waiting,
            None => {}
            Some(Ok(attachment)) => {
                items[i] = attachment;
                changed = true;
            }
            Some(Err(Stopped::Cancelled)) => {
                items.remove(i);
                gone.push(uploads.remove(i));
                changed = true;
                continue;
            }
            Some(Err(Stopped::Refused(code))) => step = Step::Refused(code),
        }
        i += 1;
    }
    (changed, step)
}

/// Watches a held message until it goes, fails or stops here (once per
/// message and tab).
fn watch(session: Session, mut entry: OutboxEntry) {
    let id = entry.id.0.clone();
    if !WATCHING.with(|w| w.borrow_mut().insert(id.clone())) {
        return;
    }
    spawn_local(async move {
        let mut gone = Vec::new();
        loop {
            let (changed, step) = advance(&mut entry, &mut gone);
            let done = match step {
                // Deleted meanwhile (here or in another tab): it stays so.
                Step::Waiting if changed => !session.keep(&entry).await.unwrap_or(true),
                Step::Waiting => false,
                // Deleted by the user meanwhile: nothing goes.
                _ if !session.holds(&entry.id).await => true,
                Step::Refused(code) => {
                    entry.state = OutState::Failed(code);
                    let _ = session.keep(&entry).await;
                    true
                }
                Step::Up => {
                    release(&session, entry.clone()).await;
                    true
                }
                Step::Interrupted => {
                    if changed {
                        let _ = session.keep(&entry).await;
                    }
                    true
                }
            };
            // Only now: until the entry is stored without them, it shows
            // their uploads.
            for memory in gone.drain(..) {
                forget(&memory);
            }
            if done {
                break;
            }
            gloo_timers::future::sleep(Duration::from_millis(WATCH_MS)).await;
        }
        WATCHING.with(|w| w.borrow_mut().remove(&id));
    });
}

/// Sends a held message whose files are up (see `Session::release`).
async fn release(session: &Session, entry: OutboxEntry) {
    let uploads = entry.uploads.clone();
    let _ = session.release(entry).await;
    // Once it no longer shows them.
    for key in &uploads {
        forget(key);
    }
}

/// Goes on with a held message whose uploads a reload ended, with the
/// files chosen again (those that are its own; others are ignored).
fn resume(session: Session, entry: OutboxEntry, files: Vec<web_sys::File>) {
    let Some(Content::Media { items, .. }) = &entry.content else {
        return;
    };
    for file in files {
        let key = upload::memory_key(&file);
        let wanted =
            entry.uploads.iter().zip(items).find(|(m, a)| {
                memory_of(m) == key && a.file.as_str().is_empty() && live(m).is_none()
            });
        if let Some((named, item)) = wanted {
            start(file, entry.chat, item.kind == MediaKind::File, Some(named));
        }
    }
    watch(session, entry);
}

/// Gives up a held message: its uploads stop and the server removes
/// their bytes.
async fn delete(session: &Session, entry: &OutboxEntry) {
    let _ = session.withdraw(&entry.id).await;
    for key in &entry.uploads {
        match live(key) {
            Some(item) => item.cancel(),
            None => upload::abandon(memory_of(key)).await,
        }
        forget(key);
    }
}

/// Under a held message: what can be done with it when its uploads
/// stopped here (choose its files again) or the server refused one
/// (delete it).
#[component]
pub fn HeldNote(id: ClientMsgId, interrupted: bool) -> impl IntoView {
    let ctx = ctx();
    let picker = NodeRef::<leptos::html::Input>::new();
    let entry = move |then: Box<dyn FnOnce(Session, OutboxEntry)>| {
        let (Some(store), Some(session)) = (ctx.store(), ctx.session()) else {
            return;
        };
        let id = id.clone();
        spawn_local(async move {
            let held = store.outbox().await.unwrap_or_default();
            if let Some(entry) = held.into_iter().find(|e| e.id == id) {
                then(session, entry);
            }
        });
    };
    let entry_too = entry.clone();
    view! {
        <div class="held-note">
            {interrupted.then(|| view! {
                <span class="muted" role="status">{t("upload-interrupted-files")}</span>
                <input type="file" multiple class="picker" node_ref=picker tabindex="-1" aria-hidden="true"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        // Taken now: emptying the input empties its list.
                        if let Some(list) = input.files() {
                            let files: Vec<web_sys::File> =
                                (0..list.length()).filter_map(|i| list.get(i)).collect();
                            entry(Box::new(move |session, held| {
                                resume(session, held, files);
                                ctx.changed();
                            }));
                        }
                        input.set_value("");
                    } />
                <button type="button" on:click=move |_| {
                    if let Some(input) = picker.get() {
                        input.click();
                    }
                }>{t("upload-choose-files")}</button>
            })}
            <button type="button" on:click=move |_| {
                entry_too(Box::new(|session, held| {
                    spawn_local(async move { delete(&session, &held).await });
                }));
            }>{t("delete-unsent")}</button>
        </div>
    }
}

/// Whether `entry` is held here with an upload that does not run in this
/// tab: what shows it as interrupted.
pub fn interrupted(media: Option<&Content>, uploads: &[String]) -> bool {
    let Some(Content::Media { items, .. }) = media else {
        return false;
    };
    items
        .iter()
        .zip(uploads)
        .any(|(a, m)| a.file.as_str().is_empty() && live(m).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_go_in_albums_of_ten_and_files_alone() {
        let mut items: Vec<MediaKind> = vec![MediaKind::Photo; 12];
        items.insert(3, MediaKind::File);
        items.push(MediaKind::Video);
        let sizes: Vec<(usize, MediaKind)> = albums(items, |k| *k)
            .iter()
            .map(|g| (g.len(), g[0]))
            .collect();
        assert_eq!(
            sizes,
            [
                (10, MediaKind::Photo),
                (3, MediaKind::Photo),
                (1, MediaKind::File)
            ]
        );
        assert!(albums(Vec::<MediaKind>::new(), |k| *k).is_empty());
    }
}
