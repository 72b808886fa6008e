//! Spec packs: the data that defines a spec's spells, auras, procs, pet and
//! resource. Loaded from TOML or JSON; unknown fields are errors, so a typo
//! names the field instead of being ignored.

use serde::{Deserialize, Serialize};

use crate::options::{Modifier, PackOption};

/// Everything the engine knows about one spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecPack {
    /// Display name, e.g. "Beast Mastery Hunter".
    pub name: String,
    /// The class it is for, in SimulationCraft's spelling (`hunter`); empty
    /// for a pack that is no game spec (test fixtures).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub class: String,
    /// The spec it is for, in SimulationCraft's spelling (`beast_mastery`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub spec: String,
    /// The resource spells spend and gain.
    pub resource: Resource,
    /// The global cooldown.
    #[serde(default)]
    pub gcd: GcdRule,
    /// Combat constants: crit, armor, rating conversions, mastery.
    #[serde(default)]
    pub combat: Combat,
    /// The default character; a config may override it.
    #[serde(default)]
    pub player: Stats,
    /// The default target.
    #[serde(default)]
    pub target: Target,
    /// The player's auto-attack, if any.
    #[serde(default)]
    pub auto_attack: Option<AutoAttack>,
    /// The player's pets: the main pet and any companions. A spell whose
    /// source is the pet is used by each of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pets: Vec<Pet>,
    /// Spells the rotation can cast, in index order.
    #[serde(default)]
    pub spells: Vec<Spell>,
    /// Spells the game casts on its own, never the rotation (a pet's stomp
    /// on a shot, a bleed a cooldown brings): procs cast them. They cost
    /// nothing and have no cooldown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggered: Vec<Spell>,
    /// Auras spells and procs can apply, in index order.
    #[serde(default)]
    pub auras: Vec<Aura>,
    /// Procs triggered by combat events.
    #[serde(default)]
    pub procs: Vec<Proc>,
    /// Temporary summons spells and procs can call.
    #[serde(default)]
    pub summons: Vec<Summon>,
    /// Timers that give auras in turn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cycles: Vec<Cycle>,
    /// Modifiers that always apply (spec passives).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<Modifier>,
    /// What a config may switch on (talents, set bonuses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<PackOption>,
    /// What the spec adds to every character's stats (its passives, and
    /// the chosen talents once options are resolved).
    #[serde(default, skip_serializing_if = "StatBonus::is_none")]
    pub stat_bonus: StatBonus,
}

/// What a spec's passives and talents add to the character's stats, on
/// top of a config's player. Percent bonuses to haste, the primary stat
/// and attack power multiply; the others add.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatBonus {
    /// Crit chance, in percentage points.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub crit_percent: f64,
    /// Haste, in percent: multiplies the character's.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub haste_percent: f64,
    /// Mastery points.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mastery_points: f64,
    /// Versatility, in percentage points.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub versatility_percent: f64,
    /// The primary stat (agility, strength or intellect), in percent: it
    /// multiplies the attack power and spell power the stat gives (the
    /// weapon's share of attack power is left out).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub primary_stat_percent: f64,
    /// Attack power, the weapon's share included, in percent.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attack_power_percent: f64,
}

impl StatBonus {
    /// Whether it adds nothing.
    pub fn is_none(&self) -> bool {
        *self == Self::default()
    }
}

/// A creature a spell or proc calls for a while (Dire Beast, a hero
/// talent's beasts): it attacks on its own swing timer until it leaves.
/// Several of the same can be out at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summon {
    /// Name spells and procs call it by.
    pub name: String,
    /// How long it stays, in ms.
    pub duration_ms: u32,
    /// Who it counts as for auras, haste and mastery: a guardian (default) or a pet.
    #[serde(default = "guardian")]
    pub source: Source,
    /// Its attack: the first when it arrives, then one per period (hasted
    /// like its carrier's auto-attacks) while it stays.
    pub auto_attack: AutoAttack,
    /// Whether, while it stays, it is one more pet: the pets' spells are
    /// its too (a pet's spell cast then hits once more, a pet's DoT applied
    /// then deals one pet's share more). Needs `source = "pet"`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub joins_pets: bool,
}

/// The player's resource (focus, energy, mana, ...). Regeneration is computed
/// lazily from the time elapsed, not by a periodic event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Name, e.g. "focus".
    pub name: String,
    /// Maximum amount.
    pub max: f64,
    /// Amount at the start of the fight (default: `max`).
    #[serde(default)]
    pub start: Option<f64>,
    /// Regeneration per second before haste.
    #[serde(default)]
    pub regen_per_second: f64,
    /// Whether haste scales regeneration.
    #[serde(default = "yes")]
    pub hasted_regen: bool,
}

/// How long the global cooldown is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcdRule {
    /// Unhasted length in ms.
    #[serde(default = "default_gcd_ms")]
    pub base_ms: u32,
    /// Shortest length in ms, whatever the haste.
    #[serde(default = "default_gcd_min_ms")]
    pub min_ms: u32,
}

impl Default for GcdRule {
    fn default() -> Self {
        Self {
            base_ms: default_gcd_ms(),
            min_ms: default_gcd_min_ms(),
        }
    }
}

/// Combat constants of the game version the pack models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combat {
    /// Crit chance every character has, as a fraction (0.05 = 5 %).
    #[serde(default = "default_base_crit")]
    pub base_crit: f64,
    /// Damage multiplier of a critical hit.
    #[serde(default = "default_crit_multiplier")]
    pub crit_multiplier: f64,
    /// K in the armor formula: physical damage × (1 − armor / (armor + K)).
    #[serde(default)]
    pub armor_k: f64,
    /// Rating needed for 1 % of each secondary stat.
    #[serde(default)]
    pub rating_per_percent: Ratings,
    /// What mastery does.
    #[serde(default)]
    pub mastery: Mastery,
}

impl Default for Combat {
    fn default() -> Self {
        Self {
            base_crit: default_base_crit(),
            crit_multiplier: default_crit_multiplier(),
            armor_k: 0.0,
            rating_per_percent: Ratings::default(),
            mastery: Mastery::default(),
        }
    }
}

/// Rating per 1 % of each secondary stat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ratings {
    /// Crit rating per 1 % crit chance.
    #[serde(default = "default_rating")]
    pub crit: f64,
    /// Haste rating per 1 % haste.
    #[serde(default = "default_rating")]
    pub haste: f64,
    /// Mastery rating per 1 mastery point.
    #[serde(default = "default_rating")]
    pub mastery: f64,
    /// Versatility rating per 1 % versatility.
    #[serde(default = "default_rating")]
    pub versatility: f64,
}

impl Default for Ratings {
    fn default() -> Self {
        Self {
            crit: default_rating(),
            haste: default_rating(),
            mastery: default_rating(),
            versatility: default_rating(),
        }
    }
}

/// Mastery as a damage bonus for some damage sources.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mastery {
    /// Mastery points every character has.
    #[serde(default)]
    pub base_points: f64,
    /// Damage bonus (fraction) per mastery point.
    #[serde(default)]
    pub damage_per_point: f64,
    /// Which sources the bonus applies to.
    #[serde(default)]
    pub applies_to: Vec<Source>,
    /// Bonuses of their own size for named damage sources (a mastery that
    /// also raises some of the player's spells), on top of the above.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spells: Vec<MasteryBonus>,
}

/// Part of a mastery that raises named damage sources (spells, with their
/// direct and periodic damage, auto-attacks, summons, damaging procs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MasteryBonus {
    /// Damage bonus (fraction) per mastery point.
    pub damage_per_point: f64,
    /// The damage sources it raises.
    pub affects: Vec<String>,
}

/// A character's stats. Secondary stats can be given as ratings, percents,
/// or both (they add up).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stats {
    /// Attack power.
    #[serde(default)]
    pub attack_power: f64,
    /// Attack power the main-hand weapon adds (the game's rule: its damage
    /// per second × 6): every damage scaled by attack power counts it,
    /// except the weapon's own swings (`Damage::weapon_swing`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub weapon_attack_power: f64,
    /// Raises attack power, the weapon's share included, by this percent
    /// (a raid buff such as Battle Shout's 5 %).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attack_power_percent: f64,
    /// Spell power.
    #[serde(default)]
    pub spell_power: f64,
    /// Crit rating.
    #[serde(default)]
    pub crit_rating: f64,
    /// Crit chance in percent, on top of rating and base crit.
    #[serde(default)]
    pub crit_percent: f64,
    /// Haste rating.
    #[serde(default)]
    pub haste_rating: f64,
    /// Haste in percent.
    #[serde(default)]
    pub haste_percent: f64,
    /// Mastery rating.
    #[serde(default)]
    pub mastery_rating: f64,
    /// Mastery points, on top of rating and base mastery.
    #[serde(default)]
    pub mastery_points: f64,
    /// Versatility rating.
    #[serde(default)]
    pub versatility_rating: f64,
    /// Versatility in percent.
    #[serde(default)]
    pub versatility_percent: f64,
}

/// The enemy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Armor of each target.
    #[serde(default)]
    pub armor: f64,
    /// Debuffs every target carries all fight (the raid's Mystic Touch and
    /// Chaos Brand): more damage taken of some schools. Several multiply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub damage_taken: Vec<DamageTaken>,
}

/// More damage taken of some schools, for the whole fight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DamageTaken {
    /// What it is, e.g. "mystic_touch".
    pub name: String,
    /// The damage taken, in percent.
    pub percent: f64,
    /// The schools it raises; empty: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schools: Vec<School>,
}

/// Who deals a hit (decides which auras and mastery apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The player.
    #[default]
    Player,
    /// The player's pet.
    Pet,
    /// A temporary summon that is not the pet.
    Guardian,
}

/// Who carries an aura.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Carrier {
    /// The player: its effects change the player's damage, haste, crit.
    #[default]
    Player,
    /// The pet: its effects change the pet's damage, crit and attack speed.
    Pet,
    /// Every guardian: its effects change guardians' damage, crit and attack speed.
    Guardian,
    /// Each target separately: its damage effect changes damage taken.
    Target,
}

/// A damage school; only physical damage is reduced by armor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum School {
    /// Reduced by armor unless `ignores_armor`.
    #[default]
    Physical,
    /// Arcane.
    Arcane,
    /// Fire.
    Fire,
    /// Frost.
    Frost,
    /// Holy.
    Holy,
    /// Nature.
    Nature,
    /// Shadow.
    Shadow,
}

/// How much a hit does: base + coefficient × power, then multipliers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Damage {
    /// Flat damage.
    #[serde(default)]
    pub base: f64,
    /// Coefficient of the player's attack power.
    #[serde(default)]
    pub ap_coefficient: f64,
    /// Coefficient of the player's spell power.
    #[serde(default)]
    pub sp_coefficient: f64,
    /// School.
    #[serde(default)]
    pub school: School,
    /// Whether it can crit.
    #[serde(default = "yes")]
    pub can_crit: bool,
    /// Whether armor is ignored (bleeds).
    #[serde(default)]
    pub ignores_armor: bool,
    /// Crit chance added to this damage's (fraction; 0.1 = 10 %).
    #[serde(default)]
    pub crit_chance_bonus: f64,
    /// Raises what a crit adds: a crit deals 1 + (crit_multiplier − 1) ×
    /// (1 + crit_damage_bonus) times the damage (0.5: 50 % more crit damage).
    #[serde(default)]
    pub crit_damage_bonus: f64,
    /// A swing of the player's weapon (the weapon's damage is in `base`):
    /// its attack power leaves the weapon's share out.
    #[serde(default, skip_serializing_if = "is_false")]
    pub weapon_swing: bool,
}

/// The global cooldown a spell triggers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpellGcd {
    /// The spec's GCD, shortened by haste down to its minimum.
    #[default]
    Hasted,
    /// No GCD (off-GCD spells need a cooldown).
    None,
    /// A fixed length in ms.
    Fixed(u32),
}

/// Damage over time applied by a spell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dot {
    /// Duration in ms.
    pub duration_ms: u32,
    /// Time between ticks in ms.
    pub tick_ms: u32,
    /// Damage of one full tick.
    pub damage: Damage,
    /// Whether haste shortens the tick period.
    #[serde(default)]
    pub hasted_ticks: bool,
    /// Whether a refresh carries over the remaining time, up to 30 % of the
    /// duration (pandemic); otherwise a refresh resets the duration.
    #[serde(default = "yes")]
    pub pandemic: bool,
    /// Whether each application, a refresh too, ticks at once on top of the
    /// ticks of its duration (the game's "extra initial period"); the tick
    /// schedule then restarts from the application, unless the DoT rolls.
    #[serde(default)]
    pub tick_on_application: bool,
    /// Whether a refresh rolls the damage still to come into the new
    /// application (the game's "rolling periodic"): the tick under way
    /// keeps its time, the new application's ticks follow it, and the old
    /// ticks left with the new ones are spread evenly over those ticks.
    /// Needs `pandemic = false`.
    #[serde(default)]
    pub rolling: bool,
}

/// Shortens another spell's cooldown (its current recharge).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CooldownReduction {
    /// The spell whose cooldown shrinks.
    pub spell: String,
    /// By how many ms.
    pub ms: u32,
}

/// A spell: one the rotation casts, or one the game casts on its own
/// (`SpecPack::triggered`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spell {
    /// Name used by rotations, e.g. "kill_command".
    pub name: String,
    /// Who deals its damage; the pet's spells are used by every pet the
    /// pack has, each dealing its damage.
    #[serde(default)]
    pub source: Source,
    /// Cast time in ms before haste (0 = instant).
    #[serde(default)]
    pub cast_time_ms: u32,
    /// The GCD it triggers.
    #[serde(default)]
    pub gcd: SpellGcd,
    /// Cooldown (recharge time of one charge) in ms.
    #[serde(default)]
    pub cooldown_ms: u32,
    /// Whether haste shortens the cooldown.
    #[serde(default)]
    pub hasted_cooldown: bool,
    /// Maximum charges; charges recharge one at a time.
    #[serde(default = "one")]
    pub charges: u32,
    /// Resource spent.
    #[serde(default)]
    pub cost: f64,
    /// Resource gained.
    #[serde(default)]
    pub gain: f64,
    /// Direct damage.
    #[serde(default)]
    pub damage: Option<Damage>,
    /// Damage over time.
    #[serde(default)]
    pub dot: Option<Dot>,
    /// How many targets it hits (direct damage, DoT and target auras).
    #[serde(default = "one")]
    pub max_targets: u32,
    /// Above this many targets, each target's direct damage is scaled by
    /// sqrt(reduced_aoe_targets / targets hit) (the game's reduced AoE
    /// damage); 0: never.
    #[serde(default)]
    pub reduced_aoe_targets: u32,
    /// Whether it hits the targets around the primary but not the primary
    /// (a cleave): up to `max_targets` of the others.
    #[serde(default)]
    pub exclude_primary: bool,
    /// Auras it applies (one stack each cast).
    #[serde(default)]
    pub apply_auras: Vec<String>,
    /// Cooldowns it shortens.
    #[serde(default)]
    pub cooldown_reductions: Vec<CooldownReduction>,
    /// The summon it calls.
    #[serde(default)]
    pub summon: Option<String>,
    /// Resource it gives over time after the cast.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub energize: Option<Energize>,
    /// How many times its direct damage hits each target, each hit on its
    /// own (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub hits: u32,
    /// Auras each cast consumes, if they are up (after its damage, before
    /// the procs on its cast): all their stacks go, and the procs on their
    /// consumption happen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumes: Vec<String>,
}

/// A timer that gives auras in turn, round and round (a hero talent's
/// cycle of summons): its period starts at the pull; when it ends, the
/// next step's aura is applied; when that aura ends (it expires, or a spell
/// consumes it), the period starts again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    /// Name procs shorten or advance it by.
    pub name: String,
    /// Time to the next step, in ms.
    pub period_ms: u32,
    /// The auras of the steps, in order.
    pub steps: Vec<String>,
}

/// A cycle's running period, shortened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CycleReduction {
    /// The cycle.
    pub cycle: String,
    /// By how much, in ms.
    pub ms: u32,
}

/// Resource given over time: `amount` every `tick_ms` after the cast,
/// `ticks` times. Each cast's ticks run on their own, so those of several
/// casts add up (the game's stacks that each expire on their own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Energize {
    /// Resource per tick.
    pub amount: f64,
    /// Time between ticks in ms; the first comes one period after the cast.
    pub tick_ms: u32,
    /// How many ticks.
    pub ticks: u32,
}

/// A buff or debuff. Effects are per stack: with `n` stacks, damage is
/// multiplied by (1 + n × damage_bonus), and so on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aura {
    /// Name used by rotations.
    pub name: String,
    /// Who carries it.
    #[serde(default)]
    pub on: Carrier,
    /// Duration in ms; a new application refreshes it. 0: it lasts until
    /// a spell consumes it (or the fight ends).
    pub duration_ms: u32,
    /// Maximum stacks.
    #[serde(default = "one")]
    pub max_stacks: u32,
    /// Damage bonus per stack (dealt by player/pet, taken by a target).
    #[serde(default)]
    pub damage_bonus: f64,
    /// Haste bonus per stack (player: casts, GCD, regen, autos; pet: autos).
    #[serde(default)]
    pub haste_bonus: f64,
    /// Crit chance added per stack (fraction).
    #[serde(default)]
    pub crit_bonus: f64,
    /// Auto-attack speed bonus per stack.
    #[serde(default)]
    pub attack_speed_bonus: f64,
    /// Attack power per stack from the primary stat (a potion's agility
    /// times the class's attack power per point), on the player: the
    /// pack's primary stat and the attack power percents raise it as they
    /// raise the player's own, and everything that scales with the
    /// player's attack power (the pets' share included) gains it while up.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub primary_attack_power: f64,
    /// Change per stack of the tick time of the DoTs of the spells in
    /// `affects` (-0.5: they tick twice as often while it is up; their
    /// duration stays). The tick already due keeps its time. Not for a
    /// target's aura.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tick_time_bonus: f64,
    /// The damage sources (spells, auto-attacks, damaging procs) its damage,
    /// crit and tick time bonuses apply to; empty: all of its carrier's
    /// (or, on a target, all damage it takes).
    #[serde(default)]
    pub affects: Vec<String>,
}

/// An automatic attack on a swing timer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoAttack {
    /// Name in the results, e.g. "auto_shot".
    pub name: String,
    /// Time between swings in ms before haste and attack speed.
    pub period_ms: u32,
    /// Damage of a swing.
    pub damage: Damage,
    /// Whether haste and attack-speed bonuses shorten the period; a pet's
    /// ability used whenever its cooldown allows keeps its period.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub hasted: bool,
}

/// One of the player's pets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pet {
    /// Name, e.g. "pet".
    pub name: String,
    /// The pet's auto-attack.
    pub auto_attack: AutoAttack,
    /// Abilities it uses whenever their cooldown allows (its basic attack),
    /// each on its own timer from the start of the fight and a damage
    /// source of its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub abilities: Vec<AutoAttack>,
}

/// The combat event a proc listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// A spell cast completes.
    Cast,
    /// A direct hit or auto-attack lands (crit or not).
    Hit,
    /// A direct hit, auto-attack or tick crits.
    Crit,
    /// A DoT ticks.
    Tick,
    /// A spell consumes an aura (the proc's `sources` name auras).
    Consume,
}

/// An effect that may happen on an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proc {
    /// Name in the results.
    pub name: String,
    /// The event it listens to.
    pub on: Trigger,
    /// Names of the spells or auto-attacks whose events count (empty: all).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Fixed chance per event (exclusive with `rppm`).
    #[serde(default)]
    pub chance: Option<f64>,
    /// Real procs per minute (exclusive with `chance`).
    #[serde(default)]
    pub rppm: Option<f64>,
    /// Whether haste raises the RPPM rate.
    #[serde(default)]
    pub hasted_rppm: bool,
    /// Internal cooldown in ms.
    #[serde(default)]
    pub icd_ms: u32,
    /// Damage dealt to the primary target when it procs.
    #[serde(default)]
    pub damage: Option<Damage>,
    /// Aura applied when it procs.
    #[serde(default)]
    pub apply_aura: Option<String>,
    /// Resource gained when it procs.
    #[serde(default)]
    pub gain: f64,
    /// Spell that gains a charge (its recharge completes) when it procs.
    #[serde(default)]
    pub reset_cooldown: Option<String>,
    /// The summon it calls when it procs.
    #[serde(default)]
    pub summon: Option<String>,
    /// Cooldowns it shortens when it procs.
    #[serde(default)]
    pub cooldown_reductions: Vec<CooldownReduction>,
    /// The triggered spell (`SpecPack::triggered`) it casts when it procs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cast: Option<String>,
    /// How many stacks of `apply_aura` it gives (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub stacks: u32,
    /// How many of `summon` it calls (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub summon_count: u32,
    /// Cycles whose running period it shortens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cycle_reductions: Vec<CycleReduction>,
    /// The cycle whose next step it gives now (its period runs on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance_cycle: Option<String>,
}

fn yes() -> bool {
    true
}
fn is_true(v: &bool) -> bool {
    *v
}
fn is_false(v: &bool) -> bool {
    !*v
}
fn is_zero(v: &f64) -> bool {
    *v == 0.0
}
fn guardian() -> Source {
    Source::Guardian
}
fn one() -> u32 {
    1
}
fn is_one(v: &u32) -> bool {
    *v == 1
}
fn default_gcd_ms() -> u32 {
    1500
}
fn default_gcd_min_ms() -> u32 {
    750
}
fn default_base_crit() -> f64 {
    0.05
}
fn default_crit_multiplier() -> f64 {
    2.0
}
fn default_rating() -> f64 {
    1.0
}
