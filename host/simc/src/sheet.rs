//! The character sheet: what a character's gear and level give, before
//! talents, buffs and consumables (which the spec pack applies): primary
//! stats, attack power, crit, haste, mastery and versatility after
//! diminishing returns, and the raid boss's armor against it.

use wowlab_gamedata::builds;
use wowlab_gamedata::combat::{LevelArmor, Ratings};

use crate::character::{Character, LEVEL};

/// Crit chance every character has, in percent (SimulationCraft's base
/// crit; it reproduces the published character sheets).
pub const BASE_CRIT_PERCENT: f64 = 5.0;

/// Mastery points every character has (SimulationCraft's player setup).
pub const BASE_MASTERY_POINTS: f64 = 8.0;

/// How many levels a raid boss is above the player.
pub const BOSS_LEVELS_ABOVE: u32 = 3;

/// Why a sheet cannot be made: the committed data lack something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SheetError(String);

/// Secondary stat ratings.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SecondaryRatings {
    /// Critical strike rating.
    pub crit: f64,
    /// Haste rating.
    pub haste: f64,
    /// Mastery rating.
    pub mastery: f64,
    /// Versatility rating.
    pub versatility: f64,
}

impl std::ops::Add for SecondaryRatings {
    type Output = Self;

    fn add(self, other: Self) -> Self {
        Self {
            crit: self.crit + other.crit,
            haste: self.haste + other.haste,
            mastery: self.mastery + other.mastery,
            versatility: self.versatility + other.versatility,
        }
    }
}

/// The character sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Strength: base, race and gear.
    pub strength: f64,
    /// Agility: base, race and gear.
    pub agility: f64,
    /// Intellect: base, race and gear.
    pub intellect: f64,
    /// Attack power from the primary stats.
    pub attack_power: f64,
    /// Attack power per point of agility (the primary stat of the
    /// committed classes: what a consumable's primary stat raises).
    pub attack_power_per_agility: f64,
    /// Crit chance in percent: base plus rating after diminishing returns.
    pub crit_percent: f64,
    /// Haste in percent, from rating after diminishing returns.
    pub haste_percent: f64,
    /// Mastery points: base plus rating after diminishing returns.
    pub mastery_points: f64,
    /// Percent of the spec's mastery effect per point (its spell's effect #1
    /// coefficient in the spell dump), 0 when the dump lacks the spell.
    pub mastery_coefficient: f64,
    /// Versatility (damage done) in percent, from rating after diminishing returns.
    pub versatility_percent: f64,
    /// The raid boss: its armor and the armor constant of the player's level.
    pub boss: LevelArmor,
    /// The ratings the percents above come from (the gear's, and what
    /// [`Sheet::with_ratings`] added).
    pub ratings: SecondaryRatings,
    /// How ratings become percents at the character's level.
    conversion: Ratings,
    /// What the sheet could not take into account, and why.
    pub notes: Vec<String>,
}

impl Sheet {
    /// The spec's mastery effect in percent.
    pub fn mastery_percent(&self) -> f64 {
        self.mastery_points * self.mastery_coefficient
    }

    /// The fraction of physical damage the boss's armor removes.
    pub fn boss_mitigation(&self) -> f64 {
        self.boss.mitigation(self.boss.creature_armor)
    }

    /// The sheet with `extra` ratings (a flask's, say) on top of the
    /// gear's: they add to the gear's before diminishing returns, as the
    /// game counts them.
    pub fn with_ratings(&self, extra: SecondaryRatings) -> Sheet {
        let mut sheet = self.clone();
        sheet.set_ratings(self.ratings + extra);
        sheet
    }

    /// Sets the ratings and the percents they give.
    fn set_ratings(&mut self, ratings: SecondaryRatings) {
        let c = &self.conversion;
        self.crit_percent = BASE_CRIT_PERCENT + c.convert(ratings.crit, c.crit);
        self.haste_percent = c.convert(ratings.haste, c.haste);
        self.mastery_points = BASE_MASTERY_POINTS + c.convert(ratings.mastery, c.mastery);
        self.versatility_percent = c.convert(ratings.versatility, c.versatility);
        self.ratings = ratings;
    }
}

fn missing(what: String) -> SheetError {
    SheetError(format!("the committed game data have no {what}"))
}

fn data<T>(
    r: Result<Option<T>, wowlab_gamedata::tables::TableError>,
    what: String,
) -> Result<T, SheetError> {
    r.map_err(|e| SheetError(format!("the committed game data: {e}")))?
        .ok_or_else(|| missing(what))
}

/// The sheet of `c`.
pub fn sheet(c: &Character) -> Result<Sheet, SheetError> {
    let class = &c.spec.class;
    let base = data(
        builds::base_stats(class, c.race.as_deref(), c.level),
        format!("base stats of a level {} {class}", c.level),
    )?;
    let mut notes = Vec::new();
    if let Some(race) = &c.race {
        let class_only = builds::base_stats(class, None, c.level).ok().flatten();
        if class_only == Some(base) {
            notes.push(format!(
                "race {race}: the committed data have no racial stat modifiers for it; the class's base stats are used"
            ));
        }
    }
    let power = data(
        builds::class_power(class),
        format!("attack power rules of {class}"),
    )?;
    let ratings = data(
        builds::ratings(c.level),
        format!("rating conversions at level {}", c.level),
    )?;
    let boss_level = LEVEL + BOSS_LEVELS_ABOVE;
    let boss = data(
        builds::level_armor(boss_level),
        format!("armor of level {boss_level} creatures"),
    )?;
    let player = data(
        builds::level_armor(c.level),
        format!("armor constant of level {}", c.level),
    )?;
    let g = &c.gear;
    let (strength, agility, intellect) = (
        base.strength + g.strength,
        base.agility + g.agility,
        base.intellect + g.intellect,
    );
    let attack_power_per_agility = power.ap_per_agility.max(power.ranged_ap_per_agility);
    let attack_power = agility * attack_power_per_agility + strength * power.ap_per_strength;
    let mastery_coefficient = builds::spell_dump(class)
        .and_then(Result::ok)
        .and_then(|dump| {
            dump.spell(c.spec.mastery_spell)
                .and_then(|s| s.effect(1))
                .and_then(|e| e.number("SP Coefficient"))
        })
        .unwrap_or(0.0);
    if mastery_coefficient == 0.0 {
        notes.push(format!(
            "mastery: the spell dump has no coefficient for spell {}; mastery is worth nothing here",
            c.spec.mastery_spell
        ));
    }
    let mut sheet = Sheet {
        strength,
        agility,
        intellect,
        attack_power,
        attack_power_per_agility,
        crit_percent: 0.0,
        haste_percent: 0.0,
        mastery_points: 0.0,
        mastery_coefficient,
        versatility_percent: 0.0,
        boss: LevelArmor {
            creature_armor: boss.creature_armor,
            armor_constant: player.armor_constant,
        },
        notes,
        ratings: SecondaryRatings::default(),
        conversion: ratings,
    };
    sheet.set_ratings(SecondaryRatings {
        crit: g.crit_rating,
        haste: g.haste_rating,
        mastery: g.mastery_rating,
        versatility: g.versatility_rating,
    });
    Ok(sheet)
}
