//! A config compiled for simulation: names resolved to indices, stats turned
//! into multipliers, times into microseconds. Validation happens here, and
//! every error names the config field at fault.

use crate::config::SimConfig;
use crate::error::ConfigError;
use crate::spec::{self, Carrier, Source, SpellGcd, Trigger};

/// Microseconds per millisecond.
pub const US_PER_MS: i64 = 1_000;
/// Microseconds per second.
pub const US_PER_S: f64 = 1_000_000.0;

/// Damage of one hit before multipliers that change during the fight.
#[derive(Debug, Clone, Copy)]
pub struct DamageModel {
    /// base + coefficients × powers, with versatility and armor applied.
    pub amount: f64,
    /// Whether it can crit.
    pub can_crit: bool,
    /// Crit chance added to the character's.
    pub crit_chance_bonus: f64,
    /// What a crit multiplies the damage by.
    pub crit_multiplier: f64,
    /// What one more point of the player's attack power adds to `amount`.
    pub per_attack_power: f64,
}

impl DamageModel {
    /// `k` times the damage (several pets' share, a rolled-over DoT).
    pub fn scaled(&self, k: f64) -> Self {
        Self {
            amount: self.amount * k,
            per_attack_power: self.per_attack_power * k,
            ..*self
        }
    }
}

/// A spell, compiled.
#[derive(Debug, Clone)]
pub struct SpellModel {
    pub source: Source,
    pub cast_us: i64,
    pub gcd: SpellGcd,
    pub cooldown_us: i64,
    pub hasted_cooldown: bool,
    pub charges: u32,
    pub cost: f64,
    pub gain: f64,
    pub damage: Option<DamageModel>,
    pub dot: Option<DotModel>,
    pub max_targets: u32,
    pub reduced_aoe_targets: u32,
    pub exclude_primary: bool,
    pub auras: Vec<usize>,
    pub reductions: Vec<(usize, i64)>,
    pub summon: Option<usize>,
    /// Resource per tick, time between ticks, ticks.
    pub energize: Option<(f64, i64, u32)>,
    /// How many times its direct damage hits each target, each hit on its
    /// own: its hits, times the pets for a pet's spell (its DoT's damage is
    /// already the pets' times).
    pub casters: u32,
    /// For a pet's spell, the hits (and for its DoT the share of damage,
    /// as a fraction of `casters`'s) one more pet adds: a summon that joins
    /// the pets; 0 for the player's spells.
    pub hits_per_pet: u32,
    /// The auras it consumes.
    pub consumes: Vec<usize>,
}

/// The shortest time between two applications of an external aura: a
/// buff given more often than once a second is no one else's.
const MIN_EXTERNAL_PERIOD_MS: u32 = 1_000;

/// An aura applied at set times, compiled.
#[derive(Debug, Clone, Copy)]
pub struct ExternalModel {
    /// Its first application, in µs.
    pub at_us: i64,
    /// The time between applications in µs (0: once).
    pub every_us: i64,
    /// The aura.
    pub aura: usize,
}

/// A cycle, compiled: its period and the auras of its steps.
#[derive(Debug, Clone)]
pub struct CycleModel {
    pub period_us: i64,
    pub steps: Vec<usize>,
}

/// A summon, compiled: its stay and its attack (a result source of its own).
#[derive(Debug, Clone)]
pub struct SummonModel {
    pub duration_us: i64,
    pub attack: AutoModel,
    /// Whether it deals the pets' spells while it stays.
    pub joins_pets: bool,
}

/// A DoT, compiled.
#[derive(Debug, Clone)]
pub struct DotModel {
    pub duration_us: i64,
    pub tick_us: i64,
    pub damage: DamageModel,
    pub hasted_ticks: bool,
    pub pandemic: bool,
    pub tick_on_application: bool,
    pub rolling: bool,
}

/// An aura, compiled.
#[derive(Debug, Clone)]
pub struct AuraModel {
    pub on: Carrier,
    pub duration_us: i64,
    pub max_stacks: u32,
    pub damage_bonus: f64,
    pub haste_bonus: f64,
    pub crit_bonus: f64,
    pub attack_speed_bonus: f64,
    pub tick_time_bonus: f64,
    /// The player's attack power per stack, all multipliers applied.
    pub attack_power: f64,
    /// Result source indices its damage and crit bonuses apply to (empty: all).
    pub affects: Vec<usize>,
}

impl AuraModel {
    /// Whether its damage and crit bonuses apply to damage source `stat`.
    pub fn affects(&self, stat: usize) -> bool {
        self.affects.is_empty() || self.affects.contains(&stat)
    }
}

/// An auto-attack, compiled.
#[derive(Debug, Clone)]
pub struct AutoModel {
    /// Index in the result's sources.
    pub stat: usize,
    pub source: Source,
    pub period_us: i64,
    pub damage: DamageModel,
    /// Whether haste and attack speed shorten the period.
    pub hasted: bool,
}

/// How often a proc fires.
#[derive(Debug, Clone, Copy)]
pub enum ProcRate {
    Chance(f64),
    Rppm { rate: f64, hasted: bool },
}

/// A proc, compiled.
#[derive(Debug, Clone)]
pub struct ProcModel {
    pub on: Trigger,
    /// Result source indices whose events count (empty: all).
    pub sources: Vec<usize>,
    pub rate: ProcRate,
    pub icd_us: i64,
    /// Result source index of its damage, and the damage.
    pub damage: Option<(usize, DamageModel)>,
    pub aura: Option<usize>,
    pub gain: f64,
    pub reset: Option<usize>,
    pub summon: Option<usize>,
    pub reductions: Vec<(usize, i64)>,
    /// The triggered spell it casts.
    pub cast: Option<usize>,
    /// Stacks of `aura` it gives.
    pub stacks: u32,
    /// How many of `summon` it calls.
    pub summon_count: u32,
    /// Cycles whose running period it shortens, by µs.
    pub cycle_reductions: Vec<(usize, i64)>,
    /// The cycle whose next step it gives.
    pub advance_cycle: Option<usize>,
}

/// The compiled simulation.
#[derive(Debug, Clone)]
pub struct Model {
    /// The rotation's spells, then the triggered ones.
    pub spells: Vec<SpellModel>,
    /// How many of `spells` the rotation sees and casts.
    pub rotation_spells: usize,
    pub auras: Vec<AuraModel>,
    pub procs: Vec<ProcModel>,
    pub autos: Vec<AutoModel>,
    pub summons: Vec<SummonModel>,
    /// The pack's pets (not counting summons that join them).
    pub pets: u32,
    /// Names of result sources: spells, auto-attacks, damaging procs.
    pub source_names: Vec<String>,
    pub crit_chance: f64,
    pub haste: f64,
    pub mastery_bonus: f64,
    pub mastery_sources: Vec<Source>,
    /// Per result source, the damage bonus of the mastery's own bonuses
    /// for it (`spec.combat.mastery.spells`), 0 for most.
    pub mastery_spell_bonus: Vec<f64>,
    pub gcd_base_us: i64,
    pub gcd_min_us: i64,
    pub resource_max: f64,
    pub resource_start: f64,
    pub regen_per_s: f64,
    pub hasted_regen: bool,
    pub duration_us: i64,
    pub vary_length: f64,
    pub targets: usize,
    /// Auras applied at set times, in config order.
    pub external_auras: Vec<ExternalModel>,
    /// How many auras the rotation sees: the pack's, not the external ones
    /// after them.
    pub visible_auras: usize,
    /// The auras that change tick times.
    pub tick_time_auras: Vec<usize>,
    /// The auras that change haste or attack speed, in order.
    pub speed_auras: Vec<usize>,
    /// Per result source, the auras whose damage or crit bonus may apply
    /// to it, in order (the others would multiply by exactly 1).
    pub hit_auras: Vec<Vec<usize>>,
    pub cycles: Vec<CycleModel>,
    /// Per aura, the cycle it is a step of.
    pub aura_cycle: Vec<Option<usize>>,
    /// Per aura, whether anything in this fight can bring it (a spell, a
    /// proc, a cycle or the raid); an unchosen talent's aura cannot.
    pub aura_reachable: Vec<bool>,
}

fn ms(v: u32) -> i64 {
    v as i64 * US_PER_MS
}

fn finite(field: &str, v: f64) -> Result<f64, ConfigError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(ConfigError::new(field, "must be a finite number"))
    }
}

fn non_negative(field: &str, v: f64) -> Result<f64, ConfigError> {
    if finite(field, v)? < 0.0 {
        Err(ConfigError::new(
            field,
            format!("must not be negative (got {v})"),
        ))
    } else {
        Ok(v)
    }
}

fn find(names: &[&str], name: &str, field: &str, kind: &str) -> Result<usize, ConfigError> {
    names
        .iter()
        .position(|n| *n == name)
        .ok_or_else(|| ConfigError::new(field, format!("unknown {kind} `{name}`")))
}

fn unique(names: &[&str], field: &str) -> Result<(), ConfigError> {
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(ConfigError::new(
                format!("{field}[{i}].name"),
                "must not be empty",
            ));
        }
        if names[..i].contains(n) {
            return Err(ConfigError::new(
                format!("{field}[{i}].name"),
                format!("`{n}` is defined twice"),
            ));
        }
    }
    Ok(())
}

/// The player's stats against the target, as multipliers: what turns a
/// spell's damage formula into the damage of one hit.
struct Stats {
    /// Attack power of everything but the weapon's swings (the weapon's
    /// share included).
    attack_power: f64,
    /// Attack power of the weapon's swings.
    swing_attack_power: f64,
    /// What a point of attack power from the primary stat is worth after
    /// the primary stat and attack power percents.
    primary_attack_power_scale: f64,
    spell_power: f64,
    crit_chance: f64,
    haste: f64,
    mastery_points: f64,
    mastery_bonus: f64,
    versatility: f64,
    armor_multiplier: f64,
    crit_multiplier: f64,
    /// The targets' damage taken: the schools (empty: all) and multiplier.
    damage_taken: Vec<(Vec<spec::School>, f64)>,
}

impl Stats {
    /// The config's player with the (resolved) spec's stat bonus, against
    /// the config's target, validated.
    fn of(config: &SimConfig, spec: &spec::SpecPack) -> Result<Self, ConfigError> {
        let p = &config.player;
        let b = &spec.stat_bonus;
        let c = &spec.combat;
        let r = &c.rating_per_percent;
        for (field, v) in [
            ("spec.combat.rating_per_percent.crit", r.crit),
            ("spec.combat.rating_per_percent.haste", r.haste),
            ("spec.combat.rating_per_percent.mastery", r.mastery),
            ("spec.combat.rating_per_percent.versatility", r.versatility),
        ] {
            if finite(field, v)? <= 0.0 {
                return Err(ConfigError::new(field, "must be positive"));
            }
        }
        let mut multipliers = [1.0; 3];
        for (m, (field, percent)) in multipliers.iter_mut().zip([
            ("player.attack_power_percent", p.attack_power_percent),
            (
                "spec.stat_bonus.attack_power_percent",
                b.attack_power_percent,
            ),
            (
                "spec.stat_bonus.primary_stat_percent",
                b.primary_stat_percent,
            ),
        ]) {
            *m = 1.0 + finite(field, percent)? / 100.0;
            if *m < 0.0 {
                return Err(ConfigError::new(field, "must stay above -100 %"));
            }
        }
        let [player_ap, spec_ap, primary] = multipliers;
        let ap_multiplier = player_ap * spec_ap;
        let from_primary = non_negative("player.attack_power", p.attack_power)? * primary;
        let swing_attack_power = from_primary * ap_multiplier;
        let attack_power = (from_primary
            + non_negative("player.weapon_attack_power", p.weapon_attack_power)?)
            * ap_multiplier;
        let spell_power = non_negative("player.spell_power", p.spell_power)? * primary;
        let crit_chance = finite("spec.combat.base_crit", c.base_crit)?
            + (finite("player.crit_rating", p.crit_rating)? / r.crit
                + finite("player.crit_percent", p.crit_percent)?
                + finite("spec.stat_bonus.crit_percent", b.crit_percent)?)
                / 100.0;
        let haste = (1.0
            + (finite("player.haste_rating", p.haste_rating)? / r.haste
                + finite("player.haste_percent", p.haste_percent)?)
                / 100.0)
            * (1.0 + finite("spec.stat_bonus.haste_percent", b.haste_percent)? / 100.0);
        if haste <= 0.0 {
            return Err(ConfigError::new(
                "player.haste_percent",
                "haste must stay above -100 %",
            ));
        }
        let mastery_points = finite("spec.combat.mastery.base_points", c.mastery.base_points)?
            + finite("player.mastery_rating", p.mastery_rating)? / r.mastery
            + finite("player.mastery_points", p.mastery_points)?
            + finite("spec.stat_bonus.mastery_points", b.mastery_points)?;
        let mastery_bonus = mastery_points
            * finite(
                "spec.combat.mastery.damage_per_point",
                c.mastery.damage_per_point,
            )?;
        let versatility = 1.0
            + (finite("player.versatility_rating", p.versatility_rating)? / r.versatility
                + finite("player.versatility_percent", p.versatility_percent)?
                + finite("spec.stat_bonus.versatility_percent", b.versatility_percent)?)
                / 100.0;
        let armor = non_negative("target.armor", config.target.armor)?;
        let armor_k = non_negative("spec.combat.armor_k", c.armor_k)?;
        let armor_multiplier = if armor + armor_k > 0.0 {
            1.0 - armor / (armor + armor_k)
        } else {
            1.0
        };
        let mut damage_taken = Vec::new();
        for (i, d) in config.target.damage_taken.iter().enumerate() {
            let field = format!("target.damage_taken[{i}].percent");
            let m = 1.0 + finite(&field, d.percent)? / 100.0;
            if m < 0.0 {
                return Err(ConfigError::new(field, "must stay above -100 %"));
            }
            damage_taken.push((d.schools.clone(), m));
        }
        Ok(Self {
            damage_taken,
            attack_power,
            swing_attack_power,
            primary_attack_power_scale: primary * ap_multiplier,
            spell_power,
            crit_chance,
            haste,
            mastery_points,
            mastery_bonus,
            versatility,
            armor_multiplier,
            crit_multiplier: finite("spec.combat.crit_multiplier", c.crit_multiplier)?,
        })
    }

    /// The damage of one hit of `d` (the config field `field`); crits use
    /// `crit_multiplier` raised by the damage's own crit damage bonus.
    fn damage(&self, field: &str, d: &spec::Damage) -> Result<DamageModel, ConfigError> {
        let attack_power = if d.weapon_swing {
            self.swing_attack_power
        } else {
            self.attack_power
        };
        let raw = non_negative(&format!("{field}.base"), d.base)?
            + finite(&format!("{field}.ap_coefficient"), d.ap_coefficient)? * attack_power
            + finite(&format!("{field}.sp_coefficient"), d.sp_coefficient)? * self.spell_power;
        let armored = d.school == spec::School::Physical && !d.ignores_armor;
        let taken: f64 = self
            .damage_taken
            .iter()
            .filter(|(schools, _)| schools.is_empty() || schools.contains(&d.school))
            .map(|(_, m)| m)
            .product();
        let bonus = finite(&format!("{field}.crit_damage_bonus"), d.crit_damage_bonus)?;
        let multiplier =
            self.versatility * taken * if armored { self.armor_multiplier } else { 1.0 };
        Ok(DamageModel {
            amount: raw * multiplier,
            per_attack_power: d.ap_coefficient * multiplier,
            can_crit: d.can_crit,
            crit_chance_bonus: finite(&format!("{field}.crit_chance_bonus"), d.crit_chance_bonus)?,
            crit_multiplier: 1.0 + (self.crit_multiplier - 1.0) * (1.0 + bonus),
        })
    }
}

/// The names a spec's parts refer to each other by.
struct Names<'a> {
    /// The rotation's spells, then the triggered ones.
    spells: Vec<&'a str>,
    rotation_spells: usize,
    triggered: Vec<&'a str>,
    auras: Vec<&'a str>,
    /// Per aura, whether a target carries it.
    on_target: Vec<bool>,
    summons: Vec<&'a str>,
    cycles: Vec<&'a str>,
}

impl Names<'_> {
    /// The aura `name` (the config field `field`), which must not be a
    /// target's: spells consume, and cycles give, auras of the player
    /// and the pets.
    fn player_aura(&self, name: &str, field: &str) -> Result<usize, ConfigError> {
        let k = find(&self.auras, name, field, "aura")?;
        if self.on_target[k] {
            return Err(ConfigError::new(
                field,
                format!("`{name}` is a target's aura"),
            ));
        }
        Ok(k)
    }

    /// `list` (the field `f`.cooldown_reductions) with spells resolved.
    fn reductions(
        &self,
        list: &[spec::CooldownReduction],
        f: &str,
    ) -> Result<Vec<(usize, i64)>, ConfigError> {
        list.iter()
            .enumerate()
            .map(|(j, cr)| {
                find(
                    &self.spells,
                    &cr.spell,
                    &format!("{f}.cooldown_reductions[{j}].spell"),
                    "spell",
                )
                .map(|k| (k, ms(cr.ms)))
            })
            .collect()
    }

    fn summon(&self, name: Option<&String>, field: &str) -> Result<Option<usize>, ConfigError> {
        name.map(|s| find(&self.summons, s, field, "summon"))
            .transpose()
    }
}

/// Aura `i` of the spec, validated.
fn compile_aura(f: &str, a: &spec::Aura, stats: &Stats) -> Result<AuraModel, ConfigError> {
    if a.max_stacks == 0 {
        return Err(ConfigError::new(
            format!("{f}.max_stacks"),
            "must be at least 1",
        ));
    }
    let tick_time_bonus = finite(&format!("{f}.tick_time_bonus"), a.tick_time_bonus)?;
    if tick_time_bonus != 0.0 {
        if a.on == Carrier::Target {
            return Err(ConfigError::new(
                format!("{f}.tick_time_bonus"),
                "a target's aura cannot change tick times",
            ));
        }
        if 1.0 + tick_time_bonus * f64::from(a.max_stacks) <= 0.0 {
            return Err(ConfigError::new(
                format!("{f}.tick_time_bonus"),
                "at its most stacks it leaves no tick time",
            ));
        }
    }
    let attack_power = finite(&format!("{f}.primary_attack_power"), a.primary_attack_power)?;
    if attack_power != 0.0 && a.on != Carrier::Player {
        return Err(ConfigError::new(
            format!("{f}.primary_attack_power"),
            "only the player's aura can raise attack power",
        ));
    }
    Ok(AuraModel {
        on: a.on,
        attack_power: attack_power * stats.primary_attack_power_scale,
        tick_time_bonus,
        duration_us: if a.duration_ms == 0 {
            // Until consumed: at most the fight.
            i64::MAX
        } else {
            ms(a.duration_ms)
        },
        max_stacks: a.max_stacks,
        damage_bonus: finite(&format!("{f}.damage_bonus"), a.damage_bonus)?,
        haste_bonus: finite(&format!("{f}.haste_bonus"), a.haste_bonus)?,
        crit_bonus: finite(&format!("{f}.crit_bonus"), a.crit_bonus)?,
        attack_speed_bonus: finite(&format!("{f}.attack_speed_bonus"), a.attack_speed_bonus)?,
        affects: Vec::new(),
    })
}

/// The spell `s` (the config field `f`), validated, its auras and cooldown
/// reductions resolved by name; a pet's spell is used by `pets` pets, and
/// a triggered spell (cast by procs) needs no cooldown.
fn compile_spell(
    f: &str,
    s: &spec::Spell,
    triggered: bool,
    pets: usize,
    names: &Names<'_>,
    stats: &Stats,
) -> Result<SpellModel, ConfigError> {
    let casters = if s.source == Source::Pet {
        if pets == 0 {
            return Err(ConfigError::new(
                format!("{f}.source"),
                "a pet's spell needs a pet: the pack has none",
            ));
        }
        pets as u32
    } else {
        1
    };
    if s.charges == 0 {
        return Err(ConfigError::new(
            format!("{f}.charges"),
            "must be at least 1",
        ));
    }
    if s.max_targets == 0 {
        return Err(ConfigError::new(
            format!("{f}.max_targets"),
            "must be at least 1",
        ));
    }
    if !triggered && s.gcd == SpellGcd::None && s.cast_time_ms == 0 && s.cooldown_ms == 0 {
        return Err(ConfigError::new(
            format!("{f}.cooldown_ms"),
            "an instant spell without a GCD needs a cooldown",
        ));
    }
    let dot = match &s.dot {
        None => None,
        Some(d) => {
            if d.duration_ms == 0 || d.tick_ms == 0 {
                return Err(ConfigError::new(
                    format!("{f}.dot"),
                    "duration_ms and tick_ms must be positive",
                ));
            }
            if d.rolling && d.pandemic {
                return Err(ConfigError::new(
                    format!("{f}.dot.rolling"),
                    "a rolling DoT restarts its full duration on refresh: set `pandemic = false`",
                ));
            }
            let damage = stats
                .damage(&format!("{f}.dot.damage"), &d.damage)?
                .scaled(f64::from(casters));
            Some(DotModel {
                duration_us: ms(d.duration_ms),
                tick_us: ms(d.tick_ms),
                damage,
                hasted_ticks: d.hasted_ticks,
                pandemic: d.pandemic,
                tick_on_application: d.tick_on_application,
                rolling: d.rolling,
            })
        }
    };
    let auras = s
        .apply_auras
        .iter()
        .enumerate()
        .map(|(j, a)| find(&names.auras, a, &format!("{f}.apply_auras[{j}]"), "aura"))
        .collect::<Result<_, _>>()?;
    let reductions = names.reductions(&s.cooldown_reductions, f)?;
    let energize = match &s.energize {
        None => None,
        Some(e) => {
            if e.tick_ms == 0 || e.ticks == 0 {
                return Err(ConfigError::new(
                    format!("{f}.energize"),
                    "tick_ms and ticks must be positive",
                ));
            }
            Some((
                non_negative(&format!("{f}.energize.amount"), e.amount)?,
                ms(e.tick_ms),
                e.ticks,
            ))
        }
    };
    Ok(SpellModel {
        source: s.source,
        cast_us: ms(s.cast_time_ms),
        gcd: s.gcd.clone(),
        cooldown_us: ms(s.cooldown_ms),
        hasted_cooldown: s.hasted_cooldown,
        charges: s.charges,
        cost: non_negative(&format!("{f}.cost"), s.cost)?,
        gain: non_negative(&format!("{f}.gain"), s.gain)?,
        damage: s
            .damage
            .as_ref()
            .map(|d| stats.damage(&format!("{f}.damage"), d))
            .transpose()?,
        dot,
        max_targets: s.max_targets,
        reduced_aoe_targets: s.reduced_aoe_targets,
        exclude_primary: s.exclude_primary,
        auras,
        reductions,
        summon: names.summon(s.summon.as_ref(), &format!("{f}.summon"))?,
        energize,
        casters: if s.hits == 0 {
            return Err(ConfigError::new(format!("{f}.hits"), "must be at least 1"));
        } else {
            casters * s.hits
        },
        hits_per_pet: if s.source == Source::Pet { s.hits } else { 0 },
        consumes: s
            .consumes
            .iter()
            .enumerate()
            .map(|(j, a)| names.player_aura(a, &format!("{f}.consumes[{j}]")))
            .collect::<Result<_, _>>()?,
    })
}

/// The player's and the pets' auto-attacks, and the pets' abilities; each
/// becomes a result source named after it in `source_names`.
fn compile_autos(
    spec: &spec::SpecPack,
    source_names: &mut Vec<String>,
    stats: &Stats,
) -> Result<Vec<AutoModel>, ConfigError> {
    let mut autos = Vec::new();
    if let Some(a) = &spec.auto_attack {
        autos.push(compile_auto(
            a,
            Source::Player,
            "spec.auto_attack",
            source_names,
            stats,
        )?);
    }
    for (i, pet) in spec.pets.iter().enumerate() {
        let f = format!("spec.pets[{i}]");
        autos.push(compile_auto(
            &pet.auto_attack,
            Source::Pet,
            &format!("{f}.auto_attack"),
            source_names,
            stats,
        )?);
        for (j, a) in pet.abilities.iter().enumerate() {
            let f = format!("{f}.abilities[{j}]");
            autos.push(compile_auto(a, Source::Pet, &f, source_names, stats)?);
        }
    }
    Ok(autos)
}

/// An auto-attack of `source` (the config field `f`); it becomes a result
/// source named after it in `source_names`.
fn compile_auto(
    a: &spec::AutoAttack,
    source: Source,
    f: &str,
    source_names: &mut Vec<String>,
    stats: &Stats,
) -> Result<AutoModel, ConfigError> {
    if a.period_ms == 0 {
        return Err(ConfigError::new(
            format!("{f}.period_ms"),
            "must be positive",
        ));
    }
    if source_names.contains(&a.name) {
        return Err(ConfigError::new(
            format!("{f}.name"),
            format!("`{}` is already the name of a damage source", a.name),
        ));
    }
    let model = AutoModel {
        stat: source_names.len(),
        source,
        period_us: ms(a.period_ms),
        damage: stats.damage(&format!("{f}.damage"), &a.damage)?,
        hasted: a.hasted,
    };
    source_names.push(a.name.clone());
    Ok(model)
}

/// The spec's summons; each one's attack becomes a result source.
fn compile_summons(
    spec: &spec::SpecPack,
    source_names: &mut Vec<String>,
    stats: &Stats,
) -> Result<Vec<SummonModel>, ConfigError> {
    let mut summons = Vec::new();
    for (i, s) in spec.summons.iter().enumerate() {
        let f = format!("spec.summons[{i}]");
        if s.duration_ms == 0 {
            return Err(ConfigError::new(
                format!("{f}.duration_ms"),
                "must be positive",
            ));
        }
        if s.source == Source::Player {
            return Err(ConfigError::new(
                format!("{f}.source"),
                "a summon is a guardian or a pet",
            ));
        }
        if s.joins_pets && s.source != Source::Pet {
            return Err(ConfigError::new(
                format!("{f}.joins_pets"),
                "only a pet (`source = \"pet\"`) joins the pets",
            ));
        }
        summons.push(SummonModel {
            joins_pets: s.joins_pets,
            duration_us: ms(s.duration_ms),
            attack: compile_auto(
                &s.auto_attack,
                s.source,
                &format!("{f}.auto_attack"),
                source_names,
                stats,
            )?,
        });
    }
    Ok(summons)
}

/// Proc `i` of the spec, validated; `event_sources` are the spells and
/// auto-attacks whose events it may count. A damaging proc becomes a
/// result source named after it in `source_names`.
fn compile_proc(
    i: usize,
    pr: &spec::Proc,
    names: &Names<'_>,
    event_sources: &[&str],
    source_names: &mut Vec<String>,
    stats: &Stats,
) -> Result<ProcModel, ConfigError> {
    let f = format!("spec.procs[{i}]");
    let rate = match (pr.chance, pr.rppm) {
        (Some(c), None) => ProcRate::Chance(non_negative(&format!("{f}.chance"), c)?),
        (None, Some(r)) => ProcRate::Rppm {
            rate: non_negative(&format!("{f}.rppm"), r)?,
            hasted: pr.hasted_rppm,
        },
        _ => {
            return Err(ConfigError::new(
                f,
                "give exactly one of `chance` and `rppm`",
            ));
        }
    };
    let sources = pr
        .sources
        .iter()
        .enumerate()
        .map(|(j, s)| {
            let field = format!("{f}.sources[{j}]");
            if pr.on == Trigger::Consume {
                names.player_aura(s, &field)
            } else {
                find(event_sources, s, &field, "spell or auto-attack")
            }
        })
        .collect::<Result<_, _>>()?;
    let damage = match &pr.damage {
        None => None,
        Some(d) => {
            if source_names.contains(&pr.name) {
                return Err(ConfigError::new(
                    format!("{f}.name"),
                    format!("`{}` is already the name of a damage source", pr.name),
                ));
            }
            source_names.push(pr.name.clone());
            Some((
                source_names.len() - 1,
                stats.damage(&format!("{f}.damage"), d)?,
            ))
        }
    };
    Ok(ProcModel {
        on: pr.on,
        sources,
        rate,
        icd_us: ms(pr.icd_ms),
        damage,
        aura: pr
            .apply_aura
            .as_ref()
            .map(|a| find(&names.auras, a, &format!("{f}.apply_aura"), "aura"))
            .transpose()?,
        gain: non_negative(&format!("{f}.gain"), pr.gain)?,
        reset: pr
            .reset_cooldown
            .as_ref()
            .map(|s| find(&names.spells, s, &format!("{f}.reset_cooldown"), "spell"))
            .transpose()?,
        summon: names.summon(pr.summon.as_ref(), &format!("{f}.summon"))?,
        reductions: names.reductions(&pr.cooldown_reductions, &f)?,
        cast: pr
            .cast
            .as_ref()
            .map(|s| {
                find(&names.triggered, s, &format!("{f}.cast"), "triggered spell")
                    .map(|k| names.rotation_spells + k)
            })
            .transpose()?,
        summon_count: if pr.summon_count == 0 {
            return Err(ConfigError::new(
                format!("{f}.summon_count"),
                "must be at least 1",
            ));
        } else {
            pr.summon_count
        },
        stacks: if pr.stacks == 0 {
            return Err(ConfigError::new(
                format!("{f}.stacks"),
                "must be at least 1",
            ));
        } else {
            pr.stacks
        },
        cycle_reductions: pr
            .cycle_reductions
            .iter()
            .enumerate()
            .map(|(j, c)| {
                find(
                    &names.cycles,
                    &c.cycle,
                    &format!("{f}.cycle_reductions[{j}].cycle"),
                    "cycle",
                )
                .map(|k| (k, ms(c.ms)))
            })
            .collect::<Result<_, _>>()?,
        advance_cycle: pr
            .advance_cycle
            .as_ref()
            .map(|c| find(&names.cycles, c, &format!("{f}.advance_cycle"), "cycle"))
            .transpose()?,
    })
}

/// Refuses procs that cast triggered spells in a loop: a triggered spell
/// whose cast, hits or ticks lead, through procs, to casting it again.
fn check_cast_cycles(
    procs: &[ProcModel],
    sources: usize,
    names: &Names<'_>,
) -> Result<(), ConfigError> {
    // Edges: a source's events → the triggered spells procs cast on them.
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); sources];
    for p in procs {
        let Some(cast) = p.cast else { continue };
        if p.sources.is_empty() {
            next.iter_mut().for_each(|n| n.push(cast));
        } else {
            p.sources.iter().for_each(|&s| next[s].push(cast));
        }
    }
    // Depth-first search from each triggered spell: 1 = on the path, 2 = done.
    let mut state = vec![0u8; sources];
    fn visit(n: usize, next: &[Vec<usize>], state: &mut [u8]) -> bool {
        state[n] = 1;
        for &m in &next[n] {
            if state[m] == 1 || (state[m] == 0 && visit(m, next, state)) {
                return true;
            }
        }
        state[n] = 2;
        false
    }
    for (k, name) in names.triggered.iter().enumerate() {
        let n = names.rotation_spells + k;
        if state[n] == 0 && visit(n, &next, &mut state) {
            return Err(ConfigError::new(
                format!("spec.triggered[{k}]"),
                format!(
                    "procs cast triggered spells in a loop from `{name}`: a cast, hit or tick leads back to itself"
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses a fight of no length, a variation above half, or a target count
/// outside 1..=100.
fn check_fight(fight: &crate::config::Fight) -> Result<(), ConfigError> {
    if fight.duration_ms == 0 {
        return Err(ConfigError::new("fight.duration_ms", "must be positive"));
    }
    if !(0.0..=0.5).contains(&fight.vary_length) {
        return Err(ConfigError::new(
            "fight.vary_length",
            "must be between 0 and 0.5",
        ));
    }
    if !(1..=100).contains(&fight.targets) {
        return Err(ConfigError::new(
            "fight.targets",
            "must be between 1 and 100",
        ));
    }
    Ok(())
}

impl Model {
    /// Compiles and validates a config; the first error found, in the order
    /// stats, names, auras, spells, auto-attacks, procs, fight, resource, GCD.
    pub fn compile(config: &SimConfig) -> Result<Self, ConfigError> {
        let resolved;
        let spec = if config.options.is_empty()
            && config.spec.modifiers.is_empty()
            && config.spec.options.is_empty()
        {
            &config.spec
        } else {
            resolved = crate::options::resolve(&config.spec, &config.options)?;
            &resolved
        };
        let stats = Stats::of(config, spec)?;
        // The pack's auras, then the fight's external ones, with their fields.
        let all_auras: Vec<(String, &spec::Aura)> = spec
            .auras
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("spec.auras[{i}]"), a))
            .chain(
                config
                    .fight
                    .external_auras
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (format!("fight.external_auras[{i}].aura"), &e.aura)),
            )
            .collect();
        let all_spells: Vec<(String, &spec::Spell, bool)> = spec
            .spells
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("spec.spells[{i}]"), s, false))
            .chain(
                spec.triggered
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("spec.triggered[{i}]"), s, true)),
            )
            .collect();
        let names = Names {
            spells: all_spells.iter().map(|(_, s, _)| s.name.as_str()).collect(),
            rotation_spells: spec.spells.len(),
            triggered: spec.triggered.iter().map(|s| s.name.as_str()).collect(),
            auras: all_auras.iter().map(|(_, a)| a.name.as_str()).collect(),
            on_target: all_auras
                .iter()
                .map(|(_, a)| a.on == Carrier::Target)
                .collect(),
            summons: spec.summons.iter().map(|s| s.name.as_str()).collect(),
            cycles: spec.cycles.iter().map(|c| c.name.as_str()).collect(),
        };
        unique(&names.spells, "spec.spells (with spec.triggered)")?;
        unique(&names.auras, "spec.auras")?;
        unique(&names.summons, "spec.summons")?;
        unique(&names.cycles, "spec.cycles")?;
        let mut aura_cycle = vec![None; all_auras.len()];
        let mut cycles = Vec::new();
        for (i, c) in spec.cycles.iter().enumerate() {
            let f = format!("spec.cycles[{i}]");
            if c.period_ms == 0 {
                return Err(ConfigError::new(
                    format!("{f}.period_ms"),
                    "must be positive",
                ));
            }
            if c.steps.is_empty() {
                return Err(ConfigError::new(
                    format!("{f}.steps"),
                    "needs at least one aura",
                ));
            }
            let mut steps = Vec::new();
            for (j, a) in c.steps.iter().enumerate() {
                let field = format!("{f}.steps[{j}]");
                let k = names.player_aura(a, &field)?;
                if aura_cycle[k].is_some() {
                    return Err(ConfigError::new(
                        field,
                        format!("`{a}` is already a step of a cycle"),
                    ));
                }
                aura_cycle[k] = Some(i);
                steps.push(k);
            }
            cycles.push(CycleModel {
                period_us: ms(c.period_ms),
                steps,
            });
        }
        let mut auras: Vec<AuraModel> = all_auras
            .iter()
            .map(|(f, a)| compile_aura(f, a, &stats))
            .collect::<Result<_, _>>()?;
        let spells: Vec<SpellModel> = all_spells
            .iter()
            .map(|(f, s, triggered)| {
                compile_spell(f, s, *triggered, spec.pets.len(), &names, &stats)
            })
            .collect::<Result<_, _>>()?;
        let mut source_names: Vec<String> = names.spells.iter().map(|s| s.to_string()).collect();
        let autos = compile_autos(spec, &mut source_names, &stats)?;
        let summons = compile_summons(spec, &mut source_names, &stats)?;
        let event_sources: Vec<String> = source_names.clone();
        let event_sources: Vec<&str> = event_sources.iter().map(String::as_str).collect();
        let mut procs = Vec::new();
        for (i, pr) in spec.procs.iter().enumerate() {
            procs.push(compile_proc(
                i,
                pr,
                &names,
                &event_sources,
                &mut source_names,
                &stats,
            )?);
        }
        check_cast_cycles(&procs, source_names.len(), &names)?;
        let known: Vec<&str> = source_names.iter().map(String::as_str).collect();
        for (aura, (f, a)) in auras.iter_mut().zip(&all_auras) {
            aura.affects = a
                .affects
                .iter()
                .enumerate()
                .map(|(j, s)| find(&known, s, &format!("{f}.affects[{j}]"), "damage source"))
                .collect::<Result<_, _>>()?;
        }
        let external_auras: Vec<ExternalModel> = config
            .fight
            .external_auras
            .iter()
            .enumerate()
            .map(|(i, e)| {
                if e.every_ms != 0 && e.every_ms < MIN_EXTERNAL_PERIOD_MS {
                    return Err(ConfigError::new(
                        format!("fight.external_auras[{i}].every_ms"),
                        format!("must be 0 (once) or at least {MIN_EXTERNAL_PERIOD_MS}"),
                    ));
                }
                Ok(ExternalModel {
                    at_us: ms(e.at_ms),
                    every_us: ms(e.every_ms),
                    aura: spec.auras.len() + i,
                })
            })
            .collect::<Result<_, _>>()?;
        let mut mastery_spell_bonus = vec![0.0; source_names.len()];
        for (i, bonus) in spec.combat.mastery.spells.iter().enumerate() {
            let f = format!("spec.combat.mastery.spells[{i}]");
            let per_point = finite(&format!("{f}.damage_per_point"), bonus.damage_per_point)?;
            for (j, s) in bonus.affects.iter().enumerate() {
                let k = find(&known, s, &format!("{f}.affects[{j}]"), "damage source")?;
                mastery_spell_bonus[k] += stats.mastery_points * per_point;
            }
        }
        let fight = &config.fight;
        check_fight(fight)?;
        let res = &spec.resource;
        let resource_max = non_negative("spec.resource.max", res.max)?;
        let resource_start =
            non_negative("spec.resource.start", res.start.unwrap_or(resource_max))?;
        if spec.gcd.min_ms > spec.gcd.base_ms {
            return Err(ConfigError::new(
                "spec.gcd.min_ms",
                "must not exceed base_ms",
            ));
        }
        let c = &spec.combat;
        let n_sources = source_names.len();
        let mut aura_reachable = vec![false; auras.len()];
        let brought = (spells.iter())
            .flat_map(|s| s.auras.iter().copied())
            .chain(procs.iter().filter_map(|p| p.aura))
            .chain(cycles.iter().flat_map(|c| c.steps.iter().copied()))
            .chain(external_auras.iter().map(|e| e.aura));
        for a in brought {
            aura_reachable[a] = true;
        }
        Ok(Self {
            spells,
            rotation_spells: spec.spells.len(),
            procs,
            autos,
            summons,
            pets: spec.pets.len() as u32,
            source_names,
            crit_chance: stats.crit_chance,
            haste: stats.haste,
            mastery_bonus: stats.mastery_bonus,
            mastery_sources: c.mastery.applies_to.clone(),
            mastery_spell_bonus,
            gcd_base_us: ms(spec.gcd.base_ms),
            gcd_min_us: ms(spec.gcd.min_ms),
            resource_max,
            resource_start: resource_start.min(resource_max),
            regen_per_s: non_negative("spec.resource.regen_per_second", res.regen_per_second)?,
            hasted_regen: res.hasted_regen,
            duration_us: ms(fight.duration_ms),
            vary_length: fight.vary_length,
            targets: fight.targets as usize,
            external_auras,
            visible_auras: spec.auras.len(),
            tick_time_auras: (0..auras.len())
                .filter(|&i| auras[i].tick_time_bonus != 0.0)
                .collect(),
            speed_auras: (0..auras.len())
                .filter(|&i| auras[i].haste_bonus != 0.0 || auras[i].attack_speed_bonus != 0.0)
                .collect(),
            hit_auras: (0..n_sources)
                .map(|stat| {
                    (0..auras.len())
                        .filter(|&i| {
                            let a = &auras[i];
                            a.affects(stat) && (a.damage_bonus != 0.0 || a.crit_bonus != 0.0)
                        })
                        .collect()
                })
                .collect(),
            auras,
            cycles,
            aura_cycle,
            aura_reachable,
        })
    }
}
