//! The generator on the committed rules and data: the committed pack is its
//! output, its numbers are the data's, and bad rules name the rule at fault.

use std::path::Path;

use wowlab_engine::options::Property;
use wowlab_engine::spec::{SpecPack, SpellGcd};
use wowlab_packgen::{PackgenError, generate, rules::Rules};

const RULES: &str = "gamedata/rules/hunter_beast_mastery.toml";

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

fn generated(rules_text: &str) -> Result<wowlab_packgen::Generated, PackgenError> {
    let rules = Rules::parse(RULES, &read(RULES)).unwrap();
    generate(RULES, rules_text, &read(&rules.profile))
}

#[test]
fn the_committed_pack_is_what_the_rules_and_data_give() {
    let rules = Rules::parse(RULES, &read(RULES)).unwrap();
    let g = generated(&read(RULES)).unwrap();
    assert!(
        g.text == read(&rules.output),
        "{} is not what {RULES} gives: run `wowlab gamedata pack --rules {RULES}`",
        rules.output
    );
    // The text is the pack: it reads back into the same one.
    let body: SpecPack = toml::from_str(&g.text).unwrap();
    assert_eq!(body, g.pack);
}

fn spell<'a>(pack: &'a SpecPack, name: &str) -> &'a wowlab_engine::spec::Spell {
    pack.spells.iter().find(|s| s.name == name).unwrap()
}

#[test]
fn spells_carry_the_dump_numbers() {
    let pack = generated(&read(RULES)).unwrap().pack;
    // Kill Command: 34026's cost and charge; the pet's 83381 bites for 2.06
    // of the pet's attack power, 60 % of the hunter's.
    let kc = spell(&pack, "kill_command");
    assert_eq!((kc.cost, kc.charges, kc.cooldown_ms), (30.0, 1, 7500));
    assert!((kc.damage.as_ref().unwrap().ap_coefficient - 2.06 * 0.6).abs() < 1e-12);
    assert!(
        kc.hasted_cooldown,
        "137014 #2 hastes Kill Command's cooldown"
    );
    assert_eq!(kc.gcd, SpellGcd::Hasted);
    // Barbed Shot: a rolling bleed ticking on application, 0.779 AP every
    // 2 s for 12 s, 2 charges of 18 s hastened by 137014 #9, and 5 focus
    // every 2 s for 8 s from 246152.
    let bs = spell(&pack, "barbed_shot");
    let dot = bs.dot.as_ref().unwrap();
    assert_eq!((dot.duration_ms, dot.tick_ms), (12000, 2000));
    assert!(dot.rolling && !dot.pandemic && dot.tick_on_application);
    assert!(dot.damage.ignores_armor && dot.damage.can_crit);
    assert_eq!(dot.damage.ap_coefficient, 0.779);
    assert_eq!(
        (bs.charges, bs.cooldown_ms, bs.hasted_cooldown),
        (2, 18000, true)
    );
    let e = bs.energize.as_ref().unwrap();
    assert_eq!((e.amount, e.tick_ms, e.ticks), (5.0, 2000, 4));
    // Cobra Shot: 35 focus, 3.13 AP, shortens Kill Command by #3's 1 s.
    let cs = spell(&pack, "cobra_shot");
    assert_eq!(cs.cost, 35.0);
    assert_eq!(cs.damage.as_ref().unwrap().ap_coefficient, 3.13);
    assert_eq!(cs.cooldown_reductions[0].ms, 1000);
    // Bestial Wrath: 90 s; its buff lists Auto Shot, Cobra and Barbed Shot
    // but not the pet's Kill Command (83381).
    assert_eq!(spell(&pack, "bestial_wrath").cooldown_ms, 90000);
    let bw = &pack.auras[0];
    assert_eq!(
        (bw.name.as_str(), bw.duration_ms, bw.damage_bonus),
        ("bestial_wrath", 15000, 0.2)
    );
    assert_eq!(
        bw.affects,
        [
            "auto_shot",
            "barbed_shot",
            "boar_charge",
            "boar_charge_cleave",
            "cobra_shot",
            "rend_flesh",
            "stampede"
        ]
    );
    // The resource is the focus row; the boss's armor is 30 % at level 93.
    assert_eq!(
        (pack.resource.max, pack.resource.regen_per_second),
        (100.0, 5.0)
    );
    let mitigation = pack.target.armor / (pack.target.armor + pack.combat.armor_k);
    assert!((mitigation - 0.3).abs() < 1e-12);
    // The pet's Claw: 0.75 of the pet's attack power every 3 s (its
    // cooldown), not hastened.
    let claw = &pack.pets[0].abilities[0];
    assert_eq!(
        (claw.name.as_str(), claw.period_ms, claw.hasted),
        ("claw", 3000, false)
    );
    assert!((claw.damage.ap_coefficient - 0.75 * 0.6).abs() < 1e-12);
    // Master of Beasts: 1.9 % per point for pets and guardians, 1 % for
    // Cobra Shot and Barbed Shot.
    let m = &pack.combat.mastery;
    assert_eq!(m.damage_per_point, 0.019);
    assert_eq!(m.spells[0].affects, ["barbed_shot", "cobra_shot"]);
    assert_eq!(m.spells[0].damage_per_point, 0.01);
}

#[test]
fn passive_talents_become_options_with_their_ranks_and_sources() {
    let pack = generated(&read(RULES)).unwrap().pack;
    let option = |name: &str| pack.options.iter().find(|o| o.name == name).unwrap();
    let thrill = option("thrill_of_the_hunt");
    assert_eq!((thrill.talent, thrill.max_rank), (1265051, 2));
    assert_eq!(thrill.modifiers[1].property, Property::CritChance);
    assert_eq!(thrill.modifiers[1].affects, ["cobra_shot"]);
    assert_eq!(thrill.modifiers[1].value, 15.0);
    assert!(
        thrill.modifiers[1]
            .origin
            .contains("1265051 (Thrill of the Hunt) #2")
    );
    let tbw = option("the_beast_within");
    assert_eq!(tbw.modifiers[0].property, Property::CooldownMs);
    assert_eq!(tbw.modifiers[0].value, -60000.0);
    // A scripted effect means what the rules say, with the dump's number.
    let frenzy = option("frenzy");
    assert_eq!(frenzy.modifiers[0].property, Property::AttackSpeedPercent);
    assert_eq!(frenzy.modifiers[0].affects, ["pet_melee"]);
    assert!(frenzy.modifiers[0].origin.contains("rules: "));
    // A talent that teaches one of the pack's spells is an option that
    // changes nothing; other active talents are no options.
    let teaches = option("bestial_wrath");
    assert_eq!(teaches.talent, 19574);
    assert!(teaches.modifiers.is_empty());
    assert!(teaches.origin.contains("the pack's `bestial_wrath`"));
    assert!(pack.options.iter().all(|o| o.name != "trueshot"));
    // What an option does beyond its modifiers is listed, not dropped.
    assert!(!option("natures_ally").unmodelled.is_empty());
}

#[test]
fn talents_of_the_character_s_stats_become_options_valued_per_rank() {
    let pack = generated(&read(RULES)).unwrap().pack;
    let only = |name: &str| {
        let o = pack.options.iter().find(|o| o.name == name).unwrap();
        assert_eq!(o.modifiers.len(), 1, "{name}");
        let m = &o.modifiers[0];
        assert!(m.affects.is_empty(), "{name}");
        (m.property, m.value, o.max_rank)
    };
    // Trigger Finger: 2 % haste scaled by 0.5 and 1 at its ranks: 1 a rank.
    assert_eq!(only("trigger_finger"), (Property::HastePercent, 1.0, 2));
    // Keen Eyesight: set to 2 and 4 % crit: 2 a rank.
    assert_eq!(only("keen_eyesight"), (Property::CritPercent, 2.0, 2));
    assert_eq!(only("sharpened_fangs"), (Property::MasteryPoints, 3.0, 1));
    // Combat Experience raises agility, the hunter's primary stat.
    assert_eq!(
        only("combat_experience"),
        (Property::PrimaryStatPercent, 3.0, 1)
    );
    // Pack Tactics raises focus regeneration.
    assert_eq!(
        only("pack_tactics"),
        (Property::ResourceRegenPercent, 75.0, 1)
    );
    // Killer Instinct: its 10 % scaled by 0.5 and 1: 5 a rank.
    let ki = pack
        .options
        .iter()
        .find(|o| o.name == "killer_instinct")
        .unwrap();
    assert_eq!(ki.modifiers[0].value, 5.0);
    assert!(
        ki.modifiers[0]
            .origin
            .ends_with("per rank base value × (0.5, 1)")
    );
    // The armor specialization is the rules', always on.
    let armor = pack
        .modifiers
        .iter()
        .find(|m| m.property == Property::PrimaryStatPercent)
        .unwrap();
    assert_eq!(armor.value, 5.0);
    assert!(armor.origin.starts_with("rules: "));
}

#[test]
fn scripted_cast_effects_become_the_options_procs_by_the_rules() {
    let pack = generated(&read(RULES)).unwrap().pack;
    let procs = |name: &str| {
        let o = pack.options.iter().find(|o| o.name == name).unwrap();
        assert!(o.modifiers.is_empty(), "{name}");
        o.procs.clone()
    };
    // Barbed Scales: each Cobra Shot takes its effect #1's 2000 ms off
    // Barbed Shot's cooldown.
    let scales = procs("barbed_scales");
    assert_eq!(scales.len(), 1);
    assert_eq!(scales[0].on, wowlab_engine::spec::Trigger::Cast);
    assert_eq!(scales[0].sources, ["cobra_shot"]);
    assert_eq!(scales[0].chance, Some(1.0));
    assert_eq!(scales[0].cooldown_reductions[0].spell, "barbed_shot");
    assert_eq!(scales[0].cooldown_reductions[0].ms, 2000);
    // Scent of Blood: each Bestial Wrath gives Barbed Shot a charge.
    let scent = procs("scent_of_blood");
    assert_eq!(scent[0].sources, ["bestial_wrath"]);
    assert_eq!(scent[0].reset_cooldown.as_deref(), Some("barbed_shot"));
    // A rule asking for a charge from an effect whose base value is not 1
    // is reported, not guessed.
    let text = read(RULES).replace(
        "proc = { on = \"cast\", of = [\"cobra_shot\"], shortens = \"barbed_shot\" }",
        "proc = { on = \"cast\", of = [\"cobra_shot\"], recharges = \"barbed_shot\" }",
    );
    let pack = generated(&text).unwrap().pack;
    let scales = pack.options.iter().find(|o| o.name == "barbed_scales");
    assert!(scales.is_none(), "no option without a proc or modifier");
}

#[test]
fn every_option_resolves_on_the_pack() {
    let pack = generated(&read(RULES)).unwrap().pack;
    let all = pack
        .options
        .iter()
        .map(|o| (o.name.clone(), o.max_rank))
        .collect();
    let resolved = wowlab_engine::options::resolve(&pack, &all).unwrap();
    // Serpentine Strikes: Cobra Shot's crits add 50 % more.
    let cs = spell(&resolved, "cobra_shot");
    assert_eq!(cs.damage.as_ref().unwrap().crit_damage_bonus, 0.5);
    // The Beast Within: Bestial Wrath every 30 s.
    assert_eq!(spell(&resolved, "bestial_wrath").cooldown_ms, 30000);
    // Frenzy at rank 2: the pet swings 40 % faster.
    assert_eq!(resolved.pets[0].auto_attack.period_ms, 1429);
    // The character: Keen Eyesight's 4 %, Trigger Finger's 2 %, Sharpened
    // Fangs' 3 points; agility × 1.05 (armor) × 1.03 (Combat Experience);
    // focus regeneration × 1.75 (Pack Tactics).
    let b = &resolved.stat_bonus;
    assert_eq!((b.crit_percent, b.mastery_points), (4.0, 3.0));
    assert!((b.haste_percent - 2.0).abs() < 1e-9, "{b:?}");
    assert!((b.primary_stat_percent - 8.15).abs() < 1e-9, "{b:?}");
    assert_eq!(resolved.resource.regen_per_second, 5.0 * 1.75);
}

fn data_error(rules_text: &str) -> (String, String) {
    match generated(rules_text) {
        Err(PackgenError::Data { field, message, .. }) => (field, message),
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn a_rule_naming_what_the_data_lack_is_an_error_naming_the_rule() {
    let text = read(RULES);
    let (field, message) = data_error(&text.replace("cast = 217200", "cast = 999999"));
    assert_eq!(field, "spells[2].cast");
    assert!(
        message.contains("spell 999999 is not in the spell dump"),
        "{message}"
    );
    let (field, message) = data_error(&text.replace(
        "dot = { spell = 217200, effect = 1 }",
        "dot = { spell = 217200, effect = 2 }",
    ));
    assert_eq!(field, "spells[2].dot");
    assert!(message.contains("not Periodic Damage"), "{message}");
    let (field, _) = data_error(&text.replace("power = \"focus\"", "power = \"chaos\""));
    assert_eq!(field, "resource.power");
}

#[test]
fn a_malformed_rules_file_names_its_line() {
    let text = read(RULES).replace("name = \"kill_command\"", "nmae = \"kill_command\"");
    let err = generated(&text).unwrap_err().to_string();
    assert!(err.contains(RULES) && err.contains("nmae"), "{err}");
    assert!(err.contains("line"), "{err}");
}

#[test]
fn scripted_talents_become_pets_summons_triggered_spells_and_a_cycle() {
    use wowlab_engine::spec::Trigger;
    let pack = generated(&read(RULES)).unwrap().pack;
    let option = |name: &str| pack.options.iter().find(|o| o.name == name).unwrap();
    let near = |a: f64, b: f64| (a - b).abs() < 1e-12;
    // Animal Companion: a second pet, a 2 s swing of 0.6 of the hunter's
    // attack power / 6 per second, no basic attack.
    let companion = &option("animal_companion").pets;
    assert_eq!(companion.len(), 1);
    let melee = &companion[0].auto_attack;
    assert_eq!(
        (melee.name.as_str(), melee.period_ms),
        ("companion_melee", 2000)
    );
    assert!(near(melee.damage.ap_coefficient, 2.0 / 6.0 * 0.6));
    assert!(companion[0].abilities.is_empty());
    // Dire Beast: 4 % a Barbed Shot tick, the talent's 0.5 s internal
    // cooldown; Dire Command: 20 % a Kill Command.
    let beast = &option("dire_beast").procs[0];
    assert_eq!(
        (beast.on, beast.sources.as_slice()),
        (Trigger::Tick, &["barbed_shot".to_string()][..])
    );
    assert_eq!((beast.chance, beast.icd_ms), (Some(0.04), 500));
    assert_eq!(beast.summon.as_deref(), Some("dire_beast"));
    let command = &option("dire_command").procs[0];
    assert_eq!((command.on, command.chance), (Trigger::Cast, Some(0.2)));
    // The summons: the Dire Beast's 8 s at the hunter's full attack power,
    // the Bear's 12 s of 1.5 s swings of 7 × 0.6.
    let summon = |name: &str| pack.summons.iter().find(|s| s.name == name).unwrap();
    let db = summon("dire_beast");
    assert_eq!(db.duration_ms, 8000);
    assert!(near(db.auto_attack.damage.ap_coefficient, 2.0 / 6.0));
    let bear = summon("bear");
    assert_eq!(
        (bear.duration_ms, bear.auto_attack.period_ms),
        (12000, 1500)
    );
    assert!(near(
        bear.auto_attack.damage.ap_coefficient,
        1.5 / 6.0 * 0.6 * 7.0
    ));
    // Triggered spells: Stomp at 1.44 of the pet's attack power, Thundering
    // Hooves' at 200 % of it, Bloodshed's 1.2 a second for 12 s.
    let triggered = |name: &str| pack.triggered.iter().find(|s| s.name == name).unwrap();
    let stomp = triggered("stomp").damage.as_ref().unwrap().ap_coefficient;
    assert!(near(stomp, 1.44 * 0.6));
    let hooves = triggered("thundering_hooves")
        .damage
        .as_ref()
        .unwrap()
        .ap_coefficient;
    assert!(near(hooves, 1.44 * 0.6 * 2.0));
    let bleed = triggered("bloodshed").dot.as_ref().unwrap();
    assert_eq!((bleed.duration_ms, bleed.tick_ms), (12000, 1000));
    assert!(near(bleed.damage.ap_coefficient, 1.2 * 0.6));
    // Bloody Frenzy: Barbed Shot ticks twice as often; Hogstrider's bonus
    // does not grow with stacks, so it keeps one.
    let aura = |name: &str| pack.auras.iter().find(|a| a.name == name).unwrap();
    let frenzy = aura("bloody_frenzy");
    assert_eq!(
        (frenzy.tick_time_bonus, frenzy.affects.as_slice()),
        (-0.5, &["barbed_shot".to_string()][..])
    );
    let hog = aura("hogstrider");
    assert_eq!((hog.max_stacks, hog.damage_bonus), (1, 2.0));
    assert_eq!(hog.affects, ["cobra_shot"]);
    // Howl of the Pack Leader: a 30 s cycle of three ready beasts; the
    // Boar's charge and the Wyvern's 10 stacks on their consumption.
    let howl = option("howl_of_the_pack_leader");
    assert_eq!(howl.cycles.len(), 1);
    assert_eq!(howl.cycles[0].period_ms, 30000);
    assert_eq!(
        howl.cycles[0].steps,
        ["wyvern_ready", "boar_ready", "bear_ready"]
    );
    let consumed = |of: &str| {
        howl.procs
            .iter()
            .filter(|p| p.on == Trigger::Consume && p.sources == [of])
            .collect::<Vec<_>>()
    };
    assert_eq!(
        consumed("boar_ready")[0].cast.as_deref(),
        Some("boar_charge")
    );
    let cry = consumed("wyvern_ready");
    assert_eq!(
        (cry[0].apply_aura.as_deref(), cry[0].stacks),
        (Some("wyverns_cry"), 10)
    );
    assert_eq!(consumed("bear_ready")[0].summon.as_deref(), Some("bear"));
    // Ursine Fury: two Dire Beasts with the Bear.
    let ursine = &option("ursine_fury").procs[0];
    assert_eq!(
        (ursine.summon.as_deref(), ursine.summon_count),
        (Some("dire_beast"), 2)
    );
    // Stampede!: Bestial Wrath readies a beast and the herd, which lasts
    // until a Kill Command brings it: 9 hits of 1.5 attack power.
    let stampede = option("stampede");
    assert!(stampede.procs.iter().any(|p| p.advance_cycle.is_some()));
    assert_eq!(aura("stampede_incoming").duration_ms, 0);
    let herd = triggered("stampede");
    assert_eq!(herd.hits, 9);
    assert!(near(herd.damage.as_ref().unwrap().ap_coefficient, 1.5));
    // Focus: Lethal Barbs' 1 an Auto Shot, Pack Tactics' 25 a Barbed Shot.
    let barbs = &option("lethal_barbs").procs[0];
    assert_eq!((barbs.on, barbs.gain), (Trigger::Hit, 1.0));
    let tactics = option("pack_tactics");
    assert_eq!(tactics.procs[0].gain, 25.0);
    assert_eq!(tactics.procs[0].sources, ["barbed_shot"]);
    // Alpha Predator: a second charge of Kill Command (its cooldown
    // category's).
    let charges = option("alpha_predator")
        .modifiers
        .iter()
        .find(|m| m.property == Property::Charges)
        .unwrap();
    assert_eq!(
        (charges.affects.as_slice(), charges.value),
        (&["kill_command".to_string()][..], 1.0)
    );
}
