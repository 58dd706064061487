//! Accounts, sessions and guests over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use courier_protocol::api::{Claim, GuestJoin, InvitePreview, Joined, Me, Members, SignIn};
use courier_protocol::{ChatKind, ErrorCode, Seq, UserKind};

#[tokio::test]
async fn sign_up_sign_in_sign_out() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    assert_eq!(alice.me.kind, UserKind::Account);
    let r = http()
        .post(format!("{}/api/signup", server.base))
        .json(&serde_json::json!({"username":"alice","password":"another one"}))
        .send()
        .await
        .unwrap();
    assert_eq!(read::<Me>(r).await, Err((409, ErrorCode::UsernameTaken)));

    let r = http()
        .post(format!("{}/api/signin", server.base))
        .json(&SignIn {
            username: "alice".into(),
            password: "wrong password".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(read::<Me>(r).await, Err((401, ErrorCode::BadCredentials)));
    let r = http()
        .post(format!("{}/api/signin", server.base))
        .json(&SignIn {
            username: "nobody".into(),
            password: "wrong password".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(read::<Me>(r).await, Err((401, ErrorCode::BadCredentials)));

    let r = http()
        .post(format!("{}/api/signin", server.base))
        .json(&SignIn {
            username: "alice".into(),
            password: "correct horse".into(),
        })
        .send()
        .await
        .unwrap();
    let set_cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let second = Person {
        cookie: cookie_of(&r),
        ..alice.clone()
    };
    assert_eq!(second.get::<Me>("/api/me").await.unwrap().me, alice.me);
    let mut second_socket = second.connect(&[]).await;
    let mut first_socket = alice.connect(&[]).await;

    assert_eq!(
        second
            .post::<_, serde_json::Value>("/api/signout", &())
            .await,
        Ok(serde_json::Value::Null)
    );
    assert_eq!(
        second.get::<Me>("/api/me").await,
        Err((401, ErrorCode::Unauthorized))
    );
    assert!(
        alice.get::<Me>("/api/me").await.is_ok(),
        "other sessions live on"
    );
    assert_eq!(
        second_socket.try_next(WAIT).await,
        None,
        "signing out closes that session's sockets"
    );
    first_socket.ping().await;
}

#[tokio::test]
async fn a_guest_joins_by_link_chats_and_keeps_everything() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let chat = alice.group("Book club").await;
    let preview: InvitePreview = read(
        http()
            .get(format!("{}/api/invites/{}", server.base, chat.invite))
            .send()
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        preview,
        InvitePreview {
            title: "Book club".into(),
            member_count: 1,
            kind: ChatKind::Group,
            needs_approval: false
        }
    );
    let r = http()
        .get(format!("{}/api/invites/nope", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        read::<InvitePreview>(r).await,
        Err((404, ErrorCode::BadInvite))
    );
    // A direct chat is for its two people: its code opens nothing.
    sign_up(&server.base, "bob").await;
    let direct = alice.direct("bob").await;
    let r = http()
        .post(format!("{}/api/guest", server.base))
        .json(&GuestJoin {
            invite: direct.invite.clone(),
            name: "Eve".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(read::<Joined>(r).await, Err((404, ErrorCode::BadInvite)));

    let r = http()
        .post(format!("{}/api/guest", server.base))
        .json(&GuestJoin {
            invite: chat.invite.clone(),
            name: "Gus".into(),
        })
        .send()
        .await
        .unwrap();
    let cookie = cookie_of(&r);
    let joined: Joined = read(r).await.unwrap();
    assert_eq!(
        (joined.me.kind, joined.me.username.clone()),
        (UserKind::Guest, None)
    );
    assert_eq!((joined.chat.id, joined.chat.member_count), (chat.id, 2));
    let gus = Person {
        base: server.base.clone(),
        cookie,
        me: joined.me,
    };

    let mut g = gus.connect(&[]).await;
    g.say(chat.id, "g1", "hi from a guest").await;
    g.sent("g1").await;
    let mut a = alice.connect(&[]).await;
    let got = a.events_until(chat.id, Seq(1)).await;
    assert_eq!(
        (got[0].sender_name.as_str(), got[0].text.as_str()),
        ("Gus", "hi from a guest")
    );

    let members: Members = alice
        .get(&format!("/api/chats/{}/members", chat.id.0))
        .await
        .unwrap();
    assert_eq!(
        members
            .members
            .iter()
            .map(|m| m.user.name.as_str())
            .collect::<Vec<_>>(),
        vec!["alice", "Gus"]
    );

    let me: Me = gus
        .post(
            "/api/account",
            &Claim {
                username: "gus".into(),
                password: "my own password".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (me.me.id, me.me.kind, me.me.username.as_deref()),
        (gus.me.id, UserKind::Account, Some("gus"))
    );
    assert_eq!(
        alice
            .post::<_, Me>(
                "/api/account",
                &Claim {
                    username: "x_y".into(),
                    password: "whatever pw".into()
                }
            )
            .await,
        Err((409, ErrorCode::AlreadyAccount))
    );
    let again = Person {
        cookie: String::new(),
        ..gus.clone()
    };
    let r = http()
        .post(format!("{}/api/signin", server.base))
        .json(&SignIn {
            username: "gus".into(),
            password: "my own password".into(),
        })
        .send()
        .await
        .unwrap();
    let again = Person {
        cookie: cookie_of(&r),
        ..again
    };
    let mut g2 = again.connect(&[]).await;
    assert_eq!(
        g2.events_until(chat.id, Seq(1)).await[0].text,
        "hi from a guest",
        "history kept"
    );
}
