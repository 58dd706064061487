//! Snapshots of every wire type, so a protocol change is never an accident.
//! `cargo insta review` after an intended change.

use courier_protocol::http::*;
use courier_protocol::model::folder::Folder;
use courier_protocol::*;

fn message() -> Message {
    Message {
        chat: ChatId(7),
        seq: Seq(3),
        id: ClientMsgId("0190f3a1b2c-k3".into()),
        sender: UserId(2),
        sender_name: "Alice".into(),
        content: Some(Content::text("hi <b>there</b>")),
        at: 1_790_000_000_000,
        reply_to: Some(Seq(2)),
        act: None,
        forwarded_from: None,
        expires_at: None,
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
        role: Role::Admin,
        rights: Rights {
            post: true,
            invite: true,
            ..Rights::NONE
        },
        handle: Some("team".into()),
        slow_mode_s: 30,
        signatures: false,
        ttl_s: 0,
        draft: String::new(),
        read: Seq(2),
        place: Place {
            pinned: true,
            ..Place::default()
        },
        alias: None,
    }
}

fn me() -> UserInfo {
    UserInfo {
        id: UserId(2),
        name: "Alice".into(),
        username: Some("alice".into()),
        kind: UserKind::Account,
    }
}

#[test]
fn client_frames() {
    insta::assert_json_snapshot!(
        "hello",
        ClientFrame::Hello {
            version: 1,
            cursors: vec![Cursor {
                chat: ChatId(7),
                seq: Seq(2)
            }],
            recent: Some(200),
        }
    );
    insta::assert_json_snapshot!(
        "send",
        ClientFrame::Send {
            chat: ChatId(7),
            id: ClientMsgId("0190f3a1b2c-k3".into()),
            content: Content::text("hi"),
            reply_to: Some(Seq(2)),
        }
    );
    let file = || FileId("0123456789abcdef0123456789abcdef".into());
    for (name, content) in [
        (
            "send_album",
            Content::Media {
                items: vec![
                    Attachment {
                        file: file(),
                        kind: MediaKind::Photo,
                        name: "cat.jpg".into(),
                        size: 48213,
                        mime: "image/jpeg".into(),
                        width: Some(800),
                        height: Some(600),
                        duration_ms: None,
                        thumbhash: Some("1QcSHQRnh493V4dIh4eXh1h4kJUI".into()),
                        thumb: None,
                    },
                    Attachment {
                        file: file(),
                        kind: MediaKind::Video,
                        name: "walk.mp4".into(),
                        size: 9_000_000,
                        mime: "video/mp4".into(),
                        width: Some(1280),
                        height: Some(720),
                        duration_ms: Some(12_500),
                        thumbhash: None,
                        thumb: Some(FileId("fedcba9876543210fedcba9876543210".into())),
                    },
                ],
                caption: "our **walk**".into(),
            },
        ),
        (
            "send_voice",
            Content::Voice {
                file: file(),
                duration_ms: 4200,
                waveform: vec![0, 12, 31, 7],
            },
        ),
        (
            "send_round_video",
            Content::RoundVideo {
                file: file(),
                duration_ms: 12_000,
                thumbhash: None,
            },
        ),
    ] {
        insta::assert_json_snapshot!(
            name,
            ClientFrame::Send {
                chat: ChatId(7),
                id: ClientMsgId("0190f3a1b2c-k4".into()),
                content,
                reply_to: None,
            }
        );
    }
    for (name, act) in [
        (
            "act_edit",
            Act::Edit {
                target: Seq(3),
                text: "hi there".into(),
            },
        ),
        ("act_delete", Act::Delete { target: Seq(3) }),
        (
            "act_react",
            Act::React {
                target: Seq(3),
                emoji: "👍".into(),
                on: true,
            },
        ),
        (
            "act_pin",
            Act::Pin {
                target: Seq(3),
                on: true,
            },
        ),
    ] {
        insta::assert_json_snapshot!(
            name,
            ClientFrame::Act {
                chat: ChatId(7),
                id: ClientMsgId("0190f3a1b2d-k4".into()),
                act
            }
        );
    }
    insta::assert_json_snapshot!(
        "sync",
        ClientFrame::Sync {
            chat: ChatId(7),
            after: Seq(2)
        }
    );
    insta::assert_json_snapshot!(
        "history_ask",
        ClientFrame::History {
            chat: ChatId(7),
            before: Seq(4)
        }
    );
    insta::assert_json_snapshot!("ping", ClientFrame::Ping);
    insta::assert_json_snapshot!(
        "read",
        ClientFrame::Read {
            chat: ChatId(7),
            seq: Seq(3)
        }
    );
    insta::assert_json_snapshot!(
        "forward",
        ClientFrame::Forward {
            chat: ChatId(7),
            id: ClientMsgId("0190f3a1b2c-k4".into()),
            from: ChatId(8),
            seq: Seq(2)
        }
    );
    insta::assert_json_snapshot!("typing", ClientFrame::Typing { chat: ChatId(7) });
    insta::assert_json_snapshot!(
        "call_invite",
        ClientFrame::Call {
            chat: ChatId(7),
            call: CallId("0190f3a1b2c-c1".into()),
            step: CallStep::Invite {
                video: true,
                leg: LegId("tab-4f2a".into()),
            },
        }
    );
    insta::assert_json_snapshot!(
        "call_accept",
        ClientFrame::Call {
            chat: ChatId(7),
            call: CallId("0190f3a1b2c-c1".into()),
            step: CallStep::Accept {
                leg: LegId("tab-9e01".into()),
            },
        }
    );
    for (name, step) in [
        ("call_ringing", CallStep::Ringing),
        ("call_decline", CallStep::Decline),
        ("call_cancel", CallStep::Cancel),
        ("call_hangup", CallStep::Hangup),
        ("call_alive", CallStep::Alive),
    ] {
        insta::assert_json_snapshot!(
            name,
            ClientFrame::Call {
                chat: ChatId(7),
                call: CallId("0190f3a1b2c-c1".into()),
                step,
            }
        );
    }
    insta::assert_json_snapshot!(
        "signal_offer",
        ClientFrame::Signal {
            call: CallId("0190f3a1b2c-c1".into()),
            leg: LegId("tab-4f2a".into()),
            signal: Signal::Description {
                offer: true,
                sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n".into(),
            },
        }
    );
    insta::assert_json_snapshot!(
        "signal_candidate",
        ClientFrame::Signal {
            call: CallId("0190f3a1b2c-c1".into()),
            leg: LegId("tab-4f2a".into()),
            signal: Signal::Candidate {
                candidate: "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host".into(),
                mid: Some("0".into()),
                line: Some(0),
            },
        }
    );
    insta::assert_json_snapshot!(
        "group_join",
        ClientFrame::GroupCall {
            chat: ChatId(9),
            step: GroupStep::Join {
                leg: LegId("tab-4f2a".into()),
                sdp: "v=0\r\n".into(),
            },
        }
    );
    insta::assert_json_snapshot!(
        "group_show",
        ClientFrame::GroupCall {
            chat: ChatId(9),
            step: GroupStep::Show {
                leg: LegId("tab-4f2a".into()),
                state: Showing {
                    muted: false,
                    camera: true,
                    screen: true,
                    hand: true,
                },
            },
        }
    );
    insta::assert_json_snapshot!(
        "group_leave",
        ClientFrame::GroupCall {
            chat: ChatId(9),
            step: GroupStep::Leave {
                leg: LegId("tab-4f2a".into()),
            },
        }
    );
    insta::assert_json_snapshot!(
        "received",
        ClientFrame::Received {
            chat: ChatId(7),
            seq: Seq(4)
        }
    );
    insta::assert_json_snapshot!(
        "views_ask",
        ClientFrame::Views {
            chat: ChatId(7),
            seqs: vec![Seq(2), Seq(3)]
        }
    );
}

#[test]
fn server_frames() {
    insta::assert_json_snapshot!(
        "welcome",
        ServerFrame::Welcome {
            version: 1,
            me: me(),
            chats: vec![chat()],
            folders: vec![Folder {
                name: "Work".into(),
                groups: true,
                chats: vec![ChatId(7)],
                excluded: vec![ChatId(8)],
                skip_muted: true,
                ..Folder::default()
            }],
            more: vec![],
        }
    );
    insta::assert_json_snapshot!(
        "chat_channel",
        ServerFrame::Chat {
            chat: ChatSummary {
                kind: ChatKind::Channel,
                alias: Some(UserId(-84_310_233_019_342)),
                ..chat()
            }
        }
    );
    insta::assert_json_snapshot!(
        "welcome_paged",
        ServerFrame::Welcome {
            version: 1,
            me: me(),
            chats: vec![chat()],
            folders: vec![],
            more: vec![ChatId(8), ChatId(9)],
        }
    );
    insta::assert_json_snapshot!(
        "events",
        ServerFrame::Events {
            chat: ChatId(7),
            messages: vec![message()]
        }
    );
    insta::assert_json_snapshot!(
        "history",
        ServerFrame::History {
            chat: ChatId(7),
            before: Seq(4),
            messages: vec![message()]
        }
    );
    insta::assert_json_snapshot!("sent", ServerFrame::Sent { message: message() });
    insta::assert_json_snapshot!("chat", ServerFrame::Chat { chat: chat() });
    insta::assert_json_snapshot!(
        "error",
        ServerFrame::Error {
            code: ErrorCode::NotMember,
            id: Some(ClientMsgId("m1".into())),
            chat: Some(ChatId(7)),
            call: None,
            retry_after_ms: None,
        }
    );
    insta::assert_json_snapshot!(
        "error_slow_down",
        ServerFrame::Error {
            code: ErrorCode::SlowDown,
            id: Some(ClientMsgId("m1".into())),
            chat: Some(ChatId(7)),
            call: None,
            retry_after_ms: Some(1500),
        }
    );
    insta::assert_json_snapshot!("error_bare", ServerFrame::error(ErrorCode::BadFrame));
    insta::assert_json_snapshot!(
        "error_call",
        ServerFrame::Error {
            code: ErrorCode::CallCrossed,
            id: None,
            chat: None,
            call: Some(CallId("0190f3a1b2c-c1".into())),
            retry_after_ms: None,
        }
    );
    insta::assert_json_snapshot!(
        "call_by",
        ServerFrame::Call {
            chat: ChatId(7),
            call: CallId("0190f3a1b2c-c1".into()),
            by: UserId(2),
            step: CallStep::Invite {
                video: false,
                leg: LegId("tab-4f2a".into()),
            },
        }
    );
    insta::assert_json_snapshot!(
        "call_ok",
        ServerFrame::CallOk {
            call: CallId("0190f3a1b2c-c1".into()),
        }
    );
    insta::assert_json_snapshot!(
        "call_ended",
        ServerFrame::CallEnded {
            chat: ChatId(7),
            call: CallId("0190f3a1b2c-c1".into()),
            end: CallEnd::Hangup,
            duration_ms: 125_000,
        }
    );
    insta::assert_json_snapshot!(
        "signal_from",
        ServerFrame::Signal {
            call: CallId("0190f3a1b2c-c1".into()),
            from: LegId("tab-9e01".into()),
            signal: Signal::Description {
                offer: false,
                sdp: "v=0\r\n".into(),
            },
        }
    );
    insta::assert_json_snapshot!(
        "content_call",
        Content::Call {
            video: true,
            end: CallEnd::Missed,
            duration_ms: 0,
        }
    );
    insta::assert_json_snapshot!(
        "group_call",
        ServerFrame::GroupCall {
            chat: ChatId(9),
            call: Some(GroupCall {
                id: CallId("g9-1790000000000".into()),
                started_at: 1_790_000_000_000,
                people: vec![Participant {
                    user: UserId(2),
                    name: "Alice".into(),
                    leg: LegId("tab-4f2a".into()),
                    peer: "2-tab-4f2a".into(),
                    showing: Showing {
                        muted: true,
                        camera: true,
                        screen: false,
                        hand: false,
                    },
                }],
            }),
        }
    );
    insta::assert_json_snapshot!(
        "group_call_ended",
        ServerFrame::GroupCall {
            chat: ChatId(9),
            call: None,
        }
    );
    insta::assert_json_snapshot!(
        "group_answer",
        ServerFrame::GroupAnswer {
            chat: ChatId(9),
            leg: LegId("tab-4f2a".into()),
            sdp: "v=0\r\n".into(),
        }
    );
    insta::assert_json_snapshot!("pong", ServerFrame::Pong);
    insta::assert_json_snapshot!("left", ServerFrame::Left { chat: ChatId(7) });
    insta::assert_json_snapshot!(
        "read_by",
        ServerFrame::Read {
            chat: ChatId(7),
            user: UserId(3),
            seq: Seq(3)
        }
    );
    insta::assert_json_snapshot!(
        "delivered_to",
        ServerFrame::Delivered {
            chat: ChatId(7),
            user: UserId(3),
            seq: Seq(4)
        }
    );
    insta::assert_json_snapshot!(
        "settings",
        ServerFrame::Settings {
            chat: ChatId(7),
            settings: ChatSettings {
                name: Some("Team".into()),
                ttl_s: Some(86_400),
                ..ChatSettings::default()
            }
        }
    );
    insta::assert_json_snapshot!(
        "folders",
        ServerFrame::Folders {
            folders: vec![Folder {
                name: "Family".into(),
                personal: true,
                ..Folder::default()
            }]
        }
    );
    insta::assert_json_snapshot!(
        "typing_by",
        ServerFrame::Typing {
            chat: ChatId(7),
            user: UserId(3),
            name: "Bob".into()
        }
    );
    insta::assert_json_snapshot!(
        "forwarded",
        Message {
            forwarded_from: Some("Carol".into()),
            reply_to: None,
            ..message()
        }
    );
    insta::assert_json_snapshot!("since", Since { seq: Some(Seq(40)) });
    insta::assert_json_snapshot!(
        "reads",
        Reads {
            reads: vec![ReadCursor {
                user: UserId(3),
                seq: Seq(3),
                delivered: Seq(4)
            }]
        }
    );
    insta::assert_json_snapshot!(
        "new_scheduled",
        NewScheduled {
            id: ClientMsgId("0190f3a1b2c-k5".into()),
            content: Content::text("good morning"),
            at: 1_790_000_060_000
        }
    );
    insta::assert_json_snapshot!(
        "scheduled",
        ScheduledPosts {
            scheduled: vec![ScheduledPost {
                id: ClientMsgId("0190f3a1b2c-k5".into()),
                content: Content::text("good morning"),
                at: 1_790_000_060_000
            }]
        }
    );
    insta::assert_json_snapshot!(
        "draft",
        ServerFrame::Draft {
            chat: ChatId(7),
            text: "half a tho".into(),
            device: "0190f3a1b2c-d1".into()
        }
    );
    insta::assert_json_snapshot!(
        "presence",
        Presence {
            online: false,
            last_seen: Some(1_790_000_000_000)
        }
    );
    insta::assert_json_snapshot!(
        "privacy",
        Privacy {
            hide_last_seen: true
        }
    );
    insta::assert_json_snapshot!(
        "found",
        Found {
            messages: vec![message()]
        }
    );
    insta::assert_json_snapshot!(
        "views",
        ServerFrame::Views {
            chat: ChatId(7),
            counts: vec![model::message::ViewCount {
                seq: Seq(3),
                views: 41
            }]
        }
    );
}

#[test]
fn api_bodies() {
    insta::assert_json_snapshot!(
        "ice_servers",
        IceServers {
            servers: vec![IceServer {
                urls: vec!["turn:turn.example.org:3478".into()],
                username: Some("1790043200:2".into()),
                credential: Some("DWX3FI7DiPIpadEYQAZsnZBAagI=".into()),
            }],
            relay_only: false,
        }
    );
    insta::assert_json_snapshot!(
        "signup",
        SignUp {
            username: "alice".into(),
            password: "correct horse".into(),
            name: Some("Alice".into())
        }
    );
    insta::assert_json_snapshot!(
        "signin",
        SignIn {
            username: "alice".into(),
            password: "correct horse".into()
        }
    );
    insta::assert_json_snapshot!(
        "guest",
        GuestJoin {
            invite: "Zk3vQ9xW2mPa".into(),
            name: "Gus".into()
        }
    );
    insta::assert_json_snapshot!(
        "claim",
        Claim {
            username: "gus".into(),
            password: "correct horse".into()
        }
    );
    insta::assert_json_snapshot!(
        "new_direct",
        NewDirect {
            username: "bob".into()
        }
    );
    insta::assert_json_snapshot!(
        "new_group",
        NewGroup {
            name: "Team".into(),
            members: vec!["ben".into()],
        }
    );
    insta::assert_json_snapshot!(
        "invite_preview",
        InvitePreview {
            title: "Team".into(),
            member_count: 3,
            kind: ChatKind::Channel,
            needs_approval: true
        }
    );
    insta::assert_json_snapshot!(
        "directory",
        Directory {
            people: vec![PersonHit {
                id: UserId(2),
                username: "annette".into(),
                name: "Annette".into()
            }],
            chats: vec![PublicChat {
                id: ChatId(7),
                handle: "team".into(),
                title: "Team".into(),
                kind: ChatKind::Channel,
                member_count: 3
            }]
        }
    );
    insta::assert_json_snapshot!("me", Me { me: me() });
    insta::assert_json_snapshot!("chat_created", ChatCreated { chat: chat() });
    insta::assert_json_snapshot!(
        "joined",
        Joined {
            me: me(),
            chat: chat()
        }
    );
    insta::assert_json_snapshot!(
        "members",
        Members {
            members: vec![Member {
                user: me(),
                role: Role::Owner,
                rights: Rights::ALL
            }],
            next: Some(UserId(2))
        }
    );
    insta::assert_json_snapshot!(
        "promote",
        MemberAction::Promote {
            rights: Rights {
                ban: true,
                pin: true,
                ..Rights::NONE
            }
        }
    );
    insta::assert_json_snapshot!("ban", MemberAction::Ban);
    insta::assert_json_snapshot!(
        "chat_settings",
        ChatSettings {
            handle: Some("team".into()),
            slow_mode_s: Some(30),
            ..Default::default()
        }
    );
    insta::assert_json_snapshot!(
        "new_invite",
        NewInvite {
            expires_in_s: Some(3600),
            usage_limit: Some(10),
            needs_approval: false
        }
    );
    insta::assert_json_snapshot!(
        "invite_links",
        InviteLinks {
            invites: vec![InviteLink {
                code: "Zk3vQ9xW2mPa".into(),
                primary: false,
                expires_at: Some(1_790_000_000_000),
                usage_limit: Some(10),
                uses: 2,
                needs_approval: false,
                revoked: false
            }]
        }
    );
    insta::assert_json_snapshot!(
        "join_requests",
        JoinRequests {
            requests: vec![JoinRequest {
                user: me(),
                at: 1_790_000_000_000
            }]
        }
    );
    insta::assert_json_snapshot!("request_answer", RequestAnswer { approve: true });
    insta::assert_json_snapshot!(
        "join_pending",
        JoinPending {
            pending: true,
            me: None
        }
    );
    insta::assert_json_snapshot!(
        "api_error",
        ApiError {
            error: ErrorCode::UsernameTaken,
            retry_after_ms: None,
        }
    );
    insta::assert_json_snapshot!(
        "api_error_slow_down",
        ApiError {
            error: ErrorCode::SlowDown,
            retry_after_ms: Some(4000),
        }
    );
}
