//! One stored event of a chat's sequence: a post, or an act on an
//! earlier post.

use serde::{Deserialize, Serialize};

use crate::model::act::Act;
use crate::model::content::Content;
use crate::model::ids::{ChatId, ClientMsgId, Seq, UserId};

/// One stored message: the unit of a chat's sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub chat: ChatId,
    pub seq: Seq,
    /// The sender's client-made id, unique per sender and chat.
    pub id: ClientMsgId,
    pub sender: UserId,
    pub sender_name: String,
    /// What it posts; none for an act (its text, if any, is in the act)
    /// and for a post deleted for everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
    /// When the server stored it: milliseconds since the Unix epoch.
    pub at: i64,
    /// The message this one answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Seq>,
    /// Set when this event acts on an earlier message instead of posting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Act>,
    /// A forwarded copy: who (or which channel) first posted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<String>,
    /// In a chat with disappearing messages: when the server deletes it
    /// (milliseconds since the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

impl Message {
    /// The words its content shows ("" for an act or a deleted post).
    pub fn text(&self) -> &str {
        self.content.as_ref().map_or("", Content::words)
    }
}

/// How many members have seen a channel post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewCount {
    pub seq: Seq,
    pub views: u32,
}
