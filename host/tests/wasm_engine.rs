//! The engine and Rhai components under wasmtime against the native build.

use std::path::Path;

use wowlab::modules::ModuleStore;
use wowlab::runtime::{BatchError, Runtime, Simulator};
use wowlab::sandbox::SandboxLimits;
use wowlab::simulate::{Builtins, SimRequest, config_for};
use wowlab::spec_file;
use wowlab_engine::{BatchResult, run_batch};
use wowlab_rhai::{Limits, RhaiRotation};

const SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/specs/bm_hunter.toml"
);
const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/rotations/bm_hunter.rhai"
);

fn request(script: &str) -> SimRequest {
    SimRequest {
        spec: spec_file::load(Path::new(SPEC)).unwrap(),
        script: script.to_string(),
        iterations: 300,
        duration_s: 120.0,
        vary_length: 0.1,
        targets: 1,
        seed: 77,
        threads: 1,
        engine: None,
        target_error: None,
    }
}

struct Setup {
    _home: tempfile::TempDir,
    runtime: Runtime,
    simulator: Simulator,
    request: SimRequest,
    json: String,
}

fn setup(script: &str) -> Setup {
    let home = tempfile::tempdir().unwrap();
    let store = ModuleStore::new(home.path());
    let runtime = Runtime::new(SandboxLimits::default()).unwrap();
    let b = Builtins::install(&store).unwrap();
    let engine = store
        .component(runtime.engine(), &b.engine, &store.get(&b.engine).unwrap())
        .unwrap();
    let rhai = store
        .component(runtime.engine(), &b.rhai, &store.get(&b.rhai).unwrap())
        .unwrap();
    let simulator = Simulator::new(&runtime, engine, rhai).unwrap();
    let request = request(script);
    let json = config_for(&request, &b.engine, &b.rhai)
        .unwrap()
        .canonical_json();
    Setup {
        _home: home,
        runtime,
        simulator,
        request,
        json,
    }
}

fn names(s: &Setup) -> (Vec<String>, Vec<String>) {
    let spec = &s.request.spec;
    (
        spec.spells.iter().map(|x| x.name.clone()).collect(),
        spec.auras.iter().map(|x| x.name.clone()).collect(),
    )
}

fn wasm_batch(s: &Setup, first: u64, count: u32) -> Result<BatchResult, BatchError> {
    let (spells, auras) = names(s);
    let mut worker = s
        .simulator
        .worker(&s.runtime, &spells, &auras, &s.request.script)?;
    worker.run_batch(&s.json, s.request.seed, first, count)
}

#[test]
fn wasm_and_native_engines_give_identical_results() {
    let script = std::fs::read_to_string(SCRIPT).unwrap();
    let s = setup(&script);
    let wasm = wasm_batch(&s, 0, 300).unwrap();
    let (spells, auras) = names(&s);
    let mut native_rotation =
        RhaiRotation::new(&spells, &auras, &script, Limits::default()).unwrap();
    let config = wowlab_engine::SimConfig::from_json(&s.json).unwrap();
    let native = run_batch(&config, &mut native_rotation, s.request.seed, 0, 300).unwrap();
    assert_eq!(wasm, native);
    assert!(
        wasm.dps.mean() > 1000.0,
        "the reference rotation deals damage"
    );
    assert!(
        wasm.sources.iter().all(|x| x.refused == 0),
        "{:?}",
        wasm.sources
    );
}

#[test]
fn a_job_chunked_differently_merges_to_the_same_result() {
    let script = std::fs::read_to_string(SCRIPT).unwrap();
    let s = setup(&script);
    let whole = wasm_batch(&s, 0, 300).unwrap();
    let mut merged = BatchResult::default();
    for (first, count) in [(200, 100), (0, 50), (50, 150)] {
        merged.merge(&wasm_batch(&s, first, count).unwrap());
    }
    assert_eq!(merged, whole);
}

#[test]
fn a_script_error_at_run_time_names_its_position() {
    let s = setup("if time() > 3.0 { cast(frenzy) } else { wait() }");
    let err = wasm_batch(&s, 0, 1).unwrap_err().to_string();
    assert!(err.contains("`frenzy` is an aura, not a spell"), "{err}");
    assert!(err.contains("1:19"), "{err}");
}

#[test]
fn a_script_that_does_not_compile_fails_at_init_with_line_and_column() {
    let s = setup("let x = 1;\nif ready(kill_comand) { cast(kill_command) }");
    let err = wasm_batch(&s, 0, 1).unwrap_err().to_string();
    assert!(err.contains("2:10"), "{err}");
    assert!(err.contains("`kill_comand`"), "{err}");
}

#[test]
fn an_endless_script_is_stopped() {
    let s = setup("loop { }");
    let err = wasm_batch(&s, 0, 1).unwrap_err().to_string();
    assert!(err.to_lowercase().contains("too many operations"), "{err}");
}
