//! What the commands share: the fight arguments of `wowlab sim` and
//! `wowlab job submit`, and writing to stdout.

use std::path::PathBuf;

use anyhow::{Context, Result};
use wowlab_runtime::simulate::{BackendChoice, RotationInput, SimRequest};
use wowlab_runtime::spec_file;

/// What to simulate: shared by `wowlab sim` and `wowlab job submit`.
#[derive(clap::Args)]
pub struct FightArgs {
    /// Spec pack (TOML, or JSON with a .json extension).
    #[arg(long)]
    pub spec: PathBuf,
    /// Rotation: a Rhai script, or a wasm component (e.g. built with the sdk).
    #[arg(long)]
    pub rotation: PathBuf,
    /// Rotation backend: auto (wasm for a component; jit for a script in
    /// its subset, else rhai), rhai, jit or wasm.
    #[arg(long, default_value = "auto")]
    pub backend: String,
    /// Iterations (with --target-error: the most to run).
    #[arg(long, default_value_t = 10_000)]
    pub iterations: u64,
    /// Fight length in seconds.
    #[arg(long, default_value_t = 300.0)]
    pub duration: f64,
    /// Vary each iteration's fight length by up to this fraction (e.g. 0.2).
    #[arg(long, default_value_t = 0.0)]
    pub vary_length: f64,
    /// Number of targets.
    #[arg(long, default_value_t = 1)]
    pub targets: u32,
    /// Engine module hash (default: the engine built with this binary).
    #[arg(long)]
    pub engine: Option<String>,
}

impl FightArgs {
    /// The request these arguments describe, with seed `seed` on `threads` threads.
    pub fn request(&self, jit_allowed: bool, seed: u64, threads: usize) -> Result<SimRequest> {
        let spec = spec_file::load(&self.spec)?;
        let bytes = std::fs::read(&self.rotation)
            .with_context(|| format!("reading rotation {}", self.rotation.display()))?;
        let choice = BackendChoice {
            backend: &self.backend,
            jit_allowed,
        };
        let rotation = RotationInput::from_file(bytes, choice, &spec)
            .with_context(|| format!("rotation {}", self.rotation.display()))?;
        Ok(SimRequest {
            spec,
            rotation,
            iterations: self.iterations,
            duration_s: self.duration,
            vary_length: self.vary_length,
            targets: self.targets,
            seed,
            threads,
            engine: self.engine.clone(),
            target_error: None,
        })
    }
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
pub fn out(text: &str) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
