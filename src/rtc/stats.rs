//! What `getStats` says of a call, in the few figures that explain "the
//! audio stutters": codecs, incoming bitrate, packets lost, the jitter
//! buffer's delay, the path taken, and whether video frames and sound
//! arrive at all.

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
    /// Total bytes received and when (ms), for the next bitrate.
    bytes_in: f64,
    at: f64,
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
    }
    Ok(stats)
}
