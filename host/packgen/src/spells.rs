//! The pack's spells from their rules and the dump: cost, cooldown,
//! charges, GCD, direct damage, damage over time, resource over time and
//! cooldown reductions; the resource, the GCD's length and the player's
//! weapon attack.

use std::collections::BTreeSet;

use wowlab_engine::spec::{
    self, AutoAttack, CooldownReduction, Damage, Dot, Energize, Pet, School, Source, Spell,
    SpellGcd, Summon,
};
use wowlab_gamedata::builds;
use wowlab_gamedata::spelldump::DumpEffect;

use crate::PackgenError;
use crate::build::{Lookup, Report};
use crate::effects::{affected, aura_kind};
use crate::rules::{
    AutoAttackRule, EffectRef, PetAttackRule, PetRule, Rules, SpellRule, SummonRule, TriggeredRule,
};

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
    let share = pet_share(rules, r.source);
    let (damage, dot) = damage_and_dot(look, &f, &pf, share, r.damage, r.dot, report)?;
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
        consumes: r.consumes.clone(),
        hits: 1,
    })
}

/// The damage over time of effect `d` (the rules' `field`, the pack's
/// spell `pf`): its damage, period and its spell's duration and attributes.
fn dot_of(
    look: &Lookup<'_>,
    field: &str,
    d: EffectRef,
    share: f64,
    pf: &str,
    report: &mut Report,
) -> Result<Dot, PackgenError> {
    let damage = damage_of(
        look,
        field,
        d,
        share,
        true,
        &format!("{pf}.dot.damage"),
        report,
    )?;
    let (spell, effect) = look.effect(field, d)?;
    let tick_ms = effect.period_ms().ok_or_else(|| {
        look.error(
            field,
            format!("spell {} #{} has no period", d.spell, d.effect),
        )
    })?;
    let duration_ms = look.duration_ms(field, spell)?;
    report.trace(
        &format!("{pf}.dot.duration_ms, tick_ms"),
        format!("{duration_ms}, {tick_ms}"),
        &look.field_source(spell, "Duration and effect period"),
    );
    let rolling = spell.has_attribute("Rolling Periodic");
    Ok(Dot {
        duration_ms,
        tick_ms,
        damage,
        hasted_ticks: spell.has_attribute("Spell Haste Affects Periodic"),
        pandemic: !rolling,
        tick_on_application: spell.has_attribute("Extra Initial Period"),
        rolling,
    })
}

/// The direct damage and the damage over time of a spell (the rules' `f`,
/// the pack's `pf`) from the effects that deal them; `share` scales their
/// coefficients (a pet's share of attack power).
fn damage_and_dot(
    look: &Lookup<'_>,
    f: &str,
    pf: &str,
    share: f64,
    damage: Option<EffectRef>,
    dot: Option<EffectRef>,
    report: &mut Report,
) -> Result<(Option<Damage>, Option<Dot>), PackgenError> {
    let damage = damage
        .map(|d| {
            damage_of(
                look,
                &format!("{f}.damage"),
                d,
                share,
                false,
                &format!("{pf}.damage"),
                report,
            )
        })
        .transpose()?;
    let dot = dot
        .map(|d| dot_of(look, &format!("{f}.dot"), d, share, pf, report))
        .transpose()?;
    Ok((damage, dot))
}

/// The pets' share of attack power: every pet coefficient in the data is
/// of the pet's own attack power.
fn pet_share(rules: &Rules, source: Source) -> f64 {
    match source {
        Source::Player => 1.0,
        _ => rules.pet.as_ref().map_or(1.0, |p| p.attack_power_share),
    }
}

/// The triggered spell `r` (the rules' `triggered[i]`): no cost, no
/// cooldown, no GCD; its damage from the data.
pub(crate) fn triggered(
    look: &Lookup<'_>,
    rules: &Rules,
    i: usize,
    r: &TriggeredRule,
    report: &mut Report,
) -> Result<Spell, PackgenError> {
    let f = format!("triggered[{i}]");
    let pf = format!("triggered.{}", r.name);
    if r.damage.is_none() && r.dot.is_none() {
        return Err(look.error(f, "a triggered spell needs `damage` or `dot`"));
    }
    let mut share = pet_share(rules, r.source);
    if let Some(scale) = r.scale {
        let sf = format!("{f}.scale");
        let (spell, effect) = look.effect(&sf, scale)?;
        let percent = effect
            .number("Base Value")
            .ok_or_else(|| look.error(&sf, "the effect has no base value"))?;
        report.trace(
            &format!("{pf} (its damage ×)"),
            percent / 100.0,
            &look.source(spell, effect),
        );
        share *= percent / 100.0;
    }
    let (damage, dot) = damage_and_dot(look, &f, &pf, share, r.damage, r.dot, report)?;
    let hits = match r.hits {
        None => 1,
        Some(h) => {
            let hf = format!("{f}.hits");
            let (spell, effect) = look.effect(&hf, h)?;
            let n = effect.number("Base Value").unwrap_or(0.0);
            if !(1.0..=100.0).contains(&n) || n.fract() != 0.0 {
                return Err(look.error(hf, format!("{n} is no number of hits")));
            }
            report.trace(&format!("{pf}.hits"), n, &look.source(spell, effect));
            n as u32
        }
    };
    Ok(Spell {
        name: r.name.clone(),
        source: r.source,
        cast_time_ms: 0,
        gcd: SpellGcd::None,
        cooldown_ms: 0,
        hasted_cooldown: false,
        charges: 1,
        cost: 0.0,
        gain: 0.0,
        damage,
        dot,
        max_targets: 1,
        reduced_aoe_targets: 0,
        exclude_primary: false,
        apply_auras: Vec::new(),
        cooldown_reductions: Vec::new(),
        summon: None,
        energize: None,
        consumes: Vec::new(),
        hits,
    })
}

/// The summon `r` (the rules' `summons[i]`): a guardian (or a pet that
/// joins the pets) for its spell's duration, swinging as a pet does.
pub(crate) fn summon(
    look: &Lookup<'_>,
    rules: &Rules,
    i: usize,
    r: &SummonRule,
    report: &mut Report,
) -> Result<Summon, PackgenError> {
    let f = format!("summons[{i}].spell");
    let spell = look.spell(&f, r.spell)?;
    let duration_ms = look.duration_ms(&f, spell)?;
    let pf = format!("summons.{}", r.name);
    report.trace(
        &format!("{pf}.duration_ms"),
        duration_ms,
        &look.field_source(spell, "Duration"),
    );
    Ok(Summon {
        name: r.name.clone(),
        duration_ms,
        source: r.source(),
        joins_pets: r.joins_pets,
        auto_attack: melee(
            rules,
            &r.auto_attack,
            r.attack_power_share,
            &r.origin,
            &format!("{pf}.auto_attack"),
            report,
        ),
    })
}

/// A melee swing of a weapon of no damage of its own: the swinger's attack
/// power (`share` of its owner's) / attack power per weapon DPS × its period.
fn melee(
    rules: &Rules,
    a: &PetAttackRule,
    share: f64,
    share_origin: &str,
    pf: &str,
    report: &mut Report,
) -> AutoAttack {
    let period_s = f64::from(a.period_ms) / 1000.0;
    let coefficient = period_s / rules.combat.attack_power_per_weapon_dps * share * a.multiplier;
    report.trace(&format!("{pf}.period_ms"), a.period_ms, &a.origin);
    report.trace(
        &format!("{pf}.damage.ap_coefficient"),
        coefficient,
        &format!(
            "a weapon of no damage: {period_s} s / {} (rules) × the share of attack power {share} ({share_origin}) × {} (its swing's multiple, {})",
            rules.combat.attack_power_per_weapon_dps, a.multiplier, a.origin
        ),
    );
    AutoAttack {
        name: a.name.clone(),
        period_ms: a.period_ms,
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
    }
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
    let duration_ms = look.duration_ms(field, spell)?;
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

/// A pet (the rules' `field`): its weapon-less melee swing and its basic
/// attack, used every time its cooldown allows.
pub(crate) fn pet(
    look: &Lookup<'_>,
    rules: &Rules,
    field: &str,
    p: &PetRule,
    report: &mut Report,
) -> Result<Pet, PackgenError> {
    let pf = format!("pets.{}", p.name);
    let auto_attack = melee(
        rules,
        &p.auto_attack,
        p.attack_power_share,
        &p.origin,
        &format!("{pf}.auto_attack"),
        report,
    );
    let mut abilities = Vec::new();
    if let Some(b) = &p.basic_attack {
        let bf = format!("{field}.basic_attack.damage");
        let (spell, _) = look.effect(&bf, b.damage)?;
        let period_ms = spell
            .field_ms("Cooldown")
            .map_err(|e| look.dump_error(&bf, e))?
            .ok_or_else(|| look.error(&bf, format!("spell {} has no cooldown", spell.id)))?;
        report.trace(
            &format!("{pf}.abilities.{}.period_ms", b.name),
            period_ms,
            &look.field_source(spell, "Cooldown"),
        );
        let damage = damage_of(
            look,
            &bf,
            b.damage,
            p.attack_power_share,
            false,
            &format!("{pf}.abilities.{}.damage", b.name),
            report,
        )?;
        if let Some(cost) = spell.cost().map_err(|e| look.dump_error(&bf, e))? {
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
        auto_attack,
        abilities,
    })
}
