//! Storage behind one trait, so the server runs on SQLite (the embedded
//! default) or PostgreSQL (many nodes) with the same service code above it.
//! Both run the same SQL (`sql`); `tests/store_conformance.rs` checks both.

mod postgres;
mod sql;
mod sqlite;

use async_trait::async_trait;
use courier_protocol::{ChatId, ChatKind, ChatSummary, ClientMsgId, Message, Seq, UserId, UserInfo, UserKind};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("username is taken")]
    UsernameTaken,
    #[error("user is not a guest")]
    NotGuest,
    #[error("not a member of the chat")]
    NotMember,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// The transaction holding this write failed; nothing of it is stored.
    #[error("commit failed: {0}")]
    CommitFailed(String),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub struct NewUser<'a> {
    pub username: Option<&'a str>,
    pub name: &'a str,
    pub password_hash: Option<&'a str>,
    pub kind: UserKind,
    pub now: i64,
}

pub struct NewChat<'a> {
    pub kind: ChatKind,
    pub name: Option<&'a str>,
    pub invite: &'a str,
    pub direct_key: Option<&'a str>,
    pub members: &'a [UserId],
    pub now: i64,
}

/// The chat an invite code opens.
pub struct InviteTarget {
    pub chat: ChatId,
    /// The group's name; `None` for a direct chat.
    pub name: Option<String>,
    pub member_count: u32,
}

/// The result of storing a message: `fresh` is false when the same client
/// id had been stored before, and `message` is then that earlier message.
pub struct Appended {
    pub message: Message,
    pub fresh: bool,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn create_user(&self, user: NewUser<'_>) -> Result<UserInfo>;
    /// The user and password hash for a username, if it has a password.
    async fn credentials(&self, username: &str) -> Result<Option<(UserInfo, String)>>;
    /// Turns a guest into an account, keeping their id, chats and history.
    async fn claim_account(&self, user: UserId, username: &str, password_hash: &str) -> Result<UserInfo>;

    async fn create_session(&self, token_hash: &[u8], user: UserId, now: i64, expires_at: i64) -> Result<()>;
    /// The user a live session belongs to.
    async fn session_user(&self, token_hash: &[u8], now: i64) -> Result<Option<UserInfo>>;
    async fn delete_session(&self, token_hash: &[u8]) -> Result<()>;

    /// Creates a chat with its first members.
    async fn create_chat(&self, chat: NewChat<'_>) -> Result<ChatId>;
    async fn direct_chat(&self, direct_key: &str) -> Result<Option<ChatId>>;
    async fn chat_by_invite(&self, invite: &str) -> Result<Option<InviteTarget>>;
    /// Adds a member; false if they already were one.
    async fn add_member(&self, chat: ChatId, user: UserId, now: i64) -> Result<bool>;
    async fn is_member(&self, chat: ChatId, user: UserId) -> Result<bool>;
    async fn members(&self, chat: ChatId) -> Result<Vec<UserInfo>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<UserInfo>>;
    /// The chat as `viewer` sees it (a direct chat is titled by the other person).
    async fn chat_summary(&self, chat: ChatId, viewer: UserId) -> Result<Option<ChatSummary>>;
    async fn chats_of(&self, user: UserId) -> Result<Vec<ChatSummary>>;

    /// Stores a message from a member under the chat's next sequence, in one
    /// transaction; or returns the message stored before under the same
    /// client id. `NotMember` if `sender` is not in the chat.
    async fn append_message(&self, chat: ChatId, sender: UserId, id: &ClientMsgId, text: &str, at: i64) -> Result<Appended>;
    /// Messages with `seq > after`, oldest first, at most `limit`.
    async fn messages_after(&self, chat: ChatId, after: Seq, limit: usize) -> Result<Vec<Message>>;
}
