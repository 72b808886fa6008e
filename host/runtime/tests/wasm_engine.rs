//! The engine and Rhai components under wasmtime against the native build.

mod common;

use common::{SCRIPT, names, setup, setup_with, wasm_batch};
use wowlab_engine::{BatchResult, run_batch};
use wowlab_rhai::{Limits, RhaiRotation};
use wowlab_runtime::sandbox::SandboxLimits;
use wowlab_runtime::simulate::RotationInput;

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
    let s = setup("if time() > 3.0 { cast(bestial_wrath_pet) } else { wait() }");
    let err = wasm_batch(&s, 0, 1).unwrap_err().to_string();
    assert!(
        err.contains("`bestial_wrath_pet` is an aura, not a spell"),
        "{err}"
    );
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

#[test]
fn the_sdk_rotation_gives_the_same_results_as_the_rhai_script() {
    let rhai = setup(&std::fs::read_to_string(SCRIPT).unwrap());
    let sdk = setup_with(
        RotationInput::Wasm(wowlab_artifacts::BM_HUNTER_RS.to_vec()),
        SandboxLimits::default(),
    );
    let a = wasm_batch(&rhai, 0, 200).unwrap();
    let b = wasm_batch(&sdk, 0, 200).unwrap();
    assert_eq!(a, b);
}
