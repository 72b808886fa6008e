//! Test-only dishonesty: a node that reports wrong results, so the
//! end-to-end tests can show the sentinel catches it. Compiled only with the
//! `lying-node` feature, which only the end-to-end tests' build enables.

use wowlab_engine::BatchResult;
use wowlab_protocol::digest::result_digest;

/// How a lying node lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lie {
    /// A wrong result with its own (matching) digest.
    Result,
    /// The honest result's digest with a wrong result.
    Body,
}

impl Lie {
    /// What this liar reports for an honest result: (result, digest).
    pub fn report(self, honest: &BatchResult) -> (BatchResult, String) {
        let mut wrong = honest.clone();
        // One DPS more over the chunk's iterations: small, plausible, wrong.
        wrong.dps.sum += 65_536;
        let digest = match self {
            Lie::Result => result_digest(&wrong),
            Lie::Body => result_digest(honest),
        };
        (wrong, digest)
    }
}
