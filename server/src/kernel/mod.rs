//! What every capability stands on: storage, delivery, credentials, rate
//! limits, time. Knows nothing of HTTP or of any one capability.

pub mod auth;
pub mod blob;
pub mod db;
pub mod delivery;
pub mod error;
pub mod jobs;
pub mod throttle;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use blob::Blobs;
use db::Store;
use delivery::Delivery;
use jobs::Jobs;

/// The parts each feature is given: the store, delivery, the job queues
/// (kept by the store) and the blob store.
pub struct Kernel {
    pub store: Arc<dyn Store>,
    pub delivery: Delivery,
    pub jobs: Jobs,
    pub blobs: Blobs,
}

impl Kernel {
    pub fn new(store: Arc<dyn Store>, delivery: Delivery, blobs: Blobs) -> Kernel {
        // The store keeps the jobs too, so a job is written in the
        // transaction of what it follows from.
        let jobs = Jobs::new(store.clone());
        Kernel {
            store,
            delivery,
            jobs,
            blobs,
        }
    }
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn from_hex(hex: &str) -> Option<Vec<u8>> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}
