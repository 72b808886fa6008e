//! Generation: a spec's rules and the committed game data → the pack.

use wowlab_engine::options::{Modifier, Property};
use wowlab_engine::spec::{self, Carrier, Mastery, Ratings, Source, SpecPack, Stats, Target};
use wowlab_gamedata::builds;
use wowlab_gamedata::spelldump::{DumpEffect, DumpSpell, SpellDump};
use wowlab_simc::character::LEVEL;
use wowlab_simc::sheet::{BASE_CRIT_PERCENT, BASE_MASTERY_POINTS};

use crate::auras::aura;
use crate::effects::origin;
use crate::parts::{Part, Parts};
use crate::render::render;
use crate::rules::{EffectRef, Rules};
use crate::spells::{
    auto_attack, gcd_base, passive_properties, pet, resource, spell, summon, triggered,
};
use crate::talents::{mastery, passive_modifiers, set_bonus_options, talent_options};
use crate::{Generated, PackgenError};

/// What the generator reports besides the pack: where each number comes
/// from, and what the engine does not model.
#[derive(Debug, Default)]
pub struct Report {
    /// "field = value  ← source" lines.
    pub trace: Vec<String>,
    /// Effects of the pack's spells, auras, passives and mastery that the
    /// engine does not model.
    pub unmodelled: Vec<String>,
    /// Talents of the tree, in the dump, that change nothing the pack
    /// simulates or nothing the engine models.
    pub talents_without_option: Vec<String>,
}

impl Report {
    pub(crate) fn trace(&mut self, field: &str, value: impl std::fmt::Display, source: &str) {
        self.trace.push(format!("{field} = {value}  <- {source}"));
    }
}

/// The rules file and the dump, for lookups that name the rule at fault.
pub(crate) struct Lookup<'a> {
    pub(crate) path: &'a str,
    pub(crate) dump: SpellDump,
    pub(crate) build: String,
}

impl Lookup<'_> {
    pub(crate) fn error(
        &self,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> PackgenError {
        PackgenError::Data {
            path: self.path.to_string(),
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn spell(&self, field: &str, id: u32) -> Result<&DumpSpell, PackgenError> {
        self.dump.spell(id).ok_or_else(|| {
            self.error(
                field,
                format!(
                    "spell {id} is not in the spell dump excerpt (build {})",
                    self.build
                ),
            )
        })
    }

    pub(crate) fn effect(
        &self,
        field: &str,
        r: EffectRef,
    ) -> Result<(&DumpSpell, &DumpEffect), PackgenError> {
        let spell = self.spell(field, r.spell)?;
        let effect = spell.effect(r.effect).ok_or_else(|| {
            self.error(
                field,
                format!("spell {} has no effect #{}", r.spell, r.effect),
            )
        })?;
        Ok((spell, effect))
    }

    pub(crate) fn source(&self, spell: &DumpSpell, effect: &DumpEffect) -> String {
        origin(&self.build, spell, effect)
    }

    pub(crate) fn field_source(&self, spell: &DumpSpell, field: &str) -> String {
        format!(
            "spelldump {} {} ({}) {field}",
            self.build, spell.id, spell.name
        )
    }

    /// The duration of `spell` (the rules' `field`), which it must have.
    pub(crate) fn duration_ms(&self, field: &str, spell: &DumpSpell) -> Result<u32, PackgenError> {
        spell
            .field_ms("Duration")
            .map_err(|e| self.dump_error(field, e))?
            .ok_or_else(|| self.error(field, format!("spell {} has no duration", spell.id)))
    }

    pub(crate) fn dump_error(&self, field: &str, e: impl std::fmt::Display) -> PackgenError {
        self.error(field, format!("the spell dump: {e}"))
    }
}

/// Generates the pack the rules in `rules_text` (the file `rules_path`)
/// describe, with `profile_text` (the rules' reference profile) as its
/// default character.
pub fn generate(
    rules_path: &str,
    rules_text: &str,
    profile_text: &str,
) -> Result<Generated, PackgenError> {
    let rules = Rules::parse(rules_path, rules_text)?;
    let data_error = |field: &str, message: String| PackgenError::Data {
        path: rules_path.to_string(),
        field: field.to_string(),
        message,
    };
    let dump = builds::spell_dump(&rules.class)
        .ok_or_else(|| {
            data_error(
                "class",
                format!("no spell dump is committed for `{}`", rules.class),
            )
        })?
        .map_err(|e| data_error("class", format!("the committed spell dump: {e}")))?;
    let look = Lookup {
        path: rules_path,
        build: dump.build().unwrap_or("unknown").to_string(),
        dump,
    };
    let mut report = Report::default();
    let spec_row = builds::spec(&rules.class, &rules.spec)
        .map_err(|e| look.error("spec", e.to_string()))?
        .ok_or_else(|| {
            look.error(
                "spec",
                format!("no spec `{}` of class `{}`", rules.spec, rules.class),
            )
        })?;
    let character = wowlab_simc::read_character(profile_text)
        .map_err(|e| PackgenError::Profile(format!("{}: {e}", rules.profile)))?;
    if character.spec != spec_row {
        return Err(PackgenError::Profile(format!(
            "{} is a {} {}, the rules are for {} {}",
            rules.profile, character.spec.name, character.spec.class, rules.spec, rules.class
        )));
    }
    let sheet = wowlab_simc::sheet(&character)
        .map_err(|e| PackgenError::Profile(format!("{}: {e}", rules.profile)))?;

    let parts = parts(&rules);
    let passive = passive_properties(&look, &rules)?;
    let resource = resource(&look, &rules, &mut report)?;
    let gcd_base = gcd_base(&look, &rules, &passive)?;
    let mut spells = Vec::new();
    for (i, r) in rules.spells.iter().enumerate() {
        spells.push(spell(&look, &rules, i, r, &passive, gcd_base, &mut report)?);
    }
    let auras = rules
        .auras
        .iter()
        .enumerate()
        .map(|(i, r)| aura(&look, i, r, &parts, &mut report))
        .collect::<Result<Vec<_>, _>>()?;
    let auto_attack = rules
        .auto_attack
        .as_ref()
        .map(|a| auto_attack(&look, &rules, a, &mut report))
        .transpose()?;
    let pets = rules
        .pet
        .as_ref()
        .map(|p| pet(&look, &rules, "pet", p, &mut report))
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let triggered = rules
        .triggered
        .iter()
        .enumerate()
        .map(|(i, r)| triggered(&look, &rules, i, r, &mut report))
        .collect::<Result<Vec<_>, _>>()?;
    let summons = rules
        .summons
        .iter()
        .enumerate()
        .map(|(i, r)| summon(&look, &rules, i, r, &mut report))
        .collect::<Result<Vec<_>, _>>()?;
    // A spell's `casts`: procs of the pack that always happen.
    let procs = rules
        .spells
        .iter()
        .flat_map(|s| {
            s.casts.iter().map(|t| spec::Proc {
                name: format!("{}_{t}", s.name),
                on: spec::Trigger::Cast,
                sources: vec![s.name.clone()],
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
                cast: Some(t.clone()),
                stacks: 1,
                summon_count: 1,
                cycle_reductions: Vec::new(),
                advance_cycle: None,
            })
        })
        .collect();
    let mut modifiers = passive_modifiers(&look, &rules, &parts, &mut report)?;
    if rules.combat.armor_specialization_percent != 0.0 {
        modifiers.push(Modifier {
            property: Property::PrimaryStatPercent,
            affects: Vec::new(),
            value: rules.combat.armor_specialization_percent,
            origin: "rules: the armor specialization of wearing the class's armor type only".into(),
        });
    }
    let mastery = mastery(&look, spec_row.mastery_spell, &parts, &mut report)?;
    let mut options = talent_options(&look, &rules, &parts, &mut report)?;
    options.extend(set_bonus_options(&look, &rules, &parts, &mut report)?);

    let ratings = builds::ratings(LEVEL)
        .map_err(|e| look.error("class", e.to_string()))?
        .ok_or_else(|| look.error("class", format!("no rating conversions at level {LEVEL}")))?;
    let ratings_source = format!("combat_ratings.csv {} level {LEVEL}", builds::DUMP_BUILD);
    report.trace(
        "combat.rating_per_percent",
        format!(
            "crit {}, haste {}, mastery {}, versatility {}",
            ratings.crit, ratings.haste, ratings.mastery, ratings.versatility
        ),
        &ratings_source,
    );
    report.trace(
        "combat.armor_k, target.armor",
        format!(
            "{}, {}",
            sheet.boss.armor_constant, sheet.boss.creature_armor
        ),
        &format!(
            "levels.csv {}: armor constant at level {LEVEL}, creature armor at level {}",
            builds::TABLES_BUILD,
            LEVEL + wowlab_simc::sheet::BOSS_LEVELS_ABOVE
        ),
    );
    let weapon_attack_power = rules.auto_attack.as_ref().map_or(0.0, |a| {
        let w = &a.weapon;
        (w.min + w.max) / 2.0 / (f64::from(w.speed_ms) / 1000.0)
            * rules.combat.attack_power_per_weapon_dps
    });
    if let Some(a) = &rules.auto_attack {
        report.trace(
            "player.weapon_attack_power",
            weapon_attack_power,
            &format!(
                "the weapon's damage per second ({}) × attack power per weapon DPS {} (rules)",
                a.weapon.origin, rules.combat.attack_power_per_weapon_dps
            ),
        );
    }
    let player = Stats {
        attack_power: sheet.attack_power,
        weapon_attack_power,
        crit_percent: sheet.crit_percent - BASE_CRIT_PERCENT,
        haste_percent: sheet.haste_percent,
        mastery_points: sheet.mastery_points - BASE_MASTERY_POINTS,
        versatility_percent: sheet.versatility_percent,
        ..Stats::default()
    };
    report.trace(
        "player",
        format!(
            "attack power {}, crit {} %, haste {} %, mastery {} points, versatility {} %",
            player.attack_power,
            player.crit_percent,
            player.haste_percent,
            player.mastery_points,
            player.versatility_percent
        ),
        &format!(
            "the character sheet of {} (gear summary, base stats, level {LEVEL}; no buffs)",
            rules.profile
        ),
    );
    report.trace(
        "combat.base_crit, combat.mastery.base_points",
        format!("{}, {BASE_MASTERY_POINTS}", BASE_CRIT_PERCENT / 100.0),
        "every character's base crit and mastery (host/simc/src/sheet.rs)",
    );
    report.trace(
        "combat.crit_multiplier",
        rules.combat.crit_multiplier,
        "rules",
    );
    let pack = SpecPack {
        name: rules.name.clone(),
        class: rules.class.clone(),
        spec: rules.spec.clone(),
        resource,
        gcd: spec::GcdRule {
            base_ms: gcd_base,
            min_ms: rules.gcd.min_ms,
        },
        combat: spec::Combat {
            base_crit: BASE_CRIT_PERCENT / 100.0,
            crit_multiplier: rules.combat.crit_multiplier,
            armor_k: sheet.boss.armor_constant,
            rating_per_percent: Ratings {
                crit: ratings.crit,
                haste: ratings.haste,
                mastery: ratings.mastery,
                versatility: ratings.versatility,
            },
            mastery: Mastery {
                base_points: BASE_MASTERY_POINTS,
                ..mastery
            },
        },
        player,
        target: Target {
            armor: sheet.boss.creature_armor,
            damage_taken: Vec::new(),
        },
        auto_attack,
        pets,
        spells,
        triggered,
        auras,
        procs,
        summons,
        cycles: Vec::new(),
        modifiers,
        options,
        stat_bonus: spec::StatBonus::default(),
    };
    let text = render(&rules, rules_path, &look.dump.header, &pack, &report)?;
    Ok(Generated { pack, text })
}

/// The pack's parts, by the rules' spell ids.
fn parts(rules: &Rules) -> Parts {
    let part = |name: &str, source: Source| Part {
        name: name.to_string(),
        source,
        cast: None,
        direct: None,
        periodic: None,
        aura: None,
        summon: None,
        auto: false,
    };
    let mut parts = Vec::new();
    if let Some(a) = &rules.auto_attack {
        parts.push(Part {
            direct: Some(a.spell),
            auto: true,
            ..part(&a.name, Source::Player)
        });
    }
    // The pet, and the pets talents bring.
    let pets = rules
        .pet
        .iter()
        .chain(rules.effects.iter().filter_map(|e| e.adds_pet.as_ref()));
    for p in pets {
        parts.push(Part {
            auto: true,
            ..part(&p.auto_attack.name, Source::Pet)
        });
        if let Some(b) = &p.basic_attack {
            parts.push(Part {
                direct: Some(b.damage.spell),
                auto: true,
                ..part(&b.name, Source::Pet)
            });
        }
    }
    for s in &rules.spells {
        parts.push(Part {
            cast: Some(s.cast),
            direct: s.damage.map(|d| d.spell),
            periodic: s.dot.map(|d| d.spell),
            ..part(&s.name, s.source)
        });
    }
    for t in &rules.triggered {
        parts.push(Part {
            direct: t.damage.map(|d| d.spell),
            periodic: t.dot.map(|d| d.spell),
            ..part(&t.name, t.source)
        });
    }
    for s in &rules.summons {
        parts.push(Part {
            summon: Some(s.spell),
            ..part(&s.name, s.source())
        });
        parts.push(Part {
            auto: true,
            ..part(&s.auto_attack.name, s.source())
        });
    }
    for a in &rules.auras {
        let source = match a.on {
            Carrier::Pet => Source::Pet,
            Carrier::Guardian => Source::Guardian,
            Carrier::Player | Carrier::Target => Source::Player,
        };
        parts.push(Part {
            aura: Some(a.spell),
            ..part(&a.name, source)
        });
    }
    Parts(parts)
}
