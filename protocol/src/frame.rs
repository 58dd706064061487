//! WebSocket frames, both directions, and the records they carry.
//!
//! Each frame is a JSON object `{"t": "<type>", "c": <body>}`. Unknown fields
//! are ignored so that an old cached app can talk to a newer server.

use serde::{Deserialize, Serialize};

use crate::api::ChatSettings;
use crate::error::ErrorCode;
use crate::folder::Folder;
use crate::ids::{ChatId, ClientMsgId, Seq, UserId};
use crate::limits::{
    MAX_CURSORS, MAX_FRAME_BYTES, MAX_VIEW_SEQS, REACTIONS, SEEN_BY_MAX_MEMBERS, check_text,
};
use crate::role::{Rights, Role};

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "c", rename_all = "snake_case")]
pub enum ClientFrame {
    /// The first frame on every socket: the client's protocol version and,
    /// per chat it holds, the last sequence it has. The server answers with
    /// `Welcome`, then `Events` with everything newer than each cursor. A
    /// chat with no cursor gets its newest `recent` events, or its whole
    /// history if `recent` is absent; older ones come by `History`.
    Hello {
        version: u32,
        cursors: Vec<Cursor>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recent: Option<u32>,
    },
    /// Send a message. Answered by `Sent` once it is committed, or by
    /// `Error` carrying the same `id`.
    Send {
        chat: ChatId,
        id: ClientMsgId,
        text: String,
        /// The message this one answers (quoted above it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<Seq>,
    },
    /// Edit, delete, react to or pin a message: an event in the chat's
    /// sequence like a message, so it resumes and fills gaps the same way.
    /// Answered like `Send`, by `Sent` or an `Error` with the same `id`.
    Act {
        chat: ChatId,
        id: ClientMsgId,
        act: Act,
    },
    /// Ask for the events of `chat` after `after` (to fill a gap).
    Sync { chat: ChatId, after: Seq },
    /// Ask for older history: the newest `HISTORY_PAGE` events of `chat`
    /// before `before`. Answered by `History`.
    History { chat: ChatId, before: Seq },
    /// "I have read `chat` up to `seq`." Moves the member's read cursor
    /// forward (never back); in a channel each post read for the first
    /// time counts one view. Not answered.
    Read { chat: ChatId, seq: Seq },
    /// "This device has stored `chat` up to `seq`." Moves the member's
    /// delivered cursor forward (never back); not answered. Sent once per
    /// batch of others' messages, so the sender sees "delivered".
    Received { chat: ChatId, seq: Seq },
    /// Ask for the view counts of a channel's posts; answered by `Views`.
    Views { chat: ChatId, seqs: Vec<Seq> },
    /// Posts a copy of message `seq` of chat `from` (where the sender is a
    /// member) into `chat`, marked with where it came from. Answered like
    /// `Send`.
    Forward {
        chat: ChatId,
        id: ClientMsgId,
        from: ChatId,
        seq: Seq,
    },
    /// "I am typing in `chat`": the other members' apps show it for a few
    /// seconds. Not answered; the server passes on at most one a second.
    Typing { chat: ChatId },
    /// Answered by `Pong`; lets a client notice a dead connection.
    Ping,
}

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "c", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The answer to `Hello`: who the socket belongs to and their chats.
    Welcome {
        version: u32,
        me: UserInfo,
        chats: Vec<ChatSummary>,
        /// The user's own chat folders, in order.
        #[serde(default)]
        folders: Vec<Folder>,
        /// The user's other chats, which did not fit this frame: each
        /// follows as a `Chat` frame. With `chats`, every chat the user is
        /// in; the client forgets any other it holds.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        more: Vec<ChatId>,
    },
    /// Events of one chat in ascending `seq`, at most `MAX_EVENTS_PER_FRAME`.
    Events {
        chat: ChatId,
        messages: Vec<Message>,
    },
    /// The answer to `History`: the events just before the asked `before`,
    /// ascending, at most `HISTORY_PAGE`; none when there is nothing older.
    History {
        chat: ChatId,
        before: Seq,
        messages: Vec<Message>,
    },
    /// A `Send` is committed. Sent again with the same message if the same
    /// `id` is sent again.
    Sent {
        message: Message,
    },
    /// A chat the user is in was created, joined or changed.
    Chat {
        chat: ChatSummary,
    },
    /// The user is no longer in `chat` (removed or banned): nothing more
    /// of it will come, and the app forgets it.
    Left {
        chat: ChatId,
    },
    /// View counts of channel posts, answering `Views`.
    Views {
        chat: ChatId,
        counts: Vec<ViewCount>,
    },
    /// A device of `user` has stored `chat` up to `seq` (direct chats and
    /// groups, not channels): the sender's app marks its messages delivered.
    Delivered {
        chat: ChatId,
        user: UserId,
        seq: Seq,
    },
    /// `user` has read `chat` up to `seq` (direct chats and groups, not
    /// channels): the sender's app marks its messages read.
    Read {
        chat: ChatId,
        user: UserId,
        seq: Seq,
    },
    /// The chat's shared settings changed: the fields set are the new
    /// values (a name, `""` for no handle), for every member's app to
    /// apply to its copy of the chat.
    Settings {
        chat: ChatId,
        settings: ChatSettings,
    },
    /// The user's folders changed (on this or another device).
    Folders {
        folders: Vec<Folder>,
    },
    /// The user's draft of `chat` changed on another of their devices.
    Draft {
        chat: ChatId,
        text: String,
        /// The device that saved it (as it named itself).
        #[serde(default)]
        device: String,
    },
    /// `user` (shown as `name`) is typing in `chat`.
    Typing {
        chat: ChatId,
        user: UserId,
        name: String,
    },
    /// A request failed. `id` names the `Send` it answers, if any.
    Error {
        code: ErrorCode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<ClientMsgId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chat: Option<ChatId>,
        /// With `slow_down`: wait this long before sending the frame again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    Pong,
}

/// "I hold `chat` up to and including `seq`."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub chat: ChatId,
    pub seq: Seq,
}

/// One stored message: the unit of a chat's sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub chat: ChatId,
    pub seq: Seq,
    /// The sender's client-made id, unique per sender and chat.
    pub id: ClientMsgId,
    pub sender: UserId,
    pub sender_name: String,
    /// Empty for an act (its text, if any, is in the act).
    pub text: String,
    /// When the server stored it: milliseconds since the Unix epoch.
    pub at: i64,
    /// The message this one answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Seq>,
    /// Set when this event acts on an earlier message instead of posting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Act>,
    /// A forwarded copy: who (or which channel) first posted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<String>,
    /// In a chat with disappearing messages: when the server deletes it
    /// (milliseconds since the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// What an event does to an earlier message of its chat (`target`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Act {
    /// The sender replaces their own message's text; it shows "edited".
    Edit { target: Seq, text: String },
    /// Deleted for everyone: by its sender, or an admin with the `delete` right.
    Delete { target: Seq },
    /// Adds (`on`) or takes back the sender's reaction, one of [`REACTIONS`].
    React {
        target: Seq,
        emoji: String,
        on: bool,
    },
    /// Pins or unpins a message in the chat's pinned bar: the `pin` right,
    /// or either person of a direct chat.
    Pin { target: Seq, on: bool },
}

impl Act {
    pub fn target(&self) -> Seq {
        match self {
            Act::Edit { target, .. }
            | Act::Delete { target }
            | Act::React { target, .. }
            | Act::Pin { target, .. } => *target,
        }
    }

    pub fn validate(&self) -> Result<(), ErrorCode> {
        if self.target().0 < 1 {
            return Err(ErrorCode::BadFrame);
        }
        match self {
            Act::Edit { text, .. } => check_text(text),
            Act::React { emoji, .. } if !REACTIONS.contains(&emoji.as_str()) => {
                Err(ErrorCode::BadReaction)
            }
            _ => Ok(()),
        }
    }
}

/// How many members have seen a channel post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewCount {
    pub seq: Seq,
    pub views: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatKind {
    Direct,
    Group,
    /// Only admins post; members (subscribers) read.
    Channel,
}

/// A chat as one member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatSummary {
    pub id: ChatId,
    pub kind: ChatKind,
    /// The group's name, or for a direct chat the other person's name.
    pub title: String,
    /// The main invite code, the link being `/join/<invite>`; empty for
    /// a viewer who may not share it (a channel's subscriber).
    pub invite: String,
    /// Members, or a channel's subscribers.
    pub member_count: u32,
    /// The newest sequence in the chat.
    pub last_seq: Seq,
    pub last: Option<Message>,
    /// The viewer's role and what they may do.
    #[serde(default)]
    pub role: Role,
    #[serde(default)]
    pub rights: Rights,
    /// The public name (`@handle`) anyone can find the chat by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Seconds a member waits between two messages; 0 is off.
    #[serde(default)]
    pub slow_mode_s: u32,
    /// In a channel: posts carry their author's name instead of the channel's.
    #[serde(default)]
    pub signatures: bool,
    /// Disappearing messages: seconds each message lives; 0 is off.
    #[serde(default)]
    pub ttl_s: u32,
    /// The viewer's unsent draft, shared by their devices.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub draft: String,
    /// How far the viewer has read, on any of their devices.
    #[serde(default)]
    pub read: Seq,
    /// Where the viewer keeps the chat in their list.
    #[serde(default)]
    pub place: Place,
    /// In a channel: the id that the viewer's own events there carry
    /// (reactions, unsigned posts), in place of their user id, so that no
    /// reader learns who they are. Each channel has its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<UserId>,
}

impl ChatSummary {
    /// Whether members see each other's reads and deliveries: not in a
    /// channel, nor in a group of more than `SEEN_BY_MAX_MEMBERS`.
    pub fn shares_reads(&self) -> bool {
        self.kind != ChatKind::Channel && self.member_count <= SEEN_BY_MAX_MEMBERS
    }
}

/// Where a member keeps a chat in their own list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Place {
    /// On top of the list.
    pub pinned: bool,
    /// Its unread count shows grey; mentions of the member still stand out.
    pub muted: bool,
    /// Out of the main list, in the archive.
    pub archived: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    Account,
    /// Joined by an invite link with only a display name.
    Guest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: UserId,
    pub name: String,
    pub username: Option<String>,
    pub kind: UserKind,
}

/// One entry of a chat's member list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    #[serde(flatten)]
    pub user: UserInfo,
    pub role: Role,
    /// An admin's rights; none for others.
    #[serde(default)]
    pub rights: Rights,
}

impl ClientFrame {
    /// Decodes and validates one frame from a client: the single gate every
    /// client frame passes.
    pub fn parse(text: &str) -> Result<ClientFrame, ErrorCode> {
        if text.len() > MAX_FRAME_BYTES {
            return Err(ErrorCode::FrameTooLarge);
        }
        let frame: ClientFrame = serde_json::from_str(text).map_err(|_| ErrorCode::BadFrame)?;
        frame.validate()?;
        Ok(frame)
    }

    pub fn validate(&self) -> Result<(), ErrorCode> {
        match self {
            ClientFrame::Hello { cursors, .. } if cursors.len() > MAX_CURSORS => {
                Err(ErrorCode::TooMany)
            }
            ClientFrame::Hello { cursors, .. } if cursors.iter().any(|c| c.seq.0 < 0) => {
                Err(ErrorCode::BadFrame)
            }
            ClientFrame::History { before, .. } if before.0 < 1 => Err(ErrorCode::BadFrame),
            ClientFrame::Send {
                id, text, reply_to, ..
            } => {
                id.validate()?;
                if reply_to.is_some_and(|r| r.0 < 1) {
                    return Err(ErrorCode::BadFrame);
                }
                check_text(text)
            }
            ClientFrame::Act { id, act, .. } => {
                id.validate()?;
                act.validate()
            }
            ClientFrame::Forward { id, seq, .. } => {
                id.validate()?;
                if seq.0 < 1 {
                    return Err(ErrorCode::BadFrame);
                }
                Ok(())
            }
            ClientFrame::Sync { after: seq, .. }
            | ClientFrame::Read { seq, .. }
            | ClientFrame::Received { seq, .. }
                if seq.0 < 0 =>
            {
                Err(ErrorCode::BadFrame)
            }
            ClientFrame::Views { seqs, .. } if seqs.len() > MAX_VIEW_SEQS => {
                Err(ErrorCode::TooMany)
            }
            _ => Ok(()),
        }
    }

    pub fn encode(&self) -> String {
        // Serialising these plain types cannot fail: no maps with non-string keys.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl ServerFrame {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn decode(text: &str) -> Result<ServerFrame, ErrorCode> {
        serde_json::from_str(text).map_err(|_| ErrorCode::BadFrame)
    }

    pub fn error(code: ErrorCode) -> ServerFrame {
        ServerFrame::Error {
            code,
            id: None,
            chat: None,
            retry_after_ms: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_TEXT_CHARS;

    fn send(text: &str) -> String {
        ClientFrame::Send {
            chat: ChatId(1),
            id: ClientMsgId("m1".into()),
            text: text.into(),
            reply_to: None,
        }
        .encode()
    }

    #[test]
    fn parse_accepts_a_valid_send() {
        assert!(matches!(
            ClientFrame::parse(&send("hi")),
            Ok(ClientFrame::Send { .. })
        ));
    }

    #[test]
    fn parse_rejects_bad_input_with_stable_codes() {
        assert_eq!(ClientFrame::parse("{not json"), Err(ErrorCode::BadFrame));
        assert_eq!(
            ClientFrame::parse(r#"{"t":"launch","c":{}}"#),
            Err(ErrorCode::BadFrame)
        );
        assert_eq!(
            ClientFrame::parse(&send(&"x".repeat(MAX_TEXT_CHARS + 1))),
            Err(ErrorCode::TextTooLong)
        );
        assert_eq!(ClientFrame::parse(&send(" ")), Err(ErrorCode::TextEmpty));
        assert_eq!(
            ClientFrame::parse(&"x".repeat(MAX_FRAME_BYTES + 1)),
            Err(ErrorCode::FrameTooLarge)
        );
        let many = ClientFrame::Hello {
            version: 1,
            cursors: vec![
                Cursor {
                    chat: ChatId(1),
                    seq: Seq(1)
                };
                MAX_CURSORS + 1
            ],
            recent: None,
        };
        assert_eq!(ClientFrame::parse(&many.encode()), Err(ErrorCode::TooMany));
        assert_eq!(
            ClientFrame::parse(r#"{"t":"sync","c":{"chat":1,"after":-5}}"#),
            Err(ErrorCode::BadFrame)
        );
        assert_eq!(
            ClientFrame::parse(r#"{"t":"history","c":{"chat":1,"before":0}}"#),
            Err(ErrorCode::BadFrame)
        );
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let f = ClientFrame::parse(r#"{"t":"sync","c":{"chat":1,"after":2,"future":true}}"#);
        assert_eq!(
            f,
            Ok(ClientFrame::Sync {
                chat: ChatId(1),
                after: Seq(2)
            })
        );
    }
}
