//! Storage behind one trait per capability, so the server runs on SQLite
//! (the embedded default) or PostgreSQL (many nodes) with the same service
//! code above it. Each capability's file holds its records, its trait and
//! its SQL, one text for both backends over the generic `SqlStore` (`sql`:
//! pools, shared columns and row readers; `group_commit`; `statement`);
//! opening a store is each backend's own (`sqlite`, `postgres`).
//! `tests/store_conformance.rs` checks both.

mod accounts;
mod calls;
mod chats;
mod cursors;
mod group_commit;
mod jobs;
mod media;
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

use std::panic::Location;

pub use accounts::{AccountStore, Lookup, NewUser, SessionRow};
pub use calls::{CallRow, CallStore, NewCall, Rang};
pub use chats::{ChatStore, InviteTarget, NewChat, Redeemed};
pub use cursors::{CursorStore, ReadMoved};
pub use jobs::{Due, Expiry, LegCheck, RingOut};
pub use media::{FileCheck, MediaStore, NewUpload, Part, StoredFile};
pub use messages::{Appended, MessageStore, Post, Search};
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
    /// The caller is in another call.
    #[error("in another call")]
    InCall,
    /// The user's files would pass their storage quota.
    #[error("storage quota exceeded")]
    QuotaExceeded,
    /// The store failed, not the request: why, and where in our code.
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// A failure of the store itself (the database, a row that cannot be read
/// back), with the place in our code where it surfaced: kept, not logged,
/// until it reaches the edge of a request.
#[derive(Debug, thiserror::Error)]
#[error("{cause} (at {at})")]
pub struct Fault {
    pub cause: Cause,
    pub at: &'static Location<'static>,
}

#[derive(Debug, thiserror::Error)]
pub enum Cause {
    /// A stored value could not be read back (a bug or a hand-edited row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Db(sqlx::Error),
    /// The transaction holding this write failed; nothing of it is stored.
    #[error("commit failed: {0}")]
    CommitFailed(String),
    #[error("migration: {0}")]
    Migrate(sqlx::migrate::MigrateError),
}

impl StoreError {
    #[track_caller]
    fn fault(cause: Cause) -> StoreError {
        StoreError::Fault(Fault {
            cause,
            at: Location::caller(),
        })
    }

    #[track_caller]
    pub fn corrupt(why: impl std::fmt::Display) -> StoreError {
        StoreError::fault(Cause::Corrupt(why.to_string()))
    }

    #[track_caller]
    pub fn commit_failed(why: impl std::fmt::Display) -> StoreError {
        StoreError::fault(Cause::CommitFailed(why.to_string()))
    }

    /// The database's own error, if that is what this is.
    pub fn database(&self) -> Option<&dyn sqlx::error::DatabaseError> {
        match self {
            StoreError::Fault(Fault {
                cause: Cause::Db(sqlx::Error::Database(db)),
                ..
            }) => Some(db.as_ref()),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for StoreError {
    /// `?` on a query records the line of the `?`.
    #[track_caller]
    fn from(e: sqlx::Error) -> StoreError {
        StoreError::fault(Cause::Db(e))
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    #[track_caller]
    fn from(e: sqlx::migrate::MigrateError) -> StoreError {
        StoreError::fault(Cause::Migrate(e))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything the server keeps, by capability.
pub trait Store:
    AccountStore
    + ChatStore
    + ModerationStore
    + MessageStore
    + CursorStore
    + TimerStore
    + PresenceStore
    + PrefStore
    + MediaStore
    + CallStore
    + JobStore
{
}

impl<S> Store for S where
    S: AccountStore
        + ChatStore
        + ModerationStore
        + MessageStore
        + CursorStore
        + TimerStore
        + PresenceStore
        + PrefStore
        + MediaStore
        + CallStore
        + JobStore
{
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fails() -> Result<()> {
        Err(sqlx::Error::RowNotFound)?
    }
    /// The line of the `?` above.
    const FAILS_AT: u32 = line!() - 3;

    #[test]
    fn a_fault_keeps_its_cause_and_where_it_surfaced() {
        let line = FAILS_AT;
        let Err(StoreError::Fault(fault)) = fails() else {
            panic!("not a fault");
        };
        assert!(matches!(fault.cause, Cause::Db(sqlx::Error::RowNotFound)));
        assert_eq!((fault.at.file(), fault.at.line()), (file!(), line));
        let logged = StoreError::Fault(fault).to_string();
        assert!(
            logged.contains("database: ") && logged.contains(&format!("mod.rs:{line}")),
            "{logged}"
        );
    }
}
