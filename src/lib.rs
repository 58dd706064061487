//! Courier's browser app: Leptos (CSR) compiled to WebAssembly.
//!
//! A tour of the modules, in the order data flows:
//! - [`account`]: the accounts signed in in this browser and the one this
//!   tab shows; every request names it.
//! - [`net`]: the server. JSON calls to `/api/*` and the socket session that
//!   says `Hello` with the stored cursors, writes every frame it receives
//!   into the store, drains the outbox after `Welcome`, pings, and
//!   reconnects with backoff. It reports through a callback, not the UI.
//! - [`store`]: IndexedDB, one database per user: chats, messages by
//!   (chat, seq), the outbox, cursors. The network writes here and the UI
//!   reads here, so the app opens and reads offline.
//! - [`i18n`]: every sentence the UI shows, in five languages (Fluent).
//! - [`ui`]: Leptos components. They read the store when a revision signal
//!   moves and ask `net` to act; they never touch the socket or IndexedDB.
//!
//! `public/` next to this crate holds the manifest and the service worker
//! that caches the app shell.

pub mod account;
pub mod i18n;
pub mod net;
pub mod store;
pub mod ui;
