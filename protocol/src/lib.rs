//! Courier's wire, shared by the browser app and the server.
//!
//! A tour of the modules:
//! - [`ids`]: the identifiers that cross the wire (users, chats, sequences,
//!   client-made message ids) and their validation.
//! - [`limits`]: every bound on what a client may send; the server enforces
//!   them at the edge and the app checks them before sending.
//! - [`frame`]: the WebSocket frames in both directions and the records they
//!   carry (messages, chats, members).
//! - [`format`]: message formatting parsed into spans, never HTML.
//! - [`folder`]: the user's own chat folders and which chats they hold.
//! - [`role`]: owners, admins and their rights, members.
//! - [`api`]: the bodies of the HTTP endpoints (accounts, guests, chats).
//! - [`error`]: stable error codes that the app translates.
//!
//! Pure types and functions only: no I/O, no async runtime, no `web-sys`, so
//! it compiles for `wasm32-unknown-unknown` and for the host alike.

pub mod api;
pub mod budget;
pub mod error;
pub mod folder;
pub mod format;
pub mod frame;
pub mod ids;
pub mod limits;
pub mod role;

pub use error::ErrorCode;
pub use frame::{
    Act, ChatKind, ChatSummary, ClientFrame, Cursor, Member, Message, Place, ServerFrame, UserInfo,
    UserKind,
};
pub use ids::{ChatId, ClientMsgId, Seq, UserId};
pub use role::{Rights, Role};

/// The protocol version this build speaks; sent in `Hello` and `Welcome`.
pub const PROTOCOL_VERSION: u32 = 1;
