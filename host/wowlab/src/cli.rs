//! What the commands share: the fight arguments of `wowlab sim` and
//! `wowlab job submit` (a pack and rotation, or a SimulationCraft profile),
//! and writing to stdout.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use wowlab_runtime::simulate::{BackendChoice, RotationInput, SimRequest};
use wowlab_runtime::spec_file;

use crate::packs;

/// What to simulate: shared by `wowlab sim` and `wowlab job submit`.
#[derive(clap::Args)]
pub struct FightArgs {
    /// Spec pack (TOML, or JSON with a .json extension); with --simc, the
    /// built-in pack of the profile's spec when not given.
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// Rotation: a Rhai script, or a wasm component (e.g. built with the
    /// sdk); with --simc and no --spec, the built-in pack's rotation when
    /// not given.
    #[arg(long)]
    pub rotation: Option<PathBuf>,
    /// A SimulationCraft profile: simulate its character (the stats of its
    /// gear, its talents as the pack's options) instead of the pack's
    /// default one; what the pack does not model is listed.
    #[arg(long)]
    pub simc: Option<PathBuf>,
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
    /// Vary each iteration's fight length by up to this fraction (e.g. 0.2);
    /// default: 0.2 with --simc (SimulationCraft's default
    /// vary_combat_length, so the numbers compare with its), else 0.
    #[arg(long)]
    pub vary_length: Option<f64>,
    /// Number of targets.
    #[arg(long, default_value_t = 1)]
    pub targets: u32,
    /// Engine module hash (default: the engine built with this binary).
    #[arg(long)]
    pub engine: Option<String>,
}

/// A request, with the name of its rotation for reports.
pub struct Prepared {
    /// The request.
    pub request: SimRequest,
    /// The rotation's file (or the built-in one's path).
    pub rotation_name: String,
}

impl FightArgs {
    /// The request these arguments describe, with seed `seed` on `threads` threads.
    pub fn prepare(&self, jit_allowed: bool, seed: u64, threads: usize) -> Result<Prepared> {
        let character = self
            .simc
            .as_deref()
            .map(crate::profile::read_file)
            .transpose()?;
        let builtin = match (&self.spec, &character) {
            (None, Some(c)) => {
                Some(packs::find(&c.spec.class, &c.spec.name).with_context(|| {
                    format!(
                        "wowlab has no built-in pack for {} {} yet: give --spec PACK",
                        c.spec.name, c.spec.class
                    )
                })?)
            }
            _ => None,
        };
        let spec = match (&self.spec, builtin) {
            (Some(path), _) => spec_file::load(path)?,
            (None, Some(b)) => spec_file::parse(b.pack, false)
                .map_err(|e| anyhow!("the built-in pack {}: {e}", b.pack_path))?,
            (None, None) => bail!("give --spec PACK (or --simc PROFILE)"),
        };
        let (bytes, rotation_name) = match (&self.rotation, builtin) {
            (Some(path), _) => (
                std::fs::read(path)
                    .with_context(|| format!("reading rotation {}", path.display()))?,
                path.display().to_string(),
            ),
            (None, Some(b)) => (b.rotation.as_bytes().to_vec(), b.rotation_path.to_string()),
            (None, None) => bail!("give --rotation FILE (a Rhai script or a wasm component)"),
        };
        let setup = match &character {
            None => None,
            Some(c) => {
                let file = self.simc.as_deref().unwrap_or(Path::new("")).display();
                let sheet = wowlab_simc::sheet(c).with_context(|| format!("{file}"))?;
                Some(wowlab_simc::setup(c, &sheet, &spec).with_context(|| format!("{file}"))?)
            }
        };
        let choice = BackendChoice {
            backend: &self.backend,
            jit_allowed,
        };
        let rotation = RotationInput::from_file(bytes, choice, &spec)
            .with_context(|| format!("rotation {rotation_name}"))?;
        Ok(Prepared {
            request: SimRequest {
                spec,
                rotation,
                iterations: self.iterations,
                duration_s: self.duration,
                vary_length: self.vary_length.unwrap_or(if character.is_some() {
                    // A profile is simulated as SimulationCraft would.
                    wowlab_simc::VARY_COMBAT_LENGTH
                } else {
                    0.0
                }),
                targets: self.targets,
                seed,
                threads,
                engine: self.engine.clone(),
                target_error: None,
                player: setup.as_ref().map(|s| s.player.clone()),
                options: setup
                    .as_ref()
                    .map(|s| s.options.clone())
                    .unwrap_or_default(),
                ignored: setup
                    .as_ref()
                    .map(|s| s.ignored.iter().map(ToString::to_string).collect())
                    .unwrap_or_default(),
                damage_taken: setup
                    .as_ref()
                    .map(|s| s.damage_taken.clone())
                    .unwrap_or_default(),
                external_auras: setup.map(|s| s.external_auras).unwrap_or_default(),
            },
            rotation_name,
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
