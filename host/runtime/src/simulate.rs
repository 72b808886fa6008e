//! Driving a simulation on this machine: iterations are split into batches
//! that worker threads run on their own engine + rotation instances, and the
//! batch results are merged exactly, so the result does not depend on the
//! number of threads or the order in which batches finish.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use anyhow::{Context, Result, bail};
use wowlab_engine::config::{ExternalAura, Fight, RotationRef};
use wowlab_engine::options::Chosen;
use wowlab_engine::spec::{DamageTaken, SpecPack, Stats};
use wowlab_engine::{BatchResult, SimConfig};

use crate::jit::JitRotation;
use crate::modules::ModuleStore;
use crate::runtime::{BatchError, HostRotation, Runtime, Simulator};

/// Iterations per engine call.
pub const BATCH: u64 = 100;
/// With a target error, the error is checked after every round of this many
/// iterations (a constant, so the stopping point depends only on the seed).
pub const ROUND: u64 = 1_000;

/// What to simulate and how.
#[derive(Debug, Clone)]
pub struct SimRequest {
    /// The spec pack.
    pub spec: SpecPack,
    /// The rotation.
    pub rotation: RotationInput,
    /// Iterations to run; with `target_error`, the most to run.
    pub iterations: u64,
    /// Fight length in seconds.
    pub duration_s: f64,
    /// Fight length variation (fraction, 0 = fixed).
    pub vary_length: f64,
    /// Number of targets.
    pub targets: u32,
    /// The job seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Engine module hash; `None` runs the engine built from this repository.
    pub engine: Option<String>,
    /// Stop once the 95 % error of the mean is below this percent of it.
    pub target_error: Option<f64>,
    /// The character, instead of the pack's default one.
    pub player: Option<Stats>,
    /// The pack options switched on (talents, set bonuses), with their ranks.
    pub options: Chosen,
    /// What the character's profile says that is not simulated (for reports).
    pub ignored: Vec<String>,
    /// The debuffs every target carries (the raid's), on top of the pack's target.
    pub damage_taken: Vec<DamageTaken>,
    /// Auras others apply at set times (the raid's Bloodlust).
    pub external_auras: Vec<ExternalAura>,
}

/// A rotation as the user gives it, with the backend that will run it.
#[derive(Clone)]
pub enum RotationInput {
    /// A Rhai script, run by the built-in Rhai component.
    Rhai(String),
    /// A Rhai script compiled by the jit (the interpreter is its reference).
    Jit(String, JitRotation),
    /// A component of the `rotation-world` world (e.g. built with the sdk).
    Wasm(Vec<u8>),
}

impl std::fmt::Debug for RotationInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RotationInput::{}", self.backend())
    }
}

/// Which backends may run a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendChoice<'a> {
    /// "auto", "rhai", "jit" or "wasm".
    pub backend: &'a str,
    /// Whether the node operator allows the jit (auto then falls back to rhai).
    pub jit_allowed: bool,
}

impl RotationInput {
    /// Reads a rotation file: a wasm component by its magic bytes, otherwise
    /// a Rhai script, which `auto` runs with the jit when the script is in
    /// its subset (and the jit is allowed), else with the interpreter.
    pub fn from_file(bytes: Vec<u8>, choice: BackendChoice<'_>, spec: &SpecPack) -> Result<Self> {
        let is_wasm = bytes.starts_with(b"\0asm");
        let backend = choice.backend;
        if !matches!(backend, "auto" | "rhai" | "jit" | "wasm") {
            bail!("unknown backend `{backend}`: use auto, rhai, jit or wasm");
        }
        if is_wasm {
            return match backend {
                "auto" | "wasm" => Ok(Self::Wasm(bytes)),
                _ => bail!("--backend {backend} needs a script, and this file is a wasm module"),
            };
        }
        if backend == "wasm" {
            bail!("--backend wasm needs a wasm component, and this file is not wasm");
        }
        let script = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("a Rhai script must be UTF-8 text"))?;
        let (spells, auras) = names(spec);
        match backend {
            "jit" if !choice.jit_allowed => bail!("the jit backend is switched off on this node"),
            "jit" => {
                let jit = JitRotation::compile(&spells, &auras, &script)
                    .map_err(|e| anyhow::anyhow!("{e}"))
                    .context("the script is not in the jit subset")?;
                Ok(Self::Jit(script, jit))
            }
            "auto" if choice.jit_allowed => {
                Ok(match JitRotation::compile(&spells, &auras, &script) {
                    Ok(jit) => Self::Jit(script, jit),
                    Err(_) => Self::Rhai(script),
                })
            }
            _ => Ok(Self::Rhai(script)),
        }
    }

    /// The backend name recorded in the config.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Rhai(_) => "rhai",
            Self::Jit(..) => "jit",
            Self::Wasm(_) => "wasm",
        }
    }

    /// What `init` receives: the script, or nothing for a component.
    pub fn source(&self) -> &str {
        match self {
            Self::Rhai(script) | Self::Jit(script, _) => script,
            Self::Wasm(_) => "",
        }
    }
}

/// The spell and aura names of a spec, in index order.
pub fn names(spec: &SpecPack) -> (Vec<String>, Vec<String>) {
    (
        spec.spells.iter().map(|s| s.name.clone()).collect(),
        spec.auras.iter().map(|a| a.name.clone()).collect(),
    )
}

/// A finished simulation.
#[derive(Debug, Clone)]
pub struct SimOutcome {
    /// The merged result.
    pub result: BatchResult,
    /// The config that was run (with engine and rotation hashes).
    pub config: SimConfig,
}

/// The modules that ship with this build, added to `store` if missing.
pub struct Builtins {
    /// Hash of the engine component.
    pub engine: String,
    /// Hash of the Rhai rotation component.
    pub rhai: String,
}

impl Builtins {
    /// Makes sure the built-in components are in `store`.
    pub fn install(store: &ModuleStore) -> Result<Self> {
        Ok(Self {
            engine: store.add(wowlab_artifacts::ENGINE)?,
            rhai: store.add(wowlab_artifacts::RHAI)?,
        })
    }
}

/// Builds the config a request describes; `rotation_module` is the hash of
/// the component that runs the rotation.
pub fn config_for(request: &SimRequest, engine: &str, rotation_module: &str) -> Result<SimConfig> {
    if !(request.duration_s > 0.0 && request.duration_s <= 3600.0) {
        bail!(
            "--duration must be between 0 and 3600 seconds (got {})",
            request.duration_s
        );
    }
    let mut config = SimConfig::for_spec(
        request.spec.clone(),
        Fight {
            duration_ms: (request.duration_s * 1000.0).round() as u32,
            vary_length: request.vary_length,
            targets: request.targets,
            external_auras: request.external_auras.clone(),
        },
    );
    if let Some(player) = &request.player {
        config.player = player.clone();
    }
    config
        .target
        .damage_taken
        .extend(request.damage_taken.iter().cloned());
    config.options = request.options.clone();
    config.ignored = request.ignored.clone();
    config.engine = engine.to_string();
    config.rotation = RotationRef {
        backend: request.rotation.backend().into(),
        module: rotation_module.to_string(),
        script: match &request.rotation {
            RotationInput::Rhai(script) | RotationInput::Jit(script, _) => {
                wowlab_protocol::address::hash_of(script.as_bytes())
            }
            RotationInput::Wasm(_) => String::new(),
        },
    };
    Ok(config)
}

/// Runs a request; `progress(done, planned)` is called as batches finish.
pub fn run(
    store: &ModuleStore,
    runtime: &Runtime,
    request: &SimRequest,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<SimOutcome> {
    if request.iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    let builtins = Builtins::install(store)?;
    let engine_hash = request.engine.clone().unwrap_or(builtins.engine);
    let rotation_hash = match &request.rotation {
        // The jit's reference semantics are the Rhai component's.
        RotationInput::Rhai(_) | RotationInput::Jit(..) => builtins.rhai,
        RotationInput::Wasm(bytes) => store.add(bytes)?,
    };
    let engine = store.load(runtime.engine(), &engine_hash)?;
    let rotation = store.load(runtime.engine(), &rotation_hash)?;
    let simulator = Simulator::new(runtime, engine, rotation)?;
    let config = config_for(request, &engine_hash, &rotation_hash)?;
    let json = wowlab_protocol::address::canonical_json(&config);
    let (spells, auras) = names(&config.spec);

    let mut result = BatchResult::default();
    let mut done = 0;
    while done < request.iterations {
        let round = match request.target_error {
            Some(_) => ROUND.min(request.iterations - done),
            None => request.iterations,
        };
        let part = run_range(
            &simulator,
            runtime,
            RangeJob {
                json: &json,
                spells: &spells,
                auras: &auras,
                rotation: &request.rotation,
                seed: request.seed,
                first: done,
                count: round,
                threads: request.threads,
            },
            &|n| progress(done + n, request.iterations),
        )?;
        result.merge(&part);
        done += round;
        if let Some(target) = request.target_error {
            let mean = result.dps.mean();
            if mean > 0.0 && result.dps.error95() / mean * 100.0 <= target {
                break;
            }
        }
    }
    Ok(SimOutcome { result, config })
}

/// A contiguous range of iterations to run on several threads.
struct RangeJob<'a> {
    json: &'a str,
    spells: &'a [String],
    auras: &'a [String],
    rotation: &'a RotationInput,
    seed: u64,
    first: u64,
    count: u64,
    threads: usize,
}

fn run_range(
    simulator: &Simulator,
    runtime: &Runtime,
    job: RangeJob<'_>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<BatchResult> {
    let batches = job.count.div_ceil(BATCH);
    let next = AtomicU64::new(0);
    let finished = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let merged = Mutex::new(BatchResult::default());
    let first_error: Mutex<Option<BatchError>> = Mutex::new(None);
    let threads = job.threads.clamp(1, batches as usize);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let fail = |e: BatchError| {
                    failed.store(true, Ordering::Relaxed);
                    first_error.lock().unwrap().get_or_insert(e);
                };
                let worker = match job.rotation {
                    RotationInput::Jit(_, jit) => {
                        simulator.worker_with(runtime, HostRotation::Native(Box::new(jit.clone())))
                    }
                    other => simulator.worker(runtime, job.spells, job.auras, other.source()),
                };
                let mut worker = match worker {
                    Ok(w) => w,
                    Err(e) => return fail(e),
                };
                while !failed.load(Ordering::Relaxed) {
                    let b = next.fetch_add(1, Ordering::Relaxed);
                    if b >= batches {
                        break;
                    }
                    let start = b * BATCH;
                    let count = BATCH.min(job.count - start) as u32;
                    match worker.run_batch(job.json, job.seed, job.first + start, count) {
                        Ok(r) => {
                            merged.lock().unwrap().merge(&r);
                            let n =
                                finished.fetch_add(count as u64, Ordering::Relaxed) + count as u64;
                            progress(n);
                        }
                        Err(e) => return fail(e),
                    }
                }
            });
        }
    });
    if let Some(e) = first_error.into_inner().unwrap() {
        return Err(e.into());
    }
    Ok(merged.into_inner().unwrap())
}
