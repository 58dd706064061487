//! What a message carries: exactly one kind of content. Metadata common to
//! every kind (reply, forward, expiry, edited) stays on the message; a new
//! kind is a new variant here, never a new optional field of `Message`.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::limits::check_text;

/// One message's content, tagged by `kind` on the wire
/// (`{"kind": "text", "text": "…"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Content {
    /// Formatted text (see `format`).
    Text { text: String },
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
            Content::Unsupported => "",
        }
    }

    /// The words, to cut short or replace (an edit, a preview).
    pub fn words_mut(&mut self) -> Option<&mut String> {
        match self {
            Content::Text { text } => Some(text),
            Content::Unsupported => None,
        }
    }

    /// Whether a client may send it.
    pub fn validate(&self) -> Result<(), ErrorCode> {
        match self {
            Content::Text { text } => check_text(text),
            Content::Unsupported => Err(ErrorCode::BadFrame),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
