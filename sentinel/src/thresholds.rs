//! Every timing threshold of the sentinel, in one place.

use std::time::Duration;

/// When nodes count as offline, what is removed after how long, and how
/// often the scheduler and the maintenance run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    /// A node is offline when its last signed request is older than this;
    /// its running chunks then return to pending.
    pub offline_after: Duration,
    /// How long a chunk may be on its way to a node before a heartbeat that
    /// does not list it returns it to pending (the node restarted and lost it).
    pub delivery_grace: Duration,
    /// Unclaimed nodes are removed after this long.
    pub unclaimed_node_ttl: Duration,
    /// Offline nodes are removed after this long.
    pub offline_node_ttl: Duration,
    /// Configs no job refers to are removed when unused this long.
    pub config_ttl: Duration,
    /// Modules no config, pin or job refers to are removed after this long.
    pub module_ttl: Duration,
    /// A chunk that failed deterministically and that no other node has
    /// taken for this long fails its job (when fewer nodes than
    /// [`crate::store::FAILURES_TO_FAIL_JOB`] may run it).
    pub failed_chunk_wait: Duration,
    /// The scheduler sweeps for work this often, besides its wake-ups.
    pub sweep_every: Duration,
    /// Maintenance runs this often.
    pub maintenance_every: Duration,
}

/// The longest interval nodes are told to heartbeat at.
const MAX_HEARTBEAT_EVERY: Duration = Duration::from_secs(15);

impl Thresholds {
    /// How often nodes are told to send heartbeats: a quarter of
    /// `offline_after` (so a busy node, whose only requests may be its
    /// heartbeats, is never taken for offline), at least a second (the
    /// protocol's unit) and at most 15 s.
    pub fn heartbeat_every(&self) -> Duration {
        (self.offline_after / 4).clamp(Duration::from_secs(1), MAX_HEARTBEAT_EVERY)
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        const MINUTE: u64 = 60;
        const DAY: u64 = 24 * 60 * MINUTE;
        Self {
            offline_after: Duration::from_secs(60),
            delivery_grace: Duration::from_secs(10),
            unclaimed_node_ttl: Duration::from_secs(60 * MINUTE),
            offline_node_ttl: Duration::from_secs(30 * DAY),
            config_ttl: Duration::from_secs(7 * DAY),
            module_ttl: Duration::from_secs(7 * DAY),
            failed_chunk_wait: Duration::from_secs(10 * MINUTE),
            sweep_every: Duration::from_secs(1),
            maintenance_every: Duration::from_secs(10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_heartbeat_well_inside_the_offline_threshold() {
        let every = |secs| {
            let thresholds = Thresholds {
                offline_after: Duration::from_secs(secs),
                ..Thresholds::default()
            };
            thresholds.heartbeat_every().as_secs()
        };
        assert_eq!(every(60), 15, "the default");
        assert_eq!(every(600), 15, "never rarer than 15 s");
        assert_eq!(every(20), 5);
        assert_eq!(every(4), 1);
        assert_eq!(every(2), 1, "at least a second, the protocol's unit");
        assert_eq!(Thresholds::default().heartbeat_every().as_secs(), 15);
    }
}
