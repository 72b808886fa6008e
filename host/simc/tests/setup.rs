//! The reference profile as the engine's input, against the committed
//! (generated) reference pack: the options its talents switch on, the
//! player's stats, and what is listed as not simulated.

use std::path::Path;

use wowlab_engine::spec::SpecPack;
use wowlab_simc::sheet::SecondaryRatings;
use wowlab_simc::{read_character, setup, sheet};

fn read(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path),
    )
    .unwrap()
}

fn pack() -> SpecPack {
    let text = read("examples/specs/bm_hunter.toml");
    toml::from_str(&text).unwrap()
}

fn reference() -> (wowlab_simc::Character, wowlab_simc::Sheet) {
    let c = read_character(&read("examples/profiles/MID1_Hunter_Beast_Mastery.simc")).unwrap();
    let s = sheet(&c).unwrap();
    (c, s)
}

/// Flask of the Magisters (rank 2, item level 295): its effect's
/// coefficient 0.681974 × the consumable budget of item level 295
/// (249.31483, a 32-bit number) × a trinket's combat rating multiplier at
/// 295 (0.97043908): 165.0 mastery rating.
const FLASK_MASTERY: f64 = 0.681974 * 249.31483459472656 * 0.97043908;

/// Light's Potential (rank 2, item level 295): 2.78764 × 249.31483 = 695.0
/// agility, with no rating multiplier.
const POTION_AGILITY: f64 = 2.78764 * 249.31483459472656;

#[test]
fn the_consumables_amounts_are_their_items_budgets() {
    assert!((FLASK_MASTERY - 165.0).abs() < 1e-3, "{FLASK_MASTERY}");
    assert!((POTION_AGILITY - 695.0).abs() < 1e-3, "{POTION_AGILITY}");
    let (c, s) = reference();
    let setup = setup(&c, &s, &pack()).unwrap();
    let source = |what: &str| {
        setup
            .raid_sources
            .iter()
            .find(|l| l.starts_with(what))
            .cloned()
            .unwrap()
    };
    let flask = source("flask=flask_of_the_magisters_2");
    assert!(
        flask.contains(&format!("+{FLASK_MASTERY} mastery rating")),
        "{flask}"
    );
    assert!(
        flask.contains("1235108 (Flask of the Magisters) #1"),
        "{flask}"
    );
    let potion = source("potion=lights_potential_2");
    assert!(
        potion.contains(&format!(
            "+{POTION_AGILITY} agility for 30 s at the pull and every 300 s"
        )),
        "{potion}"
    );
}

#[test]
fn extra_ratings_go_through_diminishing_returns_with_the_gear_s() {
    let (mut c, s) = reference();
    let extra = SecondaryRatings {
        crit: 100.0,
        haste: 200.0,
        mastery: 300.0,
        versatility: 400.0,
    };
    let with = s.with_ratings(extra);
    c.gear.crit_rating += 100.0;
    c.gear.haste_rating += 200.0;
    c.gear.mastery_rating += 300.0;
    c.gear.versatility_rating += 400.0;
    let geared = sheet(&c).unwrap();
    assert_eq!(with.crit_percent, geared.crit_percent);
    assert_eq!(with.haste_percent, geared.haste_percent);
    assert_eq!(with.mastery_points, geared.mastery_points);
    assert_eq!(with.versatility_percent, geared.versatility_percent);
    assert!(with.mastery_points > s.mastery_points + 6.0);
    assert_eq!(s.with_ratings(SecondaryRatings::default()), s);
}

#[test]
fn the_talents_switch_on_the_packs_options_with_their_ranks() {
    let (c, s) = reference();
    let pack = pack();
    let setup = setup(&c, &s, &pack).unwrap();
    let rank = |name: &str| setup.options.get(name).copied();
    assert_eq!(rank("frenzy"), Some(2));
    assert_eq!(rank("thrill_of_the_hunt"), Some(2));
    assert_eq!(rank("the_beast_within"), Some(1));
    assert_eq!(rank("serpentine_strikes"), Some(1));
    // Nature's Ally is the third entry of a tiered node (1, 2 and 1 ranks):
    // rank 4 of the node reaches it.
    assert_eq!(rank("natures_ally"), Some(1));
    // Talents the profile does not take stay off.
    assert_eq!(rank("killer_instinct"), None);
    assert_eq!(rank("bleak_arrows"), None);
    // With them, Barbed Shot's bleed is 0.779 AP × 1.01 (the spec passive of
    // 12.0.5) × 1.1 (Better Together, No Mercy, War Orders, Jagged Wounds)
    // × 1.15 (Nature's Ally): the modifiers SimulationCraft's published
    // result lists for it (at −3 % for the passive in 12.0.1).
    let resolved = wowlab_engine::options::resolve(&pack, &setup.options).unwrap();
    let barbed = resolved
        .spells
        .iter()
        .find(|s| s.name == "barbed_shot")
        .unwrap();
    let coefficient = barbed.dot.as_ref().unwrap().damage.ap_coefficient;
    let expected = 0.779 * 1.01 * 1.1f64.powi(4) * 1.15;
    assert!(
        (coefficient - expected).abs() < 1e-12,
        "{coefficient} vs {expected}"
    );
}

#[test]
fn the_player_is_the_sheet_on_top_of_the_packs_base_crit_and_mastery() {
    let (c, s) = reference();
    let pack = pack();
    let p = setup(&c, &s, &pack).unwrap().player;
    // The raid's and the consumables' shares are checked below.
    assert!(p.attack_power > s.attack_power);
    assert_eq!(p.weapon_attack_power, pack.player.weapon_attack_power);
    assert!((p.crit_percent + pack.combat.base_crit * 100.0 - s.crit_percent).abs() < 1e-12);
    let skyfury = 2.0;
    let flask = s.with_ratings(SecondaryRatings {
        mastery: FLASK_MASTERY,
        ..SecondaryRatings::default()
    });
    assert!(
        (p.mastery_points + pack.combat.mastery.base_points - flask.mastery_points - skyfury).abs()
            < 1e-12
    );
    assert_eq!(p.haste_percent, s.haste_percent);
    assert_eq!(p.crit_rating, 0.0);
}

#[test]
fn what_the_pack_does_not_model_is_listed_with_its_line() {
    let (c, s) = reference();
    let setup = setup(&c, &s, &pack()).unwrap();
    let find = |text: &str| setup.ignored.iter().find(|i| i.what.contains(text));
    let throat = find("Go for the Throat").expect("a talent without an option");
    assert_eq!(throat.line, 13);
    assert_eq!(throat.why, "the pack has no option for it");
    let ally = find("option `natures_ally_1273126`").expect("an option's unmodelled effects");
    assert!(
        ally.why.contains("#2 Apply Aura (6) | Dummy (4)"),
        "{}",
        ally.why
    );
    assert!(
        find("trinket1").is_some(),
        "the profile's own unused lines stay"
    );
    let raid_set = find("set_bonus=root_wardens_regalia_2pc").expect("a set without an option");
    assert_eq!(
        (raid_set.line, raid_set.why.as_str()),
        (48, "the pack has no option for it")
    );
    assert_eq!(setup.options.get("midnight_season_1_2pc"), Some(&1));
    assert_eq!(setup.options.get("midnight_season_1_4pc"), Some(&1));
    assert!(setup.ignored.windows(2).all(|w| w[0].line <= w[1].line));
}

#[test]
fn a_pack_for_another_spec_is_refused() {
    let (c, s) = reference();
    let mut pack = pack();
    pack.spec = "marksmanship".into();
    let err = setup(&c, &s, &pack).unwrap_err().to_string();
    assert!(
        err.contains("marksmanship hunter") && err.contains("beast_mastery hunter"),
        "{err}"
    );
}

#[test]
fn the_raid_buffs_the_character_and_debuffs_the_boss_as_optimal_raid_does() {
    let (c, s) = reference();
    let pack = pack();
    let setup = setup(&c, &s, &pack).unwrap();
    let p = &setup.player;
    // Battle Shout +5 % attack power, Mark of the Wild +3 % versatility,
    // Skyfury +2 mastery points after diminishing returns; the flask's
    // rating before them.
    assert_eq!(p.attack_power_percent, 5.0);
    assert!((p.versatility_percent - (s.versatility_percent + 3.0)).abs() < 1e-12);
    let flask = s.with_ratings(SecondaryRatings {
        mastery: FLASK_MASTERY,
        ..SecondaryRatings::default()
    });
    let points = flask.mastery_points - pack.combat.mastery.base_points + 2.0;
    assert!((p.mastery_points - points).abs() < 1e-12);
    // Silvermoon Parade (50) and the Void-Touched rune (25.1) add agility.
    let agility = 50.0 + 25.10191;
    assert!((p.attack_power - (s.attack_power + agility)).abs() < 1e-9);
    // Mystic Touch (physical) and Chaos Brand (magic) on every target.
    let taken: Vec<_> = setup
        .damage_taken
        .iter()
        .map(|d| (d.name.as_str(), d.percent, d.schools.len()))
        .collect();
    assert_eq!(taken, [("mystic_touch", 5.0, 1), ("chaos_brand", 3.0, 6)]);
    // Hunter's Mark on the primary target, Bloodlust at the pull, the
    // potion at the pull and every 300 s (its agility as attack power: one
    // a point for a hunter).
    let external: Vec<_> = setup
        .external_auras
        .iter()
        .map(|e| {
            (
                e.at_ms,
                e.every_ms,
                e.aura.name.as_str(),
                e.aura.duration_ms,
            )
        })
        .collect();
    assert_eq!(
        external,
        [
            (0, 0, "hunters_mark", 3_600_000),
            (0, 0, "bloodlust", 40_000),
            (0, 300_000, "lights_potential_2", 30_000)
        ]
    );
    assert_eq!(
        setup.external_auras[2].aura.primary_attack_power,
        POTION_AGILITY * s.attack_power_per_agility
    );
    assert_eq!(setup.external_auras[1].aura.haste_bonus, 0.3);
    assert_eq!(setup.external_auras[0].aura.damage_bonus, 0.03);
    assert!(
        setup
            .raid_sources
            .iter()
            .any(|l| l.contains("6673 (Battle Shout) #1"))
    );
    // The oil is not modelled: listed, with its line.
    let listed = |what: &str| {
        setup
            .ignored
            .iter()
            .find(|i| i.what.starts_with(what))
            .map(|i| i.why.clone())
    };
    assert!(listed("flask=").is_none() && listed("potion=").is_none());
    assert!(listed("temporary_enchant=").is_some());
    assert!(listed("food=").is_none() && listed("augmentation=").is_none());
}
