//! Bodies of the HTTP endpoints (see PROTOCOL.md). Errors come back as
//! [`ApiError`] with a 4xx/5xx status.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::folder::Folder;
use crate::frame::{ChatKind, ChatSummary, Member, Message, UserInfo};
use crate::ids::{ClientMsgId, Seq, UserId};
use crate::role::Rights;

/// `POST /api/signup`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignUp {
    pub username: String,
    pub password: String,
    /// Defaults to the username.
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /api/signin`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

/// `POST /api/guest`: join a chat by invite with only a display name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuestJoin {
    pub invite: String,
    pub name: String,
}

/// `POST /api/account`: a guest chooses a username and password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub username: String,
    pub password: String,
}

/// `POST /api/chats/direct`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDirect {
    pub username: String,
}

/// `POST /api/chats/group` and `POST /api/chats/channel`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewGroup {
    pub name: String,
}

/// `GET /api/invites/{code}` and `GET /api/public/{handle}`: what the join
/// screen shows before joining.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitePreview {
    pub title: String,
    pub member_count: u32,
    #[serde(default = "group")]
    pub kind: ChatKind,
    /// Joining asks an admin first.
    #[serde(default)]
    pub needs_approval: bool,
}

fn group() -> ChatKind {
    ChatKind::Group
}

/// The answer of the account endpoints: who is signed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub me: UserInfo,
}

/// The answer of the endpoints that create or join a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatCreated {
    pub chat: ChatSummary,
}

/// The body of every failed API call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: ErrorCode,
    /// With `slow_down`: how long to wait before asking again (also in
    /// the `Retry-After` header, in whole seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

/// The answer of `POST /api/guest`: the new guest and the chat they joined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Joined {
    pub me: UserInfo,
    pub chat: ChatSummary,
}

/// `GET /api/me/blocked`: whom the user blocked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blocked {
    /// The people the user blocked, the most recent first.
    pub blocked: Vec<UserInfo>,
}

/// `GET /api/chats/{id}/members?after=<user id>&limit=<n>`: one page of
/// members ordered by user id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Members {
    pub members: Vec<Member>,
    /// Pass as `after` for the next page; none on the last.
    pub next: Option<UserId>,
}

/// `POST /api/chats/{id}/members/{user}`: what an admin does to a member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum MemberAction {
    /// Make an admin with these rights (or change an admin's). Owner only.
    Promote {
        rights: Rights,
    },
    /// Make an admin a member again. Owner only.
    Demote,
    /// Take out of the chat; they may join again.
    Remove,
    /// Take out of the chat and keep out until unbanned.
    Ban,
    Unban,
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

/// `POST /api/chats/{id}/invites`: an extra invite link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewInvite {
    /// Seconds until the link stops working; none for never.
    pub expires_in_s: Option<u32>,
    /// How many people may join by it; none for unlimited.
    pub usage_limit: Option<u32>,
    /// Joining asks an admin first.
    pub needs_approval: bool,
}

/// An invite link as its chat's admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteLink {
    pub code: String,
    /// The chat's main link, which every member of a group can share.
    pub primary: bool,
    pub expires_at: Option<i64>,
    pub usage_limit: Option<u32>,
    pub uses: u32,
    pub needs_approval: bool,
    pub revoked: bool,
}

/// `GET /api/chats/{id}/invites`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteLinks {
    pub invites: Vec<InviteLink>,
}

/// A person waiting for an admin to let them in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub user: UserInfo,
    pub at: i64,
}

/// `GET /api/chats/{id}/requests`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinRequests {
    pub requests: Vec<JoinRequest>,
}

/// `POST /api/chats/{id}/requests/{user}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestAnswer {
    pub approve: bool,
}

/// The answer (202) of joining by a link that needs an admin's approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinPending {
    pub pending: bool,
    /// Set when a guest was created by this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub me: Option<UserInfo>,
}

/// Names the account a request is for, where a browser is signed in to
/// several (`?account=` on `/ws`, whose opening cannot carry headers).
pub const ACCOUNT_HEADER: &str = "x-courier-account";

/// `GET /api/accounts`: the accounts this browser is signed in to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accounts {
    pub accounts: Vec<UserInfo>,
}

/// `GET`/`PUT /api/me/folders`: all of the user's folders, in order; a
/// `PUT` replaces them (at most `FOLDERS_MAX`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Folders {
    pub folders: Vec<Folder>,
}

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
    pub text: String,
    /// Milliseconds since the Unix epoch; in the future, within a year.
    pub at: i64,
}

/// A message waiting to be posted, as its sender sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledPost {
    pub id: ClientMsgId,
    pub text: String,
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

/// `GET /api/users/{id}/presence`, for someone the caller shares a chat with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub online: bool,
    /// When they were last online; none if they hide it ("last seen recently").
    pub last_seen: Option<i64>,
}

/// `GET` and `PUT /api/me/privacy`
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Privacy {
    /// Others see "last seen recently" instead of a time, and not "online".
    pub hide_last_seen: bool,
}
