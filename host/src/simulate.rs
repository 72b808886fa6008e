//! Driving a simulation on this machine: iterations are split into batches
//! that worker threads run on their own engine + rotation instances, and the
//! batch results are merged exactly, so the result does not depend on the
//! number of threads or the order in which batches finish.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use anyhow::{Result, bail};
use wowlab_engine::config::{Fight, RotationRef};
use wowlab_engine::spec::SpecPack;
use wowlab_engine::{BatchResult, SimConfig};

use crate::modules::ModuleStore;
use crate::runtime::{BatchError, Runtime, Simulator};

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
}

/// A rotation as the user gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationInput {
    /// A Rhai script, run by the built-in Rhai component.
    Rhai(String),
    /// A component of the `rotation-world` world (e.g. built with the sdk).
    Wasm(Vec<u8>),
}

impl RotationInput {
    /// Reads a rotation file: a wasm component by its magic bytes, otherwise
    /// a Rhai script. `backend` ("auto", "rhai", "wasm") must agree with it.
    pub fn from_file(bytes: Vec<u8>, backend: &str) -> Result<Self> {
        let is_wasm = bytes.starts_with(b"\0asm");
        match (backend, is_wasm) {
            ("auto" | "wasm", true) => Ok(Self::Wasm(bytes)),
            ("auto" | "rhai", false) => String::from_utf8(bytes)
                .map(Self::Rhai)
                .map_err(|_| anyhow::anyhow!("a Rhai script must be UTF-8 text")),
            ("wasm", false) => {
                bail!("--backend wasm needs a wasm component, and this file is not wasm")
            }
            ("rhai", true) => {
                bail!("--backend rhai needs a script, and this file is a wasm module")
            }
            (other, _) => bail!("unknown backend `{other}`: use auto, rhai or wasm"),
        }
    }

    /// The backend name recorded in the config.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Rhai(_) => "rhai",
            Self::Wasm(_) => "wasm",
        }
    }

    /// What `init` receives: the script, or nothing for a component.
    pub fn source(&self) -> &str {
        match self {
            Self::Rhai(script) => script,
            Self::Wasm(_) => "",
        }
    }
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
        },
    );
    config.engine = engine.to_string();
    config.rotation = RotationRef {
        backend: request.rotation.backend().into(),
        module: rotation_module.to_string(),
        script: match &request.rotation {
            RotationInput::Rhai(script) => crate::modules::hash_of(script.as_bytes()),
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
    let engine_bytes = store.get(&engine_hash)?;
    let rotation_hash = match &request.rotation {
        RotationInput::Rhai(_) => builtins.rhai,
        RotationInput::Wasm(bytes) => store.add(bytes)?,
    };
    let rotation_bytes = store.get(&rotation_hash)?;
    let engine = store.component(runtime.engine(), &engine_hash, &engine_bytes)?;
    let rotation = store.component(runtime.engine(), &rotation_hash, &rotation_bytes)?;
    let simulator = Simulator::new(runtime, engine, rotation)?;
    let config = config_for(request, &engine_hash, &rotation_hash)?;
    let json = config.canonical_json();
    let spells: Vec<String> = config.spec.spells.iter().map(|s| s.name.clone()).collect();
    let auras: Vec<String> = config.spec.auras.iter().map(|a| a.name.clone()).collect();

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
                source: request.rotation.source(),
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
    source: &'a str,
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
                let mut worker = match simulator.worker(runtime, job.spells, job.auras, job.source)
                {
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
