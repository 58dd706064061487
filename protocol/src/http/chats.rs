//! Making and joining chats, and their invite links.

use serde::{Deserialize, Serialize};

use crate::http::endpoint::{Endpoint, Method};
use crate::model::chat::Place;

/// `PATCH /api/chats/{id}`'s body is the record the `settings` frame carries.
pub use crate::model::chat::ChatSettings;
use crate::model::chat::{ChatKind, ChatSummary};
use crate::model::user::UserInfo;
use crate::{ChatId, UserId};

/// `POST /api/chats/direct`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDirect {
    pub username: String,
}

/// `POST /api/chats/group` and `POST /api/chats/channel`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewGroup {
    pub name: String,
    /// People to put in it from the start, by username (at most
    /// [`NEW_GROUP_MEMBERS_MAX`](crate::limits::NEW_GROUP_MEMBERS_MAX)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// `GET /api/directory?q=`: what the one search box finds beyond one's own
/// chats, as Telegram's global search: people by @username (anyone) or by
/// name (those one shares a chat with), and public groups and channels by
/// @handle or title. Each list holds at most
/// [`DIRECTORY_MAX`](crate::limits::DIRECTORY_MAX), exact matches first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Directory {
    pub people: Vec<PersonHit>,
    pub chats: Vec<PublicChat>,
}

/// A person the directory found; a chat with them opens by `username`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonHit {
    pub id: UserId,
    pub username: String,
    pub name: String,
}

/// A public group or channel the directory found; one joins it by `handle`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicChat {
    pub id: ChatId,
    pub handle: String,
    pub title: String,
    pub kind: ChatKind,
    pub member_count: u32,
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

/// The answer of the endpoints that create or join a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatCreated {
    pub chat: ChatSummary,
}

/// The answer of `POST /api/guest`: the new guest and the chat they joined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Joined {
    pub me: UserInfo,
    pub chat: ChatSummary,
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

/// What joining by a link answers: joined (200), or waiting for an
/// admin's approval (202).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum JoinAnswer<T> {
    Joined(T),
    Pending(JoinPending),
}

/// The answer (202) of joining by a link that needs an admin's approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinPending {
    pub pending: bool,
    /// Set when a guest was created by this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub me: Option<UserInfo>,
}

pub const INVITE_PREVIEW: Endpoint<(), InvitePreview> =
    Endpoint::new(Method::Get, "/api/invites/{code}");
/// 202 with `JoinPending` where admins approve.
pub const JOIN_BY_INVITE: Endpoint<(), JoinAnswer<ChatCreated>> =
    Endpoint::new(Method::Post, "/api/invites/{code}/join");
pub const PUBLIC_PREVIEW: Endpoint<(), InvitePreview> =
    Endpoint::new(Method::Get, "/api/public/{handle}");
pub const JOIN_PUBLIC: Endpoint<(), ChatCreated> =
    Endpoint::new(Method::Post, "/api/public/{handle}/join");
/// `?q=<text>`
pub const DIRECTORY: Endpoint<(), Directory> = Endpoint::new(Method::Get, "/api/directory");
pub const NEW_DIRECT: Endpoint<NewDirect, ChatCreated> =
    Endpoint::new(Method::Post, "/api/chats/direct");
pub const NEW_GROUP: Endpoint<NewGroup, ChatCreated> =
    Endpoint::new(Method::Post, "/api/chats/group");
pub const NEW_CHANNEL: Endpoint<NewGroup, ChatCreated> =
    Endpoint::new(Method::Post, "/api/chats/channel");
pub const LEAVE: Endpoint<(), ()> = Endpoint::new(Method::Post, "/api/chats/{id}/leave");
pub const SET_PLACE: Endpoint<Place, ChatCreated> =
    Endpoint::new(Method::Put, "/api/chats/{id}/place");
