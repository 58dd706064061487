//! Online and last seen, and who may see it.

use serde::{Deserialize, Serialize};

use crate::http::endpoint::{Endpoint, Method};

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

pub const PRESENCE: Endpoint<(), Presence> = Endpoint::new(Method::Get, "/api/users/{id}/presence");
pub const PRIVACY: Endpoint<(), Privacy> = Endpoint::new(Method::Get, "/api/me/privacy");
pub const SET_PRIVACY: Endpoint<Privacy, ()> = Endpoint::new(Method::Put, "/api/me/privacy");
