//! What a client sends, and the one gate every client frame passes.
//!
//! Each frame is a JSON object `{"t": "<type>", "c": <body>}`. Unknown fields
//! are ignored so that an old cached app can talk to a newer server.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::limits::{MAX_CURSORS, MAX_FRAME_BYTES, MAX_VIEW_SEQS};
use crate::model::act::Act;
use crate::model::call::{CallId, CallStep, LegId, Signal};
use crate::model::content::Content;
use crate::model::group_call::GroupStep;
use crate::model::ids::{ChatId, ClientMsgId, Seq};

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
        content: Content,
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
    /// A step of a call in `chat` (ring, answer, refuse, give up, hang
    /// up). Answered by `CallOk`, or by an `Error` naming the call; both
    /// people's devices then get the step as a `Call` frame, and the end
    /// of a call as `CallEnded`.
    Call {
        chat: ChatId,
        call: CallId,
        #[serde(flatten)]
        step: CallStep,
    },
    /// Media negotiation from this tab's `leg` of an answered call, for
    /// the other leg. Not answered unless refused (an `Error` naming the
    /// call).
    Signal {
        call: CallId,
        leg: LegId,
        signal: Signal,
    },
    /// A step of this tab in the call of the group `chat`: joining is
    /// answered by `GroupAnswer`, the rest by the group's `GroupCall`
    /// frame; a refusal by an `Error` naming the chat.
    GroupCall {
        chat: ChatId,
        #[serde(flatten)]
        step: GroupStep,
    },
    /// Answered by `Pong`; lets a client notice a dead connection.
    Ping,
}

/// "I hold `chat` up to and including `seq`."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub chat: ChatId,
    pub seq: Seq,
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
                id,
                content,
                reply_to,
                ..
            } => {
                id.validate()?;
                if reply_to.is_some_and(|r| r.0 < 1) {
                    return Err(ErrorCode::BadFrame);
                }
                content.validate()
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
            ClientFrame::Call { call, step, .. } => {
                call.validate()?;
                step.validate()
            }
            ClientFrame::Signal { call, leg, signal } => {
                call.validate()?;
                leg.validate()?;
                signal.validate()
            }
            ClientFrame::GroupCall { step, .. } => step.validate(),
            _ => Ok(()),
        }
    }

    pub fn encode(&self) -> String {
        // Serialising these plain types cannot fail: no maps with non-string keys.
        serde_json::to_string(self).unwrap_or_default()
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
            content: Content::text(text),
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
