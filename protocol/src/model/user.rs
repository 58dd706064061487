//! People: who a socket or request belongs to, and a chat's members.

use serde::{Deserialize, Serialize};

use crate::model::ids::UserId;
use crate::model::role::{Rights, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    Account,
    /// Joined by an invite link with only a display name.
    Guest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: UserId,
    pub name: String,
    pub username: Option<String>,
    pub kind: UserKind,
}

/// One entry of a chat's member list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    #[serde(flatten)]
    pub user: UserInfo,
    pub role: Role,
    /// An admin's rights; none for others.
    #[serde(default)]
    pub rights: Rights,
}
