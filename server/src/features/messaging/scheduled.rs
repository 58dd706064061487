//! Messages the server posts later: scheduled ones when they are due, and
//! deletions of disappearing ones when their timer runs out.

use courier_protocol::http::{NewScheduled, ScheduledPost};
use courier_protocol::limits::{SCHEDULE_AHEAD_MAX_MS, SCHEDULED_MAX};
use courier_protocol::{ChatId, ClientMsgId, Content, ErrorCode, UserInfo};

use super::Messaging;
use crate::kernel::db::{Appended, Due, Expiry, Post, StoreError};
use crate::kernel::error::Result;
use crate::kernel::jobs::Outcome;

/// Scheduled messages posted, and expired ones deleted, per timer tick.
const TIMER_BATCH: usize = 500;

impl Messaging {
    /// Keeps a message for the server to post at `post.at`.
    pub async fn schedule(&self, me: &UserInfo, chat: ChatId, post: &NewScheduled) -> Result<()> {
        post.id.validate()?;
        post.content.validate()?;
        // Scheduled posts keep text only, for now.
        if !matches!(post.content, Content::Text { .. }) {
            return Err(ErrorCode::BadRequest);
        }
        let now = self.k.now_ms();
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
    /// disappearing timer ran out, fanning both out like sends: the jobs
    /// of two queues, taken by one node each.
    pub async fn run_timers(&self) {
        self.k
            .jobs
            .run_due(TIMER_BATCH, |due: Due| self.post_scheduled(due))
            .await;
        self.k
            .jobs
            .run_due(TIMER_BATCH, |expiry: Expiry| self.expire(expiry))
            .await;
    }

    /// Posts one scheduled message. Posted, or refused for good (the
    /// sender left, was banned, lost the right or was blocked): no longer
    /// waiting. Anything else (the database, slow mode) is tried again,
    /// later. Posted twice (a crash before its job was settled), its
    /// client id makes the second a no-op.
    async fn post_scheduled(&self, due: Due) -> Outcome {
        let content = Post::of(Content::text(due.text.clone()));
        let posted = self
            .k
            .store
            .append_message(due.chat, due.sender, &due.id, content, self.k.now_ms())
            .await;
        let outcome = match &posted {
            Ok(_) => Outcome::Done,
            Err(
                why @ (StoreError::NotMember
                | StoreError::NotAllowed
                | StoreError::Banned
                | StoreError::Blocked),
            ) => Outcome::GiveUp(format!("scheduled message refused: {why}")),
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        if let Err(e) = self.k.store.unschedule(due.chat, due.sender, &due.id).await {
            return Outcome::Retry(format!("dropping a posted scheduled message: {e}"));
        }
        if let Ok(appended) = posted {
            self.k.delivery.fan_out(due.chat, &appended).await;
        }
        outcome
    }

    /// Deletes a message whose timer ran out, for everyone.
    async fn expire(&self, expiry: Expiry) -> Outcome {
        match self
            .k
            .store
            .expire(expiry.chat, expiry.seq, self.k.now_ms())
            .await
        {
            Ok(Some(message)) => {
                let appended = Appended {
                    message,
                    fresh: true,
                };
                self.k.delivery.fan_out(expiry.chat, &appended).await;
                Outcome::Done
            }
            // Deleted before its time.
            Ok(None) => Outcome::Done,
            Err(e) => Outcome::Retry(e.to_string()),
        }
    }
}
