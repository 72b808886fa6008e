//! What always applies and what a config may switch on: the passives'
//! modifiers, the mastery, and the talents that become pack options.

use std::collections::{BTreeMap, BTreeSet};

use wowlab_engine::options::{Modifier, PackOption};
use wowlab_engine::spec::{Cycle, Mastery, MasteryBonus, Source};
use wowlab_gamedata::builds;
use wowlab_gamedata::spelldump::{DumpEffect, DumpSpell, RankRule};

use crate::PackgenError;
use crate::build::{Lookup, Report};
use crate::effects::{Translation, affected, aura_kind, rules_for, translate, translate_rule};
use crate::parts::Parts;
use crate::rules::EffectRule;
use crate::rules::Rules;
use crate::spells::{HASTED_COOLDOWN, HASTED_GCD};

/// The passives' effects that are modifiers of the pack's parts.
pub(crate) fn passive_modifiers(
    look: &Lookup<'_>,
    rules: &Rules,
    parts: &Parts,
    report: &mut Report,
) -> Result<Vec<Modifier>, PackgenError> {
    let mut out = Vec::new();
    for (i, &id) in rules.passives.iter().enumerate() {
        let spell = look.spell(&format!("passives[{i}]"), id)?;
        for (e, translation, _) in translations(look, rules, spell, parts, report)? {
            let kind = e.and_then(aura_kind);
            if kind == Some(HASTED_GCD) || kind.is_some_and(|k| HASTED_COOLDOWN.contains(&k)) {
                continue;
            }
            match translation {
                Translation::Modifiers(m) => out.extend(m),
                Translation::Proc(_) | Translation::Pet | Translation::Cycle => {
                    report.unmodelled.push(format!(
                        "passive {} ({id}): #{}: a proc, pet or cycle rule is for talents",
                        spell.name,
                        e.map_or(0, |e| e.index)
                    ))
                }
                Translation::Elsewhere(_) => {}
                Translation::Unmodelled(what) => report
                    .unmodelled
                    .push(format!("passive {} ({id}): {what}", spell.name)),
            }
        }
    }
    Ok(out)
}

/// What an effect of a spell comes to (none: the spell itself), with its
/// rule if a rule gave it.
type Translated<'a> = (
    Option<&'a DumpEffect>,
    Translation,
    Option<(usize, &'a EffectRule)>,
);

/// What each effect of `spell` comes to (by its rules, or by the data where
/// it has none), then what the rules for the spell itself (effect 0) make
/// of it.
fn translations<'a>(
    look: &Lookup<'_>,
    rules: &'a Rules,
    spell: &'a DumpSpell,
    parts: &Parts,
    report: &mut Report,
) -> Result<Vec<Translated<'a>>, PackgenError> {
    let mut out = Vec::new();
    let by_rule = |e: Option<&'a DumpEffect>,
                   (i, r): (usize, &'a EffectRule),
                   report: &mut Report|
     -> Result<Translated<'a>, PackgenError> {
        let gain = match r.proc.as_ref().and_then(|p| p.gains) {
            Some(g) => Some(energize_amount(look, rules, i, g, report)?),
            None => None,
        };
        Ok((
            e,
            translate_rule(&look.build, spell, e, r, gain),
            Some((i, r)),
        ))
    };
    for e in &spell.effects {
        let own = rules_for(rules, spell.id, e.index);
        if own.is_empty() {
            out.push((
                Some(e),
                translate(&look.build, &look.dump, spell, e, parts, rules),
                None,
            ));
        }
        for rule in own {
            out.push(by_rule(Some(e), rule, report)?);
        }
    }
    for rule in rules_for(rules, spell.id, 0) {
        out.push(by_rule(None, rule, report)?);
    }
    Ok(out)
}

/// The spec's mastery: pet and guardian damage per point, and bonuses of
/// its own for the pack's spells it names.
pub(crate) fn mastery(
    look: &Lookup<'_>,
    id: u32,
    parts: &Parts,
    report: &mut Report,
) -> Result<Mastery, PackgenError> {
    let f = "spec (its mastery spell)";
    let spell = look.spell(f, id)?;
    let mut out = Mastery::default();
    let mut per_source: Option<f64> = None;
    let mut spells: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    for e in &spell.effects {
        let source = look.source(spell, e);
        let Some(c) = e.number("SP Coefficient") else {
            report
                .unmodelled
                .push(format!("mastery {}: #{} {}", spell.name, e.index, e.kind));
            continue;
        };
        let per_point = c / 100.0;
        let kind = aura_kind(e).unwrap_or("");
        let carrier = match kind {
            "Modify Pet Damage Done% (429)" => Some(Source::Pet),
            "Modify Guardian Damage Done% (531)" => Some(Source::Guardian),
            _ => None,
        };
        if let Some(carrier) = carrier {
            if per_source.is_some_and(|p| p != per_point) {
                return Err(look.error(
                    f,
                    format!("{source}: pets and guardians gain different amounts per point; the engine has one"),
                ));
            }
            per_source = Some(per_point);
            out.applies_to.push(carrier);
            report.trace(
                &format!("combat.mastery ({carrier:?})"),
                format!("{per_point} per point"),
                &source,
            );
            continue;
        }
        let names = match e.spell_modifier() {
            Some(m) if m.percent && m.property_id == 0 => parts.direct(&affected(e)),
            Some(m) if m.percent && m.property_id == 22 => parts.periodic(&affected(e)),
            _ => {
                report
                    .unmodelled
                    .push(format!("mastery {}: #{} {}", spell.name, e.index, e.kind));
                continue;
            }
        };
        if !names.is_empty() {
            report.trace(
                &format!("combat.mastery.spells ({})", names.join(", ")),
                format!("{per_point} per point"),
                &source,
            );
            spells.entry(per_point.to_bits()).or_default().extend(names);
        }
    }
    out.damage_per_point = per_source.unwrap_or(0.0);
    out.spells = spells
        .into_iter()
        .map(|(bits, names)| MasteryBonus {
            damage_per_point: f64::from_bits(bits),
            affects: names.into_iter().collect(),
        })
        .collect();
    Ok(out)
}

/// The option name of a talent: its name in lower case, words joined by
/// `_`, without punctuation ("Nature's Ally" → `natures_ally`).
pub(crate) fn option_name(name: &str) -> String {
    let base = name.split(" (desc=").next().unwrap_or(name);
    base.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(|w| w.replace('\'', ""))
        .collect::<Vec<_>>()
        .join("_")
}

/// Every passive talent of the class's tree whose spell is in the dump and
/// changes something the pack simulates becomes an option, by its
/// modifiers.
pub(crate) fn talent_options(
    look: &Lookup<'_>,
    rules: &Rules,
    parts: &Parts,
    report: &mut Report,
) -> Result<Vec<PackOption>, PackgenError> {
    let tree = builds::talent_tree(&rules.class)
        .ok_or_else(|| {
            look.error(
                "class",
                format!("no talent tree is committed for `{}`", rules.class),
            )
        })?
        .map_err(|e| look.error("class", e.to_string()))?;
    let mut seen = BTreeSet::new();
    let mut options: Vec<PackOption> = Vec::new();
    for node in &tree.nodes {
        for entry in &node.entries {
            if entry.spell == 0 || !seen.insert(entry.spell) {
                continue;
            }
            // Active talents are spells of their own (the pack's parts, or
            // not simulated); only passives change other spells.
            let Some(spell) = look.dump.spell(entry.spell) else {
                continue;
            };
            if let Some(part) = parts.cast_by(spell.id) {
                // The talent teaches one of the pack's spells: an option
                // that changes nothing, so a profile with it lists nothing.
                options.push(PackOption {
                    name: option_name(&spell.name),
                    talent: spell.id,
                    max_rank: u32::from(entry.max_ranks.max(1)),
                    origin: format!(
                        "talents/{}.csv {} node {} entry {}: teaches the pack's `{part}`",
                        rules.class,
                        builds::TABLES_BUILD,
                        node.id,
                        entry.id
                    ),
                    modifiers: Vec::new(),
                    procs: Vec::new(),
                    summons: Vec::new(),
                    pets: Vec::new(),
                    cycles: Vec::new(),
                    unmodelled: Vec::new(),
                });
                continue;
            }
            if parts.uses(spell.id) {
                continue;
            }
            if !spell.has_attribute("Passive") {
                report.talents_without_option.push(format!(
                    "{} ({}): an active spell the pack does not simulate",
                    spell.name, spell.id
                ));
                continue;
            }
            let max_rank = u32::from(entry.max_ranks.max(1));
            let Some(effects) = option_effects(look, rules, spell, max_rank, parts, report)? else {
                continue;
            };
            let mut name = option_name(&spell.name);
            if options.iter().any(|o| o.name == name) {
                name = format!("{name}_{}", spell.id);
            }
            options.push(PackOption {
                name,
                origin: format!(
                    "talents/{}.csv {} node {} entry {}; spelldump {} {}",
                    rules.class,
                    builds::TABLES_BUILD,
                    node.id,
                    entry.id,
                    look.build,
                    spell.id
                ),
                ..effects
            });
        }
    }
    Ok(options)
}

/// The set bonuses of the rules as options named as profiles name them
/// (`set_bonus=midnight_season_1_2pc=1`), by their spells' effects.
pub(crate) fn set_bonus_options(
    look: &Lookup<'_>,
    rules: &Rules,
    parts: &Parts,
    report: &mut Report,
) -> Result<Vec<PackOption>, PackgenError> {
    let mut options = Vec::new();
    for (i, bonus) in rules.set_bonuses.iter().enumerate() {
        let spell = look.spell(&format!("set_bonuses[{i}].spell"), bonus.spell)?;
        let Some(effects) = option_effects(look, rules, spell, 1, parts, report)? else {
            continue;
        };
        options.push(PackOption {
            name: bonus.name.clone(),
            talent: spell.id,
            origin: format!(
                "rules set_bonuses[{i}]; spelldump {} {}",
                look.build, spell.id
            ),
            ..effects
        });
    }
    Ok(options)
}

/// What the passive `spell` (of `max_rank` ranks) does as an option: its
/// effects' modifiers and the rules' procs, pets and cycles, without a
/// name or origin yet; `None` (and a line of the report) when it changes
/// nothing the pack simulates.
fn option_effects(
    look: &Lookup<'_>,
    rules: &Rules,
    spell: &DumpSpell,
    max_rank: u32,
    parts: &Parts,
    report: &mut Report,
) -> Result<Option<PackOption>, PackgenError> {
    let rank_rules = spell
        .rank_rules()
        .map_err(|e| look.error("class (its talent tree)", e.to_string()))?;
    let mut modifiers = Vec::new();
    let mut procs = Vec::new();
    let mut pets = Vec::new();
    let mut cycles = Vec::new();
    let mut unmodelled = Vec::new();
    for (e, translation, rule) in translations(look, rules, spell, parts, report)? {
        match translation {
            Translation::Proc(p) => procs.push(*p),
            Translation::Pet => {
                if let Some((i, r)) = rule
                    && let Some(p) = &r.adds_pet
                {
                    let field = format!("effects[{i}].adds_pet");
                    pets.push(crate::spells::pet(look, rules, &field, p, report)?);
                }
            }
            Translation::Cycle => {
                if let Some((i, r)) = rule
                    && let Some(c) = &r.cycle
                {
                    cycles.push(cycle(look, i, c, report)?);
                }
            }
            Translation::Modifiers(m) => {
                let index = e.map_or(0, |e| e.index);
                let rule = rank_rules.iter().find(|r| r.effect == index);
                match per_rank(m, rule, max_rank) {
                    Ok(m) => modifiers.extend(m),
                    Err(why) => unmodelled.push(format!("#{index} {why}")),
                }
            }
            Translation::Elsewhere(_) => {}
            Translation::Unmodelled(what) => unmodelled.push(what),
        }
    }
    let label = format!("{} ({})", spell.name, spell.id);
    if modifiers.is_empty() && procs.is_empty() && pets.is_empty() && cycles.is_empty() {
        report
            .talents_without_option
            .push(if unmodelled.is_empty() {
                format!("{label}: changes no spell the pack simulates")
            } else {
                format!("{label}: not modelled: {}", unmodelled.join("; "))
            });
        return Ok(None);
    }
    Ok(Some(PackOption {
        name: String::new(),
        talent: spell.id,
        max_rank,
        origin: String::new(),
        modifiers,
        procs,
        summons: Vec::new(),
        pets,
        cycles,
        unmodelled,
    }))
}

/// The cycle rule `c` (the rules' `effects[i].cycle`): its period is its
/// spell's duration.
fn cycle(
    look: &Lookup<'_>,
    i: usize,
    c: &crate::rules::CycleRule,
    report: &mut Report,
) -> Result<Cycle, PackgenError> {
    let field = format!("effects[{i}].cycle.period");
    let spell = look.spell(&field, c.period)?;
    let period_ms = look.duration_ms(&field, spell)?;
    report.trace(
        &format!("options (effects[{i}]).cycles.{}.period_ms", c.name),
        period_ms,
        &look.field_source(spell, "Duration"),
    );
    Ok(Cycle {
        name: c.name.clone(),
        period_ms,
        steps: c.steps.clone(),
    })
}

/// The resource an "Energize Power" effect gives (the rules' `effects[i]`
/// proc's `gains`); it must be the pack's resource.
fn energize_amount(
    look: &Lookup<'_>,
    rules: &Rules,
    i: usize,
    r: crate::rules::EffectRef,
    report: &mut Report,
) -> Result<f64, PackgenError> {
    let field = format!("effects[{i}].proc.gains");
    let (spell, effect) = look.effect(&field, r)?;
    let resource = effect.value("Resource").unwrap_or("");
    if !effect.kind.starts_with("Energize Power (30)")
        || !resource.eq_ignore_ascii_case(&rules.resource.power)
    {
        return Err(look.error(
            field,
            format!(
                "spell {} #{} is `{}` of `{resource}`, not an energize of the pack's {}",
                r.spell, r.effect, effect.kind, rules.resource.power
            ),
        ));
    }
    let amount = effect
        .number("Base Value")
        .ok_or_else(|| look.error(&field, "the effect has no base value"))?;
    report.trace(
        &format!("options (effects[{i}]).procs.gain"),
        amount,
        &look.source(spell, effect),
    );
    Ok(amount)
}

/// `modifiers` (of one effect, valued at its base value) with their value
/// for one rank, as the effect's rank rule gives it: an option's
/// modifiers apply once per rank, so every rank's value must be the rank
/// times the first's.
fn per_rank(
    modifiers: Vec<Modifier>,
    rule: Option<&RankRule>,
    max_rank: u32,
) -> Result<Vec<Modifier>, String> {
    let Some(rule) = rule else {
        return Ok(modifiers);
    };
    let described = format!(
        "{} ({})",
        if rule.replaces {
            "set"
        } else {
            "base value ×"
        },
        rule.values
            .iter()
            .map(f64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    modifiers
        .into_iter()
        .map(|mut m| {
            let first = rule
                .value(m.value, 1)
                .ok_or_else(|| format!("has no value for rank 1 ({described})"))?;
            for rank in 2..=max_rank {
                let v = rule
                    .value(m.value, rank)
                    .ok_or_else(|| format!("has no value for rank {rank} ({described})"))?;
                if (v - first * f64::from(rank)).abs() > 1e-9 * v.abs().max(1.0) {
                    return Err(format!(
                        "changes unevenly with its rank ({described}): an option's ranks add equal steps"
                    ));
                }
            }
            m.value = first;
            m.origin = format!("{}, per rank {described}", m.origin);
            Ok(m)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{option_name, per_rank};
    use wowlab_engine::options::{Modifier, Property};
    use wowlab_gamedata::spelldump::RankRule;

    fn crit(value: f64) -> Modifier {
        Modifier {
            property: Property::CritPercent,
            affects: Vec::new(),
            value,
            origin: "o".into(),
        }
    }

    #[test]
    fn a_rank_rule_gives_the_value_of_one_rank() {
        let scaled = RankRule {
            effect: 1,
            replaces: false,
            values: vec![0.5, 1.0],
        };
        let m = per_rank(vec![crit(10.0)], Some(&scaled), 2).unwrap();
        assert_eq!(m[0].value, 5.0);
        assert_eq!(m[0].origin, "o, per rank base value × (0.5, 1)");
        let set = RankRule {
            effect: 1,
            replaces: true,
            values: vec![2.0, 4.0],
        };
        assert_eq!(
            per_rank(vec![crit(9.0)], Some(&set), 2).unwrap()[0].value,
            2.0
        );
        assert_eq!(per_rank(vec![crit(9.0)], None, 2).unwrap()[0].value, 9.0);
        let uneven = RankRule {
            effect: 1,
            replaces: true,
            values: vec![2.0, 3.0],
        };
        let err = per_rank(vec![crit(9.0)], Some(&uneven), 2).unwrap_err();
        assert!(err.contains("unevenly"), "{err}");
        let short = per_rank(vec![crit(9.0)], Some(&set), 3).unwrap_err();
        assert!(short.contains("rank 3"), "{short}");
    }

    #[test]
    fn option_names_are_the_talent_names_in_snake_case() {
        assert_eq!(option_name("Nature's Ally"), "natures_ally");
        assert_eq!(option_name("Stampede!"), "stampede");
        assert_eq!(option_name("Claw (desc=Basic Attack)"), "claw");
        assert_eq!(
            option_name("Hunter- Midnight PrePatch"),
            "hunter_midnight_prepatch"
        );
    }
}
