//! Who may try to sign in, sign up or become a guest right now. Wrong
//! passwords earn a growing wait, per account (so guessing one password is
//! slow from anywhere) and per address (so guessing many accounts is slow
//! from one place); new users are a steady rate per address. The owner of
//! an account under attack waits at most [`ACCOUNT_BACKOFF`]'s ceiling.

use std::net::IpAddr;
use std::time::Duration;

use crate::kernel::throttle::{Backoff, Buckets, Failed, Rate};

/// Wrong passwords for one account: five free, then 1 s doubling to 30 s.
const ACCOUNT_BACKOFF: Backoff = Backoff {
    free: 5,
    first: Duration::from_secs(1),
    max: Duration::from_secs(30),
    forget_after: Duration::from_secs(15 * 60),
};

/// Wrong passwords from one address, whatever the account: more are free
/// (a household shares an address), then 1 s doubling to 5 minutes.
const ADDRESS_BACKOFF: Backoff = Backoff {
    free: 20,
    first: Duration::from_secs(1),
    max: Duration::from_secs(5 * 60),
    forget_after: Duration::from_secs(15 * 60),
};

pub struct Gate {
    by_account: Failed<String>,
    by_address: Failed<IpAddr>,
    /// Sign-ups and guests per address; `None` when unlimited.
    new_users: Option<Buckets<IpAddr>>,
}

impl Gate {
    /// `new_users_per_hour` per address (0: no limit), in a burst of up to
    /// a tenth of it, at least 10.
    pub fn new(new_users_per_hour: u32) -> Gate {
        let new_users = (new_users_per_hour > 0).then(|| {
            let per_hour = f64::from(new_users_per_hour);
            Buckets::new(Rate {
                burst: (per_hour / 10.0).max(10.0),
                per_second: per_hour / 3600.0,
            })
        });
        Gate {
            by_account: Failed::new(ACCOUNT_BACKOFF),
            by_address: Failed::new(ADDRESS_BACKOFF),
            new_users,
        }
    }

    /// Whether a sign-in of `username` from `address` may be tried now.
    pub fn may_sign_in(&self, address: IpAddr, username: &str) -> Result<(), Duration> {
        let by_account = self.by_account.check(&username.to_ascii_lowercase());
        let by_address = self.by_address.check(&address);
        match (by_account, by_address) {
            (Err(a), Err(b)) => Err(a.max(b)),
            (Err(wait), _) | (_, Err(wait)) => Err(wait),
            _ => Ok(()),
        }
    }

    /// Counts a sign-in attempt as failed until it succeeds, so that a
    /// flood of attempts at once is throttled before any of them is checked.
    pub fn trying(&self, username: &str) {
        self.by_account.failed(&username.to_ascii_lowercase());
    }

    /// Counts a sign-in's outcome.
    pub fn signed_in(&self, address: IpAddr, username: &str, ok: bool) {
        if ok {
            self.by_account.clear(&username.to_ascii_lowercase());
        } else {
            self.by_address.failed(&address);
        }
    }

    /// Takes one new user (sign-up or guest) from `address`'s allowance.
    pub fn may_create_user(&self, address: IpAddr) -> Result<(), Duration> {
        match &self.new_users {
            Some(buckets) => buckets.take(&address, 1.0),
            None => Ok(()),
        }
    }
}
