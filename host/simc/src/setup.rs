//! A character as the engine's input: the player's stats from its sheet,
//! the pack options its talents switch on, and everything it says that the
//! pack does not model, so nothing is dropped silently.

use wowlab_engine::config::ExternalAura;
use wowlab_engine::options::Chosen;
use wowlab_engine::spec::{DamageTaken, SpecPack, Stats};
use wowlab_gamedata::builds;

use wowlab_gamedata::talents::{Loadout, NodeKind, TalentTree};

use crate::character::{Character, Ignored};
use crate::raid::{
    ConsumableEffect, consumable, consumable_gap, optimal_raid, raid_dump, timed_aura,
};
use crate::sheet::{SecondaryRatings, Sheet};

/// Why a character cannot be simulated with a pack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(String);

/// What a config takes from a character.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// The player's stats: the sheet's, as percents and points on top of
    /// the pack's base crit and mastery (the sheet counts those in).
    pub player: Stats,
    /// The pack options the talents switch on, with their ranks.
    pub options: Chosen,
    /// The debuffs the raid keeps on every target.
    pub damage_taken: Vec<DamageTaken>,
    /// The auras the raid applies at set times (Bloodlust at the pull).
    pub external_auras: Vec<ExternalAura>,
    /// Where the raid's and the consumables' numbers come from, one line each.
    pub raid_sources: Vec<String>,
    /// What the profile says that the simulation does not use, in line
    /// order: its lines, the talents without an option, what options do
    /// beyond their modifiers, and what the sheet leaves out.
    pub ignored: Vec<Ignored>,
}

/// The setup of character `c` (with sheet `sheet`) for `pack`.
pub fn setup(c: &Character, sheet: &Sheet, pack: &SpecPack) -> Result<Setup, SetupError> {
    if !pack.class.is_empty() && (pack.class != c.spec.class || pack.spec != c.spec.name) {
        return Err(SetupError(format!(
            "the pack `{}` is for {} {}, the profile's character is {} {}",
            pack.name, pack.spec, pack.class, c.spec.name, c.spec.class
        )));
    }
    let base_crit = pack.combat.base_crit * 100.0;
    let dump = raid_dump().map_err(|e| SetupError(e.to_string()))?;
    let raid = optimal_raid(&dump).map_err(|e| SetupError(e.to_string()))?;
    let mut raid_sources = raid.sources.clone();
    let mut external_auras = raid.external_auras;
    let mut ignored = c.ignored.clone();
    let mut primary_stat = 0.0;
    let mut ratings = SecondaryRatings::default();
    for line in &c.consumables {
        let (option, value) = &line.value;
        let found = consumable(&dump, option, value).map_err(|e| SetupError(e.to_string()))?;
        if let Some((effect, source)) = &found {
            raid_sources.push(format!("{option}={value}: {effect}: {source}"));
        }
        match found {
            Some((ConsumableEffect::PrimaryStat(amount), _)) => primary_stat += amount,
            Some((ConsumableEffect::Ratings(r), _)) => ratings = ratings + r,
            Some((
                ConsumableEffect::TimedPrimaryStat {
                    amount,
                    duration_ms,
                    cooldown_ms,
                },
                _,
            )) => external_auras.push(timed_aura(
                value,
                amount * sheet.attack_power_per_agility,
                duration_ms,
                cooldown_ms,
            )),
            None => ignored.push(Ignored {
                line: line.line,
                what: format!("{option}={value}"),
                why: consumable_gap(option).into(),
            }),
        }
    }
    let sheet = sheet.with_ratings(ratings);
    let player = Stats {
        attack_power: sheet.attack_power + primary_stat * sheet.attack_power_per_agility,
        // The weapon is the pack's until items are read one by one.
        weapon_attack_power: pack.player.weapon_attack_power,
        attack_power_percent: raid.attack_power_percent,
        crit_percent: sheet.crit_percent - base_crit,
        haste_percent: sheet.haste_percent,
        mastery_points: sheet.mastery_points - pack.combat.mastery.base_points
            + raid.mastery_points,
        versatility_percent: sheet.versatility_percent + raid.versatility_percent,
        ..Stats::default()
    };
    let mut options = Chosen::new();
    if let Some(loadout) = &c.talents {
        let dump = builds::spell_dump(&c.spec.class).and_then(Result::ok);
        let name = |spell: u32| {
            dump.as_ref()
                .and_then(|d| d.spell(spell))
                .map_or(format!("spell {spell}"), |s| {
                    format!("{} ({spell})", s.name)
                })
        };
        let tree = builds::talent_tree(&c.spec.class).and_then(Result::ok);
        for (spell, ranks) in talent_ranks(loadout, tree.as_ref()) {
            let what = format!("talent {}, rank {ranks}", name(spell));
            match pack.options.iter().find(|o| o.talent == spell) {
                None => ignored.push(Ignored {
                    line: c.talents_line,
                    what,
                    why: "the pack has no option for it".into(),
                }),
                Some(o) => {
                    let rank = u32::from(ranks);
                    if rank > o.max_rank {
                        return Err(SetupError(format!(
                            "{what}: the pack's option `{}` has {} ranks",
                            o.name, o.max_rank
                        )));
                    }
                    options.insert(o.name.clone(), rank);
                    if !o.unmodelled.is_empty() {
                        ignored.push(Ignored {
                            line: c.talents_line,
                            what: format!("{what} (option `{}`)", o.name),
                            why: format!("not modelled: {}", o.unmodelled.join("; ")),
                        });
                    }
                }
            }
        }
    }
    for bonus in &c.set_bonuses {
        let what = format!("set_bonus={}", bonus.value);
        match pack.options.iter().find(|o| o.name == bonus.value) {
            None => ignored.push(Ignored {
                line: bonus.line,
                what,
                why: "the pack has no option for it".into(),
            }),
            Some(o) => {
                options.insert(o.name.clone(), 1);
                if !o.unmodelled.is_empty() {
                    ignored.push(Ignored {
                        line: bonus.line,
                        what,
                        why: format!("not modelled: {}", o.unmodelled.join("; ")),
                    });
                }
            }
        }
    }
    for note in &sheet.notes {
        ignored.push(Ignored {
            line: 0,
            what: "character sheet".into(),
            why: note.clone(),
        });
    }
    ignored.sort_by_key(|i| i.line);
    Ok(Setup {
        player,
        options,
        damage_taken: raid.damage_taken,
        external_auras,
        raid_sources,
        ignored,
    })
}

/// Each talent's spell with its ranks: a tiered node's ranks run through
/// its entries in order (rank 4 of entries of 1, 2 and 1 ranks takes all
/// three), so each entry's spell counts with the ranks it got.
fn talent_ranks(loadout: &Loadout, tree: Option<&TalentTree>) -> Vec<(u32, u16)> {
    let mut out = Vec::new();
    for t in &loadout.talents {
        let node = tree.and_then(|tree| tree.node(t.node));
        match node {
            Some(n) if n.kind == NodeKind::Tiered => {
                let mut left = t.ranks;
                for e in &n.entries {
                    let take = left.min(e.max_ranks);
                    if take > 0 && e.spell != 0 {
                        out.push((e.spell, take));
                    }
                    left -= take;
                }
            }
            _ if t.spell != 0 => out.push((t.spell, t.ranks)),
            _ => {}
        }
    }
    out
}
