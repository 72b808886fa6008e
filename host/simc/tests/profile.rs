//! Reading SimulationCraft profiles: the reference character, and bad input.

use wowlab_simc::{Profile, ProfileError, read_character};

const REFERENCE: &str = include_str!("../../../examples/profiles/MID1_Hunter_Beast_Mastery.simc");

#[test]
fn the_reference_profile_is_a_level_90_beast_mastery_hunter_with_its_gear_summary() {
    let c = read_character(REFERENCE).unwrap();
    assert_eq!(c.name, "MID1_Hunter_Beast_Mastery");
    assert_eq!(
        (c.spec.class.as_str(), c.spec.name.as_str(), c.spec.id),
        ("hunter", "beast_mastery", 253)
    );
    assert_eq!((c.level, c.race.as_deref()), (90, Some("orc")));
    assert_eq!(c.gear.agility, 1392.0);
    assert_eq!(c.gear.crit_rating, 531.0);
    assert_eq!(c.gear.haste_rating, 827.0);
    assert_eq!(c.gear.mastery_rating, 1057.0);
    assert_eq!(c.gear.versatility_rating, 84.0);
    assert_eq!(c.gear.ilvl, 290.27);
    let talents = c.talents.as_ref().expect("the profile has talents");
    assert_eq!(talents.spec, 253);
    assert_eq!(talents.talents.len(), 72);
    let bonuses: Vec<_> = c
        .set_bonuses
        .iter()
        .map(|b| (b.line, b.value.as_str()))
        .collect();
    assert_eq!(
        bonuses,
        [
            (48, "root_wardens_regalia_2pc"),
            (49, "midnight_season_1_2pc"),
            (50, "midnight_season_1_4pc")
        ]
    );
    assert_eq!(c.consumables.len(), 5);
}

#[test]
fn everything_the_reference_profile_says_without_effect_is_listed_with_its_line() {
    let c = read_character(REFERENCE).unwrap();
    let what: Vec<_> = c
        .ignored
        .iter()
        .map(|i| (i.line, i.what.as_str()))
        .collect();
    // source, role and position (lines 7, 11, 12); fifteen items; avoidance
    // (no effect on damage). The consumables and set bonuses are the
    // setup's to use or list (tests/setup.rs).
    assert_eq!(what.len(), 3 + 15 + 1, "{what:#?}");
    assert!(what.contains(&(7, "source=default")));
    assert_eq!(c.consumables[0].line, 16);
    assert_eq!(
        c.consumables[0].value,
        ("potion".to_string(), "lights_potential_2".to_string())
    );
    assert!(what.contains(&(34, "trinket1=radiant_plume")));
    assert!(what.contains(&(46, "gear_avoidance_rating=362")));
    assert!(c.ignored.windows(2).all(|w| w[0].line <= w[1].line));
}

#[test]
fn action_lists_are_counted_and_set_aside() {
    let text =
        format!("{REFERENCE}\nactions=auto_shot\nactions+=/kill_command\nactions.st=cobra_shot\n");
    let c = read_character(&text).unwrap();
    let actions = c
        .ignored
        .iter()
        .find(|i| i.what.contains("action list"))
        .unwrap();
    assert_eq!(actions.what, "3 action list line(s)");
}

fn err(text: &str) -> ProfileError {
    match read_character(text) {
        Ok(c) => panic!("read a character from bad input: {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn bad_lines_are_errors_with_their_line_and_column() {
    let e = err("hunter=\"A\"\nspec=beast_mastery\nthis line has no equals\n");
    assert_eq!((e.line, e.column), (3, 1));
    assert!(e.message.starts_with("expected `key=value`"), "{e}");

    let e = err("hunter=\"A\"\nspec=beast_mastery\nlevel=ninety\n");
    assert_eq!(
        e.to_string(),
        "line 3, column 7: level needs a whole number, not `ninety`"
    );

    let e = err("hunter=\"A\"\nspec=beast_mastery\nlevel=80\n");
    assert_eq!(
        e.to_string(),
        "line 3, column 7: level 80: wowlab's game data cover level 90 characters only"
    );

    let e = err("hunter=\"A\"\nspec=frost\n");
    assert_eq!(
        e.to_string(),
        "line 2, column 6: `frost` is not a hunter specialization (one of: beast_mastery, marksmanship, survival)"
    );

    let e = err("hunter=\"A\nspec=beast_mastery\n");
    assert_eq!(
        e.to_string(),
        "line 1, column 8: a quoted value has no closing `\"`"
    );

    let e = err("hunter=\"A\"\nspec=beast_mastery\nmain_hand=rifle,id=12x\n");
    assert_eq!(
        e.to_string(),
        "line 3, column 17: item field `id` needs whole numbers, not `12x`"
    );

    let e = err("hunter=\"A\"\nspec=beast_mastery\n# gear_agility=lots\n");
    assert_eq!(
        e.to_string(),
        "line 3, column 16: gear_agility needs a number, not `lots`"
    );

    let e = err("hunter=\"A\"\nspec=beast_mastery\nrace+=orc\n");
    assert_eq!(
        e.to_string(),
        "line 3, column 1: `+=` appends to action lists only, not to `race`"
    );

    let e = err("hunter=\"A\"\nspec=beast_mastery\nmage=\"B\"\n");
    assert!(
        e.message
            .starts_with("a second character (the first starts on line 1)"),
        "{e}"
    );

    let e = err("# only a comment\noptimal_raid=1\n");
    assert_eq!((e.line, e.column), (1, 1));
    assert!(e.message.starts_with("no character"), "{e}");

    let e = err("hunter=\"A\"\nlevel=90\n");
    assert!(e.message.starts_with("no `spec=` line"), "{e}");
}

#[test]
fn a_talent_string_that_does_not_fit_is_an_error_at_the_talents_line() {
    // The published 12.0.1 string, against the 12.0.5 tree.
    let old = "C0PAAAAAAAAAAAAAAAAAAAAAAAMmxwCsBzwQDbAAYG2GzsMzwMmZYYmxYmxMzYGzwMzYGzghmBAAAAAMDAAAzMzMAzshwwsA2MA";
    let e = err(&format!(
        "hunter=\"A\"\nspec=beast_mastery\ntalents={old}\n"
    ));
    assert_eq!((e.line, e.column), (3, 9));
    assert!(
        e.message
            .starts_with("talents: node 109961 offers 1 talent(s) but the string picks choice 1"),
        "{e}"
    );

    // A Beast Mastery string on a Marksmanship character.
    let bm = "C0PAAAAAAAAAAAAAAAAAAAAAAAMmxwCsBzwQDbAAYG2GzsNzwMmZYYmxYmxMzYGzwMzYGzgx0MAAAAAmBAAgxMzMgZ2AbwsA2GA";
    let e = err(&format!("hunter=\"A\"\nspec=marksmanship\ntalents={bm}\n"));
    assert_eq!(
        e.to_string(),
        "line 3, column 9: the talent string is for specialization 253, but the profile says marksmanship (254)"
    );

    let e = err("mage=\"A\"\nspec=frost\ntalents=C0PA\n");
    assert!(
        e.message.starts_with("wowlab has no talent tree for mage"),
        "{e}"
    );
}

#[test]
fn gear_lines_without_the_comment_mark_count_too() {
    let p = Profile::parse("hunter=\"A\"\nspec=beast_mastery\ngear_haste_rating=1200\n").unwrap();
    assert_eq!(p.gear["haste_rating"].value, 1200.0);
    let c = read_character("hunter=\"A\"\nspec=beast_mastery\ngear_haste_rating=1200\n").unwrap();
    assert_eq!(c.gear.haste_rating, 1200.0);
    assert!(c.talents.is_none());
}
