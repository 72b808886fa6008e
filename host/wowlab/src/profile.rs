//! `wowlab profile`: reads a SimulationCraft profile and shows what wowlab
//! takes from it (the character, its talents by name, its gear's stats) and
//! everything it does not use, line by line.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use wowlab_gamedata::builds;
use wowlab_gamedata::spelldump::SpellDump;
use wowlab_simc::{Character, read_character, sheet};

/// Arguments of `wowlab profile`.
#[derive(clap::Args)]
pub struct ProfileArgs {
    /// The profile (SimulationCraft's text format, as the addon exports it).
    file: PathBuf,
}

/// Runs `wowlab profile`.
pub fn run(args: &ProfileArgs) -> Result<()> {
    let character = read_file(&args.file)?;
    let dump = builds::spell_dump(&character.spec.class).transpose()?;
    print!("{}", describe(&character, dump.as_ref()));
    Ok(())
}

/// Reads the character of the profile in `file`; errors name the file, line and column.
pub fn read_file(file: &std::path::Path) -> Result<Character> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    read_character(&text).with_context(|| format!("{}", file.display()))
}

/// A spell's name from the dump with its id, or its id alone.
fn spell_name(dump: Option<&SpellDump>, spell: u32) -> String {
    dump.and_then(|d| d.spell(spell)).map_or_else(
        || format!("spell {spell}"),
        |s| format!("{} (spell {spell})", s.name),
    )
}

/// The report `wowlab profile` prints.
pub fn describe(c: &Character, dump: Option<&SpellDump>) -> String {
    let mut out = String::new();
    let race = c.race.as_deref().unwrap_or("(no race)");
    let _ = writeln!(
        out,
        "{}: level {} {race} {} {} (specialization {})",
        c.name, c.level, c.spec.name, c.spec.class, c.spec.id
    );
    let g = &c.gear;
    let _ = writeln!(
        out,
        "gear: item level {}, strength {}, agility {}, intellect {}, stamina {}, crit {}, haste {}, mastery {}, versatility {}, armor {}",
        g.ilvl,
        g.strength,
        g.agility,
        g.intellect,
        g.stamina,
        g.crit_rating,
        g.haste_rating,
        g.mastery_rating,
        g.versatility_rating,
        g.armor
    );
    match sheet(c) {
        Ok(s) => {
            let _ = writeln!(
                out,
                "sheet (gear and level only: before talents, buffs and consumables): agility {:.0}, attack power {:.0}, crit {:.2} %, haste {:.2} %, mastery {:.2} points ({:.2} %), versatility {:.2} %; boss armor {:.0} ({:.1} % physical mitigation)",
                s.agility,
                s.attack_power,
                s.crit_percent,
                s.haste_percent,
                s.mastery_points,
                s.mastery_percent(),
                s.versatility_percent,
                s.boss.creature_armor,
                s.boss_mitigation() * 100.0
            );
            for note in &s.notes {
                let _ = writeln!(out, "  note: {note}");
            }
        }
        Err(e) => {
            let _ = writeln!(out, "sheet: {e}");
        }
    }
    let raid_dump = wowlab_simc::raid::raid_dump();
    let raid = raid_dump
        .as_ref()
        .map_err(Clone::clone)
        .and_then(wowlab_simc::raid::optimal_raid);
    match raid {
        Err(e) => {
            let _ = writeln!(out, "raid: {e}");
        }
        Ok(raid) => {
            out.push_str(
                "raid (SimulationCraft's optimal_raid, as wowlab sim --simc applies it):\n",
            );
            for line in &raid.sources {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    for consumable in &c.consumables {
        let (option, value) = &consumable.value;
        let found = raid_dump
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|d| wowlab_simc::raid::consumable(d, option, value));
        let what = match found {
            Ok(Some((effect, source))) => format!("{effect}: {source}"),
            Ok(None) => wowlab_simc::raid::consumable_gap(option).to_string(),
            Err(e) => e.to_string(),
        };
        let _ = writeln!(out, "  line {}: {option}={value}: {what}", consumable.line);
    }
    match &c.talents {
        None => out.push_str("talents: none given\n"),
        Some(loadout) => {
            let tree = builds::talent_tree(&c.spec.class).and_then(Result::ok);
            let _ = writeln!(
                out,
                "talents: {} from the {} {} tree",
                loadout.talents.len(),
                builds::TABLES_BUILD,
                c.spec.class
            );
            for t in &loadout.talents {
                let hero = tree
                    .as_ref()
                    .and_then(|tree| tree.node(t.node))
                    .and_then(|n| n.subtree.as_ref())
                    .map_or(String::new(), |(_, name)| format!(" [{name}]"));
                let granted = if t.granted { ", granted" } else { "" };
                let name = if t.spell == 0 {
                    "hero tree choice".to_string()
                } else {
                    spell_name(dump, t.spell)
                };
                let _ = writeln!(
                    out,
                    "  node {}: {name}, rank {}{granted}{hero}",
                    t.node, t.ranks
                );
            }
        }
    }
    let _ = writeln!(out, "not used ({}):", c.ignored.len());
    for i in &c.ignored {
        let _ = writeln!(out, "  line {}: {} — {}", i.line, i.what, i.why);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str =
        include_str!("../../../examples/profiles/MID1_Hunter_Beast_Mastery.simc");

    #[test]
    fn the_report_names_talents_from_the_spell_dump_and_lists_what_is_not_used() {
        let c = read_character(REFERENCE).unwrap();
        let dump = builds::spell_dump("hunter").unwrap().unwrap();
        let text = describe(&c, Some(&dump));
        assert!(text.starts_with(
            "MID1_Hunter_Beast_Mastery: level 90 orc beast_mastery hunter (specialization 253)\n"
        ));
        assert!(text.contains("\ntalents: 72 from the 12.0.5.66529 hunter tree\n"));
        assert!(
            text.contains("\nsheet (gear and level only: before talents, buffs and consumables): agility 2009, attack power 2009, crit 16.54 %, haste 18.80 %, mastery 30.98 points (58.86 %), versatility 1.56 %; boss armor 1470 (30.0 % physical mitigation)\n"),
            "{text}"
        );
        assert!(text.contains("\n  node 102346: Kill Command (spell 34026), rank 1\n"));
        assert!(text.contains("\n  node 94991: Howl of the Pack Leader (spell 471876), rank 1, granted [Pack Leader]\n"));
        assert!(text.contains(&format!("\nnot used ({}):\n", c.ignored.len())));
        assert!(text.contains("\n  line 34: trinket1=radiant_plume — items are not modelled"));
        // The raid, and what each consumable gives or why it gives nothing.
        assert!(text.contains("\nraid (SimulationCraft's optimal_raid, as wowlab sim --simc applies it):\n  attack power +5 %: spelldump 12.0.5.67823 6673 (Battle Shout) #1\n"), "{text}");
        assert!(text.contains("\n  line 18: food=silvermoon_parade: +50 agility: spelldump 12.0.5.67823 1219179 (Become Well Fed) #2, its value at level 90\n"), "{text}");
        assert!(
            text.contains(
                "\n  line 17: flask=flask_of_the_magisters_2: +165.00010307693418 mastery rating: spelldump 12.0.5.67823 1235108 (Flask of the Magisters) #1: coefficient 0.681974 × item level 295's consumable budget"
            ),
            "{text}"
        );
        assert!(
            text.contains("\n  line 20: temporary_enchant=main_hand:thalassian_phoenix_oil_2: weapon oils are not modelled yet\n"),
            "{text}"
        );
        // Without the dump, spells are named by id.
        assert!(describe(&c, None).contains("\n  node 102346: spell 34026, rank 1\n"));
    }
}
