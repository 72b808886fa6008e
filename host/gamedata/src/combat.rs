//! The numbers that turn a character's stats into combat values: rating
//! conversions with their diminishing returns, base stats, attack power per
//! primary stat, and the armor of creatures by level.

use std::path::Path;

use crate::tables::{Table, TableError};

/// Rating per 1 % (mastery: per point) at one level, and the curve of
/// diminishing returns the percent from rating goes through.
#[derive(Debug, Clone, PartialEq)]
pub struct Ratings {
    /// Crit rating per 1 % crit chance.
    pub crit: f64,
    /// Haste rating per 1 % haste.
    pub haste: f64,
    /// Mastery rating per mastery point.
    pub mastery: f64,
    /// Versatility rating per 1 % damage done.
    pub versatility: f64,
    /// (input, output) points of the diminishing-returns curve, by input.
    pub curve: Vec<(f64, f64)>,
}

impl Ratings {
    /// The percent (mastery: points) that `rating` gives at `per` rating
    /// per unit, after diminishing returns.
    pub fn convert(&self, rating: f64, per: f64) -> f64 {
        self.diminish(rating / per)
    }

    /// `value` through the curve, linear between its points (and past the
    /// last point, at the last segment's slope).
    pub fn diminish(&self, value: f64) -> f64 {
        let points = &self.curve;
        if points.len() < 2 || value <= points[0].0 {
            return value;
        }
        let segment = points
            .windows(2)
            .find(|w| value <= w[1].0)
            .unwrap_or(&points[points.len() - 2..]);
        let ((x0, y0), (x1, y1)) = (segment[0], segment[1]);
        y0 + (value - x0) * (y1 - y0) / (x1 - x0)
    }
}

/// A class's or race's base primary stats at a level.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BaseStats {
    /// Strength.
    pub strength: f64,
    /// Agility.
    pub agility: f64,
    /// Stamina.
    pub stamina: f64,
    /// Intellect.
    pub intellect: f64,
}

/// How a class's primary stats become attack power.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassPower {
    /// Attack power per agility (melee).
    pub ap_per_agility: f64,
    /// Attack power per agility (ranged).
    pub ranged_ap_per_agility: f64,
    /// Attack power per strength.
    pub ap_per_strength: f64,
}

/// A level's creature armor and armor constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelArmor {
    /// The expected armor of a creature of this level.
    pub creature_armor: f64,
    /// K of `armor / (armor + K)` for attackers of this level.
    pub armor_constant: f64,
}

impl LevelArmor {
    /// The fraction of physical damage `armor` removes against this constant.
    pub fn mitigation(&self, armor: f64) -> f64 {
        armor / (armor + self.armor_constant)
    }
}

/// Reads `combat_ratings.csv` and `rating_curve.csv` text for `level`.
pub fn parse_ratings(
    names: (&Path, &Path),
    ratings: &str,
    curve: &str,
    level: u32,
) -> Result<Option<Ratings>, TableError> {
    let t = Table::from_reader(names.0, ratings.as_bytes())?;
    let (rating, lvl, per) = (
        t.column("rating")?,
        t.column("level")?,
        t.column("rating_per_percent")?,
    );
    let mut found = [None; 4];
    for row in t.rows() {
        if row.number::<u32>(&lvl)? != level {
            continue;
        }
        let slot = match row.text(&rating) {
            "crit" => 0,
            "haste" => 1,
            "mastery" => 2,
            "versatility" => 3,
            _ => continue,
        };
        found[slot] = Some(row.number::<f64>(&per)?);
    }
    let [Some(crit), Some(haste), Some(mastery), Some(versatility)] = found else {
        return Ok(None);
    };
    let c = Table::from_reader(names.1, curve.as_bytes())?;
    let (input, output) = (c.column("input")?, c.column("output")?);
    let mut points = c
        .rows()
        .map(|r| Ok((r.number::<f64>(&input)?, r.number::<f64>(&output)?)))
        .collect::<Result<Vec<_>, TableError>>()?;
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(Some(Ratings {
        crit,
        haste,
        mastery,
        versatility,
        curve: points,
    }))
}

/// Reads `base_stats.csv` text: the class's row plus the race's, at `level`.
pub fn parse_base_stats(
    name: &Path,
    text: &str,
    class: &str,
    race: Option<&str>,
    level: u32,
) -> Result<Option<BaseStats>, TableError> {
    let t = Table::from_reader(name, text.as_bytes())?;
    let c = |n: &str| t.column(n);
    let (cls, rc, lvl) = (c("class")?, c("race")?, c("level")?);
    let (s, a, st, i) = (
        c("strength")?,
        c("agility")?,
        c("stamina")?,
        c("intellect")?,
    );
    let mut base = None;
    let mut racial = BaseStats::default();
    for row in t.rows() {
        if row.number::<u32>(&lvl)? != level {
            continue;
        }
        let stats = BaseStats {
            strength: row.number(&s)?,
            agility: row.number(&a)?,
            stamina: row.number(&st)?,
            intellect: row.number(&i)?,
        };
        if row.text(&cls) == class && row.text(&rc).is_empty() {
            base = Some(stats);
        } else if row.text(&cls).is_empty() && Some(row.text(&rc)) == race {
            racial = stats;
        }
    }
    Ok(base.map(|b| BaseStats {
        strength: b.strength + racial.strength,
        agility: b.agility + racial.agility,
        stamina: b.stamina + racial.stamina,
        intellect: b.intellect + racial.intellect,
    }))
}

/// Reads `classes.csv` text for `class`.
pub fn parse_class_power(
    name: &Path,
    text: &str,
    class: &str,
) -> Result<Option<ClassPower>, TableError> {
    let t = Table::from_reader(name, text.as_bytes())?;
    let (cls, agi, ranged, strength) = (
        t.column("class")?,
        t.column("attack_power_per_agility")?,
        t.column("ranged_attack_power_per_agility")?,
        t.column("attack_power_per_strength")?,
    );
    for row in t.rows() {
        if row.text(&cls) == class {
            return Ok(Some(ClassPower {
                ap_per_agility: row.number(&agi)?,
                ranged_ap_per_agility: row.number(&ranged)?,
                ap_per_strength: row.number(&strength)?,
            }));
        }
    }
    Ok(None)
}

/// A resource: its maximum and how fast it comes back.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerType {
    /// The game's power type number (what spell costs name, e.g. 2 for focus).
    pub power_type: u32,
    /// Its name, lower case, e.g. "focus".
    pub name: String,
    /// Its maximum before talents.
    pub max: f64,
    /// Regeneration per second in combat (negative: it decays).
    pub regen_combat: f64,
}

/// Reads `power_types.csv` text for the resource called `name` (e.g. "focus").
pub fn parse_power_type(
    path: &Path,
    text: &str,
    name: &str,
) -> Result<Option<PowerType>, TableError> {
    let t = Table::from_reader(path, text.as_bytes())?;
    let (power, tag, max, combat) = (
        t.column("power_type")?,
        t.column("name")?,
        t.column("max")?,
        t.column("regen_combat")?,
    );
    for row in t.rows() {
        if row.text(&tag) == name {
            return Ok(Some(PowerType {
                power_type: row.number(&power)?,
                name: name.to_string(),
                max: row.number(&max)?,
                regen_combat: row.number(&combat)?,
            }));
        }
    }
    Ok(None)
}

/// Reads `levels.csv` text for `level`.
pub fn parse_level(name: &Path, text: &str, level: u32) -> Result<Option<LevelArmor>, TableError> {
    let t = Table::from_reader(name, text.as_bytes())?;
    let (lvl, armor, constant) = (
        t.column("level")?,
        t.column("creature_armor")?,
        t.column("armor_constant")?,
    );
    for row in t.rows() {
        if row.number::<u32>(&lvl)? == level {
            return Ok(Some(LevelArmor {
                creature_armor: row.number(&armor)?,
                armor_constant: row.number(&constant)?,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratings() -> Ratings {
        Ratings {
            crit: 46.0,
            haste: 44.0,
            mastery: 46.0,
            versatility: 54.0,
            curve: vec![
                (0.0, 0.0),
                (30.0, 30.0),
                (40.0, 39.0),
                (50.0, 47.0),
                (200.0, 126.0),
            ],
        }
    }

    #[test]
    fn the_curve_is_linear_between_points_and_untouched_below_the_first_bend() {
        let r = ratings();
        assert_eq!(r.diminish(20.0), 20.0);
        assert_eq!(r.diminish(30.0), 30.0);
        // Between 30 and 40, each percent is worth 0.9.
        assert!((r.diminish(35.0) - 34.5).abs() < 1e-12);
        assert!((r.diminish(45.0) - 43.0).abs() < 1e-12);
        // 1380 crit rating is 30 %: untouched; 1840 is 40 % → 39 %.
        assert_eq!(r.convert(1380.0, r.crit), 30.0);
        assert!((r.convert(1840.0, r.crit) - 39.0).abs() < 1e-12);
        // Past the last point, the last segment's slope.
        assert!((r.diminish(350.0) - (126.0 + 150.0 * 79.0 / 150.0)).abs() < 1e-9);
    }

    #[test]
    fn armor_mitigation_is_armor_over_armor_plus_the_constant() {
        let l = LevelArmor {
            creature_armor: 1470.0,
            armor_constant: 3430.0,
        };
        assert!((l.mitigation(l.creature_armor) - 0.3).abs() < 1e-12);
    }
}
