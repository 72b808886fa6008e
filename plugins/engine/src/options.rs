//! Modifiers and pack options: what a spec passive or a talent changes, and
//! the pack a config's chosen options make.
//!
//! A [`Modifier`] is the engine's form of the game's spell modifiers ("add
//! percent modifier: spell direct amount" and friends): it changes one
//! property of named spells, auto-attacks, summons, procs or auras. A pack's
//! own modifiers always apply; a [`PackOption`] (a talent, a hero talent,
//! a set bonus) brings modifiers, procs, summons and pets of its own when a
//! config chooses it, with a rank. Options add no spells or auras: those
//! stay in the pack's lists, so a rotation sees the same spells and auras
//! whatever the options (an aura only a talent applies is simply never up
//! without it).
//! Resolving happens once, before a config is compiled, and gives a plain
//! pack.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::spec::{AutoAttack, Cycle, Damage, Pet, Proc, SpecPack, Spell, Summon};

/// The property a modifier changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Property {
    /// Direct damage (of a spell, an auto-attack, a summon's attack or a
    /// proc), in percent: ×(1 + value / 100). Several multiply.
    DirectDamagePercent,
    /// A spell's periodic damage, in percent, as above.
    PeriodicDamagePercent,
    /// Crit chance of the damage (direct and periodic), in percentage points.
    CritChance,
    /// What a crit adds, in percent (50: crits add 50 % more).
    CritDamagePercent,
    /// A spell's cooldown, in ms (negative: shorter).
    CooldownMs,
    /// A spell's cooldown, in percent.
    CooldownPercent,
    /// A spell's DoT duration or an aura's duration, in ms.
    DurationMs,
    /// A spell's maximum charges.
    Charges,
    /// A spell's resource cost.
    Cost,
    /// An auto-attack's speed, in percent: its period is divided by
    /// 1 + value / 100.
    AttackSpeedPercent,
    /// The resource's regeneration, in percent.
    ResourceRegenPercent,
    /// The character's crit chance, in percentage points.
    CritPercent,
    /// The character's haste, in percent; several multiply.
    HastePercent,
    /// The character's mastery, in points.
    MasteryPoints,
    /// The character's versatility, in percentage points.
    VersatilityPercent,
    /// The character's primary stat, in percent; several multiply.
    PrimaryStatPercent,
    /// The character's attack power, in percent; several multiply.
    AttackPowerPercent,
}

impl Property {
    /// Whether it changes the character or the resource, not named parts:
    /// its modifiers name nothing in `affects`.
    pub fn is_global(self) -> bool {
        matches!(
            self,
            Self::ResourceRegenPercent
                | Self::CritPercent
                | Self::HastePercent
                | Self::MasteryPoints
                | Self::VersatilityPercent
                | Self::PrimaryStatPercent
                | Self::AttackPowerPercent
        )
    }
}

/// One change to named parts of a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Modifier {
    /// What it changes.
    pub property: Property,
    /// The spells, auto-attacks, summons, procs or auras it changes (none
    /// for a property of the character or the resource).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affects: Vec<String>,
    /// The amount for one rank (a percent, ms, or count, by property).
    pub value: f64,
    /// Where the number comes from, e.g. "spelldump 12.0.5.67823 137015 #1".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
}

/// Something a config may switch on: a talent, a hero talent, a set bonus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackOption {
    /// Name a config chooses it by, e.g. "kill_cleave".
    pub name: String,
    /// The game's spell id of the talent it stands for (0: none), which
    /// links it to a talent loadout.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub talent: u32,
    /// Highest rank; modifier values are per rank.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub max_rank: u32,
    /// Where its numbers come from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
    /// Its modifiers, applied `rank` times.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<Modifier>,
    /// Procs it adds to the pack.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub procs: Vec<Proc>,
    /// Summons it adds to the pack.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summons: Vec<Summon>,
    /// Pets it adds to the pack (a second pet that fights beside the first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pets: Vec<Pet>,
    /// Cycles it adds to the pack (a hero talent's cycle of summons).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cycles: Vec<Cycle>,
    /// What the option does in the game that the pack does not model
    /// (for reports; the engine ignores it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmodelled: Vec<String>,
}

/// The options a config chooses, by name, with their ranks.
pub type Chosen = BTreeMap<String, u32>;

/// `pack` with `chosen` options switched on and every modifier applied:
/// first the options' procs, summons, pets and cycles are added, then the pack's
/// own modifiers, then each chosen option's, in the pack's option order.
/// The result has no options or modifiers left. A modifier of a part only
/// an option not chosen brings (its pet's attacks, its summons, its procs)
/// changes nothing.
pub fn resolve(pack: &SpecPack, chosen: &Chosen) -> Result<SpecPack, ConfigError> {
    for (name, &rank) in chosen {
        let Some(option) = pack.options.iter().find(|o| &o.name == name) else {
            return Err(ConfigError::new(
                format!("options.{name}"),
                format!("the pack has no option `{name}`"),
            ));
        };
        if rank == 0 || rank > option.max_rank {
            return Err(ConfigError::new(
                format!("options.{name}"),
                format!("rank must be 1 to {} (got {rank})", option.max_rank),
            ));
        }
    }
    let mut out = pack.clone();
    out.options.clear();
    out.modifiers.clear();
    let active: Vec<(usize, &PackOption, u32)> = pack
        .options
        .iter()
        .enumerate()
        .filter_map(|(i, o)| chosen.get(&o.name).map(|&r| (i, o, r)))
        .collect();
    let absent: BTreeSet<&str> = pack
        .options
        .iter()
        .filter(|o| !chosen.contains_key(&o.name))
        .flat_map(option_parts)
        .collect();
    for (_, option, _) in &active {
        out.procs.extend(option.procs.iter().cloned());
        out.summons.extend(option.summons.iter().cloned());
        out.pets.extend(option.pets.iter().cloned());
        out.cycles.extend(option.cycles.iter().cloned());
    }
    for (j, m) in pack.modifiers.iter().enumerate() {
        apply(&mut out, m, 1.0, &absent, &format!("spec.modifiers[{j}]"))?;
    }
    for (i, option, rank) in active {
        for (j, m) in option.modifiers.iter().enumerate() {
            apply(
                &mut out,
                m,
                f64::from(rank),
                &absent,
                &format!("spec.options[{i}].modifiers[{j}]"),
            )?;
        }
    }
    Ok(out)
}

/// The names of the parts `o` brings: its pets' attacks, its summons and
/// their attacks, its procs.
fn option_parts(o: &PackOption) -> impl Iterator<Item = &str> {
    let pets = o.pets.iter().flat_map(|p| {
        std::iter::once(p.auto_attack.name.as_str())
            .chain(p.abilities.iter().map(|a| a.name.as_str()))
    });
    let summons = o
        .summons
        .iter()
        .flat_map(|s| [s.name.as_str(), s.auto_attack.name.as_str()]);
    pets.chain(summons)
        .chain(o.procs.iter().map(|p| p.name.as_str()))
}

/// Applies `m` `times` over to `pack`, leaving alone the `absent` parts
/// (those of options not chosen); `field` names it in errors.
fn apply(
    pack: &mut SpecPack,
    m: &Modifier,
    times: f64,
    absent: &BTreeSet<&str>,
    field: &str,
) -> Result<(), ConfigError> {
    if !m.value.is_finite() {
        return Err(ConfigError::new(
            format!("{field}.value"),
            "must be a finite number",
        ));
    }
    let v = m.value * times;
    if m.property.is_global() {
        if !m.affects.is_empty() {
            return Err(ConfigError::new(
                format!("{field}.affects"),
                "a modifier of the character or the resource names no parts",
            ));
        }
        apply_global(pack, m.property, v);
        return Ok(());
    }
    if m.affects.is_empty() {
        return Err(ConfigError::new(
            format!("{field}.affects"),
            "names nothing to modify",
        ));
    }
    for (k, name) in m.affects.iter().enumerate() {
        let f = format!("{field}.affects[{k}]");
        let found = match m.property {
            Property::DirectDamagePercent => damages(pack, name, false)
                .map(|ds| ds.into_iter().for_each(|d| scale(d, v)))
                .is_some(),
            Property::PeriodicDamagePercent => damages(pack, name, true)
                .map(|ds| ds.into_iter().for_each(|d| scale(d, v)))
                .is_some(),
            Property::CritChance => all_damages(pack, name)
                .map(|ds| {
                    ds.into_iter()
                        .for_each(|d| d.crit_chance_bonus += v / 100.0)
                })
                .is_some(),
            Property::CritDamagePercent => all_damages(pack, name)
                .map(|ds| {
                    ds.into_iter()
                        .for_each(|d| d.crit_damage_bonus += v / 100.0)
                })
                .is_some(),
            Property::DurationMs => duration(pack, name, v, &f)?,
            Property::AttackSpeedPercent => attack_speed(pack, name, v, &f)?,
            // Cooldown, charges, cost (the global properties are applied above).
            _ => match spell(pack, name) {
                None => false,
                Some(s) => {
                    match m.property {
                        Property::CooldownMs => {
                            s.cooldown_ms = add_u32(s.cooldown_ms, v, &f)?;
                        }
                        Property::CooldownPercent => {
                            s.cooldown_ms =
                                add_u32(s.cooldown_ms, f64::from(s.cooldown_ms) * v / 100.0, &f)?;
                        }
                        Property::Charges => s.charges = add_u32(s.charges, v, &f)?,
                        _ => s.cost = (s.cost + v).max(0.0),
                    }
                    true
                }
            },
        };
        if !found && !absent.contains(name.as_str()) {
            return Err(ConfigError::new(
                f,
                format!(
                    "no {} named `{name}` to modify",
                    match m.property {
                        Property::DurationMs => "spell with a DoT, aura or summon",
                        Property::AttackSpeedPercent => "auto-attack",
                        Property::CooldownMs
                        | Property::CooldownPercent
                        | Property::Charges
                        | Property::Cost => "spell",
                        Property::PeriodicDamagePercent => "spell with a DoT",
                        _ => "damage source",
                    }
                ),
            ));
        }
    }
    Ok(())
}

/// Changes the character's stat bonus or the resource by `v` of a global
/// `property` (the others change nothing here).
fn apply_global(pack: &mut SpecPack, property: Property, v: f64) {
    let b = &mut pack.stat_bonus;
    let compound = |p: &mut f64| *p = ((1.0 + *p / 100.0) * (1.0 + v / 100.0) - 1.0) * 100.0;
    match property {
        Property::ResourceRegenPercent => {
            let r = &mut pack.resource.regen_per_second;
            *r = (*r * (1.0 + v / 100.0)).max(0.0);
        }
        Property::CritPercent => b.crit_percent += v,
        Property::HastePercent => compound(&mut b.haste_percent),
        Property::MasteryPoints => b.mastery_points += v,
        Property::VersatilityPercent => b.versatility_percent += v,
        Property::PrimaryStatPercent => compound(&mut b.primary_stat_percent),
        Property::AttackPowerPercent => compound(&mut b.attack_power_percent),
        _ => {}
    }
}

/// Multiplies a damage formula by 1 + percent / 100.
fn scale(d: &mut Damage, percent: f64) {
    let k = 1.0 + percent / 100.0;
    d.base *= k;
    d.ap_coefficient *= k;
    d.sp_coefficient *= k;
}

/// `u32` plus `delta`, rounded, refused below zero.
fn add_u32(value: u32, delta: f64, field: &str) -> Result<u32, ConfigError> {
    let sum = (f64::from(value) + delta).round();
    if (0.0..=f64::from(u32::MAX)).contains(&sum) {
        Ok(sum as u32)
    } else {
        Err(ConfigError::new(
            field,
            format!("the modified value {sum} is out of range"),
        ))
    }
}

/// Speeds up (or slows down) the auto-attack `name` by `percent`.
fn attack_speed(
    pack: &mut SpecPack,
    name: &str,
    percent: f64,
    field: &str,
) -> Result<bool, ConfigError> {
    let Some(a) = auto_attack(pack, name) else {
        return Ok(false);
    };
    let speed = 1.0 + percent / 100.0;
    let period = (f64::from(a.period_ms) / speed).round();
    if speed <= 0.0 || !(1.0..=f64::from(u32::MAX)).contains(&period) {
        return Err(ConfigError::new(
            field,
            format!("{percent} % attack speed leaves no valid swing time"),
        ));
    }
    a.period_ms = period as u32;
    Ok(true)
}

/// The spell `name`, one the rotation casts or a triggered one.
fn spell<'a>(pack: &'a mut SpecPack, name: &str) -> Option<&'a mut Spell> {
    pack.spells
        .iter_mut()
        .chain(pack.triggered.iter_mut())
        .find(|s| s.name == name)
}

/// The auto-attack `name`: the player's, a pet's (or one of its
/// abilities) or a summon's.
fn auto_attack<'a>(pack: &'a mut SpecPack, name: &str) -> Option<&'a mut AutoAttack> {
    pack.auto_attack
        .iter_mut()
        .chain(
            pack.pets
                .iter_mut()
                .flat_map(|p| std::iter::once(&mut p.auto_attack).chain(p.abilities.iter_mut())),
        )
        .chain(pack.summons.iter_mut().map(|s| &mut s.auto_attack))
        .find(|a| a.name == name)
}

/// Lengthens (or shortens) the DoT of spell `name`, the aura `name` or
/// the summon `name`'s stay.
fn duration(pack: &mut SpecPack, name: &str, ms: f64, field: &str) -> Result<bool, ConfigError> {
    if let Some(dot) = spell(pack, name).and_then(|s| s.dot.as_mut()) {
        dot.duration_ms = add_u32(dot.duration_ms, ms, field)?;
        return Ok(true);
    }
    if let Some(aura) = pack.auras.iter_mut().find(|a| a.name == name) {
        aura.duration_ms = add_u32(aura.duration_ms, ms, field)?;
        return Ok(true);
    }
    if let Some(summon) = pack.summons.iter_mut().find(|s| s.name == name) {
        summon.duration_ms = add_u32(summon.duration_ms, ms, field)?;
        return Ok(true);
    }
    Ok(false)
}

/// The direct (`periodic = false`) or periodic damage of the source `name`:
/// a spell, the player's or the pet's auto-attack, a summon or a proc.
fn damages<'a>(pack: &'a mut SpecPack, name: &str, periodic: bool) -> Option<Vec<&'a mut Damage>> {
    if periodic {
        return spell(pack, name)
            .and_then(|s| s.dot.as_mut())
            .map(|d| vec![&mut d.damage]);
    }
    // Looked up twice, as below.
    if spell(pack, name).is_some() {
        return spell(pack, name).map(|s| s.damage.as_mut().into_iter().collect());
    }
    // Looked up twice: a borrow returned from one branch would outlive it.
    if auto_attack(pack, name).is_some() {
        return auto_attack(pack, name).map(|a| vec![&mut a.damage]);
    }
    pack.procs
        .iter_mut()
        .find(|p| p.name == name)
        .map(|p| p.damage.as_mut().into_iter().collect())
}

/// Every damage (direct and periodic) of the source `name`.
fn all_damages<'a>(pack: &'a mut SpecPack, name: &str) -> Option<Vec<&'a mut Damage>> {
    if spell(pack, name).is_some() {
        return spell(pack, name).map(|s| {
            s.damage
                .as_mut()
                .into_iter()
                .chain(s.dot.as_mut().map(|d| &mut d.damage))
                .collect()
        });
    }
    damages(pack, name, false)
}

fn one() -> u32 {
    1
}
fn is_one(v: &u32) -> bool {
    *v == 1
}
fn is_zero(v: &u32) -> bool {
    *v == 0
}
