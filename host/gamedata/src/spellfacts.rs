//! Typed readings of a dump entry's text: costs, cooldowns, charges,
//! durations, stacks, attributes, periods and spell modifiers, as the
//! pack generator needs them. Each reader returns `Ok(None)` when the entry
//! has no such line and an error naming the spell and line when the line is
//! there but not in the form the dumps use.

use crate::spelldump::{DumpEffect, DumpError, DumpSpell};

/// A spell's resource cost ("30 Focus (2) (id=1470)").
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// How much.
    pub amount: f64,
    /// Of what, e.g. "Focus".
    pub resource: String,
}

/// A spell's charges ("2 (18 seconds cooldown)").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charges {
    /// How many.
    pub count: u32,
    /// Recharge time of one, in ms.
    pub cooldown_ms: u32,
}

/// What a spell modifier effect changes ("Add Percent Modifier (108):
/// Spell Direct Amount (0)").
#[derive(Debug, Clone, PartialEq)]
pub struct SpellModifier {
    /// Whether it is a percent modifier (108, 218); otherwise flat (107, 219).
    pub percent: bool,
    /// The property's name, e.g. "Spell Direct Amount".
    pub property: String,
    /// The property's number, e.g. 0 for direct amount, 22 for periodic.
    pub property_id: u32,
    /// The effect's base value (a percent, or ms for time properties).
    pub value: f64,
}

/// `text` as ms: "1.5 seconds" → 1,500.
fn seconds_ms(text: &str) -> Option<u32> {
    let number = text.strip_suffix(" seconds")?.trim();
    let seconds: f64 = number.parse().ok()?;
    let ms = (seconds * 1000.0).round();
    (ms >= 0.0 && ms <= f64::from(u32::MAX)).then_some(ms as u32)
}

impl DumpSpell {
    /// An error about this spell's `field` line.
    fn unreadable(&self, field: &str, text: &str) -> DumpError {
        DumpError {
            line: self.line,
            message: format!("spell {}: cannot read {field} `{text}`", self.id),
        }
    }

    /// A field given in seconds ("GCD", "Cooldown", "Duration"), in ms.
    /// An infinite duration ("Aura (infinite)") reads as `None`.
    pub fn field_ms(&self, field: &str) -> Result<Option<u32>, DumpError> {
        match self.field(field) {
            None => Ok(None),
            Some(t) if field == "Duration" && t.contains("infinite") => Ok(None),
            Some(t) => seconds_ms(t)
                .map(Some)
                .ok_or_else(|| self.unreadable(field, t)),
        }
    }

    /// Its resource cost.
    pub fn cost(&self) -> Result<Option<Cost>, DumpError> {
        let Some(t) = self.field("Resource") else {
            return Ok(None);
        };
        let mut words = t.split_whitespace();
        match (words.next().and_then(|n| n.parse().ok()), words.next()) {
            (Some(amount), Some(resource)) => Ok(Some(Cost {
                amount,
                resource: resource.to_string(),
            })),
            _ => Err(self.unreadable("Resource", t)),
        }
    }

    /// Its charges.
    pub fn charges(&self) -> Result<Option<Charges>, DumpError> {
        let Some(t) = self.field("Charges") else {
            return Ok(None);
        };
        let parsed = t.split_once(" (").and_then(|(count, rest)| {
            Some(Charges {
                count: count.trim().parse().ok()?,
                cooldown_ms: seconds_ms(rest.strip_suffix(" cooldown)")?)?,
            })
        });
        parsed
            .map(Some)
            .ok_or_else(|| self.unreadable("Charges", t))
    }

    /// Its maximum stacks ("20 maximum" or "1 initial, 3 maximum").
    pub fn max_stacks(&self) -> Result<Option<u32>, DumpError> {
        let Some(t) = self.field("Stacks") else {
            return Ok(None);
        };
        t.rsplit(", ")
            .next()
            .and_then(|m| m.strip_suffix(" maximum"))
            .and_then(|n| n.trim().parse().ok())
            .map(Some)
            .ok_or_else(|| self.unreadable("Stacks", t))
    }

    /// Whether its `Attributes` line lists `name` (e.g. "Rolling Periodic").
    pub fn has_attribute(&self, name: &str) -> bool {
        self.field("Attributes").is_some_and(|t| {
            t.split("), ")
                .any(|a| a.rsplit_once(" (").is_some_and(|(n, _)| n == name))
        })
    }
}

impl DumpEffect {
    /// The period of a periodic effect ("… every 2 seconds"), in ms.
    pub fn period_ms(&self) -> Option<u32> {
        let (_, every) = self.kind.rsplit_once("every ")?;
        seconds_ms(every.trim())
    }

    /// Whether its amount does not grow with its aura's stacks (the
    /// dump's "Suppress Points Stacking" attribute).
    pub fn suppresses_stacking(&self) -> bool {
        self.kind.contains("Suppress Points Stacking")
    }

    /// What it modifies, if it is an "Add Flat/Percent Modifier" effect (or
    /// its "w/ Label" form, which names its spells by label).
    pub fn spell_modifier(&self) -> Option<SpellModifier> {
        let kind = self.kind.split(" | Attributes: ").next()?;
        let (_, aura) = kind.split_once(" | ")?;
        let (kind, property) = aura.split_once(": ")?;
        let percent = match kind {
            "Add Percent Modifier (108)" | "Apply Percent Modifier w/ Label (218)" => true,
            "Add Flat Modifier (107)" | "Apply Flat Modifier w/ Label (219)" => false,
            _ => return None,
        };
        let (name, id) = property.trim().rsplit_once(" (")?;
        Some(SpellModifier {
            percent,
            property: name.to_string(),
            property_id: id.strip_suffix(')')?.parse().ok()?,
            value: self.number("Base Value")?,
        })
    }
}
