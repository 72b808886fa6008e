//! SimulationCraft's `optimal_raid` (on unless a profile switches it off):
//! the buffs a full raid gives every character, the debuffs it keeps on
//! the boss and Bloodlust at the pull, and the consumables whose amounts
//! the committed data fix. Every number is read from the committed raid
//! dump excerpt (`gamedata/<build>/spelldump/raid.txt`) and named with its
//! spell and effect.

use wowlab_engine::config::ExternalAura;
use wowlab_engine::spec::{Aura, Carrier, DamageTaken, School};
use wowlab_gamedata::builds;
use wowlab_gamedata::spelldump::{DumpEffect, DumpSpell, SpellDump};

use crate::sheet::SecondaryRatings;

/// Why the raid cannot be read: the committed data lack something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the committed raid data: {0}")]
pub struct RaidError(String);

/// What the raid adds to a character and its fight.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Raid {
    /// Attack power, in percent (Battle Shout).
    pub attack_power_percent: f64,
    /// Versatility, in points (Mark of the Wild).
    pub versatility_percent: f64,
    /// Mastery points (Skyfury; not reduced by diminishing returns).
    pub mastery_points: f64,
    /// The debuffs every target carries (Mystic Touch, Chaos Brand).
    pub damage_taken: Vec<DamageTaken>,
    /// Auras applied at set times: Bloodlust at the pull, Hunter's Mark on
    /// the primary target.
    pub external_auras: Vec<ExternalAura>,
    /// Each number's source, one line each.
    pub sources: Vec<String>,
}

/// Bloodlust's haste at the pull: Time Warp (80353) is its form in the
/// 12.0.5 dumps, which lack Bloodlust (2825) itself.
const BLOODLUST: u32 = 80353;
const BATTLE_SHOUT: u32 = 6673;
const MARK_OF_THE_WILD: u32 = 1126;
const SKYFURY: u32 = 462854;
const MYSTIC_TOUCH: u32 = 113746;
const CHAOS_BRAND: u32 = 1490;
const HUNTERS_MARK: u32 = 259556;
/// Midnight food's stats (effect #2: the primary stat of a primary-stat
/// food such as Silvermoon Parade).
const WELL_FED: u32 = 1219179;
const VOID_TOUCHED_RUNE: u32 = 1264426;

/// How long a raid buff without an end lasts: longer than any fight.
const WHOLE_FIGHT_MS: u32 = 3_600_000;

/// The committed dump's effect of `spell` whose aura is `kind`, with its source.
fn effect<'a>(
    dump: &'a SpellDump,
    spell: u32,
    kind: &str,
) -> Result<(&'a DumpEffect, String), RaidError> {
    let s = dump
        .spell(spell)
        .ok_or_else(|| RaidError(format!("spell {spell} is not in the raid dump excerpt")))?;
    let e = s
        .effects
        .iter()
        .find(|e| e.kind.contains(kind))
        .ok_or_else(|| RaidError(format!("{} ({spell}) has no `{kind}` effect", s.name)))?;
    let source = format!(
        "spelldump {} {spell} ({}) #{}",
        builds::DUMP_BUILD,
        s.name,
        e.index
    );
    Ok((e, source))
}

/// The effect's number `field`, or an error naming it.
fn number(e: &DumpEffect, field: &str, source: &str) -> Result<f64, RaidError> {
    e.number(field)
        .ok_or_else(|| RaidError(format!("{source} has no {field}")))
}

/// The schools a damage-taken effect names ("Affected School(s)").
fn schools(e: &DumpEffect, source: &str) -> Result<Vec<School>, RaidError> {
    let text = e
        .value("Affected School(s)")
        .ok_or_else(|| RaidError(format!("{source} names no school")))?;
    if text == "All" {
        return Ok(Vec::new());
    }
    text.split(", ")
        .map(|name| {
            Ok(match name {
                "Physical" => School::Physical,
                "Arcane" => School::Arcane,
                "Fire" => School::Fire,
                "Frost" => School::Frost,
                "Holy" => School::Holy,
                "Nature" => School::Nature,
                "Shadow" => School::Shadow,
                other => return Err(RaidError(format!("{source}: unknown school `{other}`"))),
            })
        })
        .collect()
}

/// A buff's duration in ms from its `Duration` field ("40 seconds").
fn duration_ms(dump: &SpellDump, spell: u32) -> Result<u32, RaidError> {
    let text = dump
        .spell(spell)
        .and_then(|s| s.field("Duration"))
        .ok_or_else(|| RaidError(format!("spell {spell} has no duration")))?;
    seconds_ms(text, spell)
}

/// A field of `spell` such as "40 seconds", in ms.
fn seconds_ms(text: &str, spell: u32) -> Result<u32, RaidError> {
    let seconds: f64 = text
        .strip_suffix(" seconds")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| RaidError(format!("spell {spell}: a time of `{text}`")))?;
    Ok((seconds * 1000.0).round() as u32)
}

/// An aura of one stack that does nothing yet.
fn aura(name: &str, on: Carrier, duration_ms: u32) -> Aura {
    Aura {
        name: name.into(),
        on,
        duration_ms,
        max_stacks: 1,
        damage_bonus: 0.0,
        haste_bonus: 0.0,
        crit_bonus: 0.0,
        attack_speed_bonus: 0.0,
        tick_time_bonus: 0.0,
        primary_attack_power: 0.0,
        affects: Vec::new(),
    }
}

/// `aura`, applied at the start of the fight.
fn at_the_pull(aura: Aura) -> ExternalAura {
    ExternalAura {
        at_ms: 0,
        every_ms: 0,
        aura,
    }
}

/// The committed raid dump excerpt, which [`optimal_raid`] and
/// [`consumable`] read.
pub fn raid_dump() -> Result<SpellDump, RaidError> {
    builds::raid_spell_dump().map_err(|e| RaidError(e.to_string()))
}

/// What `optimal_raid` gives, from the raid dump `dump`.
pub fn optimal_raid(dump: &SpellDump) -> Result<Raid, RaidError> {
    let mut raid = Raid::default();
    let (e, source) = effect(dump, BATTLE_SHOUT, "Attack Power%")?;
    raid.attack_power_percent = number(e, "Base Value", &source)?;
    raid.sources.push(format!(
        "attack power +{} %: {source}",
        raid.attack_power_percent
    ));
    let (e, source) = effect(dump, MARK_OF_THE_WILD, "Modify Versatility%")?;
    raid.versatility_percent = number(e, "Base Value", &source)?;
    raid.sources.push(format!(
        "versatility +{} %: {source}",
        raid.versatility_percent
    ));
    let (e, source) = effect(dump, SKYFURY, "Modify Mastery%")?;
    raid.mastery_points = number(e, "Base Value", &source)?;
    raid.sources
        .push(format!("mastery +{} points: {source}", raid.mastery_points));
    for (name, spell) in [("mystic_touch", MYSTIC_TOUCH), ("chaos_brand", CHAOS_BRAND)] {
        let (e, source) = effect(dump, spell, "Modify Damage Taken%")?;
        let d = DamageTaken {
            name: name.into(),
            percent: number(e, "Base Value", &source)?,
            schools: schools(e, &source)?,
        };
        raid.sources.push(format!(
            "target {name}: {} % more damage taken ({:?}): {source}",
            d.percent, d.schools
        ));
        raid.damage_taken.push(d);
    }
    let (e, source) = effect(dump, HUNTERS_MARK, "Modify Damage Taken%")?;
    if !schools(e, &source)?.is_empty() {
        return Err(RaidError(format!("{source}: expected all schools")));
    }
    let mark = number(e, "Base Value", &source)?;
    raid.sources.push(format!(
        "primary target hunters_mark: {mark} % more damage taken: {source}"
    ));
    raid.external_auras.push(at_the_pull(Aura {
        damage_bonus: mark / 100.0,
        ..aura("hunters_mark", Carrier::Target, WHOLE_FIGHT_MS)
    }));
    let (e, source) = effect(dump, BLOODLUST, "Modify All Haste%")?;
    let haste = number(e, "Base Value", &source)?;
    let lasts = duration_ms(dump, BLOODLUST)?;
    raid.sources.push(format!(
        "bloodlust at the pull: +{haste} % haste for {} s: {source}",
        lasts / 1000
    ));
    raid.external_auras.push(at_the_pull(Aura {
        haste_bonus: haste / 100.0,
        ..aura("bloodlust", Carrier::Player, lasts)
    }));
    Ok(raid)
}

/// What a consumable of the profile gives.
#[derive(Debug, Clone, PartialEq)]
pub enum ConsumableEffect {
    /// Primary stat for the whole fight (food, an augment rune).
    PrimaryStat(f64),
    /// Secondary ratings for the whole fight (a flask).
    Ratings(SecondaryRatings),
    /// Primary stat for `duration_ms`, used at the pull and again each time
    /// its `cooldown_ms` ends (a potion, which the reference action list
    /// uses with Bestial Wrath at the pull and once its cooldown allows).
    TimedPrimaryStat {
        /// The stat.
        amount: f64,
        /// How long one use lasts.
        duration_ms: u32,
        /// Its cooldown.
        cooldown_ms: u32,
    },
}

impl std::fmt::Display for ConsumableEffect {
    /// What it gives, in words ("+695 agility for 30 s at the pull and
    /// every 300 s").
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::PrimaryStat(amount) => write!(f, "+{amount} agility"),
            Self::Ratings(r) => {
                let named = [
                    (r.crit, "crit"),
                    (r.haste, "haste"),
                    (r.mastery, "mastery"),
                    (r.versatility, "versatility"),
                ];
                let parts: Vec<String> = named
                    .iter()
                    .filter(|(v, _)| *v != 0.0)
                    .map(|(v, name)| format!("+{v} {name} rating"))
                    .collect();
                write!(f, "{}", parts.join(", "))
            }
            Self::TimedPrimaryStat {
                amount,
                duration_ms,
                cooldown_ms,
            } => write!(
                f,
                "+{amount} agility for {} s at the pull and every {} s",
                f64::from(*duration_ms) / 1000.0,
                f64::from(*cooldown_ms) / 1000.0
            ),
        }
    }
}

/// What the consumable `option=value` of a profile gives (`food=`,
/// `augmentation=`, `flask=`, `potion=` and their values), with its source;
/// `None` for one the committed data do not have; `dump` is the raid dump.
pub fn consumable(
    dump: &SpellDump,
    option: &str,
    value: &str,
) -> Result<Option<(ConsumableEffect, String)>, RaidError> {
    let fixed = match (option, value) {
        ("food", "silvermoon_parade") => Some((WELL_FED, 2)),
        ("augmentation", "void_touched") => Some((VOID_TOUCHED_RUNE, 1)),
        _ => None,
    };
    if let Some((spell, index)) = fixed {
        let (_, e, source) = dump_effect(dump, spell, index)?;
        let source = format!("{source}, its value at level 90");
        let amount = number(e, "Scaled Value", &source)?;
        return Ok(Some((ConsumableEffect::PrimaryStat(amount), source)));
    }
    if !matches!(option, "flask" | "potion") {
        return Ok(None);
    }
    let data = |e: wowlab_gamedata::tables::TableError| RaidError(e.to_string());
    let Some(item) = builds::consumable(value).map_err(data)? else {
        return Ok(None);
    };
    let (spell, e, effect_source) = dump_effect(dump, item.spell, item.effect)?;
    let coefficient = e
        .coefficient()
        .ok_or_else(|| RaidError(format!("{effect_source} has no coefficient")))?;
    let level = item.item_level;
    let budget = builds::consumable_budget(level)
        .map_err(data)?
        .ok_or_else(|| RaidError(format!("no item budget for item level {level}")))?;
    // A secondary rating's budget is scaled by a trinket's combat rating
    // multiplier (SimulationCraft's stand-in item for a consumable).
    let secondary = e.kind.contains("Secondary Rating (-7)");
    let multiplier = if secondary {
        builds::trinket_rating_multiplier(level)
            .map_err(data)?
            .ok_or_else(|| {
                RaidError(format!(
                    "no trinket rating multiplier for item level {level}"
                ))
            })?
    } else {
        1.0
    };
    let amount = coefficient * budget * multiplier;
    let source = format!(
        "{effect_source}: coefficient {coefficient} × item level {level}'s consumable budget {budget} (item_budgets.csv){} (item {}, consumables.csv)",
        if secondary {
            format!(" × a trinket's rating multiplier {multiplier} (rating_multipliers.csv)")
        } else {
            String::new()
        },
        item.item_id
    );
    let effect = if e.kind.contains("Modify Rating (189)") {
        let mut r = SecondaryRatings::default();
        match e.value("Rating") {
            Some("Critical Strike") => r.crit = amount,
            Some("Haste") => r.haste = amount,
            Some("Mastery") => r.mastery = amount,
            Some("Versatility") => r.versatility = amount,
            other => {
                return Err(RaidError(format!("{effect_source}: a rating of {other:?}")));
            }
        }
        ConsumableEffect::Ratings(r)
    } else if e.kind.contains("Attribute (29)") && e.value("Stat") == Some("StrAgiInt") {
        let time = |field: &str| match spell.field(field) {
            Some(text) => seconds_ms(text, item.spell),
            None => Err(RaidError(format!(
                "{effect_source}: a potion without a {field}"
            ))),
        };
        ConsumableEffect::TimedPrimaryStat {
            amount,
            duration_ms: time("Duration")?,
            cooldown_ms: time("Cooldown")?,
        }
    } else {
        return Err(RaidError(format!(
            "{effect_source}: `{}` is not a consumable's stat",
            e.kind
        )));
    };
    Ok(Some((effect, source)))
}

/// A potion of `attack_power` (from its primary stat) for `duration_ms`,
/// used at the pull and each time its `cooldown_ms` ends.
pub fn timed_aura(
    name: &str,
    attack_power: f64,
    duration_ms: u32,
    cooldown_ms: u32,
) -> ExternalAura {
    ExternalAura {
        at_ms: 0,
        every_ms: cooldown_ms,
        aura: Aura {
            primary_attack_power: attack_power,
            ..aura(name, Carrier::Player, duration_ms)
        },
    }
}

/// `spell` of the raid dump and its effect `index`, with the effect's
/// source.
fn dump_effect(
    dump: &SpellDump,
    spell: u32,
    index: u32,
) -> Result<(&DumpSpell, &DumpEffect, String), RaidError> {
    let s = dump
        .spell(spell)
        .ok_or_else(|| RaidError(format!("spell {spell} is not in the raid dump excerpt")))?;
    let e = s
        .effect(index)
        .ok_or_else(|| RaidError(format!("{} ({spell}) has no effect #{index}", s.name)))?;
    let source = format!(
        "spelldump {} {spell} ({}) #{index}",
        builds::DUMP_BUILD,
        s.name
    );
    Ok((s, e, source))
}

/// Why a consumable of kind `option` (`flask`, `potion`, ...) that
/// [`consumable`] does not know is not simulated.
pub fn consumable_gap(option: &str) -> &'static str {
    match option {
        "flask" | "potion" => "not in the committed data (consumables.csv)",
        "temporary_enchant" => "weapon oils are not modelled yet",
        _ => "not in the committed data",
    }
}
