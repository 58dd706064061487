//! Accounts, sessions and guests over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use courier_protocol::http::{
    ACCOUNTS, Accounts, CLAIM, Claim, GUEST, GuestJoin, INVITE_PREVIEW, InvitePreview, Joined, ME,
    MEMBERS, Me, SIGN_IN, SIGN_OUT, SIGN_UP, SignIn, SignUp,
};
use courier_protocol::{
    ChatKind, ClientFrame, ErrorCode, PROTOCOL_VERSION, Seq, ServerFrame, UserId, UserKind,
};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[tokio::test]
async fn sign_up_sign_in_sign_out() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    assert_eq!(alice.me.kind, UserKind::Account);
    let taken = SignUp {
        username: "alice".into(),
        password: "another one".into(),
        name: None,
    };
    let r = request_to(&server.base, &SIGN_UP, &[], "", &taken)
        .send()
        .await
        .unwrap();
    assert_eq!(read::<Me>(r).await, Err((409, ErrorCode::UsernameTaken)));

    let body = SignIn {
        username: "alice".into(),
        password: "wrong password".into(),
    };
    let r = request_to(&server.base, &SIGN_IN, &[], "", &body)
        .send()
        .await
        .unwrap();
    assert_eq!(read::<Me>(r).await, Err((401, ErrorCode::BadCredentials)));
    let body = SignIn {
        username: "nobody".into(),
        password: "wrong password".into(),
    };
    let r = request_to(&server.base, &SIGN_IN, &[], "", &body)
        .send()
        .await
        .unwrap();
    assert_eq!(read::<Me>(r).await, Err((401, ErrorCode::BadCredentials)));

    let body = SignIn {
        username: "alice".into(),
        password: "correct horse".into(),
    };
    let r = request_to(&server.base, &SIGN_IN, &[], "", &body)
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
    assert_eq!(second.call(&ME, &[], &()).await.unwrap().me, alice.me);
    let mut second_socket = second.connect(&[]).await;
    let mut first_socket = alice.connect(&[]).await;

    assert_eq!(second.call(&SIGN_OUT, &[], &()).await, Ok(()));
    assert_eq!(
        second.call(&ME, &[], &()).await,
        Err((401, ErrorCode::Unauthorized))
    );
    assert!(
        alice.call(&ME, &[], &()).await.is_ok(),
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
        request_to(&server.base, &INVITE_PREVIEW, &[&chat.invite], "", &())
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
    let r = request_to(&server.base, &INVITE_PREVIEW, &[&"nope"], "", &())
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
    let body = GuestJoin {
        invite: direct.invite.clone(),
        name: "Eve".into(),
    };
    let r = request_to(&server.base, &GUEST, &[], "", &body)
        .send()
        .await
        .unwrap();
    assert_eq!(read::<Joined>(r).await, Err((404, ErrorCode::BadInvite)));

    let body = GuestJoin {
        invite: chat.invite.clone(),
        name: "Gus".into(),
    };
    let r = request_to(&server.base, &GUEST, &[], "", &body)
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
        (got[0].sender_name.as_str(), got[0].text()),
        ("Gus", "hi from a guest")
    );

    let members = alice.call(&MEMBERS, &[&chat.id.0], &()).await.unwrap();
    assert_eq!(
        members
            .members
            .iter()
            .map(|m| m.user.name.as_str())
            .collect::<Vec<_>>(),
        vec!["alice", "Gus"]
    );

    let me = gus
        .call(
            &CLAIM,
            &[],
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
            .call(
                &CLAIM,
                &[],
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
    let body = SignIn {
        username: "gus".into(),
        password: "my own password".into(),
    };
    let r = request_to(&server.base, &SIGN_IN, &[], "", &body)
        .send()
        .await
        .unwrap();
    let again = Person {
        cookie: cookie_of(&r),
        ..again
    };
    let mut g2 = again.connect(&[]).await;
    assert_eq!(
        g2.events_until(chat.id, Seq(1)).await[0].text(),
        "hi from a guest",
        "history kept"
    );
}

/// Every cookie a response sets, as `name=value`.
fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect()
}

/// What a browser keeps: later cookies of the same name replace earlier.
fn jar(cookies: &[String]) -> String {
    let mut kept: Vec<(String, String)> = Vec::new();
    for cookie in cookies {
        let (name, value) = cookie.split_once('=').unwrap();
        kept.retain(|(n, _)| n != name);
        if !value.is_empty() {
            kept.push((name.to_owned(), value.to_owned()));
        }
    }
    kept.iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Who `GET /api/me` says the browser is, for the account it names.
async fn me_as(
    base: &str,
    browser: &str,
    account: Option<String>,
) -> Result<UserId, (u16, ErrorCode)> {
    let mut request = request_to(base, &ME, &[], "", &()).header("cookie", browser);
    if let Some(account) = account {
        request = request.header("x-courier-account", account);
    }
    read::<Me>(request.send().await.unwrap())
        .await
        .map(|m| m.me.id)
}

/// The accounts the browser is signed in to, by id.
async fn accounts_of(base: &str, browser: &str) -> Vec<UserId> {
    let response = request_to(base, &ACCOUNTS, &[], "", &())
        .header("cookie", browser)
        .send()
        .await
        .unwrap();
    let mut ids: Vec<_> = read::<Accounts>(response)
        .await
        .unwrap()
        .accounts
        .into_iter()
        .map(|a| a.id)
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn one_browser_keeps_several_accounts_apart() {
    let server = start_server().await;
    let base = &server.base;
    let mut cookies = Vec::new();
    let mut ids = Vec::new();
    for username in ["alice", "bob"] {
        let body = SignUp {
            username: username.into(),
            password: "correct horse".into(),
            name: None,
        };
        let response = request_to(base, &SIGN_UP, &[], "", &body)
            .send()
            .await
            .unwrap();
        let set = set_cookies(&response);
        let me = response.json::<Me>().await.unwrap().me;
        let token = set[0].split_once('=').unwrap().1.to_owned();
        assert_eq!(
            set,
            [
                format!("courier_session={token}"),
                format!("courier_session_{}={token}", me.id.0)
            ],
            "the default cookie and the account's own"
        );
        cookies.extend(set);
        ids.push(me.id);
    }
    let (alice, bob) = (ids[0], ids[1]);
    let carol = sign_up(base, "carol").await;
    let browser = jar(&cookies);
    assert_eq!(
        me_as(base, &browser, None).await,
        Ok(bob),
        "the default is the last signed in"
    );
    assert_eq!(
        me_as(base, &browser, Some(alice.0.to_string())).await,
        Ok(alice)
    );
    assert_eq!(
        me_as(base, &browser, Some(carol.me.id.0.to_string())).await,
        Err((401, ErrorCode::Unauthorized)),
        "no cookie of carol's here, and bob's does not stand in"
    );
    assert_eq!(
        me_as(base, &browser, Some("nonsense".into())).await,
        Err((400, ErrorCode::BadRequest))
    );
    assert_eq!(accounts_of(base, &browser).await, [alice, bob]);
    // A session begun before there were several has only the default
    // cookie: it counts, and /api/me gives it its own.
    let legacy = format!(
        "courier_session={}",
        carol.cookie.split_once('=').unwrap().1
    );
    assert_eq!(accounts_of(base, &legacy).await, [carol.me.id]);
    let response = request_to(base, &ME, &[], "", &())
        .header("cookie", &legacy)
        .send()
        .await
        .unwrap();
    assert_eq!(
        set_cookies(&response),
        [format!(
            "courier_session_{}={}",
            carol.me.id.0,
            legacy.split_once('=').unwrap().1
        )]
    );

    // The socket names its account in the query.
    let url = format!(
        "{}/ws?account={}",
        base.replace("http://", "ws://"),
        alice.0
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("cookie", browser.parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let mut socket = Socket { ws };
    socket
        .send(&ClientFrame::Hello {
            version: PROTOCOL_VERSION,
            cursors: Vec::new(),
            recent: None,
        })
        .await;
    match socket.next().await {
        ServerFrame::Welcome { me, .. } => assert_eq!(me.id, alice),
        other => panic!("expected welcome, got {other:?}"),
    }

    // Signing alice out leaves bob signed in, default cookie and all.
    let response = request_to(base, &SIGN_OUT, &[], "", &())
        .header("cookie", &browser)
        .header("x-courier-account", alice.0.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        set_cookies(&response),
        [format!("courier_session_{}=", alice.0)]
    );
    cookies.extend(set_cookies(&response));
    let browser = jar(&cookies);
    assert_eq!(accounts_of(base, &browser).await, [bob]);
    assert_eq!(
        me_as(base, &browser, Some(alice.0.to_string())).await,
        Err((401, ErrorCode::Unauthorized))
    );
    assert_eq!(me_as(base, &browser, None).await, Ok(bob));
}
