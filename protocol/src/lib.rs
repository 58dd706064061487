//! Courier's wire, shared by the browser app and the server.
//!
//! A tour of the modules:
//! - [`model`]: the records that cross the wire (ids, users, chats,
//!   messages, acts, roles, folders, formatting); they import nothing else
//!   of this crate but limits and error codes.
//! - [`ws`]: the WebSocket frames in both directions, and the gate every
//!   client frame passes.
//! - [`http`]: the bodies of the HTTP endpoints, one file per capability.
//! - [`policy`]: who may do what in a chat and who sees what.
//! - [`sfu`]: what a tab and the group calls' SFU say on their data
//!   channel.
//! - [`limits`] and [`budget`]: every bound on what a client may send and
//!   on what the server sends.
//! - [`error`]: stable error codes that the app translates, each with its
//!   HTTP status and whether a client tries again.
//!
//! Pure types and functions only: no I/O, no async runtime, no `web-sys`, so
//! it compiles for `wasm32-unknown-unknown` and for the host alike.

pub mod budget;
pub mod error;
pub mod http;
pub mod limits;
pub mod model;
pub mod policy;
pub mod sfu;
pub mod ws;

pub use error::ErrorCode;
pub use model::act::Act;
pub use model::call::{CallEnd, CallId, CallStep, LegId, Signal};
pub use model::chat::{ChatKind, ChatSummary, Place};
pub use model::content::Content;
pub use model::group_call::{GroupCall, GroupStep, Participant, Showing};
pub use model::ids::{ChatId, ClientMsgId, FileId, Seq, UserId};
pub use model::media::{Attachment, MediaKind};
pub use model::message::Message;
pub use model::role::{Rights, Role};
pub use model::user::{Member, UserInfo, UserKind};
pub use ws::client::{ClientFrame, Cursor};
pub use ws::server::ServerFrame;

/// The protocol version this build speaks; sent in `Hello` and `Welcome`.
/// A server refuses any other with `unsupported_version`, and the app then
/// updates itself. Version 2: a message carries `content` (one `Content`
/// kind) where version 1 had `text`.
pub const PROTOCOL_VERSION: u32 = 2;
