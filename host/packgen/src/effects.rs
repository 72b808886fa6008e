//! What a passive's or talent's effect does, in engine terms: the game's
//! spell modifiers ("add percent modifier: spell direct amount" and
//! friends) and pet or guardian damage auras become [`Modifier`]s on the
//! pack's parts; anything else is reported as not modelled.

use wowlab_engine::options::{Modifier, Property};
use wowlab_engine::spec::{CooldownReduction, Proc, Source, Trigger};
use wowlab_gamedata::spelldump::{DumpEffect, DumpSpell};

use crate::parts::{Parts, affected_ids};
use crate::rules::{OnCastRule, Rules};

/// What one effect comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Translation {
    /// Modifiers on the pack's parts.
    Modifiers(Vec<Modifier>),
    /// A proc on the pack's combat events (for a talent's option).
    Proc(Box<Proc>),
    /// An effect the engine can express, but on spells the pack does not
    /// simulate (their names).
    Elsewhere(String),
    /// An effect the engine does not model (what it is).
    Unmodelled(String),
}

/// The game's spell modifier properties the engine has, by number, and
/// whether they name a spell's damage, its cast or its duration.
fn property(percent: bool, id: u32) -> Option<(Property, Target)> {
    Some(match (percent, id) {
        (true, 0) => (Property::DirectDamagePercent, Target::Direct),
        (true, 22) => (Property::PeriodicDamagePercent, Target::Periodic),
        (false, 7) => (Property::CritChance, Target::Damage),
        (true, 15) => (Property::CritDamagePercent, Target::Damage),
        (false, 11) => (Property::CooldownMs, Target::Cast),
        (true, 11) => (Property::CooldownPercent, Target::Cast),
        (false, 1) => (Property::DurationMs, Target::Duration),
        (false, 14) => (Property::Cost, Target::Cast),
        _ => return None,
    })
}

/// The proc a rule's `on_cast` makes of `effect` of the talent `spell`:
/// on each cast of the named spells, a cooldown shortened by the effect's
/// base value (ms) or a charge given (a base value of 1).
fn cast_proc(spell: &DumpSpell, effect: &DumpEffect, rule: &OnCastRule, why: &str) -> Translation {
    let Some(value) = effect.number("Base Value") else {
        return Translation::Unmodelled(format!(
            "#{} has no base value for its rule",
            effect.index
        ));
    };
    let mut proc = Proc {
        name: crate::talents::option_name(&spell.name),
        on: Trigger::Cast,
        sources: rule.of.clone(),
        chance: Some(1.0),
        rppm: None,
        hasted_rppm: false,
        icd_ms: 0,
        damage: None,
        apply_aura: None,
        gain: 0.0,
        reset_cooldown: None,
        summon: None,
        cooldown_reductions: Vec::new(),
    };
    match (&rule.shortens, &rule.recharges) {
        (Some(target), None) if value > 0.0 && value.fract() == 0.0 => {
            proc.cooldown_reductions.push(CooldownReduction {
                spell: target.clone(),
                ms: value as u32,
            });
        }
        (None, Some(target)) if value == 1.0 => proc.reset_cooldown = Some(target.clone()),
        _ => {
            return Translation::Unmodelled(format!(
                "#{} (its rule needs `shortens` with a base value of whole ms, or `recharges` with a base value of 1; {why})",
                effect.index
            ));
        }
    }
    Translation::Proc(Box::new(proc))
}

/// The property of the character or the resource an aura of `kind`
/// changes: crit, haste, mastery and versatility, the spec's primary stat
/// (not the others), the regeneration of the spec's resource.
fn global_property(kind: &str, effect: &DumpEffect, rules: &Rules) -> Option<Property> {
    Some(match kind {
        "Modify Critical Strike% (290)" => Property::CritPercent,
        "Modify All Haste% (193)" => Property::HastePercent,
        "Modify Mastery% (318)" => Property::MasteryPoints,
        "Modify Versatility% (471)" => Property::VersatilityPercent,
        "Modify Total Stat% (137)"
            if effect.value("Stat") == Some(rules.primary_stat.dump_name()) =>
        {
            Property::PrimaryStatPercent
        }
        "Modify Power Regen (110)"
            if effect
                .value("Resource")
                .is_some_and(|r| r.eq_ignore_ascii_case(&rules.resource.power)) =>
        {
            Property::ResourceRegenPercent
        }
        _ => return None,
    })
}

/// Which of a part's spells a property is about.
#[derive(Debug, Clone, Copy)]
enum Target {
    Direct,
    Periodic,
    Damage,
    Cast,
    Duration,
}

/// Where an effect comes from, as a pack records it.
pub fn origin(build: &str, spell: &DumpSpell, effect: &DumpEffect) -> String {
    format!(
        "spelldump {build} {} ({}) #{}",
        spell.id, spell.name, effect.index
    )
}

/// The lists of affected spells an effect may have (by spell, by label,
/// by cooldown category).
const AFFECTED_LISTS: [&str; 3] = [
    "Affected Spells",
    "Affected Spells (Label)",
    "Affected Spells (Category)",
];

/// The spells an effect names (its "Affected Spells" lists), by id.
pub fn affected(effect: &DumpEffect) -> Vec<u32> {
    AFFECTED_LISTS
        .iter()
        .filter_map(|k| effect.list(k))
        .flat_map(affected_ids)
        .collect()
}

/// Names of `ids` as the dump's list gives them, for reports.
fn affected_names(effect: &DumpEffect) -> String {
    AFFECTED_LISTS
        .iter()
        .filter_map(|k| effect.list(k))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The aura kind of an "Apply Aura (6) | Kind (n)…" effect, e.g.
/// "Modify Pet Damage Done% (429)".
pub fn aura_kind(effect: &DumpEffect) -> Option<&str> {
    let (_, aura) = effect.kind.split_once(" | ")?;
    Some(aura.split(':').next().unwrap_or(aura).trim())
}

/// What `effect` of `spell` does to `parts`; `rules` say what scripted
/// effects mean, and the spec's primary stat and resource.
pub fn translate(
    build: &str,
    spell: &DumpSpell,
    effect: &DumpEffect,
    parts: &Parts,
    rules: &Rules,
) -> Translation {
    let origin = origin(build, spell, effect);
    if let Some(r) = rules
        .effects
        .iter()
        .find(|r| r.spell == spell.id && r.effect == effect.index)
    {
        if let Some(on_cast) = &r.on_cast {
            return cast_proc(spell, effect, on_cast, &r.why);
        }
        let Some(property) = r.property else {
            return Translation::Unmodelled(format!("#{} ({})", effect.index, r.why));
        };
        return match effect.number("Base Value") {
            Some(value) => Translation::Modifiers(vec![Modifier {
                property,
                affects: r.affects.clone(),
                value,
                origin: format!("{origin}, base value; rules: {}", r.why),
            }]),
            None => {
                Translation::Unmodelled(format!("#{} has no base value for its rule", effect.index))
            }
        };
    }
    let modifier = |property, affects: Vec<String>, value| Modifier {
        property,
        affects,
        value,
        origin: origin.clone(),
    };
    if let Some(m) = effect.spell_modifier() {
        let Some((property, target)) = property(m.percent, m.property_id) else {
            return Translation::Unmodelled(format!(
                "#{} {} {} modifier",
                effect.index,
                m.property,
                if m.percent { "percent" } else { "flat" }
            ));
        };
        if m.value == 0.0 {
            // Its amount is scripted or comes from elsewhere (a stat).
            return Translation::Unmodelled(format!(
                "#{} {} modifier of base value 0",
                effect.index, m.property
            ));
        }
        let ids = affected(effect);
        let affects = match target {
            Target::Direct => parts.direct(&ids),
            Target::Periodic => parts.periodic(&ids),
            Target::Damage => parts.damage(&ids),
            Target::Cast => parts.cast(&ids),
            Target::Duration => parts.duration(&ids),
        };
        if affects.is_empty() {
            return Translation::Elsewhere(format!(
                "#{} {} on {}",
                effect.index,
                m.property,
                affected_names(effect)
            ));
        }
        return Translation::Modifiers(vec![modifier(property, affects, m.value)]);
    }
    let Some(value) = effect.number("Base Value") else {
        return Translation::Unmodelled(format!("#{} {}", effect.index, effect.kind));
    };
    let kind = aura_kind(effect).unwrap_or(&effect.kind);
    if let Some(property) = global_property(kind, effect, rules) {
        if value == 0.0 {
            return Translation::Unmodelled(format!("#{} {kind} of no base value", effect.index));
        }
        return Translation::Modifiers(vec![modifier(property, Vec::new(), value)]);
    }
    let (direct, periodic) = match kind {
        "Modify Pet Damage Done% (429)" => {
            (parts.direct_of(Source::Pet), parts.periodic_of(Source::Pet))
        }
        "Modify Guardian Damage Done% (531)" => (
            parts.direct_of(Source::Guardian),
            parts.periodic_of(Source::Guardian),
        ),
        // The player's own auto-attacks (SimulationCraft's published Auto
        // Shot hits are only reached with it).
        "Modify Auto Attack Damage Done% (344)" => (parts.autos(Source::Player), Vec::new()),
        _ => return Translation::Unmodelled(format!("#{} {}", effect.index, effect.kind)),
    };
    if value == 0.0 {
        // The aura's value comes from elsewhere (a mastery's points).
        return Translation::Unmodelled(format!("#{} {kind} of no base value", effect.index));
    }
    let mut modifiers = Vec::new();
    if !direct.is_empty() {
        modifiers.push(modifier(Property::DirectDamagePercent, direct, value));
    }
    if !periodic.is_empty() {
        modifiers.push(modifier(Property::PeriodicDamagePercent, periodic, value));
    }
    if modifiers.is_empty() {
        return Translation::Elsewhere(format!("#{} {kind}", effect.index));
    }
    Translation::Modifiers(modifiers)
}
