//! Messages and their events, history, cursors, scheduled and expiring
//! messages.

mod files;
mod scheduled;
mod service;

pub use service::Messaging;
