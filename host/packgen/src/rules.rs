//! The per-spec rules file: what the game's data cannot say. It names the
//! pack's parts by the game's spell ids (which spell is cast, which effect
//! deals the damage, who deals it, which auras a cast applies) and gives
//! the few game rules no table carries (a crit doubles damage, haste speeds
//! focus regeneration). Every number the data have is read from the data.

use serde::Deserialize;
use wowlab_engine::options::Property;
use wowlab_engine::spec::{Carrier, Source, Trigger};

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
    /// The spells the game casts on its own (procs and other spells cast
    /// them), in the pack's order.
    #[serde(default)]
    pub triggered: Vec<TriggeredRule>,
    /// The temporary summons, in the pack's order.
    #[serde(default)]
    pub summons: Vec<SummonRule>,
    /// The auras, in the pack's order.
    #[serde(default)]
    pub auras: Vec<AuraRule>,
    /// What talents' or passives' scripted ("Dummy") effects do, in engine
    /// terms; the value is the effect's base value.
    #[serde(default)]
    pub effects: Vec<EffectRule>,
    /// The set bonuses the pack offers as options.
    #[serde(default)]
    pub set_bonuses: Vec<SetBonusRule>,
}

/// A set bonus: an option named as profiles name it, made of its spell's
/// effects (and the `effects` rules for them) as a talent's are.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetBonusRule {
    /// The profile's name for it (`set_bonus=midnight_season_1_2pc=1`).
    pub name: String,
    /// Its spell.
    pub spell: u32,
}

/// An effect whose meaning the data do not give: a scripted ("Dummy")
/// effect with a number, or a modifier that applies only under a condition.
/// Several rules may give one effect several meanings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectRule {
    /// The effect's spell.
    pub spell: u32,
    /// Its index; 0: what the talent does that none of its effects says
    /// (the game scripts it), with no base value.
    pub effect: u32,
    /// What its base value changes; none: the effect is not modelled
    /// (`why` says what it does instead, e.g. a condition the engine lacks).
    #[serde(default)]
    pub property: Option<Property>,
    /// The pack's parts it changes.
    #[serde(default)]
    pub affects: Vec<String>,
    /// Instead of a property: what some of the pack's combat events then
    /// do (a proc of the talent's option).
    #[serde(default)]
    pub proc: Option<ProcRule>,
    /// Instead of a property: the pet the talent brings (its option's).
    #[serde(default)]
    pub adds_pet: Option<PetRule>,
    /// Instead of a property: the cycle the talent brings (its option's).
    #[serde(default)]
    pub cycle: Option<CycleRule>,
    /// What the game does, in words (it goes into the modifier's origin).
    pub why: String,
}

/// What an effect makes some combat events do, exactly one of: shorten a
/// spell's cooldown by the effect's base value in ms, give a spell a charge
/// (the base value must then be 1), cast a triggered spell, call a summon,
/// apply an aura, or gain the resource an energize effect gives. The
/// talent's internal cooldown, if it has one, is the proc's.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcRule {
    /// The event.
    pub on: Trigger,
    /// The pack's parts whose events count.
    pub of: Vec<String>,
    /// Whether the effect's base value is the proc's chance, in percent
    /// (else it always happens; not with `shortens` or `recharges`, whose
    /// amount the base value is).
    #[serde(default)]
    pub chance: bool,
    /// The spell whose cooldown it shortens.
    #[serde(default)]
    pub shortens: Option<String>,
    /// The spell it gives a charge.
    #[serde(default)]
    pub recharges: Option<String>,
    /// The triggered spell it casts.
    #[serde(default)]
    pub casts: Option<String>,
    /// The summon it calls.
    #[serde(default)]
    pub summons: Option<String>,
    /// The aura it applies.
    #[serde(default)]
    pub applies: Option<String>,
    /// The "Energize Power" effect whose resource it gains.
    #[serde(default)]
    pub gains: Option<EffectRef>,
    /// Whether the effect's base value is the stacks `applies` gives.
    #[serde(default)]
    pub stacks: bool,
    /// Whether the effect's base value is how many `summons` it calls.
    #[serde(default)]
    pub count: bool,
    /// The cycle whose running period it shortens by the base value in ms.
    #[serde(default)]
    pub shortens_cycle: Option<String>,
    /// The cycle whose next step it gives.
    #[serde(default)]
    pub advances_cycle: Option<String>,
}

/// A timer that gives the pack's auras in turn (a hero talent's cycle).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CycleRule {
    /// Its name in the pack.
    pub name: String,
    /// The spell whose duration is its period.
    pub period: u32,
    /// The pack's auras of its steps, in order.
    pub steps: Vec<String>,
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
    /// Its damage as a multiple of a plain swing's (default 1).
    #[serde(default = "one")]
    pub multiplier: f64,
    /// Where these numbers come from.
    pub origin: String,
}

fn one() -> f64 {
    1.0
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
    /// Triggered spells each cast also casts.
    #[serde(default)]
    pub casts: Vec<String>,
    /// The pack's auras each cast consumes.
    #[serde(default)]
    pub consumes: Vec<String>,
}

/// A spell the game casts on its own: its damage, from the data.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggeredRule {
    /// Its name in the pack.
    pub name: String,
    /// Who deals its damage (a pet's spell: each pet).
    #[serde(default)]
    pub source: Source,
    /// The effect that deals its direct damage.
    #[serde(default)]
    pub damage: Option<EffectRef>,
    /// The effect that deals its damage over time.
    #[serde(default)]
    pub dot: Option<EffectRef>,
    /// An effect whose base value, in percent, scales its damage (a
    /// talent's stronger copy of a spell).
    #[serde(default)]
    pub scale: Option<EffectRef>,
    /// An effect whose base value is how many times its damage hits.
    #[serde(default)]
    pub hits: Option<EffectRef>,
}

/// A temporary summon: a guardian that swings a weapon of no damage of its
/// own, as a pet's melee does, for its summoning spell's duration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummonRule {
    /// Its name in the pack.
    pub name: String,
    /// The summoning spell, whose duration is its stay.
    pub spell: u32,
    /// Its attack power as a share of the owner's.
    pub attack_power_share: f64,
    /// Where the share comes from.
    pub origin: String,
    /// Its melee swing.
    pub auto_attack: PetAttackRule,
    /// Whether it is one more pet while it stays (a pet, not a guardian,
    /// that deals the pets' spells too).
    #[serde(default)]
    pub joins_pets: bool,
}

impl SummonRule {
    /// Who it counts as: a pet when it joins the pets, else a guardian.
    pub fn source(&self) -> Source {
        if self.joins_pets {
            Source::Pet
        } else {
            Source::Guardian
        }
    }
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
    /// The effects of its spell it has (default: all).
    #[serde(default)]
    pub effects: Vec<u32>,
}
