//! What the server sends.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::model::call::{CallEnd, CallId, CallStep, LegId, Signal};
use crate::model::chat::{ChatSettings, ChatSummary};
use crate::model::folder::Folder;
use crate::model::group_call::GroupCall;
use crate::model::ids::{ChatId, ClientMsgId, Seq, UserId};
use crate::model::message::{Message, ViewCount};
use crate::model::user::UserInfo;

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
    /// A step of a call in `chat`, taken by `by` (from any of their
    /// devices): to every device of both people, so a callee's other
    /// devices ring, and stop when one of them answers.
    Call {
        chat: ChatId,
        call: CallId,
        by: UserId,
        #[serde(flatten)]
        step: CallStep,
    },
    /// A `Call` step was taken (or had been: a step sent again changes
    /// nothing and is answered the same).
    CallOk {
        call: CallId,
    },
    /// The call is over, for every device of both people: how it ended
    /// and how long it lasted if it was answered. Its `Content::Call`
    /// event follows in the chat.
    CallEnded {
        chat: ChatId,
        call: CallId,
        end: CallEnd,
        #[serde(default)]
        duration_ms: u32,
    },
    /// Media negotiation from the other leg of a call.
    Signal {
        call: CallId,
        from: LegId,
        signal: Signal,
    },
    /// The call of the group `chat` changed (someone joined, left or
    /// shows something else), to every member online; `None`: it ended.
    GroupCall {
        chat: ChatId,
        call: Option<GroupCall>,
    },
    /// The SFU's answer to this tab's `join`.
    GroupAnswer {
        chat: ChatId,
        leg: LegId,
        sdp: String,
    },
    /// A request failed. `id` names the `Send` it answers, if any.
    Error {
        code: ErrorCode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<ClientMsgId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chat: Option<ChatId>,
        /// The call a refused `Call` or `Signal` was about.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<CallId>,
        /// With `slow_down`: wait this long before sending the frame again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    Pong,
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
            call: None,
            retry_after_ms: None,
        }
    }
}
