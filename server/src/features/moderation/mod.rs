//! What owners and admins do to a chat.

mod service;

pub use service::Moderation;
