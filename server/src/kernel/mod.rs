//! What every capability stands on: storage, delivery, credentials, rate
//! limits, time. Knows nothing of HTTP or of any one capability.

pub mod auth;
pub mod blob;
pub mod clock;
pub mod db;
pub mod delivery;
pub mod error;
pub mod jobs;
pub mod throttle;

use std::sync::Arc;

use blob::Blobs;
use clock::Clock;
use db::Store;
use delivery::Delivery;
use jobs::Jobs;

/// The parts each feature is given: the store, delivery, the job queues
/// (kept by the store), the blob store and the clock.
pub struct Kernel {
    pub store: Arc<dyn Store>,
    pub delivery: Delivery,
    pub jobs: Jobs,
    pub blobs: Blobs,
    pub clock: Clock,
}

impl Kernel {
    pub fn new(store: Arc<dyn Store>, delivery: Delivery, blobs: Blobs, clock: Clock) -> Kernel {
        // The store keeps the jobs too, so a job is written in the
        // transaction of what it follows from.
        let jobs = Jobs::new(store.clone(), clock.clone());
        Kernel {
            store,
            delivery,
            jobs,
            blobs,
            clock,
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
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
