//! Fan-out between server nodes.
//!
//! The database is the source of truth: the bus only says "chat X has
//! events up to seq N". The node that committed a message hands it to its
//! own hub at once; every other node, told by the bus, reads what it has
//! not relayed yet from the store (`Delivery::relay`). NATS core delivers at
//! most once: a notice that is lost is made up by the next one for that
//! chat, which reads from the node's relayed cursor, and clients fill any
//! gap by sequence themselves.

use async_trait::async_trait;
use courier_protocol::{ChatId, Seq, ServerFrame, UserId};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

/// What a node tells the others: committed events by seq (read back from
/// the store, never carried), membership changes, ended sessions, and
/// frames addressed to a chat's or a user's connections. A new capability
/// adds frames, not notices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Notice {
    /// `chat` has events up to `seq`.
    Events { chat: ChatId, seq: Seq },
    /// `user` was added to `chat` (or their place in it changed): their
    /// sockets on every node follow it and get it again.
    Joined { user: UserId, chat: ChatId },
    /// `user` was removed from `chat`: their sockets on every node stop
    /// following it.
    Left { user: UserId, chat: ChatId },
    /// A session ended (signed out): its sockets on every node close. The
    /// hash of its token, in hex.
    SessionEnded { session: String },
    /// A frame for the connections `to` names, on every node.
    Frame {
        to: Audience,
        frame: Box<ServerFrame>,
    },
}

/// Whose connections an addressed frame goes to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Every connection following the chat.
    Chat(ChatId),
    /// Every connection of the user.
    User(UserId),
}

#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Tells the other nodes.
    async fn announce(&self, notice: Notice);
}

/// A single node: there is nobody else to tell.
pub struct LocalBus;

#[async_trait]
impl Bus for LocalBus {
    async fn announce(&self, _notice: Notice) {}
}

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("connecting to NATS: {0}")]
    Connect(#[from] async_nats::ConnectError),
    #[error("subscribing: {0}")]
    Subscribe(#[from] async_nats::SubscribeError),
}

/// What travels on the bus.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    /// The sending node, which ignores its own notices.
    node: u64,
    notice: Notice,
}

/// Many nodes over NATS core publish/subscribe on one subject.
pub struct NatsBus {
    client: async_nats::Client,
    subject: String,
    node: u64,
}

impl NatsBus {
    /// Connects and subscribes; [`NatsBus::listen`] then relays notices.
    pub async fn connect(
        url: &str,
        subject: &str,
    ) -> Result<(NatsBus, async_nats::Subscriber), BusError> {
        let client = async_nats::connect(url).await?;
        let subscriber = client.subscribe(subject.to_owned()).await?;
        let node = rand::random();
        Ok((
            NatsBus {
                client,
                subject: subject.to_owned(),
                node,
            },
            subscriber,
        ))
    }

    /// Hands other nodes' notices to `relay` until the subscription ends.
    pub async fn listen<F, Fut>(node: u64, mut subscriber: async_nats::Subscriber, relay: F)
    where
        F: Fn(Notice) -> Fut,
        Fut: Future<Output = ()>,
    {
        while let Some(message) = subscriber.next().await {
            match serde_json::from_slice::<Envelope>(&message.payload) {
                Ok(envelope) if envelope.node != node => relay(envelope.notice).await,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "bad notice on the bus"),
            }
        }
    }

    pub fn node(&self) -> u64 {
        self.node
    }

    /// The connection, for the cluster's other uses of NATS.
    pub fn client(&self) -> async_nats::Client {
        self.client.clone()
    }
}

#[async_trait]
impl Bus for NatsBus {
    async fn announce(&self, notice: Notice) {
        let payload = serde_json::to_vec(&Envelope {
            node: self.node,
            notice,
        })
        .unwrap_or_default();
        if let Err(e) = self
            .client
            .publish(self.subject.clone(), payload.into())
            .await
        {
            // The next notice for the chat makes up for this one.
            tracing::warn!(error = %e, "announcing on the bus");
        }
    }
}
