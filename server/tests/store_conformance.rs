//! One storage suite, run against SQLite (a temporary file) and against the
//! PostgreSQL on this machine (a fresh database per test; set
//! COURIER_TEST_POSTGRES to point elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use courier_protocol::{ChatId, ChatKind, ClientMsgId, Seq, UserId, UserKind};
use courier_server::store::{NewChat, NewUser, PgStore, SqliteStore, Store, StoreError};

mod common;

use common::TestDatabase;

/// A store under test and what to clean up after it.
struct Backend {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
    database: Option<TestDatabase>,
}

impl Backend {
    async fn sqlite() -> Backend {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        Backend { store: Arc::new(store), _dir: Some(dir), database: None }
    }

    async fn postgres() -> Backend {
        let database = TestDatabase::create().await;
        let store = PgStore::open(&database.url).await.unwrap();
        Backend { store: Arc::new(store), _dir: None, database: Some(database) }
    }

    async fn finish(self) {
        drop(self.store);
        if let Some(database) = self.database {
            database.drop_now().await;
        }
    }
}

macro_rules! conformance {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $test() {
                let backend = super::Backend::sqlite().await;
                super::$test(&*backend.store).await;
                backend.finish().await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $test() {
                let backend = super::Backend::postgres().await;
                super::$test(&*backend.store).await;
                backend.finish().await;
            })*
        }
    };
}

conformance!(
    accounts_and_guests,
    sessions_expire_and_end,
    chats_members_and_invites,
    one_batch_keeps_every_invariant,
    history_pages_by_cursor,
);

fn user<'a>(name: &'a str, kind: UserKind) -> NewUser<'a> {
    let username = (kind == UserKind::Account).then_some(name);
    NewUser { username, name, password_hash: username.map(|_| "phc"), kind, now: 1 }
}

async fn group(store: &dyn Store, name: &str, invite: &str, members: &[UserId]) -> ChatId {
    let chat = NewChat { kind: ChatKind::Group, name: Some(name), invite, direct_key: None, members, now: 1 };
    store.create_chat(chat).await.unwrap()
}

async fn accounts_and_guests(store: &dyn Store) {
    let alice = store.create_user(user("alice", UserKind::Account)).await.unwrap();
    assert_eq!((alice.username.as_deref(), alice.kind), (Some("alice"), UserKind::Account));
    assert!(matches!(store.create_user(user("alice", UserKind::Account)).await, Err(StoreError::UsernameTaken)));
    let (found, hash) = store.credentials("alice").await.unwrap().unwrap();
    assert_eq!((found, hash.as_str()), (alice.clone(), "phc"));
    assert!(store.credentials("nobody").await.unwrap().is_none());

    let gus = store.create_user(user("Gus", UserKind::Guest)).await.unwrap();
    assert_eq!((gus.username.clone(), gus.kind), (None, UserKind::Guest));
    assert!(matches!(store.claim_account(gus.id, "alice", "h").await, Err(StoreError::UsernameTaken)));
    let claimed = store.claim_account(gus.id, "gus", "h").await.unwrap();
    assert_eq!((claimed.id, claimed.kind, claimed.username.as_deref()), (gus.id, UserKind::Account, Some("gus")));
    assert!(matches!(store.claim_account(alice.id, "alice2", "h").await, Err(StoreError::NotGuest)));
}

async fn sessions_expire_and_end(store: &dyn Store) {
    let alice = store.create_user(user("alice", UserKind::Account)).await.unwrap();
    store.create_session(b"live", alice.id, 10, 1000).await.unwrap();
    store.create_session(b"old", alice.id, 10, 20).await.unwrap();
    assert_eq!(store.session_user(b"live", 500).await.unwrap(), Some(alice.clone()));
    assert_eq!(store.session_user(b"old", 500).await.unwrap(), None, "expired");
    store.delete_session(b"live").await.unwrap();
    assert_eq!(store.session_user(b"live", 500).await.unwrap(), None, "ended");
}

async fn chats_members_and_invites(store: &dyn Store) {
    let alice = store.create_user(user("alice", UserKind::Account)).await.unwrap().id;
    let bob = store.create_user(user("bob", UserKind::Account)).await.unwrap().id;
    let carol = store.create_user(user("carol", UserKind::Account)).await.unwrap().id;
    let direct = NewChat { kind: ChatKind::Direct, name: None, invite: "d1", direct_key: Some("1:2"), members: &[alice, bob], now: 1 };
    let direct = store.create_chat(direct).await.unwrap();
    assert_eq!(store.direct_chat("1:2").await.unwrap(), Some(direct));
    assert_eq!(store.chat_summary(direct, alice).await.unwrap().unwrap().title, "bob", "titled by the other person");
    assert_eq!(store.chat_summary(direct, bob).await.unwrap().unwrap().title, "alice");
    assert!(store.chat_by_invite("d1").await.unwrap().is_none(), "direct chats are not joined by code");

    let team = group(store, "Team", "t1", &[alice]).await;
    let target = store.chat_by_invite("t1").await.unwrap().unwrap();
    assert_eq!((target.chat, target.name.as_deref(), target.member_count), (team, Some("Team"), 1));
    assert!(store.add_member(team, carol, 2).await.unwrap());
    assert!(!store.add_member(team, carol, 3).await.unwrap(), "already a member");
    assert!(store.is_member(team, carol).await.unwrap());
    assert!(!store.is_member(team, bob).await.unwrap());
    let names: Vec<String> = store.members(team).await.unwrap().into_iter().map(|m| m.name).collect();
    assert_eq!(names, ["alice", "carol"]);
    assert_eq!(store.chat_summary(team, alice).await.unwrap().unwrap().member_count, 2);
    assert!(store.chat_summary(team, bob).await.unwrap().is_none(), "not a member");
    let mut mine: Vec<ChatId> = store.chats_of(alice).await.unwrap().into_iter().map(|c| c.id).collect();
    mine.sort();
    assert_eq!(mine, [direct, team]);
    assert_eq!(store.user_by_username("carol").await.unwrap().map(|u| u.id), Some(carol));
}

/// Sends racing into one group commit: a repeated id is stored once, a
/// non-member is refused without failing the others, and sequences stay
/// gap-free in queue order.
async fn one_batch_keeps_every_invariant(store: &dyn Store) {
    let alice = store.create_user(user("alice", UserKind::Account)).await.unwrap().id;
    let mallory = store.create_user(user("mallory", UserKind::Account)).await.unwrap().id;
    let chat = group(store, "g", "inv", &[alice]).await;
    let id = |s: &str| ClientMsgId(s.into());
    let (ida, idb, idx, idc) = (id("a"), id("b"), id("x"), id("c"));
    let (a, b, c, d, e) = tokio::join!(
        store.append_message(chat, alice, &ida, "one", 1),
        store.append_message(chat, alice, &idb, "two", 2),
        store.append_message(chat, mallory, &idx, "intrude", 3),
        store.append_message(chat, alice, &ida, "one", 1),
        store.append_message(chat, alice, &idc, "three", 4),
    );
    let (a, b, d, e) = (a.unwrap(), b.unwrap(), d.unwrap(), e.unwrap());
    assert!(matches!(c, Err(StoreError::NotMember)));
    assert_eq!((a.fresh, d.fresh), (true, false));
    assert_eq!(a.message, d.message);
    assert_eq!([a.message.seq, b.message.seq, e.message.seq], [Seq(1), Seq(2), Seq(3)]);
    assert_eq!(a.message.sender_name, "alice");
    let all = store.messages_after(chat, Seq::ZERO, 10).await.unwrap();
    assert_eq!(all.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(), ["one", "two", "three"]);
    let again = store.append_message(chat, alice, &idb, "two", 2).await.unwrap();
    assert_eq!((again.fresh, again.message.seq), (false, Seq(2)), "a later batch sees earlier ids");
    let summary = store.chat_summary(chat, alice).await.unwrap().unwrap();
    assert_eq!((summary.last_seq, summary.last.map(|m| m.text)), (Seq(3), Some("three".into())));
}

async fn history_pages_by_cursor(store: &dyn Store) {
    let alice = store.create_user(user("alice", UserKind::Account)).await.unwrap().id;
    let chat = group(store, "g", "inv", &[alice]).await;
    for i in 0..25 {
        store.append_message(chat, alice, &ClientMsgId(format!("m{i}")), &format!("text {i}"), i).await.unwrap();
    }
    let page = store.messages_after(chat, Seq(10), 5).await.unwrap();
    assert_eq!(page.iter().map(|m| m.seq.0).collect::<Vec<_>>(), [11, 12, 13, 14, 15]);
    assert!(store.messages_after(chat, Seq(25), 5).await.unwrap().is_empty());
}
