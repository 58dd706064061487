//! Work that lives on one node of a cluster, such as a group's call whose
//! media that node's SFU carries: which node holds each piece (a JetStream
//! key-value bucket, so that two nodes starting the same piece at once
//! agree on one), and questions addressed to that node over NATS
//! request/reply. A node that stopped answering loses what it held to the
//! first node that asks for it.

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{self, kv};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

/// How long a holder has to answer before it is taken for gone. A group
/// call's join waits this long at worst when its node died without
/// closing its NATS connection.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum PlacementError {
    #[error("making the holders' bucket: {0}")]
    Stream(#[from] jetstream::context::CreateStreamError),
    #[error("opening the holders' bucket: {0}")]
    Bucket(#[from] jetstream::context::KeyValueError),
    #[error("reading who holds {0}")]
    Read(String),
    #[error("writing who holds {0}")]
    Write(String),
    #[error("subscribing to questions: {0}")]
    Subscribe(#[from] async_nats::SubscribeError),
}

/// The node holding a piece of work, at the bucket's revision that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub node: u64,
    revision: u64,
}

/// The holder did not answer: it is gone (or too busy to count on).
#[derive(Debug, thiserror::Error)]
#[error("the node holding it does not answer")]
pub struct Gone;

pub struct Placement {
    client: async_nats::Client,
    holders: kv::Store,
    node: u64,
    subject: String,
}

impl Placement {
    /// The placement of the cluster whose bus is `subject`, for `node`.
    pub async fn open(
        client: async_nats::Client,
        subject: &str,
        node: u64,
    ) -> Result<Placement, PlacementError> {
        // Bucket names allow letters, digits, '-' and '_' only.
        let bucket: String = subject
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .chain("_holders".chars())
            .collect();
        // The bucket's stream made here rather than by `create_key_value`,
        // which first reads account fields NATS 2.9 (Debian's) lacks; the
        // settings are a key-value bucket's, keeping one value a key.
        let context = jetstream::new(client.clone());
        context
            .get_or_create_stream(jetstream::stream::Config {
                name: format!("KV_{bucket}"),
                subjects: vec![format!("$KV.{bucket}.>")],
                max_messages_per_subject: 1,
                // Holders are worth nothing once every node restarted.
                storage: jetstream::stream::StorageType::Memory,
                allow_rollup: true,
                deny_delete: true,
                allow_direct: true,
                discard: jetstream::stream::DiscardPolicy::New,
                num_replicas: 1,
                ..Default::default()
            })
            .await?;
        let holders = context.get_key_value(bucket).await?;
        Ok(Placement {
            client,
            holders,
            node,
            subject: subject.to_owned(),
        })
    }

    pub fn node(&self) -> u64 {
        self.node
    }

    /// Who holds `key`, if anyone.
    pub async fn holder(&self, key: &str) -> Result<Option<Holder>, PlacementError> {
        let entry = self
            .holders
            .entry(key)
            .await
            .map_err(|_| PlacementError::Read(key.to_owned()))?;
        Ok(entry.and_then(|entry| match entry.operation {
            kv::Operation::Put => Some(Holder {
                node: parse_node(&entry.value)?,
                revision: entry.revision,
            }),
            kv::Operation::Delete | kv::Operation::Purge => None,
        }))
    }

    /// This node holds `key` unless another already does: who holds it.
    pub async fn claim(&self, key: &str) -> Result<Holder, PlacementError> {
        match self.holders.create(key, self.me()).await {
            Ok(revision) => Ok(Holder {
                node: self.node,
                revision,
            }),
            // Another node got there first (or it is this node's already).
            Err(_) => self
                .holder(key)
                .await?
                .ok_or_else(|| PlacementError::Write(key.to_owned())),
        }
    }

    /// This node takes `key` from `gone`, which stopped answering; unless
    /// another node took it first: who holds it now.
    pub async fn take_over(&self, key: &str, gone: Holder) -> Result<Holder, PlacementError> {
        match self.holders.update(key, self.me(), gone.revision).await {
            Ok(revision) => Ok(Holder {
                node: self.node,
                revision,
            }),
            Err(_) => self.claim(key).await,
        }
    }

    /// Lets go of `key` if this node holds it.
    pub async fn release(&self, key: &str) -> Result<(), PlacementError> {
        match self.holder(key).await? {
            Some(held) if held.node == self.node => self
                .holders
                .delete_expect_revision(key, Some(held.revision))
                .await
                .map_err(|_| PlacementError::Write(key.to_owned())),
            _ => Ok(()),
        }
    }

    /// Asks `holder` about `topic`; its answer.
    pub async fn ask(&self, holder: Holder, topic: &str, question: Vec<u8>) -> Result<Bytes, Gone> {
        let request = async_nats::Request::new()
            .payload(question.into())
            .timeout(Some(ANSWER_WITHIN));
        match self
            .client
            .send_request(self.questions(holder.node, topic), request)
            .await
        {
            Ok(answer) => Ok(answer.payload),
            Err(e) => {
                tracing::warn!(error = %e, node = holder.node, topic, "asking a node");
                Err(Gone)
            }
        }
    }

    /// Answers this node's questions about `topic` with `answer` until
    /// `shutdown`; after that, askers find this node gone.
    pub async fn serve<F, Fut>(
        &self,
        topic: &str,
        shutdown: CancellationToken,
        answer: F,
    ) -> Result<(), PlacementError>
    where
        F: Fn(Bytes) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Vec<u8>> + Send,
    {
        let mut questions = self
            .client
            .subscribe(self.questions(self.node, topic))
            .await?;
        loop {
            let question = tokio::select! {
                () = shutdown.cancelled() => return Ok(()),
                question = questions.next() => question,
            };
            let Some(question) = question else {
                return Ok(());
            };
            let Some(reply) = question.reply else {
                continue;
            };
            // Each at once: a slow answer (an SFU's join) holds no other.
            let (client, answer) = (self.client.clone(), answer.clone());
            tokio::spawn(async move {
                let answered = answer(question.payload).await;
                if let Err(e) = client.publish(reply, answered.into()).await {
                    tracing::warn!(error = %e, "answering a node");
                }
            });
        }
    }

    fn me(&self) -> Bytes {
        Bytes::from(self.node.to_string())
    }

    fn questions(&self, node: u64, topic: &str) -> String {
        format!("{}.ask.{node}.{topic}", self.subject)
    }
}

fn parse_node(value: &[u8]) -> Option<u64> {
    std::str::from_utf8(value).ok()?.parse().ok()
}
