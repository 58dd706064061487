//! Files a message carries: what a client says of each (kind, name,
//! dimensions, a placeholder) beside what the server knows for itself (the
//! size it received, the type it found in the bytes).

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::limits::{
    FILE_NAME_MAX, MEDIA_DURATION_MAX_MS, MEDIA_SIDE_MAX, MIME_MAX, THUMBHASH_MAX,
};
use crate::model::ids::FileId;

/// How a file is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// In the album grid and the viewer; re-encoded by the app, so its
    /// bytes carry no EXIF data.
    Photo,
    /// Streamed in a player, with a poster.
    Video,
    /// A music track or recording, with a player.
    Audio,
    /// Anything else, or a photo sent "as a file": a name, a size and a
    /// download.
    File,
}

impl MediaKind {
    /// Whether bytes of `mime` (as the server found them) may be shown as
    /// this kind. A file may be anything.
    pub fn accepts(self, mime: &str) -> bool {
        match self {
            MediaKind::Photo => mime.starts_with("image/") && is_inline(mime),
            MediaKind::Video => mime.starts_with("video/") && is_inline(mime),
            MediaKind::Audio => {
                (mime.starts_with("audio/") || mime == "video/webm" || mime == "video/mp4")
                    && is_inline(mime)
            }
            MediaKind::File => true,
        }
    }

    /// Whether it may share an album with others.
    pub fn in_albums(self) -> bool {
        matches!(self, MediaKind::Photo | MediaKind::Video)
    }
}

/// The types the server serves inline (shown in the page), found by
/// sniffing the bytes; everything else downloads as an attachment. Never
/// SVG or HTML: either can carry script.
pub const INLINE_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/avif",
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "audio/ogg",
    "audio/mpeg",
    "audio/mp4",
    "audio/wav",
    "audio/x-wav",
    "audio/webm",
    "audio/flac",
    "audio/x-flac",
];

pub fn is_inline(mime: &str) -> bool {
    INLINE_TYPES.contains(&mime)
}

/// One file of a media message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub file: FileId,
    pub kind: MediaKind,
    /// The name it had on the sender's device (shown, and offered when
    /// saving); never used as a path on the server.
    pub name: String,
    /// Its size in bytes: set by the server from what it received.
    pub size: u64,
    /// Its type: set by the server from its bytes (`application/
    /// octet-stream` when it is none it shows inline).
    pub mime: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u32>,
    /// A tiny blurred picture shown while the photo or video loads
    /// (thumbhash, base64), made by the sender's app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbhash: Option<String>,
    /// A smaller picture of a large photo, or a video's first frame, made
    /// by the sender's app: what the chat shows (the viewer opens the
    /// file itself). A file of its own, carried with the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb: Option<FileId>,
}

impl Attachment {
    /// Whether a client may send it as it claims (the server then checks
    /// the file itself).
    pub fn validate(&self) -> Result<(), ErrorCode> {
        self.file.validate()?;
        if let Some(thumb) = &self.thumb {
            thumb.validate()?;
        }
        let side_ok = |side: Option<u32>| side.is_none_or(|s| (1..=MEDIA_SIDE_MAX).contains(&s));
        let ok = self.name.len() <= FILE_NAME_MAX
            && !self.name.chars().any(char::is_control)
            && self.mime.len() <= MIME_MAX
            && side_ok(self.width)
            && side_ok(self.height)
            && self.duration_ms.is_none_or(|d| d <= MEDIA_DURATION_MAX_MS)
            && self.thumbhash.as_deref().is_none_or(check_thumbhash);
        if ok { Ok(()) } else { Err(ErrorCode::BadFile) }
    }
}

/// A thumbhash as base64 (standard alphabet, padding optional).
pub fn check_thumbhash(hash: &str) -> bool {
    !hash.is_empty()
        && hash.len() <= THUMBHASH_MAX
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo() -> Attachment {
        Attachment {
            file: FileId("0123456789abcdef0123456789abcdef".into()),
            kind: MediaKind::Photo,
            name: "cat.jpg".into(),
            size: 1000,
            mime: "image/jpeg".into(),
            width: Some(800),
            height: Some(600),
            duration_ms: None,
            thumbhash: Some("1QcSHQRnh493V4dIh4eXh1h4kJUI".into()),
            thumb: None,
        }
    }

    #[test]
    fn an_attachment_is_checked_field_by_field() {
        assert_eq!(photo().validate(), Ok(()));
        let bad = [
            Attachment {
                file: FileId("../etc".into()),
                ..photo()
            },
            Attachment {
                name: "a".repeat(FILE_NAME_MAX + 1),
                ..photo()
            },
            Attachment {
                name: "a\nb".into(),
                ..photo()
            },
            Attachment {
                width: Some(0),
                ..photo()
            },
            Attachment {
                height: Some(MEDIA_SIDE_MAX + 1),
                ..photo()
            },
            Attachment {
                duration_ms: Some(MEDIA_DURATION_MAX_MS + 1),
                ..photo()
            },
            Attachment {
                thumbhash: Some("<svg>".into()),
                ..photo()
            },
            Attachment {
                thumb: Some(FileId("../etc".into())),
                ..photo()
            },
        ];
        for attachment in bad {
            assert_eq!(
                attachment.validate(),
                Err(ErrorCode::BadFile),
                "{attachment:?}"
            );
        }
    }

    #[test]
    fn kinds_accept_only_types_shown_inline() {
        assert!(MediaKind::Photo.accepts("image/jpeg"));
        assert!(!MediaKind::Photo.accepts("image/svg+xml"));
        assert!(!MediaKind::Photo.accepts("video/mp4"));
        assert!(MediaKind::Video.accepts("video/webm"));
        assert!(MediaKind::Audio.accepts("audio/ogg"));
        assert!(MediaKind::Audio.accepts("video/webm"));
        assert!(!MediaKind::Video.accepts("text/html"));
        assert!(MediaKind::File.accepts("text/html"));
        assert!(!is_inline("text/html") && !is_inline("image/svg+xml"));
    }
}
