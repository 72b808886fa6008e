//! Typed readings of the committed spell dump excerpt, checked against the
//! text the dump prints for those spells.

use wowlab_gamedata::builds;
use wowlab_gamedata::spelldump::{DumpSpell, SpellDump};
use wowlab_gamedata::spellfacts::{Charges, Cost, SpellModifier};

fn dump() -> SpellDump {
    builds::spell_dump("hunter")
        .expect("committed")
        .expect("parses")
}

fn spell(dump: &SpellDump, id: u32) -> &DumpSpell {
    dump.spell(id).expect("in the excerpt")
}

#[test]
fn kill_command_costs_30_focus_on_one_7_5_second_charge() {
    let dump = dump();
    let kc = spell(&dump, 34026);
    assert_eq!(
        kc.cost().unwrap(),
        Some(Cost {
            amount: 30.0,
            resource: "Focus".into()
        })
    );
    assert_eq!(kc.field_ms("GCD").unwrap(), Some(1500));
    assert_eq!(kc.field_ms("Cooldown").unwrap(), Some(500));
    assert_eq!(
        kc.charges().unwrap(),
        Some(Charges {
            count: 1,
            cooldown_ms: 7500
        })
    );
    assert_eq!(kc.field_ms("Duration").unwrap(), None);
}

#[test]
fn barbed_shot_rolls_ticks_on_application_and_recharges_in_18_seconds() {
    let dump = dump();
    let barbed = spell(&dump, 217200);
    assert_eq!(
        barbed.charges().unwrap(),
        Some(Charges {
            count: 2,
            cooldown_ms: 18000
        })
    );
    assert_eq!(barbed.field_ms("Duration").unwrap(), Some(12000));
    assert!(barbed.has_attribute("Rolling Periodic"));
    assert!(barbed.has_attribute("Extra Initial Period"));
    assert!(barbed.has_attribute("Periodic Can Crit"));
    assert!(!barbed.has_attribute("Periodic"), "whole names only");
    assert_eq!(barbed.effect(1).unwrap().period_ms(), Some(2000));
    assert_eq!(barbed.effect(2).unwrap().period_ms(), None);
    let focus = spell(&dump, 246152);
    assert_eq!(focus.max_stacks().unwrap(), Some(20));
    assert_eq!(focus.field_ms("Duration").unwrap(), Some(8000));
}

#[test]
fn spell_modifiers_read_their_kind_property_and_value() {
    let dump = dump();
    let wrath = spell(&dump, 19574);
    assert_eq!(wrath.field_ms("Cooldown").unwrap(), Some(90000));
    assert_eq!(
        wrath.effect(1).unwrap().spell_modifier(),
        Some(SpellModifier {
            percent: true,
            property: "Spell Direct Amount".into(),
            property_id: 0,
            value: 20.0
        })
    );
    assert_eq!(
        wrath
            .effect(4)
            .unwrap()
            .spell_modifier()
            .unwrap()
            .property_id,
        22
    );
    assert_eq!(wrath.effect(2).unwrap().spell_modifier(), None);
    let beast_within = spell(&dump, 231548);
    assert_eq!(
        beast_within.effect(1).unwrap().spell_modifier(),
        Some(SpellModifier {
            percent: false,
            property: "Spell Cooldown".into(),
            property_id: 11,
            value: -60000.0
        })
    );
    // Cobra Shot's damage is an effect, not a modifier.
    assert_eq!(
        spell(&dump, 193455).effect(2).unwrap().spell_modifier(),
        None
    );
}

#[test]
fn a_malformed_line_is_an_error_naming_the_spell_and_line() {
    let text = "SimulationCraft for World of Warcraft 1.2.3.4 Live\n\
                Name : Thing (id=7)\n\
                Charges : two (18 seconds cooldown)\n\
                Cooldown : soon\n\
                Stacks : many\n\
                Resource : Focus\n";
    let dump = SpellDump::parse(text).unwrap();
    let thing = spell(&dump, 7);
    let charges = thing.charges().unwrap_err();
    assert_eq!(charges.line, 2);
    assert_eq!(
        charges.message,
        "spell 7: cannot read Charges `two (18 seconds cooldown)`"
    );
    assert!(
        thing
            .field_ms("Cooldown")
            .unwrap_err()
            .message
            .contains("`soon`")
    );
    assert!(thing.max_stacks().unwrap_err().message.contains("`many`"));
    assert!(thing.cost().unwrap_err().message.contains("`Focus`"));
}
