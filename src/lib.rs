//! Courier's browser app: Leptos (CSR) compiled to WebAssembly.
//!
//! A tour of the modules, in the order data flows (each uses only those
//! above it):
//! - [`account`]: the accounts signed in in this browser and the one this
//!   tab shows; every request names it.
//! - [`store`]: IndexedDB, one database per user, a module per object store
//!   (chats, messages and loose acts, outbox, cursors, meta), their
//!   migrations, and the queries the views make. The network writes here
//!   and the UI reads here, so the app opens and reads offline.
//! - [`api`]: JSON calls to typed endpoints of `protocol`, as this tab's
//!   account.
//! - [`net`]: the socket session that says `Hello` with the stored cursors,
//!   writes every frame it receives into the store, drains the outbox after
//!   `Welcome`, pings, reconnects with backoff, and updates the app when the
//!   server has moved on. It reports through a callback, not the UI.
//! - [`rtc`]: calls: the one this tab is in, its steps sent until acked,
//!   its media negotiated peer to peer, its statistics.
//! - [`state`]: the small context every component reaches, the account's
//!   session lifecycle in this tab, its other tabs, notifications, and the
//!   routing of what the session reports.
//! - [`i18n`]: every sentence the UI shows, in five languages (Fluent).
//! - [`ui`]: Leptos components. They read the store when a revision signal
//!   moves and act through `api`, `net` and `state`; they never touch the
//!   socket or IndexedDB.
//!
//! `public/` next to this crate holds the manifest and the service worker
//! that caches the app shell.

// The browser's numbers (times, sizes, event coordinates) are f64: turning
// them into integers, truncating, is what the app means to do.
#![allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]

pub mod account;
pub mod api;
mod base64;
mod case;
pub mod i18n;
pub mod net;
pub mod rtc;
pub mod state;
pub mod store;
pub mod ui;
