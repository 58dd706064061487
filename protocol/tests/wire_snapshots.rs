//! Snapshots of every wire type, so a protocol change is never an accident.
//! `cargo insta review` after an intended change.

use courier_protocol::api::*;
use courier_protocol::*;

fn message() -> Message {
    Message {
        chat: ChatId(7),
        seq: Seq(3),
        id: ClientMsgId("0190f3a1b2c-k3".into()),
        sender: UserId(2),
        sender_name: "Alice".into(),
        text: "hi <b>there</b>".into(),
        at: 1_790_000_000_000,
    }
}

fn chat() -> ChatSummary {
    ChatSummary {
        id: ChatId(7),
        kind: ChatKind::Group,
        title: "Team".into(),
        invite: "Zk3vQ9xW2mPa".into(),
        member_count: 3,
        last_seq: Seq(3),
        last: Some(message()),
    }
}

fn me() -> UserInfo {
    UserInfo { id: UserId(2), name: "Alice".into(), username: Some("alice".into()), kind: UserKind::Account }
}

#[test]
fn client_frames() {
    insta::assert_json_snapshot!("hello", ClientFrame::Hello { version: 1, cursors: vec![Cursor { chat: ChatId(7), seq: Seq(2) }] });
    insta::assert_json_snapshot!("send", ClientFrame::Send { chat: ChatId(7), id: ClientMsgId("0190f3a1b2c-k3".into()), text: "hi".into() });
    insta::assert_json_snapshot!("sync", ClientFrame::Sync { chat: ChatId(7), after: Seq(2) });
    insta::assert_json_snapshot!("ping", ClientFrame::Ping);
}

#[test]
fn server_frames() {
    insta::assert_json_snapshot!("welcome", ServerFrame::Welcome { version: 1, me: me(), chats: vec![chat()] });
    insta::assert_json_snapshot!("events", ServerFrame::Events { chat: ChatId(7), messages: vec![message()] });
    insta::assert_json_snapshot!("sent", ServerFrame::Sent { message: message() });
    insta::assert_json_snapshot!("chat", ServerFrame::Chat { chat: chat() });
    insta::assert_json_snapshot!("error", ServerFrame::Error { code: ErrorCode::NotMember, id: Some(ClientMsgId("m1".into())), chat: Some(ChatId(7)) });
    insta::assert_json_snapshot!("error_bare", ServerFrame::error(ErrorCode::BadFrame));
    insta::assert_json_snapshot!("pong", ServerFrame::Pong);
}

#[test]
fn api_bodies() {
    insta::assert_json_snapshot!("signup", SignUp { username: "alice".into(), password: "correct horse".into(), name: Some("Alice".into()) });
    insta::assert_json_snapshot!("signin", SignIn { username: "alice".into(), password: "correct horse".into() });
    insta::assert_json_snapshot!("guest", GuestJoin { invite: "Zk3vQ9xW2mPa".into(), name: "Gus".into() });
    insta::assert_json_snapshot!("claim", Claim { username: "gus".into(), password: "correct horse".into() });
    insta::assert_json_snapshot!("new_direct", NewDirect { username: "bob".into() });
    insta::assert_json_snapshot!("new_group", NewGroup { name: "Team".into() });
    insta::assert_json_snapshot!("invite_preview", InvitePreview { title: "Team".into(), member_count: 3 });
    insta::assert_json_snapshot!("me", Me { me: me() });
    insta::assert_json_snapshot!("chat_created", ChatCreated { chat: chat() });
    insta::assert_json_snapshot!("joined", Joined { me: me(), chat: chat() });
    insta::assert_json_snapshot!("members", Members { members: vec![me()] });
    insta::assert_json_snapshot!("api_error", ApiError { error: ErrorCode::UsernameTaken });
}
