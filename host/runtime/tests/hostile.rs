//! Hostile rotations: each misbehaviour is stopped with an error that says
//! which limit or rule it broke, and the host goes on running other work.

mod common;

use common::{SCRIPT, names, setup, setup_with};
use wowlab_engine::BatchResult;
use wowlab_runtime::fault::{Call, Fault, Guest};
use wowlab_runtime::runtime::{BatchError, Simulator};
use wowlab_runtime::sandbox::SandboxLimits;
use wowlab_runtime::simulate::RotationInput;

fn hostile(limits: SandboxLimits) -> common::Setup {
    setup_with(
        RotationInput::Wasm(wowlab_artifacts::HOSTILE.to_vec()),
        limits,
    )
}

/// One batch of the hostile rotation in `mode`.
fn run(s: &common::Setup, mode: &str) -> Result<BatchResult, BatchError> {
    let (spells, auras) = names(s);
    let mut worker = s.simulator.worker(&s.runtime, &spells, &auras, mode)?;
    worker.run_batch(&s.json, 1, 0, 2)
}

fn error_of(mode: &str) -> String {
    error_under(mode, SandboxLimits::default())
}

/// The error of `mode` under `limits`; the runtime then still runs a good batch.
fn error_under(mode: &str, limits: SandboxLimits) -> String {
    let s = hostile(limits);
    let err = run(&s, mode).unwrap_err().to_string();
    // The same runtime and components go on working.
    assert_eq!(run(&s, "behave").unwrap().iterations(), 2, "after {mode}");
    err
}

#[test]
fn an_endless_decision_hits_the_time_limit() {
    let err = error_of("loop");
    assert!(err.contains("time limit for one decision"), "{err}");
}

#[test]
fn an_endless_init_hits_the_time_limit() {
    let err = error_of("init-loop");
    assert!(err.contains("time limit for one init"), "{err}");
}

#[test]
fn unbounded_allocation_hits_the_memory_cap() {
    // A generous time limit, so on a loaded machine the memory cap stops it first.
    let limits = SandboxLimits {
        decision_timeout: std::time::Duration::from_secs(30),
        ..SandboxLimits::default()
    };
    let err = error_under("alloc", limits);
    assert!(err.contains("memory limit"), "{err}");
}

#[test]
fn deep_recursion_overflows_the_stack_and_is_stopped() {
    let err = error_of("recurse");
    assert!(err.contains("stack"), "{err}");
}

#[test]
fn traps_and_panics_are_stopped() {
    for mode in ["trap", "panic"] {
        let err = error_of(mode);
        assert!(err.contains("rotation: trapped"), "{mode}: {err}");
    }
}

#[test]
fn a_spell_the_spec_does_not_have_is_an_error() {
    let err = error_of("bad-spell");
    assert!(err.contains("spell index 999"), "{err}");
}

#[test]
fn the_sandbox_shows_no_clock_entropy_environment_or_files() {
    let first = error_of("probe");
    assert!(first.contains("clock=0 "), "{first}");
    assert!(
        first.contains("env=0 args=0 files=false network=false"),
        "{first}"
    );
    assert_eq!(
        first,
        error_of("probe"),
        "no entropy: the same view every time"
    );
}

#[test]
fn a_module_importing_sockets_is_refused_at_load() {
    let s = setup("wait()");
    let component =
        wasmtime::component::Component::new(s.runtime.engine(), wowlab_artifacts::HOSTILE_NETWORK)
            .unwrap();
    let engine =
        wasmtime::component::Component::new(s.runtime.engine(), wowlab_artifacts::ENGINE).unwrap();
    let err = Simulator::new(&s.runtime, engine, component)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("wasi:sockets"), "{err}");
}

#[test]
fn modules_of_the_wrong_world_or_no_component_are_refused() {
    let s = setup(&std::fs::read_to_string(SCRIPT).unwrap());
    let compile = |bytes: &[u8]| wasmtime::component::Component::new(s.runtime.engine(), bytes);
    let engine = || compile(wowlab_artifacts::ENGINE).unwrap();
    let rhai = || compile(wowlab_artifacts::RHAI).unwrap();

    let err = Simulator::new(&s.runtime, engine(), engine())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("not granted to a rotation"),
        "engine as rotation: {err}"
    );
    let err = Simulator::new(&s.runtime, rhai(), rhai())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("does not fit the `engine` world"),
        "rotation as engine: {err}"
    );

    let core_module = b"\0asm\x01\0\0\0";
    assert!(compile(core_module).is_err());
    assert!(compile(b"not wasm at all").is_err());
}

/// One batch of the reference fight with a Rhai `script` in the wasm sandbox.
fn rhai_error(script: &str) -> String {
    let s = setup(script);
    common::wasm_batch(&s, 0, 1).unwrap_err().to_string()
}

#[test]
fn hostile_rhai_scripts_are_stopped_by_the_interpreter_limits() {
    let err = rhai_error("loop { }");
    assert!(err.contains("Too many operations"), "endless loop: {err}");
    let err = rhai_error("fn f(n) { f(n + 1) }\nf(0)");
    assert!(err.to_lowercase().contains("stack"), "recursion: {err}");
    let err = rhai_error("let s = \"xx\";\nloop { s += s; }");
    assert!(err.contains("Length of string"), "string growth: {err}");
    let err = rhai_error("let a = [];\nloop { a.push(1); }");
    assert!(err.contains("Size of array"), "array growth: {err}");
    let err = rhai_error("cast(bestial_wrath_pet)");
    assert!(
        err.contains("`bestial_wrath_pet` is an aura, not a spell"),
        "{err}"
    );
}

#[test]
fn with_fuel_metering_an_endless_decision_is_stopped_and_results_are_unchanged() {
    let fuel = SandboxLimits {
        interruption: wowlab_runtime::sandbox::Interruption::Fuel,
        ..SandboxLimits::default()
    };
    let s = setup_with(
        RotationInput::Wasm(wowlab_artifacts::HOSTILE.to_vec()),
        fuel,
    );
    let err = run(&s, "loop").unwrap_err().to_string();
    assert!(err.contains("time limit (fuel) for one decision"), "{err}");

    let script = std::fs::read_to_string(SCRIPT).unwrap();
    let metered = setup_with(RotationInput::Rhai(script.clone()), fuel);
    let plain = setup(&script);
    assert_eq!(
        common::wasm_batch(&metered, 0, 20).unwrap(),
        common::wasm_batch(&plain, 0, 20).unwrap()
    );
}

/// A hostile mode, the setup to run it in, and the fault it must give.
type Case<'a> = (&'a str, &'a common::Setup, fn(&Fault) -> bool);

#[test]
fn each_misbehaviour_is_a_typed_fault_of_the_rotation_that_counts_against_the_job() {
    let generous = SandboxLimits {
        decision_timeout: std::time::Duration::from_secs(30),
        ..SandboxLimits::default()
    };
    let s = hostile(SandboxLimits::default());
    let cases: [Case; 4] = [
        ("alloc", &hostile(generous), |f| {
            *f == Fault::MemoryLimit {
                guest: Guest::Rotation,
            }
        }),
        ("loop", &s, |f| {
            *f == Fault::TimeLimit {
                guest: Guest::Rotation,
                call: Call::Decision,
                fuel: false,
            }
        }),
        ("init-loop", &s, |f| {
            *f == Fault::TimeLimit {
                guest: Guest::Rotation,
                call: Call::Init,
                fuel: false,
            }
        }),
        ("trap", &s, |f| {
            matches!(
                f,
                Fault::Trap {
                    guest: Guest::Rotation,
                    ..
                }
            )
        }),
    ];
    for (mode, setup, expected) in cases {
        match run(setup, mode) {
            Err(BatchError::Guest(fault)) => {
                assert!(expected(&fault), "{mode}: {fault:?}");
                assert!(fault.is_deterministic(), "{mode}");
            }
            other => panic!("{mode}: {other:?}"),
        }
    }
    // A clean rotation error is the rotation's too.
    let err = run(&s, "bad-spell").unwrap_err();
    assert!(matches!(err, BatchError::Engine(_)), "{err:?}");
    assert!(err.is_deterministic());
}
