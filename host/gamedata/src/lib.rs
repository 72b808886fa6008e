//! The game's data, as the project keeps it.
//!
//! `gamedata/<build>/` at the repository's root holds, per game build, exactly
//! the rows of the game's tables that the spec packs and the SimulationCraft
//! profile reader need (its README documents the format). This crate reads
//! those committed rows ([`builds`]) and the stat conversions among them
//! ([`combat`]), writes them from the game's full tables
//! when those are present ([`extract`]), reads SimulationCraft's spell data
//! dumps, the source of coefficients and of which spell modifies which
//! ([`spelldump`]), and decodes the talent loadout
//! strings players export ([`talents`]).
//!
//! Nothing here reads outside the repository at run time: the committed
//! rows are compiled in.

pub mod builds;
pub mod combat;
pub mod extract;
pub mod items;
pub mod spelldump;
pub mod spellfacts;
pub mod tables;
pub mod talents;
