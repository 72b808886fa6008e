//! The spec pack generator: the committed game data plus a spec's rules
//! file become the engine's spec pack.
//!
//! The rules ([`rules`]) say what the data cannot: which spell ids make up
//! the pack's spells, auras, auto-attacks and pet, and a few game rules.
//! Everything else is read: costs, cooldowns, charges, GCDs, durations,
//! stacks, coefficients and periods from the spell dump; which passive or
//! talent modifies which spell from its effects ([`effects`]); the
//! resource from the power types; armor, ratings and the default character
//! from the tables and the reference profile. The pack's header lists the
//! source of every number and every effect the engine does not model.

mod auras;
pub mod build;
pub mod effects;
pub mod parts;
pub mod render;
pub mod rules;
mod spells;
mod talents;

use wowlab_engine::spec::SpecPack;

pub use build::generate;

/// Why a pack cannot be generated.
#[derive(Debug, thiserror::Error)]
pub enum PackgenError {
    /// The rules file is not valid.
    #[error("{path}: {source}")]
    Rules {
        /// The rules file.
        path: String,
        /// What the TOML reader said (it names the line and field).
        source: Box<toml::de::Error>,
    },
    /// A rule names something the data do not have, or the data are not
    /// in the form the rule needs.
    #[error("{path}: {field}: {message}")]
    Data {
        /// The rules file.
        path: String,
        /// The rule's field, e.g. `spells[2].cast`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The pack cannot be written as TOML.
    #[error("writing the pack: {0}")]
    Render(#[from] toml::ser::Error),
    /// The reference profile cannot be read.
    #[error("the reference profile: {0}")]
    Profile(String),
}

/// A generated pack: the pack and its text, as committed.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The pack.
    pub pack: SpecPack,
    /// Its TOML text, with the header naming the sources of its numbers
    /// and what it does not model.
    pub text: String,
}
