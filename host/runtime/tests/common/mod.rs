//! Shared set-up of the tests that run the components in-process.

#![allow(dead_code)]

use std::path::Path;

use wowlab_engine::BatchResult;
use wowlab_runtime::modules::ModuleStore;
use wowlab_runtime::runtime::{BatchError, Runtime, Simulator};
use wowlab_runtime::sandbox::SandboxLimits;
use wowlab_runtime::simulate::{Builtins, RotationInput, SimRequest, config_for};
use wowlab_runtime::spec_file;

/// The reference spec pack.
pub const SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/specs/bm_hunter.toml"
);
/// The reference rotation.
pub const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/rotations/bm_hunter.rhai"
);

/// A 120 s reference fight with ±10 % length, seed 77.
pub fn request(rotation: RotationInput) -> SimRequest {
    SimRequest {
        spec: spec_file::load(Path::new(SPEC)).unwrap(),
        rotation,
        iterations: 300,
        duration_s: 120.0,
        vary_length: 0.1,
        targets: 1,
        seed: 77,
        threads: 1,
        engine: None,
        target_error: None,
        player: None,
        options: Default::default(),
        ignored: Vec::new(),
        damage_taken: Vec::new(),
        external_auras: Vec::new(),
    }
}

/// A runtime with the built-in components compiled, and a config to run.
pub struct Setup {
    _home: tempfile::TempDir,
    pub runtime: Runtime,
    pub simulator: Simulator,
    pub request: SimRequest,
    pub json: String,
}

/// The reference fight with a Rhai script.
pub fn setup(script: &str) -> Setup {
    setup_with(
        RotationInput::Rhai(script.to_string()),
        SandboxLimits::default(),
    )
}

/// The reference fight with any rotation and limits.
pub fn setup_with(rotation: RotationInput, limits: SandboxLimits) -> Setup {
    let home = tempfile::tempdir().unwrap();
    let store = ModuleStore::new(home.path());
    let runtime = Runtime::new(limits).unwrap();
    let b = Builtins::install(&store).unwrap();
    let engine = store
        .component(runtime.engine(), &b.engine, &store.get(&b.engine).unwrap())
        .unwrap();
    let rotation_hash = match &rotation {
        RotationInput::Rhai(_) | RotationInput::Jit(..) => b.rhai.clone(),
        RotationInput::Wasm(bytes) => store.add(bytes).unwrap(),
    };
    let bytes = store.get(&rotation_hash).unwrap();
    let component = store
        .component(runtime.engine(), &rotation_hash, &bytes)
        .unwrap();
    let simulator = Simulator::new(&runtime, engine, component).unwrap();
    let request = request(rotation);
    let json = wowlab_protocol::address::canonical_json(
        &config_for(&request, &b.engine, &rotation_hash).unwrap(),
    );
    Setup {
        _home: home,
        runtime,
        simulator,
        request,
        json,
    }
}

/// The spell and aura names of the reference pack.
pub fn names(s: &Setup) -> (Vec<String>, Vec<String>) {
    let spec = &s.request.spec;
    (
        spec.spells.iter().map(|x| x.name.clone()).collect(),
        spec.auras.iter().map(|x| x.name.clone()).collect(),
    )
}

/// Runs one batch on a fresh engine + rotation pair.
pub fn wasm_batch(s: &Setup, first: u64, count: u32) -> Result<BatchResult, BatchError> {
    let (spells, auras) = names(s);
    let mut worker =
        s.simulator
            .worker(&s.runtime, &spells, &auras, s.request.rotation.source())?;
    worker.run_batch(&s.json, s.request.seed, first, count)
}
