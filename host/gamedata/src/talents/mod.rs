//! A class's talent tree (class, spec and hero talents in one tree, as the
//! game keeps them) and the loadout strings players export from it.

mod bits;
mod loadout;

use std::path::Path;

pub use loadout::{Loadout, LoadoutError, Talent};

use crate::tables::{Table, TableError};

/// The header of the committed talent rows (`gamedata/<build>/talents/<class>.csv`).
pub const CSV_HEADER: &str = "node_id,node_type,subtree_id,subtree,pos_x,pos_y,entry_index,entry_id,definition_id,spell_id,max_ranks,entry_subtree_id";

/// What kind of node a talent node is (the game's `TraitNode.Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// One talent, bought in one or more ranks.
    Single,
    /// Ranks that unlock different talents in turn (Midnight's apex talents).
    Tiered,
    /// A choice of one of two talents.
    Choice,
    /// The choice of a hero talent tree.
    SubTreeSelection,
}

impl NodeKind {
    /// The kind the game numbers `value`.
    pub fn from_game_type(value: u32) -> Option<Self> {
        Some(match value {
            0 => Self::Single,
            1 => Self::Tiered,
            2 => Self::Choice,
            3 => Self::SubTreeSelection,
            _ => return None,
        })
    }

    /// The game's number for this kind.
    pub fn game_type(self) -> u32 {
        match self {
            Self::Single => 0,
            Self::Tiered => 1,
            Self::Choice => 2,
            Self::SubTreeSelection => 3,
        }
    }
}

/// One talent a node offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `TraitNodeEntry.ID`.
    pub id: u32,
    /// `TraitDefinition.ID`.
    pub definition: u32,
    /// The spell the talent teaches (0 for a hero tree selection).
    pub spell: u32,
    /// How many ranks it has.
    pub max_ranks: u16,
    /// The hero tree this entry selects (subtree selection nodes only).
    pub selects_subtree: Option<u32>,
}

/// One node of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// `TraitNode.ID`; loadout strings list nodes in the order of this id.
    pub id: u32,
    /// Its kind.
    pub kind: NodeKind,
    /// The hero tree it belongs to, if any: (id, name).
    pub subtree: Option<(u32, String)>,
    /// Its position in the game's talent window.
    pub position: (i32, i32),
    /// What it offers, in the game's order (a choice's index counts here).
    pub entries: Vec<Entry>,
}

impl Node {
    /// The ranks a loadout can give the node when it picks entry `index`: a
    /// tiered node's ranks run through all its entries.
    pub fn max_ranks(&self, index: usize) -> u16 {
        match self.kind {
            NodeKind::Tiered => self.entries.iter().map(|e| e.max_ranks).sum(),
            _ => self.entries.get(index).map_or(0, |e| e.max_ranks),
        }
    }
}

/// A class's whole talent tree at one game build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TalentTree {
    /// The game build the rows come from, e.g. "12.0.5.66529".
    pub build: String,
    /// The class, e.g. "hunter".
    pub class: String,
    /// Its nodes, by id.
    pub nodes: Vec<Node>,
}

impl TalentTree {
    /// Reads the committed rows of `class`'s tree at `build` (text in
    /// [`CSV_HEADER`]'s format; `name` names it in errors).
    pub fn from_csv(build: &str, class: &str, name: &Path, text: &str) -> Result<Self, TableError> {
        let table = Table::from_reader(name, text.as_bytes())?;
        let column = |c: &str| table.column(c);
        let (node_id, node_type, subtree_id, subtree) = (
            column("node_id")?,
            column("node_type")?,
            column("subtree_id")?,
            column("subtree")?,
        );
        let (pos_x, pos_y, entry_id, definition) = (
            column("pos_x")?,
            column("pos_y")?,
            column("entry_id")?,
            column("definition_id")?,
        );
        let (spell, max_ranks, entry_subtree) = (
            column("spell_id")?,
            column("max_ranks")?,
            column("entry_subtree_id")?,
        );
        let mut nodes: Vec<Node> = Vec::new();
        for row in table.rows() {
            let id: u32 = row.number(&node_id)?;
            if nodes.last().is_none_or(|n| n.id != id) {
                let kind_number: u32 = row.number(&node_type)?;
                let kind = NodeKind::from_game_type(kind_number).ok_or_else(|| {
                    field_error(
                        name,
                        &row,
                        "node_type",
                        format!("unknown node type {kind_number}"),
                    )
                })?;
                let sub: u32 = row.number(&subtree_id)?;
                nodes.push(Node {
                    id,
                    kind,
                    subtree: (sub != 0).then(|| (sub, row.text(&subtree).to_string())),
                    position: (row.number(&pos_x)?, row.number(&pos_y)?),
                    entries: Vec::new(),
                });
            }
            if row.text(&entry_id).is_empty() {
                continue;
            }
            let selects: u32 = row.number(&entry_subtree)?;
            let node = nodes.last_mut().expect("pushed above");
            node.entries.push(Entry {
                id: row.number(&entry_id)?,
                definition: row.number(&definition)?,
                spell: row.number(&spell)?,
                max_ranks: row.number(&max_ranks)?,
                selects_subtree: (selects != 0).then_some(selects),
            });
        }
        if nodes.windows(2).any(|w| w[0].id >= w[1].id) {
            return Err(TableError::Field {
                path: name.to_path_buf(),
                line: 0,
                column: "node_id".into(),
                message: "nodes must be sorted by id, each node's rows together".into(),
            });
        }
        Ok(Self {
            build: build.to_string(),
            class: class.to_string(),
            nodes,
        })
    }

    /// The node with this id.
    pub fn node(&self, id: u32) -> Option<&Node> {
        self.nodes
            .binary_search_by_key(&id, |n| n.id)
            .ok()
            .map(|i| &self.nodes[i])
    }

    /// Writes the tree as committed rows ([`CSV_HEADER`]'s format).
    pub fn to_csv(&self) -> String {
        let mut out = String::from(CSV_HEADER);
        out.push('\n');
        for node in &self.nodes {
            let (sub_id, sub_name) = node
                .subtree
                .as_ref()
                .map_or((0, ""), |(id, name)| (*id, name.as_str()));
            let prefix = format!(
                "{},{},{},{},{},{}",
                node.id,
                node.kind.game_type(),
                sub_id,
                quote(sub_name),
                node.position.0,
                node.position.1
            );
            if node.entries.is_empty() {
                out.push_str(&format!("{prefix},,,,,,\n"));
            }
            for (index, e) in node.entries.iter().enumerate() {
                out.push_str(&format!(
                    "{prefix},{index},{},{},{},{},{}\n",
                    e.id,
                    e.definition,
                    e.spell,
                    e.max_ranks,
                    e.selects_subtree.unwrap_or(0)
                ));
            }
        }
        out
    }
}

/// `text` as one CSV field.
fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn field_error(
    name: &Path,
    row: &crate::tables::Row<'_>,
    column: &str,
    message: String,
) -> TableError {
    TableError::Field {
        path: name.to_path_buf(),
        line: row.line(),
        column: column.to_string(),
        message,
    }
}
