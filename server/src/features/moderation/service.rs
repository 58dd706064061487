//! What owners and admins do to a chat: roles, removing and banning,
//! settings (name, @handle, slow mode, signatures), invite links and join
//! requests. Each action checks the actor's rights first; the owner can
//! never be removed, banned or demoted, and only the owner makes admins.

use courier_protocol::http::{ChatSettings, InviteLink, JoinRequest, MemberAction, NewInvite};
use courier_protocol::limits::{
    CHAT_NAME_MAX, INVITE_TTL_MAX_S, INVITE_USES_MAX, SLOW_MODE_MAX_S, TTL_MAX_S, check_handle,
    check_name,
};
use courier_protocol::policy;
use courier_protocol::{
    ChatId, ChatKind, ChatSummary, ErrorCode, Rights, Role, ServerFrame, UserId, UserInfo,
};

use std::sync::Arc;

use crate::features::chats::Chats;
use crate::kernel::Kernel;
use crate::kernel::auth;
use crate::kernel::error::Result;

#[derive(Clone)]
pub struct Moderation {
    k: Arc<Kernel>,
    chats: Chats,
}

impl Moderation {
    pub fn new(k: Arc<Kernel>, chats: Chats) -> Moderation {
        Moderation { k, chats }
    }

    pub async fn member_action(
        &self,
        me: &UserInfo,
        chat: ChatId,
        target: UserId,
        action: &MemberAction,
    ) -> Result<()> {
        let actor = self.chats.check_member(me.id, chat).await?;
        let standing = self.k.store.membership(chat, target).await?;
        if standing.is_some_and(|s| s.role == Role::Owner) && !matches!(action, MemberAction::Unban)
        {
            return Err(ErrorCode::OwnerStays);
        }
        match action {
            MemberAction::Promote { .. } | MemberAction::Demote => {
                if actor.role != Role::Owner {
                    return Err(ErrorCode::NotAllowed);
                }
                let (role, rights) = match action {
                    MemberAction::Promote { rights } => (Role::Admin, *rights),
                    _ => (Role::Member, Rights::NONE),
                };
                if !self.k.store.set_role(chat, target, role, rights).await? {
                    return Err(ErrorCode::NotMember);
                }
                // Their sockets on any node learn their new rights.
                self.k.delivery.announce(chat, &[target]).await
            }
            MemberAction::Remove | MemberAction::Ban => {
                if !policy::may_remove(&actor, standing.map(|s| s.role)) {
                    return Err(ErrorCode::NotAllowed);
                }
                let ban = matches!(action, MemberAction::Ban);
                if self
                    .k
                    .store
                    .remove_member(chat, target, ban, self.k.now_ms())
                    .await?
                {
                    self.k.delivery.remove(target, chat).await;
                }
                Ok(())
            }
            MemberAction::Unban => {
                if !actor.rights.ban {
                    return Err(ErrorCode::NotAllowed);
                }
                Ok(self.k.store.unban(chat, target).await?)
            }
        }
    }

    /// `me` leaves a group or channel (not a 1:1, and not its owner, who
    /// stays its owner); their sockets on every node let go of it.
    pub async fn leave(&self, me: &UserInfo, chat: ChatId) -> Result<()> {
        let standing = self.chats.check_member(me.id, chat).await?;
        if !policy::may_leave(&standing) {
            return Err(if standing.kind == ChatKind::Direct {
                ErrorCode::BadRequest
            } else {
                ErrorCode::OwnerStays
            });
        }
        if self
            .k
            .store
            .remove_member(chat, me.id, false, self.k.now_ms())
            .await?
        {
            self.k.delivery.remove(me.id, chat).await;
        }
        Ok(())
    }

    /// Changes the chat's settings and answers with the chat as the actor
    /// now sees it.
    pub async fn update_chat(
        &self,
        me: &UserInfo,
        chat: ChatId,
        settings: &ChatSettings,
    ) -> Result<ChatSummary> {
        let standing = self.chats.check_member(me.id, chat).await?;
        if !policy::may_change(&standing, settings) {
            return Err(ErrorCode::NotAllowed);
        }
        if settings.ttl_s.is_some_and(|t| t > TTL_MAX_S) {
            return Err(ErrorCode::BadRequest);
        }
        let mut settings = settings.clone();
        if let Some(name) = &mut settings.name {
            *name = name.trim().to_owned();
            check_name(name, CHAT_NAME_MAX)?;
        }
        if let Some(handle) = &mut settings.handle {
            *handle = handle.trim().trim_start_matches('@').to_owned();
            if !handle.is_empty() {
                check_handle(handle)?;
            }
        }
        if settings.slow_mode_s.is_some_and(|s| s > SLOW_MODE_MAX_S) {
            return Err(ErrorCode::BadRequest);
        }
        self.k.store.update_chat(chat, &settings).await?;
        if settings != ChatSettings::default() {
            let frame = ServerFrame::Settings {
                chat,
                settings: settings.clone(),
            };
            self.k.delivery.to_chat(chat, frame).await;
        }
        self.k
            .store
            .chat_summary(chat, me.id)
            .await?
            .ok_or(ErrorCode::NotMember)
    }

    pub async fn invites(&self, me: &UserInfo, chat: ChatId) -> Result<Vec<InviteLink>> {
        self.chats.check_right(me.id, chat, |r| r.invite).await?;
        Ok(self.k.store.invites(chat).await?)
    }

    pub async fn create_invite(
        &self,
        me: &UserInfo,
        chat: ChatId,
        invite: &NewInvite,
    ) -> Result<InviteLink> {
        let actor = self.chats.check_right(me.id, chat, |r| r.invite).await?;
        let ttl_ok = invite
            .expires_in_s
            .is_none_or(|s| (1..=INVITE_TTL_MAX_S).contains(&s));
        let uses_ok = invite
            .usage_limit
            .is_none_or(|n| (1..=INVITE_USES_MAX).contains(&n));
        if actor.kind == ChatKind::Direct || !ttl_ok || !uses_ok {
            return Err(ErrorCode::BadRequest);
        }
        Ok(self
            .k
            .store
            .create_invite(chat, &auth::new_invite_code(), invite, self.k.now_ms())
            .await?)
    }

    /// Revokes a link; revoking the main one gives the chat a new one.
    pub async fn revoke_invite(&self, me: &UserInfo, chat: ChatId, code: &str) -> Result<()> {
        self.chats.check_right(me.id, chat, |r| r.invite).await?;
        if self
            .k
            .store
            .revoke_invite(chat, code, &auth::new_invite_code(), self.k.now_ms())
            .await?
        {
            Ok(())
        } else {
            Err(ErrorCode::BadInvite)
        }
    }

    pub async fn join_requests(&self, me: &UserInfo, chat: ChatId) -> Result<Vec<JoinRequest>> {
        self.chats.check_right(me.id, chat, |r| r.invite).await?;
        Ok(self.k.store.join_requests(chat).await?)
    }

    pub async fn answer_request(
        &self,
        me: &UserInfo,
        chat: ChatId,
        user: UserId,
        approve: bool,
    ) -> Result<()> {
        self.chats.check_right(me.id, chat, |r| r.invite).await?;
        if !self
            .k
            .store
            .answer_request(chat, user, approve, self.k.now_ms())
            .await?
        {
            return Err(ErrorCode::UnknownUser);
        }
        if approve {
            self.k.delivery.announce(chat, &[user]).await?;
        }
        Ok(())
    }
}
