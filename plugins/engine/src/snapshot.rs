//! The layout of the state a rotation sees at each decision.
//!
//! One flat list of `f64`: a fixed header, then [`PER_SPELL`] values for each
//! spell and [`PER_AURA`] values for each aura, in spec order. Times are in
//! seconds. Target auras are reported for the primary target.

/// Seconds since the start of the fight.
pub const TIME: usize = 0;
/// Seconds until the fight ends.
pub const FIGHT_REMAINS: usize = 1;
/// Current amount of the resource.
pub const RESOURCE: usize = 2;
/// Maximum amount of the resource.
pub const RESOURCE_MAX: usize = 3;
/// Resource regenerated per second right now.
pub const RESOURCE_REGEN: usize = 4;
/// Number of targets.
pub const TARGETS: usize = 5;
/// The player's haste multiplier (1.2 = 20 % haste).
pub const HASTE: usize = 6;
/// Length of the global cooldown right now, in seconds.
pub const GCD: usize = 7;
/// Number of header values.
pub const HEADER: usize = 8;

/// Values per spell: cooldown, charges, castable, recharge, fractional
/// charges, full recharge.
pub const PER_SPELL: usize = 6;
/// Offset within a spell: seconds until a charge is available (0 when one is).
pub const SPELL_COOLDOWN: usize = 0;
/// Offset within a spell: charges available now.
pub const SPELL_CHARGES: usize = 1;
/// Offset within a spell: 1.0 when the spell could be cast now, else 0.0.
pub const SPELL_CASTABLE: usize = 2;
/// Offset within a spell: seconds until the next charge arrives (0 at full charges).
pub const SPELL_RECHARGE: usize = 3;
/// Offset within a spell: charges with the recharged part of the next one
/// (1.25 = one charge and a quarter of the next).
pub const SPELL_CHARGES_FRACTIONAL: usize = 4;
/// Offset within a spell: seconds until every charge is back (0 at full charges).
pub const SPELL_FULL_RECHARGE: usize = 5;

/// Values per aura: remaining seconds, stacks, reachable.
pub const PER_AURA: usize = 3;
/// Offset within an aura: seconds left (0 when down).
pub const AURA_REMAINS: usize = 0;
/// Offset within an aura: current stacks (0 when down).
pub const AURA_STACKS: usize = 1;
/// Offset within an aura: 1.0 when anything the character has can bring it
/// this fight (an unchosen talent's aura cannot), else 0.0.
pub const AURA_REACHABLE: usize = 2;

/// Index of `field` of spell `spell`.
pub const fn spell(spell: usize, field: usize) -> usize {
    HEADER + spell * PER_SPELL + field
}

/// Index of `field` of aura `aura` in a snapshot of a spec with `spells` spells.
pub const fn aura(spells: usize, aura: usize, field: usize) -> usize {
    HEADER + spells * PER_SPELL + aura * PER_AURA + field
}

/// Length of a snapshot for `spells` spells and `auras` auras.
pub const fn len(spells: usize, auras: usize) -> usize {
    HEADER + spells * PER_SPELL + auras * PER_AURA
}

/// Where a state query reads the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// The header value at this index.
    Header(usize),
    /// The first header value minus the second.
    Difference(usize, usize),
    /// This field of the spell the query names.
    Spell(usize),
    /// This field of the aura the query names (target auras: the primary target).
    Aura(usize),
}

impl Reads {
    /// Whether the query takes a spell or aura name.
    pub const fn takes_name(self) -> bool {
        matches!(self, Reads::Spell(_) | Reads::Aura(_))
    }
}

/// What a state query answers with the value it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The value itself.
    Number,
    /// Whether the value is above zero.
    Positive,
}

/// A question a rotation may ask about the state: its name in every
/// backend (Rhai, the jit, the sdk), what it reads and what it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    /// The name rotations call it by.
    pub name: &'static str,
    /// Where it reads.
    pub reads: Reads,
    /// What it answers.
    pub answer: Answer,
    /// What it means, for documentation.
    pub doc: &'static str,
}

/// Calls the macro `$then` with the table of state queries, one line each:
/// `"doc" name: Reads(CONSTANT, ...) -> Answer;` with the constants of this
/// module. The one home of the queries: [`QUERIES`], the Rhai API, the jit
/// and the sdk's `State` are all built from it, so a new query is one line
/// here (plus its test).
#[macro_export]
macro_rules! with_state_queries {
    ($then:ident) => {
        $then! {
            "Seconds since the fight started." time: Header(TIME) -> Number;
            "Seconds until the fight ends." fight_remains: Header(FIGHT_REMAINS) -> Number;
            "Current amount of the resource." resource: Header(RESOURCE) -> Number;
            "Maximum amount of the resource." resource_max: Header(RESOURCE_MAX) -> Number;
            "Resource missing to the maximum." resource_deficit: Difference(RESOURCE_MAX, RESOURCE) -> Number;
            "Resource regenerated per second now." regen: Header(RESOURCE_REGEN) -> Number;
            "Number of targets." targets: Header(TARGETS) -> Number;
            "The player's haste multiplier (1.2 = 20 % haste)." haste: Header(HASTE) -> Number;
            "Length of the global cooldown now, in seconds." gcd: Header(GCD) -> Number;
            "Whether the spell could be cast now." ready: Spell(SPELL_CASTABLE) -> Positive;
            "Seconds until the spell has a charge (0 when it has one)." cooldown: Spell(SPELL_COOLDOWN) -> Number;
            "Seconds until the spell gains its next charge (0 at full charges)." recharge: Spell(SPELL_RECHARGE) -> Number;
            "Charges of the spell available now." charges: Spell(SPELL_CHARGES) -> Number;
            "Charges of the spell with the recharged part of the next (1.25 = one and a quarter)." charges_fractional: Spell(SPELL_CHARGES_FRACTIONAL) -> Number;
            "Seconds until the spell has all its charges back (0 at full charges)." full_recharge: Spell(SPELL_FULL_RECHARGE) -> Number;
            "Whether the aura is up." aura_up: Aura(AURA_STACKS) -> Positive;
            "Seconds left on the aura (0 when down)." aura_remains: Aura(AURA_REMAINS) -> Number;
            "Stacks of the aura (0 when down)." aura_stacks: Aura(AURA_STACKS) -> Number;
            "Whether anything the character has can bring the aura this fight (an unchosen talent's aura cannot)." aura_reachable: Aura(AURA_REACHABLE) -> Positive;
        }
    };
}

macro_rules! query_table {
    ($($doc:literal $name:ident: $reads:ident($($field:ident),*) -> $answer:ident;)*) => {
        /// Every state query, in the order of [`with_state_queries!`].
        pub const QUERIES: &[Query] = &[$(Query {
            name: stringify!($name),
            reads: Reads::$reads($($field),*),
            answer: Answer::$answer,
            doc: $doc,
        }),*];
    };
}

with_state_queries!(query_table);

/// The state query called `name`.
pub fn query(name: &str) -> Option<&'static Query> {
    QUERIES.iter().find(|q| q.name == name)
}

/// The value `query` reads in `state` (of a spec with `spells` spells),
/// for the spell or aura `subject` when it takes one; `None` when a
/// subject is missing or out of range.
pub fn read(query: &Query, state: &[f64], spells: usize, subject: Option<usize>) -> Option<f64> {
    let value = match query.reads {
        Reads::Header(i) => *state.get(i)?,
        Reads::Difference(a, b) => state.get(a)? - state.get(b)?,
        Reads::Spell(field) => *state.get(spell(subject.filter(|&s| s < spells)?, field))?,
        Reads::Aura(field) => *state.get(aura(spells, subject?, field))?,
    };
    Some(match query.answer {
        Answer::Number => value,
        Answer::Positive => f64::from(u8::from(value > 0.0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_names_are_distinct_identifiers() {
        for (i, q) in QUERIES.iter().enumerate() {
            assert!(
                q.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}",
                q.name
            );
            assert!(QUERIES[..i].iter().all(|o| o.name != q.name), "{}", q.name);
        }
    }

    #[test]
    fn queries_read_their_fields() {
        // Two spells, one aura.
        let mut state = vec![0.0; len(2, 1)];
        state[RESOURCE] = 30.0;
        state[RESOURCE_MAX] = 100.0;
        state[spell(1, SPELL_CHARGES)] = 2.0;
        state[spell(1, SPELL_CASTABLE)] = 1.0;
        state[spell(1, SPELL_CHARGES_FRACTIONAL)] = 2.5;
        state[spell(1, SPELL_FULL_RECHARGE)] = 4.0;
        state[aura(2, 0, AURA_STACKS)] = 3.0;
        state[aura(2, 0, AURA_REACHABLE)] = 1.0;
        let ask = |name: &str, subject| read(query(name).unwrap(), &state, 2, subject);
        assert_eq!(ask("resource_deficit", None), Some(70.0));
        assert_eq!(ask("charges", Some(1)), Some(2.0));
        assert_eq!(ask("charges", Some(0)), Some(0.0));
        assert_eq!(ask("charges_fractional", Some(1)), Some(2.5));
        assert_eq!(ask("full_recharge", Some(1)), Some(4.0));
        assert_eq!(ask("ready", Some(1)), Some(1.0));
        assert_eq!(ask("ready", Some(0)), Some(0.0));
        assert_eq!(ask("aura_stacks", Some(0)), Some(3.0));
        assert_eq!(ask("aura_up", Some(0)), Some(1.0));
        assert_eq!(ask("aura_reachable", Some(0)), Some(1.0));
        assert_eq!(ask("cooldown", None), None);
        assert_eq!(ask("aura_up", Some(1)), None);
        assert!(query("kill_command").is_none());
    }
}
