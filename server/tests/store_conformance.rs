//! One storage suite, run against SQLite (a temporary file) and against the
//! PostgreSQL on this machine (a fresh database per test; set
//! COURIER_TEST_POSTGRES to point elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use courier_protocol::http::{ChatSettings, NewInvite, ReadCursor, ScheduledPost};
use courier_protocol::model::folder::Folder;
use courier_protocol::model::message::ViewCount;
use courier_protocol::policy::SEEN_BY_MAX_MEMBERS;
use courier_protocol::{
    CallEnd, CallId, ChatId, ChatKind, ClientMsgId, Content, LegId, Rights, Role, Seq, UserId,
    UserKind,
};
use courier_server::kernel::db::{
    Due, Expiry, Lookup, NewCall, NewChat, NewUser, PgStore, Post, Rang, ReadMoved, Redeemed,
    RingOut, Search, SqliteStore, Store, StoreError,
};
use courier_server::kernel::jobs::{Job, NewJob};

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
        Backend {
            store: Arc::new(store),
            _dir: Some(dir),
            database: None,
        }
    }

    async fn postgres() -> Backend {
        let database = TestDatabase::create().await;
        let store = PgStore::open(&database.url).await.unwrap();
        Backend {
            store: Arc::new(store),
            _dir: None,
            database: Some(database),
        }
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
    roles_rights_and_bans,
    channels_slow_mode_and_signatures,
    invite_links_live_and_die,
    members_page_and_views_count_once,
    reads_search_and_forwards,
    scheduled_and_expiring,
    jobs_are_claimed_once,
    deliveries_and_folders,
    the_directory_finds_people_and_public_chats,
    calls_ring_answer_and_end_once,
);

fn user<'a>(name: &'a str, kind: UserKind) -> NewUser<'a> {
    let username = (kind == UserKind::Account).then_some(name);
    NewUser {
        username,
        name,
        password_hash: username.map(|_| "phc"),
        kind,
        now: 1,
    }
}

async fn group(store: &dyn Store, name: &str, invite: &str, members: &[UserId]) -> ChatId {
    let chat = NewChat {
        kind: ChatKind::Group,
        name: Some(name),
        invite,
        direct_key: None,
        members,
        now: 1,
    };
    store.create_chat(chat).await.unwrap()
}

async fn accounts_and_guests(store: &dyn Store) {
    let alice = store
        .create_user(user("alice", UserKind::Account))
        .await
        .unwrap();
    assert_eq!(
        (alice.username.as_deref(), alice.kind),
        (Some("alice"), UserKind::Account)
    );
    assert!(matches!(
        store.create_user(user("alice", UserKind::Account)).await,
        Err(StoreError::UsernameTaken)
    ));
    let (found, hash) = store.credentials("alice").await.unwrap().unwrap();
    assert_eq!((found, hash.as_str()), (alice.clone(), "phc"));
    assert!(store.credentials("nobody").await.unwrap().is_none());

    let gus = store
        .create_user(user("Gus", UserKind::Guest))
        .await
        .unwrap();
    assert_eq!((gus.username.clone(), gus.kind), (None, UserKind::Guest));
    assert!(matches!(
        store.claim_account(gus.id, "alice", "h").await,
        Err(StoreError::UsernameTaken)
    ));
    let claimed = store.claim_account(gus.id, "gus", "h").await.unwrap();
    assert_eq!(
        (claimed.id, claimed.kind, claimed.username.as_deref()),
        (gus.id, UserKind::Account, Some("gus"))
    );
    assert!(matches!(
        store.claim_account(alice.id, "alice2", "h").await,
        Err(StoreError::NotGuest)
    ));
}

async fn sessions_expire_and_end(store: &dyn Store) {
    let alice = store
        .create_user(user("alice", UserKind::Account))
        .await
        .unwrap();
    store
        .create_session(b"live", alice.id, "Firefox on Linux", 10, 1000)
        .await
        .unwrap();
    store
        .create_session(b"old", alice.id, "Chrome on Android", 10, 20)
        .await
        .unwrap();
    store
        .create_session(b"other", alice.id, "Safari on iOS", 11, 1000)
        .await
        .unwrap();
    // Devices: only live ones, the most recently seen first; seen at most
    // once a minute; renamed only by their user.
    store.touch_session(b"live", 70_000).await.unwrap();
    store.touch_session(b"live", 70_500).await.unwrap();
    let devices = store.sessions_of(alice.id, 500).await.unwrap();
    let names: Vec<(&str, i64)> = devices
        .iter()
        .map(|d| (d.name.as_str(), d.last_seen_at))
        .collect();
    assert_eq!(names, [("Firefox on Linux", 70_000), ("Safari on iOS", 11)]);
    assert!(
        !store
            .rename_session(UserId(999), b"other", "x")
            .await
            .unwrap()
    );
    assert!(
        store
            .rename_session(alice.id, b"other", "iPhone")
            .await
            .unwrap()
    );
    // A new password ends every session but the one that set it.
    let ended = store.end_sessions(alice.id, b"live").await.unwrap();
    assert_eq!(ended.len(), 2, "{ended:?}");
    assert_eq!(store.sessions_of(alice.id, 500).await.unwrap().len(), 1);
    assert_eq!(
        store.session_user(b"live", 500).await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        store.session_user(b"old", 500).await.unwrap(),
        None,
        "expired"
    );
    store.delete_session(b"live").await.unwrap();
    assert_eq!(
        store.session_user(b"live", 500).await.unwrap(),
        None,
        "ended"
    );
}

async fn chats_members_and_invites(store: &dyn Store) {
    let alice = store
        .create_user(user("alice", UserKind::Account))
        .await
        .unwrap()
        .id;
    let bob = store
        .create_user(user("bob", UserKind::Account))
        .await
        .unwrap()
        .id;
    let carol = store
        .create_user(user("carol", UserKind::Account))
        .await
        .unwrap()
        .id;
    let direct = NewChat {
        kind: ChatKind::Direct,
        name: None,
        invite: "d1",
        direct_key: Some("1:2"),
        members: &[alice, bob],
        now: 1,
    };
    let direct = store.create_chat(direct).await.unwrap();
    assert_eq!(store.direct_chat("1:2").await.unwrap(), Some(direct));
    assert_eq!(
        store
            .chat_summary(direct, alice)
            .await
            .unwrap()
            .unwrap()
            .title,
        "bob",
        "titled by the other person"
    );
    assert_eq!(
        store
            .chat_summary(direct, bob)
            .await
            .unwrap()
            .unwrap()
            .title,
        "alice"
    );
    assert!(
        matches!(
            store.chat_by_invite("d1", 1).await,
            Err(StoreError::BadInvite)
        ),
        "direct chats are not joined by code"
    );

    let team = group(store, "Team", "t1", &[alice]).await;
    let target = store.chat_by_invite("t1", 1).await.unwrap();
    assert_eq!(
        (target.chat, target.name.as_str(), target.member_count),
        (team, "Team", 1)
    );
    assert!(store.add_member(team, carol, 2).await.unwrap());
    assert!(
        !store.add_member(team, carol, 3).await.unwrap(),
        "already a member"
    );
    assert!(store.membership(team, carol).await.unwrap().is_some());
    assert!(store.membership(team, bob).await.unwrap().is_none());
    let names: Vec<String> = store
        .members(team, UserId(0), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.user.name)
        .collect();
    assert_eq!(names, ["alice", "carol"]);
    assert_eq!(
        store
            .chat_summary(team, alice)
            .await
            .unwrap()
            .unwrap()
            .member_count,
        2
    );
    assert!(
        store.chat_summary(team, bob).await.unwrap().is_none(),
        "not a member"
    );
    let mut mine: Vec<ChatId> = store
        .chats_of(alice)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    mine.sort();
    assert_eq!(mine, [direct, team]);
    assert_eq!(
        store.user_by_username("carol").await.unwrap().map(|u| u.id),
        Some(carol)
    );
}

/// Sends racing into one group commit: a repeated id is stored once, a
/// non-member is refused without failing the others, and sequences stay
/// gap-free in queue order.
async fn one_batch_keeps_every_invariant(store: &dyn Store) {
    let alice = store
        .create_user(user("alice", UserKind::Account))
        .await
        .unwrap()
        .id;
    let mallory = store
        .create_user(user("mallory", UserKind::Account))
        .await
        .unwrap()
        .id;
    let chat = group(store, "g", "inv", &[alice]).await;
    let id = |s: &str| ClientMsgId(s.into());
    let (ida, idb, idx, idc) = (id("a"), id("b"), id("x"), id("c"));
    let (a, b, c, d, e) = tokio::join!(
        store.append_message(chat, alice, &ida, Post::of(Content::text("one")), 1),
        store.append_message(chat, alice, &idb, Post::of(Content::text("two")), 2),
        store.append_message(chat, mallory, &idx, Post::of(Content::text("intrude")), 3),
        store.append_message(chat, alice, &ida, Post::of(Content::text("one")), 1),
        store.append_message(chat, alice, &idc, Post::of(Content::text("three")), 4),
    );
    let (a, b, d, e) = (a.unwrap(), b.unwrap(), d.unwrap(), e.unwrap());
    assert!(matches!(c, Err(StoreError::NotMember)));
    assert_eq!((a.fresh, d.fresh), (true, false));
    assert_eq!(a.message, d.message);
    assert_eq!(
        [a.message.seq, b.message.seq, e.message.seq],
        [Seq(1), Seq(2), Seq(3)]
    );
    assert_eq!(a.message.sender_name, "alice");
    let all = store.messages_after(chat, Seq::ZERO, 10).await.unwrap();
    assert_eq!(
        all.iter().map(|m| m.text()).collect::<Vec<_>>(),
        ["one", "two", "three"]
    );
    let again = store
        .append_message(chat, alice, &idb, Post::of(Content::text("two")), 2)
        .await
        .unwrap();
    assert_eq!(
        (again.fresh, again.message.seq),
        (false, Seq(2)),
        "a later batch sees earlier ids"
    );
    let summary = store.chat_summary(chat, alice).await.unwrap().unwrap();
    assert_eq!(
        (summary.last_seq, summary.last.map(|m| m.text().to_string())),
        (Seq(3), Some("three".into()))
    );
}

async fn history_pages_by_cursor(store: &dyn Store) {
    let alice = store
        .create_user(user("alice", UserKind::Account))
        .await
        .unwrap()
        .id;
    let chat = group(store, "g", "inv", &[alice]).await;
    for i in 0..25 {
        store
            .append_message(
                chat,
                alice,
                &ClientMsgId(format!("m{i}")),
                Post::of(Content::text(format!("text {i}"))),
                i,
            )
            .await
            .unwrap();
    }
    let page = store.messages_after(chat, Seq(10), 5).await.unwrap();
    assert_eq!(
        page.iter().map(|m| m.seq.0).collect::<Vec<_>>(),
        [11, 12, 13, 14, 15]
    );
    assert!(
        store
            .messages_after(chat, Seq(25), 5)
            .await
            .unwrap()
            .is_empty()
    );
    // Older history pages down from a cursor, oldest first in each page.
    let older = store.messages_before(chat, Seq(11), 5).await.unwrap();
    assert_eq!(
        older.iter().map(|m| m.seq.0).collect::<Vec<_>>(),
        [6, 7, 8, 9, 10]
    );
    let first = store.messages_before(chat, Seq(3), 5).await.unwrap();
    assert_eq!(first.iter().map(|m| m.seq.0).collect::<Vec<_>>(), [1, 2]);
    assert!(
        store
            .messages_before(chat, Seq(1), 5)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn channel(store: &dyn Store, name: &str, invite: &str, owner: UserId) -> ChatId {
    let chat = NewChat {
        kind: ChatKind::Channel,
        name: Some(name),
        invite,
        direct_key: None,
        members: &[owner],
        now: 1,
    };
    store.create_chat(chat).await.unwrap()
}

async fn send(
    store: &dyn Store,
    chat: ChatId,
    sender: UserId,
    id: &str,
    at: i64,
) -> Result<Seq, StoreError> {
    store
        .append_message(
            chat,
            sender,
            &ClientMsgId(id.into()),
            Post::of(Content::text(id)),
            at,
        )
        .await
        .map(|a| a.message.seq)
}

/// The creator owns; the owner cannot be demoted or removed; a ban takes
/// a member out and keeps them out until unbanned.
async fn roles_rights_and_bans(store: &dyn Store) {
    let alice = store
        .create_user(user("alice", UserKind::Account))
        .await
        .unwrap()
        .id;
    let bob = store
        .create_user(user("bob", UserKind::Account))
        .await
        .unwrap()
        .id;
    let team = group(store, "Team", "t1", &[alice]).await;
    store.add_member(team, bob, 2).await.unwrap();
    let owner = store.membership(team, alice).await.unwrap().unwrap();
    assert_eq!((owner.role, owner.rights), (Role::Owner, Rights::ALL));
    let member = store.membership(team, bob).await.unwrap().unwrap();
    assert_eq!(
        (member.role, member.rights.post, member.rights.ban),
        (Role::Member, true, false)
    );

    let rights = Rights {
        ban: true,
        ..Rights::NONE
    };
    assert!(
        store
            .set_role(team, bob, Role::Admin, rights)
            .await
            .unwrap()
    );
    let admin = store.membership(team, bob).await.unwrap().unwrap();
    assert_eq!((admin.role, admin.rights), (Role::Admin, rights));
    assert!(
        !store
            .set_role(team, alice, Role::Member, Rights::NONE)
            .await
            .unwrap(),
        "the owner stays owner"
    );
    assert!(
        !store.remove_member(team, alice, true, 3).await.unwrap(),
        "the owner cannot be removed"
    );

    assert!(store.remove_member(team, bob, true, 3).await.unwrap());
    assert!(store.membership(team, bob).await.unwrap().is_none());
    assert_eq!(
        store
            .chat_summary(team, alice)
            .await
            .unwrap()
            .unwrap()
            .member_count,
        1
    );
    assert!(matches!(
        send(store, team, bob, "late", 4).await,
        Err(StoreError::NotMember)
    ));
    assert!(matches!(
        store.add_member(team, bob, 4).await,
        Err(StoreError::Banned)
    ));
    assert!(matches!(
        store.redeem_invite("t1", bob, 4).await,
        Err(StoreError::Banned)
    ));
    store.unban(team, bob).await.unwrap();
    assert!(store.add_member(team, bob, 5).await.unwrap());
    assert_eq!(
        store.membership(team, bob).await.unwrap().unwrap().role,
        Role::Member,
        "rejoins as a member"
    );
}

async fn channels_slow_mode_and_signatures(store: &dyn Store) {
    let alice = store
        .create_user(user("alice", UserKind::Account))
        .await
        .unwrap()
        .id;
    let sub = store
        .create_user(user("sub", UserKind::Account))
        .await
        .unwrap()
        .id;
    let news = channel(store, "News", "n1", alice).await;
    store.add_member(news, sub, 2).await.unwrap();
    let seen = store.chat_summary(news, sub).await.unwrap().unwrap();
    assert_eq!(
        (seen.kind, seen.rights.post, seen.invite.as_str()),
        (ChatKind::Channel, false, ""),
        "subscribers neither post nor share the admin link"
    );
    assert!(matches!(
        send(store, news, sub, "s1", 3).await,
        Err(StoreError::NotAllowed)
    ));
    assert_eq!(send(store, news, alice, "p1", 3).await.unwrap(), Seq(1));
    let post = store
        .messages_after(news, Seq::ZERO, 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        post.sender_name, "News",
        "an unsigned post is the channel's"
    );
    store
        .update_chat(
            news,
            &ChatSettings {
                signatures: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Signing is decided when a post is written: turning it on unveils no
    // earlier post, and names the author of the next.
    assert_eq!(send(store, news, alice, "p2", 4).await.unwrap(), Seq(2));
    let names: Vec<String> = store
        .messages_after(news, Seq::ZERO, 2)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.sender_name)
        .collect();
    assert_eq!(names, ["News", "alice"]);

    let team = group(store, "Team", "t1", &[alice]).await;
    store.add_member(team, sub, 2).await.unwrap();
    store
        .update_chat(
            team,
            &ChatSettings {
                slow_mode_s: Some(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(send(store, team, sub, "a", 1_000).await.unwrap(), Seq(1));
    assert!(matches!(
        send(store, team, sub, "b", 5_000).await,
        Err(StoreError::SlowMode)
    ));
    assert_eq!(
        send(store, team, sub, "a", 5_000).await.unwrap(),
        Seq(1),
        "a resend is no new message"
    );
    assert_eq!(
        send(store, team, alice, "o1", 5_000).await.unwrap(),
        Seq(2),
        "the owner is not slowed"
    );
    assert_eq!(send(store, team, sub, "c", 11_000).await.unwrap(), Seq(3));
    let (x, y) = tokio::join!(
        send(store, team, sub, "x", 30_000),
        send(store, team, sub, "y", 30_001)
    );
    assert_eq!(
        [x.is_ok(), y.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "one of two racing sends passes slow mode"
    );
}

async fn invite_links_live_and_die(store: &dyn Store) {
    let alice = store
        .create_user(user("alice", UserKind::Account))
        .await
        .unwrap()
        .id;
    let [b, c, d] = [
        store
            .create_user(user("bob", UserKind::Account))
            .await
            .unwrap()
            .id,
        store
            .create_user(user("carol", UserKind::Account))
            .await
            .unwrap()
            .id,
        store
            .create_user(user("dave", UserKind::Account))
            .await
            .unwrap()
            .id,
    ];
    let team = group(store, "Team", "main", &[alice]).await;
    let once = NewInvite {
        usage_limit: Some(1),
        ..Default::default()
    };
    store
        .create_invite(team, "once", &once, 1_000)
        .await
        .unwrap();
    let brief = NewInvite {
        expires_in_s: Some(60),
        ..Default::default()
    };
    store
        .create_invite(team, "brief", &brief, 1_000)
        .await
        .unwrap();
    store
        .create_invite(
            team,
            "ask",
            &NewInvite {
                needs_approval: true,
                ..Default::default()
            },
            1_000,
        )
        .await
        .unwrap();

    assert_eq!(
        store.redeem_invite("once", b, 2_000).await.unwrap(),
        Redeemed::Joined {
            chat: team,
            fresh: true
        }
    );
    assert!(matches!(
        store.redeem_invite("once", c, 2_000).await,
        Err(StoreError::InviteUsedUp)
    ));
    assert!(matches!(
        store.chat_by_invite("brief", 61_001).await,
        Err(StoreError::InviteExpired)
    ));
    assert!(store.chat_by_invite("brief", 60_999).await.is_ok());

    assert_eq!(
        store.redeem_invite("ask", c, 3_000).await.unwrap(),
        Redeemed::Requested { chat: team }
    );
    assert!(
        store.membership(team, c).await.unwrap().is_none(),
        "waits for approval"
    );
    assert_eq!(
        store
            .join_requests(team)
            .await
            .unwrap()
            .iter()
            .map(|r| r.user.id)
            .collect::<Vec<_>>(),
        [c]
    );
    assert!(store.answer_request(team, c, true, 4_000).await.unwrap());
    assert!(store.membership(team, c).await.unwrap().is_some());
    assert!(store.join_requests(team).await.unwrap().is_empty());

    assert!(
        store
            .revoke_invite(team, "main", "main2", 5_000)
            .await
            .unwrap()
    );
    assert!(matches!(
        store.redeem_invite("main", d, 6_000).await,
        Err(StoreError::InviteRevoked)
    ));
    assert_eq!(
        store.chat_by_invite("main2", 6_000).await.unwrap().chat,
        team
    );
    let links = store.invites(team).await.unwrap();
    assert_eq!((links[0].code.as_str(), links[0].primary), ("main2", true));
    assert!(
        links
            .iter()
            .any(|l| l.code == "once" && l.uses == 1 && l.usage_limit == Some(1))
    );
    assert!(!store.revoke_invite(team, "nope", "x", 7_000).await.unwrap());

    store
        .update_chat(
            team,
            &ChatSettings {
                handle: Some("team".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.chat_by_handle("team").await.unwrap().map(|t| t.chat),
        Some(team)
    );
    let other = group(store, "Other", "o1", &[alice]).await;
    let taken = store
        .update_chat(
            other,
            &ChatSettings {
                handle: Some("team".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(taken, Err(StoreError::HandleTaken)));
}

async fn members_page_and_views_count_once(store: &dyn Store) {
    let alice = store
        .create_user(user("alice", UserKind::Account))
        .await
        .unwrap()
        .id;
    let news = channel(store, "News", "n1", alice).await;
    let mut subs = Vec::new();
    for i in 0..5 {
        let sub = store
            .create_user(user(&format!("sub{i}"), UserKind::Account))
            .await
            .unwrap()
            .id;
        store.add_member(news, sub, 2).await.unwrap();
        subs.push(sub);
    }
    let first = store.members(news, UserId(0), 4).await.unwrap();
    let rest = store.members(news, first[3].user.id, 4).await.unwrap();
    assert_eq!((first.len(), rest.len()), (4, 2));
    assert_eq!(first[0].role, Role::Owner);

    for i in 0..3 {
        send(store, news, alice, &format!("p{i}"), 3).await.unwrap();
    }
    store.mark_read(news, subs[0], Seq(2)).await.unwrap();
    store.mark_read(news, subs[0], Seq(3)).await.unwrap();
    store.mark_read(news, subs[0], Seq(1)).await.unwrap();
    store.mark_read(news, subs[1], Seq(99)).await.unwrap();
    store.mark_read(news, alice, Seq(3)).await.unwrap();
    let views = store.views(news, &[Seq(1), Seq(2), Seq(3)]).await.unwrap();
    assert_eq!(
        views,
        [(1, 2), (2, 2), (3, 2)].map(|(s, v)| ViewCount {
            seq: Seq(s),
            views: v
        }),
        "each reader counts once per post; the author not at all"
    );
    assert!(matches!(
        store.mark_read(news, UserId(9999), Seq(1)).await,
        Err(StoreError::NotMember)
    ));
}

async fn deliveries_and_folders(store: &dyn Store) {
    let alice = store
        .create_user(user("alice", UserKind::Account))
        .await
        .unwrap()
        .id;
    let bob = store
        .create_user(user("bob", UserKind::Account))
        .await
        .unwrap()
        .id;
    let team = group(store, "Team", "t1", &[alice, bob]).await;
    for i in 1..=3 {
        send(store, team, alice, &format!("m{i}"), i).await.unwrap();
    }
    let delivered = |reads: Vec<ReadCursor>| {
        let bob_at = reads.into_iter().find(|r| r.user == bob).unwrap();
        (bob_at.seq, bob_at.delivered)
    };
    assert_eq!(
        store.mark_delivered(team, bob, Seq(9)).await.unwrap(),
        Some(Seq(3)),
        "clamped"
    );
    assert_eq!(
        store.mark_delivered(team, bob, Seq(2)).await.unwrap(),
        None,
        "never back"
    );
    assert_eq!(
        delivered(store.reads(team, 100).await.unwrap()),
        (Seq(0), Seq(3))
    );
    send(store, team, alice, "m4", 4).await.unwrap();
    store.mark_read(team, bob, Seq(4)).await.unwrap();
    assert_eq!(
        delivered(store.reads(team, 100).await.unwrap()),
        (Seq(4), Seq(4)),
        "reading delivers"
    );
    assert!(matches!(
        store.mark_delivered(team, UserId(9999), Seq(1)).await,
        Err(StoreError::NotMember)
    ));

    assert_eq!(store.folders(alice).await.unwrap(), Vec::new());
    let folders = vec![Folder {
        name: "Работа 💼".into(),
        groups: true,
        chats: vec![team],
        skip_read: true,
        ..Folder::default()
    }];
    store.set_folders(alice, &folders).await.unwrap();
    assert_eq!(store.folders(alice).await.unwrap(), folders);
    assert_eq!(
        store.folders(bob).await.unwrap(),
        Vec::new(),
        "each their own"
    );
    store.set_folders(alice, &[]).await.unwrap();
    assert_eq!(store.folders(alice).await.unwrap(), Vec::new());
}

async fn reads_search_and_forwards(store: &dyn Store) {
    let mut ids = Vec::new();
    for name in ["alice", "bob", "mallory"] {
        ids.push(
            store
                .create_user(user(name, UserKind::Account))
                .await
                .unwrap()
                .id,
        );
    }
    let (alice, bob, mallory) = (ids[0], ids[1], ids[2]);
    let team = group(store, "Team", "t1", &[alice, bob]).await;
    let own = group(store, "Own", "o1", &[mallory]).await;
    for (i, text) in ["Ünïcode ÉTÉ", "東京で会う", "50%_off", "ordinary"]
        .iter()
        .enumerate()
    {
        send(store, team, alice, text, i as i64 + 1).await.unwrap();
    }
    send(store, own, mallory, "東京 mine", 9).await.unwrap();
    let forward = Post {
        forwarded_from: Some("Carol"),
        ..Post::of(Content::text("ordinary"))
    };
    let copy = store
        .append_message(own, mallory, &ClientMsgId("fw".into()), forward, 10)
        .await
        .unwrap()
        .message;
    assert_eq!(copy.forwarded_from.as_deref(), Some("Carol"));
    let stored = store.messages_after(own, Seq(1), 1).await.unwrap();
    assert_eq!(
        stored[0].forwarded_from.as_deref(),
        Some("Carol"),
        "kept as stored"
    );

    let find = |who: UserId, text: &'static str, chat: Option<ChatId>| async move {
        let query = Search {
            text,
            chat,
            before: None,
            limit: 10,
        };
        let found = store.search(who, &query).await.unwrap();
        found
            .into_iter()
            .map(|m| m.text().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(find(bob, "été", None).await, ["Ünïcode ÉTÉ"]);
    assert_eq!(find(alice, "東京", None).await, ["東京で会う"]);
    assert_eq!(find(mallory, "東京", None).await, ["東京 mine"]);
    assert_eq!(find(alice, "0%_", Some(team)).await, ["50%_off"]);
    assert!(find(alice, "5_%", Some(team)).await.is_empty());
    assert!(
        find(alice, "東京", Some(own)).await.is_empty(),
        "not alice's chat"
    );

    assert_eq!(
        store.mark_read(team, bob, Seq(2)).await.unwrap(),
        Some(ReadMoved {
            seq: Seq(2),
            shared: true
        })
    );
    assert_eq!(store.mark_read(team, bob, Seq(1)).await.unwrap(), None);
    let reads = store.reads(team, 100).await.unwrap();
    assert!(reads.iter().any(|r| r.user == bob && r.seq == Seq(2)));
    assert!(
        store.reads(team, 1).await.unwrap().is_empty(),
        "over the limit: private"
    );
    let crowd = group(store, "Crowd", "c1", &[alice, bob]).await;
    for i in 0..SEEN_BY_MAX_MEMBERS {
        let id = store
            .create_user(user(&format!("m{i}"), UserKind::Account))
            .await
            .unwrap()
            .id;
        store.add_member(crowd, id, 2).await.unwrap();
    }
    send(store, crowd, alice, "to many", 20).await.unwrap();
    assert_eq!(
        store.mark_read(crowd, bob, Seq(1)).await.unwrap(),
        Some(ReadMoved {
            seq: Seq(1),
            shared: false
        }),
        "a big group's reads are not shared"
    );
}

async fn scheduled_and_expiring(store: &dyn Store) {
    let alice = store
        .create_user(user("alice", UserKind::Account))
        .await
        .unwrap()
        .id;
    let chat = group(store, "Team", "t1", &[alice]).await;
    let later = |id: &str, at| ScheduledPost {
        id: ClientMsgId(id.into()),
        content: Content::text(format!("text {id}")),
        at,
    };
    store
        .schedule(chat, alice, &later("s1", 100), 2)
        .await
        .unwrap();
    store
        .schedule(chat, alice, &later("s1", 999), 2)
        .await
        .unwrap();
    store
        .schedule(chat, alice, &later("s2", 200), 2)
        .await
        .unwrap();
    assert!(matches!(
        store.schedule(chat, alice, &later("s3", 300), 2).await,
        Err(StoreError::TooMany)
    ));
    let waiting = store.scheduled(chat, alice).await.unwrap();
    assert_eq!(
        waiting
            .iter()
            .map(|p| (p.id.0.as_str(), p.at))
            .collect::<Vec<_>>(),
        [("s1", 100), ("s2", 200)],
        "the same id twice keeps the first"
    );
    assert_eq!(store.waiting(Due::QUEUE).await.unwrap(), 2, "a job each");
    let due = store.claim(Due::QUEUE, 150, 10_150, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    // Claimed: nobody takes it again until the claim runs out.
    assert!(
        store
            .claim(Due::QUEUE, 160, 10_160, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store.claim(Due::QUEUE, 10_150, 20_150, 10).await.unwrap();
    assert_eq!(again.len(), 2, "s1 again, and s2");
    assert_eq!((again[0].id, again[0].attempts), (due[0].id, 2));
    let job: Due = serde_json::from_str(&due[0].payload).unwrap();
    assert_eq!(
        job,
        Due {
            chat,
            sender: alice,
            id: ClientMsgId("s1".into()),
            text: "text s1".into(),
        }
    );
    assert!(
        store
            .unschedule(chat, alice, &ClientMsgId("s1".into()))
            .await
            .unwrap()
    );
    assert!(
        !store
            .unschedule(chat, alice, &ClientMsgId("s1".into()))
            .await
            .unwrap()
    );
    assert_eq!(
        store.waiting(Due::QUEUE).await.unwrap(),
        1,
        "its job went with it"
    );
    // A failed run comes back when told, not before.
    store.retry(again[1].id, 50_000, "slow mode").await.unwrap();
    assert!(
        store
            .claim(Due::QUEUE, 49_999, 60_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retried = store.claim(Due::QUEUE, 50_000, 60_000, 10).await.unwrap();
    assert_eq!((retried[0].id, retried[0].attempts), (again[1].id, 2));
    store.finish(retried[0].id).await.unwrap();
    assert_eq!(store.waiting(Due::QUEUE).await.unwrap(), 0);

    let timer = ChatSettings {
        ttl_s: Some(10),
        ..ChatSettings::default()
    };
    store.update_chat(chat, &timer).await.unwrap();
    let seq = send(store, chat, alice, "brief", 1_000).await.unwrap();
    let early = send(store, chat, alice, "taken", 1_000).await.unwrap();
    assert!(
        store
            .claim(Expiry::QUEUE, 10_999, 20_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "not yet"
    );
    let timers = store
        .claim(Expiry::QUEUE, 11_000, 21_000, 10)
        .await
        .unwrap();
    let timers: Vec<Expiry> = timers
        .iter()
        .map(|job| serde_json::from_str(&job.payload).unwrap())
        .collect();
    assert_eq!(
        timers,
        [Expiry { chat, seq }, Expiry { chat, seq: early }],
        "stored with their messages"
    );
    let delete = courier_protocol::Act::Delete { target: early };
    store
        .append_act(chat, alice, &ClientMsgId("d1".into()), &delete, 2_000)
        .await
        .unwrap();
    let act = store.expire(chat, seq, 11_000).await.unwrap().unwrap();
    assert_eq!(act.act, Some(courier_protocol::Act::Delete { target: seq }));
    assert_eq!(act.sender, alice);
    assert!(
        store.expire(chat, seq, 12_000).await.unwrap().is_none(),
        "once"
    );
    assert!(
        store.expire(chat, early, 12_000).await.unwrap().is_none(),
        "deleted before its time"
    );
    let history = store.messages_after(chat, Seq::ZERO, 10).await.unwrap();
    assert_eq!(history[0].text(), "");
    assert_eq!(history.last().unwrap().seq, act.seq);
}

/// Nodes claiming one queue at once share its jobs out: none twice, none
/// left behind. (On PostgreSQL a claim that meets rows another is taking
/// skips them, so it may take several rounds.)
async fn jobs_are_claimed_once(store: &dyn Store) {
    for seq in 1..=60 {
        let job = Expiry {
            chat: ChatId(1),
            seq: Seq(seq),
        };
        store
            .enqueue(&NewJob::of(&job, 100).unwrap())
            .await
            .unwrap();
    }
    let job = Expiry {
        chat: ChatId(1),
        seq: Seq(1),
    };
    store.enqueue(&NewJob::of(&job, 5).unwrap()).await.unwrap();
    assert_eq!(
        store.waiting(Expiry::QUEUE).await.unwrap(),
        60,
        "a key waits once"
    );
    let mut ids: Vec<i64> = Vec::new();
    for _round in 0..30 {
        let claims = (0..4).map(|_| store.claim(Expiry::QUEUE, 100, 10_100, 20));
        ids.extend(
            futures_util::future::join_all(claims)
                .await
                .into_iter()
                .flat_map(|claimed| claimed.unwrap())
                .map(|job| job.id),
        );
    }
    ids.sort_unstable();
    let claimed = ids.len();
    ids.dedup();
    assert_eq!((claimed, ids.len()), (60, 60));
}

/// A directory search for `text` (already lowercased), as the chats
/// service asks it.
fn look(text: &str) -> (String, String) {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    (format!("{escaped}%"), format!("%{escaped}%"))
}

/// An account named `name`, found by `username`.
async fn account(store: &dyn Store, username: &str, name: &str) -> UserId {
    let new = NewUser {
        name,
        ..user(username, UserKind::Account)
    };
    store.create_user(new).await.unwrap().id
}

async fn the_directory_finds_people_and_public_chats(store: &dyn Store) {
    let me = account(store, "me", "me").await;
    let anna = account(store, "anna_k", "Anna Karenina").await;
    let annette = account(store, "annette", "annette").await;
    let stranger = account(store, "zed", "Anna Stranger").await;
    let guest = store
        .create_user(user("anna guest", UserKind::Guest))
        .await
        .unwrap()
        .id;
    let axb = account(store, "annaxk", "annaxk").await;
    let olga = account(store, "olga", "ÖLGA Ünal").await;
    let reader = account(store, "reader", "Anna Reader").await;
    group(store, "Book club", "b1", &[me, anna, guest, olga]).await;
    let quiet = channel(store, "Quiet", "q1", me).await;
    store.add_member(quiet, reader, 1).await.unwrap();
    let find = |text: &str| {
        let (prefix, within) = look(text);
        let text = text.to_owned();
        async move {
            let look = Lookup {
                prefix: &prefix,
                within: &within,
                exact: &text,
                limit: 20,
            };
            store
                .find_people(me, &look)
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.id)
                .collect::<Vec<_>>()
        }
    };
    // By username, as bytes sort: "anna_k" < "annaxk" < "annette".
    assert_eq!(find("ann").await, vec![anna, axb, annette], "by username");
    assert_eq!(find("annette").await, vec![annette], "exact");
    assert_eq!(find("anna_").await, vec![anna], "`_` is no wildcard");
    assert_eq!(
        find("karenina").await,
        vec![anna],
        "a fellow member by name"
    );
    assert!(find("stranger").await.is_empty(), "not a stranger by name");
    assert!(
        find("anna reader").await.is_empty(),
        "not a channel's reader"
    );
    assert_eq!(find("ölga ün").await, vec![olga], "by name in any script");
    assert_eq!(find("zed").await, vec![stranger], "a stranger by username");
    assert!(find("me").await.is_empty(), "not oneself");
    assert!(find("guest").await.is_empty(), "never a guest");

    let news = channel(store, "Daily News", "n1", me).await;
    let club = group(store, "News Club", "c1", &[me]).await;
    group(store, "Newsroom (private)", "p1", &[me]).await;
    for (chat, handle) in [(news, "dailynews"), (club, "news")] {
        store
            .update_chat(
                chat,
                &ChatSettings {
                    handle: Some(handle.into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    let public = |text: &str| {
        let (prefix, within) = look(text);
        let text = text.to_owned();
        async move {
            let look = Lookup {
                prefix: &prefix,
                within: &within,
                exact: &text,
                limit: 20,
            };
            store.find_public(&look).await.unwrap()
        }
    };
    let found = public("news").await;
    assert_eq!(
        found.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![club, news],
        "the exact handle first, then by title; never a private group"
    );
    assert_eq!(
        (
            found[1].handle.as_str(),
            found[1].title.as_str(),
            found[1].kind,
            found[1].member_count
        ),
        ("dailynews", "Daily News", ChatKind::Channel, 1)
    );
    assert_eq!(public("daily").await.len(), 1, "by handle prefix");
    store
        .update_chat(
            club,
            &ChatSettings {
                name: Some("Ålesund Club".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let renamed = public("ålesund").await;
    assert_eq!(
        (renamed.len(), renamed[0].title.as_str()),
        (1, "Ålesund Club"),
        "by its new name"
    );
    assert!(public("%").await.is_empty(), "`%` is no wildcard");
}

async fn calls_ring_answer_and_end_once(store: &dyn Store) {
    let ann = account(store, "ann", "Ann").await;
    let bob = account(store, "bob", "Bob").await;
    let cyd = account(store, "cyd", "Cyd").await;
    let direct = |key, members| NewChat {
        kind: ChatKind::Direct,
        name: None,
        invite: key,
        direct_key: Some(key),
        members,
        now: 1,
    };
    let (ann_and_bob, cyd_and_bob) = ([ann, bob], [cyd, bob]);
    let ann_bob = store.create_chat(direct("ab", &ann_and_bob)).await.unwrap();
    let cyd_bob = store.create_chat(direct("cb", &cyd_and_bob)).await.unwrap();
    let team = group(store, "Team", "t1", &[ann, bob]).await;
    let (id, leg) = (CallId("c1".into()), LegId("a-tab".into()));
    let ring_out = NewJob::of(&RingOut { call: id.clone() }, 45_000).unwrap();
    let new = |chat, caller, id| NewCall {
        id,
        chat,
        caller,
        video: true,
        leg: &leg,
    };

    let Rang::Ringing(rung) = store
        .ring(new(ann_bob, ann, &id), &ring_out, 10)
        .await
        .unwrap()
    else {
        panic!("rings");
    };
    assert_eq!((rung.callee, rung.ended), (bob, None));
    // Rung again: the same call; with its ring-out job kept once.
    let again = store
        .ring(new(ann_bob, ann, &id), &ring_out, 11)
        .await
        .unwrap();
    assert_eq!(again, Rang::Ringing(rung.clone()));
    assert_eq!(store.waiting(RingOut::QUEUE).await.unwrap(), 1);
    // Refused: another's id, a group, a stranger, a caller in a call.
    assert!(matches!(
        store.ring(new(cyd_bob, cyd, &id), &ring_out, 12).await,
        Err(StoreError::NotMember)
    ));
    let other = CallId("c2".into());
    assert!(matches!(
        store.ring(new(team, ann, &other), &ring_out, 12).await,
        Err(StoreError::NotAllowed)
    ));
    assert!(matches!(
        store.ring(new(ann_bob, cyd, &other), &ring_out, 12).await,
        Err(StoreError::NotMember)
    ));
    // Bob calling Ann back meets her call; Cyd calling Bob finds him busy.
    let Rang::Crossed(theirs) = store
        .ring(new(ann_bob, bob, &other), &ring_out, 12)
        .await
        .unwrap()
    else {
        panic!("crossed");
    };
    assert_eq!(theirs.id, id);
    let Rang::Busy(busy) = store
        .ring(new(cyd_bob, cyd, &other), &ring_out, 13)
        .await
        .unwrap()
    else {
        panic!("busy");
    };
    assert_eq!(busy.ended, Some((CallEnd::Busy, 13)));
    assert_eq!(
        store.call(&other).await.unwrap().map(|c| c.ended),
        Some(Some((CallEnd::Busy, 13)))
    );

    // One answer wins; a missed end cannot beat it, a hang-up ends it once.
    let check = NewJob::of(
        &RingOut {
            call: CallId("check".into()),
        },
        60_000,
    )
    .unwrap();
    let answered = store
        .answer(&id, &LegId("b-tab".into()), &check, 20)
        .await
        .unwrap();
    assert_eq!(answered.as_ref().and_then(|c| c.answered_at), Some(20));
    assert_eq!(answered.and_then(|c| c.legs_seen), Some(20));
    assert_eq!(
        store
            .answer(&id, &LegId("b-2".into()), &check, 21)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.end_call(&id, CallEnd::Missed, 22).await.unwrap(),
        None
    );
    assert!(store.leg_alive(&id, ann, 30).await.unwrap());
    assert!(!store.leg_alive(&id, cyd, 30).await.unwrap());
    assert_eq!(
        store.call(&id).await.unwrap().and_then(|c| c.legs_seen),
        Some(20)
    );
    assert!(store.leg_alive(&id, bob, 40).await.unwrap());
    assert_eq!(
        store.call(&id).await.unwrap().and_then(|c| c.legs_seen),
        Some(30)
    );
    let ended = store.end_call(&id, CallEnd::Hangup, 65_020).await.unwrap();
    assert_eq!(ended.as_ref().map(|c| c.duration_ms()), Some(65_000));
    assert_eq!(
        store.end_call(&id, CallEnd::Hangup, 70_000).await.unwrap(),
        None
    );
    assert!(!store.leg_alive(&id, ann, 70_001).await.unwrap());

    // Over, the line is free again.
    let third = CallId("c3".into());
    assert!(matches!(
        store
            .ring(new(cyd_bob, cyd, &third), &ring_out, 80_000)
            .await,
        Ok(Rang::Ringing(_))
    ));
    // Blocked people cannot call.
    store.set_blocked(bob, ann, true, 80_001).await.unwrap();
    let fourth = CallId("c4".into());
    assert!(matches!(
        store
            .ring(new(ann_bob, ann, &fourth), &ring_out, 80_002)
            .await,
        Err(StoreError::Blocked)
    ));
}
