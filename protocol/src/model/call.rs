//! Calls: the steps that ring, answer and end a call (control: each one
//! acked by the server, apart from media), the media negotiation its two
//! legs exchange through the server (signals, relayed as they are), and
//! how it ended, which it leaves in the chat as a `Content::Call` event.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::limits::{MAX_CANDIDATE_BYTES, MAX_SDP_BYTES, MAX_SIGNAL_NAME_BYTES};
use crate::model::ids::client_made;

/// An id a client makes, with the rules of a message's id.
macro_rules! client_made_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn validate(&self) -> Result<(), ErrorCode> {
                if client_made(&self.0) {
                    Ok(())
                } else {
                    Err(ErrorCode::BadClientId)
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

client_made_id!(
    /// A call, named by the caller's app before it rings, so that an
    /// invite sent again (a lost ack) rings one call.
    CallId
);

client_made_id!(
    /// One tab taking part in a call: the caller's, and the one of the
    /// callee's devices that answered. Signals are from a leg, so a user's
    /// other tabs, which get them too, know they are not theirs.
    LegId
);

/// A step of a call's control, as a client sends it and as the server
/// passes it on to both people's devices (`{"step": "invite", …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum CallStep {
    /// The caller rings the other person of a 1:1 from `leg`, with video
    /// or voice only. Every device of the callee rings.
    Invite { video: bool, leg: LegId },
    /// A device of the callee is ringing: the caller's app says "Ringing"
    /// instead of "Calling".
    Ringing,
    /// The callee answers from `leg`; their other devices stop ringing.
    Accept { leg: LegId },
    /// The callee refuses the call.
    Decline,
    /// The caller gives up before it is answered.
    Cancel,
    /// Either person ends an answered call.
    Hangup,
    /// "My leg is still in the answered call", every
    /// `limits::LEG_ALIVE_MS`: a call whose leg is silent for
    /// `limits::LEG_TIMEOUT_MS` ends, so none is left half-open. Passed on
    /// to nobody.
    Alive,
}

impl CallStep {
    pub fn validate(&self) -> Result<(), ErrorCode> {
        match self {
            CallStep::Invite { leg, .. } | CallStep::Accept { leg } => leg.validate(),
            _ => Ok(()),
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallEnd {
    /// It was answered, then one of the two hung up.
    Hangup,
    /// Nobody answered within `limits::RING_MS`.
    Missed,
    /// The callee refused it.
    Declined,
    /// The callee was in another call.
    Busy,
    /// The caller gave up before an answer.
    Cancelled,
}

/// Media negotiation between a call's two legs, passed on by the server
/// without reading it beyond its bounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// A session description: an offer, or the answer to one. (A rollback
    /// is local to a leg and never sent.)
    Description { offer: bool, sdp: String },
    /// One trickled ICE candidate; an empty `candidate` ends the leg's
    /// gathering.
    Candidate {
        candidate: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mid: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<u16>,
    },
}

impl Signal {
    pub fn validate(&self) -> Result<(), ErrorCode> {
        let ok = match self {
            Signal::Description { sdp, .. } => !sdp.is_empty() && sdp.len() <= MAX_SDP_BYTES,
            Signal::Candidate { candidate, mid, .. } => {
                candidate.len() <= MAX_CANDIDATE_BYTES
                    && mid
                        .as_ref()
                        .is_none_or(|m| m.len() <= MAX_SIGNAL_NAME_BYTES)
            }
        };
        if ok { Ok(()) } else { Err(ErrorCode::BadFrame) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_tagged_and_bounded() {
        let invite = CallStep::Invite {
            video: true,
            leg: LegId("tab-1".into()),
        };
        assert_eq!(
            serde_json::to_string(&invite).ok().as_deref(),
            Some(r#"{"step":"invite","video":true,"leg":"tab-1"}"#)
        );
        assert_eq!(invite.validate(), Ok(()));
        let bad_leg = CallStep::Accept {
            leg: LegId("a b".into()),
        };
        assert_eq!(bad_leg.validate(), Err(ErrorCode::BadClientId));
        assert_eq!(
            CallId(String::new()).validate(),
            Err(ErrorCode::BadClientId)
        );
    }

    #[test]
    fn signals_are_bounded() {
        let sdp = |len| Signal::Description {
            offer: true,
            sdp: "v".repeat(len),
        };
        assert_eq!(sdp(MAX_SDP_BYTES).validate(), Ok(()));
        assert_eq!(sdp(MAX_SDP_BYTES + 1).validate(), Err(ErrorCode::BadFrame));
        assert_eq!(sdp(0).validate(), Err(ErrorCode::BadFrame));
        let done = Signal::Candidate {
            candidate: String::new(),
            mid: None,
            line: None,
        };
        assert_eq!(done.validate(), Ok(()));
        let long = Signal::Candidate {
            candidate: "c".repeat(MAX_CANDIDATE_BYTES + 1),
            mid: Some("0".into()),
            line: Some(0),
        };
        assert_eq!(long.validate(), Err(ErrorCode::BadFrame));
    }
}
