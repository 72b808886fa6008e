//! What goes wrong when a guest runs, as data: callers branch on the
//! variant (the node tells the sentinel whether a failure is deterministic),
//! never on an error message's text.

use std::fmt;

use thiserror::Error;

/// Which guest a fault is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guest {
    /// The simulation engine.
    Engine,
    /// The rotation.
    Rotation,
}

impl fmt::Display for Guest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Guest::Engine => "engine",
            Guest::Rotation => "rotation",
        })
    }
}

/// The call into a guest that a budget applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// Instantiating and initialising a rotation.
    Init,
    /// One rotation decision.
    Decision,
    /// One engine batch.
    Batch,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Call::Init => "init",
            Call::Decision => "decision",
            Call::Batch => "batch",
        })
    }
}

/// A guest's failure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Fault {
    /// The guest trapped: `unreachable`, a panic, a bad memory access, a
    /// stack overflow.
    #[error("{guest}: {message}")]
    Trap {
        /// Which guest.
        guest: Guest,
        /// The trap, in words.
        message: String,
    },
    /// The guest ran out of its time budget for one call.
    #[error("{guest}: exceeded its time limit{} for one {call}", if *.fuel { " (fuel)" } else { "" })]
    TimeLimit {
        /// Which guest.
        guest: Guest,
        /// The call it was in.
        call: Call,
        /// Whether the budget was fuel (counted instructions) rather than
        /// wall time (epochs).
        fuel: bool,
    },
    /// The guest tried to grow its memory past its cap, as the store's
    /// limiter saw.
    #[error("{guest}: exceeded its memory limit")]
    MemoryLimit {
        /// Which guest.
        guest: Guest,
    },
    /// The guest broke the contract of its world: a result that cannot be
    /// read, a call it may not make.
    #[error("{guest}: {message}")]
    Contract {
        /// Which guest.
        guest: Guest,
        /// What it did.
        message: String,
    },
    /// The engine refused the config.
    #[error("invalid config: {0}")]
    InvalidConfig(String),
    /// The host could not run the guest (its own memory or instance slots
    /// ran out): nothing about the guest or its input.
    #[error("{guest}: the host could not run it: {message}")]
    Host {
        /// Which guest.
        guest: Guest,
        /// What failed.
        message: String,
    },
}

impl Fault {
    /// Whether every node running the same guests on the same input, with
    /// the same limits, fails the same way, so the failure counts against
    /// the job rather than the node.
    ///
    /// Everything but [`Fault::Host`] is. A wall-time limit depends on the
    /// machine in principle, but the budgets (100 ms for one decision, 600 s
    /// for one batch, by default) are orders of magnitude above what an
    /// honest guest takes, and a job fails only once three distinct nodes
    /// have reported the failure; counting it as the node's would let a
    /// runaway guest be retried forever.
    pub fn is_deterministic(&self) -> bool {
        !matches!(self, Fault::Host { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_guest_the_limit_and_the_call() {
        let time = Fault::TimeLimit {
            guest: Guest::Rotation,
            call: Call::Decision,
            fuel: false,
        };
        assert_eq!(
            time.to_string(),
            "rotation: exceeded its time limit for one decision"
        );
        let fuel = Fault::TimeLimit {
            guest: Guest::Engine,
            call: Call::Batch,
            fuel: true,
        };
        assert_eq!(
            fuel.to_string(),
            "engine: exceeded its time limit (fuel) for one batch"
        );
        let memory = Fault::MemoryLimit {
            guest: Guest::Rotation,
        };
        assert_eq!(memory.to_string(), "rotation: exceeded its memory limit");
    }

    #[test]
    fn only_host_faults_are_the_nodes() {
        let host = Fault::Host {
            guest: Guest::Engine,
            message: "out of instance slots".into(),
        };
        assert!(!host.is_deterministic());
        for fault in [
            Fault::MemoryLimit {
                guest: Guest::Rotation,
            },
            Fault::InvalidConfig("duration".into()),
            Fault::Contract {
                guest: Guest::Engine,
                message: "returned an unreadable result".into(),
            },
        ] {
            assert!(fault.is_deterministic(), "{fault}");
        }
    }
}
