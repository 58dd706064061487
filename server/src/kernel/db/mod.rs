//! Storage behind one trait, so the server runs on SQLite (the embedded
//! default) or PostgreSQL (many nodes) with the same service code above it.
//! Both run the same SQL (`sql`); `tests/store_conformance.rs` checks both.

mod jobs;
mod postgres;
mod sql;
mod sqlite;
mod statement;

use crate::kernel::jobs::JobStore;
use async_trait::async_trait;
use courier_protocol::http::{
    ChatSettings, InviteLink, JoinRequest, NewInvite, ReadCursor, ScheduledPost,
};
use courier_protocol::model::folder::Folder;
use courier_protocol::model::message::ViewCount;
use courier_protocol::policy::Standing;
use courier_protocol::{
    Act, ChatId, ChatKind, ChatSummary, ClientMsgId, Content, Member, Message, Place, Rights, Role,
    Seq, UserId, UserInfo, UserKind,
};

pub use jobs::{Due, Expiry};
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

pub struct NewUser<'a> {
    pub username: Option<&'a str>,
    pub name: &'a str,
    pub password_hash: Option<&'a str>,
    pub kind: UserKind,
    pub now: i64,
}

pub struct NewChat<'a> {
    /// For a group or channel, the first of `members` owns it.
    pub kind: ChatKind,
    pub name: Option<&'a str>,
    pub invite: &'a str,
    pub direct_key: Option<&'a str>,
    pub members: &'a [UserId],
    pub now: i64,
}

/// The chat an invite code or @handle opens.
pub struct InviteTarget {
    pub chat: ChatId,
    pub kind: ChatKind,
    pub name: String,
    pub member_count: u32,
    pub needs_approval: bool,
}

/// What redeeming an invite did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redeemed {
    /// The user is a member now; `fresh` is false if they were before.
    Joined { chat: ChatId, fresh: bool },
    /// The link needs an admin's approval: a join request is waiting.
    Requested { chat: ChatId },
}

/// A session as its user's device list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: Vec<u8>,
    pub name: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// A message's content as stored: the `text` column holds a post's text
/// (the same in protocol versions 1 and 2, so older databases need no
/// rewrite); an act, or a post deleted for everyone, has none.
fn stored_content(text: String, is_act: bool) -> Option<Content> {
    (!is_act && !text.is_empty()).then_some(Content::Text { text })
}

/// What a message posts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Post<'a> {
    pub text: &'a str,
    pub reply_to: Option<Seq>,
    /// For a forwarded copy: who first posted it.
    pub forwarded_from: Option<&'a str>,
}

/// A substring search over the messages a user can read.
#[derive(Debug, Clone, Copy)]
pub struct Search<'a> {
    pub text: &'a str,
    /// One chat, or all of the user's.
    pub chat: Option<ChatId>,
    /// Only messages before this seq (paging back in one chat).
    pub before: Option<Seq>,
    pub limit: usize,
}

/// A read cursor that moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadMoved {
    pub seq: Seq,
    /// The chat's members see each other's reads (not a channel, nor a
    /// group over `SEEN_BY_MAX_MEMBERS`); otherwise only the reader's own
    /// devices are told.
    pub shared: bool,
}

/// What the store knows of someone's presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserPresence {
    /// When a socket of theirs was last open.
    pub seen_at: i64,
    /// Their open sockets vouch they are online until then.
    pub online_until: i64,
    /// They hide their last seen time.
    pub hidden: bool,
}

/// The result of storing a message: `fresh` is false when the same client
/// id had been stored before, and `message` is then that earlier message.
pub struct Appended {
    pub message: Message,
    pub fresh: bool,
}

#[async_trait]
pub trait Store: JobStore {
    async fn create_user(&self, user: NewUser<'_>) -> Result<UserInfo>;
    /// The user and password hash for a username, if it has a password.
    async fn credentials(&self, username: &str) -> Result<Option<(UserInfo, String)>>;
    /// Turns a guest into an account, keeping their id, chats and history.
    async fn claim_account(
        &self,
        user: UserId,
        username: &str,
        password_hash: &str,
    ) -> Result<UserInfo>;

    /// A new session: a device called `name`.
    async fn create_session(
        &self,
        token_hash: &[u8],
        user: UserId,
        name: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()>;
    /// The user's live sessions (devices), the most recently seen first.
    async fn sessions_of(&self, user: UserId, now: i64) -> Result<Vec<SessionRow>>;
    /// Renames one of the user's sessions; false if they have no such one.
    async fn rename_session(&self, user: UserId, token_hash: &[u8], name: &str) -> Result<bool>;
    /// The session was just used to open or close a socket.
    async fn touch_session(&self, token_hash: &[u8], now: i64) -> Result<()>;
    /// Deletes every session of the user but `keep`; returns those deleted.
    async fn end_sessions(&self, user: UserId, keep: &[u8]) -> Result<Vec<Vec<u8>>>;
    async fn set_password(&self, user: UserId, password_hash: &str) -> Result<()>;
    /// The user a live session belongs to.
    async fn session_user(&self, token_hash: &[u8], now: i64) -> Result<Option<UserInfo>>;
    async fn delete_session(&self, token_hash: &[u8]) -> Result<()>;
    /// `user` blocks (`on`) or unblocks `other`; false if there is no
    /// such user to block.
    async fn set_blocked(&self, user: UserId, other: UserId, on: bool, now: i64) -> Result<bool>;
    /// Whom `user` blocked, newest first.
    async fn blocked(&self, user: UserId) -> Result<Vec<UserInfo>>;
    /// Whether either of the two blocked the other.
    async fn blocked_between(&self, a: UserId, b: UserId) -> Result<bool>;
    /// How many groups and channels `user` is in.
    async fn groups_of(&self, user: UserId) -> Result<u32>;
    /// Which of `token_hashes` are sessions still live at `now`.
    async fn live_sessions(&self, token_hashes: &[Vec<u8>], now: i64) -> Result<Vec<Vec<u8>>>;

    /// Creates a chat with its first members.
    async fn create_chat(&self, chat: NewChat<'_>) -> Result<ChatId>;
    async fn direct_chat(&self, direct_key: &str) -> Result<Option<ChatId>>;
    /// The chat an invite opens, or why it does not: `BadInvite` (unknown,
    /// or a direct chat's), `InviteExpired`, `InviteRevoked`, `InviteUsedUp`.
    async fn chat_by_invite(&self, invite: &str, now: i64) -> Result<InviteTarget>;
    /// Joins `user` by an invite (counting the use), or files a join
    /// request if the link needs approval; refused as `chat_by_invite`
    /// refuses, or `Banned`.
    async fn redeem_invite(&self, invite: &str, user: UserId, now: i64) -> Result<Redeemed>;
    /// A public chat by its @handle.
    async fn chat_by_handle(&self, handle: &str) -> Result<Option<InviteTarget>>;
    /// Adds a member; false if they already were one; `Banned` if banned.
    async fn add_member(&self, chat: ChatId, user: UserId, now: i64) -> Result<bool>;
    /// `user`'s standing in `chat`; `None` if not a member.
    async fn membership(&self, chat: ChatId, user: UserId) -> Result<Option<Standing>>;
    /// Members with user id above `after`, by user id, at most `limit`.
    async fn members(&self, chat: ChatId, after: UserId, limit: usize) -> Result<Vec<Member>>;
    /// Sets a member's role and (for an admin) rights; false if not a member.
    async fn set_role(
        &self,
        chat: ChatId,
        user: UserId,
        role: Role,
        rights: Rights,
    ) -> Result<bool>;
    /// Takes `user` out of `chat`, and with `ban` keeps them out; false if
    /// they were not a member.
    async fn remove_member(&self, chat: ChatId, user: UserId, ban: bool, now: i64) -> Result<bool>;
    async fn unban(&self, chat: ChatId, user: UserId) -> Result<()>;
    /// Changes what `settings` sets; `HandleTaken` if another chat has the handle.
    async fn update_chat(&self, chat: ChatId, settings: &ChatSettings) -> Result<()>;

    async fn create_invite(
        &self,
        chat: ChatId,
        code: &str,
        invite: &NewInvite,
        now: i64,
    ) -> Result<InviteLink>;
    /// The chat's links, its main one first.
    async fn invites(&self, chat: ChatId) -> Result<Vec<InviteLink>>;
    /// Revokes one of the chat's links; revoking the main link replaces it
    /// with `replacement`. False if the chat has no such link.
    async fn revoke_invite(
        &self,
        chat: ChatId,
        code: &str,
        replacement: &str,
        now: i64,
    ) -> Result<bool>;
    async fn join_requests(&self, chat: ChatId) -> Result<Vec<JoinRequest>>;
    /// Approves (adds the member) or declines a waiting request; false if
    /// there was none.
    async fn answer_request(
        &self,
        chat: ChatId,
        user: UserId,
        approve: bool,
        now: i64,
    ) -> Result<bool>;

    /// Moves a member's read cursor forward to `seq`; in a channel, each
    /// post it passes for the first time gains a view. Where it moved to,
    /// if it moved.
    async fn mark_read(&self, chat: ChatId, user: UserId, seq: Seq) -> Result<Option<ReadMoved>>;

    /// The first post of `chat` (not an act, not deleted) stamped at or
    /// after `at` (ms).
    async fn post_since(&self, chat: ChatId, at: i64) -> Result<Option<Seq>>;
    /// Moves the member's delivered cursor forward; the new cursor where
    /// members see each other's deliveries and it moved, `None` otherwise.
    async fn mark_delivered(&self, chat: ChatId, user: UserId, seq: Seq) -> Result<Option<Seq>>;
    /// Every member's read cursor, or none if the chat has more than `most` members.
    async fn reads(&self, chat: ChatId, most: u32) -> Result<Vec<ReadCursor>>;
    /// Posts (not acts, not deleted) containing the text, case-folded, in
    /// chats `user` is a member of; newest first.
    async fn search(&self, user: UserId, query: &Search<'_>) -> Result<Vec<Message>>;
    async fn views(&self, chat: ChatId, seqs: &[Seq]) -> Result<Vec<ViewCount>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<UserInfo>>;
    /// The chat as `viewer` sees it (a direct chat is titled by the other person).
    async fn chat_summary(&self, chat: ChatId, viewer: UserId) -> Result<Option<ChatSummary>>;
    async fn chats_of(&self, user: UserId) -> Result<Vec<ChatSummary>>;

    /// Stores a message from a member under the chat's next sequence, in one
    /// transaction; or returns the message stored before under the same
    /// client id. `NotMember` if `sender` is not in the chat, `NotAllowed`
    /// if they may not post, `SlowMode` if they posted too recently.
    async fn append_message(
        &self,
        chat: ChatId,
        sender: UserId,
        id: &ClientMsgId,
        post: Post<'_>,
        at: i64,
    ) -> Result<Appended>;
    /// Stores an act on an earlier message as the chat's next event and
    /// applies it (an edit's text, a deletion), in one transaction; or
    /// returns the event stored before under the same client id.
    /// `NotMember`, `BadTarget`, or `NotAllowed` (editing another's
    /// message, deleting it without the `delete` right, pinning without `pin`).
    async fn append_act(
        &self,
        chat: ChatId,
        sender: UserId,
        id: &ClientMsgId,
        act: &Act,
        at: i64,
    ) -> Result<Appended>;
    /// Where a member keeps a chat in their list; `NotMember` if not in it.
    async fn set_place(&self, chat: ChatId, user: UserId, place: Place) -> Result<()>;
    /// Saves a member's draft of a chat; `NotMember` if they are not in it.
    async fn save_draft(&self, chat: ChatId, user: UserId, text: &str) -> Result<()>;
    /// Marks `users` seen at `now` and online until `online_until`.
    async fn touch(&self, users: &[UserId], online_until: i64, now: i64) -> Result<()>;
    /// `user`'s presence, if `viewer` shares a chat with them that is not a
    /// channel (a channel's readers and admins stay unknown to each other).
    async fn presence(&self, user: UserId, viewer: UserId) -> Result<Option<UserPresence>>;
    async fn set_hide_seen(&self, user: UserId, hide: bool) -> Result<()>;
    async fn hides_seen(&self, user: UserId) -> Result<bool>;
    /// The user's chat folders, in order.
    async fn folders(&self, user: UserId) -> Result<Vec<Folder>>;
    /// Replaces all of the user's folders.
    async fn set_folders(&self, user: UserId, folders: &[Folder]) -> Result<()>;
    /// Keeps a message to post at `post.at`, with its [`Due`] job;
    /// `TooMany` if the sender has `most` waiting in the chat. The same id
    /// twice keeps the first.
    async fn schedule(
        &self,
        chat: ChatId,
        sender: UserId,
        post: &ScheduledPost,
        most: usize,
    ) -> Result<()>;
    /// The sender's waiting messages in a chat, soonest first.
    async fn scheduled(&self, chat: ChatId, sender: UserId) -> Result<Vec<ScheduledPost>>;
    /// Drops a waiting message (cancelled, or posted) and its job; false
    /// if none.
    async fn unschedule(&self, chat: ChatId, sender: UserId, id: &ClientMsgId) -> Result<bool>;
    /// Deletes a message whose disappearing timer ran out, by a delete
    /// act from its sender appended to its chat at `now`: the act, or
    /// `None` if it was gone already.
    async fn expire(&self, chat: ChatId, seq: Seq, now: i64) -> Result<Option<Message>>;
    /// The newest seq of each of `chats` that exists.
    async fn last_seqs(&self, chats: &[ChatId]) -> Result<Vec<(ChatId, Seq)>>;
    /// Messages with `seq > after`, oldest first, at most `limit`.
    async fn messages_after(&self, chat: ChatId, after: Seq, limit: usize) -> Result<Vec<Message>>;
    /// The newest `limit` messages with `seq < before`, oldest first.
    async fn messages_before(
        &self,
        chat: ChatId,
        before: Seq,
        limit: usize,
    ) -> Result<Vec<Message>>;
}
