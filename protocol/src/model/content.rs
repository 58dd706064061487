//! What a message carries: exactly one kind of content. Metadata common to
//! every kind (reply, forward, expiry, edited) stays on the message; a new
//! kind is a new variant here, never a new optional field of `Message`.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::limits::{
    ALBUM_MAX, MAX_TEXT_CHARS, MEDIA_DURATION_MAX_MS, ROUND_VIDEO_MAX_MS, WAVEFORM_MAX,
    WAVEFORM_PEAK, check_text,
};
use crate::model::call::CallEnd;
use crate::model::ids::FileId;
use crate::model::media::{Attachment, check_thumbhash};

/// One message's content, tagged by `kind` on the wire
/// (`{"kind": "text", "text": "…"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Content {
    /// Formatted text (see `format`).
    Text { text: String },
    /// A photo, video, audio track or file, or an album of up to
    /// [`ALBUM_MAX`] photos and videos, with an optional caption
    /// (formatted like text).
    Media {
        items: Vec<Attachment>,
        #[serde(default)]
        caption: String,
    },
    /// A voice message: Opus audio, its length and a waveform of up to
    /// [`WAVEFORM_MAX`] samples of 0..=[`WAVEFORM_PEAK`].
    Voice {
        file: FileId,
        duration_ms: u32,
        #[serde(default)]
        waveform: Vec<u8>,
    },
    /// A round video message: square video of at most
    /// [`ROUND_VIDEO_MAX_MS`], shown in a circle.
    RoundVideo {
        file: FileId,
        duration_ms: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thumbhash: Option<String>,
    },
    /// A call in the chat, posted by the server from the caller once it
    /// ended: voice or video, how it ended and, if it was answered, how
    /// long it lasted. Never sent by a client.
    Call {
        video: bool,
        end: CallEnd,
        #[serde(default)]
        duration_ms: u32,
    },
    /// A kind this build does not know, from a newer server: shown as
    /// "needs a newer version" instead of failing the frame it came in.
    /// Never sent by a client, never stored.
    #[serde(other)]
    Unsupported,
}

impl Content {
    pub fn text(text: impl Into<String>) -> Content {
        Content::Text { text: text.into() }
    }

    /// The words that search, previews and notifications use.
    pub fn words(&self) -> &str {
        match self {
            Content::Text { text } => text,
            Content::Media { caption, .. } => caption,
            Content::Voice { .. }
            | Content::RoundVideo { .. }
            | Content::Call { .. }
            | Content::Unsupported => "",
        }
    }

    /// The words, to cut short or replace (an edit, a preview).
    pub fn words_mut(&mut self) -> Option<&mut String> {
        match self {
            Content::Text { text } => Some(text),
            Content::Media { caption, .. } => Some(caption),
            Content::Voice { .. }
            | Content::RoundVideo { .. }
            | Content::Call { .. }
            | Content::Unsupported => None,
        }
    }

    /// Whether a client may send it.
    pub fn validate(&self) -> Result<(), ErrorCode> {
        match self {
            Content::Text { text } => check_text(text),
            Content::Media { items, caption } => {
                if caption.chars().count() > MAX_TEXT_CHARS {
                    return Err(ErrorCode::TextTooLong);
                }
                let album_ok = match items.as_slice() {
                    [] => false,
                    [_] => true,
                    many => many.len() <= ALBUM_MAX && many.iter().all(|i| i.kind.in_albums()),
                };
                if !album_ok {
                    return Err(ErrorCode::BadFile);
                }
                items.iter().try_for_each(Attachment::validate)
            }
            Content::Voice {
                file,
                duration_ms,
                waveform,
            } => {
                file.validate()?;
                let ok = *duration_ms <= MEDIA_DURATION_MAX_MS
                    && waveform.len() <= WAVEFORM_MAX
                    && waveform.iter().all(|s| *s <= WAVEFORM_PEAK);
                if ok { Ok(()) } else { Err(ErrorCode::BadFile) }
            }
            Content::RoundVideo {
                file,
                duration_ms,
                thumbhash,
            } => {
                file.validate()?;
                let ok = *duration_ms <= ROUND_VIDEO_MAX_MS
                    && thumbhash.as_deref().is_none_or(check_thumbhash);
                if ok { Ok(()) } else { Err(ErrorCode::BadFile) }
            }
            Content::Call { .. } | Content::Unsupported => Err(ErrorCode::BadFrame),
        }
    }

    /// The files it carries, thumbnails too.
    pub fn files(&self) -> Vec<&FileId> {
        match self {
            Content::Media { items, .. } => items
                .iter()
                .flat_map(|i| std::iter::once(&i.file).chain(&i.thumb))
                .collect(),
            Content::Voice { file, .. } | Content::RoundVideo { file, .. } => vec![file],
            Content::Text { .. } | Content::Call { .. } | Content::Unsupported => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::media::MediaKind;

    #[test]
    fn text_is_tagged_by_kind() {
        let json = serde_json::to_string(&Content::text("hi")).ok();
        assert_eq!(json.as_deref(), Some(r#"{"kind":"text","text":"hi"}"#));
        assert_eq!(
            serde_json::from_str::<Content>(r#"{"kind":"text","text":"hi"}"#).ok(),
            Some(Content::text("hi"))
        );
    }

    #[test]
    fn a_kind_from_a_newer_server_reads_as_unsupported() {
        let newer = r#"{"kind":"hologram","frames":3}"#;
        assert_eq!(
            serde_json::from_str::<Content>(newer).ok(),
            Some(Content::Unsupported)
        );
        assert_eq!(Content::Unsupported.validate(), Err(ErrorCode::BadFrame));
    }

    fn item(kind: MediaKind) -> Attachment {
        Attachment {
            file: FileId("0123456789abcdef0123456789abcdef".into()),
            kind,
            name: "x".into(),
            size: 1,
            mime: String::new(),
            width: None,
            height: None,
            duration_ms: None,
            thumbhash: None,
            thumb: None,
        }
    }

    #[test]
    fn albums_hold_up_to_ten_photos_and_videos() {
        let album = |items: Vec<Attachment>| Content::Media {
            items,
            caption: String::new(),
        };
        assert_eq!(album(vec![item(MediaKind::File)]).validate(), Ok(()));
        assert_eq!(
            album(vec![item(MediaKind::Photo); ALBUM_MAX]).validate(),
            Ok(())
        );
        for bad in [
            vec![],
            vec![item(MediaKind::Photo); ALBUM_MAX + 1],
            vec![item(MediaKind::Photo), item(MediaKind::File)],
        ] {
            assert_eq!(album(bad).validate(), Err(ErrorCode::BadFile));
        }
        let media = album(vec![item(MediaKind::Video)]);
        assert_eq!(media.files().len(), 1);
        assert_eq!(media.words(), "");
    }

    #[test]
    fn voice_and_round_video_are_bounded() {
        let file = FileId("0123456789abcdef0123456789abcdef".into());
        let voice = |waveform: Vec<u8>| Content::Voice {
            file: file.clone(),
            duration_ms: 1000,
            waveform,
        };
        assert_eq!(voice(vec![0, 31, 7]).validate(), Ok(()));
        assert_eq!(voice(vec![32]).validate(), Err(ErrorCode::BadFile));
        assert_eq!(
            voice(vec![1; WAVEFORM_MAX + 1]).validate(),
            Err(ErrorCode::BadFile)
        );
        let round = |duration_ms| Content::RoundVideo {
            file: file.clone(),
            duration_ms,
            thumbhash: None,
        };
        assert_eq!(round(ROUND_VIDEO_MAX_MS).validate(), Ok(()));
        assert_eq!(
            round(ROUND_VIDEO_MAX_MS + 1).validate(),
            Err(ErrorCode::BadFile)
        );
        let json = serde_json::to_string(&round(5000)).ok();
        assert_eq!(
            json.as_deref(),
            Some(
                r#"{"kind":"round_video","file":"0123456789abcdef0123456789abcdef","duration_ms":5000}"#
            )
        );
    }
}
