//! Files: tus 1.0 uploads and downloads by range (PROTOCOL.md, "Files").
//! Not typed endpoints: tus speaks in headers, and a download is bytes.

use crate::model::ids::FileId;

/// Where uploads start (`POST`); each then lives at `{UPLOADS}/{id}`.
pub const UPLOADS: &str = "/api/uploads";

/// The tus version spoken, sent as `Tus-Resumable` with every request.
pub const TUS_VERSION: &str = "1.0.0";

/// An upload's own address, where its offset is asked and its bytes go.
pub fn upload_path(id: &FileId) -> String {
    format!("{UPLOADS}/{}", id.as_str())
}

/// A file's download address.
pub fn media_path(id: &FileId) -> String {
    format!("/api/media/{}", id.as_str())
}
