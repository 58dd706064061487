//! The server's time: wall-clock milliseconds since the Unix epoch, plus
//! an offset only tests move. A test of something that happens later (an
//! invite's expiry, slow mode, a scheduled post, a disappearing message)
//! moves the clock forward instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    ahead_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        wall.saturating_add(self.ahead_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock, and every copy of it, forward by `by`.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.ahead_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_move_together_and_only_forward() {
        let clock = Clock::default();
        let copy = clock.clone();
        let before = clock.now_ms();
        copy.advance(Duration::from_secs(3600));
        let after = clock.now_ms();
        assert!(
            (3_600_000..3_700_000).contains(&(after - before)),
            "{}",
            after - before
        );
    }
}
