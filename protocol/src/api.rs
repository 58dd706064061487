//! Bodies of the HTTP endpoints (see PROTOCOL.md). Errors come back as
//! [`ApiError`] with a 4xx/5xx status.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::frame::{ChatSummary, UserInfo};

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

/// `POST /api/chats/group`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewGroup {
    pub name: String,
}

/// `GET /api/invites/{code}`: what the join screen shows before joining.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitePreview {
    pub title: String,
    pub member_count: u32,
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
}

/// The answer of `POST /api/guest`: the new guest and the chat they joined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Joined {
    pub me: UserInfo,
    pub chat: ChatSummary,
}

/// `GET /api/chats/{id}/members`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Members {
    pub members: Vec<UserInfo>,
}
