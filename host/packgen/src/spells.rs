//! The pack's spells from their rules and the dump: cost, cooldown,
//! charges, GCD, direct damage, damage over time, resource over time and
//! cooldown reductions; the resource, the GCD's length and the player's
//! weapon attack.

use std::collections::BTreeSet;

use wowlab_engine::spec::{
    self, AutoAttack, CooldownReduction, Damage, Dot, Energize, Pet, School, Source, Spell,
    SpellGcd,
};
use wowlab_gamedata::builds;
use wowlab_gamedata::spelldump::DumpEffect;

use crate::PackgenError;
use crate::build::{Lookup, Report};
use crate::effects::{affected, aura_kind};
use crate::rules::{AutoAttackRule, EffectRef, PetRule, Rules, SpellRule};

/// The spells the passives give a hasted GCD or a hasted cooldown.
pub(crate) struct PassiveProperties {
    pub(crate) hasted_gcd: BTreeSet<u32>,
    pub(crate) hasted_cooldown: BTreeSet<u32>,
}

pub(crate) const HASTED_GCD: &str = "Hasted Global Cooldown (417)";
pub(crate) const HASTED_COOLDOWN: [&str; 2] = [
    "Hasted Cooldown Duration (416)",
    "Hasted Cooldown Duration (Category) (457)",
];

pub(crate) fn passive_properties(
    look: &Lookup<'_>,
    rules: &Rules,
) -> Result<PassiveProperties, PackgenError> {
    let mut p = PassiveProperties {
        hasted_gcd: BTreeSet::new(),
        hasted_cooldown: BTreeSet::new(),
    };
    for (i, &id) in rules.passives.iter().enumerate() {
        for e in &look.spell(&format!("passives[{i}]"), id)?.effects {
            match aura_kind(e) {
                Some(HASTED_GCD) => p.hasted_gcd.extend(affected(e)),
                Some(k) if HASTED_COOLDOWN.contains(&k) => p.hasted_cooldown.extend(affected(e)),
                _ => {}
            }
        }
    }
    Ok(p)
}

pub(crate) fn resource(
    look: &Lookup<'_>,
    rules: &Rules,
    report: &mut Report,
) -> Result<spec::Resource, PackgenError> {
    let power = builds::power_type(&rules.resource.power)
        .map_err(|e| look.error("resource.power", e.to_string()))?
        .ok_or_else(|| {
            look.error(
                "resource.power",
                format!(
                    "no power type `{}` in power_types.csv",
                    rules.resource.power
                ),
            )
        })?;
    report.trace(
        "resource.max, resource.regen_per_second",
        format!("{}, {}", power.max, power.regen_combat),
        &format!("power_types.csv {} `{}`", builds::TABLES_BUILD, power.name),
    );
    Ok(spec::Resource {
        name: power.name,
        max: power.max,
        start: None,
        regen_per_second: power.regen_combat,
        hasted_regen: rules.resource.hasted_regen,
    })
}

/// The GCD of the spells with a hasted one; they must agree.
pub(crate) fn gcd_base(
    look: &Lookup<'_>,
    rules: &Rules,
    passive: &PassiveProperties,
) -> Result<u32, PackgenError> {
    let mut base = None;
    for (i, r) in rules.spells.iter().enumerate() {
        if !passive.hasted_gcd.contains(&r.cast) {
            continue;
        }
        let f = format!("spells[{i}].cast");
        let cast = look.spell(&f, r.cast)?;
        let Some(gcd) = cast.field_ms("GCD").map_err(|e| look.dump_error(&f, e))? else {
            continue;
        };
        match base {
            None => base = Some(gcd),
            Some(b) if b != gcd => {
                return Err(look.error(
                    f,
                    format!(
                        "a hasted GCD of {gcd} ms, another spell's is {b} ms: the engine has one"
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(base.unwrap_or(1500))
}

/// The school a damage effect names ("School Damage (2): physical").
pub(crate) fn school(
    look: &Lookup<'_>,
    field: &str,
    effect: &DumpEffect,
) -> Result<School, PackgenError> {
    let word = effect
        .kind
        .rsplit(": ")
        .next()
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or("");
    Ok(match word {
        "physical" => School::Physical,
        "arcane" => School::Arcane,
        "fire" => School::Fire,
        "frost" => School::Frost,
        "holy" => School::Holy,
        "nature" => School::Nature,
        "shadow" => School::Shadow,
        _ => {
            return Err(look.error(
                field,
                format!("effect `{}` names no school the engine has", effect.kind),
            ));
        }
    })
}

/// The damage of effect `r` (the rules' `field`, the pack's `pack_field`);
/// `share` scales its coefficients (a pet's share of its owner's attack
/// power).
pub(crate) fn damage_of(
    look: &Lookup<'_>,
    field: &str,
    r: EffectRef,
    share: f64,
    periodic: bool,
    pack_field: &str,
    report: &mut Report,
) -> Result<Damage, PackgenError> {
    let (spell, effect) = look.effect(field, r)?;
    let wanted = if periodic {
        "Periodic Damage (3)"
    } else {
        "School Damage (2)"
    };
    if !effect.kind.contains(wanted) {
        return Err(look.error(
            field,
            format!(
                "spell {} #{} is `{}`, not {wanted}",
                r.spell, r.effect, effect.kind
            ),
        ));
    }
    let source = look.source(spell, effect);
    let ap = effect.number("AP Coefficient").unwrap_or(0.0);
    let sp = effect.number("SP Coefficient").unwrap_or(0.0);
    let scaled = if share == 1.0 {
        source.clone()
    } else {
        format!("{source} × the pet's share of attack power {share}")
    };
    report.trace(
        pack_field,
        format!("ap {}, sp {}", ap * share, sp * share),
        &scaled,
    );
    let bleed = spell.field("Mechanic") == Some("Bleed");
    Ok(Damage {
        base: effect.number("Base Value").unwrap_or(0.0),
        ap_coefficient: ap * share,
        sp_coefficient: sp * share,
        school: school(look, field, effect)?,
        can_crit: !spell.has_attribute("Can't Crit")
            && (!periodic || spell.has_attribute("Periodic Can Crit")),
        ignores_armor: bleed,
        crit_chance_bonus: 0.0,
        crit_damage_bonus: 0.0,
        weapon_swing: false,
    })
}

pub(crate) fn spell(
    look: &Lookup<'_>,
    rules: &Rules,
    i: usize,
    r: &SpellRule,
    passive: &PassiveProperties,
    gcd_base: u32,
    report: &mut Report,
) -> Result<Spell, PackgenError> {
    let f = format!("spells[{i}]");
    let pf = format!("spells.{}", r.name);
    let cf = format!("{f}.cast");
    let cast = look.spell(&cf, r.cast)?;
    let dump = |e| look.dump_error(&cf, e);
    let cost = match cast.cost().map_err(dump)? {
        None => 0.0,
        Some(c) if c.resource.eq_ignore_ascii_case(&rules.resource.power) => {
            report.trace(
                &format!("{pf}.cost"),
                c.amount,
                &look.field_source(cast, "Resource"),
            );
            c.amount
        }
        Some(c) => {
            return Err(look.error(
                cf,
                format!(
                    "it costs {}, the pack's resource is {}",
                    c.resource, rules.resource.power
                ),
            ));
        }
    };
    let (charges, cooldown_ms) = match cast.charges().map_err(dump)? {
        Some(c) => {
            report.trace(
                &format!("{pf}.charges, {pf}.cooldown_ms"),
                format!("{}, {}", c.count, c.cooldown_ms),
                &look.field_source(cast, "Charges"),
            );
            (c.count, c.cooldown_ms)
        }
        None => {
            let cd = cast.field_ms("Cooldown").map_err(dump)?.unwrap_or(0);
            if cd > 0 {
                report.trace(
                    &format!("{pf}.cooldown_ms"),
                    cd,
                    &look.field_source(cast, "Cooldown"),
                );
            }
            (1, cd)
        }
    };
    let gcd = match cast.field_ms("GCD").map_err(dump)? {
        None => SpellGcd::None,
        Some(_) if passive.hasted_gcd.contains(&r.cast) => SpellGcd::Hasted,
        Some(ms) => SpellGcd::Fixed(ms),
    };
    report.trace(
        &format!("{pf}.gcd"),
        format!("{gcd:?} (base {gcd_base} ms)"),
        &look.field_source(cast, "GCD, and the passives' Hasted Global Cooldown"),
    );
    let cast_time_ms = cast.field_ms("Cast Time").map_err(dump)?.unwrap_or(0);
    let share = match r.source {
        Source::Player => 1.0,
        _ => rules.pet.as_ref().map_or(1.0, |p| p.attack_power_share),
    };
    let damage = r
        .damage
        .map(|d| {
            let pack_field = format!("{pf}.damage");
            damage_of(
                look,
                &format!("{f}.damage"),
                d,
                share,
                false,
                &pack_field,
                report,
            )
        })
        .transpose()?;
    let dot = match r.dot {
        None => None,
        Some(d) => {
            let df = format!("{f}.dot");
            let dmg = damage_of(
                look,
                &df,
                d,
                share,
                true,
                &format!("{pf}.dot.damage"),
                report,
            )?;
            let (spell, effect) = look.effect(&df, d)?;
            let tick_ms = effect.period_ms().ok_or_else(|| {
                look.error(
                    &df,
                    format!("spell {} #{} has no period", d.spell, d.effect),
                )
            })?;
            let duration_ms = spell
                .field_ms("Duration")
                .map_err(|e| look.dump_error(&df, e))?
                .ok_or_else(|| look.error(&df, format!("spell {} has no duration", d.spell)))?;
            report.trace(
                &format!("{pf}.dot.duration_ms, tick_ms"),
                format!("{duration_ms}, {tick_ms}"),
                &look.field_source(spell, "Duration and effect period"),
            );
            let rolling = spell.has_attribute("Rolling Periodic");
            Some(Dot {
                duration_ms,
                tick_ms,
                damage: dmg,
                hasted_ticks: spell.has_attribute("Spell Haste Affects Periodic"),
                pandemic: !rolling,
                tick_on_application: spell.has_attribute("Extra Initial Period"),
                rolling,
            })
        }
    };
    let mut cooldown_reductions = Vec::new();
    for (j, c) in r.cooldown_reductions.iter().enumerate() {
        let rf = format!("{f}.cooldown_reductions[{j}].seconds");
        let (spell, effect) = look.effect(&rf, c.seconds)?;
        let seconds = effect
            .number("Base Value")
            .ok_or_else(|| look.error(&rf, "the effect has no base value"))?;
        let ms = (seconds * 1000.0).round();
        if !(0.0..=f64::from(u32::MAX)).contains(&ms) {
            return Err(look.error(rf, format!("{seconds} s is no cooldown reduction")));
        }
        report.trace(
            &format!("{pf}.cooldown_reductions.{}", c.spell),
            format!("{ms} ms"),
            &look.source(spell, effect),
        );
        cooldown_reductions.push(CooldownReduction {
            spell: c.spell.clone(),
            ms: ms as u32,
        });
    }
    let energize = r
        .energize
        .map(|e| energize(look, &format!("{f}.energize"), e, &pf, report))
        .transpose()?;
    Ok(Spell {
        name: r.name.clone(),
        source: r.source,
        cast_time_ms,
        gcd,
        cooldown_ms,
        hasted_cooldown: passive.hasted_cooldown.contains(&r.cast),
        charges,
        cost,
        gain: 0.0,
        damage,
        dot,
        max_targets: 1,
        reduced_aoe_targets: 0,
        exclude_primary: false,
        apply_auras: r.apply_auras.clone(),
        cooldown_reductions,
        summon: None,
        energize,
    })
}

/// The resource a "Periodic Energize Power" effect pays over its spell's
/// duration.
pub(crate) fn energize(
    look: &Lookup<'_>,
    field: &str,
    r: EffectRef,
    pf: &str,
    report: &mut Report,
) -> Result<Energize, PackgenError> {
    let (spell, effect) = look.effect(field, r)?;
    if !effect.kind.contains("Periodic Energize Power (24)") {
        return Err(look.error(
            field,
            format!(
                "spell {} #{} is `{}`, not a periodic energize",
                r.spell, r.effect, effect.kind
            ),
        ));
    }
    let amount = effect
        .number("Base Value")
        .ok_or_else(|| look.error(field, "the effect has no base value"))?;
    let tick_ms = effect
        .period_ms()
        .ok_or_else(|| look.error(field, "the effect has no period"))?;
    let duration_ms = spell
        .field_ms("Duration")
        .map_err(|e| look.dump_error(field, e))?
        .ok_or_else(|| look.error(field, format!("spell {} has no duration", r.spell)))?;
    report.trace(
        &format!("{pf}.energize"),
        format!("{amount} every {tick_ms} ms for {duration_ms} ms"),
        &format!("{}, and its Duration", look.source(spell, effect)),
    );
    Ok(Energize {
        amount,
        tick_ms,
        ticks: duration_ms / tick_ms,
    })
}

pub(crate) fn auto_attack(
    look: &Lookup<'_>,
    rules: &Rules,
    a: &AutoAttackRule,
    report: &mut Report,
) -> Result<AutoAttack, PackgenError> {
    let f = "auto_attack.spell";
    let spell = look.spell(f, a.spell)?;
    let effect = spell
        .effects
        .iter()
        .find(|e| e.kind.starts_with("Weapon Damage%"))
        .ok_or_else(|| look.error(f, format!("spell {} has no Weapon Damage% effect", a.spell)))?;
    let percent = effect.number("Base Value").unwrap_or(0.0) / 100.0;
    let w = &a.weapon;
    let speed_s = f64::from(w.speed_ms) / 1000.0;
    let base = (w.min + w.max) / 2.0 * percent;
    let ap = speed_s / rules.combat.attack_power_per_weapon_dps * percent;
    report.trace(
        "auto_attack",
        format!(
            "period {} ms, base {base} (the weapon's mean hit), ap {ap}",
            w.speed_ms
        ),
        &format!(
            "{} × the weapon ({}), attack power per weapon DPS {} (rules)",
            look.source(spell, effect),
            w.origin,
            rules.combat.attack_power_per_weapon_dps
        ),
    );
    let school = match spell.field("School") {
        Some("Physical") | None => School::Physical,
        Some(other) => {
            return Err(look.error(
                f,
                format!("an auto-attack of school {other} is not supported"),
            ));
        }
    };
    Ok(AutoAttack {
        name: a.name.clone(),
        period_ms: w.speed_ms,
        damage: Damage {
            base,
            ap_coefficient: ap,
            sp_coefficient: 0.0,
            school,
            can_crit: true,
            ignores_armor: false,
            crit_chance_bonus: 0.0,
            crit_damage_bonus: 0.0,
            weapon_swing: true,
        },
        hasted: true,
    })
}

/// The pet: its weapon-less melee swing and its basic attack, used every
/// time its cooldown allows.
pub(crate) fn pet(
    look: &Lookup<'_>,
    rules: &Rules,
    p: &PetRule,
    report: &mut Report,
) -> Result<Pet, PackgenError> {
    let period_s = f64::from(p.auto_attack.period_ms) / 1000.0;
    let coefficient = period_s / rules.combat.attack_power_per_weapon_dps * p.attack_power_share;
    let f = "pet.auto_attack";
    report.trace(
        &format!("{f}.period_ms"),
        p.auto_attack.period_ms,
        &p.auto_attack.origin,
    );
    report.trace(
        &format!("{f}.damage.ap_coefficient"),
        coefficient,
        &format!(
            "a weapon of no damage: {period_s} s / {} (rules) × the pet's share of attack power {} ({})",
            rules.combat.attack_power_per_weapon_dps, p.attack_power_share, p.origin
        ),
    );
    let mut abilities = Vec::new();
    if let Some(b) = &p.basic_attack {
        let bf = "pet.basic_attack.damage";
        let (spell, _) = look.effect(bf, b.damage)?;
        let period_ms = spell
            .field_ms("Cooldown")
            .map_err(|e| look.dump_error(bf, e))?
            .ok_or_else(|| look.error(bf, format!("spell {} has no cooldown", spell.id)))?;
        report.trace(
            &format!("pet.abilities.{}.period_ms", b.name),
            period_ms,
            &look.field_source(spell, "Cooldown"),
        );
        let damage = damage_of(
            look,
            bf,
            b.damage,
            p.attack_power_share,
            false,
            &format!("pet.abilities.{}.damage", b.name),
            report,
        )?;
        if let Some(cost) = spell.cost().map_err(|e| look.dump_error(bf, e))? {
            report.unmodelled.push(format!(
                "pet ability {}: its cost ({} of the pet's {}) is not modelled: it is used every cooldown",
                b.name, cost.amount, cost.resource
            ));
        }
        abilities.push(AutoAttack {
            name: b.name.clone(),
            period_ms,
            damage,
            hasted: false,
        });
    }
    Ok(Pet {
        name: p.name.clone(),
        auto_attack: AutoAttack {
            name: p.auto_attack.name.clone(),
            period_ms: p.auto_attack.period_ms,
            damage: Damage {
                base: 0.0,
                ap_coefficient: coefficient,
                sp_coefficient: 0.0,
                school: School::Physical,
                can_crit: true,
                ignores_armor: false,
                crit_chance_bonus: 0.0,
                crit_damage_bonus: 0.0,
                weapon_swing: false,
            },
            hasted: true,
        },
        abilities,
    })
}
