//! Guests get no capability and are held to their limits; the host carries on.

mod common;

use std::time::Duration;

use common::{SCRIPT, setup, setup_with, wasm_batch};
use wowlab_runtime::runtime::{Role, check_imports};
use wowlab_runtime::sandbox::SandboxLimits;
use wowlab_runtime::simulate::RotationInput;

#[test]
fn the_built_in_guests_import_only_what_they_are_granted() {
    let s = setup("wait()");
    let engine = s.runtime.engine();
    let compile = |bytes| wasmtime::component::Component::new(engine, bytes).unwrap();
    check_imports(engine, &compile(wowlab_artifacts::ENGINE), Role::Engine).unwrap();
    for rotation in [
        wowlab_artifacts::RHAI,
        wowlab_artifacts::BM_HUNTER_RS,
        wowlab_artifacts::HOSTILE,
    ] {
        check_imports(engine, &compile(rotation), Role::Rotation).unwrap();
    }
    // The engine imports the rotation interface; a rotation may not.
    let err =
        check_imports(engine, &compile(wowlab_artifacts::ENGINE), Role::Rotation).unwrap_err();
    assert!(err.to_string().contains("wowlab:sim/rotation"), "{err}");
}

#[test]
fn a_rotation_over_its_time_limit_is_stopped_and_the_host_carries_on() {
    let limits = SandboxLimits {
        decision_timeout: Duration::ZERO,
        ..SandboxLimits::default()
    };
    let script = std::fs::read_to_string(SCRIPT).unwrap();
    let s = setup_with(RotationInput::Rhai(script), limits);
    let err = wasm_batch(&s, 0, 1).unwrap_err().to_string();
    assert!(err.contains("time limit"), "{err}");

    let fine = setup(&std::fs::read_to_string(SCRIPT).unwrap());
    assert_eq!(wasm_batch(&fine, 0, 5).unwrap().iterations(), 5);
}

#[test]
fn a_rotation_over_its_memory_cap_is_refused() {
    let limits = SandboxLimits {
        memory_bytes: 256 << 10,
        ..SandboxLimits::default()
    };
    let s = setup_with(RotationInput::Rhai("wait()".into()), limits);
    let err = wasm_batch(&s, 0, 1).unwrap_err().to_string();
    assert!(err.to_lowercase().contains("memory"), "{err}");
}
