//! The files a post carries, checked against what the server holds: each
//! (and each thumbnail, which must be a picture) must be complete and the
//! sender's to send (their upload, or a file of a chat they are in), and
//! the size and type a message shows are the server's, never the client's
//! claim.

use courier_protocol::{Content, ErrorCode, FileId, MediaKind, UserInfo};

use super::Messaging;
use crate::kernel::db::StoredFile;
use crate::kernel::error::Result;

impl Messaging {
    pub(super) async fn files_checked(
        &self,
        me: &UserInfo,
        mut content: Content,
    ) -> Result<Content> {
        match &mut content {
            Content::Media { items, .. } => {
                for item in items {
                    let file = self.sendable(me, &item.file).await?;
                    let mime = file.mime.unwrap_or_default();
                    if !item.kind.accepts(&mime) {
                        return Err(ErrorCode::BadFile);
                    }
                    item.size = file.length;
                    item.mime = mime;
                    if let Some(thumb) = &item.thumb {
                        self.sendable_as(me, thumb, MediaKind::Photo).await?;
                    }
                }
            }
            Content::Voice { file, .. } => self.sendable_as(me, file, MediaKind::Audio).await?,
            Content::RoundVideo { file, .. } => {
                self.sendable_as(me, file, MediaKind::Video).await?;
            }
            Content::Text { .. } | Content::Call { .. } | Content::Unsupported => {}
        }
        Ok(content)
    }

    async fn sendable_as(&self, me: &UserInfo, file: &FileId, kind: MediaKind) -> Result<()> {
        let file = self.sendable(me, file).await?;
        if kind.accepts(file.mime.as_deref().unwrap_or_default()) {
            Ok(())
        } else {
            Err(ErrorCode::BadFile)
        }
    }

    async fn sendable(&self, me: &UserInfo, id: &FileId) -> Result<StoredFile> {
        let store = &self.k.store;
        match store.file(id, self.k.now_ms()).await? {
            Some(file) if file.complete() && store.may_read(id, me.id).await? => Ok(file),
            _ => Err(ErrorCode::BadFile),
        }
    }
}
