//! The Courier server.
//!
//! Rooms, from the bottom up (dependencies point one way):
//! - [`kernel`]: what every capability stands on — the store on SQLite or
//!   PostgreSQL (`db`), delivery to connections on this node and the others
//!   (`delivery`: hub, bus, relay and sweep), password hashing and tokens
//!   (`auth`), rate limits (`throttle`). Knows nothing of HTTP.
//! - [`features`]: one room per capability — accounts (and devices),
//!   chats, moderation, messaging, presence, prefs — each checking
//!   membership and rights through `protocol::policy` on every read and
//!   write.
//! - [`edge`]: HTTP routes, the WebSocket connection, security headers.
//! - [`startup`]: configuration, start-up, background workers and graceful
//!   shutdown.

pub mod edge;
pub mod features;
pub mod kernel;
pub mod startup;
