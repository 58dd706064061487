//! Online and last seen.

mod service;

pub use service::Presence;
