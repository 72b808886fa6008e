//! Guests get no capability and are held to their limits; the host carries on.

mod common;

use std::time::Duration;

use common::{SCRIPT, setup, setup_with, wasm_batch};
use wowlab::sandbox::SandboxLimits;
use wowlab::simulate::RotationInput;

/// The interfaces a guest may import: our contract, and the WASI interfaces
/// Rust's standard library imports (linked to an empty context).
const ALLOWED: &[&str] = &[
    "wowlab:sim/",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-",
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:filesystem/",
];

#[test]
fn the_guests_import_only_the_contract_and_std_wasi() {
    let s = setup("wait()");
    for bytes in [wowlab_artifacts::ENGINE, wowlab_artifacts::RHAI] {
        let component = wasmtime::component::Component::new(s.runtime.engine(), bytes).unwrap();
        let ty = component.component_type();
        let imports: Vec<String> = ty
            .imports(s.runtime.engine())
            .map(|(n, _)| n.to_string())
            .collect();
        for name in &imports {
            assert!(
                ALLOWED.iter().any(|a| name.starts_with(a)),
                "unexpected import {name} (all: {imports:?})"
            );
        }
        assert!(
            !imports
                .iter()
                .any(|n| n.starts_with("wasi:sockets") || n.starts_with("wasi:http"))
        );
    }
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
