//! What a passive's or talent's effect does, in engine terms: the game's
//! spell modifiers ("add percent modifier: spell direct amount" and
//! friends) and pet or guardian damage auras become [`Modifier`]s on the
//! pack's parts; anything else is reported as not modelled.

use wowlab_engine::options::{Modifier, Property};
use wowlab_engine::spec::{CooldownReduction, CycleReduction, Proc, Source};
use wowlab_gamedata::spelldump::{DumpEffect, DumpSpell, SpellDump};

use crate::parts::{Parts, affected_ids};
use crate::rules::{EffectRule, ProcRule, Rules};

/// What one effect comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Translation {
    /// Modifiers on the pack's parts.
    Modifiers(Vec<Modifier>),
    /// A proc on the pack's combat events (for a talent's option).
    Proc(Box<Proc>),
    /// A pet the talent brings (the rules' `adds_pet`, made elsewhere).
    Pet,
    /// A cycle the talent brings (the rules' `cycle`, made elsewhere).
    Cycle,
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

/// The proc a rule's `proc` makes of `effect` of the talent `spell` (none:
/// the talent itself, with no base value): on the named parts' events,
/// with the talent's internal cooldown, a cooldown or a cycle's period
/// shortened by the effect's base value (ms), a charge given (a base value
/// of 1), a triggered spell cast, a summon called, an aura applied (with
/// `stacks`, the base value's stacks), a cycle's next step given or
/// resource gained (`gain`, the amount of the rule's `gains`, looked up by
/// the caller); with `chance`, the base value is its chance in percent.
fn proc_of(
    spell: &DumpSpell,
    effect: Option<&DumpEffect>,
    rule: &ProcRule,
    gain: Option<f64>,
    why: &str,
) -> Translation {
    let index = effect.map_or(0, |e| e.index);
    let unmodelled = |what: &str| Translation::Unmodelled(format!("#{index} ({what}; {why})"));
    let value = effect.and_then(|e| e.number("Base Value"));
    let needs_value = rule.chance
        || rule.stacks
        || rule.count
        || rule.shortens.is_some()
        || rule.recharges.is_some();
    let needs_value = needs_value || rule.shortens_cycle.is_some();
    let value = match value {
        Some(v) => v,
        None if needs_value => return unmodelled("it has no base value for its rule"),
        None => 0.0,
    };
    let icd_ms = match spell.field_ms("Internal Cooldown") {
        Ok(ms) => ms.unwrap_or(0),
        Err(e) => return unmodelled(&format!("its internal cooldown: {e}")),
    };
    let chance = if rule.chance {
        if !(0.0..=100.0).contains(&value) {
            return unmodelled("its base value is no chance in percent");
        }
        value / 100.0
    } else {
        1.0
    };
    let mut proc = Proc {
        name: crate::talents::option_name(&spell.name),
        on: rule.on,
        sources: rule.of.clone(),
        chance: Some(chance),
        rppm: None,
        hasted_rppm: false,
        icd_ms,
        damage: None,
        apply_aura: rule.applies.clone(),
        gain: gain.unwrap_or(0.0),
        reset_cooldown: None,
        summon: rule.summons.clone(),
        cooldown_reductions: Vec::new(),
        cast: rule.casts.clone(),
        stacks: 1,
        summon_count: 1,
        cycle_reductions: Vec::new(),
        advance_cycle: rule.advances_cycle.clone(),
    };
    let actions = [
        rule.shortens.is_some(),
        rule.recharges.is_some(),
        rule.casts.is_some(),
        rule.summons.is_some(),
        rule.applies.is_some(),
        rule.gains.is_some(),
        rule.shortens_cycle.is_some(),
        rule.advances_cycle.is_some(),
    ];
    if actions.iter().filter(|a| **a).count() != 1 {
        return unmodelled("its rule needs exactly one action");
    }
    let amounts = [
        rule.chance,
        rule.stacks,
        rule.count,
        rule.shortens.is_some() || rule.recharges.is_some() || rule.shortens_cycle.is_some(),
    ];
    if amounts.iter().filter(|a| **a).count() > 1 {
        return unmodelled("its base value can be one thing only");
    }
    let whole_ms = value > 0.0 && value.fract() == 0.0 && value <= f64::from(u32::MAX);
    if let Some(target) = &rule.shortens {
        if !whole_ms {
            return unmodelled("`shortens` needs a base value of whole ms");
        }
        proc.cooldown_reductions.push(CooldownReduction {
            spell: target.clone(),
            ms: value as u32,
        });
    }
    if let Some(cycle) = &rule.shortens_cycle {
        if !whole_ms {
            return unmodelled("`shortens_cycle` needs a base value of whole ms");
        }
        proc.cycle_reductions.push(CycleReduction {
            cycle: cycle.clone(),
            ms: value as u32,
        });
    }
    if rule.stacks {
        if rule.applies.is_none() || !(1.0..=1000.0).contains(&value) || value.fract() != 0.0 {
            return unmodelled("`stacks` needs `applies` and a base value of whole stacks");
        }
        proc.stacks = value as u32;
    }
    if rule.count {
        if rule.summons.is_none() || !(1.0..=100.0).contains(&value) || value.fract() != 0.0 {
            return unmodelled("`count` needs `summons` and a base value of whole summons");
        }
        proc.summon_count = value as u32;
    }
    if let Some(target) = &rule.recharges {
        if value != 1.0 {
            return unmodelled("`recharges` needs a base value of 1");
        }
        proc.reset_cooldown = Some(target.clone());
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

impl Target {
    /// Whether the game's `spell` has this part: its damage effects for
    /// the damage targets; a cast or a duration is taken to be there.
    fn in_game(self, spell: &DumpSpell) -> bool {
        let has = |kind: &str| spell.effects.iter().any(|e| e.kind.contains(kind));
        match self {
            Target::Direct => has("School Damage (2)"),
            Target::Periodic => has("Periodic Damage (3)"),
            Target::Damage => has("School Damage (2)") || has("Periodic Damage (3)"),
            Target::Cast | Target::Duration => true,
        }
    }

    /// What it is, in words.
    fn part(self) -> &'static str {
        match self {
            Target::Direct => "direct damage",
            Target::Periodic => "damage over time",
            Target::Damage => "damage",
            Target::Cast => "cast",
            Target::Duration => "duration",
        }
    }
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

/// The rules for `effect` (0: the talent itself) of `spell`, with their
/// index in the rules' `effects`.
pub fn rules_for(rules: &Rules, spell: u32, effect: u32) -> Vec<(usize, &EffectRule)> {
    rules
        .effects
        .iter()
        .enumerate()
        .filter(|(_, r)| r.spell == spell && r.effect == effect)
        .collect()
}

/// What the rule `r` makes of `effect` of `spell` (none: the talent
/// itself); `gain` is the amount of its proc's `gains`, if any.
pub fn translate_rule(
    build: &str,
    spell: &DumpSpell,
    effect: Option<&DumpEffect>,
    r: &EffectRule,
    gain: Option<f64>,
) -> Translation {
    if let Some(rule) = &r.proc {
        return proc_of(spell, effect, rule, gain, &r.why);
    }
    if r.adds_pet.is_some() {
        return Translation::Pet;
    }
    if r.cycle.is_some() {
        return Translation::Cycle;
    }
    let index = effect.map_or(0, |e| e.index);
    let Some(property) = r.property else {
        return Translation::Unmodelled(format!("#{index} ({})", r.why));
    };
    match effect.and_then(|e| Some((e, e.number("Base Value")?))) {
        Some((e, value)) => Translation::Modifiers(vec![Modifier {
            property,
            affects: r.affects.clone(),
            value,
            origin: format!("{}, base value; rules: {}", origin(build, spell, e), r.why),
        }]),
        None => Translation::Unmodelled(format!("#{index} has no base value for its rule")),
    }
}

/// What `effect` of `spell` does to `parts` by the data alone (the
/// caller applies the rules first); `rules` give the spec's primary stat
/// and resource, `dump` the spells it modifies.
pub fn translate(
    build: &str,
    dump: &SpellDump,
    spell: &DumpSpell,
    effect: &DumpEffect,
    parts: &Parts,
    rules: &Rules,
) -> Translation {
    let origin = origin(build, spell, effect);
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
            let what = format!(
                "#{} {} on {}",
                effect.index,
                m.property,
                affected_names(effect)
            );
            // A spell the pack has, and the game gives what the modifier
            // is about, but the pack does not: not modelled, and said.
            let lost = ids
                .iter()
                .any(|&id| parts.uses(id) && dump.spell(id).is_none_or(|s| target.in_game(s)));
            return if lost {
                Translation::Unmodelled(format!(
                    "{what} (the pack has no {} for it)",
                    target.part()
                ))
            } else {
                Translation::Elsewhere(what)
            };
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
    if kind == "Modify Cooldown Charge (Category) (411)" {
        // More charges of the spells of a cooldown category.
        let casts = parts.cast(&affected(effect));
        if casts.is_empty() {
            return Translation::Elsewhere(format!("#{} {kind}", effect.index));
        }
        return Translation::Modifiers(vec![modifier(Property::Charges, casts, value)]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parts::Part;

    /// Two spells with damage (one direct, one over time) and a talent
    /// raising the direct damage of both.
    const DUMP: &str = "SimulationCraft test for World of Warcraft 1.2.3.4 Live
Name             : Strike (id=100) [Spell Family (9)]
Effects          :
#1 (id=1)        : School Damage (2): physical
                   Base Value: 0 | AP Coefficient: 1.0 | Target: Targeted Enemy (6)

Name             : Bleed (id=101) [Spell Family (9)]
Effects          :
#1 (id=2)        : Apply Aura (6) | Periodic Damage (3): physical every 2 seconds
                   Base Value: 0 | AP Coefficient: 0.5 | Target: Targeted Enemy (6)

Name             : Sharp (id=200) [Spell Family (9), Passive]
Effects          :
#1 (id=3)        : Apply Aura (6) | Add Percent Modifier (108): Spell Direct Amount (0)
                   Base Value: 10 | Scaled Value: 10 | Target: Self (1)
                   Affected Spells: Strike (100), Bleed (101)
";

    fn part(name: &str, cast: u32, direct: Option<u32>, periodic: Option<u32>) -> Part {
        Part {
            name: name.into(),
            source: Source::Player,
            cast: Some(cast),
            direct,
            periodic,
            aura: None,
            summon: None,
            auto: false,
        }
    }

    fn sharp_on(parts: Vec<Part>) -> Translation {
        let dump = SpellDump::parse(DUMP).unwrap();
        let rules_path = "gamedata/rules/hunter_beast_mastery.toml";
        let text = include_str!("../../../gamedata/rules/hunter_beast_mastery.toml");
        let rules = Rules::parse(rules_path, text).unwrap();
        let talent = dump.spell(200).unwrap();
        translate(
            "1.2.3.4",
            &dump,
            talent,
            &talent.effects[0],
            &Parts(parts),
            &rules,
        )
    }

    #[test]
    fn a_modifier_the_pack_cannot_carry_is_said_and_a_no_op_is_not() {
        // The pack's strike has its direct damage: the modifier is on it.
        let carried = sharp_on(vec![part("strike", 100, Some(100), None)]);
        let Translation::Modifiers(m) = carried else {
            panic!("{carried:?}")
        };
        assert_eq!(
            (m[0].affects.as_slice(), m[0].value),
            (&["strike".to_string()][..], 10.0)
        );
        // The game's strike deals direct damage the pack's does not have.
        let lost = sharp_on(vec![part("strike", 100, None, None)]);
        assert_eq!(
            lost,
            Translation::Unmodelled(
                "#1 Spell Direct Amount on Strike (100), Bleed (101) (the pack has no direct damage for it)".into()
            )
        );
        // The bleed has no direct damage in the game either: nothing is lost.
        let no_op = sharp_on(vec![part("bleed", 101, None, Some(101))]);
        assert!(matches!(no_op, Translation::Elsewhere(_)), "{no_op:?}");
        // Spells the pack does not simulate at all.
        let elsewhere = sharp_on(Vec::new());
        assert!(
            matches!(elsewhere, Translation::Elsewhere(_)),
            "{elsewhere:?}"
        );
    }
}
