//! What each incoming media section is (a microphone, a camera, a shared
//! screen), and which simulcast layer of a camera a receiver gets.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use str0m::media::{MediaKind, Rid};

use crate::wire::{Size, Source};

/// The sources of a browser's offer, by media section: its audio is the
/// microphone, its first video the camera and its second the screen (the
/// order the app adds them in, which the offer keeps).
pub fn sources_of(offer_sdp: &str) -> HashMap<String, Source> {
    let mut sources = HashMap::new();
    let mut kind: Option<&str> = None;
    let mut videos = 0;
    for line in offer_sdp.lines() {
        if let Some(m) = line.strip_prefix("m=") {
            kind = m.split(' ').next();
        } else if let Some(mid) = line.strip_prefix("a=mid:") {
            let source = match kind {
                Some("audio") => Some(Source::Microphone),
                Some("video") => {
                    videos += 1;
                    Some(if videos == 1 {
                        Source::Camera
                    } else {
                        Source::Screen
                    })
                }
                _ => None,
            };
            if let Some(source) = source {
                sources.insert(mid.trim().to_owned(), source);
            }
        }
    }
    sources
}

/// The source a media section of `kind` is, when its offer said nothing.
pub fn fallback_source(kind: MediaKind) -> Source {
    match kind {
        MediaKind::Audio => Source::Microphone,
        MediaKind::Video => Source::Camera,
    }
}

/// A layer not heard from for this long is taken as stopped (the sender
/// drops its top layers when its bandwidth or CPU runs short).
const LAYER_STALE: Duration = Duration::from_millis(1500);

/// The simulcast layers the app sends a camera in, smallest first.
pub const LAYERS: [&str; 3] = ["q", "h", "f"];

/// The layers of one incoming video, as last heard.
#[derive(Debug, Default)]
pub struct Layers {
    heard: Vec<(Rid, Instant)>,
}

impl Layers {
    pub fn heard(&mut self, rid: Rid, now: Instant) {
        match self.heard.iter_mut().find(|(r, _)| *r == rid) {
            Some((_, at)) => *at = now,
            None => self.heard.push((rid, now)),
        }
    }

    /// The layer a receiver showing the video at `size` should get: the
    /// largest for a large tile, the smallest for a small one, of those
    /// flowing now.
    pub fn choose(&self, size: Size, now: Instant) -> Option<Rid> {
        let flowing = |name: &&&str| {
            self.heard
                .iter()
                .any(|(rid, at)| **rid == ***name && now.duration_since(*at) < LAYER_STALE)
        };
        let pick = match size {
            Size::Hidden => None,
            Size::Small => LAYERS.iter().find(flowing),
            Size::Large => LAYERS.iter().rev().find(flowing),
        };
        match pick {
            Some(name) => Some((*name).into()),
            // A layer of another name (another app): whatever flows.
            None if size != Size::Hidden => self
                .heard
                .iter()
                .find(|(_, at)| now.duration_since(*at) < LAYER_STALE)
                .map(|(rid, _)| *rid),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_follow_the_offers_order() {
        let sdp = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:2\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:3\r\n";
        let sources = sources_of(sdp);
        assert_eq!(sources.get("0"), Some(&Source::Microphone));
        assert_eq!(sources.get("1"), Some(&Source::Camera));
        assert_eq!(sources.get("2"), Some(&Source::Screen));
        assert_eq!(sources.get("3"), None);
    }

    #[test]
    fn a_tile_gets_the_layer_of_its_size_among_those_flowing() {
        let now = Instant::now();
        let mut layers = Layers::default();
        layers.heard("q".into(), now);
        layers.heard("h".into(), now);
        assert_eq!(layers.choose(Size::Large, now), Some("h".into()));
        assert_eq!(layers.choose(Size::Small, now), Some("q".into()));
        assert_eq!(layers.choose(Size::Hidden, now), None);
        let later = now + Duration::from_secs(2);
        layers.heard("f".into(), later);
        assert_eq!(layers.choose(Size::Small, later), Some("f".into()));
    }
}
