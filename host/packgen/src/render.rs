//! The pack's text: a header of comments (what made it, where each number
//! comes from, what it does not model), then the pack as TOML.

use std::fmt::Write;

use wowlab_engine::spec::SpecPack;
use wowlab_gamedata::builds;

use crate::build::Report;
use crate::rules::Rules;

/// `pack` as TOML after a header built from the rules and the report.
pub fn render(
    rules: &Rules,
    rules_path: &str,
    dump_header: &str,
    pack: &SpecPack,
    report: &Report,
) -> Result<String, toml::ser::Error> {
    let mut out = String::new();
    let mut line = |text: &str| {
        if text.is_empty() {
            out.push_str("#\n");
        } else {
            let _ = writeln!(out, "# {text}");
        }
    };
    line(&format!("{}: generated, do not edit.", rules.name));
    line(&format!(
        "Made by `wowlab gamedata pack --rules {rules_path}` from the committed game data:"
    ));
    line(&format!(
        "tables {}, spell dump \"{}\",",
        builds::TABLES_BUILD,
        dump_header.trim_start_matches("# ").trim()
    ));
    line(&format!("and the reference profile {}.", rules.profile));
    line("Change the rules or the data and run the command again.");
    line("");
    line("Where the numbers come from:");
    for t in &report.trace {
        line(&format!("  {t}"));
    }
    line("Modifiers and options name their sources in `origin`.");
    if !report.unmodelled.is_empty() {
        line("");
        line("Effects of the pack's spells, auras, passives and mastery that are not modelled:");
        for u in &report.unmodelled {
            line(&format!("  {u}"));
        }
    }
    if !report.talents_without_option.is_empty() {
        line("");
        line("Talents in the data that are no option here:");
        for t in &report.talents_without_option {
            line(&format!("  {t}"));
        }
    }
    out.push('\n');
    out.push_str(&toml::to_string(pack)?);
    Ok(out)
}
