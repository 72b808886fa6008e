//! `wowlab bench`: speed figures for BENCHMARKS.md.

use anyhow::Result;

use wowlab::modules::ModuleStore;
use wowlab::sandbox::SandboxLimits;

/// Arguments of `wowlab bench`.
#[derive(clap::Args)]
pub struct BenchArgs {}

/// Runs the benchmarks and prints the figures.
pub fn run(_store: &ModuleStore, _limits: SandboxLimits, _args: BenchArgs) -> Result<()> {
    Ok(())
}
