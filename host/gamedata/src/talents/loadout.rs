//! Loadout strings: the talent export format of the game (version 2, the
//! one with hero talents), which SimulationCraft profiles carry as
//! `talents=`.
//!
//! After a header (version, 8 bits; specialization id, 16; a 128-bit tree
//! hash, all zero in strings made outside the game) comes one record per
//! node of the class's tree, in the order of node id: a bit "selected"; if
//! selected, a bit "purchased" (unpurchased selected nodes are granted for
//! free); if purchased, a bit "partially ranked" followed by 6 bits of
//! ranks, and a bit "choice" followed by 2 bits of entry index. The string
//! is padded with zero bits to whole characters.

use super::bits::{BitReader, BitWriter};
use super::{Node, TalentTree};

/// The only format version this reader knows.
pub const VERSION: u32 = 2;

/// One talent of a loadout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Talent {
    /// The node (`TraitNode.ID`).
    pub node: u32,
    /// The talent taken there (`TraitNodeEntry.ID`).
    pub entry: u32,
    /// The spell it teaches (0 for a hero tree selection).
    pub spell: u32,
    /// Ranks taken.
    pub ranks: u16,
    /// Granted for free (by the spec or the hero tree), not bought.
    pub granted: bool,
    /// The entry index the string picked, when it marks the node as a choice.
    pub choice: Option<u8>,
}

/// A decoded loadout string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loadout {
    /// The specialization id (`ChrSpecialization.ID`, e.g. 253 for Beast Mastery).
    pub spec: u16,
    /// The tree hash of the header (all zero when made outside the game).
    pub tree_hash: [u8; 16],
    /// The selected talents, by node id.
    pub talents: Vec<Talent>,
}

/// Why a loadout string cannot be read against a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadoutError {
    /// A character outside the base64 alphabet.
    #[error("character {position} (`{character}`) is not one of A-Z, a-z, 0-9, + and /")]
    BadCharacter {
        /// 1-based position in the string.
        position: usize,
        /// The character.
        character: char,
    },
    /// A format version other than [`VERSION`].
    #[error("format version {version} is not supported (only version {VERSION})")]
    UnsupportedVersion {
        /// The version the header gives.
        version: u32,
    },
    /// The string ends too early.
    #[error(
        "the string ends {where_} of the {build} {class} tree: it is cut short or made for another build of the tree"
    )]
    Truncated {
        /// Where it ends ("in the header", "at node 102340").
        where_: String,
        /// The tree's build.
        build: String,
        /// The tree's class.
        class: String,
    },
    /// A node's choice index names no talent of the node.
    #[error(
        "node {node} offers {entries} talent(s) but the string picks choice {choice}: the string does not fit the {build} {class} tree (made for another game build?)"
    )]
    NoSuchChoice {
        /// The node.
        node: u32,
        /// The index given.
        choice: u32,
        /// How many entries the node has.
        entries: usize,
        /// The tree's build.
        build: String,
        /// The tree's class.
        class: String,
    },
    /// More ranks than the talent has.
    #[error(
        "node {node} is given {ranks} ranks but has {max}: the string does not fit the {build} {class} tree"
    )]
    TooManyRanks {
        /// The node.
        node: u32,
        /// Ranks given.
        ranks: u32,
        /// Ranks the talent has.
        max: u16,
        /// The tree's build.
        build: String,
        /// The tree's class.
        class: String,
    },
    /// Data after the last node.
    #[error(
        "{bits} bit(s) are left after the {nodes} nodes of the {build} {class} tree: the string was made for another build of the tree"
    )]
    TrailingData {
        /// Bits left (at least one set, or six and more).
        bits: usize,
        /// Nodes in the tree.
        nodes: usize,
        /// The tree's build.
        build: String,
        /// The tree's class.
        class: String,
    },
}

impl Loadout {
    /// Decodes `text` against `tree`.
    pub fn decode(tree: &TalentTree, text: &str) -> Result<Self, LoadoutError> {
        let mut bits = BitReader::new(text.trim()).map_err(|e| LoadoutError::BadCharacter {
            position: e.position + 1,
            character: e.character,
        })?;
        let truncated = |where_: String| LoadoutError::Truncated {
            where_,
            build: tree.build.clone(),
            class: tree.class.clone(),
        };
        let header = |bits: &mut BitReader, width| {
            bits.take(width)
                .map_err(|_| truncated("in the header".into()))
        };
        let version = header(&mut bits, 8)?;
        if version != VERSION {
            return Err(LoadoutError::UnsupportedVersion { version });
        }
        let spec = header(&mut bits, 16)? as u16;
        let mut tree_hash = [0u8; 16];
        for byte in &mut tree_hash {
            *byte = header(&mut bits, 8)? as u8;
        }
        let mut talents = Vec::new();
        for node in &tree.nodes {
            let at_node = |_| truncated(format!("at node {}", node.id));
            if let Some(talent) = read_node(tree, node, &mut bits, at_node)? {
                talents.push(talent);
            }
        }
        let rest = bits.rest();
        if rest.len() >= 6 || rest.iter().any(|&b| b) {
            return Err(LoadoutError::TrailingData {
                bits: rest.len(),
                nodes: tree.nodes.len(),
                build: tree.build.clone(),
                class: tree.class.clone(),
            });
        }
        Ok(Self {
            spec,
            tree_hash,
            talents,
        })
    }

    /// Encodes the loadout against `tree` (the inverse of [`Loadout::decode`]).
    /// Talents on nodes the tree does not have are left out.
    pub fn encode(&self, tree: &TalentTree) -> String {
        let mut bits = BitWriter::default();
        bits.put(VERSION, 8);
        bits.put(u32::from(self.spec), 16);
        for &byte in &self.tree_hash {
            bits.put(u32::from(byte), 8);
        }
        for node in &tree.nodes {
            let talent = self.talents.iter().find(|t| t.node == node.id);
            bits.flag(talent.is_some());
            let Some(talent) = talent else { continue };
            bits.flag(!talent.granted);
            if talent.granted {
                continue;
            }
            let max = node.max_ranks(talent.choice.map_or(0, usize::from));
            bits.flag(talent.ranks != max);
            if talent.ranks != max {
                bits.put(u32::from(talent.ranks), 6);
            }
            bits.flag(talent.choice.is_some());
            if let Some(choice) = talent.choice {
                bits.put(u32::from(choice), 2);
            }
        }
        bits.finish()
    }

    /// The talent taken at `node`, if any.
    pub fn at(&self, node: u32) -> Option<&Talent> {
        self.talents.iter().find(|t| t.node == node)
    }
}

/// Reads one node's record; `None` when the node is not selected.
fn read_node(
    tree: &TalentTree,
    node: &Node,
    bits: &mut BitReader,
    truncated: impl Fn(super::bits::Exhausted) -> LoadoutError,
) -> Result<Option<Talent>, LoadoutError> {
    if !bits.flag().map_err(&truncated)? {
        return Ok(None);
    }
    let purchased = bits.flag().map_err(&truncated)?;
    let mut ranks = None;
    let mut choice = None;
    if purchased {
        if bits.flag().map_err(&truncated)? {
            ranks = Some(bits.take(6).map_err(&truncated)?);
        }
        if bits.flag().map_err(&truncated)? {
            choice = Some(bits.take(2).map_err(&truncated)?);
        }
    }
    let index = choice.unwrap_or(0);
    let entry = node
        .entries
        .get(index as usize)
        .ok_or_else(|| LoadoutError::NoSuchChoice {
            node: node.id,
            choice: index,
            entries: node.entries.len(),
            build: tree.build.clone(),
            class: tree.class.clone(),
        })?;
    let max = node.max_ranks(index as usize);
    let ranks = ranks.unwrap_or(u32::from(max));
    if ranks > u32::from(max) {
        return Err(LoadoutError::TooManyRanks {
            node: node.id,
            ranks,
            max,
            build: tree.build.clone(),
            class: tree.class.clone(),
        });
    }
    Ok(Some(Talent {
        node: node.id,
        entry: entry.id,
        spell: entry.spell,
        ranks: ranks as u16,
        granted: !purchased,
        choice: choice.map(|c| c as u8),
    }))
}
