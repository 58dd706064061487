//! Files on their way out. Each uploads on its own (`net::upload`), known
//! by where its upload is remembered, and outlives its chat being closed.
//! A message sent with files is held in the outbox, shown at once with the
//! files' local previews and progress, and released to go when every file
//! is up (`held`); a reload ends the uploads, and the message then shows as
//! interrupted until its files are chosen again.

mod held;
mod photo;
mod video;
mod view;

use std::cell::RefCell;
use std::collections::HashMap;

use courier_protocol::model::media::is_inline;
use courier_protocol::{Attachment, ChatId, FileId, MediaKind};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::net::upload::{self, Control, Stopped};

pub use held::{HeldNote, interrupted, send_with_files};
pub use view::{UploadControls, uploading_item};

/// One file on its way. Its signals are reference-counted, not owned by
/// a component, so closing the chat does not end the upload.
#[derive(Clone)]
pub struct Pending {
    /// The file as the user chose it.
    pub source: web_sys::File,
    pub name: String,
    pub kind: MediaKind,
    /// Bytes to send: the file's, or a redrawn photo's once made.
    pub size: ArcRwSignal<f64>,
    /// A local picture of it while it uploads (an object URL).
    pub preview: Option<String>,
    /// Bytes the server holds.
    pub sent: ArcRwSignal<f64>,
    pub control: ArcRwSignal<Control>,
    /// The attachment once uploaded, or why it stopped.
    pub done: ArcRwSignal<Option<Result<Attachment, Stopped>>>,
    /// Where its upload is remembered, to resume it after a reload.
    pub memory: String,
    /// Its name here: the memory key and a unique suffix, since the same
    /// file may be on its way twice.
    pub key: String,
}

impl Pending {
    /// Stops its upload. One already up is ended on the server too, since
    /// no message will carry it.
    pub fn cancel(&self) {
        self.control.set(Control::Cancel);
        if let Some(Ok(up)) = self.done.get_untracked() {
            self.done.set(Some(Err(Stopped::Cancelled)));
            spawn_local(async move { end_on_server(&up.file, up.thumb.as_ref()).await });
        }
    }

    /// What a held message shows of it until it is up.
    fn placeholder(&self) -> Attachment {
        Attachment {
            file: FileId(String::new()),
            kind: self.kind,
            name: self.name.clone(),
            size: self.size.get_untracked() as u64,
            mime: String::new(),
            width: None,
            height: None,
            duration_ms: None,
            thumbhash: None,
            thumb: None,
        }
    }
}

/// What the sender's app knows of a photo or video, shown before its
/// bytes arrive.
#[derive(Debug, Clone, Default)]
struct Facts {
    width: Option<u32>,
    height: Option<u32>,
    duration_ms: Option<u32>,
    thumbhash: Option<String>,
    /// A smaller picture to show in the chat (see `Attachment::thumb`).
    thumb: Option<web_sys::Blob>,
}

thread_local! {
    /// The uploads running in this tab, by key.
    static LIVE: RefCell<HashMap<String, Pending>> = RefCell::new(HashMap::new());
}

/// The upload of this tab named `key`, if it runs.
pub fn live(key: &str) -> Option<Pending> {
    LIVE.with(|l| l.borrow().get(key).cloned())
}

/// Where the upload named `key` is remembered.
pub fn memory_of(key: &str) -> &str {
    key.rsplit_once('#').map_or(key, |(memory, _)| memory)
}

/// Ends a file's upload and its thumbnail's on the server: their bytes go.
async fn end_on_server(file: &FileId, thumb: Option<&FileId>) {
    upload::terminate(file).await;
    if let Some(thumb) = thumb {
        upload::terminate(thumb).await;
    }
}

/// Lets go of an upload: its local preview is freed.
pub fn forget(key: &str) {
    if let Some(gone) = LIVE.with(|l| l.borrow_mut().remove(key))
        && let Some(url) = &gone.preview
    {
        let _ = web_sys::Url::revoke_object_url(url);
    }
}

/// Whether a file may go as shown media (else only as a file).
pub fn shown(file: &web_sys::File) -> bool {
    kind_of(file) != MediaKind::File
}

/// How a file is sent, from its type as the browser tells it: shown kinds
/// only for types every browser plays (the server checks the bytes).
fn kind_of(file: &web_sys::File) -> MediaKind {
    let mime = file.type_();
    if !is_inline(&mime) {
        MediaKind::File
    } else if mime.starts_with("image/") {
        MediaKind::Photo
    } else if mime.starts_with("video/") {
        MediaKind::Video
    } else {
        MediaKind::Audio
    }
}

/// Starts uploading `file` for `chat`: a photo goes redrawn (no EXIF
/// data), anything else, and anything `as_file`, as it is. `named` is the
/// key of the upload it takes up again (a held message's, after a reload).
pub fn start(file: web_sys::File, chat: ChatId, as_file: bool, named: Option<&str>) -> Pending {
    let kind = if as_file {
        MediaKind::File
    } else {
        kind_of(&file)
    };
    let preview = matches!(kind, MediaKind::Photo | MediaKind::Video)
        .then(|| web_sys::Url::create_object_url_with_blob(&file).ok())
        .flatten();
    let item = Pending {
        source: file.clone(),
        name: file.name(),
        kind,
        size: ArcRwSignal::new(file.size()),
        preview,
        sent: ArcRwSignal::new(0.0),
        control: ArcRwSignal::new(Control::Go),
        done: ArcRwSignal::new(None),
        memory: upload::memory_key(&file),
        key: String::new(),
    };
    let item = Pending {
        key: named.map_or_else(
            || format!("{}#{}", item.memory, crate::net::new_client_id().0),
            str::to_owned,
        ),
        ..item
    };
    LIVE.with(|l| l.borrow_mut().insert(item.key.clone(), item.clone()));
    let running = item.clone();
    spawn_local(async move {
        let item = running;
        // A GIF may move: it goes as it is.
        let (blob, facts) = match kind {
            MediaKind::Photo if file.type_() != "image/gif" => photo::redrawn(&file)
                .await
                .unwrap_or_else(|| (file.clone().into(), Facts::default())),
            MediaKind::Video => (file.clone().into(), video::facts(&file).await),
            _ => (file.clone().into(), Facts::default()),
        };
        item.size.set(blob.size());
        let (sent, control) = (item.sent.clone(), item.control.clone());
        let uploaded = upload::upload(
            &file,
            &blob,
            &item.name,
            Some(chat),
            move |at| sent.set(at),
            move || control.get_untracked(),
        )
        .await;
        // The thumbnail after the file, as a file of its own; without it
        // the chat shows the file itself.
        let thumb = match (&uploaded, &facts.thumb) {
            (Ok(_), Some(thumb)) => {
                let control = item.control.clone();
                let name = format!("{}.thumb.jpg", item.name);
                upload::upload(
                    &file,
                    thumb,
                    &name,
                    None,
                    |_| {},
                    move || control.get_untracked(),
                )
                .await
                .ok()
            }
            _ => None,
        };
        // Cancelled while its thumbnail went: it does not go.
        let uploaded = match uploaded {
            Ok(file) if item.control.get_untracked() == Control::Cancel => {
                end_on_server(&file, thumb.as_ref()).await;
                Err(Stopped::Cancelled)
            }
            uploaded => uploaded,
        };
        let attachment = uploaded.map(|file: FileId| Attachment {
            file,
            kind,
            name: item.name.clone(),
            size: blob.size() as u64,
            mime: blob.type_(),
            width: facts.width,
            height: facts.height,
            duration_ms: facts.duration_ms,
            thumbhash: facts.thumbhash,
            thumb,
        });
        item.done.set(Some(attachment));
    });
    item
}
