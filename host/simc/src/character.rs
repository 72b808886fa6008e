//! The character a profile describes: its spec from the committed game
//! data, its talents decoded with the build's tree, its gear's stats, and
//! a list of everything in the profile that wowlab does not use.

use wowlab_gamedata::builds;
use wowlab_gamedata::extract::Spec;
use wowlab_gamedata::talents::Loadout;

use crate::profile::{Located, Profile, ProfileError};

/// The only level whose stat conversions the game data here cover.
pub const LEVEL: u32 = 90;

/// The gear summary's stats that change damage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GearStats {
    /// Average item level.
    pub ilvl: f64,
    /// Strength.
    pub strength: f64,
    /// Agility.
    pub agility: f64,
    /// Intellect.
    pub intellect: f64,
    /// Stamina.
    pub stamina: f64,
    /// Critical strike rating.
    pub crit_rating: f64,
    /// Haste rating.
    pub haste_rating: f64,
    /// Mastery rating.
    pub mastery_rating: f64,
    /// Versatility rating.
    pub versatility_rating: f64,
    /// Armor.
    pub armor: f64,
}

/// Something in the profile that wowlab does not use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// Its line in the profile (0: no line's, e.g. the character sheet's).
    pub line: usize,
    /// What it is, e.g. "trinket1=radiant_plume".
    pub what: String,
    /// Why it has no effect.
    pub why: String,
}

impl std::fmt::Display for Ignored {
    /// "line 13: talent Go for the Throat (459550), rank 1: the pack has no option
    /// for it" (without "line N: " when it is no line's).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: ", self.line)?;
        }
        write!(f, "{}: {}", self.what, self.why)
    }
}

/// A character read from a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Character {
    /// Its name.
    pub name: String,
    /// Its spec (and class), from the committed game data.
    pub spec: Spec,
    /// Its level.
    pub level: u32,
    /// Its race, if given.
    pub race: Option<String>,
    /// Its talents, if the profile gives a string.
    pub talents: Option<Loadout>,
    /// The line of the talent string (0 without one).
    pub talents_line: usize,
    /// Its gear's stats, from the gear summary.
    pub gear: GearStats,
    /// Set bonuses the profile lists (`midnight_season_1_2pc`), with their
    /// lines; the setup chooses the pack's options of the same names and
    /// lists the others.
    pub set_bonuses: Vec<Located<String>>,
    /// Consumables: (option, value), with their lines; what a simulation
    /// does not use of them is listed by its setup.
    pub consumables: Vec<Located<(String, String)>>,
    /// What the profile says that has no effect, in line order.
    pub ignored: Vec<Ignored>,
}

/// Reads the character of a profile's text.
pub fn read_character(text: &str) -> Result<Character, ProfileError> {
    let profile = Profile::parse(text)?;
    let Some(class) = &profile.class else {
        return Err(error(
            1,
            1,
            "no character: a profile needs a line such as `hunter=\"Name\"`",
        ));
    };
    let (class_key, name) = &class.value;
    let spec_line = profile.spec.as_ref().ok_or_else(|| {
        error(
            class.line,
            1,
            "no `spec=` line: wowlab needs the character's specialization",
        )
    })?;
    let spec = find_spec(class_key, spec_line)?;
    let level = profile.level.as_ref().map_or(LEVEL, |l| l.value);
    if level != LEVEL {
        let l = profile.level.as_ref().expect("read above");
        return Err(error(
            l.line,
            l.column,
            format!("level {level}: wowlab's game data cover level {LEVEL} characters only"),
        ));
    }
    let talents = profile
        .talents
        .as_ref()
        .map(|t| decode_talents(&spec, t))
        .transpose()?;
    let mut ignored = Vec::new();
    let gear = gear_stats(&profile, &mut ignored);
    note_unused(&profile, &mut ignored);
    ignored.sort_by_key(|i| i.line);
    Ok(Character {
        name: name.clone(),
        spec,
        level,
        race: profile.race.as_ref().map(|r| r.value.clone()),
        talents,
        talents_line: profile.talents.as_ref().map_or(0, |t| t.line),
        gear,
        set_bonuses: profile.set_bonuses.clone(),
        consumables: profile.consumables.clone(),
        ignored,
    })
}

fn find_spec(class: &str, spec: &Located<String>) -> Result<Spec, ProfileError> {
    let specs = builds::specs().map_err(|e| {
        error(
            spec.line,
            spec.column,
            format!("the committed game data: {e}"),
        )
    })?;
    if let Some(found) = specs
        .iter()
        .find(|s| s.class == class && s.name == spec.value)
    {
        return Ok(found.clone());
    }
    let names: Vec<_> = specs
        .iter()
        .filter(|s| s.class == class)
        .map(|s| s.name.as_str())
        .collect();
    Err(error(
        spec.line,
        spec.column,
        format!(
            "`{}` is not a {class} specialization (one of: {})",
            spec.value,
            names.join(", ")
        ),
    ))
}

fn decode_talents(spec: &Spec, talents: &Located<String>) -> Result<Loadout, ProfileError> {
    let at = |message: String| error(talents.line, talents.column, message);
    let tree = builds::talent_tree(&spec.class)
        .ok_or_else(|| {
            at(format!(
                "wowlab has no talent tree for {} in its game data ({}) yet",
                spec.class,
                builds::TABLES_BUILD
            ))
        })?
        .map_err(|e| at(format!("the committed game data: {e}")))?;
    let loadout =
        Loadout::decode(&tree, &talents.value).map_err(|e| at(format!("talents: {e}")))?;
    if u32::from(loadout.spec) != spec.id {
        return Err(at(format!(
            "the talent string is for specialization {}, but the profile says {} ({})",
            loadout.spec, spec.name, spec.id
        )));
    }
    Ok(loadout)
}

/// The gear summary's stats; stats that do not change damage are listed.
fn gear_stats(profile: &Profile, ignored: &mut Vec<Ignored>) -> GearStats {
    let mut gear = GearStats::default();
    for (stat, value) in &profile.gear {
        let slot = match stat.as_str() {
            "ilvl" => &mut gear.ilvl,
            "strength" => &mut gear.strength,
            "agility" => &mut gear.agility,
            "intellect" => &mut gear.intellect,
            "stamina" => &mut gear.stamina,
            "crit_rating" => &mut gear.crit_rating,
            "haste_rating" => &mut gear.haste_rating,
            "mastery_rating" => &mut gear.mastery_rating,
            "versatility_rating" => &mut gear.versatility_rating,
            "armor" => &mut gear.armor,
            _ => {
                ignored.push(Ignored {
                    line: value.line,
                    what: format!("gear_{stat}={}", value.value),
                    why: "this stat does not change damage".into(),
                });
                continue;
            }
        };
        *slot = value.value;
    }
    gear
}

/// Lists the profile's lines that have no effect.
fn note_unused(profile: &Profile, ignored: &mut Vec<Ignored>) {
    for item in &profile.items {
        ignored.push(Ignored {
            line: item.line,
            what: format!("{}={}", item.slot, item.name),
            why: "items are not modelled one by one yet: their stats come from the gear summary, their effects are not simulated".into(),
        });
    }
    if let Some(&first) = profile.action_lines.first() {
        ignored.push(Ignored {
            line: first,
            what: format!("{} action list line(s)", profile.action_lines.len()),
            why: "wowlab runs its own rotation script, not SimulationCraft's action lists".into(),
        });
    }
    for option in &profile.options {
        let (key, value) = &option.value;
        ignored.push(Ignored {
            line: option.line,
            what: format!("{key}={value}"),
            why: "not an option wowlab models".into(),
        });
    }
}

fn error(line: usize, column: usize, message: impl Into<String>) -> ProfileError {
    ProfileError {
        line,
        column,
        message: message.into(),
    }
}
