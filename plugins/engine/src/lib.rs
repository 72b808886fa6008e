//! The wowlab combat simulation engine.
//!
//! A plain, deterministic Rust library: give it a [`SimConfig`] (a spec pack, a
//! character, a fight) and a [`Rotation`], and it runs iterations of the fight
//! and returns a [`BatchResult`] that merges exactly with other batches.
//! Everything a spec does is data ([`spec::SpecPack`]); there is no
//! spec-specific code here.
//!
//! The same crate builds as the `engine` wasm component of `wit/` (feature
//! `component`), which is what nodes run; the native build exists for tests
//! and must give bit-identical results. For that reason the engine uses no
//! clock, no host randomness, no hash maps with random state and no
//! transcendental float functions (whose results differ between libms).
//!
//! It is not for: running modules, networking, or anything about jobs.

pub mod config;
pub mod error;
mod model;
pub mod options;
mod queue;
pub mod rng;
pub mod rotation;
pub mod sim;
pub mod snapshot;
pub mod spec;
pub mod stats;

#[cfg(feature = "component")]
mod component;

pub use config::SimConfig;
pub use error::{ConfigError, EngineError};
pub use rotation::{Action, Rotation};
pub use sim::run_batch;
pub use stats::BatchResult;
