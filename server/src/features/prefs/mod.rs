//! A user's own arrangement of Courier.

mod service;

pub use service::Prefs;
