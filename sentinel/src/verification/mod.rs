//! How often the sentinel re-runs a node's results on another node.
//!
//! Adaptive replication, as BOINC does it: a new node's results are all
//! re-run; after [`Verification::reliable_after`] confirmed results in a
//! row the share re-run falls with the streak, down to a floor; any
//! disagreement sets the streak back to zero. Results are compared by
//! digest, exactly: two honest nodes agree bit for bit.
//!
//! This module holds the rates; [`votes`] counts the runs of a chunk,
//! accepts it, asks another node, quarantines the outvoted, and keeps each
//! node's streak.

pub mod votes;

use wowlab_protocol::api::Trust;

/// Runs of one chunk (its own and re-runs) after which nodes that still
/// disagree fail its job: the engine would be nondeterministic, or most
/// nodes lie.
pub const MAX_RUNS: i64 = 5;

/// The re-run policy; see the module docs.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// Share of a new node's results re-run on another node.
    pub new_rate: f64,
    /// Confirmed results in a row after which a node is reliable.
    pub reliable_after: i64,
    /// Share of a reliable node's results re-run when it became reliable;
    /// with streak s it is `reliable_rate × reliable_after / s`.
    pub reliable_rate: f64,
    /// The share never falls below this.
    pub min_rate: f64,
    /// How long a re-run waits for a node of an owner other than those
    /// that ran the chunk before any other node may take it, in ms.
    pub other_owner_wait_ms: i64,
}

impl Default for Verification {
    fn default() -> Self {
        Self {
            new_rate: 1.0,
            reliable_after: 10,
            reliable_rate: 0.1,
            min_rate: 0.02,
            other_owner_wait_ms: 60_000,
        }
    }
}

/// A policy that cannot work.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PolicyError {
    /// A rate outside [0, 1].
    #[error("`{0}` is {1}; a rate is a share between 0 and 1")]
    Rate(&'static str, f64),
    /// A streak below 1.
    #[error("`reliable_after` is {0}; it must be at least 1")]
    Streak(i64),
}

impl Verification {
    /// Checks the rates and the streak.
    pub fn validated(self) -> Result<Self, PolicyError> {
        for (name, rate) in [
            ("new_rate", self.new_rate),
            ("reliable_rate", self.reliable_rate),
            ("min_rate", self.min_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(PolicyError::Rate(name, rate));
            }
        }
        if self.reliable_after < 1 {
            return Err(PolicyError::Streak(self.reliable_after));
        }
        Ok(self)
    }

    /// The share of results re-run for a node with this streak.
    pub fn rate(&self, streak: i64) -> f64 {
        if streak < self.reliable_after {
            return self.new_rate;
        }
        let falling = self.reliable_rate * self.reliable_after as f64 / streak as f64;
        falling.max(self.min_rate)
    }

    /// Whether to re-run one result of a node with this streak (drawn at
    /// random, so a node cannot tell which of its results are checked).
    pub fn sample(&self, streak: i64) -> bool {
        rand::random::<f64>() < self.rate(streak)
    }

    /// The trust state of a node.
    pub fn trust(&self, streak: i64, quarantined: bool) -> Trust {
        if quarantined {
            Trust::Quarantined
        } else if streak >= self.reliable_after {
            Trust::Reliable
        } else {
            Trust::New
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_nodes_get_the_new_rate_then_it_falls_with_the_streak_to_the_floor() {
        let v = Verification::default();
        assert_eq!(v.rate(0), 1.0);
        assert_eq!(v.rate(9), 1.0);
        assert_eq!(v.rate(10), 0.1);
        assert_eq!(v.rate(20), 0.05);
        assert_eq!(v.rate(1000), 0.02);
        assert_eq!(v.trust(9, false), Trust::New);
        assert_eq!(v.trust(10, false), Trust::Reliable);
        assert_eq!(v.trust(10, true), Trust::Quarantined);
    }

    #[test]
    fn sampling_follows_the_rate() {
        let v = Verification::default();
        assert!((0..100).all(|_| v.sample(0)));
        let sampled = (0..20_000).filter(|_| v.sample(20)).count();
        assert!((800..1200).contains(&sampled), "{sampled} of 20000 at 5 %");
        let never = Verification {
            new_rate: 0.0,
            ..Verification::default()
        };
        assert!((0..100).all(|_| !never.sample(0)));
    }

    #[test]
    fn bad_policies_are_named() {
        let bad = Verification {
            min_rate: 1.5,
            ..Verification::default()
        };
        assert_eq!(bad.validated(), Err(PolicyError::Rate("min_rate", 1.5)));
        let bad = Verification {
            reliable_after: 0,
            ..Verification::default()
        };
        assert_eq!(bad.validated(), Err(PolicyError::Streak(0)));
    }
}
