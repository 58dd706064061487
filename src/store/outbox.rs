//! `outbox`: what the user sent that the server has not acknowledged yet.

use courier_protocol::{Act, ChatId, ClientMsgId, Content, ErrorCode, Seq};
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
}

impl OutboxEntry {
    /// The words it shows while it waits.
    pub fn text(&self) -> &str {
        self.content.as_ref().map_or("", Content::words)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutState {
    Pending,
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
