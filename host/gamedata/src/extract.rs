//! The extraction tool: from the game's full tables (a folder of CSV
//! exports, one per table, such as `../shared/gamedata/<build>/`) to the
//! rows the project commits under `gamedata/<build>/`.
//!
//! What it writes, and from which tables:
//! - `specs.csv`: every class specialization with a talent tree
//!   (`ChrSpecialization`, `ChrClasses`, `TraitTreeLoadout`);
//! - `talents/<class>.csv`: the class's talent tree, one row per node and
//!   entry (`TraitNode`, `TraitNodeXTraitNodeEntry`, `TraitNodeEntry`,
//!   `TraitDefinition`, `TraitSubTree`);
//! - `classes.csv`: how each class's primary stats become attack power
//!   (`ChrClasses`);
//! - `levels.csv`: per level from the player's ([`PLAYER_LEVEL`]) to a raid
//!   boss's (three above), the expected armor of a creature and the armor
//!   constant (`ExpectedStat`, the current expansion's rows);
//! - `power_types.csv`: each resource's maximum and regeneration
//!   (`PowerType`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::tables::{Table, TableError};
use crate::talents::{Entry, Node, NodeKind, TalentTree};

/// The level of the characters the data are for.
pub const PLAYER_LEVEL: u32 = 90;

/// The header of `classes.csv`.
pub const CLASSES_HEADER: &str = "class_id,class,attack_power_per_agility,ranged_attack_power_per_agility,attack_power_per_strength";

/// The header of `levels.csv`.
pub const LEVELS_HEADER: &str = "level,creature_armor,armor_constant,expected_stat_id";

/// The header of `power_types.csv`.
pub const POWER_TYPES_HEADER: &str = "power_type,name,max,regen_combat,regen_peace,power_type_id";

/// The header of `item_budgets.csv`.
pub const ITEM_BUDGETS_HEADER: &str = "item_level,consumable";

/// The header of `specs.csv`.
pub const SPECS_HEADER: &str = "spec_id,spec,class_id,class,tree_id,mastery_spell_id";

/// Why extraction failed.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// A table could not be read.
    #[error(transparent)]
    Table(#[from] TableError),
    /// The tables do not say what they should.
    #[error("{0}")]
    Data(String),
}

/// One file extraction writes, relative to the build's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path under `gamedata/<build>/`, e.g. `talents/hunter.csv`.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// One specialization, as `specs.csv` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// `ChrSpecialization.ID`.
    pub id: u32,
    /// Its name in SimulationCraft's spelling, e.g. "beast_mastery".
    pub name: String,
    /// `ChrClasses.ID`.
    pub class_id: u32,
    /// The class in SimulationCraft's spelling, e.g. "hunter".
    pub class: String,
    /// The class's talent tree (`TraitTree.ID`).
    pub tree_id: u32,
    /// The spec's mastery spell (0 if none).
    pub mastery_spell: u32,
}

/// Extracts, from the tables in `tables`, the files for `build` of the
/// given classes' trees (SimulationCraft's spelling, e.g. "hunter").
pub fn extract(
    build: &str,
    tables: &Path,
    classes: &[&str],
) -> Result<Vec<OutputFile>, ExtractError> {
    let specs = read_specs(tables)?;
    let mut files = vec![OutputFile {
        path: PathBuf::from("specs.csv"),
        text: specs_csv(&specs),
    }];
    files.push(OutputFile {
        path: PathBuf::from("classes.csv"),
        text: classes_csv(tables)?,
    });
    files.push(OutputFile {
        path: PathBuf::from("levels.csv"),
        text: levels_csv(tables)?,
    });
    files.push(OutputFile {
        path: PathBuf::from("power_types.csv"),
        text: power_types_csv(tables)?,
    });
    files.push(OutputFile {
        path: PathBuf::from("item_budgets.csv"),
        text: item_budgets_csv(tables)?,
    });
    let trees = TreeTables::read(tables)?;
    for &class in classes {
        let tree_id = specs
            .iter()
            .find(|s| s.class == class)
            .map(|s| s.tree_id)
            .ok_or_else(|| {
                ExtractError::Data(format!(
                    "no specialization of class `{class}` has a talent tree"
                ))
            })?;
        let tree = trees.tree(build, class, tree_id)?;
        files.push(OutputFile {
            path: PathBuf::from(format!("talents/{class}.csv")),
            text: tree.to_csv(),
        });
    }
    Ok(files)
}

/// `ChrClasses`: attack power per point of agility (melee, ranged) and strength.
fn classes_csv(dir: &Path) -> Result<String, ExtractError> {
    let t = Table::read(&dir.join("ChrClasses.csv"))?;
    let (id, filename, agi, ranged, str_) = (
        t.column("ID")?,
        t.column("Filename")?,
        t.column("AttackPowerPerAgility")?,
        t.column("RangedAttackPowerPerAgility")?,
        t.column("AttackPowerPerStrength")?,
    );
    let mut rows = Vec::new();
    for r in t.rows() {
        let class_id: u32 = r.number(&id)?;
        rows.push((
            class_id,
            format!(
                "{class_id},{},{},{},{}\n",
                r.text(&filename).to_lowercase(),
                r.number::<f64>(&agi)?,
                r.number::<f64>(&ranged)?,
                r.number::<f64>(&str_)?
            ),
        ));
    }
    rows.sort_by_key(|(id, _)| *id);
    Ok(std::iter::once(format!("{CLASSES_HEADER}\n"))
        .chain(rows.into_iter().map(|(_, line)| line))
        .collect())
}

/// `ExpectedStat`'s rows of the current expansion (`ExpansionID` −2, no
/// content set) for the player's level up to a raid boss's.
fn levels_csv(dir: &Path) -> Result<String, ExtractError> {
    let t = Table::read(&dir.join("ExpectedStat.csv"))?;
    let (id, expansion, content, level, armor, constant) = (
        t.column("ID")?,
        t.column("ExpansionID")?,
        t.column("ContentSetID")?,
        t.column("Lvl")?,
        t.column("CreatureArmor")?,
        t.column("ArmorConstant")?,
    );
    let mut rows = BTreeMap::new();
    for r in t.rows() {
        let lvl: u32 = r.number(&level)?;
        if r.number::<i32>(&expansion)? != -2 || r.number::<u32>(&content)? != 0 {
            continue;
        }
        if !(PLAYER_LEVEL..=PLAYER_LEVEL + 3).contains(&lvl) {
            continue;
        }
        let line = format!(
            "{lvl},{},{},{}\n",
            r.number::<f64>(&armor)?,
            r.number::<f64>(&constant)?,
            r.number::<u32>(&id)?
        );
        if rows.insert(lvl, line).is_some() {
            return Err(ExtractError::Data(format!(
                "ExpectedStat has two current rows for level {lvl}"
            )));
        }
    }
    if rows.len() != 4 {
        return Err(ExtractError::Data(format!(
            "ExpectedStat lacks current rows for levels {PLAYER_LEVEL} to {}",
            PLAYER_LEVEL + 3
        )));
    }
    Ok(std::iter::once(format!("{LEVELS_HEADER}\n"))
        .chain(rows.into_values())
        .collect())
}

/// `PowerType`: every resource with its own enum value (the game's `Power`
/// numbers that spell costs name), by that value; several "alternate"
/// rows share a tag, so the enum value is the key.
fn power_types_csv(dir: &Path) -> Result<String, ExtractError> {
    let t = Table::read(&dir.join("PowerType.csv"))?;
    let (id, tag, power, max, combat, peace) = (
        t.column("ID")?,
        t.column("NameGlobalStringTag")?,
        t.column("PowerTypeEnum")?,
        t.column("MaxBasePower")?,
        t.column("RegenCombat")?,
        t.column("RegenPeace")?,
    );
    // Regeneration is a 32-bit float in the game's data: read as one, it
    // prints as the game's number (0.1, not the export's 0.10000000149).
    let mut rows = BTreeMap::new();
    for r in t.rows() {
        let enum_value: u32 = r.number(&power)?;
        let line = format!(
            "{enum_value},{},{},{},{},{}\n",
            r.text(&tag).to_lowercase(),
            r.number::<f64>(&max)?,
            r.number::<f32>(&combat)?,
            r.number::<f32>(&peace)?,
            r.number::<u32>(&id)?
        );
        if rows.insert(enum_value, line).is_some() {
            return Err(ExtractError::Data(format!(
                "PowerType has two rows for power type {enum_value}"
            )));
        }
    }
    Ok(std::iter::once(format!("{POWER_TYPES_HEADER}\n"))
        .chain(rows.into_values())
        .collect())
}

/// `RandPropPoints`: the stat budget of each item level. Kept: `GoodF_0`,
/// the budget of a consumable (an item of no quality counts as
/// uncommon), which its effects' coefficients multiply. A 32-bit float in
/// the game's data, written as such.
fn item_budgets_csv(dir: &Path) -> Result<String, ExtractError> {
    let t = Table::read(&dir.join("RandPropPoints.csv"))?;
    let (id, good) = (t.column("ID")?, t.column("GoodF_0")?);
    let mut rows = BTreeMap::new();
    for r in t.rows() {
        let level: u32 = r.number(&id)?;
        let line = format!("{level},{}\n", r.number::<f32>(&good)?);
        if rows.insert(level, line).is_some() {
            return Err(ExtractError::Data(format!(
                "RandPropPoints has two rows for item level {level}"
            )));
        }
    }
    Ok(std::iter::once(format!("{ITEM_BUDGETS_HEADER}\n"))
        .chain(rows.into_values())
        .collect())
}

/// Names in SimulationCraft's spelling: lower case, spaces as underscores.
fn simc_name(name: &str) -> String {
    name.trim().to_lowercase().replace(' ', "_")
}

fn read_specs(dir: &Path) -> Result<Vec<Spec>, ExtractError> {
    let classes = Table::read(&dir.join("ChrClasses.csv"))?;
    let (id, filename) = (classes.column("ID")?, classes.column("Filename")?);
    let mut class_names = HashMap::new();
    for row in classes.rows() {
        class_names.insert(row.number::<u32>(&id)?, row.text(&filename).to_lowercase());
    }
    let loadouts = Table::read(&dir.join("TraitTreeLoadout.csv"))?;
    let (tree, spec_of) = (
        loadouts.column("TraitTreeID")?,
        loadouts.column("ChrSpecializationID")?,
    );
    let mut trees = HashMap::new();
    for row in loadouts.rows() {
        trees.insert(row.number::<u32>(&spec_of)?, row.number::<u32>(&tree)?);
    }
    let table = Table::read(&dir.join("ChrSpecialization.csv"))?;
    let (id, name, class, mastery) = (
        table.column("ID")?,
        table.column("Name_lang")?,
        table.column("ClassID")?,
        table.column("MasterySpellID_0")?,
    );
    let mut specs = Vec::new();
    for row in table.rows() {
        let spec_id: u32 = row.number(&id)?;
        let class_id: u32 = row.number(&class)?;
        let (Some(&tree_id), Some(class)) = (trees.get(&spec_id), class_names.get(&class_id))
        else {
            continue;
        };
        specs.push(Spec {
            id: spec_id,
            name: simc_name(row.text(&name)),
            class_id,
            class: class.clone(),
            tree_id,
            mastery_spell: row.number(&mastery)?,
        });
    }
    specs.sort_by_key(|s| s.id);
    Ok(specs)
}

/// `specs` as the rows of `specs.csv`.
pub fn specs_csv(specs: &[Spec]) -> String {
    let mut out = format!("{SPECS_HEADER}\n");
    for s in specs {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            s.id, s.name, s.class_id, s.class, s.tree_id, s.mastery_spell
        ));
    }
    out
}

/// Reads `specs.csv` text (`name` names it in errors).
pub fn parse_specs(name: &Path, text: &str) -> Result<Vec<Spec>, TableError> {
    let table = Table::from_reader(name, text.as_bytes())?;
    let c = |n: &str| table.column(n);
    let (id, spec, class_id, class, tree, mastery) = (
        c("spec_id")?,
        c("spec")?,
        c("class_id")?,
        c("class")?,
        c("tree_id")?,
        c("mastery_spell_id")?,
    );
    table
        .rows()
        .map(|row| {
            Ok(Spec {
                id: row.number(&id)?,
                name: row.text(&spec).to_string(),
                class_id: row.number(&class_id)?,
                class: row.text(&class).to_string(),
                tree_id: row.number(&tree)?,
                mastery_spell: row.number(&mastery)?,
            })
        })
        .collect()
}

/// The talent tables, read once for every class.
struct TreeTables {
    /// TraitNode rows: (id, tree, type, subtree, x, y).
    nodes: Vec<(u32, u32, u32, u32, i32, i32)>,
    /// Node → (index, entry id), from TraitNodeXTraitNodeEntry.
    node_entries: HashMap<u32, Vec<(u32, u32)>>,
    /// Entry id → (definition, max ranks, subtree).
    entries: HashMap<u32, (u32, u16, u32)>,
    /// Definition id → spell id.
    spells: HashMap<u32, u32>,
    /// Subtree id → name.
    subtrees: HashMap<u32, String>,
}

impl TreeTables {
    fn read(dir: &Path) -> Result<Self, ExtractError> {
        let t = Table::read(&dir.join("TraitNode.csv"))?;
        let (id, tree, kind, sub, x, y) = (
            t.column("ID")?,
            t.column("TraitTreeID")?,
            t.column("Type")?,
            t.column("TraitSubTreeID")?,
            t.column("PosX")?,
            t.column("PosY")?,
        );
        let nodes = t
            .rows()
            .map(|r| {
                Ok((
                    r.number(&id)?,
                    r.number(&tree)?,
                    r.number(&kind)?,
                    r.number(&sub)?,
                    r.number(&x)?,
                    r.number(&y)?,
                ))
            })
            .collect::<Result<_, TableError>>()?;
        let t = Table::read(&dir.join("TraitNodeXTraitNodeEntry.csv"))?;
        let (node, entry, index) = (
            t.column("TraitNodeID")?,
            t.column("TraitNodeEntryID")?,
            t.column("_Index")?,
        );
        let mut node_entries: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
        for r in t.rows() {
            node_entries
                .entry(r.number(&node)?)
                .or_default()
                .push((r.number(&index)?, r.number(&entry)?));
        }
        let t = Table::read(&dir.join("TraitNodeEntry.csv"))?;
        let (id, def, ranks, sub) = (
            t.column("ID")?,
            t.column("TraitDefinitionID")?,
            t.column("MaxRanks")?,
            t.column("TraitSubTreeID")?,
        );
        let mut entries = HashMap::new();
        for r in t.rows() {
            entries.insert(
                r.number(&id)?,
                (r.number(&def)?, r.number(&ranks)?, r.number(&sub)?),
            );
        }
        let t = Table::read(&dir.join("TraitDefinition.csv"))?;
        let (id, spell) = (t.column("ID")?, t.column("SpellID")?);
        let mut spells = HashMap::new();
        for r in t.rows() {
            spells.insert(r.number(&id)?, r.number(&spell)?);
        }
        let t = Table::read(&dir.join("TraitSubTree.csv"))?;
        let (id, name) = (t.column("ID")?, t.column("Name_lang")?);
        let mut subtrees = HashMap::new();
        for r in t.rows() {
            subtrees.insert(r.number(&id)?, r.text(&name).to_string());
        }
        Ok(Self {
            nodes,
            node_entries,
            entries,
            spells,
            subtrees,
        })
    }

    fn tree(&self, build: &str, class: &str, tree_id: u32) -> Result<TalentTree, ExtractError> {
        let mut nodes = BTreeMap::new();
        for &(id, tree, kind, sub, x, y) in &self.nodes {
            if tree != tree_id {
                continue;
            }
            let kind = NodeKind::from_game_type(kind)
                .ok_or_else(|| ExtractError::Data(format!("node {id} has unknown type {kind}")))?;
            let mut listed = self.node_entries.get(&id).cloned().unwrap_or_default();
            listed.sort();
            let entries = listed
                .iter()
                .map(|&(_, entry)| self.entry(id, entry))
                .collect::<Result<_, _>>()?;
            let subtree =
                (sub != 0).then(|| (sub, self.subtrees.get(&sub).cloned().unwrap_or_default()));
            nodes.insert(
                id,
                Node {
                    id,
                    kind,
                    subtree,
                    position: (x, y),
                    entries,
                },
            );
        }
        if nodes.is_empty() {
            return Err(ExtractError::Data(format!(
                "talent tree {tree_id} has no nodes"
            )));
        }
        Ok(TalentTree {
            build: build.to_string(),
            class: class.to_string(),
            nodes: nodes.into_values().collect(),
        })
    }

    fn entry(&self, node: u32, entry: u32) -> Result<Entry, ExtractError> {
        let &(definition, max_ranks, sub) = self.entries.get(&entry).ok_or_else(|| {
            ExtractError::Data(format!(
                "node {node} lists entry {entry}, which TraitNodeEntry does not have"
            ))
        })?;
        Ok(Entry {
            id: entry,
            definition,
            spell: self.spells.get(&definition).copied().unwrap_or(0),
            max_ranks,
            selects_subtree: (sub != 0).then_some(sub),
        })
    }
}
