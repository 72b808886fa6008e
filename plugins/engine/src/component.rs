//! The engine as a wasm component: the `engine` world of `wit/`.
//!
//! Thin glue: the exported `run-batch` parses the config, runs
//! [`crate::run_batch`] with the imported rotation, and returns the result as
//! JSON.

wit_bindgen::generate!({
    path: "../../wit",
    world: "engine",
});

use exports::wowlab::sim::simulator::{EngineError as WitError, Guest};
use wowlab::sim::rotation;
use wowlab::sim::types::Action as WitAction;

use crate::{Action, EngineError, SimConfig};

/// The rotation this component imports.
struct ImportedRotation;

impl crate::Rotation for ImportedRotation {
    fn decide(&mut self, state: &[f64]) -> Result<Action, String> {
        rotation::decide(state).map(|a| match a {
            WitAction::Cast(spell) => Action::Cast(spell),
            WitAction::Wait(ms) => Action::Wait(ms),
        })
    }
}

struct Engine;

impl Guest for Engine {
    fn run_batch(
        config: String,
        job_seed: u64,
        first_iteration: u64,
        count: u32,
    ) -> Result<String, WitError> {
        let config = SimConfig::from_json(&config).map_err(|e| WitError::Config(e.to_string()))?;
        let result = crate::run_batch(
            &config,
            &mut ImportedRotation,
            job_seed,
            first_iteration,
            count,
        )
        .map_err(|e| match e {
            EngineError::Config(e) => WitError::Config(e.to_string()),
            EngineError::Rotation(m) => WitError::Rotation(m),
        })?;
        Ok(serde_json::to_string(&result).expect("a BatchResult always serialises"))
    }
}

export!(Engine);
