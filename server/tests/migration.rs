//! Data written by the release that spoke protocol version 1 opens in this
//! one, on SQLite and on PostgreSQL: every post reads as `Content::Text`,
//! acts and a post deleted for everyone carry no content, and the migrated
//! chat goes on; a scheduled post and a disappearing message's timer left
//! waiting become jobs and run. The fixtures are dumps that release made
//! (tests/fixtures/make-v1.mjs tells how).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use courier_protocol::http::{Me, SIGN_IN, SignIn};
use courier_protocol::{
    Act, ChatSummary, ClientFrame, Content, Cursor, ErrorCode, Message, PROTOCOL_VERSION, Seq,
    ServerFrame,
};

mod common;

use common::{Person, TestDatabase, TestServer, cookie_of, request_to, start_in};

const SQLITE_DUMP: &str = include_str!("fixtures/v1-sqlite.sql");
/// Timers waiting in a database made before the job queues (the same
/// SQL on both backends): a scheduled post due already, and a message in
/// "Team v1" whose disappearing timer ran out.
const WAITING_TIMERS: &str = "
    INSERT INTO scheduled (chat_id, sender_id, client_id, text, due_at)
         VALUES (2, 1, 'v1-later', 'posted when due', 1000);
    INSERT INTO messages (chat_id, seq, sender_id, client_id, text, at, folded, expires_at)
         VALUES (2, 3, 1, 'v1-brief', 'gone soon', 1000, 'gone soon', 2000);
    UPDATE chats SET last_seq = 3 WHERE id = 2;";

const POSTGRES_DUMP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/v1-postgres.sql"
);

async fn sign_in(server: &TestServer, username: &str) -> Person {
    let body = SignIn {
        username: username.into(),
        password: "correct horse battery".into(),
    };
    let response = request_to(&server.base, &SIGN_IN, &[], "", &body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        200,
        "{username} signs in with the old password"
    );
    let cookie = cookie_of(&response);
    let me = response.json::<Me>().await.unwrap().me;
    Person {
        base: server.base.clone(),
        cookie,
        me,
    }
}

fn chat_named<'a>(chats: &'a [ChatSummary], title: &str) -> &'a ChatSummary {
    chats.iter().find(|c| c.title == title).unwrap()
}

fn text(m: &Message) -> Option<&str> {
    match &m.content {
        Some(Content::Text { text }) => Some(text),
        Some(other) => panic!("unexpected content {other:?}"),
        None => None,
    }
}

/// What the fixture's story left, as a version-2 client reads it.
async fn reads_as_version_2(server: &TestServer) {
    let alice = sign_in(server, "alicev1").await;
    let (_, chats) = alice.welcome(&[]).await;
    let direct = chat_named(&chats, "bobv1");
    let team = chat_named(&chats, "Team v1");
    assert_eq!(direct.last_seq, Seq(8));
    // One socket per chat: each resumes the other chat from its end.
    let held = |chat: &ChatSummary| Cursor {
        chat: chat.id,
        seq: chat.last_seq,
    };
    let mut socket = alice.connect(&[held(team)]).await;
    let events = socket.events_until(direct.id, Seq(8)).await;
    let seq = |n: i64| events.iter().find(|m| m.seq == Seq(n)).unwrap();
    assert_eq!(text(seq(1)), Some("hello from version 1"));
    assert_eq!(
        (text(seq(2)), seq(2).reply_to),
        (Some("an answer"), Some(Seq(1)))
    );
    assert_eq!(
        text(seq(3)),
        Some("a typo here"),
        "the edit's text, as stored"
    );
    assert_eq!(seq(4).content, None, "an act has no content");
    assert!(matches!(seq(4).act, Some(Act::Edit { .. })));
    assert_eq!(seq(5).content, None, "deleted for everyone: no content");
    assert!(matches!(seq(8).act, Some(Act::Pin { on: true, .. })));

    let copies = alice
        .connect(&[held(direct)])
        .await
        .events_until(team.id, Seq(2))
        .await;
    let copy = copies.iter().find(|m| m.seq == Seq(2)).unwrap();
    assert_eq!(text(copy), Some("an answer"));
    assert_eq!(copy.forwarded_from.as_deref(), Some("bobv1"));

    // The timers became jobs, and ran.
    let timers = alice
        .connect(&[held(direct)])
        .await
        .events_until(team.id, Seq(5))
        .await;
    assert!(
        timers.iter().any(|m| text(m) == Some("posted when due")),
        "the scheduled post: {timers:?}"
    );
    assert!(
        timers
            .iter()
            .any(|m| m.act == Some(Act::Delete { target: Seq(3) })),
        "the disappearing message deleted: {timers:?}"
    );

    // The chat goes on, in version 2.
    socket.say(direct.id, "v2-a1", "hello from version 2").await;
    let sent = socket.sent("v2-a1").await;
    assert_eq!(
        (sent.seq, text(&sent)),
        (Seq(9), Some("hello from version 2"))
    );

    // A version-1 socket is told it is out of date.
    let mut old = alice.connect_raw().await;
    old.send(&ClientFrame::Hello {
        version: PROTOCOL_VERSION - 1,
        cursors: vec![],
        recent: None,
    })
    .await;
    assert!(matches!(
        old.next().await,
        ServerFrame::Error {
            code: ErrorCode::UnsupportedVersion,
            ..
        }
    ));
}

#[tokio::test]
async fn a_version_1_sqlite_database_migrates_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("courier.db"))
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::raw_sql(SQLITE_DUMP).execute(&pool).await.unwrap();
    sqlx::raw_sql(WAITING_TIMERS).execute(&pool).await.unwrap();
    pool.close().await;
    let server = start_in(dir, |_| {}).await;
    reads_as_version_2(&server).await;
}

#[tokio::test]
async fn a_version_1_postgres_database_migrates_in_place() {
    let database = TestDatabase::create().await;
    // Apart: the dump empties the session's search_path.
    for script in [["-f", POSTGRES_DUMP], ["-c", WAITING_TIMERS]] {
        let loaded = std::process::Command::new("psql")
            .args(["-q", "-v", "ON_ERROR_STOP=1", "-d", &database.url])
            .args(script)
            .output()
            .unwrap();
        assert!(
            loaded.status.success(),
            "{}",
            String::from_utf8_lossy(&loaded.stderr)
        );
    }
    let url = database.url.clone();
    let server = start_in(tempfile::tempdir().unwrap(), |c| c.postgres = Some(url)).await;
    reads_as_version_2(&server).await;
    drop(server);
    database.drop_now().await;
}
