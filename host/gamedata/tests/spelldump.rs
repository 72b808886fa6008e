//! The committed spell dump excerpt (SimulationCraft's hunter dump of
//! 12.0.5.67823): what a reader finds in it, checked against the values the
//! dump prints for the spells SimulationCraft's report also shows.

use wowlab_gamedata::builds;
use wowlab_gamedata::spelldump::{Affecting, SpellDump};

fn dump() -> SpellDump {
    builds::spell_dump("hunter")
        .expect("committed")
        .expect("parses")
}

#[test]
fn the_excerpt_names_its_build_and_holds_each_spell_once() {
    let dump = dump();
    assert_eq!(dump.build(), Some("12.0.5.67823"));
    assert_eq!(dump.spells.len(), 172);
    let mut ids: Vec<_> = dump.spells.iter().map(|s| s.id).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "in id order, once each"
    );
    ids.dedup();
    assert_eq!(ids.len(), 172);
    for spell in &dump.spells {
        let affecting = spell.affecting().unwrap();
        assert!(
            affecting
                .iter()
                .all(|a| a.id > 0 && !a.name.is_empty() && !a.effects.is_empty()),
            "{}",
            spell.id
        );
    }
}

#[test]
fn barbed_shot_is_a_rolling_bleed_of_0_779_attack_power_every_2_seconds() {
    let dump = dump();
    let barbed = dump.spell(217200).unwrap();
    assert_eq!(barbed.name, "Barbed Shot");
    assert_eq!(barbed.field("Charges"), Some("2 (18 seconds cooldown)"));
    assert_eq!(barbed.field("Duration"), Some("12 seconds"));
    assert!(
        barbed
            .field("Attributes")
            .unwrap()
            .contains("Rolling Periodic (334)")
    );
    let tick = barbed.effect(1).unwrap();
    assert_eq!(tick.id, 323302);
    assert_eq!(
        tick.kind,
        "Apply Aura (6) | Periodic Damage (3): physical every 2 seconds"
    );
    assert_eq!(tick.number("AP Coefficient"), Some(0.779));
    assert_eq!(tick.number("Base Value"), Some(0.0));
    assert_eq!(barbed.effect(2).unwrap().number("Base Value"), Some(5.0));
}

#[test]
fn kill_command_s_pet_attack_has_its_coefficient_and_modifiers() {
    let dump = dump();
    let bite = dump.spell(83381).unwrap();
    assert_eq!(bite.effect(1).unwrap().number("AP Coefficient"), Some(2.06));
    let affecting = bite.affecting().unwrap();
    assert!(affecting.contains(&Affecting {
        name: "Alpha Predator".into(),
        id: 269737,
        effects: vec![4],
    }));
}

#[test]
fn affecting_spells_with_several_effects_and_parentheses_in_names_are_read() {
    let dump = dump();
    let multi = dump.spell(2643).unwrap();
    let affecting = multi.affecting().unwrap();
    assert_eq!(
        affecting[1],
        Affecting {
            name: "Bestial Wrath".into(),
            id: 19574,
            effects: vec![1, 4],
        }
    );
    let mastery = affecting.iter().find(|a| a.id == 76657).unwrap();
    assert_eq!(
        (mastery.name.as_str(), mastery.effects.as_slice()),
        ("Mastery: Master of Beasts", &[5, 6][..])
    );
    let damage = multi.effect(2).unwrap();
    assert_eq!(damage.number("AP Coefficient"), Some(0.756));
    assert_eq!(damage.value("Scaled Value"), Some("0 (delta=0.05)"));
    assert_eq!(
        multi.effect(1).unwrap().list("Modified By"),
        Some("Refocus (24531 effect#1)")
    );
}

#[test]
fn malformed_dumps_name_the_line() {
    let err = SpellDump::parse("no header\n").unwrap_err();
    assert_eq!(err.line, 1);
    let text = "SimulationCraft for World of Warcraft 1.2.3.4 Live\nClass : Hunter\n";
    assert_eq!(
        SpellDump::parse(text).unwrap_err().to_string(),
        "line 2: a line before the first `Name` line"
    );
    let text = "SimulationCraft for World of Warcraft 1.2.3.4 Live\nName : Thing (id=x1)\n";
    assert_eq!(SpellDump::parse(text).unwrap_err().line, 2);
    let text = "SimulationCraft for World of Warcraft 1.2.3.4 Live\nName : Thing (id=1)\nEffects :\n#1 oops\n";
    assert!(
        SpellDump::parse(text)
            .unwrap_err()
            .message
            .starts_with("an effect line needs")
    );
}

#[test]
fn label_and_category_lists_are_lists_of_their_own() {
    let dump = dump();
    let hunter = dump.spell(137014).unwrap();
    // #9 hastens the cooldown of category 1675: Barbed Shot.
    let e = hunter.effect(9).unwrap();
    assert_eq!(
        e.list("Affected Spells (Category)"),
        Some("Barbed Shot (217200)")
    );
    assert_eq!(e.value("Affected Spells (Category)"), None);
    let bm = dump.spell(137015).unwrap();
    assert_eq!(
        bm.effect(5).unwrap().list("Affected Spells (Label)"),
        Some("Bear Summon (1225858)")
    );
}

#[test]
fn a_talent_s_rank_rules_set_or_scale_its_effects_per_rank() {
    let dump = dump();
    // Trigger Finger: base 2 % haste, scaled by 0.5 at rank 1 and 1 at rank 2.
    let finger = dump.spell(459534).unwrap().rank_rules().unwrap();
    assert_eq!(
        finger.iter().map(|r| r.effect).collect::<Vec<_>>(),
        [1, 2, 4]
    );
    assert!(!finger[0].replaces);
    assert_eq!(finger[0].value(2.0, 1), Some(1.0));
    assert_eq!(finger[0].value(2.0, 2), Some(2.0));
    assert_eq!(finger[0].value(2.0, 3), None);
    assert_eq!(finger[0].value(2.0, 0), None);
    // Keen Eyesight: 2 and 4 % crit, whatever the base value.
    let keen = dump.spell(378004).unwrap().rank_rules().unwrap();
    assert!(keen[0].replaces);
    assert_eq!(keen[0].values, [2.0, 4.0]);
    assert_eq!(keen[0].value(99.0, 2), Some(4.0));
    // A passive that is no talent has none.
    assert!(dump.spell(137014).unwrap().rank_rules().unwrap().is_empty());
}

#[test]
fn a_malformed_rank_rule_names_the_spell_s_line() {
    let text = "SimulationCraft for World of Warcraft 1.2.3.4 Live\n\
                Name : Thing (id=7)\n\
                Talent Entry : Generic [max_rank=2]\n\
                \x20                : Effect#1 [op=pow, values=(1, 2)]\n";
    let dump = SpellDump::parse(text).unwrap();
    let err = dump.spell(7).unwrap().rank_rules().unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.message.contains("Effect#1 [op=pow"), "{}", err.message);
}

#[test]
fn a_modifier_that_suppresses_stacking_still_reads_as_a_modifier() {
    let dump = dump();
    let hog = dump.spell(472640).unwrap();
    let e = hog.effect(1).unwrap();
    let m = e.spell_modifier().unwrap();
    assert_eq!((m.property_id, m.value, m.percent), (0, 200.0, true));
    assert!(e.suppresses_stacking());
    assert!(!hog.effect(3).unwrap().suppresses_stacking());
}

#[test]
fn a_consumable_s_effect_carries_its_item_scaling_coefficient() {
    let raid = builds::raid_spell_dump().unwrap();
    let flask = raid.spell(1235108).unwrap().effect(1).unwrap();
    assert_eq!(flask.coefficient(), Some(0.681974));
    assert_eq!(flask.value("Rating"), Some("Mastery"));
    let potion = raid.spell(1236616).unwrap().effect(1).unwrap();
    assert_eq!(potion.coefficient(), Some(2.78764));
    // A value without a coefficient has none.
    let shout = raid.spell(6673).unwrap().effect(1).unwrap();
    assert_eq!(shout.coefficient(), None);
}
