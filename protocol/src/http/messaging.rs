//! Reads, search, scheduled messages and drafts.

use serde::{Deserialize, Serialize};

use crate::http::endpoint::{Endpoint, Method};

use crate::model::content::Content;
use crate::model::ids::{ClientMsgId, Seq, UserId};
use crate::model::message::Message;

/// Where a member has read up to, and how far a device of theirs has
/// stored (delivered; never behind what they read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadCursor {
    pub user: UserId,
    pub seq: Seq,
    #[serde(default)]
    pub delivered: Seq,
}

/// `GET /api/chats/{id}/reads`: every other member's read cursor, in a
/// direct chat or a group of at most `SEEN_BY_MAX_MEMBERS`; empty in
/// bigger groups and channels, whose readers stay private.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reads {
    pub reads: Vec<ReadCursor>,
}

/// `GET /api/chats/{id}/since?at=<ms>`: the first post of the chat at or
/// after `at`, for "jump to a date" past what a device holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Since {
    pub seq: Option<Seq>,
}

/// `GET /api/search?q=<text>&chat=<id>&before=<seq>`: messages containing
/// `q` (case-insensitive), newest first, in one chat or in all of the
/// user's chats. `before` pages back within one chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Found {
    pub messages: Vec<Message>,
}

/// `POST /api/chats/{id}/scheduled`: a message the server posts at `at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewScheduled {
    pub id: ClientMsgId,
    pub content: Content,
    /// Milliseconds since the Unix epoch; in the future, within a year.
    pub at: i64,
}

/// A message waiting to be posted, as its sender sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledPost {
    pub id: ClientMsgId,
    pub content: Content,
    pub at: i64,
}

/// `GET /api/chats/{id}/scheduled`: the caller's waiting messages, soonest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledPosts {
    pub scheduled: Vec<ScheduledPost>,
}

/// `PUT /api/chats/{id}/draft`: the caller's unsent text ("" clears it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub text: String,
    /// The saving device's own id, echoed in the `draft` frame so that
    /// device can ignore its own save.
    #[serde(default)]
    pub device: String,
}

pub const READS: Endpoint<(), Reads> = Endpoint::new(Method::Get, "/api/chats/{id}/reads");
/// `?at=<ms>`
pub const SINCE: Endpoint<(), Since> = Endpoint::new(Method::Get, "/api/chats/{id}/since");
/// `?q=<text>&chat=<id>&before=<seq>`
pub const SEARCH: Endpoint<(), Found> = Endpoint::new(Method::Get, "/api/search");
pub const SAVE_DRAFT: Endpoint<Draft, ()> = Endpoint::new(Method::Put, "/api/chats/{id}/draft");
pub const SCHEDULED: Endpoint<(), ScheduledPosts> =
    Endpoint::new(Method::Get, "/api/chats/{id}/scheduled");
pub const SCHEDULE: Endpoint<NewScheduled, ()> =
    Endpoint::new(Method::Post, "/api/chats/{id}/scheduled");
pub const UNSCHEDULE: Endpoint<(), ()> =
    Endpoint::new(Method::Delete, "/api/chats/{id}/scheduled/{msg}");
