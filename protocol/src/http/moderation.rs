//! A chat's member list and what admins do to members.

use serde::{Deserialize, Serialize};

use crate::http::chats::{
    ChatCreated, ChatSettings, InviteLink, InviteLinks, JoinRequests, NewInvite, RequestAnswer,
};
use crate::http::endpoint::{Endpoint, Method};

use crate::model::ids::UserId;
use crate::model::role::Rights;
use crate::model::user::Member;

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

pub const UPDATE_CHAT: Endpoint<ChatSettings, ChatCreated> =
    Endpoint::new(Method::Patch, "/api/chats/{id}");
/// `?after=<user id>&limit=<n>`
pub const MEMBERS: Endpoint<(), Members> = Endpoint::new(Method::Get, "/api/chats/{id}/members");
pub const MEMBER_ACTION: Endpoint<MemberAction, ()> =
    Endpoint::new(Method::Post, "/api/chats/{id}/members/{user}");
pub const INVITES: Endpoint<(), InviteLinks> =
    Endpoint::new(Method::Get, "/api/chats/{id}/invites");
pub const NEW_INVITE: Endpoint<NewInvite, InviteLink> =
    Endpoint::new(Method::Post, "/api/chats/{id}/invites");
pub const REVOKE_INVITE: Endpoint<(), ()> =
    Endpoint::new(Method::Delete, "/api/chats/{id}/invites/{code}");
pub const JOIN_REQUESTS: Endpoint<(), JoinRequests> =
    Endpoint::new(Method::Get, "/api/chats/{id}/requests");
pub const ANSWER_REQUEST: Endpoint<RequestAnswer, ()> =
    Endpoint::new(Method::Post, "/api/chats/{id}/requests/{user}");
