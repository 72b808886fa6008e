//! Game mechanics against hand-computed expectations.

use serde_json::{Value, json};
use wowlab_engine::config::Fight;
use wowlab_engine::spec::SpecPack;
use wowlab_engine::{Action, BatchResult, EngineError, SimConfig, run_batch, snapshot};

/// A pack with no crit, no armor, a 100-point resource without regen.
fn pack(extra: Value) -> SpecPack {
    let mut base = json!({
        "name": "test",
        "resource": { "name": "mana", "max": 100.0 },
        "combat": { "base_crit": 0.0 },
    });
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    serde_json::from_value(base).unwrap()
}

fn config(spec: SpecPack, seconds: u32) -> SimConfig {
    SimConfig::for_spec(
        spec,
        Fight {
            duration_ms: seconds * 1000,
            vary_length: 0.0,
            targets: 1,
            external_auras: Vec::new(),
        },
    )
}

/// Casts the first castable spell, in spec order; else waits for a change.
fn first_ready(spells: usize) -> impl FnMut(&[f64]) -> Result<Action, String> {
    move |s: &[f64]| {
        Ok((0..spells)
            .find(|&i| s[snapshot::spell(i, snapshot::SPELL_CASTABLE)] > 0.0)
            .map_or(Action::Wait(0), |i| Action::Cast(i as u32)))
    }
}

fn run(
    config: &SimConfig,
    rotation: &mut dyn wowlab_engine::Rotation,
    iterations: u32,
) -> BatchResult {
    run_batch(config, rotation, 42, 0, iterations).unwrap()
}

fn source<'a>(r: &'a BatchResult, name: &str) -> &'a wowlab_engine::stats::SourceStats {
    r.sources.iter().find(|s| s.name == name).unwrap()
}

#[test]
fn one_fixed_damage_spell_on_a_10s_cooldown_gives_exact_dps() {
    let spec = pack(json!({ "spells": [
        { "name": "smite", "cooldown_ms": 10000, "damage": { "base": 1000.0, "can_crit": false, "school": "holy" } }
    ]}));
    let r = run(&config(spec, 60), &mut first_ready(1), 3);
    // Casts at 0, 10, 20, 30, 40, 50 s: 6000 damage in 60 s.
    assert_eq!(r.dps.mean(), 100.0);
    assert_eq!(r.dps.std_dev(), 0.0);
    assert_eq!(source(&r, "smite").casts, 18);
}

#[test]
fn armor_reduces_physical_damage_only() {
    let spec = pack(json!({
        "combat": { "base_crit": 0.0, "armor_k": 7390.0 },
        "target": { "armor": 11300.0 },
        "spells": [
            { "name": "slash", "cooldown_ms": 10000, "gcd": "none", "damage": { "base": 1000.0, "can_crit": false } },
            { "name": "zap", "cooldown_ms": 10000, "damage": { "base": 1000.0, "can_crit": false, "school": "nature" } }
        ]
    }));
    let r = run(&config(spec, 10), &mut first_ready(2), 1);
    let expected = 1000.0 * (1.0 - 11300.0 / (11300.0 + 7390.0));
    assert!((source(&r, "slash").damage_total() - expected).abs() < 1e-3);
    assert_eq!(source(&r, "zap").damage_total(), 1000.0);
}

fn casts_in_60s(spell: Value, haste_percent: f64) -> u64 {
    let mut spec = pack(json!({ "spells": [spell] }));
    spec.player.haste_percent = haste_percent;
    source(&run(&config(spec, 60), &mut first_ready(1), 1), "s").casts
}

#[test]
fn haste_shortens_the_gcd_down_to_its_minimum() {
    let instant = json!({ "name": "s", "damage": { "base": 1.0 } });
    assert_eq!(casts_in_60s(instant.clone(), 0.0), 40); // 1.5 s GCD
    assert_eq!(casts_in_60s(instant.clone(), 50.0), 60); // 1.0 s
    assert_eq!(casts_in_60s(instant, 200.0), 80); // 0.5 s, clamped to 0.75 s
}

#[test]
fn haste_shortens_cast_times() {
    let cast = json!({ "name": "s", "cast_time_ms": 2000, "damage": { "base": 1.0 } });
    // Casts complete at 2, 4, ... 58 s; the one ending at 60 s is past the fight.
    assert_eq!(casts_in_60s(cast.clone(), 0.0), 29);
    assert_eq!(casts_in_60s(cast, 100.0), 59);
}

#[test]
fn casting_on_cooldown_is_refused_and_reported() {
    let spec = pack(json!({ "spells": [
        { "name": "s", "cooldown_ms": 10000, "damage": { "base": 1.0 } }
    ]}));
    let mut always = |_: &[f64]| Ok(Action::Cast(0));
    let r = run(&config(spec, 20), &mut always, 2);
    let s = source(&r, "s");
    assert_eq!(s.casts, 4);
    assert!(s.refused > 0);
    let first = s.first_refusal.as_ref().unwrap();
    assert_eq!((first.iteration, first.time_ms), (0, 1500));
    assert!(first.reason.contains("cooldown"), "{}", first.reason);
}

#[test]
fn casting_without_resource_is_refused() {
    let spec = pack(json!({ "spells": [
        { "name": "s", "cost": 40.0, "damage": { "base": 1.0 } }
    ]}));
    let mut always = |_: &[f64]| Ok(Action::Cast(0));
    let r = run(&config(spec, 30), &mut always, 1);
    let s = source(&r, "s");
    assert_eq!(s.casts, 2, "100 mana pays for two casts of 40");
    assert!(
        s.first_refusal
            .as_ref()
            .unwrap()
            .reason
            .contains("not enough resource")
    );
}

#[test]
fn resource_regenerates_with_haste_without_a_tick() {
    // 10 mana/s × 1.5 haste = 15/s; a 30-mana spell is affordable every 2 s.
    let mut spec = pack(json!({
        "resource": { "name": "mana", "max": 100.0, "start": 0.0, "regen_per_second": 10.0 },
        "spells": [{ "name": "s", "cost": 30.0, "gcd": { "fixed": 100 }, "damage": { "base": 1.0 } }]
    }));
    spec.player.haste_percent = 50.0;
    let r = run(&config(spec, 61), &mut first_ready(1), 1);
    assert_eq!(source(&r, "s").casts, 30); // at 2, 4, ..., 60 s
}

#[test]
fn charges_recharge_one_at_a_time() {
    let spec = pack(json!({ "spells": [
        { "name": "s", "charges": 2, "cooldown_ms": 10000, "gcd": "none", "damage": { "base": 1.0 } }
    ]}));
    let mut seen = Vec::new();
    let mut rotation = |s: &[f64]| {
        seen.push((
            s[snapshot::TIME],
            s[snapshot::spell(0, snapshot::SPELL_CHARGES)],
        ));
        first_ready(1)(s)
    };
    let r = run(&config(spec, 60), &mut rotation, 1);
    // Two charges at 0 s, then one every 10 s: 0, 0, 10, 20, 30, 40, 50.
    assert_eq!(source(&r, "s").casts, 7);
    assert!(seen.contains(&(10.0, 1.0)), "{seen:?}");
}

fn dot_ticks(refresh_at: f64) -> u64 {
    let spec = pack(json!({ "spells": [
        { "name": "d", "dot": { "duration_ms": 10000, "tick_ms": 1000, "damage": { "base": 100.0, "can_crit": false } } }
    ]}));
    let mut casts = 0;
    let mut rotation = |s: &[f64]| {
        let t = s[snapshot::TIME];
        Ok(if casts == 0 || (casts == 1 && t >= refresh_at) {
            casts += 1;
            Action::Cast(0)
        } else if casts == 1 {
            Action::Wait(((refresh_at - t) * 1000.0).round() as u32)
        } else {
            Action::Wait(60_000)
        })
    };
    let r = run(&config(spec, 40), &mut rotation, 1);
    let d = source(&r, "d");
    assert_eq!(d.damage_total(), d.ticks as f64 * 100.0, "whole ticks only");
    d.ticks
}

#[test]
fn dot_refresh_carries_over_at_most_30_percent() {
    // Refresh at 9 s: 1 s left carries over fully; runs to 20 s.
    assert_eq!(dot_ticks(9.0), 20);
    // Refresh at 2 s: 8 s left, only 3 s carry over; runs to 15 s.
    assert_eq!(dot_ticks(2.0), 15);
}

/// Total damage and ticks of one DoT cast at 0 s and again at `refresh_at`
/// (if given), in a 40 s fight without crits.
fn dot_damage(dot: Value, refresh_at: Option<f64>) -> (f64, u64) {
    let spec = pack(json!({ "spells": [{ "name": "d", "dot": dot }] }));
    let mut casts = 0;
    let mut rotation = |s: &[f64]| {
        let t = s[snapshot::TIME];
        Ok(match refresh_at {
            _ if casts == 0 => {
                casts += 1;
                Action::Cast(0)
            }
            Some(at) if casts == 1 && t >= at => {
                casts += 1;
                Action::Cast(0)
            }
            Some(at) if casts == 1 => Action::Wait(((at - t) * 1000.0).round() as u32),
            _ => Action::Wait(60_000),
        })
    };
    let r = run(&config(spec, 40), &mut rotation, 1);
    let d = source(&r, "d");
    (d.damage_total(), d.ticks)
}

fn barbed(tick_on_application: bool, rolling: bool) -> Value {
    json!({ "duration_ms": 10000, "tick_ms": 2000, "pandemic": false,
            "tick_on_application": tick_on_application, "rolling": rolling,
            "damage": { "base": 100.0, "can_crit": false } })
}

#[test]
fn a_dot_that_ticks_on_application_ticks_once_more() {
    // Ticks at 0, 2, 4, 6, 8 and 10 s.
    assert_eq!(dot_damage(barbed(true, false), None), (600.0, 6));
    // Without: 2, 4, 6, 8, 10 s.
    assert_eq!(dot_damage(barbed(false, false), None), (500.0, 5));
}

#[test]
fn a_rolling_refresh_keeps_the_damage_still_to_come() {
    // At 5 s the first application has ticked at 0, 2, 4 s (300) and 5 s
    // are left: 2.5 ticks, 250 to come. Without rolling they are lost: the
    // refresh ticks at 5, 7, ... 15 s, six ticks of 100.
    let (lost, ticks) = dot_damage(barbed(true, false), Some(5.0));
    assert_eq!((lost, ticks), (900.0, 9));
    // Rolling keeps the tick due at 6 s; the new application's five ticks
    // follow it (8, 10, ... 16 s), and the 250 to come with the new 500 is
    // spread over those six: 125 each. The refresh itself ticks at once for
    // 125 too: 300 + 125 + 750.
    let (rolled, ticks) = dot_damage(barbed(true, true), Some(5.0));
    assert_eq!(ticks, 10);
    assert!((rolled - 1175.0).abs() < 1e-3, "{rolled}");
    // Without the tick on application: 2, 4 s (200), then the six ticks of
    // 125 at 6, 8, ... 16 s: nothing is lost and nothing added.
    let (rolled, ticks) = dot_damage(barbed(false, true), Some(5.0));
    assert_eq!(ticks, 8);
    assert!((rolled - 950.0).abs() < 1e-3, "{rolled}");
}

#[test]
fn a_rolling_dot_with_pandemic_is_refused() {
    let mut dot = barbed(true, true);
    dot["pandemic"] = json!(true);
    let spec = pack(json!({ "spells": [{ "name": "d", "dot": dot }] }));
    let err = run_batch(&config(spec, 10), &mut first_ready(1), 1, 0, 1).unwrap_err();
    assert!(
        err.to_string().contains("spec.spells[0].dot.rolling"),
        "{err}"
    );
}

#[test]
fn a_spell_s_own_crit_chance_and_crit_damage_bonus() {
    // Base crit 0; the spell adds 100 % crit chance and 50 % crit damage:
    // every hit crits for 1 + (2 − 1) × 1.5 = 2.5 times its damage.
    let spec = pack(json!({ "spells": [
        { "name": "s", "cooldown_ms": 10000, "damage": { "base": 1000.0, "school": "holy",
          "crit_chance_bonus": 1.0, "crit_damage_bonus": 0.5 } },
        { "name": "t", "cooldown_ms": 10000, "damage": { "base": 1000.0, "school": "holy" } }
    ]}));
    let r = run(&config(spec, 10), &mut first_ready(2), 1);
    let (s, t) = (source(&r, "s"), source(&r, "t"));
    assert_eq!((s.hits, s.crits, s.damage_total()), (1, 1, 2500.0));
    // The other spell keeps the character's 0 % crit.
    assert_eq!((t.crits, t.damage_total()), (0, 1000.0));
}

#[test]
fn the_weapon_adds_attack_power_to_all_but_its_own_swings_and_percent_raises_both() {
    // 1000 attack power, a weapon adding 600, +5 % attack power: a spell of
    // 1 AP deals 1600 × 1.05; the weapon's swing of 100 + 0.5 AP deals
    // 100 + 0.5 × 1000 × 1.05.
    let spec = pack(json!({
        "spells": [{ "name": "shot", "cooldown_ms": 60000,
                     "damage": { "ap_coefficient": 1.0, "can_crit": false } }],
        "auto_attack": { "name": "swing", "period_ms": 60000,
                         "damage": { "base": 100.0, "ap_coefficient": 0.5, "can_crit": false,
                                     "weapon_swing": true } }
    }));
    let mut c = config(spec, 10);
    c.player.attack_power = 1000.0;
    c.player.weapon_attack_power = 600.0;
    c.player.attack_power_percent = 5.0;
    let r = run(&c, &mut first_ready(1), 1);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-3;
    let shot = source(&r, "shot").damage_total();
    assert!(close(shot, 1600.0 * 1.05), "{shot}");
    let swing = source(&r, "swing").damage_total();
    assert!(close(swing, 100.0 + 0.5 * 1000.0 * 1.05), "{swing}");
    c.player.attack_power_percent = -101.0;
    let err = run_batch(&c, &mut first_ready(1), 1, 0, 1).unwrap_err();
    assert!(
        err.to_string().contains("player.attack_power_percent"),
        "{err}"
    );
}

#[test]
fn targets_take_more_damage_of_the_schools_their_debuffs_name() {
    // +5 % physical and +3 % to nature and holy, multiplied: a physical
    // hit ×1.05, a nature hit ×1.03, a fire hit unchanged; +10 % to all
    // schools on top.
    let spec = pack(json!({ "spells": [
        { "name": "slash", "cooldown_ms": 60000, "gcd": "none",
          "damage": { "base": 1000.0, "can_crit": false } },
        { "name": "zap", "cooldown_ms": 60000, "gcd": "none",
          "damage": { "base": 1000.0, "can_crit": false, "school": "nature" } },
        { "name": "burn", "cooldown_ms": 60000, "gcd": "none",
          "damage": { "base": 1000.0, "can_crit": false, "school": "fire" } }
    ]}));
    let mut c = config(spec, 10);
    c.target.damage_taken = serde_json::from_value(json!([
        { "name": "mystic_touch", "percent": 5.0, "schools": ["physical"] },
        { "name": "chaos_brand", "percent": 3.0, "schools": ["nature", "holy"] },
        { "name": "mark", "percent": 10.0 }
    ]))
    .unwrap();
    let r = run(&c, &mut first_ready(3), 1);
    let close = |name: &str, v: f64| (source(&r, name).damage_total() - v).abs() < 1e-3;
    assert!(close("slash", 1000.0 * 1.05 * 1.1));
    assert!(close("zap", 1000.0 * 1.03 * 1.1));
    assert!(close("burn", 1000.0 * 1.1));
}

#[test]
fn an_external_aura_arrives_at_its_time_and_the_rotation_does_not_see_it() {
    // Bloodlust at 3 s: +50 % haste for 6 s. GCDs of 1.5 s before it (casts
    // at 0 and 1.5 s), of 1 s while it lasts (3, 4, ..., 8 s), then 1.5 s
    // again (9, 10.5, 12, 13.5 s): 12 casts in 15 s.
    let spec = pack(json!({
        "spells": [{ "name": "s", "damage": { "base": 1.0, "school": "holy" } }],
        "auras": [{ "name": "own", "duration_ms": 1000 }]
    }));
    let mut c = config(spec, 15);
    c.fight.external_auras = serde_json::from_value(json!([
        { "at_ms": 3000, "aura": { "name": "bloodlust", "duration_ms": 6000, "haste_bonus": 0.5 } }
    ]))
    .unwrap();
    let mut seen = 0;
    let mut counting = |s: &[f64]| {
        seen = seen.max(s.len());
        first_ready(1)(s)
    };
    let r = run(&c, &mut counting, 1);
    assert_eq!(source(&r, "s").casts, 2 + 6 + 4);
    assert_eq!(seen, snapshot::len(1, 1), "the pack's one aura only");
    // Its name may not repeat one of the pack's.
    c.fight.external_auras[0].aura.name = "own".into();
    let err = run_batch(&c, &mut first_ready(1), 1, 0, 1).unwrap_err();
    assert!(err.to_string().contains("`own` is defined twice"), "{err}");
}

#[test]
fn an_aura_that_affects_some_spells_leaves_the_others_alone() {
    // "wrath" raises zap's damage by 50 % and its crit chance by 100 %;
    // bolt, cast while it is up, is untouched.
    let spec = pack(json!({
        "spells": [
            { "name": "wrath", "cooldown_ms": 60000, "apply_auras": ["wrath"] },
            { "name": "zap", "cooldown_ms": 60000, "damage": { "base": 1000.0, "school": "nature" } },
            { "name": "bolt", "cooldown_ms": 60000, "damage": { "base": 1000.0, "school": "nature" } }
        ],
        "auras": [{ "name": "wrath", "duration_ms": 20000, "damage_bonus": 0.5, "crit_bonus": 1.0,
                    "affects": ["zap"] }]
    }));
    let r = run(&config(spec, 10), &mut first_ready(3), 1);
    assert_eq!(source(&r, "zap").damage_total(), 1000.0 * 1.5 * 2.0);
    assert_eq!(source(&r, "bolt").damage_total(), 1000.0);
}

#[test]
fn an_aura_naming_an_unknown_damage_source_is_refused() {
    let spec = pack(json!({
        "spells": [{ "name": "zap", "cooldown_ms": 1000, "damage": { "base": 1.0 } }],
        "auras": [{ "name": "a", "duration_ms": 1000, "affects": ["zap", "zip"] }]
    }));
    let err = run_batch(&config(spec, 10), &mut first_ready(1), 1, 0, 1).unwrap_err();
    assert!(
        err.to_string().contains("spec.auras[0].affects[1]"),
        "{err}"
    );
    assert!(
        err.to_string().contains("unknown damage source `zip`"),
        "{err}"
    );
}

fn aoe_damage(spell: Value, targets: u32) -> (f64, u64) {
    let spec = pack(json!({ "spells": [spell] }));
    let mut c = config(spec, 10);
    c.fight.targets = targets;
    let r = run(&c, &mut first_ready(1), 1);
    let s = source(&r, "s");
    (s.damage_total(), s.hits)
}

#[test]
fn reduced_aoe_damage_scales_each_hit_past_the_limit() {
    let spell = json!({ "name": "s", "cooldown_ms": 60000, "max_targets": 20, "reduced_aoe_targets": 5,
                        "damage": { "base": 1000.0, "can_crit": false, "school": "nature" } });
    // Five targets or fewer: full damage each.
    assert_eq!(aoe_damage(spell.clone(), 5), (5000.0, 5));
    // Ten: each hit × sqrt(5 / 10).
    let (total, hits) = aoe_damage(spell, 10);
    assert_eq!(hits, 10);
    assert!(
        (total - 10.0 * 1000.0 * 0.5f64.sqrt()).abs() < 1e-3,
        "{total}"
    );
}

#[test]
fn a_cleave_hits_the_others_but_not_the_primary() {
    let spell = json!({ "name": "s", "cooldown_ms": 60000, "max_targets": 5, "exclude_primary": true,
                        "damage": { "base": 1000.0, "can_crit": false, "school": "nature" } });
    assert_eq!(aoe_damage(spell.clone(), 1), (0.0, 0));
    assert_eq!(aoe_damage(spell.clone(), 3), (2000.0, 2));
    // At most max_targets of the others.
    assert_eq!(aoe_damage(spell, 8), (5000.0, 5));
}

fn summon_pack(cooldown_ms: u32) -> SpecPack {
    pack(json!({
        "combat": { "base_crit": 0.0, "mastery": { "base_points": 10.0, "damage_per_point": 0.01, "applies_to": ["guardian"] } },
        "spells": [{ "name": "call", "cooldown_ms": cooldown_ms, "summon": "beast", "apply_auras": ["pet_only"] }],
        "auras": [{ "name": "pet_only", "on": "pet", "duration_ms": 60000, "damage_bonus": 1.0 }],
        "summons": [{ "name": "beast", "duration_ms": 8000,
                      "auto_attack": { "name": "beast_bite", "period_ms": 2000,
                                       "damage": { "base": 100.0, "can_crit": false } } }]
    }))
}

#[test]
fn a_summon_attacks_on_arrival_and_on_its_timer_until_it_leaves() {
    // Called at 0 and 10 s; each attacks at +0, +2, +4, +6 s (the next, at
    // +8 s, is when it leaves): 8 attacks of 100, × 1.1 from 10 points of
    // mastery that apply to guardians; the pet's aura does not.
    let r = run(&config(summon_pack(10000), 20), &mut first_ready(1), 1);
    let bite = source(&r, "beast_bite");
    assert_eq!(bite.hits, 8);
    assert!(
        (bite.damage_total() - 880.0).abs() < 1e-3,
        "{}",
        bite.damage_total()
    );
}

#[test]
fn several_summons_can_be_out_at_once() {
    // Called every 4 s: at 0, 4, 8, 12 s four attacks each, at 16 s two
    // before the fight ends at 20 s.
    let r = run(&config(summon_pack(4000), 20), &mut first_ready(1), 1);
    assert_eq!(source(&r, "beast_bite").hits, 18);
}

#[test]
fn summons_are_checked() {
    let mut spec = summon_pack(1000);
    spec.spells[0].summon = Some("wolf".into());
    let err = run_batch(&config(spec, 10), &mut first_ready(1), 1, 0, 1).unwrap_err();
    assert!(err.to_string().contains("spec.spells[0].summon"), "{err}");
    let mut spec = summon_pack(1000);
    spec.summons[0].source = wowlab_engine::spec::Source::Player;
    let err = run_batch(&config(spec, 10), &mut first_ready(1), 1, 0, 1).unwrap_err();
    assert!(err.to_string().contains("spec.summons[0].source"), "{err}");
}

#[test]
fn a_proc_can_shorten_a_cooldown() {
    // "big" has a 30 s cooldown; every cast of "filler" (1.5 s GCD) procs
    // and takes 3 s off it. After big at T, the k-th filler (at T + 1.5 k)
    // leaves T + 30 − 3 k: it is ready once 30 − 3 k ≤ 1.5 k, at the 7th
    // filler (T + 10.5 s), so big comes at 0, 12 and 24 s, and the other 17
    // of the fight's 20 GCDs are fillers.
    let spec = pack(json!({
        "spells": [
            { "name": "big", "cooldown_ms": 30000, "damage": { "base": 1.0 } },
            { "name": "filler", "damage": { "base": 1.0 } }
        ],
        "procs": [{ "name": "hasten", "on": "cast", "sources": ["filler"], "chance": 1.0,
                    "cooldown_reductions": [{ "spell": "big", "ms": 3000 }] }]
    }));
    let r = run(&config(spec, 30), &mut first_ready(2), 1);
    assert_eq!(source(&r, "big").casts, 3);
    assert_eq!(source(&r, "filler").casts, 17);
}

#[test]
fn a_proc_can_give_a_charge_of_a_spell() {
    // "shot" has 2 charges on a 20 s recharge; every cast of "wrath" (a
    // 10 s cooldown, first in priority) gives shot a charge. In 20 s: wrath
    // at 0 (shot is full: nothing) and 10 s; shot at 1.5 and 3 s (both
    // charges; the recharge would end at 21.5 s) and at 11.5 s (the charge
    // wrath gave): 3 shots, against 2 without the proc.
    let spec = |procs: Value| {
        pack(json!({
            "spells": [
                { "name": "wrath", "cooldown_ms": 10000, "damage": { "base": 1.0 } },
                { "name": "shot", "cooldown_ms": 20000, "charges": 2, "damage": { "base": 1.0 } }
            ],
            "procs": procs
        }))
    };
    let with = spec(
        json!([{ "name": "scent", "on": "cast", "sources": ["wrath"], "chance": 1.0,
                              "reset_cooldown": "shot" }]),
    );
    let r = run(&config(with, 20), &mut first_ready(2), 1);
    assert_eq!(source(&r, "shot").casts, 3);
    let r = run(&config(spec(json!([])), 20), &mut first_ready(2), 1);
    assert_eq!(source(&r, "shot").casts, 2);
}

/// "zap": 1,000 nature damage on a 10 s cooldown; "rot": a 12 s DoT of
/// 100 per 3 s tick on a 60 s cooldown; no crit. `extra` is merged in.
fn modified_pack(extra: Value) -> SpecPack {
    let mut spells = json!({ "spells": [
        { "name": "zap", "cooldown_ms": 10000,
          "damage": { "base": 1000.0, "school": "nature", "can_crit": false } },
        { "name": "rot", "cooldown_ms": 60000,
          "dot": { "duration_ms": 12000, "tick_ms": 3000,
                   "damage": { "base": 100.0, "school": "nature", "can_crit": false } } }
    ]});
    for (k, v) in extra.as_object().unwrap() {
        spells[k] = v.clone();
    }
    pack(spells)
}

/// zap's damage from its one cast in a 1 s fight, with `options` chosen.
fn zap_damage(spec: SpecPack, options: &[(&str, u32)]) -> Result<f64, EngineError> {
    let mut c = config(spec, 1);
    c.options = options.iter().map(|(n, r)| (n.to_string(), *r)).collect();
    let r = run_batch(&c, &mut first_ready(2), 42, 0, 1)?;
    Ok(source(&r, "zap").damage_total())
}

#[test]
fn pack_modifiers_always_apply_and_percent_modifiers_multiply() {
    // zap: +10 % and +20 % direct, 1,000 × 1.1 × 1.2 = 1,320 a cast, at 0,
    // 10, ..., 50 s. rot (cast at 1.5 s, after the GCD): +50 % periodic,
    // 150 a tick at 4.5, 7.5, 10.5 and 13.5 s.
    let spec = modified_pack(json!({ "modifiers": [
        { "property": "direct_damage_percent", "affects": ["zap"], "value": 10.0 },
        { "property": "direct_damage_percent", "affects": ["zap"], "value": 20.0 },
        { "property": "periodic_damage_percent", "affects": ["rot"], "value": 50.0,
          "origin": "a test" }
    ]}));
    let r = run(&config(spec, 60), &mut first_ready(2), 1);
    assert_eq!(source(&r, "zap").casts, 6);
    assert!((source(&r, "zap").damage_total() - 6.0 * 1320.0).abs() < 1e-6);
    assert_eq!(source(&r, "rot").ticks, 4);
    assert!((source(&r, "rot").damage_total() - 4.0 * 150.0).abs() < 1e-6);
}

#[test]
fn a_chosen_option_applies_its_modifiers_per_rank() {
    let spec = modified_pack(json!({ "options": [
        { "name": "sharpness", "talent": 12345, "max_rank": 2, "modifiers": [
            { "property": "direct_damage_percent", "affects": ["zap"], "value": 5.0 },
            { "property": "crit_chance", "affects": ["zap"], "value": 100.0 },
            { "property": "crit_damage_percent", "affects": ["zap"], "value": 25.0 }
        ]}
    ]}));
    // Not chosen: plain 1,000.
    assert_eq!(zap_damage(spec.clone(), &[]).unwrap(), 1000.0);
    // Rank 1 on damage that cannot crit: ×1.05 only.
    assert!((zap_damage(spec.clone(), &[("sharpness", 1)]).unwrap() - 1050.0).abs() < 1e-9);
    // With crits allowed, rank 2: ×1.10, always crits (200 points), and a
    // crit adds (2 − 1) × (1 + 0.5): 1,000 × 1.1 × 2.5 = 2,750.
    let mut critting = spec;
    critting.spells[0].damage.as_mut().unwrap().can_crit = true;
    assert!((zap_damage(critting, &[("sharpness", 2)]).unwrap() - 2750.0).abs() < 1e-9);
}

#[test]
fn an_option_adds_its_procs_and_changes_cooldowns_and_durations() {
    // "echo" adds a proc on zap's cast (50 damage) and takes 4 s off zap's
    // cooldown: in 20 s zap is cast at 0, 6, 12 and 18 s.
    let spec = modified_pack(json!({ "options": [
        { "name": "echo", "procs": [{ "name": "echo", "on": "cast", "sources": ["zap"],
            "chance": 1.0, "damage": { "base": 50.0, "can_crit": false, "school": "nature" } }],
          "modifiers": [{ "property": "cooldown_ms", "affects": ["zap"], "value": -4000.0 }] }
    ]}));
    let mut c = config(spec, 20);
    c.options.insert("echo".into(), 1);
    let r = run(&c, &mut first_ready(1), 1);
    // rot (index 1) is never cast: first_ready(1) only looks at zap.
    assert_eq!(source(&r, "zap").casts, 4);
    assert_eq!(source(&r, "echo").damage_total(), 200.0);
}

#[test]
fn options_change_the_character_primary_stat_and_attack_power_percents_multiply() {
    // 1000 attack power from agility and 600 from the weapon; +5 % and +3 %
    // primary stat (a passive and an option) raise the agility's share by
    // 1.05 × 1.03; +5 % attack power raises both shares.
    let spec = pack(json!({
        "spells": [{ "name": "shot", "cooldown_ms": 60000,
                     "damage": { "ap_coefficient": 1.0, "can_crit": false } }],
        "modifiers": [{ "property": "primary_stat_percent", "value": 5.0 }],
        "options": [{ "name": "experience", "modifiers": [
            { "property": "primary_stat_percent", "value": 3.0 },
            { "property": "attack_power_percent", "value": 5.0 }] }]
    }));
    let mut c = config(spec, 10);
    c.player.attack_power = 1000.0;
    c.player.weapon_attack_power = 600.0;
    c.options.insert("experience".into(), 1);
    let r = run(&c, &mut first_ready(1), 1);
    let expected = (1000.0 * 1.05 * 1.03 + 600.0) * 1.05;
    let shot = source(&r, "shot").damage_total();
    assert!((shot - expected).abs() < 1e-3, "{shot} against {expected}");
}

#[test]
fn options_raise_crit_haste_and_regeneration() {
    // Crit: 50 points per rank at rank 2, from 0 %: every hit crits.
    // Haste: +20 % (the pack) and 2 × 12.5 % (the option at rank 2)
    // multiply to 1.5: a 1.5 s GCD of 1 s, 60 casts in 60 s.
    let spec = pack(json!({
        "spells": [{ "name": "s", "damage": { "base": 1.0, "school": "holy" } }],
        "modifiers": [{ "property": "haste_percent", "value": 20.0 }],
        "options": [{ "name": "keen", "max_rank": 2, "modifiers": [
            { "property": "crit_percent", "value": 50.0 },
            { "property": "haste_percent", "value": 12.5 }] }]
    }));
    let mut c = config(spec, 60);
    c.options.insert("keen".into(), 2);
    let r = run(&c, &mut first_ready(1), 1);
    let s = source(&r, "s");
    assert_eq!((s.casts, s.crits), (60, 60));
    // Regeneration: 10 mana/s + 50 % = 15/s, a 30-mana spell every 2 s.
    let regen = pack(json!({
        "resource": { "name": "mana", "max": 100.0, "start": 0.0, "regen_per_second": 10.0 },
        "spells": [{ "name": "s", "cost": 30.0, "gcd": { "fixed": 100 }, "damage": { "base": 1.0 } }],
        "modifiers": [{ "property": "resource_regen_percent", "value": 50.0 }]
    }));
    let r = run(&config(regen, 61), &mut first_ready(1), 1);
    assert_eq!(source(&r, "s").casts, 30);
}

#[test]
fn a_character_modifier_names_no_parts_and_a_part_modifier_names_some() {
    let field = |extra: Value| {
        let c = config(modified_pack(extra), 1);
        match run_batch(&c, &mut first_ready(2), 1, 0, 1).unwrap_err() {
            EngineError::Config(e) => format!("{}: {}", e.field, e.message),
            other => panic!("expected a config error, got {other}"),
        }
    };
    let named = field(json!({ "modifiers": [
        { "property": "crit_percent", "affects": ["zap"], "value": 5.0 }] }));
    assert!(
        named.starts_with("spec.modifiers[0].affects:") && named.contains("names no parts"),
        "{named}"
    );
    let unnamed = field(json!({ "modifiers": [
        { "property": "direct_damage_percent", "value": 5.0 }] }));
    assert!(
        unnamed.starts_with("spec.modifiers[0].affects:") && unnamed.contains("nothing"),
        "{unnamed}"
    );
}

#[test]
fn bad_options_and_modifiers_name_the_field() {
    let spec = modified_pack(json!({ "options": [{ "name": "echo", "modifiers": [
        { "property": "cost", "affects": ["nothing"], "value": 5.0 }] }] }));
    let field = |r: Result<f64, EngineError>| match r.unwrap_err() {
        EngineError::Config(e) => format!("{}: {}", e.field, e.message),
        other => panic!("expected a config error, got {other}"),
    };
    let unknown = field(zap_damage(spec.clone(), &[("missing", 1)]));
    assert!(unknown.starts_with("options.missing:"), "{unknown}");
    let rank = field(zap_damage(spec.clone(), &[("echo", 2)]));
    assert!(rank.contains("rank must be 1 to 1"), "{rank}");
    let target = field(zap_damage(spec, &[("echo", 1)]));
    assert!(
        target.starts_with("spec.options[0].modifiers[0].affects[0]:")
            && target.contains("`nothing`"),
        "{target}"
    );
}

fn proc_pack(rate: Value) -> SpecPack {
    let mut proc_def =
        json!({ "name": "zap", "on": "hit", "damage": { "base": 1.0, "can_crit": false } });
    for (k, v) in rate.as_object().unwrap() {
        proc_def[k] = v.clone();
    }
    pack(json!({
        "auto_attack": { "name": "melee", "period_ms": 1000, "damage": { "base": 1.0 } },
        "procs": [proc_def],
        "player": { "crit_percent": 20.0 },
    }))
}

#[test]
fn rppm_converges_to_its_rate() {
    let r = run(
        &config(proc_pack(json!({ "rppm": 6.0 })), 600),
        &mut first_ready(0),
        100,
    );
    let per_minute = source(&r, "zap").hits as f64 / 100.0 / 10.0;
    assert!(
        (per_minute - 6.0).abs() < 0.15,
        "{per_minute} procs per minute"
    );
}

#[test]
fn fixed_chance_and_crit_converge_to_their_rates() {
    let r = run(
        &config(proc_pack(json!({ "chance": 0.3 })), 600),
        &mut first_ready(0),
        50,
    );
    let melee = source(&r, "melee");
    let rate = source(&r, "zap").hits as f64 / melee.hits as f64;
    assert!((rate - 0.3).abs() < 0.01, "proc rate {rate}");
    assert!(
        (melee.crit_rate() - 0.20).abs() < 0.01,
        "crit rate {}",
        melee.crit_rate()
    );
}

#[test]
fn frenzy_stacks_speed_up_the_pet() {
    let spec = |speed: f64| {
        pack(json!({
            "pets": [{ "name": "pet", "auto_attack": { "name": "claw", "period_ms": 2000, "damage": { "base": 1.0 } } }],
            "auras": [{ "name": "frenzy", "on": "pet", "duration_ms": 100000, "max_stacks": 3, "attack_speed_bonus": speed }],
            "spells": [{ "name": "s", "cooldown_ms": 100000, "apply_auras": ["frenzy"] }]
        }))
    };
    let slow = source(
        &run(&config(spec(0.0), 100), &mut first_ready(1), 1),
        "claw",
    )
    .hits;
    let fast = source(
        &run(&config(spec(1.0), 100), &mut first_ready(1), 1),
        "claw",
    )
    .hits;
    assert_eq!(slow, 50);
    // The first swing (at 0 s, before Frenzy) schedules the next at 2 s; from
    // then on +100 % attack speed halves the swing time: 0, 2, 3, ..., 99 s.
    assert_eq!(fast, 99);
}

#[test]
fn the_same_seed_gives_identical_results_and_chunking_does_not_matter() {
    let c = config(proc_pack(json!({ "rppm": 3.0 })), 120);
    let whole = run_batch(&c, &mut first_ready(0), 9, 0, 2_000).unwrap();
    assert_eq!(
        whole,
        run_batch(&c, &mut first_ready(0), 9, 0, 2_000).unwrap()
    );
    let mut merged = BatchResult::default();
    for k in (0..10).rev() {
        merged.merge(&run_batch(&c, &mut first_ready(0), 9, k * 200, 200).unwrap());
    }
    assert_eq!(merged, whole);
    let other_seed = run_batch(&c, &mut first_ready(0), 10, 0, 2_000).unwrap();
    assert_ne!(other_seed.dps, whole.dps);
}

#[test]
fn vary_length_varies_fight_length_within_bounds() {
    let mut c = config(proc_pack(json!({ "chance": 0.1 })), 100);
    c.fight.vary_length = 0.2;
    let r = run(&c, &mut first_ready(0), 500);
    assert!(r.fight_length.min >= 80.0 && r.fight_length.max <= 120.0);
    assert!(r.fight_length.max - r.fight_length.min > 30.0);
}

#[test]
fn config_errors_name_the_field() {
    let spec = pack(json!({ "spells": [{ "name": "s", "apply_auras": ["nope"] }] }));
    let err = run_batch(&config(spec, 10), &mut first_ready(1), 1, 0, 1).unwrap_err();
    match err {
        EngineError::Config(e) => {
            assert_eq!(e.field, "spec.spells[0].apply_auras[0]");
            assert!(e.message.contains("`nope`"));
        }
        other => panic!("expected a config error, got {other}"),
    }
    let bad_json = SimConfig::from_json(r#"{"spec": 5}"#).unwrap_err();
    assert!(bad_json.to_string().contains("line 1"), "{bad_json}");
}

#[test]
fn a_rotation_casting_an_unknown_spell_index_fails_the_batch() {
    let spec = pack(json!({ "spells": [{ "name": "s" }] }));
    let mut bad = |_: &[f64]| Ok(Action::Cast(7));
    let err = run_batch(&config(spec, 10), &mut bad, 1, 0, 1).unwrap_err();
    assert!(err.to_string().contains("spell index 7"), "{err}");
}

#[test]
fn a_mastery_bonus_for_named_spells_raises_their_direct_and_periodic_damage() {
    // 10 base points + 460 rating / 46 = 20 points: the pet gets 1.9 % per
    // point (× 1.38), the named spell 1 % per point (× 1.2) on its hit and its
    // ticks; the other player spell nothing.
    let spec = pack(json!({
        "combat": { "base_crit": 0.0,
                    "rating_per_percent": { "mastery": 46.0 },
                    "mastery": { "base_points": 10.0, "damage_per_point": 0.019, "applies_to": ["pet"],
                                 "spells": [{ "damage_per_point": 0.01, "affects": ["barb"] }] } },
        "player": { "mastery_rating": 460.0 },
        "pets": [{ "name": "pet", "auto_attack": { "name": "claw", "period_ms": 60000,
                                                  "damage": { "base": 100.0, "can_crit": false } } }],
        "spells": [
            { "name": "barb", "cooldown_ms": 60000, "damage": { "base": 100.0, "can_crit": false },
              "dot": { "duration_ms": 4000, "tick_ms": 2000, "damage": { "base": 10.0, "can_crit": false } } },
            { "name": "plain", "cooldown_ms": 60000, "damage": { "base": 100.0, "can_crit": false } }
        ]
    }));
    let r = run(&config(spec, 10), &mut first_ready(2), 1);
    let close = |name: &str, expected: f64| {
        let got = source(&r, name).damage_total();
        assert!((got - expected).abs() < 1e-9, "{name}: {got} != {expected}");
    };
    close("barb", (100.0 + 2.0 * 10.0) * 1.2);
    close("plain", 100.0);
    close("claw", 138.0);
}

#[test]
fn a_mastery_bonus_for_an_unknown_source_names_the_field() {
    let spec = pack(json!({
        "combat": { "mastery": { "spells": [{ "damage_per_point": 0.01, "affects": ["nope"] }] } },
    }));
    let err = run_batch(&config(spec, 10), &mut first_ready(0), 1, 0, 1).unwrap_err();
    assert!(
        err.to_string()
            .contains("spec.combat.mastery.spells[0].affects[0]"),
        "{err}"
    );
}

/// A pack whose only spell gives 5 resource every 2 s for 8 s after each
/// cast, on a cooldown of `cooldown_ms`, and a 40-cost spell to spend it.
fn energize_pack(cooldown_ms: u32) -> SpecPack {
    pack(json!({
        "resource": { "name": "focus", "max": 100.0, "start": 0.0 },
        "spells": [
            { "name": "spend", "cost": 40.0, "gcd": "none", "cooldown_ms": 1,
              "damage": { "base": 1.0, "can_crit": false, "school": "nature" } },
            { "name": "barb", "gcd": "none", "cooldown_ms": cooldown_ms,
              "energize": { "amount": 5.0, "tick_ms": 2000, "ticks": 4 } }
        ]
    }))
}

#[test]
fn energize_ticks_after_the_cast_and_several_run_at_once() {
    // A cast every 4 s (0, 4, … 36 s: ten) gives 5 at +2, +4, +6, +8 s;
    // from 6 s on two casts' ticks run at once. Before the end at 40 s the
    // casts up to 28 s tick 4 times (8 × 4), the one at 32 s 3 times, the
    // one at 36 s once: 36 ticks, 180 focus, four casts of 40.
    let r = run(&config(energize_pack(4000), 40), &mut first_ready(2), 1);
    assert_eq!(source(&r, "barb").casts, 10);
    assert_eq!(source(&r, "spend").casts, 4);
}

#[test]
fn a_rotation_waiting_for_resource_wakes_on_an_energize_tick() {
    // One cast at 0 s; 5 focus at 2, 4, 6, 8 s: 20 in all. A 20-cost spell
    // is cast when the last tick lands, at 8 s, though there is no regen.
    let spec = pack(json!({
        "resource": { "name": "focus", "max": 100.0, "start": 0.0 },
        "spells": [
            { "name": "spend", "cost": 20.0, "cooldown_ms": 60000,
              "damage": { "base": 1.0, "can_crit": false, "school": "nature" } },
            { "name": "barb", "gcd": "none", "cooldown_ms": 60000,
              "energize": { "amount": 5.0, "tick_ms": 2000, "ticks": 4 } }
        ]
    }));
    let mut cast_at = Vec::new();
    let mut rotation = |s: &[f64]| -> Result<Action, String> {
        if s[snapshot::spell(1, snapshot::SPELL_CASTABLE)] > 0.0 {
            return Ok(Action::Cast(1));
        }
        if s[snapshot::spell(0, snapshot::SPELL_CASTABLE)] > 0.0 {
            cast_at.push(s[snapshot::TIME]);
            return Ok(Action::Cast(0));
        }
        Ok(Action::Wait(0))
    };
    let r = run(&config(spec, 20), &mut rotation, 1);
    assert_eq!(source(&r, "spend").casts, 1);
    assert_eq!(cast_at, [8.0]);
}

#[test]
fn an_attack_speed_option_shortens_the_swing() {
    let mut spec = pack(json!({
        "pets": [{ "name": "pet", "auto_attack": { "name": "claw", "period_ms": 2000,
                                                  "damage": { "base": 100.0, "can_crit": false } } }],
        "options": [{ "name": "frenzy", "max_rank": 2, "modifiers": [
            { "property": "attack_speed_percent", "affects": ["claw"], "value": 25.0 } ] }]
    }));
    // Rank 2: +50 % attack speed, a swing every 2000 / 1.5 = 1333 ms: at
    // 0, 1.333, … 15 × 1.333 = 19.995 s, 16 swings in 20 s; without it, 10.
    let mut c = config(spec.clone(), 20);
    c.options.insert("frenzy".into(), 2);
    let r = run(&c, &mut first_ready(0), 1);
    assert_eq!(source(&r, "claw").hits, 16);
    spec.options.clear();
    let r = run(&config(spec, 20), &mut first_ready(0), 1);
    assert_eq!(source(&r, "claw").hits, 10);
}

#[test]
fn a_pet_ability_keeps_its_cooldown_whatever_the_haste() {
    // 50 % haste: the melee swings every 2 / 1.5 s (at 0, 1.333, … 19.995 s:
    // 16 in 20 s); the claw every 3 s whatever the haste (0, 3, … 18 s: 7).
    let spec = pack(json!({
        "player": { "haste_percent": 50.0 },
        "pets": [{ "name": "pet",
                 "auto_attack": { "name": "melee", "period_ms": 2000,
                                  "damage": { "base": 10.0, "can_crit": false } },
                 "abilities": [{ "name": "claw", "period_ms": 3000, "hasted": false,
                                 "damage": { "base": 100.0, "can_crit": false } }] }]
    }));
    let r = run(&config(spec, 20), &mut first_ready(0), 1);
    assert_eq!(source(&r, "melee").hits, 16);
    assert_eq!(source(&r, "claw").hits, 7);
    assert_eq!(source(&r, "claw").damage_total(), 700.0);
}

/// One pet, "shot" (10 s cooldown) and a triggered "stomp" of 100 that
/// each pet deals when a proc on shot's casts casts it; the option
/// "companion" brings a second pet.
fn stomp_pack(stomp: Value) -> SpecPack {
    let pet = |name: &str| {
        json!({ "name": name, "auto_attack": { "name": format!("{name}_melee"), "period_ms": 100000,
                                               "damage": { "base": 0.0, "can_crit": false } } })
    };
    pack(json!({
        "pets": [pet("pet")],
        "spells": [{ "name": "shot", "cooldown_ms": 10000, "damage": { "base": 1.0, "can_crit": false } }],
        "triggered": [stomp],
        "procs": [{ "name": "stomping", "on": "cast", "sources": ["shot"], "chance": 1.0, "cast": "stomp" }],
        "options": [{ "name": "companion", "pets": [pet("companion")] }]
    }))
}

#[test]
fn a_proc_casts_a_triggered_spell_that_every_pet_deals() {
    let stomp =
        json!({ "name": "stomp", "source": "pet", "damage": { "base": 100.0, "can_crit": false } });
    // Shot at 0 and 10 s: two stomps of the one pet, unseen by the
    // rotation (its snapshot has one spell).
    let mut seen = 0;
    let mut rotation = |s: &[f64]| {
        seen = s.len();
        first_ready(1)(s)
    };
    let r = run(&config(stomp_pack(stomp.clone()), 20), &mut rotation, 1);
    assert_eq!(seen, snapshot::len(1, 0));
    let s = source(&r, "stomp");
    assert_eq!((s.casts, s.hits, s.damage_total()), (2, 2, 200.0));
    // With the companion each stomp is two hits.
    let mut c = config(stomp_pack(stomp), 20);
    c.options.insert("companion".into(), 1);
    let s = source(&run(&c, &mut first_ready(1), 1), "stomp").clone();
    assert_eq!((s.casts, s.hits, s.damage_total()), (2, 4, 400.0));
}

#[test]
fn a_triggered_dot_of_the_pets_deals_each_pet_s_share() {
    // A 4 s bleed of 10 per 1 s tick, from shot's cast at 0 s only (the
    // fight is 5 s): ticks at 1, 2, 3, 4 s; with two pets each tick is 20.
    let bleed = json!({ "name": "stomp", "source": "pet",
                        "dot": { "duration_ms": 4000, "tick_ms": 1000, "damage": { "base": 10.0, "can_crit": false } } });
    let mut c = config(stomp_pack(bleed), 5);
    let one = source(&run(&c, &mut first_ready(1), 1), "stomp").clone();
    assert_eq!((one.ticks, one.damage_total()), (4, 40.0));
    c.options.insert("companion".into(), 1);
    let two = source(&run(&c, &mut first_ready(1), 1), "stomp").clone();
    assert_eq!((two.ticks, two.damage_total()), (4, 80.0));
}

#[test]
fn triggered_spells_are_checked() {
    let stomp = json!({ "name": "stomp", "source": "pet", "damage": { "base": 1.0 } });
    // A stomp whose cast casts it again.
    let mut spec = stomp_pack(stomp.clone());
    spec.procs[0].sources = vec!["stomp".into()];
    let err = run_batch(&config(spec, 10), &mut first_ready(1), 1, 0, 1).unwrap_err();
    assert!(err.to_string().contains("spec.triggered[0]"), "{err}");
    assert!(err.to_string().contains("loop"), "{err}");
    // A proc may cast only triggered spells.
    let mut spec = stomp_pack(stomp.clone());
    spec.procs[0].cast = Some("shot".into());
    let err = run_batch(&config(spec, 10), &mut first_ready(1), 1, 0, 1).unwrap_err();
    assert!(err.to_string().contains("spec.procs[0].cast"), "{err}");
    // A pet's spell needs a pet.
    let mut spec = stomp_pack(stomp);
    spec.pets.clear();
    let err = run_batch(&config(spec, 10), &mut first_ready(1), 1, 0, 1).unwrap_err();
    assert!(
        err.to_string().contains("spec.triggered[0].source"),
        "{err}"
    );
}

#[test]
fn a_tick_time_aura_makes_a_dot_tick_faster_while_it_is_up() {
    // A 12 s bleed of 100 per 2 s tick at 0 s, then a 4 s aura halving its
    // tick time. The tick due at 2 s keeps its time; the next come at 3 and
    // 4 s; the aura ends at 4 s, so then 6, 8, 10 and 12 s: 7 whole ticks,
    // against 6 without the aura.
    let spec = |bonus: f64| {
        pack(json!({
            "spells": [
                { "name": "bleed", "gcd": "none", "cooldown_ms": 60000,
                  "dot": { "duration_ms": 12000, "tick_ms": 2000, "damage": { "base": 100.0, "can_crit": false } } },
                { "name": "frenzy", "gcd": "none", "cooldown_ms": 60000, "apply_auras": ["quick"] }
            ],
            "auras": [{ "name": "quick", "duration_ms": 4000, "tick_time_bonus": bonus, "affects": ["bleed"] }]
        }))
    };
    let fast = source(
        &run(&config(spec(-0.5), 20), &mut first_ready(2), 1),
        "bleed",
    )
    .clone();
    assert_eq!((fast.ticks, fast.damage_total()), (7, 700.0));
    let slow = source(
        &run(&config(spec(0.0), 20), &mut first_ready(2), 1),
        "bleed",
    )
    .clone();
    assert_eq!((slow.ticks, slow.damage_total()), (6, 600.0));
    let err = run_batch(&config(spec(-1.0), 20), &mut first_ready(2), 1, 0, 1).unwrap_err();
    assert!(
        err.to_string().contains("spec.auras[0].tick_time_bonus"),
        "{err}"
    );
}

#[test]
fn resource_from_a_proc_wakes_a_waiting_rotation() {
    // 1 focus a second from 0, a 30-focus spell, and an auto-attack every
    // 5 s whose hits give 20: at 0 s there are 20 (the regeneration alone
    // would reach 30 at 10 s); the hit at 5 s brings 45, and the spell is
    // cast then.
    let spec = pack(json!({
        "resource": { "name": "focus", "max": 100.0, "start": 0.0, "regen_per_second": 1.0 },
        "auto_attack": { "name": "auto", "period_ms": 5000, "damage": { "base": 1.0, "can_crit": false } },
        "spells": [{ "name": "spend", "cost": 30.0, "cooldown_ms": 60000, "damage": { "base": 1.0 } }],
        "procs": [{ "name": "barbs", "on": "hit", "sources": ["auto"], "chance": 1.0, "gain": 20.0 }]
    }));
    let mut cast_at = Vec::new();
    let mut rotation = |s: &[f64]| {
        let a = first_ready(1)(s)?;
        if a == Action::Cast(0) {
            cast_at.push(s[snapshot::TIME]);
        }
        Ok(a)
    };
    run(&config(spec, 20), &mut rotation, 1);
    assert_eq!(cast_at, [5.0]);
}

#[test]
fn an_option_lengthens_a_summon_s_stay() {
    // The beast of summon_pack stays 8 s (four attacks); +2 s: five.
    let mut spec = summon_pack(60000);
    spec.options = serde_json::from_value(json!([{ "name": "dire_frenzy", "modifiers": [
        { "property": "duration_ms", "affects": ["beast"], "value": 2000.0 } ] }]))
    .unwrap();
    let mut c = config(spec, 20);
    assert_eq!(
        source(&run(&c, &mut first_ready(1), 1), "beast_bite").hits,
        4
    );
    c.options.insert("dire_frenzy".into(), 1);
    assert_eq!(
        source(&run(&c, &mut first_ready(1), 1), "beast_bite").hits,
        5
    );
}

/// Two ready auras of 10 s given in turn by a 5 s cycle; "use" consumes
/// them, and their consumption deals 100 (a) or 10 (b); `extra` is merged.
fn cycle_pack(extra: Value) -> SpecPack {
    let mut p = json!({
        "spells": [
            { "name": "use", "gcd": "none", "cooldown_ms": 1000, "consumes": ["a_ready", "b_ready"] },
            { "name": "tick", "gcd": "none", "cooldown_ms": 1000 }
        ],
        "auras": [{ "name": "a_ready", "duration_ms": 10000 }, { "name": "b_ready", "duration_ms": 10000 }],
        "cycles": [{ "name": "howl", "period_ms": 5000, "steps": ["a_ready", "b_ready"] }],
        "procs": [
            { "name": "a_hit", "on": "consume", "sources": ["a_ready"], "chance": 1.0,
              "damage": { "base": 100.0, "can_crit": false } },
            { "name": "b_hit", "on": "consume", "sources": ["b_ready"], "chance": 1.0,
              "damage": { "base": 10.0, "can_crit": false } }
        ]
    });
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    pack(p)
}

/// Casts "use" whenever a ready aura is up (else waits 100 ms), or "tick"
/// whenever it can when `tick`; records when each ready aura is first seen.
fn cycle_rotation(
    tick: bool,
    seen: &mut Vec<(f64, usize)>,
) -> impl FnMut(&[f64]) -> Result<Action, String> + '_ {
    move |s: &[f64]| {
        let up = |a: usize| s[snapshot::aura(2, a, snapshot::AURA_STACKS)] > 0.0;
        for a in 0..2 {
            if up(a) && !seen.iter().any(|&(_, b)| b == a) {
                seen.push((s[snapshot::TIME], a));
            }
        }
        Ok(if tick {
            if s[snapshot::spell(1, snapshot::SPELL_CASTABLE)] > 0.0 {
                Action::Cast(1)
            } else {
                Action::Wait(100)
            }
        } else if up(0) || up(1) {
            Action::Cast(0)
        } else {
            Action::Wait(100)
        })
    }
}

#[test]
fn a_cycle_gives_its_steps_in_turn_and_restarts_when_one_is_consumed() {
    // a at 5 s, consumed at once; the period restarts: b at 10 s, a at 15 s;
    // the fight ends at 20 s.
    let mut seen = Vec::new();
    let r = run(
        &config(cycle_pack(json!({})), 20),
        &mut cycle_rotation(false, &mut seen),
        1,
    );
    assert_eq!(seen, [(5.0, 0), (10.0, 1)]);
    assert_eq!(source(&r, "use").casts, 3);
    assert_eq!(source(&r, "a_hit").damage_total(), 200.0);
    assert_eq!(source(&r, "b_hit").damage_total(), 10.0);
    // Not consumed, a step lasts its 10 s before the period runs again:
    // a at 5 s, b at 20 s.
    let mut seen = Vec::new();
    let mut idle = |s: &[f64]| {
        let r = cycle_rotation(true, &mut seen)(s);
        r.map(|_| Action::Wait(100))
    };
    run(&config(cycle_pack(json!({})), 25), &mut idle, 1);
    assert_eq!(seen, [(5.0, 0), (20.0, 1)]);
}

#[test]
fn procs_shorten_a_cycle_s_period_and_give_its_next_step() {
    // "tick" at 0, 1 and 2 s takes 1 s off the running period each time:
    // a comes at 2 s, not 5 s.
    let shorten = json!({ "name": "summons", "on": "cast", "sources": ["tick"], "chance": 1.0,
                          "cycle_reductions": [{ "cycle": "howl", "ms": 1000 }] });
    let mut procs = cycle_pack(json!({})).procs;
    procs.push(serde_json::from_value(shorten).unwrap());
    let mut spec = cycle_pack(json!({}));
    spec.procs = procs;
    let mut seen = Vec::new();
    run(&config(spec, 4), &mut cycle_rotation(true, &mut seen), 1);
    assert_eq!(seen[0], (2.0, 0));
    // "tick" giving the next step: a at 0 s (and its period runs on).
    let mut spec = cycle_pack(json!({}));
    spec.procs = vec![
        serde_json::from_value(
            json!({ "name": "stampede", "on": "cast", "sources": ["tick"],
                                       "chance": 1.0, "advance_cycle": "howl" }),
        )
        .unwrap(),
    ];
    spec.spells[1].cooldown_ms = 60000;
    let mut seen = Vec::new();
    run(&config(spec, 7), &mut cycle_rotation(true, &mut seen), 1);
    assert_eq!(seen, [(0.0, 0), (5.0, 1)]);
}

#[test]
fn cycles_and_consumption_are_checked() {
    let bad = |extra: Value| {
        let err =
            run_batch(&config(cycle_pack(extra), 10), &mut first_ready(0), 1, 0, 1).unwrap_err();
        err.to_string()
    };
    let e = bad(json!({ "cycles": [{ "name": "howl", "period_ms": 0, "steps": ["a_ready"] }] }));
    assert!(e.contains("spec.cycles[0].period_ms"), "{e}");
    let e = bad(
        json!({ "cycles": [{ "name": "howl", "period_ms": 10, "steps": ["a_ready", "a_ready"] }] }),
    );
    assert!(e.contains("spec.cycles[0].steps[1]"), "{e}");
    let e = bad(
        json!({ "auras": [{ "name": "a_ready", "on": "target", "duration_ms": 10000 },
                                  { "name": "b_ready", "duration_ms": 10000 }] }),
    );
    assert!(e.contains("spec.cycles[0].steps[0]"), "{e}");
    assert!(e.contains("target"), "{e}");
}

#[test]
fn a_spell_may_hit_several_times_and_a_proc_call_several_summons() {
    // "herd" hits 3 times (each its own hit): 300 a cast; "call" brings two
    // beasts at once, each attacking at 0, 2, 4 and 6 s.
    let mut spec = summon_pack(60000);
    spec.spells[0].summon = None;
    spec.spells.push(
        serde_json::from_value(json!({ "name": "herd", "cooldown_ms": 60000, "hits": 3,
                                       "damage": { "base": 100.0, "can_crit": false } }))
        .unwrap(),
    );
    spec.procs = vec![
        serde_json::from_value(json!({ "name": "pack", "on": "cast", "sources": ["call"],
                                       "chance": 1.0, "summon": "beast", "summon_count": 2 }))
        .unwrap(),
    ];
    let r = run(&config(spec, 20), &mut first_ready(2), 1);
    let herd = source(&r, "herd");
    assert_eq!((herd.casts, herd.hits, herd.damage_total()), (1, 3, 300.0));
    assert_eq!(source(&r, "beast_bite").hits, 8);
}

#[test]
fn an_aura_without_a_duration_lasts_until_consumed() {
    // "ready" at 0 s lasts until "spend" consumes it at 50 s (its
    // consumption deals 100); till then the rotation sees it up with the
    // fight's remaining time left.
    let spec = pack(json!({
        "spells": [
            { "name": "ready", "gcd": "none", "cooldown_ms": 600000, "apply_auras": ["incoming"] },
            { "name": "spend", "gcd": "none", "cooldown_ms": 600000, "consumes": ["incoming"] }
        ],
        "auras": [{ "name": "incoming", "duration_ms": 0 }],
        "procs": [{ "name": "herd", "on": "consume", "sources": ["incoming"], "chance": 1.0,
                    "damage": { "base": 100.0, "can_crit": false } }]
    }));
    let mut seen = Vec::new();
    let mut rotation = |s: &[f64]| {
        let t = s[snapshot::TIME];
        let remains = s[snapshot::aura(2, 0, snapshot::AURA_REMAINS)];
        seen.push((t, remains));
        Ok(
            if t == 0.0 && s[snapshot::spell(0, snapshot::SPELL_CASTABLE)] > 0.0 {
                Action::Cast(0)
            } else if t >= 50.0 && s[snapshot::spell(1, snapshot::SPELL_CASTABLE)] > 0.0 {
                Action::Cast(1)
            } else {
                Action::Wait(10_000)
            },
        )
    };
    let r = run(&config(spec, 100), &mut rotation, 1);
    assert_eq!(source(&r, "herd").damage_total(), 100.0);
    assert!(seen.contains(&(40.0, 60.0)), "{seen:?}");
    assert!(
        seen.iter().any(|&(t, left)| t > 50.0 && left == 0.0),
        "{seen:?}"
    );
}

#[test]
fn a_spell_s_fractional_charges_and_full_recharge() {
    // Three charges of a 10 s recharge, spent at 0, 1 and 2 s (the
    // recharge starts with the first cast, at 0 s).
    let spec = pack(json!({ "spells": [
        { "name": "shot", "gcd": "none", "cooldown_ms": 10000, "charges": 3 }
    ]}));
    let mut seen: Vec<(f64, f64, f64)> = Vec::new();
    let mut rotation = |s: &[f64]| {
        let t = s[snapshot::TIME];
        let read = |f| s[snapshot::spell(0, f)];
        let casts = seen.iter().filter(|&&(at, ..)| at == t).count();
        seen.push((
            t,
            read(snapshot::SPELL_CHARGES_FRACTIONAL),
            read(snapshot::SPELL_FULL_RECHARGE),
        ));
        Ok(if t <= 2.0 && casts == 0 {
            Action::Cast(0)
        } else {
            Action::Wait(1000)
        })
    };
    run(&config(spec, 5), &mut rotation, 1);
    let at = |time: f64| {
        let &(_, charges, full) = seen.iter().find(|&&(t, ..)| t == time).unwrap();
        ((charges * 1e6).round() / 1e6, (full * 1e6).round() / 1e6)
    };
    assert_eq!(at(0.0), (3.0, 0.0), "{seen:?}");
    // Two charges and a tenth of the third; 9 s to the last.
    assert_eq!(at(1.0), (2.1, 9.0), "{seen:?}");
    assert_eq!(at(2.0), (1.2, 18.0), "{seen:?}");
    // None left: 40 % of the first back, 6 s to it and 20 s to the others.
    assert_eq!(at(4.0), (0.4, 26.0), "{seen:?}");
}

#[test]
fn an_aura_nothing_can_bring_is_unreachable() {
    // "given" comes from a spell; "talent" from nothing in this fight (the
    // part that would bring it is not chosen).
    let spec = pack(json!({
        "spells": [{ "name": "give", "cooldown_ms": 60000, "apply_auras": ["given"] }],
        "auras": [{ "name": "given", "duration_ms": 5000 }, { "name": "talent", "duration_ms": 5000 }]
    }));
    let mut seen = None;
    let mut rotation = |s: &[f64]| {
        let reachable = |a| s[snapshot::aura(1, a, snapshot::AURA_REACHABLE)];
        seen = Some((reachable(0), reachable(1)));
        Ok(Action::Wait(60_000))
    };
    run(&config(spec, 10), &mut rotation, 1);
    assert_eq!(seen, Some((1.0, 0.0)));
}

#[test]
fn a_summon_that_joins_the_pets_deals_their_spells_while_it_stays() {
    // One pet. "call" at 1 s brings "ally" for 10 s (procs that summon go
    // before the others on the same cast: the bite "call" triggers is the
    // ally's too). "bite" (a pet's, 100) at 0, 2 and 12 s: 100, 200, 100,
    // and the one "call" casts at 1 s: 200. "bleed" (a pet's DoT, 10 a
    // tick for 4 s) at 3 s ticks 4 times for 20, at 13 s 4 times for 10.
    let spec = pack(json!({
        "pets": [{ "name": "pet", "auto_attack": { "name": "claw", "period_ms": 60000,
                                                  "damage": { "base": 0.0, "can_crit": false } } }],
        "spells": [
            { "name": "bite", "source": "pet", "gcd": "none", "cooldown_ms": 1,
              "damage": { "base": 100.0, "can_crit": false } },
            { "name": "call", "gcd": "none", "cooldown_ms": 60000 },
            { "name": "bleed", "source": "pet", "gcd": "none", "cooldown_ms": 1,
              "dot": { "duration_ms": 4000, "tick_ms": 1000, "damage": { "base": 10.0, "can_crit": false } } }
        ],
        "triggered": [{ "name": "called_bite", "source": "pet",
                        "damage": { "base": 100.0, "can_crit": false } }],
        "procs": [
            { "name": "bite_on_call", "on": "cast", "sources": ["call"], "chance": 1.0, "cast": "called_bite" },
            { "name": "ally_on_call", "on": "cast", "sources": ["call"], "chance": 1.0, "summon": "ally" }
        ],
        "summons": [{ "name": "ally", "duration_ms": 10000, "source": "pet", "joins_pets": true,
                      "auto_attack": { "name": "ally_claw", "period_ms": 60000,
                                       "damage": { "base": 0.0, "can_crit": false } } }]
    }));
    let plan = [(0.0, 0), (1.0, 1), (2.0, 0), (3.0, 2), (12.0, 0), (13.0, 2)];
    let mut done = 0;
    let mut rotation = |s: &[f64]| {
        let t = s[snapshot::TIME];
        Ok(match plan.get(done) {
            Some(&(at, spell)) if t >= at => {
                done += 1;
                Action::Cast(spell)
            }
            Some(&(at, _)) => Action::Wait(((at - t) * 1000.0).round() as u32),
            None => Action::Wait(60_000),
        })
    };
    let r = run(&config(spec, 20), &mut rotation, 1);
    assert_eq!(source(&r, "bite").damage_total(), 400.0);
    assert_eq!(source(&r, "called_bite").damage_total(), 200.0);
    assert_eq!(source(&r, "bleed").damage_total(), 120.0);
}

#[test]
fn only_a_pet_summon_joins_the_pets() {
    let spec = pack(json!({
        "summons": [{ "name": "ally", "duration_ms": 10000, "joins_pets": true,
                      "auto_attack": { "name": "ally_claw", "period_ms": 2000, "damage": { "base": 1.0 } } }]
    }));
    let err = run_batch(&config(spec, 10), &mut first_ready(0), 1, 0, 1).unwrap_err();
    assert!(
        err.to_string().contains("spec.summons[0].joins_pets"),
        "{err}"
    );
}

#[test]
fn a_potion_s_primary_stat_raises_attack_power_while_up_and_comes_again_each_cooldown() {
    // 1000 attack power from agility, a weapon adding 600, +10 % primary
    // stat (a passive), +5 % attack power (a raid buff). A potion of 200
    // attack power from agility for 1.5 s at 0 s and every 6 s (0, 6, 12 s):
    // 200 × 1.1 × 1.05 more attack power while up. "shot" (1 AP, a 2 s
    // cooldown) is cast at 0, 2, ..., 14 s: 3 of its 8 casts under the
    // potion (0, 6, 12 s). A pet's bite (share 0.5 in its coefficient) every
    // 4 s (0, 4, 8, 12 s) gains half as much, once: at 12 s (the swings
    // start before the pull's external auras arrive).
    let spec = pack(json!({
        "spells": [{ "name": "shot", "cooldown_ms": 2000,
                     "damage": { "ap_coefficient": 1.0, "can_crit": false } }],
        "pets": [{ "name": "cat", "auto_attack": { "name": "bite", "period_ms": 4000,
                    "damage": { "ap_coefficient": 0.5, "can_crit": false } } }],
        "modifiers": [{ "property": "primary_stat_percent", "value": 10.0 }]
    }));
    let mut c = config(spec, 15);
    c.player.attack_power = 1000.0;
    c.player.weapon_attack_power = 600.0;
    c.player.attack_power_percent = 5.0;
    c.fight.external_auras = serde_json::from_value(json!([
        { "at_ms": 0, "every_ms": 6000,
          "aura": { "name": "potion", "duration_ms": 1500, "primary_attack_power": 200.0 } }
    ]))
    .unwrap();
    let r = run(&c, &mut first_ready(1), 1);
    let base = (1000.0 * 1.1 + 600.0) * 1.05;
    let potion = 200.0 * 1.1 * 1.05;
    let shot = source(&r, "shot").damage_total();
    let expected = 8.0 * base + 3.0 * potion;
    assert!((shot - expected).abs() < 1e-6, "{shot} against {expected}");
    let bite = source(&r, "bite").damage_total();
    let expected = 0.5 * (4.0 * base + potion);
    assert!((bite - expected).abs() < 1e-6, "{bite} against {expected}");
    // Only the player's aura gives attack power; a period under a second is
    // no external buff.
    c.fight.external_auras[0].aura.on = wowlab_engine::spec::Carrier::Pet;
    let err = run_batch(&c, &mut first_ready(1), 1, 0, 1).unwrap_err();
    assert!(err.to_string().contains("primary_attack_power"), "{err}");
    c.fight.external_auras[0].aura.on = wowlab_engine::spec::Carrier::Player;
    c.fight.external_auras[0].every_ms = 999;
    let err = run_batch(&c, &mut first_ready(1), 1, 0, 1).unwrap_err();
    assert!(
        err.to_string()
            .contains("fight.external_auras[0].every_ms: must be 0 (once) or at least 1000"),
        "{err}"
    );
}

#[test]
fn a_dot_under_a_potion_gains_its_attack_power_a_tick_at_a_time() {
    // A bleed of 1 AP a tick, every 1 s for 4 s, cast at 0 s: ticks at 1, 2,
    // 3, 4 s. A potion of 100 attack power from 0 s for 2.5 s covers the
    // ticks at 1 and 2 s.
    let spec = pack(json!({
        "spells": [{ "name": "bleed", "cooldown_ms": 60000,
                     "dot": { "duration_ms": 4000, "tick_ms": 1000,
                              "damage": { "ap_coefficient": 1.0, "can_crit": false } } }]
    }));
    let mut c = config(spec, 10);
    c.player.attack_power = 1000.0;
    c.fight.external_auras = serde_json::from_value(json!([
        { "aura": { "name": "potion", "duration_ms": 2500, "primary_attack_power": 100.0 } }
    ]))
    .unwrap();
    let r = run(&c, &mut first_ready(1), 1);
    let bleed = source(&r, "bleed").damage_total();
    assert!(
        (bleed - (4.0 * 1000.0 + 2.0 * 100.0)).abs() < 1e-6,
        "{bleed}"
    );
}
