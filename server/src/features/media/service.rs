//! The media service: uploads as tus sees them (create, offset, append,
//! terminate), downloads, and the clean-up job.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use courier_protocol::limits::{FILE_NAME_MAX, MAX_UPLOAD_BYTES};
use courier_protocol::model::media::is_inline;
use courier_protocol::{ErrorCode, FileId, UserInfo};
use futures_util::stream::{self, BoxStream};
use futures_util::{Stream, StreamExt, TryStreamExt};
use rand::RngCore;

use super::incoming::{End, Incoming};
use super::sniff::{HEAD_BYTES, OPAQUE, sniff};
use crate::kernel::blob::{BlobError, BlobKey};
use crate::kernel::db::{FileCheck, NewUpload, Part, StoredFile};
use crate::kernel::error::Result;
use crate::kernel::jobs::Outcome;
use crate::kernel::{Kernel, to_hex};

/// How long an upload waits for its bytes and then for a message to
/// carry it, before it is removed.
pub const UPLOAD_TTL_MS: i64 = 24 * 3600 * 1000;

/// The most bytes of one part (one blob): what a lost connection may cost.
const PART_BYTES: u64 = 16 * 1024 * 1024;

/// Files checked (and removed if no longer carried) per tick.
const CHECK_BATCH: usize = 100;

/// What a client says of its upload (tus `Upload-Metadata`).
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    /// The file's name on the sender's device.
    pub name: String,
}

/// A file about to be downloaded.
#[derive(Debug, Clone)]
pub struct Download {
    pub id: FileId,
    pub size: u64,
    pub name: String,
    /// Its type as found in its bytes.
    pub mime: String,
    /// Whether the page may show it (an allow-listed type), or it
    /// downloads as an attachment.
    pub inline: bool,
}

#[derive(Clone)]
pub struct Media {
    k: Arc<Kernel>,
    /// The most bytes one user's files may take.
    quota: u64,
}

fn internal(e: BlobError) -> ErrorCode {
    tracing::error!(error = %e, "blob store");
    ErrorCode::Internal
}

fn part_key(id: &FileId, start: u64) -> Result<BlobKey> {
    // Two requests racing at one offset write apart; the loser's goes.
    let nonce = to_hex(&rand::thread_rng().next_u32().to_be_bytes());
    BlobKey::new(&format!("files/{}/{start}-{nonce}", id.as_str())).map_err(internal)
}

impl Media {
    pub fn new(k: Arc<Kernel>, quota: u64) -> Media {
        Media { k, quota }
    }

    /// Starts an upload of `length` bytes (tus creation): limits and the
    /// quota are checked before any byte is sent.
    pub async fn create(&self, me: &UserInfo, length: u64, meta: Metadata) -> Result<StoredFile> {
        if length > MAX_UPLOAD_BYTES {
            return Err(ErrorCode::FileTooLarge);
        }
        if meta.name.len() > FILE_NAME_MAX || meta.name.chars().any(char::is_control) {
            return Err(ErrorCode::BadRequest);
        }
        let mut raw = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut raw);
        let id = FileId(to_hex(&raw));
        let now = self.k.now_ms();
        let new = NewUpload {
            id: &id,
            owner: me.id,
            length,
            name: &meta.name,
            at: now,
            expires_at: now + UPLOAD_TTL_MS,
        };
        self.k.store.create_upload(new, self.quota).await?;
        if length == 0 {
            self.k.store.set_mime(&id, OPAQUE).await?;
        }
        self.upload(me, &id).await
    }

    /// One's own upload, unless it expired or ended; `NotFound` for
    /// anyone else's.
    pub async fn upload(&self, me: &UserInfo, id: &FileId) -> Result<StoredFile> {
        id.validate().map_err(|_| ErrorCode::NotFound)?;
        match self.k.store.file(id, self.k.now_ms()).await? {
            Some(file) if file.owner == me.id => Ok(file),
            _ => Err(ErrorCode::NotFound),
        }
    }

    /// Appends a body's bytes at `offset` (tus PATCH), streaming them to
    /// the blob store part by part; the new offset. `OffsetMismatch` if
    /// the upload is not at `offset` (another request moved it);
    /// `BadRequest` if the body holds more than the upload lacks (what fit
    /// is kept). A body cut short keeps what arrived.
    pub async fn append<S, E>(
        &self,
        me: &UserInfo,
        id: &FileId,
        offset: u64,
        body: S,
    ) -> Result<u64>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + Unpin,
    {
        let file = self.upload(me, id).await?;
        if file.received != offset {
            return Err(ErrorCode::OffsetMismatch);
        }
        let mut incoming = Incoming::new(body);
        let mut at = offset;
        while at < file.length && incoming.more().await {
            let key = part_key(id, at)?;
            let room = PART_BYTES.min(file.length - at);
            let size = self
                .k
                .blobs
                .write(&key, incoming.part(room))
                .await
                .map_err(internal)?;
            let part = Part {
                start: at,
                size,
                blob: key.as_str().to_owned(),
            };
            if !self.k.store.add_part(id, &part).await? {
                self.k.blobs.delete(&key).await.map_err(internal)?;
                return Err(ErrorCode::OffsetMismatch);
            }
            at += size;
        }
        if at == file.length && file.received < file.length {
            self.complete(id).await?;
        }
        if incoming.end != End::Broken && incoming.more().await {
            return Err(ErrorCode::BadRequest);
        }
        Ok(at)
    }

    /// A whole upload's type, from its first bytes.
    async fn complete(&self, id: &FileId) -> Result<()> {
        let parts = self.k.store.parts(id).await?;
        let total = parts.iter().map(|p| p.size).sum::<u64>();
        let head: Vec<Bytes> = read(&self.k, parts, 0..HEAD_BYTES.min(total))
            .try_collect()
            .await
            .map_err(internal)?;
        let mime = sniff(&head.concat());
        Ok(self.k.store.set_mime(id, mime).await?)
    }

    /// Ends one's own upload (tus termination); a job removes its bytes.
    /// `NotAllowed` once a message carries it.
    pub async fn terminate(&self, me: &UserInfo, id: &FileId) -> Result<()> {
        self.upload(me, id).await?;
        Ok(self.k.store.terminate(id, self.k.now_ms()).await?)
    }

    /// A complete file `me` may read; `NotFound` for anyone else, as if
    /// there were no such file.
    pub async fn open(&self, me: &UserInfo, id: &FileId) -> Result<Download> {
        id.validate().map_err(|_| ErrorCode::NotFound)?;
        let store = &self.k.store;
        let Some(file) = store.file(id, self.k.now_ms()).await? else {
            return Err(ErrorCode::NotFound);
        };
        if !file.complete() || !store.may_read(id, me.id).await? {
            return Err(ErrorCode::NotFound);
        }
        let mime = file.mime.unwrap_or_else(|| OPAQUE.to_owned());
        Ok(Download {
            inline: is_inline(&mime),
            id: file.id,
            size: file.length,
            name: file.name,
            mime,
        })
    }

    /// `range` of an opened file's bytes, as they stream from its parts.
    pub async fn bytes(
        &self,
        file: &Download,
        range: Range<u64>,
    ) -> Result<BoxStream<'static, std::result::Result<Bytes, BlobError>>> {
        let parts = self.k.store.parts(&file.id).await?;
        Ok(read(&self.k, parts, range))
    }

    /// Removes the files whose checks are due and that no message
    /// carries: first their bytes, then their records (a check that fails
    /// half-way runs again).
    pub async fn run_checks(&self) {
        self.k
            .jobs
            .run_due(CHECK_BATCH, |check: FileCheck| self.check(check))
            .await;
    }

    async fn check(&self, check: FileCheck) -> Outcome {
        let store = &self.k.store;
        let parts = match store.doom_file(&check.file, self.k.now_ms()).await {
            Ok(Some(parts)) => parts,
            Ok(None) => return Outcome::Done,
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        for part in parts {
            let gone = match BlobKey::new(&part.blob) {
                Ok(key) => self.k.blobs.delete(&key).await,
                Err(e) => Err(e),
            };
            if let Err(e) = gone {
                return Outcome::Retry(e.to_string());
            }
        }
        match store.forget_file(&check.file).await {
            Ok(()) => Outcome::Done,
            Err(e) => Outcome::Retry(e.to_string()),
        }
    }
}

/// `range` of a file kept as `parts`, streamed part after part.
fn read(
    k: &Kernel,
    parts: Vec<Part>,
    range: Range<u64>,
) -> BoxStream<'static, std::result::Result<Bytes, BlobError>> {
    let blobs = k.blobs.clone();
    let wanted = parts.into_iter().filter_map(move |p| {
        let start = range.start.max(p.start);
        let end = range.end.min(p.start + p.size);
        (start < end).then(|| (p.blob, start - p.start..end - p.start))
    });
    stream::iter(wanted)
        .then(move |(blob, within)| {
            let blobs = blobs.clone();
            async move {
                let key = BlobKey::new(&blob)?;
                Ok::<_, BlobError>(blobs.read(&key, Some(within)).await?.chunks)
            }
        })
        .try_flatten()
        .boxed()
}
