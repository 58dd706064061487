//! Chats, membership and joining.

mod service;

pub use service::{Chats, Joining};
