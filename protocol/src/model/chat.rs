//! A chat as one member sees it: its kind, its summary in their list,
//! where they keep it, and the settings its admins change.

use serde::{Deserialize, Serialize};

use crate::model::ids::{ChatId, Seq, UserId};
use crate::model::message::Message;
use crate::model::role::{Rights, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatKind {
    Direct,
    Group,
    /// Only admins post; members (subscribers) read.
    Channel,
}

/// A chat as one member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatSummary {
    pub id: ChatId,
    pub kind: ChatKind,
    /// The group's name, or for a direct chat the other person's name.
    pub title: String,
    /// The main invite code, the link being `/join/<invite>`; empty for
    /// a viewer who may not share it (a channel's subscriber).
    pub invite: String,
    /// Members, or a channel's subscribers.
    pub member_count: u32,
    /// The newest sequence in the chat.
    pub last_seq: Seq,
    pub last: Option<Message>,
    /// The viewer's role and what they may do.
    #[serde(default)]
    pub role: Role,
    #[serde(default)]
    pub rights: Rights,
    /// The public name (`@handle`) anyone can find the chat by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Seconds a member waits between two messages; 0 is off.
    #[serde(default)]
    pub slow_mode_s: u32,
    /// In a channel: posts carry their author's name instead of the channel's.
    #[serde(default)]
    pub signatures: bool,
    /// Disappearing messages: seconds each message lives; 0 is off.
    #[serde(default)]
    pub ttl_s: u32,
    /// The viewer's unsent draft, shared by their devices.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub draft: String,
    /// How far the viewer has read, on any of their devices.
    #[serde(default)]
    pub read: Seq,
    /// Where the viewer keeps the chat in their list.
    #[serde(default)]
    pub place: Place,
    /// In a channel: the id that the viewer's own events there carry
    /// (reactions, unsigned posts), in place of their user id, so that no
    /// reader learns who they are. Each channel has its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<UserId>,
}

/// Where a member keeps a chat in their own list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Place {
    /// On top of the list.
    pub pinned: bool,
    /// Its unread count shows grey; mentions of the member still stand out.
    pub muted: bool,
    /// Out of the main list, in the archive.
    pub archived: bool,
}

/// `PATCH /api/chats/{id}`: the fields to change; absent ones stay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatSettings {
    pub name: Option<String>,
    /// The public `@handle` (without the `@`); an empty string makes the chat private.
    pub handle: Option<String>,
    pub slow_mode_s: Option<u32>,
    pub signatures: Option<bool>,
    /// Disappearing messages (seconds, 0 off); the only setting either
    /// person of a direct chat may change.
    pub ttl_s: Option<u32>,
}
