//! The per-spec rules file: what the game's data cannot say. It names the
//! pack's parts by the game's spell ids (which spell is cast, which effect
//! deals the damage, who deals it, which auras a cast applies) and gives
//! the few game rules no table carries (a crit doubles damage, haste speeds
//! focus regeneration). Every number the data have is read from the data.

use serde::Deserialize;
use wowlab_engine::options::Property;
use wowlab_engine::spec::{Carrier, Source};

/// A spec's rules (`gamedata/rules/<class>_<spec>.toml`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// The pack's display name.
    pub name: String,
    /// The class, in SimulationCraft's spelling (`hunter`).
    pub class: String,
    /// The spec, in SimulationCraft's spelling (`beast_mastery`).
    pub spec: String,
    /// Where the generated pack goes, relative to the repository's root.
    pub output: String,
    /// The SimulationCraft profile whose character is the pack's default
    /// player, relative to the repository's root.
    pub profile: String,
    /// Spells always active for the spec (class and spec passives), whose
    /// effects become the pack's modifiers.
    #[serde(default)]
    pub passives: Vec<u32>,
    /// The spec's primary stat: what effects raising it raise.
    pub primary_stat: PrimaryStat,
    /// The resource.
    pub resource: ResourceRule,
    /// The global cooldown.
    pub gcd: GcdRule,
    /// Combat rules.
    pub combat: CombatRule,
    /// The player's weapon attack.
    #[serde(default)]
    pub auto_attack: Option<AutoAttackRule>,
    /// The pet.
    #[serde(default)]
    pub pet: Option<PetRule>,
    /// The spells the rotation casts, in the pack's order.
    #[serde(default)]
    pub spells: Vec<SpellRule>,
    /// The auras, in the pack's order.
    #[serde(default)]
    pub auras: Vec<AuraRule>,
    /// What talents' or passives' scripted ("Dummy") effects do, in engine
    /// terms; the value is the effect's base value.
    #[serde(default)]
    pub effects: Vec<EffectRule>,
}

/// An effect whose meaning the data do not give: a scripted ("Dummy")
/// effect with a number, or a modifier that applies only under a condition.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectRule {
    /// The effect.
    pub spell: u32,
    /// Its index.
    pub effect: u32,
    /// What its base value changes; none: the effect is not modelled
    /// (`why` says what it does instead, e.g. a condition the engine lacks).
    #[serde(default)]
    pub property: Option<Property>,
    /// The pack's parts it changes.
    #[serde(default)]
    pub affects: Vec<String>,
    /// Instead of a property: what each cast of some of the pack's spells
    /// does (a proc of the talent's option).
    #[serde(default)]
    pub on_cast: Option<OnCastRule>,
    /// What the game does, in words (it goes into the modifier's origin).
    pub why: String,
}

/// What an effect makes each cast of some spells do: shorten a spell's
/// cooldown by the effect's base value in ms, or give it a charge (the
/// base value must then be 1).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnCastRule {
    /// The pack's spells whose casts count.
    pub of: Vec<String>,
    /// The spell whose cooldown they shorten.
    #[serde(default)]
    pub shortens: Option<String>,
    /// The spell they give a charge.
    #[serde(default)]
    pub recharges: Option<String>,
}

impl Rules {
    /// Reads the rules in `text` (the file `path`, for errors).
    pub fn parse(path: &str, text: &str) -> Result<Self, crate::PackgenError> {
        toml::from_str(text).map_err(|e| crate::PackgenError::Rules {
            path: path.to_string(),
            source: Box::new(e),
        })
    }
}

/// Which resource, and how it behaves.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceRule {
    /// Its name in the power types table (`focus`).
    pub power: String,
    /// Whether haste speeds its regeneration.
    pub hasted_regen: bool,
}

/// The global cooldown's floor (its length is read from the spells).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcdRule {
    /// The shortest a hasted GCD gets, in ms.
    pub min_ms: u32,
}

/// Combat rules no table carries.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CombatRule {
    /// What a critical hit multiplies damage by.
    pub crit_multiplier: f64,
    /// Attack power worth one point of weapon damage per second: a weapon
    /// hit adds attack power / this × the weapon's speed in seconds, and
    /// the main-hand weapon adds its damage per second × this to the
    /// attack power of everything but its own swings.
    pub attack_power_per_weapon_dps: f64,
    /// The primary stat bonus, in percent, of wearing armor of the class's
    /// type only (the game's armor specialization), as the reference
    /// character does.
    #[serde(default)]
    pub armor_specialization_percent: f64,
}

/// A spec's primary stat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrimaryStat {
    /// Agility.
    Agility,
    /// Strength.
    Strength,
    /// Intellect.
    Intellect,
}

impl PrimaryStat {
    /// Its name in the spell dump's `Stat:` values.
    pub fn dump_name(self) -> &'static str {
        match self {
            Self::Agility => "Agi",
            Self::Strength => "Str",
            Self::Intellect => "Int",
        }
    }
}

/// A spell effect: the spell's id and the effect's index (`#1` → 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectRef {
    /// The spell.
    pub spell: u32,
    /// The effect's index.
    pub effect: u32,
}

/// A weapon, as the reference character carries it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeaponRule {
    /// Lowest damage of a hit.
    pub min: f64,
    /// Highest damage of a hit.
    pub max: f64,
    /// Time between hits, in ms.
    pub speed_ms: u32,
    /// Where these numbers come from.
    pub origin: String,
}

/// The player's weapon attack: a weapon-damage spell and the weapon.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoAttackRule {
    /// Its name in the pack.
    pub name: String,
    /// The spell whose "Weapon Damage%" effect it is.
    pub spell: u32,
    /// The weapon.
    pub weapon: WeaponRule,
}

/// The pet.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PetRule {
    /// Its name in the pack.
    pub name: String,
    /// Its attack power as a share of the owner's: every pet coefficient
    /// in the data is of the pet's own attack power.
    pub attack_power_share: f64,
    /// Where the share comes from.
    pub origin: String,
    /// Its melee swing.
    pub auto_attack: PetAttackRule,
    /// Its basic attack, used whenever its cooldown allows.
    #[serde(default)]
    pub basic_attack: Option<PetAbilityRule>,
}

/// A pet ability used whenever its cooldown allows: its cooldown and
/// damage are its spell's.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PetAbilityRule {
    /// Its name in the pack.
    pub name: String,
    /// The effect that deals its damage (its spell gives the cooldown).
    pub damage: EffectRef,
}

/// A pet's melee swing: a weapon of no damage of its own, so a swing
/// deals the pet's attack power / `attack_power_per_weapon_dps` × its
/// period in seconds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PetAttackRule {
    /// Its name in the pack.
    pub name: String,
    /// Time between swings, in ms.
    pub period_ms: u32,
    /// Where these numbers come from.
    pub origin: String,
}

/// A spell the rotation casts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpellRule {
    /// Its name in the pack (rotations use it).
    pub name: String,
    /// The spell the player casts: cost, cooldown, charges, GCD.
    pub cast: u32,
    /// Who deals its damage.
    #[serde(default)]
    pub source: Source,
    /// The effect that deals its direct damage.
    #[serde(default)]
    pub damage: Option<EffectRef>,
    /// The effect that deals its damage over time.
    #[serde(default)]
    pub dot: Option<EffectRef>,
    /// The pack's auras it applies.
    #[serde(default)]
    pub apply_auras: Vec<String>,
    /// Cooldowns it shortens.
    #[serde(default)]
    pub cooldown_reductions: Vec<ReductionRule>,
    /// The "Periodic Energize Power" effect of the buff the cast gives,
    /// whose resource it pays over time.
    #[serde(default)]
    pub energize: Option<EffectRef>,
}

/// A cooldown a spell shortens, by the seconds an effect's base value gives.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReductionRule {
    /// The pack's spell whose cooldown shrinks.
    pub spell: String,
    /// The effect whose base value is the seconds.
    pub seconds: EffectRef,
}

/// An aura.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuraRule {
    /// Its name in the pack.
    pub name: String,
    /// The spell that is the aura: duration, stacks, effects.
    pub spell: u32,
    /// Who carries it.
    #[serde(default)]
    pub on: Carrier,
}
