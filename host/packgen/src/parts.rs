//! The pack's parts and the game's spells each stands for: the index the
//! generator uses to turn "this effect modifies spell 217200" into "this
//! modifier affects `barbed_shot`".

use wowlab_engine::spec::Source;

/// One named part of the pack: a spell, an auto-attack or an aura.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Its name in the pack.
    pub name: String,
    /// Who deals its damage.
    pub source: Source,
    /// The spell cast (cost, cooldown, charges), if it is a spell.
    pub cast: Option<u32>,
    /// The spell whose effect is its direct damage.
    pub direct: Option<u32>,
    /// The spell whose effect is its damage over time.
    pub periodic: Option<u32>,
    /// The spell that is the aura, if it is an aura.
    pub aura: Option<u32>,
    /// The summoning spell, if it is a summon's attack.
    pub summon: Option<u32>,
    /// Whether it is an auto-attack.
    pub auto: bool,
}

/// Every part of the pack.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parts(pub Vec<Part>);

impl Parts {
    fn names(&self, keep: impl Fn(&Part) -> bool) -> Vec<String> {
        self.0
            .iter()
            .filter(|p| keep(p))
            .map(|p| p.name.clone())
            .collect()
    }

    /// Parts whose direct damage is one of `ids`.
    pub fn direct(&self, ids: &[u32]) -> Vec<String> {
        self.names(|p| p.direct.is_some_and(|d| ids.contains(&d)))
    }

    /// Parts whose damage over time is one of `ids`.
    pub fn periodic(&self, ids: &[u32]) -> Vec<String> {
        self.names(|p| p.periodic.is_some_and(|d| ids.contains(&d)))
    }

    /// Parts whose damage, direct or over time, is one of `ids`.
    pub fn damage(&self, ids: &[u32]) -> Vec<String> {
        self.names(|p| {
            p.direct.is_some_and(|d| ids.contains(&d))
                || p.periodic.is_some_and(|d| ids.contains(&d))
        })
    }

    /// Spells whose cast is one of `ids`.
    pub fn cast(&self, ids: &[u32]) -> Vec<String> {
        self.names(|p| p.cast.is_some_and(|c| ids.contains(&c)))
    }

    /// Parts with a duration that is one of `ids`: a spell's damage over
    /// time, an aura, a summon's stay (by the summon's name).
    pub fn duration(&self, ids: &[u32]) -> Vec<String> {
        self.names(|p| {
            [p.periodic, p.aura, p.summon]
                .iter()
                .any(|x| x.is_some_and(|d| ids.contains(&d)))
        })
    }

    /// Parts of `source` with direct damage (auto-attacks among them).
    pub fn direct_of(&self, source: Source) -> Vec<String> {
        self.names(|p| p.source == source && (p.direct.is_some() || p.auto))
    }

    /// Parts of `source` with damage over time.
    pub fn periodic_of(&self, source: Source) -> Vec<String> {
        self.names(|p| p.source == source && p.periodic.is_some())
    }

    /// The auto-attacks of `source`.
    pub fn autos(&self, source: Source) -> Vec<String> {
        self.names(|p| p.auto && p.source == source)
    }

    /// The spell the rotation casts as `id`, if one does.
    pub fn cast_by(&self, id: u32) -> Option<&str> {
        self.0
            .iter()
            .find(|p| p.cast == Some(id))
            .map(|p| p.name.as_str())
    }

    /// Whether `id` is one of the spells the parts are made of.
    pub fn uses(&self, id: u32) -> bool {
        self.0
            .iter()
            .any(|p| [p.cast, p.direct, p.periodic, p.aura, p.summon].contains(&Some(id)))
    }
}

/// The spell ids an "Affected Spells" list names: "Auto Shot (75),
/// Claw (desc=Basic Attack) (16827)" → 75, 16827 (every parenthesised
/// group that is a number).
pub fn affected_ids(list: &str) -> Vec<u32> {
    let mut ids = Vec::new();
    let mut rest = list;
    while let Some(open) = rest.find('(') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(')') else { break };
        if let Ok(id) = after[..close].parse() {
            ids.push(id);
        }
        rest = &after[close + 1..];
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affected_lists_give_the_numbers_in_parentheses() {
        assert_eq!(
            affected_ids("Auto Shot (75), Claw (desc=Basic Attack) (16827), Stampede! (201594)"),
            [75, 16827, 201594]
        );
        assert_eq!(affected_ids(""), Vec::<u32>::new());
    }
}
