//! Limits on how fast one account, address or connection may ask for work,
//! so that no one can hurt the others: token buckets for steady rates, and
//! a growing back-off for failures (wrong passwords).
//!
//! Both answer with how long to wait. Both keep a bounded map: an attacker
//! who cycles keys evicts old entries instead of growing memory.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys one table remembers; beyond it the stalest go.
const MAX_KEYS: usize = 100_000;

/// A token bucket: `burst` at once, then `per_second` on average.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub burst: f64,
    pub per_second: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub fn full(rate: Rate, now: Instant) -> Bucket {
        Bucket {
            tokens: rate.burst,
            at: now,
        }
    }

    /// Takes `cost` tokens, or says how long until there are enough.
    pub fn take(&mut self, rate: Rate, cost: f64, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second).min(rate.burst);
        self.at = now;
        if self.tokens >= cost {
            self.tokens -= cost;
            Ok(())
        } else {
            let missing = cost - self.tokens;
            Err(Duration::from_secs_f64(missing / rate.per_second))
        }
    }
}

/// Token buckets by key.
pub struct Buckets<K> {
    rate: Rate,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    pub fn new(rate: Rate) -> Buckets<K> {
        Buckets {
            rate,
            buckets: Mutex::default(),
        }
    }

    pub fn take(&self, key: &K, cost: f64) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(key) {
            // Full buckets are the ones nobody is pressing on.
            let full_for = Duration::from_secs_f64(self.rate.burst / self.rate.per_second);
            buckets.retain(|_, b| now.saturating_duration_since(b.at) < full_for);
            if buckets.len() >= MAX_KEYS {
                buckets.clear();
            }
        }
        buckets
            .entry(key.clone())
            .or_insert_with(|| Bucket::full(self.rate, now))
            .take(self.rate, cost, now)
    }
}

/// A back-off that grows with each failure past the free ones, up to a
/// ceiling, and is forgotten after a quiet spell: a flood of guesses slows
/// to a trickle, but the real owner is never locked out for longer than
/// `max`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// Failures allowed before any wait.
    pub free: u32,
    /// The first wait; each further failure doubles it.
    pub first: Duration,
    pub max: Duration,
    /// Failures are forgotten this long after the last one.
    pub forget_after: Duration,
}

struct Failures {
    count: u32,
    last: Instant,
    until: Instant,
}

/// Failures by key, each with the [`Backoff`] they earn.
pub struct Failed<K> {
    backoff: Backoff,
    failures: Mutex<HashMap<K, Failures>>,
}

impl<K: Hash + Eq + Clone> Failed<K> {
    pub fn new(backoff: Backoff) -> Failed<K> {
        Failed {
            backoff,
            failures: Mutex::default(),
        }
    }

    /// How long `key` must still wait, if at all.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        let now = Instant::now();
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match failures.get(key) {
            Some(f) if f.until > now => Err(f.until - now),
            _ => Ok(()),
        }
    }

    /// Counts a failure of `key`, starting or growing its wait.
    pub fn failed(&self, key: &K) {
        let now = Instant::now();
        let backoff = self.backoff;
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_KEYS && !failures.contains_key(key) {
            failures.retain(|_, f| now.saturating_duration_since(f.last) < backoff.forget_after);
            if failures.len() >= MAX_KEYS {
                failures.clear();
            }
        }
        let entry = failures.entry(key.clone()).or_insert(Failures {
            count: 0,
            last: now,
            until: now,
        });
        if now.saturating_duration_since(entry.last) >= backoff.forget_after {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = now;
        if let Some(over) = entry.count.checked_sub(backoff.free + 1) {
            let wait = backoff.first.saturating_mul(1 << over.min(20));
            entry.until = now + wait.min(backoff.max);
        }
    }

    /// `key` succeeded: its failures are forgotten.
    pub fn clear(&self, key: &K) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(key);
    }
}

/// How many of something (open sockets) each key holds, with a ceiling.
pub struct Counts<K: Hash + Eq> {
    held: Mutex<HashMap<K, usize>>,
}

impl<K: Hash + Eq> Default for Counts<K> {
    fn default() -> Self {
        Counts {
            held: Mutex::default(),
        }
    }
}

/// One of a key's count, given back on drop.
pub struct Held<K: Hash + Eq + Clone> {
    counts: std::sync::Arc<Counts<K>>,
    key: K,
}

impl<K: Hash + Eq + Clone> Counts<K> {
    /// Takes one more for `key`, unless it holds `max` already.
    pub fn take(self: &std::sync::Arc<Self>, key: &K, max: usize) -> Option<Held<K>> {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let count = held.entry(key.clone()).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Held {
            counts: std::sync::Arc::clone(self),
            key: key.clone(),
        })
    }
}

impl<K: Hash + Eq + Clone> Drop for Held<K> {
    fn drop(&mut self) {
        let mut held = self.counts.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = held.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refills_at_its_rate() {
        let rate = Rate {
            burst: 2.0,
            per_second: 4.0,
        };
        let start = Instant::now();
        let mut bucket = Bucket::full(rate, start);
        assert!(bucket.take(rate, 1.0, start).is_ok());
        assert!(bucket.take(rate, 1.0, start).is_ok());
        assert_eq!(
            bucket.take(rate, 1.0, start),
            Err(Duration::from_millis(250))
        );
        assert!(
            bucket
                .take(rate, 1.0, start + Duration::from_millis(250))
                .is_ok()
        );
    }

    #[test]
    fn failures_past_the_free_ones_wait_longer_each_time_up_to_the_ceiling() {
        let failed = Failed::new(Backoff {
            free: 2,
            first: Duration::from_secs(1),
            max: Duration::from_secs(3),
            forget_after: Duration::from_secs(600),
        });
        let key = "alice".to_owned();
        failed.failed(&key);
        failed.failed(&key);
        assert!(failed.check(&key).is_ok());
        failed.failed(&key);
        assert!(
            failed
                .check(&key)
                .is_err_and(|w| w <= Duration::from_secs(1))
        );
        failed.failed(&key);
        assert!(
            failed
                .check(&key)
                .is_err_and(|w| w > Duration::from_secs(1))
        );
        for _ in 0..10 {
            failed.failed(&key);
        }
        assert!(
            failed
                .check(&key)
                .is_err_and(|w| w <= Duration::from_secs(3))
        );
        failed.clear(&key);
        assert!(failed.check(&key).is_ok());
    }
}
