//! Storage behind one trait per capability, so the server runs on SQLite
//! (the embedded default) or PostgreSQL (many nodes) with the same service
//! code above it. Each capability's file holds its records, its trait and
//! its SQL, one text for both backends over the generic `SqlStore` (`sql`:
//! pools, shared columns and row readers; `group_commit`; `statement`);
//! opening a store is each backend's own (`sqlite`, `postgres`).
//! `tests/store_conformance.rs` checks both.

mod accounts;
mod chats;
mod group_commit;
mod jobs;
mod messages;
mod moderation;
mod postgres;
mod prefs;
mod presence;
mod sql;
mod sqlite;
mod statement;
mod timers;

use crate::kernel::jobs::JobStore;
use courier_protocol::policy::Standing;

pub use accounts::{AccountStore, NewUser, SessionRow};
pub use chats::{ChatStore, InviteTarget, NewChat, Redeemed};
pub use jobs::{Due, Expiry};
pub use messages::{Appended, MessageStore, Post, ReadMoved, Search};
pub use moderation::ModerationStore;
pub use postgres::PgStore;
pub use prefs::PrefStore;
pub use presence::{PresenceStore, UserPresence};
pub use sqlite::SqliteStore;
pub use timers::TimerStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("username is taken")]
    UsernameTaken,
    #[error("user is not a guest")]
    NotGuest,
    #[error("not a member of the chat")]
    NotMember,
    /// The member's role does not allow it (posting in a channel).
    #[error("not allowed")]
    NotAllowed,
    #[error("slow mode")]
    SlowMode,
    #[error("banned from the chat")]
    Banned,
    #[error("no such invite")]
    BadInvite,
    #[error("invite expired")]
    InviteExpired,
    #[error("invite revoked")]
    InviteRevoked,
    #[error("invite used up")]
    InviteUsedUp,
    #[error("handle is taken")]
    HandleTaken,
    #[error("no such message to act on")]
    BadTarget,
    #[error("too many waiting")]
    TooMany,
    /// A search or scan ran out of its time before it was done.
    #[error("scan too broad")]
    TooBroad,
    /// One of the two people of a 1:1 blocked the other.
    #[error("blocked")]
    Blocked,
    /// A stored value could not be read back (a bug or a hand-edited row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// The transaction holding this write failed; nothing of it is stored.
    #[error("commit failed: {0}")]
    CommitFailed(String),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything the server keeps, by capability.
pub trait Store:
    AccountStore
    + ChatStore
    + ModerationStore
    + MessageStore
    + TimerStore
    + PresenceStore
    + PrefStore
    + JobStore
{
}

impl<S> Store for S where
    S: AccountStore
        + ChatStore
        + ModerationStore
        + MessageStore
        + TimerStore
        + PresenceStore
        + PrefStore
        + JobStore
{
}
