//! What an event does to an earlier message of its chat.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::limits::{REACTIONS, check_text};
use crate::model::ids::Seq;

/// What an event does to an earlier message of its chat (`target`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Act {
    /// The sender replaces their own message's text; it shows "edited".
    Edit { target: Seq, text: String },
    /// Deleted for everyone: by its sender, or an admin with the `delete` right.
    Delete { target: Seq },
    /// Adds (`on`) or takes back the sender's reaction, one of [`REACTIONS`].
    React {
        target: Seq,
        emoji: String,
        on: bool,
    },
    /// Pins or unpins a message in the chat's pinned bar: the `pin` right,
    /// or either person of a direct chat.
    Pin { target: Seq, on: bool },
}

impl Act {
    pub fn target(&self) -> Seq {
        match self {
            Act::Edit { target, .. }
            | Act::Delete { target }
            | Act::React { target, .. }
            | Act::Pin { target, .. } => *target,
        }
    }

    pub fn validate(&self) -> Result<(), ErrorCode> {
        if self.target().0 < 1 {
            return Err(ErrorCode::BadFrame);
        }
        match self {
            Act::Edit { text, .. } => check_text(text),
            Act::React { emoji, .. } if !REACTIONS.contains(&emoji.as_str()) => {
                Err(ErrorCode::BadReaction)
            }
            _ => Ok(()),
        }
    }
}
