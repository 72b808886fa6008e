//! The wowlab node runtime: runs the engine and rotation components under
//! wasmtime with no capabilities, keeps modules in a content-addressed store
//! with a cache of precompiled artifacts, and drives simulations on all cores.
//!
//! The `wowlab` binary (`main.rs`) only parses arguments and prints; the work
//! is here. Not for: scheduling jobs across machines (that is the sentinel).

pub mod jit;
pub mod jobs;
pub mod modules;
pub mod node;
pub mod report;
pub mod rotation_check;
pub mod runtime;
pub mod sandbox;
pub mod shutdown;
pub mod simulate;
pub mod spec_file;
pub mod tls;
