//! The character sheet of the reference profile, computed by hand from
//! the committed data: base stats 620 agility (orc −3), 1 attack power per
//! agility, 46 crit / 44 haste / 46 mastery / 54 versatility rating per
//! unit, 5 % base crit, 8 base mastery points, Master of Beasts at 1.9 %
//! per point, a level-93 boss with 1470 armor against the constant 3430.

use wowlab_simc::{read_character, sheet};

const REFERENCE: &str = include_str!("../../../examples/profiles/MID1_Hunter_Beast_Mastery.simc");

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn the_reference_character_s_sheet() {
    let s = sheet(&read_character(REFERENCE).unwrap()).unwrap();
    assert_eq!(s.agility, 620.0 - 3.0 + 1392.0);
    assert_eq!(s.attack_power, s.agility);
    assert!(
        close(s.crit_percent, 5.0 + 531.0 / 46.0),
        "{}",
        s.crit_percent
    );
    assert!(close(s.haste_percent, 827.0 / 44.0), "{}", s.haste_percent);
    assert!(
        close(s.versatility_percent, 84.0 / 54.0),
        "{}",
        s.versatility_percent
    );
    assert!(
        close(s.mastery_points, 8.0 + 1057.0 / 46.0),
        "{}",
        s.mastery_points
    );
    assert_eq!(s.mastery_coefficient, 1.9);
    assert!(close(s.mastery_percent(), (8.0 + 1057.0 / 46.0) * 1.9));
    assert!(close(s.boss_mitigation(), 0.3));
    assert!(s.notes.is_empty(), "{:?}", s.notes);
}

#[test]
fn rating_past_30_percent_has_diminishing_returns() {
    // 2200 haste rating is 50 % before the curve: 30 + 10 × 0.9 + 10 × 0.8 = 47 %.
    let text = REFERENCE.replace("# gear_haste_rating=827", "# gear_haste_rating=2200");
    let s = sheet(&read_character(&text).unwrap()).unwrap();
    assert!(close(s.haste_percent, 47.0), "{}", s.haste_percent);
    // Base mastery is outside the curve: 1840 rating is 40 points → 39, plus 8.
    let text = REFERENCE.replace("# gear_mastery_rating=1057", "# gear_mastery_rating=1840");
    let s = sheet(&read_character(&text).unwrap()).unwrap();
    assert!(close(s.mastery_points, 47.0), "{}", s.mastery_points);
}

#[test]
fn a_race_without_modifiers_in_the_data_keeps_the_class_base() {
    let text = REFERENCE.replace("race=orc", "race=night_elf");
    let s = sheet(&read_character(&text).unwrap()).unwrap();
    assert_eq!(s.agility, 620.0 + 1392.0);
    assert_eq!(
        s.notes,
        [
            "race night_elf: the committed data have no racial stat modifiers for it; the class's base stats are used"
        ]
    );
}
