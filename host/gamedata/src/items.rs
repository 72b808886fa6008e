//! What an item's level makes of its effects, for the consumables a
//! profile names: the stat budget of an item level, the combat rating
//! multiplier of a trinket's level (a consumable's ratings use it), and
//! each consumable's stand-in item (its level and the effect that carries
//! its amount).

use std::path::Path;

use crate::tables::{Table, TableError};

/// A consumable as SimulationCraft names it (`flask_of_the_magisters_2`:
/// the item of crafting quality 2), with the effect that carries its amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumable {
    /// Its name in a profile.
    pub name: String,
    /// The game's item id.
    pub item_id: u32,
    /// The item's level, which scales the effect.
    pub item_level: u32,
    /// The spell the item applies.
    pub spell: u32,
    /// The spell's effect whose coefficient the budget multiplies.
    pub effect: u32,
}

/// Reads `consumables.csv` text for the consumable `name`.
pub fn parse_consumable(
    path: &Path,
    text: &str,
    name: &str,
) -> Result<Option<Consumable>, TableError> {
    let t = Table::from_reader(path, text.as_bytes())?;
    let c = |n: &str| t.column(n);
    let (n, item, level, spell, effect) = (
        c("name")?,
        c("item_id")?,
        c("item_level")?,
        c("spell_id")?,
        c("effect")?,
    );
    for row in t.rows() {
        if row.text(&n) == name {
            return Ok(Some(Consumable {
                name: name.to_string(),
                item_id: row.number(&item)?,
                item_level: row.number(&level)?,
                spell: row.number(&spell)?,
                effect: row.number(&effect)?,
            }));
        }
    }
    Ok(None)
}

/// Reads `item_budgets.csv` text: a consumable's stat budget at
/// `item_level` (a 32-bit number in the game's data, read as one).
pub fn parse_consumable_budget(
    path: &Path,
    text: &str,
    item_level: u32,
) -> Result<Option<f64>, TableError> {
    let t = Table::from_reader(path, text.as_bytes())?;
    let (level, budget) = (t.column("item_level")?, t.column("consumable")?);
    for row in t.rows() {
        if row.number::<u32>(&level)? == item_level {
            return Ok(Some(f64::from(row.number::<f32>(&budget)?)));
        }
    }
    Ok(None)
}

/// Reads `rating_multipliers.csv` text: the combat rating multiplier of a
/// trinket of `item_level` (a consumable's ratings use the trinket's).
pub fn parse_trinket_rating_multiplier(
    path: &Path,
    text: &str,
    item_level: u32,
) -> Result<Option<f64>, TableError> {
    let t = Table::from_reader(path, text.as_bytes())?;
    let (kind, level, multiplier) = (
        t.column("kind")?,
        t.column("item_level")?,
        t.column("multiplier")?,
    );
    for row in t.rows() {
        if row.text(&kind) == "trinket" && row.number::<u32>(&level)? == item_level {
            return Ok(Some(row.number(&multiplier)?));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn a_consumable_is_found_by_name_and_others_are_not() {
        let text = "name,item_id,item_level,spell_id,effect\nflask_x_2,7,295,11,1\n";
        let p = Path::new("consumables.csv");
        assert_eq!(
            parse_consumable(p, text, "flask_x_2").unwrap(),
            Some(Consumable {
                name: "flask_x_2".into(),
                item_id: 7,
                item_level: 295,
                spell: 11,
                effect: 1
            })
        );
        assert_eq!(parse_consumable(p, text, "flask_x_1").unwrap(), None);
        assert!(parse_consumable(p, "name,item_id\n", "flask_x_2").is_err());
    }

    #[test]
    fn budgets_read_back_as_the_game_s_32_bit_numbers() {
        let text = "item_level,consumable\n289,235.75937\n295,249.31483\n";
        let p = Path::new("item_budgets.csv");
        let b = parse_consumable_budget(p, text, 295).unwrap().unwrap();
        assert_eq!(b, 249.31483459472656);
        assert_eq!(parse_consumable_budget(p, text, 296).unwrap(), None);
    }

    #[test]
    fn only_a_trinket_s_multiplier_is_read() {
        let text = "kind,item_level,multiplier\narmor,295,2\ntrinket,295,0.97\n";
        let p = Path::new("rating_multipliers.csv");
        assert_eq!(
            parse_trinket_rating_multiplier(p, text, 295).unwrap(),
            Some(0.97)
        );
        assert_eq!(parse_trinket_rating_multiplier(p, text, 289).unwrap(), None);
    }
}
