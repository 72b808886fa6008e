//! The extraction tool on a few hand-written rows of the game's tables
//! (`tests/fixtures/tables`): what it takes from each table, in which order.

use std::path::{Path, PathBuf};

use wowlab_gamedata::extract::{ExtractError, extract};
use wowlab_gamedata::talents::{Loadout, NodeKind, TalentTree};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tables")
}

#[test]
fn specs_and_the_tree_are_taken_from_the_tables() {
    let files = extract("1.2.3.4", &fixture(), &["hunter"]).unwrap();
    let paths: Vec<_> = files.iter().map(|f| f.path.to_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "specs.csv",
            "classes.csv",
            "levels.csv",
            "power_types.csv",
            "item_budgets.csv",
            "talents/hunter.csv"
        ]
    );
    // Specs without a tree (Initial) are left out; names in SimC's spelling.
    assert_eq!(
        files[0].text,
        "spec_id,spec,class_id,class,tree_id,mastery_spell_id\n\
         253,beast_mastery,3,hunter,774,76657\n\
         577,havoc,12,demonhunter,800,185164\n"
    );
    assert_eq!(
        files[1].text,
        "class_id,class,attack_power_per_agility,ranged_attack_power_per_agility,attack_power_per_strength\n\
         3,hunter,1,1,0\n\
         12,demonhunter,1,0,0\n"
    );
    // Levels 90 to 93 from the current expansion's rows without a content set.
    assert_eq!(
        files[2].text,
        "level,creature_armor,armor_constant,expected_stat_id\n\
         90,1400,3430,2\n\
         91,1420,3430,3\n\
         92,1450,3430,4\n\
         93,1470,3430,1\n"
    );
    // Resources by the game's power type number; regeneration as the
    // game's 32-bit number (0.1, not 0.10000000149).
    assert_eq!(
        files[3].text,
        "power_type,name,max,regen_combat,regen_peace,power_type_id\n\
         0,mana,0,0,0,1\n\
         2,focus,100,5,5,3\n\
         5,runes,6,0.1,0.1,6\n"
    );
    // Each item level's consumable budget (GoodF_0), as a 32-bit number.
    assert_eq!(
        files[4].text,
        "item_level,consumable\n\
         1,0\n\
         289,235.75937\n\
         295,249.31483\n"
    );
    // Nodes by id, entries by their index, another tree's node left out.
    assert_eq!(
        files[5].text,
        "node_id,node_type,subtree_id,subtree,pos_x,pos_y,entry_index,entry_id,definition_id,spell_id,max_ranks,entry_subtree_id\n\
         10,0,0,,0,0,0,101,1001,34026,2,0\n\
         20,3,0,,5,-5,0,201,2001,0,1,42\n\
         20,3,0,,5,-5,1,202,2002,0,1,43\n\
         30,2,0,,10,20,0,301,3001,217200,1,0\n\
         30,2,0,,10,20,1,302,3002,193455,1,0\n\
         40,0,43,Pack Leader,7,7,0,401,4001,471876,1,0\n"
    );
}

#[test]
fn the_written_rows_read_back_into_the_same_tree() {
    let files = extract("1.2.3.4", &fixture(), &["hunter"]).unwrap();
    let tree =
        TalentTree::from_csv("1.2.3.4", "hunter", Path::new("hunter.csv"), &files[5].text).unwrap();
    assert_eq!(tree.to_csv(), files[5].text);
    assert_eq!(tree.nodes[1].kind, NodeKind::SubTreeSelection);
    assert_eq!(
        tree.node(40).unwrap().subtree,
        Some((43, "Pack Leader".into()))
    );
    // A loadout on the tiny tree: node 10 at one of two ranks, Pack Leader,
    // the second talent of the choice node, and the granted hero talent.
    let loadout = Loadout {
        spec: 253,
        tree_hash: [0; 16],
        talents: vec![
            talent(10, 101, 34026, 1, false, None),
            talent(20, 202, 0, 1, false, Some(1)),
            talent(30, 302, 193455, 1, false, Some(1)),
            talent(40, 401, 471876, 1, true, None),
        ],
    };
    let text = loadout.encode(&tree);
    assert_eq!(Loadout::decode(&tree, &text).unwrap(), loadout);
}

fn talent(
    node: u32,
    entry: u32,
    spell: u32,
    ranks: u16,
    granted: bool,
    choice: Option<u8>,
) -> wowlab_gamedata::talents::Talent {
    wowlab_gamedata::talents::Talent {
        node,
        entry,
        spell,
        ranks,
        granted,
        choice,
    }
}

#[test]
fn a_class_without_a_tree_and_a_missing_table_are_errors() {
    let err = extract("1.2.3.4", &fixture(), &["warrior"]).unwrap_err();
    assert!(matches!(err, ExtractError::Data(_)));
    assert_eq!(
        err.to_string(),
        "no specialization of class `warrior` has a talent tree"
    );
    let missing = extract("1.2.3.4", Path::new("/nonexistent/tables"), &["hunter"]).unwrap_err();
    assert!(
        missing
            .to_string()
            .starts_with("/nonexistent/tables/ChrClasses.csv: "),
        "{missing}"
    );
}
