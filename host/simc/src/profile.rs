//! The text of a profile, line by line.
//!
//! Each line is `key=value` (actions may also append with `key+=value`), a
//! comment starting with `#`, or empty. Two kinds of comments carry data:
//! the addon's `# Gear Summary` block (`# gear_agility=1392`) and set
//! bonuses (`# set_bonus=midnight_season_1_2pc=1`); both are read. Values
//! may be quoted.

use std::collections::BTreeMap;

/// The class keywords a profile can start a character with.
pub const CLASSES: &[&str] = &[
    "warrior",
    "paladin",
    "hunter",
    "rogue",
    "priest",
    "deathknight",
    "shaman",
    "mage",
    "warlock",
    "monk",
    "druid",
    "demonhunter",
    "evoker",
];

/// The equipment slots of a profile.
pub const SLOTS: &[&str] = &[
    "head",
    "neck",
    "shoulder",
    "shoulders",
    "back",
    "chest",
    "shirt",
    "tabard",
    "wrist",
    "wrists",
    "hands",
    "waist",
    "legs",
    "feet",
    "finger1",
    "finger2",
    "trinket1",
    "trinket2",
    "main_hand",
    "off_hand",
];

/// The consumable options.
pub const CONSUMABLES: &[&str] = &[
    "potion",
    "flask",
    "food",
    "augmentation",
    "temporary_enchant",
];

/// A value and the line (1-based) it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The line's number.
    pub line: usize,
    /// The column (1-based) the value starts at.
    pub column: usize,
    /// The value.
    pub value: T,
}

/// A malformed profile: what is wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ProfileError {
    /// The line (1-based).
    pub line: usize,
    /// The column (1-based, in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// One equipped item, as the profile gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The line.
    pub line: usize,
    /// The slot, e.g. "main_hand".
    pub slot: String,
    /// The item's name in SimulationCraft's spelling (may be empty).
    pub name: String,
    /// `id=`: the item id.
    pub id: Option<u32>,
    /// `ilevel=`: the item level.
    pub ilevel: Option<u32>,
    /// `bonus_id=`: bonus ids, in order.
    pub bonus_ids: Vec<u32>,
    /// `gem_id=`: gems, in order.
    pub gem_ids: Vec<u32>,
    /// `enchant_id=`.
    pub enchant_id: Option<u32>,
    /// Other `key=value` fields, as given.
    pub other: Vec<(String, String)>,
}

/// A profile, read: one character.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    /// The class keyword (e.g. "hunter") and the character's name.
    pub class: Option<Located<(String, String)>>,
    /// `spec=`.
    pub spec: Option<Located<String>>,
    /// `level=`.
    pub level: Option<Located<u32>>,
    /// `race=`.
    pub race: Option<Located<String>>,
    /// `talents=`, the loadout string.
    pub talents: Option<Located<String>>,
    /// Consumables, in order: (option, value).
    pub consumables: Vec<Located<(String, String)>>,
    /// Equipped items, in order.
    pub items: Vec<Item>,
    /// The gear summary's stats: `gear_agility` → 1392, keyed without `gear_`.
    pub gear: BTreeMap<String, Located<f64>>,
    /// Set bonuses, e.g. "midnight_season_1_2pc".
    pub set_bonuses: Vec<Located<String>>,
    /// How many action list lines there are (wowlab does not run them).
    pub action_lines: Vec<usize>,
    /// Every other option, in order: (key, value).
    pub options: Vec<Located<(String, String)>>,
}

impl Profile {
    /// Reads a profile's text.
    pub fn parse(text: &str) -> Result<Self, ProfileError> {
        let mut profile = Profile::default();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            if let Some(comment) = trimmed.strip_prefix('#') {
                profile.comment(line, raw, comment.trim())?;
                continue;
            }
            let field = Field::split(line, raw)?;
            profile.option(field)?;
        }
        Ok(profile)
    }

    /// A comment: the gear summary and set bonuses carry data.
    fn comment(&mut self, line: usize, raw: &str, comment: &str) -> Result<(), ProfileError> {
        let Some((key, value)) = comment.split_once('=') else {
            return Ok(());
        };
        let key = key.trim();
        if key == "set_bonus" {
            let name = value.split('=').next().unwrap_or("").trim();
            if name.is_empty() {
                return Err(error(
                    line,
                    column_of(raw, value),
                    "a set bonus needs a name",
                ));
            }
            self.set_bonuses.push(Located {
                line,
                column: column_of(raw, value),
                value: name.to_string(),
            });
        } else if let Some(stat) = key.strip_prefix("gear_") {
            self.gear_stat(line, raw, stat, value)?;
        }
        Ok(())
    }

    fn gear_stat(
        &mut self,
        line: usize,
        raw: &str,
        stat: &str,
        value: &str,
    ) -> Result<(), ProfileError> {
        let number: f64 = value.trim().parse().map_err(|_| {
            error(
                line,
                column_of(raw, value),
                format!("gear_{stat} needs a number, not `{}`", value.trim()),
            )
        })?;
        self.gear.insert(
            stat.to_string(),
            Located {
                line,
                column: column_of(raw, value),
                value: number,
            },
        );
        Ok(())
    }

    fn option(&mut self, f: Field<'_>) -> Result<(), ProfileError> {
        let line = f.line;
        if f.key == "actions" || f.key.starts_with("actions.") {
            self.action_lines.push(line);
            return Ok(());
        }
        if f.append {
            return Err(error(
                line,
                f.key_column,
                format!("`+=` appends to action lists only, not to `{}`", f.key),
            ));
        }
        match f.key {
            key if CLASSES.contains(&key) => {
                if let Some(first) = &self.class {
                    return Err(error(
                        line,
                        f.key_column,
                        format!(
                            "a second character (the first starts on line {}): wowlab reads one character per profile",
                            first.line
                        ),
                    ));
                }
                self.class = Some(f.at((key.to_string(), f.value.to_string())));
            }
            "spec" => self.spec = Some(f.at(f.value.to_string())),
            "race" => self.race = Some(f.at(f.value.to_string())),
            "talents" => self.talents = Some(f.at(f.value.to_string())),
            "level" => {
                let level = f.value.parse().map_err(|_| {
                    error(
                        line,
                        f.value_column,
                        format!("level needs a whole number, not `{}`", f.value),
                    )
                })?;
                self.level = Some(f.at(level));
            }
            key if CONSUMABLES.contains(&key) => self
                .consumables
                .push(f.at((key.to_string(), f.value.to_string()))),
            key if SLOTS.contains(&key) => self.items.push(item(&f)?),
            key if key.starts_with("gear_") => {
                let stat = &key["gear_".len()..];
                let raw = f.raw;
                self.gear_stat(line, raw, stat, f.value)?;
            }
            "set_bonus" => {
                let name = f.value.split('=').next().unwrap_or("").trim();
                self.set_bonuses.push(f.at(name.to_string()));
            }
            key => self
                .options
                .push(f.at((key.to_string(), f.value.to_string()))),
        }
        Ok(())
    }
}

/// One `key=value` line, split.
struct Field<'a> {
    line: usize,
    raw: &'a str,
    key: &'a str,
    key_column: usize,
    value: &'a str,
    value_column: usize,
    append: bool,
}

impl<'a> Field<'a> {
    /// `value`, located at this line's value.
    fn at<T>(&self, value: T) -> Located<T> {
        Located {
            line: self.line,
            column: self.value_column,
            value,
        }
    }

    fn split(line: usize, raw: &'a str) -> Result<Self, ProfileError> {
        let key_start = raw.len() - raw.trim_start().len();
        let Some(eq) = raw.find('=') else {
            return Err(error(
                line,
                column(raw, key_start),
                format!(
                    "expected `key=value`, found `{}` (wowlab reads one profile; it does not include other files)",
                    raw.trim()
                ),
            ));
        };
        let (mut key, append) = match raw[..eq].strip_suffix('+') {
            Some(key) => (key, true),
            None => (&raw[..eq], false),
        };
        key = key.trim();
        if key.is_empty() {
            return Err(error(
                line,
                column(raw, key_start),
                "a line starts with `=`: the option's name is missing",
            ));
        }
        if let Some(bad) = key.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        {
            return Err(error(
                line,
                column(raw, key_start + bad),
                format!("`{key}` is not an option name (letters, digits, `_` and `.`)"),
            ));
        }
        let after = &raw[eq + 1..];
        let value_start = eq + 1 + (after.len() - after.trim_start().len());
        let mut value = after.trim();
        if let Some(inner) = value.strip_prefix('"') {
            value = inner.strip_suffix('"').ok_or_else(|| {
                error(
                    line,
                    column(raw, value_start),
                    "a quoted value has no closing `\"`",
                )
            })?;
        }
        Ok(Self {
            line,
            raw,
            key,
            key_column: column(raw, key_start),
            value,
            value_column: column(raw, value_start),
            append,
        })
    }
}

/// Reads an item line's value: `name,id=…,bonus_id=a/b,…`.
fn item(f: &Field<'_>) -> Result<Item, ProfileError> {
    let mut parts = f.value.split(',');
    let name = parts.next().unwrap_or("").trim().to_string();
    let mut item = Item {
        line: f.line,
        slot: f.key.to_string(),
        name,
        id: None,
        ilevel: None,
        bonus_ids: Vec::new(),
        gem_ids: Vec::new(),
        enchant_id: None,
        other: Vec::new(),
    };
    for part in parts {
        let col = column_of(f.raw, part);
        let (key, value) = part.split_once('=').ok_or_else(|| {
            error(
                f.line,
                col,
                format!("item field `{part}` needs `name=value`"),
            )
        })?;
        let number = |text: &str| {
            text.trim().parse::<u32>().map_err(|_| {
                error(
                    f.line,
                    col,
                    format!("item field `{key}` needs whole numbers, not `{value}`"),
                )
            })
        };
        let numbers = |text: &str| text.split('/').map(number).collect::<Result<Vec<_>, _>>();
        match key.trim() {
            "id" => item.id = Some(number(value)?),
            "ilevel" => item.ilevel = Some(number(value)?),
            "enchant_id" => item.enchant_id = Some(number(value)?),
            "bonus_id" => item.bonus_ids = numbers(value)?,
            "gem_id" => item.gem_ids = numbers(value)?,
            other => item.other.push((other.to_string(), value.to_string())),
        }
    }
    Ok(item)
}

fn error(line: usize, column: usize, message: impl Into<String>) -> ProfileError {
    ProfileError {
        line,
        column,
        message: message.into(),
    }
}

/// The 1-based character column of byte offset `at` in `raw`.
fn column(raw: &str, at: usize) -> usize {
    raw[..at].chars().count() + 1
}

/// The column where `part` (a slice of `raw`) starts.
fn column_of(raw: &str, part: &str) -> usize {
    let offset = (part.as_ptr() as usize).saturating_sub(raw.as_ptr() as usize);
    column(raw, offset.min(raw.len()))
}
