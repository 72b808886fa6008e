//! SimulationCraft profiles as wowlab's input.
//!
//! A profile is the text the SimulationCraft addon exports (or one of
//! SimulationCraft's own `profiles/`): `key=value` lines describing one
//! character. [`profile`] reads the text into its lines, keeping each
//! line's number for errors; [`character`] turns that into the character
//! wowlab simulates (the spec, the talents decoded with the build's tree,
//! the gear's stats) and lists everything it does not use, so nothing is
//! dropped silently. [`sheet`] computes the character sheet its gear and
//! level give (attack power, crit, haste, mastery, versatility after
//! diminishing returns); [`setup`] turns a character into what a
//! simulation config takes for a spec pack (the player's stats, the options
//! its talents switch on, [`raid`]'s buffs, debuffs, Bloodlust and
//! consumables as SimulationCraft's `optimal_raid` gives them) and lists
//! what the pack does not model.
//!
//! Not for: SimulationCraft's action lists (wowlab's rotations are
//! scripts), includes of other files, or several characters in one file.

pub mod character;
pub mod profile;
pub mod raid;
pub mod setup;
pub mod sheet;

pub use character::{Character, Ignored, read_character};
pub use profile::{Located, Profile, ProfileError};
pub use setup::{Setup, SetupError, setup};
pub use sheet::{Sheet, SheetError, sheet};

/// SimulationCraft's default variation of the fight's length
/// (`vary_combat_length`): each iteration lasts 300 s × [0.8, 1.2].
pub const VARY_COMBAT_LENGTH: f64 = 0.2;
