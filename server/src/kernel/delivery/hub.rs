//! Which connections are on this node and which chats they follow.
//!
//! Fan-out encodes a frame once and hands the same bytes to every follower's
//! bounded queue with `try_send`: a follower whose queue is full is too slow,
//! so it is dropped from the hub and told to close; it resumes by cursor when
//! it reconnects. Nothing here ever waits on a client.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use courier_protocol::{ChatId, ServerFrame, UserId};
use tokio::sync::{Notify, mpsc};

pub type ConnId = u64;

/// A frame encoded once as JSON text: cloning it shares the bytes, so
/// fan-out hands the same ones to every follower. Made only from a
/// frame, so it is always UTF-8 (the socket's text frames check it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded(Bytes);

impl Encoded {
    pub fn new(frame: &ServerFrame) -> Encoded {
        Encoded(Bytes::from(frame.encode()))
    }

    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The hub's end of one connection.
pub struct Follower {
    /// The live queue the connection's writer drains.
    pub queue: mpsc::Sender<Encoded>,
    /// Notified when the hub gives up on the connection (a full queue).
    pub kick: Arc<Notify>,
}

struct Conn {
    user: UserId,
    /// The hash of the session token the socket was opened with.
    session: Vec<u8>,
    follower: Follower,
    chats: HashSet<ChatId>,
    /// Chats this connection was told it left: the chat list read when it
    /// opened may predate that, and must not follow them again.
    left: HashSet<ChatId>,
}

#[derive(Default)]
struct Inner {
    next_id: ConnId,
    conns: HashMap<ConnId, Conn>,
    by_user: HashMap<UserId, HashSet<ConnId>>,
    by_chat: HashMap<ChatId, HashSet<ConnId>>,
}

impl Inner {
    fn conns_of(&self, user: UserId) -> Vec<ConnId> {
        self.by_user
            .get(&user)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    fn remove(&mut self, id: ConnId) -> Option<Conn> {
        let conn = self.conns.remove(&id)?;
        if let Some(set) = self.by_user.get_mut(&conn.user) {
            set.remove(&id);
            if set.is_empty() {
                self.by_user.remove(&conn.user);
            }
        }
        for chat in &conn.chats {
            if let Some(set) = self.by_chat.get_mut(chat) {
                set.remove(&id);
                if set.is_empty() {
                    self.by_chat.remove(chat);
                }
            }
        }
        Some(conn)
    }
}

#[derive(Default)]
pub struct Hub {
    inner: Mutex<Inner>,
}

/// Keeps a connection in the hub; leaving the hub happens on drop, so no
/// exit path of a connection task can leak an entry.
pub struct Registration {
    hub: Arc<Hub>,
    id: ConnId,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.hub.lock().remove(self.id);
    }
}

impl Hub {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain maps consistent enough
        // to keep serving; poisoning would take every connection down.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a connection following no chat yet; [`Hub::follow`] adds them.
    pub fn register(
        self: &Arc<Self>,
        user: UserId,
        session: Vec<u8>,
        follower: Follower,
    ) -> Registration {
        let mut inner = self.lock();
        let id = inner.next_id;
        inner.next_id += 1;
        inner.by_user.entry(user).or_default().insert(id);
        inner.conns.insert(
            id,
            Conn {
                user,
                session,
                follower,
                chats: HashSet::new(),
                left: HashSet::new(),
            },
        );
        Registration {
            hub: Arc::clone(self),
            id,
        }
    }

    pub fn connections_of(&self, user: UserId) -> usize {
        self.lock().by_user.get(&user).map_or(0, HashSet::len)
    }

    /// Every user with a connection here.
    pub fn users(&self) -> Vec<UserId> {
        self.lock().by_user.keys().copied().collect()
    }

    /// Closes every connection opened with this session (sign-out).
    pub fn end_session(&self, session: &[u8]) {
        let mut inner = self.lock();
        let ids: Vec<ConnId> = inner
            .conns
            .iter()
            .filter(|(_, c)| c.session == session)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(conn) = inner.remove(id) {
                conn.follower.kick.notify_one();
            }
        }
    }

    /// The sessions that connections here were opened with.
    pub fn sessions(&self) -> Vec<Vec<u8>> {
        let inner = self.lock();
        let sessions: HashSet<&Vec<u8>> = inner.conns.values().map(|c| &c.session).collect();
        sessions.into_iter().cloned().collect()
    }

    /// Every open connection of `user` starts following `chat`.
    pub fn follow(&self, user: UserId, chat: ChatId) {
        let mut inner = self.lock();
        let ids = inner.conns_of(user);
        for id in ids {
            if let Some(conn) = inner.conns.get_mut(&id) {
                conn.chats.insert(chat);
                conn.left.remove(&chat);
                inner.by_chat.entry(chat).or_default().insert(id);
            }
        }
    }

    /// A new connection follows the chats of the list read after it
    /// registered, except those it was told since that it left.
    pub fn follow_listed(&self, registration: &Registration, chats: &[ChatId]) {
        let id = registration.id;
        let mut inner = self.lock();
        let Some(conn) = inner.conns.get_mut(&id) else {
            return;
        };
        let listed: Vec<ChatId> = chats
            .iter()
            .copied()
            .filter(|chat| !conn.left.contains(chat))
            .collect();
        conn.chats.extend(listed.iter().copied());
        for chat in listed {
            inner.by_chat.entry(chat).or_default().insert(id);
        }
    }

    /// Every open connection of `user` stops following `chat` (they left
    /// or were removed) and is told so with `frame`, in that order, so no
    /// event of the chat reaches them after it.
    pub fn unfollow(&self, user: UserId, chat: ChatId, frame: &ServerFrame) {
        let bytes = Encoded::new(frame);
        let mut inner = self.lock();
        let ids = inner.conns_of(user);
        for &id in &ids {
            if let Some(conn) = inner.conns.get_mut(&id) {
                conn.chats.remove(&chat);
                conn.left.insert(chat);
            }
            if let Some(set) = inner.by_chat.get_mut(&chat) {
                set.remove(&id);
                if set.is_empty() {
                    inner.by_chat.remove(&chat);
                }
            }
        }
        Self::deliver(&mut inner, ids, &bytes);
    }

    /// Sends `frame` to every connection following `chat`.
    pub fn publish(&self, chat: ChatId, frame: &ServerFrame) {
        let bytes = Encoded::new(frame);
        let mut inner = self.lock();
        let ids: Vec<ConnId> = inner
            .by_chat
            .get(&chat)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        Self::deliver(&mut inner, ids, &bytes);
    }

    /// Sends `frame` to every connection of `user`.
    pub fn send_to_user(&self, user: UserId, frame: &ServerFrame) {
        let bytes = Encoded::new(frame);
        let mut inner = self.lock();
        let ids = inner.conns_of(user);
        Self::deliver(&mut inner, ids, &bytes);
    }

    fn deliver(inner: &mut Inner, ids: Vec<ConnId>, bytes: &Encoded) {
        for id in ids {
            let full = inner
                .conns
                .get(&id)
                .is_some_and(|c| c.follower.queue.try_send(bytes.clone()).is_err());
            if full && let Some(conn) = inner.remove(id) {
                tracing::info!(conn = id, user = conn.user.0, "dropping a slow connection");
                conn.follower.kick.notify_one();
            }
        }
    }

    /// Every chat some connection on this node follows.
    pub fn followed_chats(&self) -> Vec<ChatId> {
        self.lock().by_chat.keys().copied().collect()
    }

    pub fn has_followers(&self, chat: ChatId) -> bool {
        self.lock().by_chat.contains_key(&chat)
    }

    pub fn connection_count(&self) -> usize {
        self.lock().conns.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn follower(capacity: usize) -> (Follower, mpsc::Receiver<Encoded>, Arc<Notify>) {
        let (queue, rx) = mpsc::channel(capacity);
        let kick = Arc::new(Notify::new());
        (
            Follower {
                queue,
                kick: Arc::clone(&kick),
            },
            rx,
            kick,
        )
    }

    #[tokio::test]
    async fn fan_out_reaches_followers_only() {
        let hub = Arc::new(Hub::default());
        let (a, mut rx_a, _) = follower(8);
        let (b, mut rx_b, _) = follower(8);
        let _ra = hub.register(UserId(1), vec![1], a);
        let _rb = hub.register(UserId(2), vec![2], b);
        hub.follow(UserId(1), ChatId(1));
        hub.follow(UserId(2), ChatId(2));
        hub.publish(ChatId(1), &ServerFrame::Pong);
        assert_eq!(
            rx_a.recv().await.map(|b| b.as_bytes().to_vec()),
            Some(br#"{"t":"pong"}"#.to_vec())
        );
        assert!(rx_b.try_recv().is_err());
        hub.follow(UserId(2), ChatId(1));
        hub.publish(ChatId(1), &ServerFrame::Pong);
        assert!(rx_b.recv().await.is_some());
    }

    #[tokio::test]
    async fn an_unfollowed_chat_reaches_nobody_after_the_farewell() {
        let hub = Arc::new(Hub::default());
        let (a, mut rx_a, _) = follower(8);
        let _ra = hub.register(UserId(1), vec![1], a);
        hub.follow(UserId(1), ChatId(1));
        hub.unfollow(UserId(1), ChatId(1), &ServerFrame::Left { chat: ChatId(1) });
        hub.publish(ChatId(1), &ServerFrame::Pong);
        assert_eq!(
            rx_a.recv().await.map(|b| b.as_bytes().to_vec()),
            Some(br#"{"t":"left","c":{"chat":1}}"#.to_vec())
        );
        assert!(rx_a.try_recv().is_err());
        assert!(!hub.has_followers(ChatId(1)));
    }

    #[tokio::test]
    async fn a_slow_follower_is_dropped_and_kicked_others_go_on() {
        let hub = Arc::new(Hub::default());
        let (slow, _rx_slow, kick) = follower(2);
        let (fast, mut rx_fast, _) = follower(64);
        let _rs = hub.register(UserId(1), vec![1], slow);
        let _rf = hub.register(UserId(2), vec![2], fast);
        hub.follow(UserId(1), ChatId(1));
        hub.follow(UserId(2), ChatId(1));
        for _ in 0..10 {
            hub.publish(ChatId(1), &ServerFrame::Pong);
        }
        // The kick's permit is stored, so this returns at once.
        kick.notified().await;
        assert_eq!(hub.connection_count(), 1);
        let mut got = 0;
        while rx_fast.try_recv().is_ok() {
            got += 1;
        }
        assert_eq!(got, 10);
    }

    #[tokio::test]
    async fn ending_a_session_kicks_only_its_connections() {
        let hub = Arc::new(Hub::default());
        let (a, _ra, kick_a) = follower(1);
        let (b, _rb, _) = follower(1);
        let _ga = hub.register(UserId(1), vec![1], a);
        let _gb = hub.register(UserId(1), vec![2], b);
        hub.end_session(&[1]);
        kick_a.notified().await;
        assert_eq!(hub.connections_of(UserId(1)), 1);
    }

    #[test]
    fn dropping_the_registration_leaves_the_hub() {
        let hub = Arc::new(Hub::default());
        let (f, _rx, _) = follower(1);
        let reg = hub.register(UserId(1), vec![1], f);
        hub.follow(UserId(1), ChatId(1));
        assert_eq!(hub.connection_count(), 1);
        drop(reg);
        assert_eq!(hub.connection_count(), 0);
        assert!(hub.lock().by_chat.is_empty() && hub.lock().by_user.is_empty());
    }
}
