//! Chats and who is in them: 1:1 chats, groups and channels, joining by an
//! invite link (as a member or a new guest) or a public @handle, member
//! lists. Every other capability asks here whether a user is a member and
//! what they may do.

use std::sync::Arc;

use courier_protocol::http::{Directory, InvitePreview, PersonHit};
use courier_protocol::limits::{
    CHAT_NAME_MAX, DIRECTORY_MAX, DISPLAY_NAME_MAX, GROUPS_MAX, MEMBER_PAGE_MAX,
    NEW_GROUP_MEMBERS_MAX, SEARCH_QUERY_MAX, check_name,
};
use courier_protocol::policy::{self, Standing};
use courier_protocol::{
    ChatId, ChatKind, ChatSummary, ErrorCode, Member, Rights, UserId, UserInfo, UserKind,
};

use crate::features::accounts::{Accounts, SignedIn};
use crate::kernel::Kernel;
use crate::kernel::auth;
use crate::kernel::db::{Lookup, NewChat, NewUser, Redeemed};
use crate::kernel::error::Result;

/// Where joining by a link left the user.
pub enum Joining {
    Joined(Box<ChatSummary>),
    /// The link needs an admin's approval; a request is waiting.
    Pending,
}

#[derive(Clone)]
pub struct Chats {
    k: Arc<Kernel>,
    accounts: Accounts,
}

impl Chats {
    pub fn new(k: Arc<Kernel>, accounts: Accounts) -> Chats {
        Chats { k, accounts }
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
        self.k.store.chat_by_invite(invite, self.k.now_ms()).await?;
        let me = self
            .k
            .store
            .create_user(NewUser {
                username: None,
                name,
                password_hash: None,
                kind: UserKind::Guest,
                now: self.k.now_ms(),
            })
            .await?;
        let joining = self.join_by_invite(&me, invite).await?;
        Ok((self.accounts.start_session(me, device).await?, joining))
    }

    /// What the join screen shows: the chat's name, size and kind; or why
    /// the link is dead (expired, revoked, used up).
    pub async fn invite_preview(&self, invite: &str) -> Result<InvitePreview> {
        let target = self.k.store.chat_by_invite(invite, self.k.now_ms()).await?;
        Ok(InvitePreview {
            title: target.name,
            member_count: target.member_count,
            kind: target.kind,
            needs_approval: target.needs_approval,
        })
    }

    pub async fn join_by_invite(&self, me: &UserInfo, invite: &str) -> Result<Joining> {
        self.check_room_for_a_group(me.id).await?;
        match self
            .k
            .store
            .redeem_invite(invite, me.id, self.k.now_ms())
            .await?
        {
            Redeemed::Joined { chat, fresh } => {
                if fresh {
                    self.k.delivery.announce(chat, &[me.id]).await?;
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
            .k
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
            .k
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
        if self
            .k
            .store
            .add_member(chat, me.id, self.k.now_ms())
            .await?
        {
            self.k.delivery.announce(chat, &[me.id]).await?;
        }
        self.summary_for(chat, me.id).await
    }

    /// The 1:1 chat with `username`, created on first use.
    pub async fn direct_chat(&self, me: &UserInfo, username: &str) -> Result<ChatSummary> {
        let other = self
            .k
            .store
            .user_by_username(username)
            .await?
            .ok_or(ErrorCode::UnknownUser)?;
        let (lo, hi) = if me.id <= other.id {
            (me.id, other.id)
        } else {
            (other.id, me.id)
        };
        if self.k.store.blocked_between(me.id, other.id).await? {
            return Err(ErrorCode::Blocked);
        }
        let key = format!("{}:{}", lo.0, hi.0);
        let chat = match self.k.store.direct_chat(&key).await? {
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
                    now: self.k.now_ms(),
                };
                match self.k.store.create_chat(new).await {
                    Ok(chat) => {
                        self.k.delivery.announce(chat, &members).await?;
                        chat
                    }
                    // Both people opened the chat at once: the other one won.
                    Err(e) => self
                        .k
                        .store
                        .direct_chat(&key)
                        .await?
                        .ok_or(ErrorCode::from(e))?,
                }
            }
        };
        self.summary_for(chat, me.id).await
    }

    /// A group or channel owned by `me`, with the people named by
    /// `usernames` in it from the start (as Telegram's "add members").
    pub async fn new_group(
        &self,
        me: &UserInfo,
        name: &str,
        kind: ChatKind,
        usernames: &[String],
    ) -> Result<ChatSummary> {
        let name = name.trim();
        check_name(name, CHAT_NAME_MAX)?;
        if usernames.len() > NEW_GROUP_MEMBERS_MAX {
            return Err(ErrorCode::TooMany);
        }
        self.check_room_for_a_group(me.id).await?;
        let mut members = vec![me.id];
        for username in usernames {
            let other = self
                .k
                .store
                .user_by_username(username)
                .await?
                .ok_or(ErrorCode::UnknownUser)?;
            if members.contains(&other.id) {
                continue;
            }
            if self.k.store.blocked_between(me.id, other.id).await? {
                return Err(ErrorCode::Blocked);
            }
            self.check_room_for_a_group(other.id).await?;
            members.push(other.id);
        }
        let invite = auth::new_invite_code();
        let new = NewChat {
            kind,
            name: Some(name),
            invite: &invite,
            direct_key: None,
            members: &members,
            now: self.k.now_ms(),
        };
        let chat = self.k.store.create_chat(new).await?;
        self.k.delivery.announce(chat, &members).await?;
        self.summary_for(chat, me.id).await
    }

    /// What the one search box finds beyond `me`'s chats: people by
    /// @username (or by name, among those sharing a group or direct chat
    /// with `me`) and public groups and channels by @handle or title.
    /// Guests are never found: they have no username. `text` is trimmed,
    /// a leading `@` dropped, and case-folded as the stored names are.
    pub async fn directory(&self, me: &UserInfo, text: &str) -> Result<Directory> {
        let text = text.trim();
        let text = text.strip_prefix('@').unwrap_or(text).trim();
        if text.is_empty() {
            return Err(ErrorCode::TextEmpty);
        }
        if text.chars().count() > SEARCH_QUERY_MAX {
            return Err(ErrorCode::TextTooLong);
        }
        let exact = text.to_lowercase();
        let escaped = like_escaped(&exact);
        let look = Lookup {
            prefix: &format!("{escaped}%"),
            within: &format!("%{escaped}%"),
            exact: &exact,
            limit: DIRECTORY_MAX,
        };
        let people = self.k.store.find_people(me.id, &look).await?;
        let chats = self.k.store.find_public(&look).await?;
        Ok(Directory {
            people: people
                .into_iter()
                .filter_map(|u| {
                    Some(PersonHit {
                        id: u.id,
                        username: u.username?,
                        name: u.name,
                    })
                })
                .collect(),
            chats,
        })
    }

    async fn summary_for(&self, chat: ChatId, user: UserId) -> Result<ChatSummary> {
        self.k
            .store
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
        let members = self.k.store.members(chat, after, limit).await?;
        let next = if members.len() == limit {
            members.last().map(|m| m.user.id)
        } else {
            None
        };
        Ok((members, next))
    }

    pub async fn chats_of(&self, me: &UserInfo) -> Result<Vec<ChatSummary>> {
        Ok(self.k.store.chats_of(me.id).await?)
    }

    /// `TooMany` once `user` is in [`GROUPS_MAX`] groups and channels:
    /// each costs every reconnect of theirs, and Telegram stops there too.
    async fn check_room_for_a_group(&self, user: UserId) -> Result<()> {
        if self.k.store.groups_of(user).await? >= GROUPS_MAX {
            return Err(ErrorCode::TooMany);
        }
        Ok(())
    }

    pub async fn check_member(&self, user: UserId, chat: ChatId) -> Result<Standing> {
        self.k
            .store
            .membership(chat, user)
            .await?
            .ok_or(ErrorCode::NotMember)
    }

    /// The member's standing, if `right` allows them the action.
    pub async fn check_right(
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
}

/// `text` with `LIKE`'s wildcards (and the escape itself) escaped by a
/// backslash, so "a_b" finds only "a_b".
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::like_escaped;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_escaped("a_b%c\\d"), "a\\_b\\%c\\\\d");
        assert_eq!(like_escaped("анна"), "анна");
    }
}
