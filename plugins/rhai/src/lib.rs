//! Rhai rotations.
//!
//! A rotation script is compiled once ([`RhaiRotation::new`]) and evaluated
//! at every decision. Spell and aura names from the spec pack are constants
//! in the script's scope, so `cast(kill_command)` refers to a spell, and a
//! misspelt name is a compile error with its line and column. The script's
//! value is the action: `cast(spell)`, `wait(ms)`, `wait()`, or nothing
//! (which also waits until something changes).
//!
//! The crate is used natively (tests, and the native reference for the wasm
//! build) and builds as the `rotation-world` wasm component (feature
//! `component`), which is what nodes run: there the interpreter is also
//! sandboxed by wasmtime (no capabilities, memory cap, deadlines).
//!
//! Script API (all times in seconds):
//! - `cast(spell)`, `wait(ms)`, `wait()`
//! - `ready(spell)`, `cooldown(spell)`, `recharge(spell)`, `charges(spell)`
//! - `aura_up(aura)`, `aura_remains(aura)`, `aura_stacks(aura)`
//! - `resource()`, `resource_max()`, `resource_deficit()`, `regen()`,
//!   `time()`, `fight_remains()`, `targets()`, `haste()`, `gcd()`

mod api;
mod check;
#[cfg(feature = "component")]
mod component;
mod limits;

pub use api::{RhaiRotation, RotationError};
pub use check::{Usage, check, check_syntax, compile_unoptimised};
pub use limits::Limits;
