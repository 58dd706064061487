//! The WebSocket frames, both directions.

pub mod client;
pub mod server;
