//! Where the outside meets Courier: HTTP routes, the WebSocket connection
//! and the security headers on every response.

pub mod extract;
pub mod failure;
pub mod router;
pub mod routes;
pub mod security;
pub mod ws;
