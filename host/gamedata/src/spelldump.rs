//! SimulationCraft's spell data dumps (`SpellDataDump/<class>.txt` in the
//! simulationcraft/simc repository): the game's spell and effect tables as
//! text, one entry per spell. The committed excerpts under
//! `gamedata/<build>/spelldump/` keep only the spells the packs need.
//!
//! An entry is a block of `Key : value` lines starting with `Name`; its
//! `Effects` block lists effects as `#N (id=…) : kind`, each followed by
//! indented lines: `Base Value: … | AP Coefficient: … | …` and lines such
//! as `Affected Spells: …` or `Modified By: …`. Lines starting with `# `
//! are comments.

/// A malformed dump: what is wrong and on which line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DumpError {
    /// The line (1-based).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// One effect of a spell.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpEffect {
    /// Its index in the spell (`#1` → 1).
    pub index: u32,
    /// The effect's own id.
    pub id: u32,
    /// What it is, e.g. "Apply Aura (6) | Periodic Damage (3): physical every 2 seconds".
    pub kind: String,
    /// The `name: value` pairs of its `|`-separated lines, in order.
    pub values: Vec<(String, String)>,
    /// Its other lines (`Affected Spells` and its `(Label)` and `(Category)`
    /// forms, `Modified By`, `Family Flags`), in order.
    pub lists: Vec<(String, String)>,
    /// Its line in the dump.
    pub line: usize,
}

impl DumpEffect {
    /// The value named `name` (e.g. "AP Coefficient"), as text.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value named `name` as a number: its first word (so "0 (delta=0.05)" is 0).
    pub fn number(&self, name: &str) -> Option<f64> {
        self.value(name)?.split_whitespace().next()?.parse().ok()
    }

    /// The coefficient its `Scaled Value` names ("89.39348
    /// (coefficient=0.681974)": 0.681974), which an item's budget or a
    /// level's scaling multiplies.
    pub fn coefficient(&self) -> Option<f64> {
        let text = self.value("Scaled Value")?;
        let (_, rest) = text.split_once("(coefficient=")?;
        rest.strip_suffix(')')?.parse().ok()
    }

    /// The list named `name` (e.g. "Affected Spells"), as text.
    pub fn list(&self, name: &str) -> Option<&str> {
        self.lists
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One spell of a dump.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpSpell {
    /// The spell id.
    pub id: u32,
    /// Its name as the dump gives it (e.g. "Claw (desc=Basic Attack)").
    pub name: String,
    /// Its `Key : value` lines other than `Name` and `Effects`, in order.
    pub fields: Vec<(String, String)>,
    /// Its effects, in order.
    pub effects: Vec<DumpEffect>,
    /// Its `Name` line in the dump.
    pub line: usize,
}

/// A spell that modifies another, as an `Affecting Spells` line lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affecting {
    /// Its name.
    pub name: String,
    /// Its spell id.
    pub id: u32,
    /// The effects of it that apply.
    pub effects: Vec<u32>,
}

/// How a talent's rank sets one of its effects' values: the `Talent
/// Entry` field's `Effect#N [op=…, values=(…)]`, one value per rank.
#[derive(Debug, Clone, PartialEq)]
pub struct RankRule {
    /// The effect's index.
    pub effect: u32,
    /// Whether a rank's value replaces the base value (`set`) or scales
    /// it (`mul`).
    pub replaces: bool,
    /// One value per rank, from rank 1.
    pub values: Vec<f64>,
}

impl RankRule {
    /// The effect's value at `rank` (from 1) for its base value `base`;
    /// none past the ranks listed.
    pub fn value(&self, base: f64, rank: u32) -> Option<f64> {
        let v = *self
            .values
            .get(usize::try_from(rank).ok()?.checked_sub(1)?)?;
        Some(if self.replaces { v } else { base * v })
    }
}

impl DumpSpell {
    /// The rank rules of its `Talent Entry` field, in order.
    pub fn rank_rules(&self) -> Result<Vec<RankRule>, DumpError> {
        let Some(text) = self.field("Talent Entry") else {
            return Ok(Vec::new());
        };
        let bad = |what: &str| DumpError {
            line: self.line,
            message: format!(
                "spell {}: cannot read the rank rule `Effect#{what}` of its `Talent Entry`",
                self.id
            ),
        };
        let mut out = Vec::new();
        for item in text.split("Effect#").skip(1) {
            let parse = || -> Option<RankRule> {
                let (index, rest) = item.split_once(" [op=")?;
                let (op, rest) = rest.split_once(", values=(")?;
                let (values, _) = rest.split_once(")]")?;
                Some(RankRule {
                    effect: index.trim().parse().ok()?,
                    replaces: match op {
                        "set" => true,
                        "mul" => false,
                        _ => return None,
                    },
                    values: values
                        .split(',')
                        .map(|v| v.trim().parse().ok())
                        .collect::<Option<_>>()?,
                })
            };
            out.push(parse().ok_or_else(|| bad(item.trim()))?);
        }
        Ok(out)
    }

    /// The field named `name` (e.g. "Duration"), as text.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The effect `#index`.
    pub fn effect(&self, index: u32) -> Option<&DumpEffect> {
        self.effects.iter().find(|e| e.index == index)
    }

    /// The spells its `Affecting Spells` line lists, in order.
    pub fn affecting(&self) -> Result<Vec<Affecting>, DumpError> {
        let Some(text) = self.field("Affecting Spells") else {
            return Ok(Vec::new());
        };
        let bad = |what: &str| DumpError {
            line: self.line,
            message: format!(
                "spell {}: cannot read `Affecting Spells` near `{what}`",
                self.id
            ),
        };
        let mut out = Vec::new();
        let mut rest = text;
        while !rest.trim().is_empty() {
            // "Name (id effect#1)" or "Name (id effects: #1, #4)", comma separated;
            // a name may itself contain parentheses, so split at the last "(" of each item.
            let close = rest.find(')').ok_or_else(|| bad(rest))?;
            let item = &rest[..close];
            let open = item.rfind('(').ok_or_else(|| bad(item))?;
            let name = item[..open]
                .trim()
                .trim_start_matches(',')
                .trim()
                .to_string();
            let inner = &item[open + 1..];
            let (id, effects) = inner.split_once(' ').ok_or_else(|| bad(inner))?;
            let effects = effects
                .split('#')
                .skip(1)
                .map(|n| {
                    n.trim_end_matches([',', ' '])
                        .parse::<u32>()
                        .map_err(|_| bad(inner))
                })
                .collect::<Result<Vec<_>, _>>()?;
            out.push(Affecting {
                name,
                id: id.parse().map_err(|_| bad(inner))?,
                effects,
            });
            rest = &rest[close + 1..];
        }
        Ok(out)
    }
}

/// A parsed dump (or excerpt of one).
#[derive(Debug, Clone, PartialEq)]
pub struct SpellDump {
    /// Its first line, naming the SimulationCraft and game builds.
    pub header: String,
    /// Its spells, in file order.
    pub spells: Vec<DumpSpell>,
}

impl SpellDump {
    /// Reads a dump's text.
    pub fn parse(text: &str) -> Result<Self, DumpError> {
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let header = lines
            .next()
            .map(|(_, l)| l.trim().to_string())
            .filter(|h| h.contains("World of Warcraft"))
            .ok_or(DumpError {
                line: 1,
                message: "a dump starts with SimulationCraft's header line naming the World of Warcraft build".into(),
            })?;
        let mut spells: Vec<DumpSpell> = Vec::new();
        let mut in_effects = false;
        for (number, line) in lines {
            let error = |message: String| DumpError {
                line: number,
                message,
            };
            if line.trim().is_empty() || line.starts_with("# ") {
                in_effects = false;
                continue;
            }
            if let Some(rest) = line.strip_prefix("Name") {
                let value =
                    key_value(rest).ok_or_else(|| error("a `Name` line needs ` : `".into()))?;
                spells.push(name_line(number, value)?);
                in_effects = false;
                continue;
            }
            let spell = spells
                .last_mut()
                .ok_or_else(|| error("a line before the first `Name` line".into()))?;
            if line.starts_with('#') {
                spell.effects.push(effect_line(number, line)?);
                in_effects = true;
            } else if line.starts_with(' ') {
                continuation(spell, in_effects, line, number)?;
            } else {
                let (key, value) = line.split_once(':').ok_or_else(|| {
                    error(format!("expected `Key : value`, found `{}`", line.trim()))
                })?;
                let key = key.trim();
                in_effects = key == "Effects";
                if !in_effects {
                    spell
                        .fields
                        .push((key.to_string(), value.trim().to_string()));
                }
            }
        }
        Ok(Self { header, spells })
    }

    /// The spell with this id.
    pub fn spell(&self, id: u32) -> Option<&DumpSpell> {
        self.spells.iter().find(|s| s.id == id)
    }

    /// The game build the header names, e.g. "12.0.5.67823".
    pub fn build(&self) -> Option<&str> {
        let after = self.header.split("World of Warcraft ").nth(1)?;
        after.split_whitespace().next()
    }
}

/// The value of a `Key<spaces>: value` line whose key has been stripped.
fn key_value(rest: &str) -> Option<&str> {
    rest.trim_start().strip_prefix(':').map(str::trim)
}

/// "Auto Shot (id=75) [Spell Family (9)]" → the spell's id and name.
fn name_line(line: usize, value: &str) -> Result<DumpSpell, DumpError> {
    let at = value.rfind("(id=").ok_or_else(|| DumpError {
        line,
        message: format!("a `Name` line needs `(id=…)`: `{value}`"),
    })?;
    let id_text = &value[at + 4..];
    let id = id_text
        .split(')')
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| DumpError {
            line,
            message: format!("`{id_text}` does not start with a spell id"),
        })?;
    Ok(DumpSpell {
        id,
        name: value[..at].trim().to_string(),
        fields: Vec::new(),
        effects: Vec::new(),
        line,
    })
}

/// "#1 (id=323302)   : Apply Aura (6) | …" → an effect without values yet.
fn effect_line(line: usize, text: &str) -> Result<DumpEffect, DumpError> {
    let bad = || DumpError {
        line,
        message: format!("an effect line needs `#N (id=…) : kind`: `{}`", text.trim()),
    };
    let (head, kind) = text.split_once(" : ").ok_or_else(bad)?;
    let head = head.trim();
    let (index, id) = head[1..].split_once(" (id=").ok_or_else(bad)?;
    Ok(DumpEffect {
        index: index.parse().map_err(|_| bad())?,
        id: id.trim_end_matches(')').parse().map_err(|_| bad())?,
        kind: kind.trim().to_string(),
        values: Vec::new(),
        lists: Vec::new(),
        line,
    })
}

/// An indented line: an effect's values or list, or a field's continuation.
fn continuation(
    spell: &mut DumpSpell,
    in_effects: bool,
    line: &str,
    number: usize,
) -> Result<(), DumpError> {
    let text = line.trim();
    if !in_effects {
        let (_, last) = spell.fields.last_mut().ok_or(DumpError {
            line: number,
            message: "an indented line before any field".into(),
        })?;
        last.push(' ');
        last.push_str(text.trim_start_matches(':').trim());
        return Ok(());
    }
    let effect = spell.effects.last_mut().ok_or(DumpError {
        line: number,
        message: "an indented line in `Effects` before the first effect".into(),
    })?;
    // Lists: "Affected Spells", "Affected Spells (Label)", "Affected
    // Spells (Category)", "Modified By", "Family Flags".
    let list = ["Affected Spells", "Modified By:", "Family Flags:"]
        .iter()
        .find(|p| text.starts_with(**p))
        .and_then(|_| text.split_once(": "));
    if let Some((name, items)) = list {
        effect
            .lists
            .push((name.trim().to_string(), items.trim().to_string()));
        return Ok(());
    }
    for part in text.split(" | ") {
        match part.split_once(": ") {
            Some((k, v)) => effect
                .values
                .push((k.trim().to_string(), v.trim().to_string())),
            None => effect.values.push((part.trim().to_string(), String::new())),
        }
    }
    Ok(())
}
