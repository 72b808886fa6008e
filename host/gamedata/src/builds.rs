//! The committed game data, compiled in: `gamedata/<build>/` at the
//! repository's root.

use std::path::Path;

use crate::combat::{self, BaseStats, ClassPower, LevelArmor, PowerType, Ratings};
use crate::extract::{Spec, parse_specs};
use crate::items::{self, Consumable};
use crate::spelldump::{DumpError, SpellDump};
use crate::tables::TableError;
use crate::talents::TalentTree;

/// The build of the game's tables the project's data come from.
pub const TABLES_BUILD: &str = "12.0.5.66529";

/// The build of the spell data dump excerpts.
pub const DUMP_BUILD: &str = "12.0.5.67823";

/// The classes whose trees are committed for [`TABLES_BUILD`].
pub const CLASSES: &[&str] = &["hunter"];

/// One committed file: its path under `gamedata/` and its text.
struct Committed {
    path: &'static str,
    text: &'static str,
}

macro_rules! committed {
    ($path:literal) => {
        Committed {
            path: $path,
            text: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../gamedata/",
                $path
            )),
        }
    };
}

const SPECS: Committed = committed!("12.0.5.66529/specs.csv");
const TALENTS: &[(&str, Committed)] = &[("hunter", committed!("12.0.5.66529/talents/hunter.csv"))];
const CLASSES_CSV: Committed = committed!("12.0.5.66529/classes.csv");
const LEVELS: Committed = committed!("12.0.5.66529/levels.csv");
const POWER_TYPES: Committed = committed!("12.0.5.66529/power_types.csv");
const ITEM_BUDGETS: Committed = committed!("12.0.5.66529/item_budgets.csv");
const RATING_MULTIPLIERS: Committed = committed!("12.0.5.67823/rating_multipliers.csv");
const CONSUMABLES: Committed = committed!("12.0.5.67823/consumables.csv");
const RATINGS: Committed = committed!("12.0.5.67823/combat_ratings.csv");
const RATING_CURVE: Committed = committed!("12.0.5.67823/rating_curve.csv");
const BASE_STATS: Committed = committed!("12.0.1.66709/base_stats.csv");
const DUMPS: &[(&str, Committed)] = &[("hunter", committed!("12.0.5.67823/spelldump/hunter.txt"))];
const RAID_DUMP: Committed = committed!("12.0.5.67823/spelldump/raid.txt");

/// Every specialization with a talent tree, at [`TABLES_BUILD`].
pub fn specs() -> Result<Vec<Spec>, TableError> {
    parse_specs(Path::new(SPECS.path), SPECS.text)
}

/// The specialization `spec` of `class` (SimulationCraft's spelling).
pub fn spec(class: &str, spec: &str) -> Result<Option<Spec>, TableError> {
    Ok(specs()?
        .into_iter()
        .find(|s| s.class == class && s.name == spec))
}

/// The talent tree of `class` at [`TABLES_BUILD`], if committed.
pub fn talent_tree(class: &str) -> Option<Result<TalentTree, TableError>> {
    let (_, file) = TALENTS.iter().find(|(c, _)| *c == class)?;
    Some(TalentTree::from_csv(
        TABLES_BUILD,
        class,
        Path::new(file.path),
        file.text,
    ))
}

/// Rating conversions at `level`, if committed.
pub fn ratings(level: u32) -> Result<Option<Ratings>, TableError> {
    combat::parse_ratings(
        (Path::new(RATINGS.path), Path::new(RATING_CURVE.path)),
        RATINGS.text,
        RATING_CURVE.text,
        level,
    )
}

/// Base primary stats of `class` (with `race`'s modifiers) at `level`.
pub fn base_stats(
    class: &str,
    race: Option<&str>,
    level: u32,
) -> Result<Option<BaseStats>, TableError> {
    combat::parse_base_stats(
        Path::new(BASE_STATS.path),
        BASE_STATS.text,
        class,
        race,
        level,
    )
}

/// How `class`'s primary stats become attack power.
pub fn class_power(class: &str) -> Result<Option<ClassPower>, TableError> {
    combat::parse_class_power(Path::new(CLASSES_CSV.path), CLASSES_CSV.text, class)
}

/// Creature armor and the armor constant at `level`.
pub fn level_armor(level: u32) -> Result<Option<LevelArmor>, TableError> {
    combat::parse_level(Path::new(LEVELS.path), LEVELS.text, level)
}

/// The resource called `name` (e.g. "focus"), if committed.
pub fn power_type(name: &str) -> Result<Option<PowerType>, TableError> {
    combat::parse_power_type(Path::new(POWER_TYPES.path), POWER_TYPES.text, name)
}

/// The consumable SimulationCraft calls `name` (e.g.
/// `flask_of_the_magisters_2`), if committed.
pub fn consumable(name: &str) -> Result<Option<Consumable>, TableError> {
    items::parse_consumable(Path::new(CONSUMABLES.path), CONSUMABLES.text, name)
}

/// A consumable's stat budget at `item_level`.
pub fn consumable_budget(item_level: u32) -> Result<Option<f64>, TableError> {
    items::parse_consumable_budget(Path::new(ITEM_BUDGETS.path), ITEM_BUDGETS.text, item_level)
}

/// The combat rating multiplier of a trinket of `item_level`, if committed.
pub fn trinket_rating_multiplier(item_level: u32) -> Result<Option<f64>, TableError> {
    items::parse_trinket_rating_multiplier(
        Path::new(RATING_MULTIPLIERS.path),
        RATING_MULTIPLIERS.text,
        item_level,
    )
}

/// The spell dump excerpt of `class` at [`DUMP_BUILD`], if committed.
pub fn spell_dump(class: &str) -> Option<Result<SpellDump, DumpError>> {
    let (_, file) = DUMPS.iter().find(|(c, _)| *c == class)?;
    Some(SpellDump::parse(file.text))
}

/// The spell dump excerpt of the raid's buffs, debuffs and consumables
/// (other classes' spells, and items') at [`DUMP_BUILD`].
pub fn raid_spell_dump() -> Result<SpellDump, DumpError> {
    SpellDump::parse(RAID_DUMP.text)
}

/// The committed text of `path` under `gamedata/` (for the check that the
/// extraction tool reproduces it).
pub fn committed_text(path: &str) -> Option<&'static str> {
    [&SPECS, &CLASSES_CSV, &LEVELS, &POWER_TYPES, &ITEM_BUDGETS]
        .into_iter()
        .chain(TALENTS.iter().map(|(_, f)| f))
        .find(|f| f.path == path)
        .map(|f| f.text)
}
