//! `outbox`: what the user sent that the server has not acknowledged yet.

use courier_protocol::{Act, ChatId, ClientFrame, ClientMsgId, Content, ErrorCode, Seq};
use indexed_db_futures::prelude::*;
use serde::{Deserialize, Serialize};

use super::{OUTBOX, Result, Store};

/// A message written here and not yet acknowledged by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: ClientMsgId,
    pub chat: ChatId,
    /// What it posts (a forward: the original's); none for an act.
    #[serde(default)]
    pub content: Option<Content>,
    /// Milliseconds since the Unix epoch, when the user sent it.
    pub created: i64,
    pub state: OutState,
    #[serde(default)]
    pub reply_to: Option<Seq>,
    /// Set for an act waiting to go (it shows once the server has it).
    #[serde(default)]
    pub act: Option<Act>,
    /// Set for a forward: the original's chat and seq.
    #[serde(default)]
    pub forward: Option<(ChatId, Seq)>,
    /// For a message whose files are uploading: where each of its items'
    /// upload is remembered (`net::upload::memory_key`), in item order.
    /// An item whose file id is still empty is on its way.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uploads: Vec<String>,
}

impl OutboxEntry {
    /// The words it shows while it waits.
    pub fn text(&self) -> &str {
        self.content.as_ref().map_or("", Content::words)
    }

    /// The frame that sends it: an act, a forward or a post.
    pub fn frame(self) -> Option<ClientFrame> {
        let (chat, id) = (self.chat, self.id);
        Some(match (self.act, self.forward, self.content) {
            (Some(act), _, _) => ClientFrame::Act { chat, id, act },
            (None, Some((from, seq)), _) => ClientFrame::Forward {
                chat,
                id,
                from,
                seq,
            },
            (None, None, Some(content)) => ClientFrame::Send {
                chat,
                id,
                content,
                reply_to: self.reply_to,
            },
            // Nothing to post: no entry is made so.
            (None, None, None) => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutState {
    Pending,
    /// Its files are on their way: it goes once they are up.
    Uploading,
    /// The server refused it for good; kept so the user sees why.
    Failed(ErrorCode),
}

impl Store {
    pub async fn add_outbox(&self, entry: &OutboxEntry) -> Result<()> {
        let tx = self.tx(&[OUTBOX], true)?;
        tx.object_store(OUTBOX)?
            .put(entry)
            .with_key(entry.id.0.clone())
            .serde()?
            .await?;
        Ok(tx.commit().await?)
    }

    /// The whole outbox in key order, which is send order.
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        let tx = self.tx(&[OUTBOX], false)?;
        Ok(tx
            .object_store(OUTBOX)?
            .get_all()
            .serde()?
            .await?
            .collect::<indexed_db_futures::Result<_>>()?)
    }

    /// Stores how far a held entry got, if it is still held (not deleted
    /// meanwhile, here or in another tab): whether it was.
    pub async fn keep_held(&self, entry: &OutboxEntry) -> Result<bool> {
        let tx = self.tx(&[OUTBOX], true)?;
        let store = tx.object_store(OUTBOX)?;
        let held: Option<OutboxEntry> = store.get(entry.id.0.clone()).serde()?.await?;
        let still = held.is_some_and(|h| h.state == OutState::Uploading);
        if still {
            store
                .put(entry)
                .with_key(entry.id.0.clone())
                .serde()?
                .await?;
        }
        tx.commit().await?;
        Ok(still)
    }

    /// Takes an entry out unsent (its uploads were all given up).
    pub async fn remove_outbox(&self, id: &ClientMsgId) -> Result<()> {
        let tx = self.tx(&[OUTBOX], true)?;
        tx.object_store(OUTBOX)?
            .delete(id.0.clone())
            .serde()?
            .await?;
        Ok(tx.commit().await?)
    }

    pub async fn fail_outbox(&self, id: &ClientMsgId, code: ErrorCode) -> Result<()> {
        let tx = self.tx(&[OUTBOX], true)?;
        let store = tx.object_store(OUTBOX)?;
        let entry: Option<OutboxEntry> = store.get(id.0.clone()).serde()?.await?;
        if let Some(mut entry) = entry {
            entry.state = OutState::Failed(code);
            store.put(&entry).with_key(id.0.clone()).serde()?.await?;
        }
        Ok(tx.commit().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> OutboxEntry {
        OutboxEntry {
            id: ClientMsgId("m1".into()),
            chat: ChatId(7),
            content: Some(Content::text("hi")),
            created: 1,
            state: OutState::Pending,
            reply_to: Some(Seq(3)),
            act: None,
            forward: None,
            uploads: Vec::new(),
        }
    }

    #[test]
    fn an_entry_goes_as_the_frame_of_what_it_is() {
        assert_eq!(
            entry().frame(),
            Some(ClientFrame::Send {
                chat: ChatId(7),
                id: ClientMsgId("m1".into()),
                content: Content::text("hi"),
                reply_to: Some(Seq(3)),
            })
        );
        let forward = OutboxEntry {
            forward: Some((ChatId(2), Seq(9))),
            ..entry()
        };
        assert_eq!(
            forward.frame(),
            Some(ClientFrame::Forward {
                chat: ChatId(7),
                id: ClientMsgId("m1".into()),
                from: ChatId(2),
                seq: Seq(9),
            }),
            "a forward sends a reference, not its copy of the words"
        );
        let act = Act::Pin {
            target: Seq(3),
            on: true,
        };
        let pin = OutboxEntry {
            act: Some(act.clone()),
            content: None,
            ..entry()
        };
        assert_eq!(
            pin.frame(),
            Some(ClientFrame::Act {
                chat: ChatId(7),
                id: ClientMsgId("m1".into()),
                act,
            })
        );
        let empty = OutboxEntry {
            content: None,
            ..entry()
        };
        assert_eq!(empty.frame(), None);
    }
}
