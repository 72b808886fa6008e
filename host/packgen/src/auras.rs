//! The pack's auras: duration and stacks from the dump, and their effects
//! (damage, haste, crit, attack speed, tick time) in engine terms.

use std::collections::BTreeSet;

use wowlab_engine::spec::{Aura, Carrier};

use crate::PackgenError;
use crate::build::{Lookup, Report};
use crate::effects::{affected, aura_kind};
use crate::parts::Parts;
use crate::rules::AuraRule;

/// The aura rule `r` (the rules' `auras[i]`) made from its spell.
pub(crate) fn aura(
    look: &Lookup<'_>,
    i: usize,
    r: &AuraRule,
    parts: &Parts,
    report: &mut Report,
) -> Result<Aura, PackgenError> {
    let f = format!("auras[{i}].spell");
    let spell = look.spell(&f, r.spell)?;
    // No duration: it lasts until it is removed (0: until consumed).
    let duration_ms = spell
        .field_ms("Duration")
        .map_err(|e| look.dump_error(&f, e))?
        .unwrap_or(0);
    let max_stacks = spell
        .max_stacks()
        .map_err(|e| look.dump_error(&f, e))?
        .unwrap_or(1);
    let pf = format!("auras.{}", r.name);
    report.trace(
        &format!("{pf}.duration_ms, max_stacks"),
        format!("{duration_ms}, {max_stacks}"),
        &look.field_source(spell, "Duration, Stacks"),
    );
    let mut aura = Aura {
        name: r.name.clone(),
        on: r.on,
        duration_ms,
        max_stacks,
        damage_bonus: 0.0,
        haste_bonus: 0.0,
        crit_bonus: 0.0,
        attack_speed_bonus: 0.0,
        tick_time_bonus: 0.0,
        primary_attack_power: 0.0,
        affects: Vec::new(),
    };
    let mut tick_time: Option<BTreeSet<String>> = None;
    let mut damage: Option<(f64, String)> = None;
    let mut affects: BTreeSet<String> = BTreeSet::new();
    let mut all = false;
    let kept = spell
        .effects
        .iter()
        .filter(|e| r.effects.is_empty() || r.effects.contains(&e.index));
    for e in kept {
        let source = look.source(spell, e);
        let value = e.number("Base Value").unwrap_or(0.0);
        let kind = aura_kind(e).unwrap_or("");
        let mut set_damage = |v: f64| -> Result<(), PackgenError> {
            match &damage {
                Some((d, from)) if *d != v => Err(look.error(
                    &f,
                    format!("{source} adds {v} % damage, {from} {d} %: the engine's aura has one damage bonus"),
                )),
                _ => {
                    damage = Some((v, source.clone()));
                    Ok(())
                }
            }
        };
        if let Some(m) = e.spell_modifier().filter(|m| m.percent) {
            let ids = affected(e);
            let names = match m.property_id {
                0 => parts.direct(&ids),
                22 => parts.periodic(&ids),
                // Spell Tick Time: of the DoTs it names.
                19 => {
                    let names = parts.periodic(&ids);
                    if !names.is_empty() {
                        aura.tick_time_bonus = m.value / 100.0;
                        report.trace(&format!("{pf}.tick_time_bonus"), m.value / 100.0, &source);
                        tick_time = Some(names.into_iter().collect());
                    }
                    continue;
                }
                _ => {
                    report.unmodelled.push(format!(
                        "aura {}: #{} {} modifier",
                        r.name, e.index, m.property
                    ));
                    continue;
                }
            };
            if !names.is_empty() {
                set_damage(m.value)?;
                affects.extend(names);
                if e.suppresses_stacking() && aura.max_stacks > 1 {
                    // The engine's damage bonus is per stack: one stack is
                    // the bonus whatever the stacks.
                    aura.max_stacks = 1;
                    report.unmodelled.push(format!(
                        "aura {}: #{} does not grow with stacks, so the aura keeps one (its other effects' stacks are not modelled)",
                        r.name, e.index
                    ));
                }
            }
            continue;
        }
        match kind {
            "Modify Damage Done% (79)" => {
                set_damage(value)?;
                all = true;
            }
            // The owner's aura for its pets' damage, carried by the pets.
            "Modify Pet Damage Done% (429)" if r.on == Carrier::Pet => {
                set_damage(value)?;
                all = true;
            }
            "Modify Ranged and Melee Auto Attack Speed% (342)" => {
                aura.attack_speed_bonus = value / 100.0;
                report.trace(&format!("{pf}.attack_speed_bonus"), value / 100.0, &source);
            }
            "Modify All Haste% (193)" => {
                aura.haste_bonus = value / 100.0;
                report.trace(&format!("{pf}.haste_bonus"), value / 100.0, &source);
            }
            "Modify Critical Strike% (290)" => {
                aura.crit_bonus = value / 100.0;
                report.trace(&format!("{pf}.crit_bonus"), value / 100.0, &source);
            }
            _ => report
                .unmodelled
                .push(format!("aura {}: #{} {}", r.name, e.index, e.kind)),
        }
    }
    if let Some((v, from)) = &damage {
        aura.damage_bonus = v / 100.0;
        report.trace(&format!("{pf}.damage_bonus"), v / 100.0, from);
        if !all {
            aura.affects = affects.into_iter().collect();
        }
    }
    if let Some(names) = tick_time {
        // One list of parts serves the damage and the tick time bonuses.
        if damage.is_some() && (all || names != aura.affects.iter().cloned().collect()) {
            return Err(look.error(
                &f,
                "its damage and tick time bonuses are for different parts: the engine's aura has one list",
            ));
        }
        aura.affects = names.into_iter().collect();
    }
    Ok(aura)
}
