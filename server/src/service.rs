//! What Courier does, independent of HTTP and WebSocket: accounts, guests,
//! chats and messaging. Every read and write of a chat checks membership
//! here. Returns client-facing [`ErrorCode`]s; internal faults are logged
//! and surface only as `Internal`.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use courier_protocol::budget;
use courier_protocol::http::{
    Draft, InvitePreview, NewScheduled, Presence, Privacy, ReadCursor, ScheduledPost,
};
use courier_protocol::limits::{
    CHAT_NAME_MAX, DISPLAY_NAME_MAX, GROUPS_MAX, check_name, check_password, check_username,
};
use courier_protocol::limits::{
    HISTORY_PAGE, MAX_CLIENT_MSG_ID_LEN, MAX_EVENTS_PER_FRAME, MAX_TEXT_CHARS, MAX_VIEW_SEQS,
    MEMBER_PAGE_MAX, SCHEDULE_AHEAD_MAX_MS, SCHEDULED_MAX, SEARCH_PAGE_MAX, SEARCH_QUERY_MAX,
};
use courier_protocol::model::folder::{self, Folder};
use courier_protocol::model::message::ViewCount;
use courier_protocol::policy::{self, SEEN_BY_MAX_MEMBERS, Standing};
use courier_protocol::{
    Act, ChatId, ChatKind, ChatSummary, ClientMsgId, Content, ErrorCode, Member, Message, Place,
    Rights, Seq, ServerFrame, UserId, UserInfo, UserKind,
};

use std::collections::HashMap;
use std::sync::Mutex;

use crate::auth::{self, AuthError};
use crate::bus::{Bus, Notice};
use crate::hub::Hub;
use crate::store::{Appended, NewChat, NewUser, Post, Redeemed, Search, Store, StoreError};

/// Chats whose newest seq one sweep query reads.
const SWEEP_PAGE: usize = 500;
/// How long a connected user's sockets vouch for them being online; the
/// server renews it well before (`server::PRESENCE_EVERY`).
const ONLINE_FOR_MS: i64 = 45_000;
/// Users marked online per presence update.
const PRESENCE_PAGE: usize = 500;
/// Sessions one check of the sockets' sessions reads at once.
const SESSION_PAGE: usize = 500;
/// How long a node's claim on a due scheduled message lasts: another node
/// (or this one) tries one not posted by then again.
const CLAIM_MS: i64 = 10_000;
/// Scheduled messages posted, and expired ones deleted, per timer tick.
const TIMER_BATCH: usize = 500;

/// How long a session lives without signing in again.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;

pub type Result<T> = std::result::Result<T, ErrorCode>;

impl From<StoreError> for ErrorCode {
    fn from(e: StoreError) -> ErrorCode {
        match e {
            StoreError::UsernameTaken => ErrorCode::UsernameTaken,
            StoreError::NotGuest => ErrorCode::AlreadyAccount,
            StoreError::NotMember => ErrorCode::NotMember,
            StoreError::NotAllowed => ErrorCode::NotAllowed,
            StoreError::SlowMode => ErrorCode::SlowMode,
            StoreError::Banned => ErrorCode::Banned,
            StoreError::BadInvite => ErrorCode::BadInvite,
            StoreError::InviteExpired => ErrorCode::InviteExpired,
            StoreError::InviteRevoked => ErrorCode::InviteRevoked,
            StoreError::InviteUsedUp => ErrorCode::InviteUsedUp,
            StoreError::HandleTaken => ErrorCode::HandleTaken,
            StoreError::BadTarget => ErrorCode::BadTarget,
            StoreError::TooMany => ErrorCode::TooMany,
            StoreError::Blocked => ErrorCode::Blocked,
            StoreError::TooBroad => ErrorCode::TooBroad,
            other => {
                tracing::error!(error = %other, "store");
                ErrorCode::Internal
            }
        }
    }
}

impl From<AuthError> for ErrorCode {
    fn from(e: AuthError) -> ErrorCode {
        if let AuthError::Busy = e {
            return ErrorCode::SlowDown;
        }
        tracing::error!(error = %e, "auth");
        ErrorCode::Internal
    }
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Where joining by a link left the user.
pub enum Joining {
    Joined(Box<ChatSummary>),
    /// The link needs an admin's approval; a request is waiting.
    Pending,
}

/// A signed-in user and the token their cookie must carry.
pub struct SignedIn {
    pub me: UserInfo,
    pub token: String,
}

pub struct Service {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) hub: Arc<Hub>,
    pub(crate) bus: Arc<dyn Bus>,
    /// Per chat, the newest seq this node has handed to its hub: where a
    /// relay from the bus reads on from.
    relayed: Mutex<HashMap<ChatId, Seq>>,
}

impl Service {
    pub fn new(store: Arc<dyn Store>, hub: Arc<Hub>, bus: Arc<dyn Bus>) -> Service {
        Service {
            store,
            hub,
            bus,
            relayed: Mutex::default(),
        }
    }

    fn relayed(&self) -> std::sync::MutexGuard<'_, HashMap<ChatId, Seq>> {
        self.relayed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Acts on another node's notice for this node's connections.
    pub async fn relay(&self, notice: Notice) {
        match notice {
            Notice::Events { chat, seq } => self.relay_events(chat, seq).await,
            Notice::Joined { user, chat } => {
                if self.hub.connections_of(user) > 0
                    && let Err(code) = self.tell_member(chat, user).await
                {
                    tracing::error!(?code, chat = chat.0, "relaying a join");
                }
            }
            Notice::Left { user, chat } => {
                self.hub.unfollow(user, chat, &ServerFrame::Left { chat })
            }
            Notice::Read { chat, user, seq } => self
                .hub
                .publish(chat, &ServerFrame::Read { chat, user, seq }),
            Notice::OwnRead { chat, user, seq } => self
                .hub
                .send_to_user(user, &ServerFrame::Read { chat, user, seq }),
            Notice::Delivered { chat, user, seq } => self
                .hub
                .publish(chat, &ServerFrame::Delivered { chat, user, seq }),
            Notice::Typing { chat, user, name } => self
                .hub
                .publish(chat, &ServerFrame::Typing { chat, user, name }),
            Notice::Draft {
                user,
                chat,
                text,
                device,
            } => self
                .hub
                .send_to_user(user, &ServerFrame::Draft { chat, text, device }),
            Notice::Settings { chat, settings } => self
                .hub
                .publish(chat, &ServerFrame::Settings { chat, settings }),
            Notice::Folders { user, folders } => self
                .hub
                .send_to_user(user, &ServerFrame::Folders { folders }),
            Notice::SessionEnded { session } => {
                if let Some(hash) = from_hex(&session) {
                    self.hub.end_session(&hash);
                }
            }
        }
    }

    /// Events of `chat` up to `seq` were committed elsewhere: hand this
    /// node's followers everything after the node's relayed cursor, read
    /// from the store. Some may have gone out already (this node's own
    /// sends); clients drop repeats by (chat, seq).
    async fn relay_events(&self, chat: ChatId, seq: Seq) {
        let from = self.relayed().get(&chat).copied().unwrap_or(Seq(seq.0 - 1));
        if from >= seq || !self.hub.has_followers(chat) {
            return;
        }
        match self
            .store
            .messages_after(chat, from, MAX_EVENTS_PER_FRAME)
            .await
        {
            Ok(messages) => {
                if let Some(last) = messages.last() {
                    self.advance_relayed(chat, from, last.seq, true);
                    for messages in budget::by_bytes(messages, budget::message_bytes) {
                        self.hub
                            .publish(chat, &ServerFrame::Events { chat, messages });
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, chat = chat.0, "relaying from the store"),
        }
    }

    /// Makes up for bus notices this node missed (NATS core delivers at
    /// most once): for every chat its connections follow, relays what the
    /// store has past the node's relayed cursor. A chat with no cursor yet
    /// gets its newest event, which starts one (clients drop repeats).
    pub async fn sweep(&self) {
        let chats = self.hub.followed_chats();
        for page in chats.chunks(SWEEP_PAGE) {
            match self.store.last_seqs(page).await {
                Ok(lasts) => {
                    for (chat, last) in lasts {
                        let behind = self
                            .relayed()
                            .get(&chat)
                            .is_none_or(|relayed| *relayed < last);
                        if behind && last > Seq::ZERO {
                            self.relay_events(chat, last).await;
                        }
                    }
                }
                Err(e) => tracing::error!(error = %e, "sweeping for missed notices"),
            }
        }
    }

    /// Moves `chat`'s relayed cursor from `from` to `to`, unless it moved
    /// meanwhile. The cursor only ever means "everything up to here went
    /// out", so a local send past a gap does not move it, and only a relay
    /// (which read from `from` itself) may start one.
    fn advance_relayed(&self, chat: ChatId, from: Seq, to: Seq, may_start: bool) {
        let mut relayed = self.relayed();
        let current = relayed.get(&chat).copied();
        if current == Some(from) || (current.is_none() && may_start) {
            relayed.insert(chat, to);
        }
    }

    /// A new account, signed in on a device called `device`.
    pub async fn sign_up(
        &self,
        username: &str,
        password: &str,
        name: Option<&str>,
        device: &str,
    ) -> Result<SignedIn> {
        check_username(username)?;
        check_password(password)?;
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(username);
        check_name(name, DISPLAY_NAME_MAX)?;
        let hash = auth::hash_password(password.to_owned()).await?;
        let me = self
            .store
            .create_user(NewUser {
                username: Some(username),
                name,
                password_hash: Some(&hash),
                kind: UserKind::Account,
                now: now_ms(),
            })
            .await?;
        self.start_session(me, device).await
    }

    /// Checks the password; an unknown username costs the same time as a
    /// wrong password and gives the same answer.
    pub async fn sign_in(&self, username: &str, password: &str, device: &str) -> Result<SignedIn> {
        let found = self.store.credentials(username).await?;
        let phc = found
            .as_ref()
            .map_or(auth::DUMMY_HASH.to_owned(), |(_, h)| h.clone());
        let ok = auth::verify_password(password.to_owned(), phc).await?;
        match found {
            Some((me, _)) if ok => self.start_session(me, device).await,
            _ => Err(ErrorCode::BadCredentials),
        }
    }

    /// Ends the session and closes its sockets on every node.
    pub async fn sign_out(&self, token: &str) -> Result<()> {
        self.end_session(&auth::token_hash(token)).await
    }

    /// Deletes a session and closes its sockets on every node.
    pub(crate) async fn end_session(&self, hash: &[u8]) -> Result<()> {
        self.store.delete_session(hash).await?;
        self.tell_everywhere(Notice::SessionEnded {
            session: to_hex(hash),
        })
        .await;
        Ok(())
    }

    /// Closes this node's sockets whose session has ended or expired: the
    /// bus's notice may have been lost, and expiry sends none.
    pub async fn end_dead_sessions(&self) {
        let sessions = self.hub.sessions();
        for page in sessions.chunks(SESSION_PAGE) {
            match self.store.live_sessions(page, now_ms()).await {
                Ok(live) => {
                    for session in page.iter().filter(|s| !live.contains(s)) {
                        self.hub.end_session(session);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "checking sessions"),
            }
        }
    }

    pub(crate) async fn start_session(&self, me: UserInfo, device: &str) -> Result<SignedIn> {
        let (token, hash) = auth::new_token();
        let now = now_ms();
        self.store
            .create_session(&hash, me.id, device, now, now + SESSION_TTL_MS)
            .await?;
        Ok(SignedIn { me, token })
    }

    pub async fn session_user(&self, token: &str) -> Result<Option<UserInfo>> {
        Ok(self
            .store
            .session_user(&auth::token_hash(token), now_ms())
            .await?)
    }

    /// Creates a guest from an invite link, signs them in and joins the
    /// chat (or asks to, if the link needs approval).
    pub async fn join_as_guest(
        &self,
        invite: &str,
        name: &str,
        device: &str,
    ) -> Result<(SignedIn, Joining)> {
        let name = name.trim();
        check_name(name, DISPLAY_NAME_MAX)?;
        // Refuse a dead link before creating anybody.
        self.store.chat_by_invite(invite, now_ms()).await?;
        let me = self
            .store
            .create_user(NewUser {
                username: None,
                name,
                password_hash: None,
                kind: UserKind::Guest,
                now: now_ms(),
            })
            .await?;
        let joining = self.join_by_invite(&me, invite).await?;
        Ok((self.start_session(me, device).await?, joining))
    }

    /// A guest chooses a username and password and keeps everything.
    /// A guest becomes an account on a new session of the same device:
    /// the guest's token, which an invite link's page may have seen, stops
    /// working and its sockets close.
    pub async fn claim_account(
        &self,
        me: &UserInfo,
        token: &str,
        username: &str,
        password: &str,
    ) -> Result<SignedIn> {
        if me.kind != UserKind::Guest {
            return Err(ErrorCode::AlreadyAccount);
        }
        check_username(username)?;
        check_password(password)?;
        let hash = auth::hash_password(password.to_owned()).await?;
        let me = self.store.claim_account(me.id, username, &hash).await?;
        let old = auth::token_hash(token);
        let device = self
            .store
            .sessions_of(me.id, now_ms())
            .await?
            .into_iter()
            .find(|s| s.token_hash == old)
            .map(|s| s.name)
            .unwrap_or_default();
        let signed = self.start_session(me, &device).await?;
        self.end_session(&old).await?;
        Ok(signed)
    }

    /// What the join screen shows: the chat's name, size and kind; or why
    /// the link is dead (expired, revoked, used up).
    pub async fn invite_preview(&self, invite: &str) -> Result<InvitePreview> {
        let target = self.store.chat_by_invite(invite, now_ms()).await?;
        Ok(InvitePreview {
            title: target.name,
            member_count: target.member_count,
            kind: target.kind,
            needs_approval: target.needs_approval,
        })
    }

    pub async fn join_by_invite(&self, me: &UserInfo, invite: &str) -> Result<Joining> {
        self.check_room_for_a_group(me.id).await?;
        match self.store.redeem_invite(invite, me.id, now_ms()).await? {
            Redeemed::Joined { chat, fresh } => {
                if fresh {
                    self.announce(chat, &[me.id]).await?;
                }
                Ok(Joining::Joined(Box::new(
                    self.summary_for(chat, me.id).await?,
                )))
            }
            Redeemed::Requested { .. } => Ok(Joining::Pending),
        }
    }

    /// A public group or channel, found by its @handle.
    pub async fn public_preview(&self, handle: &str) -> Result<InvitePreview> {
        let target = self
            .store
            .chat_by_handle(handle)
            .await?
            .ok_or(ErrorCode::BadInvite)?;
        Ok(InvitePreview {
            title: target.name,
            member_count: target.member_count,
            kind: target.kind,
            needs_approval: false,
        })
    }

    pub async fn join_public(&self, me: &UserInfo, handle: &str) -> Result<ChatSummary> {
        let chat = self
            .store
            .chat_by_handle(handle)
            .await?
            .ok_or(ErrorCode::BadInvite)?
            .chat;
        self.join(me, chat).await
    }

    /// Only the newcomer is told: telling every member of a big group on
    /// each join would cost the group's size per join.
    pub(crate) async fn join(&self, me: &UserInfo, chat: ChatId) -> Result<ChatSummary> {
        self.check_room_for_a_group(me.id).await?;
        if self.store.add_member(chat, me.id, now_ms()).await? {
            self.announce(chat, &[me.id]).await?;
        }
        self.summary_for(chat, me.id).await
    }

    /// The 1:1 chat with `username`, created on first use.
    pub async fn direct_chat(&self, me: &UserInfo, username: &str) -> Result<ChatSummary> {
        let other = self
            .store
            .user_by_username(username)
            .await?
            .ok_or(ErrorCode::UnknownUser)?;
        let (lo, hi) = if me.id <= other.id {
            (me.id, other.id)
        } else {
            (other.id, me.id)
        };
        if self.store.blocked_between(me.id, other.id).await? {
            return Err(ErrorCode::Blocked);
        }
        let key = format!("{}:{}", lo.0, hi.0);
        let chat = match self.store.direct_chat(&key).await? {
            Some(chat) => chat,
            None => {
                let members: Vec<UserId> = if lo == hi { vec![lo] } else { vec![lo, hi] };
                let invite = auth::new_invite_code();
                let new = NewChat {
                    kind: ChatKind::Direct,
                    name: None,
                    invite: &invite,
                    direct_key: Some(&key),
                    members: &members,
                    now: now_ms(),
                };
                match self.store.create_chat(new).await {
                    Ok(chat) => {
                        self.announce(chat, &members).await?;
                        chat
                    }
                    // Both people opened the chat at once: the other one won.
                    Err(e) => self
                        .store
                        .direct_chat(&key)
                        .await?
                        .ok_or(ErrorCode::from(e))?,
                }
            }
        };
        self.summary_for(chat, me.id).await
    }

    /// `me` blocks (`on`) or unblocks another person: while blocked,
    /// neither can open a 1:1 with the other or send in theirs.
    pub async fn set_blocked(&self, me: &UserInfo, other: UserId, on: bool) -> Result<()> {
        if other == me.id {
            return Err(ErrorCode::BadRequest);
        }
        if self.store.set_blocked(me.id, other, on, now_ms()).await? {
            Ok(())
        } else {
            Err(ErrorCode::UnknownUser)
        }
    }

    pub async fn blocked(&self, me: &UserInfo) -> Result<Vec<UserInfo>> {
        Ok(self.store.blocked(me.id).await?)
    }

    /// A group, or a channel, with `me` as its owner and only member.
    pub async fn new_group(
        &self,
        me: &UserInfo,
        name: &str,
        kind: ChatKind,
    ) -> Result<ChatSummary> {
        let name = name.trim();
        check_name(name, CHAT_NAME_MAX)?;
        self.check_room_for_a_group(me.id).await?;
        let invite = auth::new_invite_code();
        let new = NewChat {
            kind,
            name: Some(name),
            invite: &invite,
            direct_key: None,
            members: &[me.id],
            now: now_ms(),
        };
        let chat = self.store.create_chat(new).await?;
        self.announce(chat, &[me.id]).await?;
        self.summary_for(chat, me.id).await
    }

    /// Tells `users`' open connections, on this node and the others, about
    /// the chat as each sees it, and makes those connections follow it.
    pub(crate) async fn announce(&self, chat: ChatId, users: &[UserId]) -> Result<()> {
        for &user in users {
            self.tell_member(chat, user).await?;
            self.bus.announce(Notice::Joined { user, chat }).await;
        }
        Ok(())
    }

    /// Follow first: a message committed while the summary is read then
    /// reaches the connection live. Then check: someone who is not a member
    /// (a stale or reordered notice, a removal racing the join) stops
    /// following at once. A removal's own unfollow comes after its commit,
    /// so whatever the order, the last word matches the store.
    pub(crate) async fn tell_member(&self, chat: ChatId, user: UserId) -> Result<()> {
        self.hub.follow(user, chat);
        match self.store.chat_summary(chat, user).await {
            Ok(Some(summary)) => {
                self.hub
                    .send_to_user(user, &ServerFrame::Chat { chat: summary });
                Ok(())
            }
            Ok(None) => {
                self.hub.unfollow(user, chat, &ServerFrame::Left { chat });
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn summary_for(&self, chat: ChatId, user: UserId) -> Result<ChatSummary> {
        self.store
            .chat_summary(chat, user)
            .await?
            .ok_or(ErrorCode::NotMember)
    }

    /// One page of members after user id `after`, and where the next
    /// starts. A channel's subscriber list is for its admins, as in Telegram.
    pub async fn members(
        &self,
        me: &UserInfo,
        chat: ChatId,
        after: UserId,
        limit: usize,
    ) -> Result<(Vec<Member>, Option<UserId>)> {
        if !policy::sees_members(&self.check_member(me.id, chat).await?) {
            return Err(ErrorCode::NotAllowed);
        }
        let limit = limit.clamp(1, MEMBER_PAGE_MAX);
        let members = self.store.members(chat, after, limit).await?;
        let next = if members.len() == limit {
            members.last().map(|m| m.user.id)
        } else {
            None
        };
        Ok((members, next))
    }

    pub async fn chats_of(&self, me: &UserInfo) -> Result<Vec<ChatSummary>> {
        Ok(self.store.chats_of(me.id).await?)
    }

    /// `TooMany` once `user` is in [`GROUPS_MAX`] groups and channels:
    /// each costs every reconnect of theirs, and Telegram stops there too.
    async fn check_room_for_a_group(&self, user: UserId) -> Result<()> {
        if self.store.groups_of(user).await? >= GROUPS_MAX {
            return Err(ErrorCode::TooMany);
        }
        Ok(())
    }

    pub(crate) async fn check_member(&self, user: UserId, chat: ChatId) -> Result<Standing> {
        self.store
            .membership(chat, user)
            .await?
            .ok_or(ErrorCode::NotMember)
    }

    /// The member's standing, if `right` allows them the action.
    pub(crate) async fn check_right(
        &self,
        user: UserId,
        chat: ChatId,
        right: fn(&Rights) -> bool,
    ) -> Result<Standing> {
        let membership = self.check_member(user, chat).await?;
        if right(&membership.rights) {
            Ok(membership)
        } else {
            Err(ErrorCode::NotAllowed)
        }
    }

    /// Stores a message and, once it is committed, fans it out to the
    /// chat's connections. A repeated client id returns the stored message
    /// and stores nothing new.
    pub async fn send(
        &self,
        me: &UserInfo,
        chat: ChatId,
        id: &ClientMsgId,
        content: &Content,
        reply_to: Option<Seq>,
    ) -> Result<Message> {
        id.validate()?;
        content.validate()?;
        let post = Post {
            text: content.words(),
            reply_to,
            forwarded_from: None,
        };
        self.post(me, chat, id, post).await
    }

    /// Stores a post and fans it out once committed.
    async fn post(
        &self,
        me: &UserInfo,
        chat: ChatId,
        id: &ClientMsgId,
        post: Post<'_>,
    ) -> Result<Message> {
        let appended = self
            .store
            .append_message(chat, me.id, id, post, now_ms())
            .await?;
        self.fan_out(chat, &appended).await;
        Ok(appended.message)
    }

    /// Posts a copy of message `seq` of chat `from` into `chat`, naming who
    /// first posted it (a copy of a copy keeps the first origin). The
    /// sender must be a member of both.
    pub async fn forward(
        &self,
        me: &UserInfo,
        chat: ChatId,
        id: &ClientMsgId,
        from: ChatId,
        seq: Seq,
    ) -> Result<Message> {
        id.validate()?;
        self.check_member(me.id, from).await?;
        let original = self
            .store
            .messages_after(from, Seq(seq.0 - 1), 1)
            .await?
            .into_iter()
            .next()
            .filter(|m| m.seq == seq && m.content.is_some())
            .ok_or(ErrorCode::BadTarget)?;
        let post = Post {
            text: original.text(),
            reply_to: None,
            forwarded_from: Some(
                original
                    .forwarded_from
                    .as_deref()
                    .unwrap_or(&original.sender_name),
            ),
        };
        self.post(me, chat, id, post).await
    }

    /// Moves a chat in `me`'s list (pin, mute, archive); their sockets get
    /// the chat again, so every device agrees.
    pub async fn set_place(
        &self,
        me: &UserInfo,
        chat: ChatId,
        place: Place,
    ) -> Result<ChatSummary> {
        self.store.set_place(chat, me.id, place).await?;
        self.tell_member(chat, me.id).await?;
        // What other nodes do on a join is what is needed: tell the user's
        // sockets the chat again.
        self.bus
            .announce(Notice::Joined { user: me.id, chat })
            .await;
        self.summary_for(chat, me.id).await
    }

    /// Saves `me`'s draft of `chat` and hands it to their other devices.
    pub async fn save_draft(&self, me: &UserInfo, chat: ChatId, draft: Draft) -> Result<()> {
        let Draft { text, device } = draft;
        if text.chars().count() > MAX_TEXT_CHARS || device.len() > MAX_CLIENT_MSG_ID_LEN {
            return Err(ErrorCode::TextTooLong);
        }
        self.store.save_draft(chat, me.id, &text).await?;
        let user = me.id;
        self.tell_everywhere(Notice::Draft {
            user,
            chat,
            text,
            device,
        })
        .await;
        Ok(())
    }

    /// A socket of `me` opened: they are online.
    pub async fn came_online(&self, me: UserId) {
        let now = now_ms();
        if let Err(e) = self.store.touch(&[me], now + ONLINE_FOR_MS, now).await {
            tracing::warn!(error = %e, "marking online");
        }
    }

    /// A socket of `me` closed: if it was their last here, they were last
    /// seen now (a socket on another node renews them within seconds).
    pub async fn went_offline(&self, me: UserId) {
        let now = now_ms();
        if self.hub.connections_of(me) == 0
            && let Err(e) = self.store.touch(&[me], now, now).await
        {
            tracing::warn!(error = %e, "marking offline");
        }
    }

    /// Renews the presence of everyone connected to this node.
    pub async fn renew_presence(&self) {
        let now = now_ms();
        for page in self.hub.users().chunks(PRESENCE_PAGE) {
            if let Err(e) = self.store.touch(page, now + ONLINE_FOR_MS, now).await {
                tracing::warn!(error = %e, "renewing presence");
            }
        }
    }

    /// Whether `user` is online and when they were last seen, for someone
    /// who shares a chat with them; hidden if they chose so.
    pub async fn presence(&self, me: &UserInfo, user: UserId) -> Result<Presence> {
        let seen = self
            .store
            .presence(user, me.id)
            .await?
            .ok_or(ErrorCode::NotMember)?;
        if seen.hidden {
            return Ok(Presence {
                online: false,
                last_seen: None,
            });
        }
        Ok(Presence {
            online: seen.online_until > now_ms(),
            last_seen: Some(seen.seen_at),
        })
    }

    pub async fn privacy(&self, me: &UserInfo) -> Result<Privacy> {
        Ok(Privacy {
            hide_last_seen: self.store.hides_seen(me.id).await?,
        })
    }

    pub async fn set_privacy(&self, me: &UserInfo, privacy: Privacy) -> Result<()> {
        Ok(self
            .store
            .set_hide_seen(me.id, privacy.hide_last_seen)
            .await?)
    }

    pub async fn folders(&self, me: &UserInfo) -> Result<Vec<Folder>> {
        Ok(self.store.folders(me.id).await?)
    }

    /// Replaces `me`'s folders and hands them to all their devices.
    pub async fn set_folders(&self, me: &UserInfo, folders: Vec<Folder>) -> Result<()> {
        folder::validate_all(&folders)?;
        self.store.set_folders(me.id, &folders).await?;
        self.tell_everywhere(Notice::Folders {
            user: me.id,
            folders,
        })
        .await;
        Ok(())
    }

    /// Keeps a message for the server to post at `post.at`.
    pub async fn schedule(&self, me: &UserInfo, chat: ChatId, post: &NewScheduled) -> Result<()> {
        post.id.validate()?;
        post.content.validate()?;
        let now = now_ms();
        if post.at <= now || post.at > now + SCHEDULE_AHEAD_MAX_MS {
            return Err(ErrorCode::BadRequest);
        }
        self.check_right(me.id, chat, |r| r.post).await?;
        let post = ScheduledPost {
            id: post.id.clone(),
            content: post.content.clone(),
            at: post.at,
        };
        Ok(self
            .store
            .schedule(chat, me.id, &post, SCHEDULED_MAX)
            .await?)
    }

    pub async fn scheduled(&self, me: &UserInfo, chat: ChatId) -> Result<Vec<ScheduledPost>> {
        self.check_member(me.id, chat).await?;
        Ok(self.store.scheduled(chat, me.id).await?)
    }

    pub async fn unschedule(&self, me: &UserInfo, chat: ChatId, id: &ClientMsgId) -> Result<()> {
        self.check_member(me.id, chat).await?;
        if self.store.unschedule(chat, me.id, id).await? {
            Ok(())
        } else {
            Err(ErrorCode::BadTarget)
        }
    }

    /// Posts scheduled messages that are due and deletes messages whose
    /// disappearing timer ran out, fanning both out like sends. Every node
    /// runs it: each due message is claimed by one node (and a crash
    /// before its unschedule posts it again, which its client id makes a
    /// no-op), and an expiry is taken by one transaction.
    pub async fn run_timers(&self) {
        let now = now_ms();
        match self.store.claim_due(now, now + CLAIM_MS, TIMER_BATCH).await {
            // At once, so that one group commit stores them together.
            Ok(due) => {
                let posts = due
                    .into_iter()
                    .map(|(chat, sender, post)| self.post_scheduled(chat, sender, post, now));
                futures_util::future::join_all(posts).await;
            }
            Err(e) => tracing::error!(error = %e, "reading scheduled messages"),
        }
        match self.store.expire(now, TIMER_BATCH).await {
            Ok(acts) => {
                for message in acts {
                    let chat = message.chat;
                    let appended = Appended {
                        message,
                        fresh: true,
                    };
                    self.fan_out(chat, &appended).await;
                }
            }
            Err(e) => tracing::error!(error = %e, "expiring messages"),
        }
    }

    /// Posts one claimed scheduled message. Posted, or refused for good (the
    /// sender left, was banned, lost the right or was blocked): no longer
    /// waiting.
    /// Anything else (the database, slow mode) is tried again when its
    /// claim runs out, behind the messages due meanwhile.
    async fn post_scheduled(&self, chat: ChatId, sender: UserId, post: ScheduledPost, now: i64) {
        let content = Post {
            text: post.content.words(),
            ..Post::default()
        };
        let posted = self
            .store
            .append_message(chat, sender, &post.id, content, now)
            .await;
        let done = match &posted {
            Ok(_) => true,
            Err(
                StoreError::NotMember
                | StoreError::NotAllowed
                | StoreError::Banned
                | StoreError::Blocked,
            ) => {
                tracing::info!(chat = chat.0, "scheduled message refused for good");
                true
            }
            Err(_) => false,
        };
        if done && let Err(e) = self.store.unschedule(chat, sender, &post.id).await {
            tracing::error!(error = %e, "dropping a posted scheduled message");
        }
        if let Ok(appended) = posted {
            self.fan_out(chat, &appended).await;
        }
    }

    /// Tells the chat's other members that `me` is typing; only where they
    /// may post, and never in a channel.
    pub async fn typing(&self, me: &UserInfo, chat: ChatId) -> Result<()> {
        if !policy::may_type(&self.check_member(me.id, chat).await?) {
            return Ok(());
        }
        let (user, name) = (me.id, me.name.clone());
        self.tell_everywhere(Notice::Typing { chat, user, name })
            .await;
        Ok(())
    }

    /// Every member's read cursor, for "seen by"; empty where readers stay
    /// private (channels, groups over `SEEN_BY_MAX_MEMBERS`).
    pub async fn reads(&self, me: &UserInfo, chat: ChatId) -> Result<Vec<ReadCursor>> {
        let membership = self.check_member(me.id, chat).await?;
        if membership.kind == ChatKind::Channel {
            return Ok(Vec::new());
        }
        Ok(self.store.reads(chat, SEEN_BY_MAX_MEMBERS).await?)
    }

    /// A member's first post of `chat` at or after `at` (ms).
    pub async fn post_since(&self, me: &UserInfo, chat: ChatId, at: i64) -> Result<Option<Seq>> {
        self.check_member(me.id, chat).await?;
        Ok(self.store.post_since(chat, at).await?)
    }

    /// Messages containing `text` in `chat` or in all of `me`'s chats.
    pub async fn search(
        &self,
        me: &UserInfo,
        text: &str,
        chat: Option<ChatId>,
        before: Option<Seq>,
    ) -> Result<Vec<Message>> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ErrorCode::TextEmpty);
        }
        if text.chars().count() > SEARCH_QUERY_MAX {
            return Err(ErrorCode::TextTooLong);
        }
        if let Some(chat) = chat {
            self.check_member(me.id, chat).await?;
        }
        let query = Search {
            text,
            chat,
            before,
            limit: SEARCH_PAGE_MAX,
        };
        Ok(self.store.search(me.id, &query).await?)
    }

    /// Edits, deletes, reacts to or pins a message; fans out like a send.
    pub async fn act(
        &self,
        me: &UserInfo,
        chat: ChatId,
        id: &ClientMsgId,
        act: &Act,
    ) -> Result<Message> {
        id.validate()?;
        act.validate()?;
        let appended = self
            .store
            .append_act(chat, me.id, id, act, now_ms())
            .await?;
        self.fan_out(chat, &appended).await;
        Ok(appended.message)
    }

    /// A newly stored event goes to this node's followers at once and, by a
    /// notice on the bus, to the other nodes'. A repeat (the client sent again after losing the ack) may be one
    /// whose first fan-out never ran, so it goes out again too (read back
    /// in the resend's transaction: as it stands now, edited or deleted);
    /// clients drop what they hold by seq.
    async fn fan_out(&self, chat: ChatId, appended: &Appended) {
        let seq = appended.message.seq;
        self.hub.publish(
            chat,
            &ServerFrame::Events {
                chat,
                messages: vec![appended.message.clone()],
            },
        );
        if appended.fresh {
            self.advance_relayed(chat, Seq(seq.0 - 1), seq, false);
        }
        self.bus.announce(Notice::Events { chat, seq }).await;
    }

    /// Moves the member's read cursor (and, in a channel, counts views).
    /// Tells the reader's other devices, and where members see each
    /// other's reads, the chat.
    pub async fn mark_read(&self, me: &UserInfo, chat: ChatId, seq: Seq) -> Result<()> {
        if let Some(moved) = self.store.mark_read(chat, me.id, seq).await? {
            let (user, seq) = (me.id, moved.seq);
            self.tell_everywhere(if moved.shared {
                Notice::Read { chat, user, seq }
            } else {
                Notice::OwnRead { chat, user, seq }
            })
            .await;
        }
        Ok(())
    }

    /// Moves the member's delivered cursor; where members see each other's
    /// reads, tells them.
    pub async fn mark_delivered(&self, me: &UserInfo, chat: ChatId, seq: Seq) -> Result<()> {
        if let Some(seq) = self.store.mark_delivered(chat, me.id, seq).await? {
            let user = me.id;
            self.tell_everywhere(Notice::Delivered { chat, user, seq })
                .await;
        }
        Ok(())
    }

    /// Acts on a notice here at once and on every other node by the bus.
    pub(crate) async fn tell_everywhere(&self, notice: Notice) {
        self.relay(notice.clone()).await;
        self.bus.announce(notice).await;
    }

    pub async fn views(&self, me: &UserInfo, chat: ChatId, seqs: &[Seq]) -> Result<Vec<ViewCount>> {
        if seqs.len() > MAX_VIEW_SEQS {
            return Err(ErrorCode::TooMany);
        }
        self.check_member(me.id, chat).await?;
        Ok(self.store.views(chat, seqs).await?)
    }

    /// A member's page of events after `after`.
    pub async fn events_after(
        &self,
        me: &UserInfo,
        chat: ChatId,
        after: Seq,
        limit: usize,
    ) -> Result<Vec<Message>> {
        self.check_member(me.id, chat).await?;
        Ok(self.store.messages_after(chat, after, limit).await?)
    }

    /// A member's page of the events just before `before`.
    pub async fn events_before(
        &self,
        me: &UserInfo,
        chat: ChatId,
        before: Seq,
    ) -> Result<Vec<Message>> {
        self.check_member(me.id, chat).await?;
        Ok(self
            .store
            .messages_before(chat, before, HISTORY_PAGE)
            .await?)
    }
}
