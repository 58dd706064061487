//! Getting committed events and notices to every connection that should
//! have them: this node's [`hub`], the other nodes by the [`bus`], and the
//! relay that reads what the bus announced from the store (with a sweep for
//! notices the bus lost).

pub mod bus;
pub mod hub;
pub mod placement;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use courier_protocol::budget;
use courier_protocol::limits::MAX_EVENTS_PER_FRAME;
use courier_protocol::{ChatId, ChatSummary, ErrorCode, Seq, ServerFrame, UserId};

use super::db::{Appended, Store};
use super::error::Result;
use super::{from_hex, to_hex};
use bus::{Audience, Bus, Notice};
use hub::Hub;
use placement::Placement;

/// Chats whose newest seq one sweep query reads.
const SWEEP_PAGE: usize = 500;

pub struct Delivery {
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    bus: Arc<dyn Bus>,
    /// Where work held by one node lives, in a cluster.
    placement: Option<Placement>,
    /// Per chat, the newest seq this node has handed to its hub: where a
    /// relay from the bus reads on from.
    relayed: Mutex<HashMap<ChatId, Seq>>,
}

impl Delivery {
    pub fn new(
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
        bus: Arc<dyn Bus>,
        placement: Option<Placement>,
    ) -> Delivery {
        Delivery {
            store,
            hub,
            bus,
            placement,
            relayed: Mutex::default(),
        }
    }

    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// The cluster's placement; none on a single node, which holds all.
    pub fn placement(&self) -> Option<&Placement> {
        self.placement.as_ref()
    }

    fn relayed(&self) -> MutexGuard<'_, HashMap<ChatId, Seq>> {
        self.relayed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Acts on another node's notice for this node's connections.
    pub async fn relay(&self, notice: Notice) {
        match notice {
            Notice::Events { chat, seq } => self.relay_events(chat, seq).await,
            Notice::Joined { user, chat } => {
                if self.hub.connections_of(user) > 0
                    && let Err(code) = self.tell_member(chat, user).await
                {
                    tracing::error!(?code, chat = chat.0, "relaying a join");
                }
            }
            Notice::Left { user, chat } => {
                self.hub.unfollow(user, chat, &ServerFrame::Left { chat });
            }
            Notice::Frame {
                to: Audience::Chat(chat),
                frame,
            } => self.hub.publish(chat, &frame),
            Notice::Frame {
                to: Audience::User(user),
                frame,
            } => self.hub.send_to_user(user, &frame),
            Notice::SessionEnded { session } => {
                if let Some(hash) = from_hex(&session) {
                    self.hub.end_session(&hash);
                }
            }
        }
    }

    /// Acts on a notice here at once and on every other node by the bus.
    async fn tell_everywhere(&self, notice: Notice) {
        self.relay(notice.clone()).await;
        self.bus.announce(notice).await;
    }

    /// Hands `frame` to every connection following `chat`, on every node.
    pub async fn to_chat(&self, chat: ChatId, frame: ServerFrame) {
        let (to, frame) = (Audience::Chat(chat), Box::new(frame));
        self.tell_everywhere(Notice::Frame { to, frame }).await;
    }

    /// Hands `frame` to every connection of `user`, on every node.
    pub async fn to_user(&self, user: UserId, frame: ServerFrame) {
        let (to, frame) = (Audience::User(user), Box::new(frame));
        self.tell_everywhere(Notice::Frame { to, frame }).await;
    }

    /// Closes the sockets of the session whose token hashes to `hash`, on
    /// every node.
    pub async fn end_session(&self, hash: &[u8]) {
        let session = to_hex(hash);
        self.tell_everywhere(Notice::SessionEnded { session }).await;
    }

    /// `user` is no longer in `chat`: their connections, on every node,
    /// stop following it and are told so.
    pub async fn remove(&self, user: UserId, chat: ChatId) {
        self.hub.unfollow(user, chat, &ServerFrame::Left { chat });
        self.bus.announce(Notice::Left { user, chat }).await;
    }

    /// Events of `chat` up to `seq` were committed elsewhere: hand this
    /// node's followers everything after the node's relayed cursor, read
    /// from the store. Some may have gone out already (this node's own
    /// sends); clients drop repeats by (chat, seq).
    async fn relay_events(&self, chat: ChatId, seq: Seq) {
        let from = self.relayed().get(&chat).copied().unwrap_or(Seq(seq.0 - 1));
        if from >= seq || !self.hub.has_followers(chat) {
            return;
        }
        match self
            .store
            .messages_after(chat, from, MAX_EVENTS_PER_FRAME)
            .await
        {
            Ok(messages) => {
                if let Some(last) = messages.last() {
                    self.advance_relayed(chat, from, last.seq, true);
                    for messages in budget::by_bytes(messages, budget::message_bytes) {
                        self.hub
                            .publish(chat, &ServerFrame::Events { chat, messages });
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, chat = chat.0, "relaying from the store"),
        }
    }

    /// Makes up for bus notices this node missed (NATS core delivers at
    /// most once): for every chat its connections follow, relays what the
    /// store has past the node's relayed cursor. A chat with no cursor yet
    /// gets its newest event, which starts one (clients drop repeats).
    pub async fn sweep(&self) {
        let chats = self.hub.followed_chats();
        for page in chats.chunks(SWEEP_PAGE) {
            match self.store.last_seqs(page).await {
                Ok(lasts) => {
                    for (chat, last) in lasts {
                        let behind = self
                            .relayed()
                            .get(&chat)
                            .is_none_or(|relayed| *relayed < last);
                        if behind && last > Seq::ZERO {
                            self.relay_events(chat, last).await;
                        }
                    }
                }
                Err(e) => tracing::error!(error = %e, "sweeping for missed notices"),
            }
        }
    }

    /// Moves `chat`'s relayed cursor from `from` to `to`, unless it moved
    /// meanwhile. The cursor only ever means "everything up to here went
    /// out", so a local send past a gap does not move it, and only a relay
    /// (which read from `from` itself) may start one.
    fn advance_relayed(&self, chat: ChatId, from: Seq, to: Seq, may_start: bool) {
        let mut relayed = self.relayed();
        let current = relayed.get(&chat).copied();
        if current == Some(from) || (current.is_none() && may_start) {
            relayed.insert(chat, to);
        }
    }

    /// A newly stored event goes to this node's followers at once and, by a
    /// notice on the bus, to the other nodes'. A repeat (the client sent
    /// again after losing the ack) may be one whose first fan-out never
    /// ran, so it goes out again too (read back in the resend's
    /// transaction: as it stands now, edited or deleted); clients drop what
    /// they hold by seq.
    pub async fn fan_out(&self, chat: ChatId, appended: &Appended) {
        let seq = appended.message.seq;
        self.hub.publish(
            chat,
            &ServerFrame::Events {
                chat,
                messages: vec![appended.message.clone()],
            },
        );
        if appended.fresh {
            self.advance_relayed(chat, Seq(seq.0 - 1), seq, false);
        }
        self.bus.announce(Notice::Events { chat, seq }).await;
    }

    /// Tells `users`' open connections, on this node and the others, about
    /// the chat as each sees it, and makes those connections follow it.
    pub async fn announce(&self, chat: ChatId, users: &[UserId]) -> Result<()> {
        for &user in users {
            self.retell(chat, user).await?;
        }
        Ok(())
    }

    /// Tells `user`'s connections, here and on the other nodes, about the
    /// chat as they now see it (following it); the summary, unless they are
    /// not a member.
    pub async fn retell(&self, chat: ChatId, user: UserId) -> Result<Option<ChatSummary>> {
        let summary = self.tell_member(chat, user).await?;
        self.bus.announce(Notice::Joined { user, chat }).await;
        Ok(summary)
    }

    /// Follow first: a message committed while the summary is read then
    /// reaches the connection live. Then check: someone who is not a member
    /// (a stale or reordered notice, a removal racing the join) stops
    /// following at once. A removal's own unfollow comes after its commit,
    /// so whatever the order, the last word matches the store.
    async fn tell_member(&self, chat: ChatId, user: UserId) -> Result<Option<ChatSummary>> {
        self.hub.follow(user, chat);
        match self.store.chat_summary(chat, user).await {
            Ok(Some(summary)) => {
                self.hub.send_to_user(
                    user,
                    &ServerFrame::Chat {
                        chat: summary.clone(),
                    },
                );
                Ok(Some(summary))
            }
            Ok(None) => {
                self.hub.unfollow(user, chat, &ServerFrame::Left { chat });
                Ok(None)
            }
            Err(e) => Err(ErrorCode::from(e)),
        }
    }
}
