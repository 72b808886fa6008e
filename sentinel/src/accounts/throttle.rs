//! Slowing down password guessing: after [`FREE_FAILURES`] wrong passwords
//! in a row for one name, that name's sign-in is refused for a while,
//! doubling with each further failure up to [`MAX_LOCK`]. A right password
//! clears the count. Kept in memory, per sentinel.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong passwords allowed before a name is locked.
pub const FREE_FAILURES: u32 = 5;
/// The first lock.
const FIRST_LOCK: Duration = Duration::from_secs(30);
/// The longest lock.
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// Names tracked at most; past this the oldest failures are forgotten.
const MAX_NAMES: usize = 10_000;

/// Failed sign-ins per name.
#[derive(Debug, Default)]
pub struct SignInThrottle {
    names: Mutex<HashMap<String, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    locked_until: Option<Instant>,
    last: Instant,
}

impl SignInThrottle {
    /// How long `name` must still wait before trying again, if locked.
    pub fn wait(&self, name: &str, now: Instant) -> Option<Duration> {
        let names = self.names.lock().expect("throttle lock");
        let until = names.get(name)?.locked_until?;
        (until > now).then(|| until - now)
    }

    /// Records a wrong password for `name`.
    pub fn failed(&self, name: &str, now: Instant) {
        let mut names = self.names.lock().expect("throttle lock");
        if names.len() >= MAX_NAMES && !names.contains_key(name) {
            let oldest = names
                .iter()
                .min_by_key(|(_, f)| f.last)
                .map(|(n, _)| n.clone());
            if let Some(oldest) = oldest {
                names.remove(&oldest);
            }
        }
        let f = names.entry(name.to_string()).or_insert(Failures {
            count: 0,
            locked_until: None,
            last: now,
        });
        f.count += 1;
        f.last = now;
        if f.count >= FREE_FAILURES {
            let doublings = (f.count - FREE_FAILURES).min(16);
            let lock = FIRST_LOCK.saturating_mul(1 << doublings).min(MAX_LOCK);
            f.locked_until = Some(now + lock);
        }
    }

    /// Clears `name`'s failures (a right password).
    pub fn succeeded(&self, name: &str) {
        self.names.lock().expect("throttle lock").remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_locked_after_five_failures_for_longer_each_time() {
        let t = SignInThrottle::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES - 1 {
            t.failed("alice", now);
        }
        assert_eq!(t.wait("alice", now), None, "four tries are free");
        t.failed("alice", now);
        assert_eq!(t.wait("alice", now), Some(FIRST_LOCK));
        assert_eq!(t.wait("bob", now), None, "other names are not locked");
        let later = now + FIRST_LOCK;
        assert_eq!(t.wait("alice", later), None, "the lock ends");
        t.failed("alice", later);
        assert_eq!(t.wait("alice", later), Some(FIRST_LOCK * 2));
        for _ in 0..20 {
            t.failed("alice", later);
        }
        assert_eq!(t.wait("alice", later), Some(MAX_LOCK));
        t.succeeded("alice");
        assert_eq!(t.wait("alice", later), None);
    }
}
