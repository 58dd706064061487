//! What `getStats` says of a call, in the few figures that explain "the
//! audio stutters": codecs, incoming bitrate, packets lost, the jitter
//! buffer's delay, the path taken, and whether video frames and sound
//! arrive at all; and from them the connection's quality, as a mark.

use js_sys::{Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::RtcPeerConnection;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// The codecs received, as MIME types ("video/VP8", "audio/opus").
    pub codecs: Vec<String>,
    /// Bytes received per second since the last reading, in kbit/s.
    pub kbps_in: u32,
    pub packets_lost: i64,
    /// The audio jitter buffer's average delay, in ms.
    pub jitter_ms: u32,
    /// How the selected path reaches the other leg: `host`, `srflx`
    /// (through NAT), `relay` (through TURN).
    pub path: Option<String>,
    pub frames_decoded: u64,
    /// Sum of the received audio's energy: it grows while sound arrives.
    pub audio_energy: f64,
    /// How the connection does since the last reading; `None` on the
    /// first, or when nothing arrived.
    pub quality: Option<Quality>,
    /// Total bytes and packets received and when (ms), for the next
    /// bitrate and loss.
    bytes_in: f64,
    packets_in: f64,
    at: f64,
}

/// The connection's quality as the call screen marks it, from what the
/// people in a call notice: sound breaking up (packets lost) or lagging
/// (a deep jitter buffer). A connection that failed shows as
/// "Connecting…" instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    Good,
    Fair,
    Poor,
}

impl Quality {
    /// From the share of packets lost (0–1) since the last reading and
    /// the jitter buffer's delay. Thresholds as voice over IP takes them:
    /// a few percent lost is heard, ten is hard to follow; past 150 ms of
    /// buffer, people talk over each other.
    pub fn of(lost: f64, jitter_ms: u32) -> Quality {
        if lost >= 0.10 || jitter_ms >= 300 {
            Quality::Poor
        } else if lost >= 0.02 || jitter_ms >= 150 {
            Quality::Fair
        } else {
            Quality::Good
        }
    }
}

fn num(o: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(o, &key.into()).ok()?.as_f64()
}

fn text(o: &JsValue, key: &str) -> Option<String> {
    Reflect::get(o, &key.into()).ok()?.as_string()
}

/// Reads the connection's statistics; `last` is the previous reading.
pub async fn read(pc: &RtcPeerConnection, last: &Stats) -> Result<Stats, JsValue> {
    let report = JsFuture::from(pc.get_stats()).await?;
    // A maplike: its values, as an iterator.
    let values: Function = Reflect::get(&report, &"values".into())?.dyn_into()?;
    let all: Vec<JsValue> = js_sys::try_iter(&values.call0(&report)?)?
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    let by_id = |id: &str| all.iter().find(|s| text(s, "id").as_deref() == Some(id));
    let mut stats = Stats::default();
    // The pair in use: named by the transport (Chromium), or marked
    // `selected` (Firefox).
    let chosen_pair = all
        .iter()
        .filter(|s| text(s, "type").as_deref() == Some("transport"))
        .find_map(|t| text(t, "selectedCandidatePairId"));
    let mut jitter = (0.0, 0.0);
    for s in &all {
        match text(s, "type").as_deref() {
            Some("inbound-rtp") => {
                stats.bytes_in += num(s, "bytesReceived").unwrap_or(0.0);
                stats.packets_lost += num(s, "packetsLost").unwrap_or(0.0) as i64;
                stats.packets_in += num(s, "packetsReceived").unwrap_or(0.0);
                stats.frames_decoded += num(s, "framesDecoded").unwrap_or(0.0) as u64;
                if text(s, "kind").as_deref() == Some("audio") {
                    stats.audio_energy += num(s, "totalAudioEnergy").unwrap_or(0.0);
                    jitter.0 += num(s, "jitterBufferDelay").unwrap_or(0.0);
                    jitter.1 += num(s, "jitterBufferEmittedCount").unwrap_or(0.0);
                }
                if let Some(codec) = text(s, "codecId")
                    .and_then(|id| by_id(&id))
                    .and_then(|c| text(c, "mimeType"))
                {
                    stats.codecs.push(codec);
                }
            }
            Some("candidate-pair") if stats.path.is_none() => {
                let chosen = match &chosen_pair {
                    Some(id) => text(s, "id").as_ref() == Some(id),
                    None => Reflect::get(s, &"selected".into())
                        .ok()
                        .and_then(|v| v.as_bool())
                        .unwrap_or(false),
                };
                if chosen {
                    stats.path = text(s, "localCandidateId")
                        .and_then(|id| by_id(&id))
                        .and_then(|c| text(c, "candidateType"));
                }
            }
            _ => {}
        }
    }
    stats.codecs.sort();
    stats.codecs.dedup();
    if jitter.1 > 0.0 {
        stats.jitter_ms = (jitter.0 / jitter.1 * 1000.0) as u32;
    }
    stats.at = js_sys::Date::now();
    if last.at > 0.0 && stats.at > last.at {
        let bits = (stats.bytes_in - last.bytes_in).max(0.0) * 8.0;
        stats.kbps_in = (bits / (stats.at - last.at)) as u32;
        let lost = (stats.packets_lost - last.packets_lost).max(0) as f64;
        let got = (stats.packets_in - last.packets_in).max(0.0);
        // Nothing came (alone in a group call): nothing to judge by.
        stats.quality =
            (lost + got > 0.0).then(|| Quality::of(lost / (lost + got), stats.jitter_ms));
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::Quality;

    #[test]
    fn quality_follows_loss_and_delay() {
        assert_eq!(Quality::of(0.0, 40), Quality::Good);
        assert_eq!(Quality::of(0.019, 149), Quality::Good);
        assert_eq!(Quality::of(0.02, 40), Quality::Fair);
        assert_eq!(Quality::of(0.0, 150), Quality::Fair);
        assert_eq!(Quality::of(0.10, 40), Quality::Poor);
        assert_eq!(Quality::of(0.0, 300), Quality::Poor);
    }
}
