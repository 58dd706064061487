//! Resumable uploads by tus 1.0: a file goes in chunks, each a PATCH at
//! the offset the server holds, so a lost connection, a paused upload or a
//! reload costs at most one chunk. The upload's address is remembered per
//! file (name, size, date), so picking the same file again after a reload
//! goes on from the server's offset.

use courier_protocol::ErrorCode;
use courier_protocol::http::media::{TUS_VERSION, UPLOADS, upload_path};
use courier_protocol::{ChatId, FileId};
use gloo_net::http::{Method, Request, RequestBuilder, Response};
use gloo_timers::future::sleep;
use std::time::Duration;

use crate::account;
use crate::api::{ApiFail, as_account};

/// Bytes per PATCH: a progress step, and what a lost connection costs.
const CHUNK: f64 = 2.0 * 1024.0 * 1024.0;

/// How long to wait before trying again after the network failed.
const RETRY_MS: u64 = 2000;

/// What the user wants of a running upload, asked between chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Go,
    Pause,
    Cancel,
}

/// Why an upload stopped without a file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stopped {
    Cancelled,
    Refused(ErrorCode),
}

fn tus(req: RequestBuilder) -> RequestBuilder {
    as_account(req).header("Tus-Resumable", TUS_VERSION)
}

fn fail_of(resp: &Response) -> ApiFail {
    let code = match resp.status() {
        404 | 410 => ErrorCode::NotFound,
        409 => ErrorCode::OffsetMismatch,
        413 => ErrorCode::FileTooLarge,
        s if s >= 500 => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    };
    ApiFail::Code(code)
}

async fn refused(resp: Response) -> ApiFail {
    match resp.json::<courier_protocol::http::ApiError>().await {
        Ok(e) => ApiFail::Code(e.error),
        Err(_) => fail_of(&resp),
    }
}

fn offset_of(resp: &Response) -> Option<f64> {
    resp.headers().get("upload-offset")?.parse().ok()
}

fn memory_prefix() -> String {
    let account = account::acting().map_or(0, |id| id.0);
    format!("courier-upload:{account}:")
}

/// Where this account's upload of `file` is remembered (localStorage):
/// by its name, size and date, which picking it again gives back.
pub fn memory_key(file: &web_sys::File) -> String {
    format!(
        "{}{}:{}:{}",
        memory_prefix(),
        file.name(),
        file.size(),
        file.last_modified()
    )
}

/// The upload remembered under `key`, and the chat it is for.
fn remembered(key: &str) -> Option<(FileId, ChatId)> {
    let value = account::local_storage()?.get_item(key).ok().flatten()?;
    let (id, chat) = value.split_once(' ')?;
    Some((FileId(id.to_owned()), ChatId(chat.parse().ok()?)))
}

fn remember(key: &str, upload: Option<(&FileId, ChatId)>) {
    if let Some(storage) = account::local_storage() {
        let _ = match upload {
            Some((id, chat)) => storage.set_item(key, &format!("{} {}", id.as_str(), chat.0)),
            None => storage.remove_item(key),
        };
    }
}

/// An upload for a chat that stopped unfinished (the page was closed or
/// reloaded): picking the same file again goes on from the server's offset.
#[derive(Debug, Clone, PartialEq)]
pub struct Interrupted {
    pub key: String,
    pub id: FileId,
    pub name: String,
}

/// This account's interrupted uploads for `chat`.
pub fn interrupted(chat: ChatId) -> Vec<Interrupted> {
    let Some(storage) = account::local_storage() else {
        return Vec::new();
    };
    let prefix = memory_prefix();
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(&prefix))
        .collect();
    keys.into_iter()
        .filter_map(|key| {
            let (id, of) = remembered(&key)?;
            // name:size:date, the name perhaps holding colons.
            let mut parts = key.get(prefix.len()..)?.rsplitn(3, ':');
            let (_date, _size, name) = (parts.next()?, parts.next()?, parts.next()?);
            let name = name.to_owned();
            (of == chat).then_some(Interrupted { key, id, name })
        })
        .collect()
}

/// Gives up the upload remembered under `key`: the server removes its
/// bytes.
pub async fn abandon(key: &str) {
    if let Some((id, _)) = remembered(key) {
        remember(key, None);
        terminate(&id).await;
    }
}

/// Starts an upload of `size` bytes named `name`: its id.
async fn create(size: f64, name: &str) -> Result<FileId, ApiFail> {
    let name = crate::base64::encode(name.as_bytes());
    let resp = tus(Request::post(UPLOADS))
        .header("Upload-Length", &format!("{size}"))
        .header("Upload-Metadata", &format!("filename {name}"))
        .send()
        .await
        .map_err(|_| ApiFail::Network)?;
    if resp.status() != 201 {
        return Err(refused(resp).await);
    }
    let location = resp.headers().get("location").unwrap_or_default();
    let id = FileId(location.rsplit('/').next().unwrap_or_default().to_owned());
    id.validate().map_err(ApiFail::Code)?;
    Ok(id)
}

/// The server's offset of an upload; `None` if it is gone (expired, or
/// never this account's).
async fn offset(id: &FileId) -> Result<Option<f64>, ApiFail> {
    let resp = tus(RequestBuilder::new(&upload_path(id)).method(Method::HEAD))
        .send()
        .await
        .map_err(|_| ApiFail::Network)?;
    match resp.status() {
        200 => Ok(offset_of(&resp)),
        404 | 410 => Ok(None),
        _ => Err(fail_of(&resp)),
    }
}

/// Sends `chunk` at `at`: the new offset.
async fn patch(id: &FileId, at: f64, chunk: web_sys::Blob) -> Result<f64, ApiFail> {
    let resp = tus(Request::patch(&upload_path(id)))
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", &format!("{at}"))
        .body(chunk)
        .map_err(|_| ApiFail::Code(ErrorCode::BadRequest))?
        .send()
        .await
        .map_err(|_| ApiFail::Network)?;
    if resp.status() == 204 {
        offset_of(&resp).ok_or(ApiFail::Code(ErrorCode::BadRequest))
    } else {
        Err(refused(resp).await)
    }
}

/// Ends an upload on the server (its bytes are removed).
pub async fn terminate(id: &FileId) {
    let _ = tus(Request::delete(&upload_path(id))).send().await;
}

/// Uploads `blob` (made from `file`, perhaps re-encoded) named `name`,
/// reporting the bytes the server holds to `progress` and asking
/// `control` between chunks. The network failing is waited out; a
/// refusal stops it. Picking the same file again resumes its upload.
pub async fn upload(
    file: &web_sys::File,
    blob: &web_sys::Blob,
    name: &str,
    // Remembered for this chat, to resume after a reload; a recording is not.
    chat: Option<ChatId>,
    progress: impl Fn(f64),
    control: impl Fn() -> Control,
) -> Result<FileId, Stopped> {
    let size = blob.size();
    // A re-encoded photo differs each time: only the original resumes.
    let key = chat
        .filter(|_| blob.size() == file.size())
        .map(|chat| (memory_key(file), chat));
    let mut id: Option<FileId> = key
        .as_ref()
        .and_then(|(k, _)| remembered(k))
        .map(|(id, _)| id);
    let mut at: Option<f64> = None;
    loop {
        match control() {
            Control::Cancel => {
                if let Some(id) = &id {
                    terminate(id).await;
                }
                if let Some((key, _)) = &key {
                    remember(key, None);
                }
                return Err(Stopped::Cancelled);
            }
            Control::Pause => {
                sleep(Duration::from_millis(200)).await;
                continue;
            }
            Control::Go => {}
        }
        let step = match (&id, at) {
            (None, _) => create(size, name).await.map(|new| {
                if let Some((key, chat)) = &key {
                    remember(key, Some((&new, *chat)));
                }
                id = Some(new);
                at = Some(0.0);
            }),
            (Some(known), None) => offset(known).await.map(|held| match held {
                Some(held) => at = Some(held),
                // Gone: start again.
                None => id = None,
            }),
            (Some(known), Some(from)) if from >= size => {
                if let Some((key, _)) = &key {
                    remember(key, None);
                }
                return Ok(known.clone());
            }
            (Some(known), Some(from)) => {
                let to = (from + CHUNK).min(size);
                match blob.slice_with_f64_and_f64(from, to) {
                    Ok(chunk) => patch(known, from, chunk).await.map(|held| {
                        at = Some(held);
                    }),
                    Err(_) => Err(ApiFail::Code(ErrorCode::BadRequest)),
                }
            }
        };
        if let Some(at) = at {
            progress(at);
        }
        match step {
            Ok(()) => {}
            Err(ApiFail::Network) => {
                sleep(Duration::from_millis(RETRY_MS)).await;
                at = None;
            }
            // Someone moved the offset (another tab): ask it again.
            Err(ApiFail::Code(ErrorCode::OffsetMismatch)) => at = None,
            Err(ApiFail::Code(ErrorCode::NotFound)) => {
                id = None;
                at = None;
            }
            Err(ApiFail::Code(code)) => return Err(Stopped::Refused(code)),
        }
    }
}
