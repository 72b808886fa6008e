//! SimulationCraft's `optimal_raid` (on unless a profile switches it off):
//! the buffs a full raid gives every character, the debuffs it keeps on
//! the boss and Bloodlust at the pull, and the consumables whose amounts
//! the committed data fix. Every number is read from the committed raid
//! dump excerpt (`gamedata/<build>/spelldump/raid.txt`) and named with its
//! spell and effect.

use wowlab_engine::config::ExternalAura;
use wowlab_engine::spec::{Aura, Carrier, DamageTaken, School};
use wowlab_gamedata::builds;
use wowlab_gamedata::spelldump::{DumpEffect, SpellDump};

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
    let seconds: f64 = text
        .strip_suffix(" seconds")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| RaidError(format!("spell {spell}: a duration of `{text}`")))?;
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
        affects: Vec::new(),
    }
}

/// `aura`, applied at the start of the fight.
fn at_the_pull(aura: Aura) -> ExternalAura {
    ExternalAura { at_ms: 0, aura }
}

/// What `optimal_raid` gives, from the committed raid dump.
pub fn optimal_raid() -> Result<Raid, RaidError> {
    let dump = builds::raid_spell_dump().map_err(|e| RaidError(e.to_string()))?;
    let mut raid = Raid::default();
    let (e, source) = effect(&dump, BATTLE_SHOUT, "Attack Power%")?;
    raid.attack_power_percent = number(e, "Base Value", &source)?;
    raid.sources.push(format!(
        "attack power +{} %: {source}",
        raid.attack_power_percent
    ));
    let (e, source) = effect(&dump, MARK_OF_THE_WILD, "Modify Versatility%")?;
    raid.versatility_percent = number(e, "Base Value", &source)?;
    raid.sources.push(format!(
        "versatility +{} %: {source}",
        raid.versatility_percent
    ));
    let (e, source) = effect(&dump, SKYFURY, "Modify Mastery%")?;
    raid.mastery_points = number(e, "Base Value", &source)?;
    raid.sources
        .push(format!("mastery +{} points: {source}", raid.mastery_points));
    for (name, spell) in [("mystic_touch", MYSTIC_TOUCH), ("chaos_brand", CHAOS_BRAND)] {
        let (e, source) = effect(&dump, spell, "Modify Damage Taken%")?;
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
    let (e, source) = effect(&dump, HUNTERS_MARK, "Modify Damage Taken%")?;
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
    let (e, source) = effect(&dump, BLOODLUST, "Modify All Haste%")?;
    let haste = number(e, "Base Value", &source)?;
    let lasts = duration_ms(&dump, BLOODLUST)?;
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

/// The primary stat a consumable of the profile gives (`food=` or
/// `augmentation=` and its value), with its source; `None` for one whose
/// amount the committed data do not fix.
pub fn consumable_primary_stat(
    option: &str,
    value: &str,
) -> Result<Option<(f64, String)>, RaidError> {
    let (spell, index) = match (option, value) {
        ("food", "silvermoon_parade") => (WELL_FED, 2),
        ("augmentation", "void_touched") => (VOID_TOUCHED_RUNE, 1),
        _ => return Ok(None),
    };
    let dump = builds::raid_spell_dump().map_err(|e| RaidError(e.to_string()))?;
    let s = dump
        .spell(spell)
        .ok_or_else(|| RaidError(format!("spell {spell} is not in the raid dump excerpt")))?;
    let e = s
        .effect(index)
        .ok_or_else(|| RaidError(format!("{} ({spell}) has no effect #{index}", s.name)))?;
    let source = format!(
        "spelldump {} {spell} ({}) #{index}, its value at level 90",
        builds::DUMP_BUILD,
        s.name
    );
    Ok(Some((number(e, "Scaled Value", &source)?, source)))
}

/// Why a consumable of kind `option` (`flask`, `potion`, ...) that
/// [`consumable_primary_stat`] does not know is not simulated.
pub fn consumable_gap(option: &str) -> &'static str {
    match option {
        "flask" | "potion" => {
            "not modelled: its amount scales with its item's level, which the committed data lack"
        }
        "temporary_enchant" => "weapon oils are not modelled yet",
        _ => "not in the committed data",
    }
}
