//! Messages: sending, forwarding, edits, deletions, reactions and pins as
//! events of the chat's sequence; history, search, views, and the read and
//! delivered cursors; typing.

use std::sync::Arc;

use courier_protocol::http::ReadCursor;
use courier_protocol::limits::{HISTORY_PAGE, MAX_VIEW_SEQS, SEARCH_PAGE_MAX, SEARCH_QUERY_MAX};
use courier_protocol::model::message::ViewCount;
use courier_protocol::policy::{self, SEEN_BY_MAX_MEMBERS};
use courier_protocol::{
    Act, ChatId, ChatKind, ClientMsgId, Content, ErrorCode, Message, Seq, ServerFrame, UserInfo,
};

use crate::features::chats::Chats;
use crate::kernel::Kernel;
use crate::kernel::db::{Post, Search};
use crate::kernel::error::Result;

#[derive(Clone)]
pub struct Messaging {
    pub(super) k: Arc<Kernel>,
    pub(super) chats: Chats,
}

impl Messaging {
    pub fn new(k: Arc<Kernel>, chats: Chats) -> Messaging {
        Messaging { k, chats }
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
            reply_to,
            ..Post::of(self.files_checked(me, content.clone()).await?)
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
            .k
            .store
            .append_message(chat, me.id, id, post, self.k.now_ms())
            .await?;
        self.k.delivery.fan_out(chat, &appended).await;
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
        self.chats.check_member(me.id, from).await?;
        let original = self
            .k
            .store
            .messages_after(from, Seq(seq.0 - 1), 1)
            .await?
            .into_iter()
            .next()
            .filter(|m| m.seq == seq && m.content.is_some())
            .ok_or(ErrorCode::BadTarget)?;
        // The copy carries the same files: no bytes are copied.
        let content = original.content.clone().ok_or(ErrorCode::BadTarget)?;
        let post = Post {
            content,
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
            .k
            .store
            .append_act(chat, me.id, id, act, self.k.now_ms())
            .await?;
        self.k.delivery.fan_out(chat, &appended).await;
        Ok(appended.message)
    }

    /// Tells the chat's other members that `me` is typing; only where they
    /// may post, and never in a channel.
    pub async fn typing(&self, me: &UserInfo, chat: ChatId) -> Result<()> {
        if !policy::may_type(&self.chats.check_member(me.id, chat).await?) {
            return Ok(());
        }
        let (user, name) = (me.id, me.name.clone());
        let frame = ServerFrame::Typing { chat, user, name };
        self.k.delivery.to_chat(chat, frame).await;
        Ok(())
    }

    /// Every member's read cursor, for "seen by"; empty where readers stay
    /// private (channels, groups over `SEEN_BY_MAX_MEMBERS`).
    pub async fn reads(&self, me: &UserInfo, chat: ChatId) -> Result<Vec<ReadCursor>> {
        let membership = self.chats.check_member(me.id, chat).await?;
        if membership.kind == ChatKind::Channel {
            return Ok(Vec::new());
        }
        Ok(self.k.store.reads(chat, SEEN_BY_MAX_MEMBERS).await?)
    }

    /// A member's first post of `chat` at or after `at` (ms).
    pub async fn post_since(&self, me: &UserInfo, chat: ChatId, at: i64) -> Result<Option<Seq>> {
        self.chats.check_member(me.id, chat).await?;
        Ok(self.k.store.post_since(chat, at).await?)
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
            self.chats.check_member(me.id, chat).await?;
        }
        let query = Search {
            text,
            chat,
            before,
            limit: SEARCH_PAGE_MAX,
        };
        Ok(self.k.store.search(me.id, &query).await?)
    }

    /// Moves the member's read cursor (and, in a channel, counts views).
    /// Tells the reader's other devices, and where members see each
    /// other's reads, the chat.
    pub async fn mark_read(&self, me: &UserInfo, chat: ChatId, seq: Seq) -> Result<()> {
        if let Some(moved) = self.k.store.mark_read(chat, me.id, seq).await? {
            let (user, seq) = (me.id, moved.seq);
            let frame = ServerFrame::Read { chat, user, seq };
            if moved.shared {
                self.k.delivery.to_chat(chat, frame).await;
            } else {
                self.k.delivery.to_user(user, frame).await;
            }
        }
        Ok(())
    }

    /// Moves the member's delivered cursor; where members see each other's
    /// reads, tells them.
    pub async fn mark_delivered(&self, me: &UserInfo, chat: ChatId, seq: Seq) -> Result<()> {
        if let Some(seq) = self.k.store.mark_delivered(chat, me.id, seq).await? {
            let frame = ServerFrame::Delivered {
                chat,
                user: me.id,
                seq,
            };
            self.k.delivery.to_chat(chat, frame).await;
        }
        Ok(())
    }

    pub async fn views(&self, me: &UserInfo, chat: ChatId, seqs: &[Seq]) -> Result<Vec<ViewCount>> {
        if seqs.len() > MAX_VIEW_SEQS {
            return Err(ErrorCode::TooMany);
        }
        self.chats.check_member(me.id, chat).await?;
        Ok(self.k.store.views(chat, seqs).await?)
    }

    /// A member's page of events after `after`.
    pub async fn events_after(
        &self,
        me: &UserInfo,
        chat: ChatId,
        after: Seq,
        limit: usize,
    ) -> Result<Vec<Message>> {
        self.chats.check_member(me.id, chat).await?;
        Ok(self.k.store.messages_after(chat, after, limit).await?)
    }

    /// A member's page of the events just before `before`.
    pub async fn events_before(
        &self,
        me: &UserInfo,
        chat: ChatId,
        before: Seq,
    ) -> Result<Vec<Message>> {
        self.chats.check_member(me.id, chat).await?;
        Ok(self
            .k
            .store
            .messages_before(chat, before, HISTORY_PAGE)
            .await?)
    }
}
