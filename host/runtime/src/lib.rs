//! The wowlab runtime, shared by the node (`wowlab`) and the sentinel: runs
//! the engine and rotation components under wasmtime with no capabilities,
//! keeps modules in a content-addressed store with a cache of precompiled
//! artifacts, compiles rotation scripts with the jit, drives simulations on
//! all cores and formats their reports.
//!
//! Not for: talking to a sentinel (the node and the job client are in the
//! `wowlab` program), nor scheduling jobs across machines (the sentinel).

pub mod fault;
pub mod jit;
pub mod modules;
pub mod report;
pub mod rotation_check;
pub mod runtime;
pub mod sandbox;
pub mod shutdown;
pub mod simulate;
pub mod spec_file;
