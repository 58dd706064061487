//! A group's call: one per group at a time, which any member starts by
//! joining and which ends when the last one leaves. Media goes through
//! the server's SFU: a tab joins with its offer to the SFU and gets the
//! answer back; after that it and the SFU renegotiate on a data channel
//! of their own. What each one shows (muted, camera, screen, hand) is
//! told to the whole group.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::limits::MAX_SDP_BYTES;
use crate::model::call::{CallId, LegId};
use crate::model::ids::UserId;

/// A step in a group's call, taken by one of the sender's tabs (`leg`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum GroupStep {
    /// Join the group's call (starting it if there is none) with the
    /// browser's offer to the SFU: answered by `GroupAnswer`. Joining
    /// again from the same leg (after a reconnect) replaces its media.
    Join { leg: LegId, sdp: String },
    /// What this leg shows now.
    Show {
        leg: LegId,
        #[serde(flatten)]
        state: Showing,
    },
    /// Leave the call: the last one to leave ends it.
    Leave { leg: LegId },
}

impl GroupStep {
    pub fn leg(&self) -> &LegId {
        match self {
            GroupStep::Join { leg, .. }
            | GroupStep::Show { leg, .. }
            | GroupStep::Leave { leg } => leg,
        }
    }

    pub fn validate(&self) -> Result<(), ErrorCode> {
        self.leg().validate()?;
        match self {
            GroupStep::Join { sdp, .. } if sdp.is_empty() || sdp.len() > MAX_SDP_BYTES => {
                Err(ErrorCode::BadFrame)
            }
            _ => Ok(()),
        }
    }
}

/// What a participant shows the others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Showing {
    #[serde(default)]
    pub muted: bool,
    #[serde(default)]
    pub camera: bool,
    #[serde(default)]
    pub screen: bool,
    /// A raised hand.
    #[serde(default)]
    pub hand: bool,
}

/// One tab in a group's call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub user: UserId,
    pub name: String,
    pub leg: LegId,
    /// The SFU's name for this leg's media: the stream id of its tracks.
    pub peer: String,
    #[serde(flatten)]
    pub showing: Showing,
}

/// A group's call going on now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCall {
    pub id: CallId,
    /// ms since the epoch.
    pub started_at: i64,
    /// In the order they joined.
    pub people: Vec<Participant>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_tagged_and_bounded() {
        let show = GroupStep::Show {
            leg: LegId("tab-1".into()),
            state: Showing {
                muted: true,
                ..Showing::default()
            },
        };
        assert_eq!(
            serde_json::to_string(&show).ok().as_deref(),
            Some(
                r#"{"step":"show","leg":"tab-1","muted":true,"camera":false,"screen":false,"hand":false}"#
            )
        );
        let join = GroupStep::Join {
            leg: LegId("tab-1".into()),
            sdp: "x".repeat(MAX_SDP_BYTES + 1),
        };
        assert_eq!(join.validate(), Err(ErrorCode::BadFrame));
        let bad_leg = GroupStep::Leave {
            leg: LegId("a b".into()),
        };
        assert_eq!(bad_leg.validate(), Err(ErrorCode::BadClientId));
    }
}
