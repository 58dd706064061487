//! The records that cross the wire: who, which chat, what was said and
//! done to it. Frames (`ws`) and endpoints (`http`) carry these.

pub mod act;
pub mod call;
pub mod chat;
pub mod content;
pub mod device;
pub mod folder;
pub mod format;
pub mod group_call;
pub mod ids;
pub mod media;
pub mod message;
pub mod role;
pub mod user;
