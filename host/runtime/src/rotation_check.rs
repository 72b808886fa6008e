//! `wowlab rotation check`: can this rotation run for this spec, on which
//! backends, and what does it use.

use anyhow::Result;
use wowlab_engine::spec::SpecPack;
use wowlab_rhai::{Limits, RotationError};

use crate::modules::ModuleStore;
use crate::runtime::{Runtime, Simulator};
use crate::simulate::{Builtins, RotationInput};

/// The verdict on one rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// "Rhai script" or "wasm component".
    pub kind: &'static str,
    /// Backends that can run it (empty when it has an error).
    pub backends: Vec<&'static str>,
    /// Spells and auras it names (`None` for a component: opaque).
    pub usage: Option<wowlab_rhai::Usage>,
    /// What is wrong, with line:column for a script.
    pub error: Option<String>,
    /// Why the jit cannot run a script that is otherwise fine.
    pub jit_refusal: Option<String>,
}

/// Checks `rotation` against `spec`.
pub fn check(
    store: &ModuleStore,
    runtime: &Runtime,
    spec: &SpecPack,
    rotation: &RotationInput,
) -> Result<CheckReport> {
    let (spells, auras) = crate::simulate::names(spec);
    Ok(match rotation {
        RotationInput::Rhai(script) | RotationInput::Jit(script, _) => {
            check_script(&spells, &auras, script)
        }
        RotationInput::Wasm(bytes) => {
            let verdict = check_component(store, runtime, &spells, &auras, bytes);
            CheckReport {
                kind: "wasm component",
                backends: if verdict.is_ok() {
                    vec!["wasm"]
                } else {
                    Vec::new()
                },
                usage: None,
                error: verdict.err().map(|e| format!("{e:#}")),
                jit_refusal: None,
            }
        }
    })
}

fn check_script(spells: &[String], auras: &[String], script: &str) -> CheckReport {
    match wowlab_rhai::check(spells, auras, script, Limits::default()) {
        Ok(usage) => {
            let jit = crate::jit::JitRotation::compile(spells, auras, script);
            CheckReport {
                kind: "Rhai script",
                backends: if jit.is_ok() {
                    vec!["rhai", "jit"]
                } else {
                    vec!["rhai"]
                },
                usage: Some(usage),
                error: None,
                jit_refusal: jit.err().map(|e| e.to_string()),
            }
        }
        Err(e @ (RotationError::Syntax { .. } | RotationError::Invalid(_))) => CheckReport {
            kind: "Rhai script",
            backends: Vec::new(),
            usage: None,
            error: Some(e.to_string()),
            jit_refusal: None,
        },
    }
}

/// Loads a component as a rotation (imports, exports) and runs its `init`.
fn check_component(
    store: &ModuleStore,
    runtime: &Runtime,
    spells: &[String],
    auras: &[String],
    bytes: &[u8],
) -> Result<()> {
    let builtins = Builtins::install(store)?;
    let engine = store.load(runtime.engine(), &builtins.engine)?;
    let hash = wowlab_protocol::address::hash_of(bytes);
    let component = store.component(runtime.engine(), &hash, bytes)?;
    let simulator = Simulator::new(runtime, engine, component)?;
    simulator.rotation(runtime, spells, auras, "")?;
    Ok(())
}

/// The report as text, naming `file`.
pub fn text(report: &CheckReport, file: &str, spec: &SpecPack) -> String {
    let mut out = match &report.error {
        None => format!("{file}: ok ({}, spec \"{}\")\n", report.kind, spec.name),
        // A script error starts with its line:column.
        Some(e) if e.starts_with(|c: char| c.is_ascii_digit()) => format!("{file}:{e}\n"),
        Some(e) => format!("{file}: {e}\n"),
    };
    let list = |v: &[&str]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    out += &format!("backends: {}\n", list(&report.backends));
    if let Some(why) = &report.jit_refusal {
        out += &format!("jit: not in its subset: {file}:{why}\n");
    }
    if let Some(u) = &report.usage {
        let spells: Vec<&str> = u.spells.iter().map(String::as_str).collect();
        let auras: Vec<&str> = u.auras.iter().map(String::as_str).collect();
        out += &format!("spells: {}\nauras: {}\n", list(&spells), list(&auras));
    } else if report.error.is_none() {
        out += "spells and auras: not visible in a compiled component\n";
    }
    out
}
