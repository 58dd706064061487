//! What a tab and the group calls' SFU say on their data channel (JSON
//! text), after the join: the SFU offers the others' tracks and names
//! whose each one is, the tab answers and says how large it shows each,
//! and the SFU tells who is speaking. Peers are named as the server named
//! them (a participant's `peer`).

use serde::{Deserialize, Serialize};

/// One participant's connection, as the server named it.
pub type PeerId = String;

/// What a track carries, by the order of the tab's offer: its audio is the
/// microphone, its first video the camera, its second the shared screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Microphone,
    Camera,
    Screen,
}

/// The label of the data channel the browser opens before its offer.
pub const CHANNEL: &str = "sfu";

/// The largest message taken from a peer; anything longer is ignored.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToPeer {
    /// A new offer (tracks added or stopped), and whose track each of the
    /// media sections now sending is.
    Offer { sdp: String, tracks: Vec<TrackOf> },
    /// The peers whose voice is heard now, when that changes.
    Speaking { peers: Vec<PeerId> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackOf {
    pub mid: String,
    pub peer: PeerId,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromPeer {
    /// The answer to the SFU's last offer.
    Answer { sdp: String },
    /// How large this peer shows each video it gets; a video not named
    /// keeps its size (small, at first).
    View { tiles: Vec<Tile> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tile {
    pub peer: PeerId,
    pub source: Source,
    pub size: Size,
}

/// How large a receiver shows a video: it gets the layer that fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    /// The speaker, or a shared screen: the full layer.
    Large,
    /// A tile among others: the smallest layer.
    Small,
    /// Off screen: nothing is forwarded until it shows again.
    Hidden,
}
