//! The Courier server.
//!
//! A tour, from the bottom up (dependencies point one way):
//! - [`store`]: the `Store` trait, on SQLite or PostgreSQL (one SQL text):
//!   users, sessions, chats, members and roles, invites, messages. Knows
//!   nothing of HTTP.
//! - [`auth`]: password hashing (argon2id, off the async runtime), session
//!   tokens and invite codes.
//! - [`hub`]: which connections are on this node and which chats they
//!   follow; fan-out of encoded frames to bounded queues.
//! - [`bus`]: fan-out between nodes — in-process for one, NATS for many;
//!   it carries "chat X has events up to seq N", the store the events.
//! - [`service`]: what Courier does — accounts, guests, chats, sending —
//!   with membership checked on every read and write.
//! - [`moderation`]: what owners and admins do: roles, bans, settings,
//!   invite links, join requests; rights checked on every action.
//! - [`devices`]: each sign-in as a device the user lists, renames and
//!   ends; a new password ends the others.
//! - [`throttle`], [`gate`]: rate limits and back-off; who may try to sign
//!   in or make a user now.
//! - [`ws`]: one WebSocket connection's reader and writer.
//! - [`http`]: the routes: API endpoints, the socket upgrade, static files.
//! - [`security`]: the CSP and other security headers on every response.
//! - [`server`]: configuration, start-up and graceful shutdown.

pub mod auth;
pub mod bus;
pub mod devices;
pub mod gate;
pub mod http;
pub mod hub;
pub mod moderation;
pub mod security;
pub mod server;
pub mod service;
pub mod store;
pub mod throttle;
pub mod ws;
