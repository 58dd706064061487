//! What a call's legs need besides the socket: the ICE servers to reach
//! each other through.

use serde::{Deserialize, Serialize};

use crate::http::endpoint::{Endpoint, Method};
use crate::model::group_call::GroupCall;

/// One STUN or TURN server, as `RTCIceServer` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    /// For TURN: a name that carries when it stops being valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// `GET /api/calls/ice`: the servers a leg may use, with TURN credentials
/// made for the caller that stay valid `limits::TURN_TTL_S`. Empty when
/// the server has no TURN relay configured: legs then connect directly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServers {
    pub servers: Vec<IceServer>,
    /// Media must go through the relay (`iceTransportPolicy: "relay"`):
    /// the server is run so (`--turn-relay-only`), so that the two people
    /// never learn each other's address.
    #[serde(default)]
    pub relay_only: bool,
}

pub const ICE_SERVERS: Endpoint<(), IceServers> = Endpoint::new(Method::Get, "/api/calls/ice");

/// `GET /api/chats/{id}/call`: the group's call going on now, if any, for
/// a member (what the chat's header offers to join); later changes come
/// as `GroupCall` frames.
pub const GROUP_CALL: Endpoint<(), Option<GroupCall>> =
    Endpoint::new(Method::Get, "/api/chats/{id}/call");
