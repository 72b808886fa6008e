//! The loadout codec against the committed hunter tree of 12.0.5.66529.

use wowlab_gamedata::builds;
use wowlab_gamedata::talents::{Loadout, LoadoutError, NodeKind, TalentTree};

/// `talents=` of SimulationCraft's `MID1_Hunter_Beast_Mastery` profile for
/// 12.0.5 (simulationcraft/simc @ 295c234085636ca34faf2a7d4bf000c0d02eb528).
const BM_12_0_5: &str = "C0PAAAAAAAAAAAAAAAAAAAAAAAMmxwCsBzwQDbAAYG2GzsNzwMmZYYmxYmxMzYGzwMzYGzgx0MAAAAAmBAAgxMzMgZ2AbwsA2GA";

/// The same profile's string of the published 12.0.1.66709 result (@ 67b232c0faff19133183928f739edd774685c8ba):
/// made for the 12.0.1 tree, which has other nodes.
const BM_12_0_1: &str = "C0PAAAAAAAAAAAAAAAAAAAAAAAMmxwCsBzwQDbAAYG2GzsMzwMmZYYmxYmxMzYGzwMzYGzghmBAAAAAMDAAAzMzMAzshwwsA2MA";

fn hunter() -> TalentTree {
    builds::talent_tree("hunter")
        .expect("committed")
        .expect("parses")
}

#[test]
fn the_committed_tree_is_the_whole_hunter_tree() {
    let tree = hunter();
    assert_eq!(tree.build, "12.0.5.66529");
    assert_eq!(tree.nodes.len(), 211);
    let hero: Vec<_> = tree
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::SubTreeSelection)
        .map(|n| n.id)
        .collect();
    assert_eq!(hero, [99831, 99832, 99833]);
    let kill_command = tree.node(102346).expect("Kill Command's node");
    assert_eq!(kill_command.entries[0].spell, 34026);
}

#[test]
fn the_reference_string_decodes_to_a_beast_mastery_pack_leader() {
    let tree = hunter();
    let loadout = Loadout::decode(&tree, BM_12_0_5).unwrap();
    assert_eq!(loadout.spec, 253);
    assert_eq!(loadout.tree_hash, [0; 16]);
    assert_eq!(loadout.talents.len(), 72);
    // The hero tree chosen: the second entry of the selection node, Pack Leader (43).
    let selection = loadout.at(99832).expect("a hero tree is chosen");
    let node = tree.node(99832).unwrap();
    let chosen = node
        .entries
        .iter()
        .find(|e| e.id == selection.entry)
        .unwrap();
    assert_eq!(chosen.selects_subtree, Some(43));
    // Every hero talent taken is Pack Leader's.
    for t in &loadout.talents {
        if let Some((sub, name)) = &tree.node(t.node).unwrap().subtree {
            assert_eq!(
                (*sub, name.as_str()),
                (43, "Pack Leader"),
                "node {}",
                t.node
            );
        }
    }
    // Howl of the Pack Leader, the hero tree's keystone, is granted, not bought.
    let howl = loadout.at(94991).unwrap();
    assert_eq!((howl.spell, howl.granted), (471876, true));
    // Kill Command, Barbed Shot and Cobra Shot are bought.
    for (node, spell) in [(102346, 34026), (102377, 217200), (102354, 193455)] {
        let t = loadout.at(node).unwrap();
        assert_eq!(
            (t.spell, t.ranks, t.granted),
            (spell, 1, false),
            "node {node}"
        );
    }
    // A choice node takes its second talent: Pack Leader's 94979 offers two.
    let choice = loadout.at(94979).unwrap();
    assert_eq!(choice.choice, Some(1));
    assert_eq!(choice.spell, 1268705);
    // A two-rank talent taken at both ranks.
    assert_eq!(
        loadout.at(102345).map(|t| (t.spell, t.ranks)),
        Some((1265051, 2))
    );
}

#[test]
fn encoding_a_decoded_string_gives_it_back() {
    let tree = hunter();
    let loadout = Loadout::decode(&tree, BM_12_0_5).unwrap();
    assert_eq!(loadout.encode(&tree), BM_12_0_5);
}

#[test]
fn dropping_a_talent_changes_the_string_and_only_that_talent() {
    let tree = hunter();
    let mut loadout = Loadout::decode(&tree, BM_12_0_5).unwrap();
    loadout.talents.retain(|t| t.node != 102377);
    let text = loadout.encode(&tree);
    assert_ne!(text, BM_12_0_5);
    let again = Loadout::decode(&tree, &text).unwrap();
    assert_eq!(again, loadout);
}

#[test]
fn a_string_for_another_build_of_the_tree_is_refused_with_the_node_at_fault() {
    let err = Loadout::decode(&hunter(), BM_12_0_1).unwrap_err();
    assert_eq!(
        err,
        LoadoutError::NoSuchChoice {
            node: 109961,
            choice: 1,
            entries: 1,
            build: "12.0.5.66529".into(),
            class: "hunter".into(),
        }
    );
    assert!(err.to_string().contains("made for another game build"));
}

#[test]
fn malformed_strings_say_what_is_wrong() {
    let tree = hunter();
    let bad_char = Loadout::decode(&tree, "C0PA*A").unwrap_err();
    assert_eq!(
        bad_char,
        LoadoutError::BadCharacter {
            position: 5,
            character: '*'
        }
    );
    // Version 1 ('B' = 1 in the low bits of the first byte).
    assert_eq!(
        Loadout::decode(&tree, "BAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap_err(),
        LoadoutError::UnsupportedVersion { version: 1 }
    );
    let cut = Loadout::decode(&tree, &BM_12_0_5[..60]).unwrap_err();
    assert!(matches!(cut, LoadoutError::Truncated { .. }), "{cut:?}");
    assert!(
        cut.to_string().starts_with("the string ends at node "),
        "{cut}"
    );
    let header_only = Loadout::decode(&tree, "C0PA").unwrap_err();
    assert!(
        header_only
            .to_string()
            .starts_with("the string ends in the header"),
        "{header_only}"
    );
    let long = format!("{BM_12_0_5}AAB");
    assert!(matches!(
        Loadout::decode(&tree, &long).unwrap_err(),
        LoadoutError::TrailingData { .. }
    ));
}

#[test]
fn specs_name_their_class_and_tree() {
    let bm = builds::spec("hunter", "beast_mastery").unwrap().unwrap();
    assert_eq!(
        (bm.id, bm.class_id, bm.tree_id, bm.mastery_spell),
        (253, 3, 774, 76657)
    );
    assert!(builds::spec("hunter", "brewmaster").unwrap().is_none());
}

#[test]
fn the_committed_rows_are_what_the_tree_writes() {
    let text = builds::committed_text("12.0.5.66529/talents/hunter.csv").unwrap();
    assert_eq!(hunter().to_csv(), text);
}
