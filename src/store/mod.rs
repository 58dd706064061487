//! The local copy of a user's chats in IndexedDB: one database per user,
//! `courier-<userid>`. The network writes here, the UI reads from here, so
//! the app opens and reads with no connection.
//!
//! Object stores (out-of-line keys):
//! - `chats`: [`ChatSummary`] by chat id;
//! - `messages`: [`Kept`] in blocks of consecutive seqs, by
//!   `[chat, seq / 64]` (see `blocks`), contiguous from the cursor's
//!   `floor` to its `held` (anything past a gap waits for the `Sync` that
//!   fills it; anything before the floor comes by `History` when wanted).
//!   Acts (edit, delete, react, pin) are kept too, as the sequence's own
//!   entries, and applied to the message they target as they arrive;
//! - `loose`: acts whose target is older than the floor, by
//!   `[chat, target, seq]`, applied when the target comes;
//! - `outbox`: [`OutboxEntry`] by client id, time-ordered so key order is
//!   send order;
//! - `cursors`: [`CursorRec`] by chat id: the held range and last seq read;
//! - `meta`: the signed-in [`UserInfo`] under `"me"`, and the user's chat
//!   folders under `"folders"`.

mod blocks;
mod chats;
mod cursors;
mod messages;
mod meta;
mod migrate;
mod outbox;
mod view;

use migrate::{Schema, upgrade_records};

pub use chats::ChatRow;
pub use cursors::CursorRec;
#[cfg(test)]
pub(crate) use messages::testing;
pub use messages::{Applied, Kept};
pub use outbox::{OutState, OutboxEntry};
pub use view::{ChatPage, Landing, WINDOW, Window};

use courier_protocol::UserId;
use indexed_db_futures::database::Database;
use indexed_db_futures::error::OpenDbError;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use std::rc::Rc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Idb(#[from] indexed_db_futures::error::Error),
    #[error(transparent)]
    Open(#[from] OpenDbError),
}

pub type Result<T> = std::result::Result<T, StoreError>;

const CHATS: &str = "chats";
const MESSAGES: &str = "messages";
const OUTBOX: &str = "outbox";
const CURSORS: &str = "cursors";
const META: &str = "meta";
const LOOSE: &str = "loose";
const FOLDERS_KEY: &str = "folders";

/// A handle on one user's database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Rc<Database>,
    me: UserId,
}

/// The name of `me`'s database.
fn database_name(me: UserId) -> String {
    format!("courier-{}", me.0)
}

/// The service worker's copies of recent media (`public/sw.js`).
const MEDIA_CACHE: &str = "courier-media-v1";

/// Deletes `me`'s whole database from this browser (signing out of a
/// shared computer), and the media kept for offline (every account's: they
/// come back from the server). The browser finishes the database once
/// every tab has let go.
pub fn remove_database(me: UserId) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(Some(factory)) = window.indexed_db() {
        let _ = factory.delete_database(&database_name(me));
    }
    if let Ok(caches) = window.caches() {
        let _ = caches.delete(MEDIA_CACHE);
    }
}

impl Store {
    pub async fn open(me: UserId) -> Result<Store> {
        let db = Database::open(database_name(me))
            .with_version(Schema::LATEST.version())
            .with_on_upgrade_needed(|event, db| {
                // Versions are small whole numbers: the cast is exact.
                let from = event.old_version() as u32;
                Schema::after(from).try_for_each(|step| step.apply(&db))
            })
            .await?;
        upgrade_records(&db).await?;
        Ok(Store {
            db: Rc::new(db),
            me,
        })
    }

    pub fn me(&self) -> UserId {
        self.me
    }

    /// Lets go of the database (the tab leaves the account): a deletion of
    /// it, from here or another tab, need not wait for this tab.
    pub fn close(&self) {
        Database::clone(&self.db).close();
    }

    fn tx(&self, stores: &[&str], write: bool) -> Result<Transaction<'_>> {
        let mode = if write {
            TransactionMode::Readwrite
        } else {
            TransactionMode::Readonly
        };
        Ok(self.db.transaction(stores).with_mode(mode).build()?)
    }
}
