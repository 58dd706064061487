//! What one user may ask of this node's sockets: writes beyond a rate are
//! refused with `slow_down`, pages of events are paced.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use courier_protocol::UserId;

use crate::kernel::throttle::{Buckets, Rate};

/// Cheap frames (read marks, typing, pings) one connection may send.
pub(super) const CHEAP_FRAMES: Rate = Rate {
    burst: 200.0,
    per_second: 50.0,
};
/// Pages of events (sync, history, views, resume) one user may be sent:
/// beyond it the pages still come, but paced.
const PAGES: Rate = Rate {
    burst: 500.0,
    per_second: 100.0,
};
/// Users whose writes wait at once, past which the ones done waiting go.
const COOLING_MAX: usize = 10_000;

/// What one user may ask of the sockets of this node, whichever socket
/// asks: writes (send, act, forward) beyond the rate are refused with
/// `slow_down`, reads are paced.
pub struct Limits {
    writes: Buckets<UserId>,
    pub(super) pages: Buckets<UserId>,
    /// Until when each user's writes are refused: once one is, the ones
    /// after it are too until the wait is over, so that what the client
    /// sends again goes in its order.
    cooling: Mutex<HashMap<UserId, Instant>>,
}

impl Limits {
    /// `sends_per_second` per user, in bursts of up to three seconds' worth.
    pub fn new(sends_per_second: u32) -> Limits {
        let per_second = f64::from(sends_per_second.max(1));
        Limits {
            writes: Buckets::new(Rate {
                burst: per_second * 3.0,
                per_second,
            }),
            pages: Buckets::new(PAGES),
            cooling: Mutex::default(),
        }
    }

    /// Takes one write of `user`'s allowance, or says how long to wait.
    pub(super) fn write(&self, user: UserId) -> Result<(), Duration> {
        let now = Instant::now();
        let mut cooling = self.cooling.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(&until) = cooling.get(&user) {
            if until > now {
                return Err(until - now);
            }
            cooling.remove(&user);
        }
        self.writes.take(&user, 1.0).inspect_err(|wait| {
            if cooling.len() >= COOLING_MAX {
                cooling.retain(|_, until| *until > now);
            }
            cooling.insert(user, now + *wait);
        })
    }
}
