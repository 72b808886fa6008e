//! The layout of the state a rotation sees at each decision.
//!
//! One flat list of `f64`: a fixed header, then [`PER_SPELL`] values for each
//! spell and [`PER_AURA`] values for each aura, in spec order. Times are in
//! seconds. Target auras are reported for the primary target.

/// Seconds since the start of the fight.
pub const TIME: usize = 0;
/// Seconds until the fight ends.
pub const FIGHT_REMAINS: usize = 1;
/// Current amount of the resource.
pub const RESOURCE: usize = 2;
/// Maximum amount of the resource.
pub const RESOURCE_MAX: usize = 3;
/// Resource regenerated per second right now.
pub const RESOURCE_REGEN: usize = 4;
/// Number of targets.
pub const TARGETS: usize = 5;
/// The player's haste multiplier (1.2 = 20 % haste).
pub const HASTE: usize = 6;
/// Length of the global cooldown right now, in seconds.
pub const GCD: usize = 7;
/// Number of header values.
pub const HEADER: usize = 8;

/// Values per spell: cooldown, charges, castable, recharge.
pub const PER_SPELL: usize = 4;
/// Offset within a spell: seconds until a charge is available (0 when one is).
pub const SPELL_COOLDOWN: usize = 0;
/// Offset within a spell: charges available now.
pub const SPELL_CHARGES: usize = 1;
/// Offset within a spell: 1.0 when the spell could be cast now, else 0.0.
pub const SPELL_CASTABLE: usize = 2;
/// Offset within a spell: seconds until the next charge arrives (0 at full charges).
pub const SPELL_RECHARGE: usize = 3;

/// Values per aura: remaining seconds, stacks.
pub const PER_AURA: usize = 2;
/// Offset within an aura: seconds left (0 when down).
pub const AURA_REMAINS: usize = 0;
/// Offset within an aura: current stacks (0 when down).
pub const AURA_STACKS: usize = 1;

/// Index of `field` of spell `spell`.
pub const fn spell(spell: usize, field: usize) -> usize {
    HEADER + spell * PER_SPELL + field
}

/// Index of `field` of aura `aura` in a snapshot of a spec with `spells` spells.
pub const fn aura(spells: usize, aura: usize, field: usize) -> usize {
    HEADER + spells * PER_SPELL + aura * PER_AURA + field
}

/// Length of a snapshot for `spells` spells and `auras` auras.
pub const fn len(spells: usize, auras: usize) -> usize {
    HEADER + spells * PER_SPELL + auras * PER_AURA
}
