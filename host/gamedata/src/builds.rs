//! The committed game data, compiled in: `gamedata/<build>/` at the
//! repository's root.

use std::path::Path;

use crate::extract::{Spec, parse_specs};
use crate::spelldump::{DumpError, SpellDump};
use crate::tables::TableError;
use crate::talents::TalentTree;

/// The build of the game's tables the project's data come from.
pub const TABLES_BUILD: &str = "12.0.5.66529";

/// The build of the spell data dump excerpts.
pub const DUMP_BUILD: &str = "12.0.5.67823";

/// The classes whose trees are committed for [`TABLES_BUILD`].
pub const CLASSES: &[&str] = &["hunter"];

/// One committed file: its path under `gamedata/` and its text.
struct Committed {
    path: &'static str,
    text: &'static str,
}

macro_rules! committed {
    ($path:literal) => {
        Committed {
            path: $path,
            text: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../gamedata/",
                $path
            )),
        }
    };
}

const SPECS: Committed = committed!("12.0.5.66529/specs.csv");
const TALENTS: &[(&str, Committed)] = &[("hunter", committed!("12.0.5.66529/talents/hunter.csv"))];
const DUMPS: &[(&str, Committed)] = &[("hunter", committed!("12.0.5.67823/spelldump/hunter.txt"))];

/// Every specialization with a talent tree, at [`TABLES_BUILD`].
pub fn specs() -> Result<Vec<Spec>, TableError> {
    parse_specs(Path::new(SPECS.path), SPECS.text)
}

/// The specialization `spec` of `class` (SimulationCraft's spelling).
pub fn spec(class: &str, spec: &str) -> Result<Option<Spec>, TableError> {
    Ok(specs()?
        .into_iter()
        .find(|s| s.class == class && s.name == spec))
}

/// The talent tree of `class` at [`TABLES_BUILD`], if committed.
pub fn talent_tree(class: &str) -> Option<Result<TalentTree, TableError>> {
    let (_, file) = TALENTS.iter().find(|(c, _)| *c == class)?;
    Some(TalentTree::from_csv(
        TABLES_BUILD,
        class,
        Path::new(file.path),
        file.text,
    ))
}

/// The spell dump excerpt of `class` at [`DUMP_BUILD`], if committed.
pub fn spell_dump(class: &str) -> Option<Result<SpellDump, DumpError>> {
    let (_, file) = DUMPS.iter().find(|(c, _)| *c == class)?;
    Some(SpellDump::parse(file.text))
}

/// The committed text of `path` under `gamedata/` (for the check that the
/// extraction tool reproduces it).
pub fn committed_text(path: &str) -> Option<&'static str> {
    std::iter::once(&SPECS)
        .chain(TALENTS.iter().map(|(_, f)| f))
        .find(|f| f.path == path)
        .map(|f| f.text)
}
