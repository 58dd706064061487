//! Roles and moderation over the real HTTP API and sockets: the refusals
//! the issue names (a subscriber posting, a banned member reading or
//! writing, dead invite links) and the admin actions that lead to them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use courier_protocol::limits::NEW_GROUP_MEMBERS_MAX;

use common::*;
use courier_protocol::http::{
    ANSWER_REQUEST, ChatSettings, GUEST, GuestJoin, INVITE_PREVIEW, INVITES, JOIN_BY_INVITE,
    JOIN_PUBLIC, JOIN_REQUESTS, JoinAnswer, MEMBER_ACTION, MEMBERS, MemberAction, NEW_GROUP,
    NEW_INVITE, NewGroup, NewInvite, PUBLIC_PREVIEW, REVOKE_INVITE, RequestAnswer, UPDATE_CHAT,
};
use courier_protocol::{
    ChatKind, ChatSummary, ClientFrame, ClientMsgId, ErrorCode, Rights, Role, Seq, ServerFrame,
};

const WAIT: Duration = Duration::from_millis(300);

async fn act(
    actor: &Person,
    chat: &ChatSummary,
    target: &Person,
    action: MemberAction,
) -> Result<(), (u16, ErrorCode)> {
    actor
        .call(&MEMBER_ACTION, &[&chat.id.0, &target.me.id.0], &action)
        .await
}

#[tokio::test]
async fn a_subscriber_reads_a_channel_but_cannot_post() {
    let server = start_server().await;
    let owner = sign_up(&server.base, "owner").await;
    let reader = sign_up(&server.base, "reader").await;
    let news = owner.channel("News").await;
    assert_eq!(
        (news.kind, news.role, news.rights),
        (ChatKind::Channel, Role::Owner, Rights::ALL)
    );
    let settings = ChatSettings {
        handle: Some("@news".into()),
        ..Default::default()
    };
    let news = owner
        .call(&UPDATE_CHAT, &[&news.id.0], &settings)
        .await
        .unwrap()
        .chat;
    assert_eq!(
        news.handle.as_deref(),
        Some("news"),
        "the @ is not part of the handle"
    );

    let preview = reader.call(&PUBLIC_PREVIEW, &[&"news"], &()).await.unwrap();
    assert_eq!(
        (preview.title.as_str(), preview.kind, preview.member_count),
        ("News", ChatKind::Channel, 1)
    );
    let joined = reader
        .call(&JOIN_PUBLIC, &[&"news"], &())
        .await
        .unwrap()
        .chat;
    assert_eq!(
        (
            joined.rights.post,
            joined.invite.as_str(),
            joined.member_count
        ),
        (false, "", 2)
    );
    assert_eq!(
        reader.call(&MEMBERS, &[&news.id.0], &()).await,
        Err((403, ErrorCode::NotAllowed)),
        "subscribers do not see each other"
    );
    assert_eq!(
        owner
            .call(&MEMBERS, &[&news.id.0], &())
            .await
            .unwrap()
            .members
            .len(),
        2
    );

    let mut owner_socket = owner.connect(&[]).await;
    let mut reader_socket = reader.connect(&[]).await;
    owner_socket.say(news.id, "p1", "Issue one is out").await;
    let post = owner_socket.posted("p1").await;
    assert_eq!(
        post.sender_name, "News",
        "posts are the channel's unless signed"
    );
    let texts: Vec<String> = reader_socket
        .events_until(news.id, Seq(1))
        .await
        .into_iter()
        .map(|m| m.text().to_string())
        .collect();
    assert_eq!(texts, ["Issue one is out"]);

    reader_socket.say(news.id, "r1", "me too").await;
    assert_eq!(
        reader_socket.error().await,
        (ErrorCode::NotAllowed, Some(ClientMsgId("r1".into())))
    );
    assert_eq!(
        owner_socket.try_next(WAIT).await,
        None,
        "nothing was posted"
    );

    reader_socket
        .send(&ClientFrame::Read {
            chat: news.id,
            seq: Seq(1),
        })
        .await;
    owner_socket
        .send(&ClientFrame::Read {
            chat: news.id,
            seq: Seq(1),
        })
        .await;
    tokio::time::sleep(WAIT).await;
    reader_socket
        .send(&ClientFrame::Views {
            chat: news.id,
            seqs: vec![Seq(1)],
        })
        .await;
    // Its own read comes back first (for the reader's other devices).
    match reader_socket.next().await {
        ServerFrame::Read { user, seq, .. } => assert_eq!((user, seq), (reader.me.id, Seq(1))),
        other => panic!("expected the reader's own read, got {other:?}"),
    }
    match reader_socket.next().await {
        // The reader's view; the owner wrote the post and does not count.
        ServerFrame::Views { counts, .. } => assert_eq!(counts[0].views, 1),
        other => panic!("expected views, got {other:?}"),
    }
}

#[tokio::test]
async fn a_banned_member_can_neither_read_nor_write_nor_come_back() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let team = alice.group("Team").await;
    bob.join(&team).await;
    mallory.join(&team).await;

    assert_eq!(
        act(&mallory, &team, &bob, MemberAction::Ban).await,
        Err((403, ErrorCode::NotAllowed)),
        "members cannot ban"
    );
    let rights = Rights {
        ban: true,
        ..Rights::NONE
    };
    assert_eq!(
        act(&bob, &team, &mallory, MemberAction::Promote { rights }).await,
        Err((403, ErrorCode::NotAllowed)),
        "only the owner makes admins"
    );
    act(&alice, &team, &bob, MemberAction::Promote { rights })
        .await
        .unwrap();
    assert_eq!(
        act(&bob, &team, &alice, MemberAction::Ban).await,
        Err((403, ErrorCode::OwnerStays))
    );

    let mut mallory_socket = mallory.connect(&[]).await;
    let mut alice_socket = alice.connect(&[]).await;
    alice_socket.say(team.id, "a1", "before").await;
    alice_socket.posted("a1").await;
    mallory_socket.events_until(team.id, Seq(1)).await;

    act(&bob, &team, &mallory, MemberAction::Ban).await.unwrap();
    let mut left = false;
    while let Some(frame) = mallory_socket.try_next(WAIT).await {
        left |= frame == ServerFrame::Left { chat: team.id };
    }
    assert!(left, "the banned member's socket is told");
    alice_socket.say(team.id, "a2", "after the ban").await;
    alice_socket.sent("a2").await;
    assert_eq!(
        mallory_socket.try_next(WAIT).await,
        None,
        "no event reaches them after the ban"
    );

    mallory_socket.say(team.id, "m1", "let me in").await;
    assert_eq!(
        mallory_socket.error().await,
        (ErrorCode::NotMember, Some(ClientMsgId("m1".into())))
    );
    mallory_socket
        .send(&ClientFrame::Sync {
            chat: team.id,
            after: Seq::ZERO,
        })
        .await;
    assert!(matches!(
        mallory_socket.next().await,
        ServerFrame::Error {
            code: ErrorCode::NotMember,
            ..
        }
    ));
    assert_eq!(
        mallory.call(&MEMBERS, &[&team.id.0], &()).await,
        Err((403, ErrorCode::NotMember))
    );
    let rejoin = mallory.call(&JOIN_BY_INVITE, &[&team.invite], &()).await;
    assert_eq!(rejoin, Err((403, ErrorCode::Banned)));

    act(&bob, &team, &mallory, MemberAction::Unban)
        .await
        .unwrap();
    mallory.join(&team).await;
    let page = alice
        .call_query(&MEMBERS, &[&team.id.0], "limit=2", &())
        .await
        .unwrap();
    assert_eq!(page.members.len(), 2);
    let after = format!("after={}", page.next.unwrap().0);
    let rest = alice
        .call_query(&MEMBERS, &[&team.id.0], &after, &())
        .await
        .unwrap();
    assert_eq!((rest.members.len(), rest.next), (1, None));
    let roles: Vec<Role> = page
        .members
        .iter()
        .chain(&rest.members)
        .map(|m| m.role)
        .collect();
    assert_eq!(roles, [Role::Owner, Role::Admin, Role::Member]);
}

#[tokio::test]
async fn dead_invite_links_are_refused_with_their_reason() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let carol = sign_up(&server.base, "carol").await;
    let team = alice.group("Team").await;
    assert_eq!(
        bob.call(&INVITES, &[&team.id.0], &()).await,
        Err((403, ErrorCode::NotMember))
    );

    let once = alice
        .call(
            &NEW_INVITE,
            &[&team.id.0],
            &NewInvite {
                usage_limit: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let brief = alice
        .call(
            &NEW_INVITE,
            &[&team.id.0],
            &NewInvite {
                expires_in_s: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let bad = NewInvite {
        usage_limit: Some(0),
        ..Default::default()
    };
    assert_eq!(
        alice.call(&NEW_INVITE, &[&team.id.0], &bad).await,
        Err((400, ErrorCode::BadRequest))
    );

    joined(bob.call(&JOIN_BY_INVITE, &[&once.code], &()).await.unwrap());
    let used = carol.call(&JOIN_BY_INVITE, &[&once.code], &()).await;
    assert_eq!(used, Err((410, ErrorCode::InviteUsedUp)));

    server.clock.advance(Duration::from_millis(1100));
    assert_eq!(
        carol.call(&INVITE_PREVIEW, &[&brief.code], &()).await,
        Err((410, ErrorCode::InviteExpired))
    );

    alice
        .call(&REVOKE_INVITE, &[&team.id.0, &team.invite], &())
        .await
        .unwrap();
    assert_eq!(
        carol.call(&INVITE_PREVIEW, &[&team.invite], &()).await,
        Err((410, ErrorCode::InviteRevoked))
    );
    let body = GuestJoin {
        invite: team.invite.clone(),
        name: "Gus".into(),
    };
    let guest = request_to(&server.base, &GUEST, &[], "", &body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        guest.status(),
        410,
        "a guest is refused before anyone is created"
    );
    assert!(guest.headers().get("set-cookie").is_none());
    assert_eq!(
        bob.call(&REVOKE_INVITE, &[&team.id.0, &once.code], &())
            .await,
        Err((403, ErrorCode::NotAllowed)),
        "members cannot revoke"
    );

    let links = alice.call(&INVITES, &[&team.id.0], &()).await.unwrap();
    assert!(
        links.invites[0].primary && links.invites[0].code != team.invite,
        "the main link was replaced"
    );
}

#[tokio::test]
async fn a_join_request_waits_for_an_admin() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let team = alice.group("Team").await;
    let ask = alice
        .call(
            &NEW_INVITE,
            &[&team.id.0],
            &NewInvite {
                needs_approval: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let preview = bob.call(&INVITE_PREVIEW, &[&ask.code], &()).await.unwrap();
    assert!(preview.needs_approval);

    let answer = bob.call(&JOIN_BY_INVITE, &[&ask.code], &()).await.unwrap();
    let JoinAnswer::Pending(pending) = answer else {
        panic!("expected to wait, got {answer:?}");
    };
    assert!(pending.pending);
    let mut bob_socket = bob.connect(&[]).await;
    bob_socket
        .send(&ClientFrame::Sync {
            chat: team.id,
            after: Seq::ZERO,
        })
        .await;
    assert!(
        matches!(
            bob_socket.next().await,
            ServerFrame::Error {
                code: ErrorCode::NotMember,
                ..
            }
        ),
        "not in before approval"
    );

    let requests = alice
        .call(&JOIN_REQUESTS, &[&team.id.0], &())
        .await
        .unwrap();
    assert_eq!(
        requests
            .requests
            .iter()
            .map(|r| r.user.id)
            .collect::<Vec<_>>(),
        [bob.me.id]
    );
    alice
        .call(
            &ANSWER_REQUEST,
            &[&team.id.0, &bob.me.id.0],
            &RequestAnswer { approve: true },
        )
        .await
        .unwrap();
    match bob_socket.next().await {
        ServerFrame::Chat { chat } => assert_eq!(
            chat.id, team.id,
            "the approved member's socket hears at once"
        ),
        other => panic!("expected the chat, got {other:?}"),
    }
    assert_eq!(
        alice
            .call(
                &ANSWER_REQUEST,
                &[&team.id.0, &bob.me.id.0],
                &RequestAnswer { approve: true }
            )
            .await,
        Err((404, ErrorCode::UnknownUser))
    );
}

#[tokio::test]
async fn slow_mode_and_settings_need_the_right() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let team = alice.group("Team").await;
    bob.join(&team).await;
    let slow = ChatSettings {
        slow_mode_s: Some(60),
        ..Default::default()
    };
    assert_eq!(
        bob.call(&UPDATE_CHAT, &[&team.id.0], &slow).await,
        Err((403, ErrorCode::NotAllowed))
    );
    assert_eq!(
        alice
            .call(
                &UPDATE_CHAT,
                &[&team.id.0],
                &ChatSettings {
                    handle: Some("no spaces".into()),
                    ..Default::default()
                }
            )
            .await,
        Err((400, ErrorCode::BadHandle))
    );
    assert_eq!(
        alice
            .call(&UPDATE_CHAT, &[&team.id.0], &slow)
            .await
            .unwrap()
            .chat
            .slow_mode_s,
        60
    );

    let mut bob_socket = bob.connect(&[]).await;
    bob_socket.say(team.id, "b1", "first").await;
    bob_socket.sent("b1").await;
    bob_socket.say(team.id, "b2", "second").await;
    assert_eq!(
        bob_socket.error().await,
        (ErrorCode::SlowMode, Some(ClientMsgId("b2".into())))
    );
    let other = alice.group("Other").await;
    let taken = ChatSettings {
        handle: Some("team".into()),
        ..Default::default()
    };
    alice
        .call(&UPDATE_CHAT, &[&team.id.0], &taken)
        .await
        .unwrap();
    assert_eq!(
        alice.call(&UPDATE_CHAT, &[&other.id.0], &taken).await,
        Err((409, ErrorCode::HandleTaken))
    );
}

#[tokio::test]
async fn a_group_starts_with_the_people_its_owner_names() {
    let server = start_server().await;
    let owner = sign_up(&server.base, "owner").await;
    let ben = sign_up(&server.base, "ben").await;
    let cy = sign_up(&server.base, "cyd").await;
    let stranger = sign_up(&server.base, "stranger").await;
    let new = |members: &[&str]| NewGroup {
        name: "Trip".into(),
        members: members.iter().map(|m| m.to_string()).collect(),
    };
    // Named twice, and the owner named too: each is in it once.
    let trip = owner
        .call(&NEW_GROUP, &[], &new(&["ben", "cyd", "ben", "owner"]))
        .await
        .unwrap()
        .chat;
    assert_eq!((trip.member_count, trip.role), (3, Role::Owner));
    for member in [&ben, &cy] {
        let listed = member
            .call(&MEMBERS, &[&trip.id.0], &())
            .await
            .unwrap()
            .members;
        assert_eq!(listed.len(), 3, "a named person is a member");
    }
    let role_of = |p: &Person| {
        let id = p.me.id;
        let list = owner.call(&MEMBERS, &[&trip.id.0], &());
        async move {
            list.await
                .unwrap()
                .members
                .into_iter()
                .find(|m| m.user.id == id)
                .map(|m| m.role)
        }
    };
    assert_eq!(role_of(&ben).await, Some(Role::Member));
    assert_eq!(
        stranger.call(&MEMBERS, &[&trip.id.0], &()).await,
        Err((403, ErrorCode::NotMember)),
        "only those named"
    );

    assert_eq!(
        owner.call(&NEW_GROUP, &[], &new(&["ben", "nobody"])).await,
        Err((404, ErrorCode::UnknownUser)),
        "an unknown name refuses the whole group"
    );
    let too_many: Vec<String> = (0..=NEW_GROUP_MEMBERS_MAX)
        .map(|i| format!("p{i}"))
        .collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    assert_eq!(
        owner.call(&NEW_GROUP, &[], &new(&too_many)).await,
        Err((429, ErrorCode::TooMany)),
    );
}
