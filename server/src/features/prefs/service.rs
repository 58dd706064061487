//! A user's own arrangement of Courier, on every device: where each chat
//! sits in their list (pinned, muted, archived), folders, drafts, and the
//! people they block.

use std::sync::Arc;

use courier_protocol::http::Draft;
use courier_protocol::limits::{MAX_CLIENT_MSG_ID_LEN, MAX_TEXT_CHARS};
use courier_protocol::model::folder::{self, Folder};
use courier_protocol::{ChatId, ChatSummary, ErrorCode, Place, UserId, UserInfo};

use crate::kernel::delivery::bus::Notice;
use crate::kernel::error::Result;
use crate::kernel::{Kernel, now_ms};

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
        let summary = self.k.delivery.tell_member(chat, me.id).await?;
        // What other nodes do on a join is what is needed: tell the user's
        // sockets the chat again.
        self.k
            .delivery
            .tell_others(Notice::Joined { user: me.id, chat })
            .await;
        summary.ok_or(ErrorCode::NotMember)
    }

    /// Saves `me`'s draft of `chat` and hands it to their other devices.
    pub async fn save_draft(&self, me: &UserInfo, chat: ChatId, draft: Draft) -> Result<()> {
        let Draft { text, device } = draft;
        if text.chars().count() > MAX_TEXT_CHARS || device.len() > MAX_CLIENT_MSG_ID_LEN {
            return Err(ErrorCode::TextTooLong);
        }
        self.k.store.save_draft(chat, me.id, &text).await?;
        let user = me.id;
        self.k
            .delivery
            .tell_everywhere(Notice::Draft {
                user,
                chat,
                text,
                device,
            })
            .await;
        Ok(())
    }

    pub async fn folders(&self, me: &UserInfo) -> Result<Vec<Folder>> {
        Ok(self.k.store.folders(me.id).await?)
    }

    /// Replaces `me`'s folders and hands them to all their devices.
    pub async fn set_folders(&self, me: &UserInfo, folders: Vec<Folder>) -> Result<()> {
        folder::validate_all(&folders)?;
        self.k.store.set_folders(me.id, &folders).await?;
        self.k
            .delivery
            .tell_everywhere(Notice::Folders {
                user: me.id,
                folders,
            })
            .await;
        Ok(())
    }

    /// `me` blocks (`on`) or unblocks another person: while blocked,
    /// neither can open a 1:1 with the other or send in theirs.
    pub async fn set_blocked(&self, me: &UserInfo, other: UserId, on: bool) -> Result<()> {
        if other == me.id {
            return Err(ErrorCode::BadRequest);
        }
        if self.k.store.set_blocked(me.id, other, on, now_ms()).await? {
            Ok(())
        } else {
            Err(ErrorCode::UnknownUser)
        }
    }

    pub async fn blocked(&self, me: &UserInfo) -> Result<Vec<UserInfo>> {
        Ok(self.k.store.blocked(me.id).await?)
    }
}
