//! The user's devices (one per sign-in) and their password: list, rename
//! and end devices; a new password ends every other device.

use serde::{Deserialize, Serialize};

use crate::http::endpoint::{Endpoint, Method};
use crate::model::device::Device;

/// `GET /api/me/devices`: every device signed in to this account, the
/// one asking marked `current`, the most recently seen first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Devices {
    pub devices: Vec<Device>,
}

/// `PATCH /api/me/devices/{id}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceName {
    pub name: String,
}

/// `POST /api/me/password`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPassword {
    pub old: String,
    pub new: String,
}

pub const DEVICES: Endpoint<(), Devices> = Endpoint::new(Method::Get, "/api/me/devices");
pub const RENAME_DEVICE: Endpoint<DeviceName, ()> =
    Endpoint::new(Method::Patch, "/api/me/devices/{id}");
/// Signs the device out: its sockets close on every node.
pub const END_DEVICE: Endpoint<(), ()> = Endpoint::new(Method::Delete, "/api/me/devices/{id}");
/// Ends every other device of the account.
pub const CHANGE_PASSWORD: Endpoint<NewPassword, ()> =
    Endpoint::new(Method::Post, "/api/me/password");
