//! Accounts, sessions and devices.

mod devices;
pub mod gate;
mod service;

pub use service::{Accounts, SESSION_TTL_MS, SignedIn};
