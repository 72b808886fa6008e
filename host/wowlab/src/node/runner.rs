//! Runs one chunk: the engine and rotation components (compiled once per
//! pair and kept in memory), the rotation's source, and the config, in
//! batches of [`wowlab_runtime::simulate::BATCH`] iterations on one worker.

use std::sync::Arc;

use anyhow::Result;
use wowlab_engine::{BatchResult, SimConfig};
use wowlab_protocol::api::Assignment;

use wowlab_runtime::jit::JitRotation;
use wowlab_runtime::modules::ModuleStore;
use wowlab_runtime::runtime::{HostRotation, Runtime, Simulator};
use wowlab_runtime::simulate::{BATCH, names};

/// Why a chunk did not produce a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkFailure {
    /// What went wrong.
    pub message: String,
    /// True when any node would fail the same way (a trap, a script error,
    /// a time or memory limit); false for a local problem.
    pub deterministic: bool,
}

/// A chunk's inputs, fetched and checked.
pub struct Inputs {
    /// The config.
    pub config: Arc<SimConfig>,
    /// Its canonical JSON (what the engine reads).
    pub json: Arc<str>,
    /// The rotation's source: the script, or empty for a compiled rotation.
    pub source: Arc<str>,
}

/// Compiles, caches and runs.
pub struct Runner {
    runtime: Arc<Runtime>,
    store: ModuleStore,
    jit_allowed: bool,
    simulators: moka::sync::Cache<(String, String), Arc<Simulator>>,
    jits: moka::sync::Cache<String, Option<Arc<JitRotation>>>,
}

impl Runner {
    /// A runner over `store` (which must hold the modules a chunk names).
    pub fn new(runtime: Arc<Runtime>, store: ModuleStore, jit_allowed: bool) -> Self {
        Self {
            runtime,
            store,
            jit_allowed,
            simulators: moka::sync::Cache::new(16),
            jits: moka::sync::Cache::new(256),
        }
    }

    fn simulator(&self, engine: &str, rotation: &str) -> Result<Arc<Simulator>> {
        self.simulators
            .try_get_with((engine.to_string(), rotation.to_string()), || {
                let wasm = self.runtime.engine();
                let simulator = Simulator::new(
                    &self.runtime,
                    self.store.load(wasm, engine)?,
                    self.store.load(wasm, rotation)?,
                )?;
                anyhow::Ok(Arc::new(simulator))
            })
            .map_err(|e| anyhow::anyhow!("{e:#}"))
    }

    /// The jit's compilation of a Rhai config's script, when allowed and in its subset.
    fn jit(
        &self,
        inputs: &Inputs,
        spells: &[String],
        auras: &[String],
    ) -> Option<Arc<JitRotation>> {
        let backend = inputs.config.rotation.backend.as_str();
        if !self.jit_allowed || !matches!(backend, "rhai" | "jit") {
            return None;
        }
        let key = format!(
            "{}:{}",
            wowlab_protocol::address::hash_of(inputs.json.as_bytes()),
            inputs.config.rotation.script
        );
        self.jits.get_with(key, || {
            JitRotation::compile(spells, auras, &inputs.source)
                .ok()
                .map(Arc::new)
        })
    }

    /// Runs the assignment's iterations.
    pub fn run(&self, inputs: &Inputs, a: &Assignment) -> Result<BatchResult, ChunkFailure> {
        let config = &inputs.config;
        let simulator = self
            .simulator(&config.engine, &config.rotation.module)
            .map_err(|e| ChunkFailure {
                message: format!("loading the modules: {e:#}"),
                deterministic: false,
            })?;
        let (spells, auras) = names(&config.spec);
        let worker = match self.jit(inputs, &spells, &auras) {
            Some(jit) => simulator.worker_with(
                &self.runtime,
                HostRotation::Native(Box::new((*jit).clone())),
            ),
            None => simulator.worker(&self.runtime, &spells, &auras, &inputs.source),
        };
        let failure = |e: wowlab_runtime::runtime::BatchError| ChunkFailure {
            deterministic: e.is_deterministic(),
            message: e.to_string(),
        };
        let mut worker = worker.map_err(failure)?;
        let mut result = BatchResult::default();
        let end = a.first_iteration + u64::from(a.iterations);
        let mut first = a.first_iteration;
        while first < end {
            let count = BATCH.min(end - first) as u32;
            let part = worker
                .run_batch(&inputs.json, a.seed, first, count)
                .map_err(failure)?;
            result.merge(&part);
            first += u64::from(count);
        }
        Ok(result)
    }
}
