//! Messages the server posts later: scheduled ones when they are due, and
//! deletions of disappearing ones when their timer runs out.

use courier_protocol::http::{NewScheduled, ScheduledPost};
use courier_protocol::limits::{SCHEDULE_AHEAD_MAX_MS, SCHEDULED_MAX};
use courier_protocol::{ChatId, ClientMsgId, ErrorCode, UserId, UserInfo};

use super::Messaging;
use crate::kernel::db::{Appended, Post, StoreError};
use crate::kernel::error::Result;
use crate::kernel::now_ms;

/// How long a node's claim on a due scheduled message lasts: another node
/// (or this one) tries one not posted by then again.
const CLAIM_MS: i64 = 10_000;
/// Scheduled messages posted, and expired ones deleted, per timer tick.
const TIMER_BATCH: usize = 500;

impl Messaging {
    /// Keeps a message for the server to post at `post.at`.
    pub async fn schedule(&self, me: &UserInfo, chat: ChatId, post: &NewScheduled) -> Result<()> {
        post.id.validate()?;
        post.content.validate()?;
        let now = now_ms();
        if post.at <= now || post.at > now + SCHEDULE_AHEAD_MAX_MS {
            return Err(ErrorCode::BadRequest);
        }
        self.chats.check_right(me.id, chat, |r| r.post).await?;
        let post = ScheduledPost {
            id: post.id.clone(),
            content: post.content.clone(),
            at: post.at,
        };
        Ok(self
            .k
            .store
            .schedule(chat, me.id, &post, SCHEDULED_MAX)
            .await?)
    }

    pub async fn scheduled(&self, me: &UserInfo, chat: ChatId) -> Result<Vec<ScheduledPost>> {
        self.chats.check_member(me.id, chat).await?;
        Ok(self.k.store.scheduled(chat, me.id).await?)
    }

    pub async fn unschedule(&self, me: &UserInfo, chat: ChatId, id: &ClientMsgId) -> Result<()> {
        self.chats.check_member(me.id, chat).await?;
        if self.k.store.unschedule(chat, me.id, id).await? {
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
        match self
            .k
            .store
            .claim_due(now, now + CLAIM_MS, TIMER_BATCH)
            .await
        {
            // At once, so that one group commit stores them together.
            Ok(due) => {
                let posts = due
                    .into_iter()
                    .map(|(chat, sender, post)| self.post_scheduled(chat, sender, post, now));
                futures_util::future::join_all(posts).await;
            }
            Err(e) => tracing::error!(error = %e, "reading scheduled messages"),
        }
        match self.k.store.expire(now, TIMER_BATCH).await {
            Ok(acts) => {
                for message in acts {
                    let chat = message.chat;
                    let appended = Appended {
                        message,
                        fresh: true,
                    };
                    self.k.delivery.fan_out(chat, &appended).await;
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
            .k
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
        if done && let Err(e) = self.k.store.unschedule(chat, sender, &post.id).await {
            tracing::error!(error = %e, "dropping a posted scheduled message");
        }
        if let Ok(appended) = posted {
            self.k.delivery.fan_out(chat, &appended).await;
        }
    }
}
