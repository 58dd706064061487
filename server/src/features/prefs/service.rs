//! A user's own arrangement of Courier, on every device: where each chat
//! sits in their list (pinned, muted, archived), folders, drafts, and the
//! people they block.

use std::sync::Arc;

use courier_protocol::http::Draft;
use courier_protocol::limits::{MAX_CLIENT_MSG_ID_LEN, MAX_TEXT_CHARS};
use courier_protocol::model::folder::{self, Folder};
use courier_protocol::{ChatId, ChatSummary, ErrorCode, Place, ServerFrame, UserId, UserInfo};

use crate::kernel::Kernel;
use crate::kernel::error::Result;

#[derive(Clone)]
pub struct Prefs {
    k: Arc<Kernel>,
}

impl Prefs {
    pub fn new(k: Arc<Kernel>) -> Prefs {
        Prefs { k }
    }

    /// Moves a chat in `me`'s list (pin, mute, archive); their sockets get
    /// the chat again, so every device agrees.
    pub async fn set_place(
        &self,
        me: &UserInfo,
        chat: ChatId,
        place: Place,
    ) -> Result<ChatSummary> {
        self.k.store.set_place(chat, me.id, place).await?;
        // Every device of theirs gets the chat again, in its new place.
        let summary = self.k.delivery.retell(chat, me.id).await?;
        summary.ok_or(ErrorCode::NotMember)
    }

    /// Saves `me`'s draft of `chat` and hands it to their other devices.
    pub async fn save_draft(&self, me: &UserInfo, chat: ChatId, draft: Draft) -> Result<()> {
        let Draft { text, device } = draft;
        if text.chars().count() > MAX_TEXT_CHARS || device.len() > MAX_CLIENT_MSG_ID_LEN {
            return Err(ErrorCode::TextTooLong);
        }
        self.k.store.save_draft(chat, me.id, &text).await?;
        let frame = ServerFrame::Draft { chat, text, device };
        self.k.delivery.to_user(me.id, frame).await;
        Ok(())
    }

    pub async fn folders(&self, me: &UserInfo) -> Result<Vec<Folder>> {
        Ok(self.k.store.folders(me.id).await?)
    }

    /// Replaces `me`'s folders and hands them to all their devices.
    pub async fn set_folders(&self, me: &UserInfo, folders: Vec<Folder>) -> Result<()> {
        folder::validate_all(&folders)?;
        self.k.store.set_folders(me.id, &folders).await?;
        let frame = ServerFrame::Folders { folders };
        self.k.delivery.to_user(me.id, frame).await;
        Ok(())
    }

    /// `me` blocks (`on`) or unblocks another person: while blocked,
    /// neither can open a 1:1 with the other or send in theirs.
    pub async fn set_blocked(&self, me: &UserInfo, other: UserId, on: bool) -> Result<()> {
        if other == me.id {
            return Err(ErrorCode::BadRequest);
        }
        if self
            .k
            .store
            .set_blocked(me.id, other, on, self.k.now_ms())
            .await?
        {
            Ok(())
        } else {
            Err(ErrorCode::UnknownUser)
        }
    }

    pub async fn blocked(&self, me: &UserInfo) -> Result<Vec<UserInfo>> {
        Ok(self.k.store.blocked(me.id).await?)
    }
}
