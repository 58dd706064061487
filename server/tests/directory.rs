//! The directory behind the app's one search box (`GET /api/directory`),
//! on SQLite and on PostgreSQL: anyone by @username, fellow members by
//! name (any script), public groups and channels by @handle or title;
//! never a guest, never the caller, never a private chat; `%` and `_`
//! literal; bad queries refused with a code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use courier_protocol::http::{
    ChatSettings, DIRECTORY, Directory, GUEST, GuestJoin, Joined, UPDATE_CHAT,
};
use courier_protocol::limits::SEARCH_QUERY_MAX;
use courier_protocol::{ChatKind, ChatSummary, ErrorCode};

#[tokio::test]
async fn the_directory_on_sqlite() {
    let server = start_server().await;
    directory(&server).await;
}

#[tokio::test]
async fn the_directory_on_postgres() {
    let database = TestDatabase::create().await;
    let url = database.url.clone();
    let server = start_with(|c| c.postgres = Some(url)).await;
    directory(&server).await;
    drop(server);
    database.drop_now().await;
}

/// `text` as a query string's value: every byte but ASCII letters and
/// digits percent-encoded.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// What `who` finds for `text`, waiting out the searches' pace (2 a
/// second, bursts of 10) when a test asks faster.
async fn find(who: &Person, text: &str) -> Result<Directory, (u16, ErrorCode)> {
    let query = format!("q={}", encoded(text));
    loop {
        match who.call_query(&DIRECTORY, &[], &query, &()).await {
            Err((429, ErrorCode::SlowDown)) => {
                tokio::time::sleep(std::time::Duration::from_millis(600)).await;
            }
            answer => return answer,
        }
    }
}

async fn usernames(who: &Person, text: &str) -> Vec<String> {
    find(who, text)
        .await
        .unwrap()
        .people
        .into_iter()
        .map(|p| p.username)
        .collect()
}

async fn handles(who: &Person, text: &str) -> Vec<String> {
    find(who, text)
        .await
        .unwrap()
        .chats
        .into_iter()
        .map(|c| c.handle)
        .collect()
}

async fn make_public(owner: &Person, chat: &ChatSummary, handle: &str) {
    let settings = ChatSettings {
        handle: Some(handle.into()),
        ..ChatSettings::default()
    };
    owner
        .call(&UPDATE_CHAT, &[&chat.id.0], &settings)
        .await
        .unwrap();
}

async fn directory(server: &TestServer) {
    let base = &server.base;
    let seeker = sign_up_named(base, "seeker", Some("Seeker")).await;
    let annette = sign_up_named(base, "annette", Some("Annette")).await;
    sign_up_named(base, "anna_k", Some("Anna Karenina")).await;
    sign_up_named(base, "annaxk", Some("Anna X")).await;
    let zoe = sign_up_named(base, "zoe", Some("Zoë Ålander")).await;
    let aaron = sign_up_named(base, "aaron", Some("Ben Bennet")).await;
    sign_up_named(base, "ben", Some("Ben")).await;
    sign_up_named(base, "zed", Some("Anna Stranger")).await;
    let reader = sign_up_named(base, "reader", Some("Quiet Reader")).await;

    // Fellow members: zoe and aaron in a group with the seeker, annette in
    // a direct chat; reader only a subscriber of the seeker's channel.
    let club = seeker.group("Book club").await;
    zoe.join(&club).await;
    aaron.join(&club).await;
    seeker.direct("annette").await;
    let channel = seeker.channel("Quiet hours").await;
    reader.join(&channel).await;
    // A guest in the same group, whose name holds what is looked for.
    let body = GuestJoin {
        invite: club.invite.clone(),
        name: "Anna Guest".into(),
    };
    let response = request_to(base, &GUEST, &[], "", &body)
        .send()
        .await
        .unwrap();
    let cookie = cookie_of(&response);
    let joined: Joined = read(response).await.unwrap();
    let guest = Person {
        base: base.clone(),
        cookie,
        me: joined.me,
    };

    // People by username prefix, anyone's; an @ and capitals ignored;
    // `_` literal ("anna_" is not "annax").
    assert_eq!(
        usernames(&seeker, "ann").await,
        ["anna_k", "annaxk", "annette"],
        "by username"
    );
    assert_eq!(usernames(&seeker, " @ANNE ").await, ["annette"]);
    assert_eq!(usernames(&seeker, "anna_").await, ["anna_k"], "`_` literal");
    assert!(usernames(&seeker, "%").await.is_empty(), "`%` literal");
    assert!(usernames(&seeker, "a%e").await.is_empty(), "`%` literal");
    let hit = find(&seeker, "annette").await.unwrap().people;
    assert_eq!(
        (hit[0].id, hit[0].name.as_str()),
        (annette.me.id, "Annette"),
        "id and display name"
    );
    // By name, only fellow members (a group or a direct chat, not a
    // channel's readers), in any script; a stranger only by username.
    assert_eq!(usernames(&seeker, "ålander").await, ["zoe"]);
    assert_eq!(usernames(&seeker, "ZOË").await, ["zoe"], "Unicode case");
    assert!(usernames(&seeker, "stranger").await.is_empty());
    assert_eq!(usernames(&seeker, "zed").await, ["zed"]);
    assert!(
        usernames(&seeker, "quiet").await.is_empty(),
        "a channel's reader"
    );
    assert!(
        usernames(&annette, "ålander").await.is_empty(),
        "not a fellow"
    );
    // The exact username first, then by username.
    assert_eq!(usernames(&seeker, "ben").await, ["ben", "aaron"]);
    // Never the caller, never a guest (by name, though a fellow member).
    assert!(usernames(&seeker, "seeker").await.is_empty(), "not oneself");
    assert!(
        usernames(&seeker, "guest").await.is_empty(),
        "never a guest"
    );
    // A guest may search, and finds people by username too.
    assert_eq!(usernames(&guest, "seek").await, ["seeker"]);

    // Public groups and channels: by handle prefix or title, exact handle
    // first; a private chat never, to members or others.
    let news = seeker.channel("Daily News").await;
    make_public(&seeker, &news, "dailynews").await;
    for who in [&zoe, &aaron, &annette] {
        who.join(&news).await;
    }
    let small = zoe.group("News Club").await;
    make_public(&zoe, &small, "news").await;
    seeker.group("Newsroom (private)").await;
    let runners = aaron.group("Runners").await;
    make_public(&aaron, &runners, "runners").await;
    let found = find(&reader, "news").await.unwrap();
    assert_eq!(
        found
            .chats
            .iter()
            .map(|c| c.handle.as_str())
            .collect::<Vec<_>>(),
        ["news", "dailynews"],
        "the exact handle first, though smaller; never a private group"
    );
    let daily = &found.chats[1];
    assert_eq!(
        (
            daily.id,
            daily.title.as_str(),
            daily.kind,
            daily.member_count
        ),
        (news.id, "Daily News", ChatKind::Channel, 4)
    );
    assert_eq!(found.chats[0].kind, ChatKind::Group);
    assert_eq!(handles(&seeker, "@daily").await, ["dailynews"], "by handle");
    assert_eq!(handles(&seeker, "club").await, ["news"], "by title");
    assert!(handles(&seeker, "newsroom").await.is_empty(), "private");
    assert!(handles(&seeker, "%").await.is_empty(), "`%` literal");
    assert!(handles(&seeker, "n_ws").await.is_empty(), "`_` literal");
    // A renamed chat is found by its new title, in any script.
    let renamed = ChatSettings {
        name: Some("Ålesund Runners".into()),
        ..ChatSettings::default()
    };
    aaron
        .call(&UPDATE_CHAT, &[&runners.id.0], &renamed)
        .await
        .unwrap();
    assert_eq!(handles(&guest, "ÅLESUND").await, ["runners"]);

    // Bad queries: blank (or only an @), too long, none; and no session.
    for blank in ["", "  ", "@", " @ "] {
        assert_eq!(
            find(&seeker, blank).await,
            Err((400, ErrorCode::TextEmpty)),
            "{blank:?}"
        );
    }
    assert!(find(&seeker, &"é".repeat(SEARCH_QUERY_MAX)).await.is_ok());
    assert_eq!(
        find(&seeker, &"é".repeat(SEARCH_QUERY_MAX + 1)).await,
        Err((400, ErrorCode::TextTooLong))
    );
    assert_eq!(
        seeker.call_query(&DIRECTORY, &[], "", &()).await,
        Err((400, ErrorCode::BadRequest)),
        "no q at all"
    );
    let anonymous = request_to(base, &DIRECTORY, &[], "q=ann", &())
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        read::<Directory>(anonymous).await,
        Err((401, ErrorCode::Unauthorized))
    );
}
