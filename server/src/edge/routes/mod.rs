//! Each capability's HTTP endpoints, merged by the router.

pub mod accounts;
pub mod calls;
pub mod chats;
pub mod media;
pub mod messaging;
pub mod moderation;
pub mod prefs;
pub mod presence;
