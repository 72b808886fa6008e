//! The jit backend decides exactly like the Rhai interpreter, refuses
//! scripts outside its subset with line:column, and runs in full sims.

mod common;

use common::{SCRIPT, SPEC};
use wowlab_engine::{Rotation, SimConfig, snapshot};
use wowlab_rhai::{Limits, RhaiRotation};
use wowlab_runtime::jit::{JitError, JitRotation};

fn spec_names() -> (Vec<String>, Vec<String>) {
    let spec = wowlab_runtime::spec_file::load(std::path::Path::new(SPEC)).unwrap();
    (
        spec.spells.iter().map(|s| s.name.clone()).collect(),
        spec.auras.iter().map(|a| a.name.clone()).collect(),
    )
}

/// xorshift64*: random states without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> f64 {
        (self.next() % n) as f64
    }
    fn real(&mut self, max: f64) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * max
    }
}

/// A plausible state: flags 0/1, small counts, times, resource, and some
/// exact boundary values so comparisons are tested on ties.
fn random_state(r: &mut Random, spells: usize, auras: usize) -> Vec<f64> {
    let mut s = vec![0.0; snapshot::len(spells, auras)];
    s[snapshot::TIME] = r.real(300.0);
    s[snapshot::FIGHT_REMAINS] = r.real(300.0);
    s[snapshot::RESOURCE] = if r.below(4) == 0.0 {
        r.below(101)
    } else {
        r.real(100.0)
    };
    s[snapshot::RESOURCE_MAX] = 100.0;
    s[snapshot::RESOURCE_REGEN] = r.real(10.0);
    s[snapshot::TARGETS] = 1.0 + r.below(5);
    s[snapshot::HASTE] = 1.0 + r.real(0.5);
    s[snapshot::GCD] = 0.75 + r.real(0.75);
    for i in 0..spells {
        s[snapshot::spell(i, snapshot::SPELL_COOLDOWN)] =
            if r.below(2) == 0.0 { 0.0 } else { r.real(10.0) };
        s[snapshot::spell(i, snapshot::SPELL_CHARGES)] = r.below(3);
        s[snapshot::spell(i, snapshot::SPELL_CASTABLE)] = r.below(2);
        s[snapshot::spell(i, snapshot::SPELL_RECHARGE)] = r.real(12.0);
    }
    for a in 0..auras {
        let up = r.below(2) == 1.0;
        s[snapshot::aura(spells, a, snapshot::AURA_REMAINS)] = if up {
            [2.0, r.real(15.0)][r.below(2) as usize]
        } else {
            0.0
        };
        s[snapshot::aura(spells, a, snapshot::AURA_STACKS)] =
            if up { 1.0 + r.below(3) } else { 0.0 };
    }
    s
}

fn agree_on_random_states(script: &str, states: usize) {
    let (spells, auras) = spec_names();
    let mut jit = JitRotation::compile(&spells, &auras, script).unwrap();
    let mut rhai = RhaiRotation::new(&spells, &auras, script, Limits::default()).unwrap();
    let mut r = Random(0x9E37_79B9_7F4A_7C15);
    for n in 0..states {
        let s = random_state(&mut r, spells.len(), auras.len());
        assert_eq!(
            jit.decide(&s),
            rhai.decide(&s),
            "state #{n}: {s:?}\nscript:\n{script}"
        );
    }
}

#[test]
fn the_reference_script_agrees_with_rhai_on_a_million_random_states() {
    agree_on_random_states(&std::fs::read_to_string(SCRIPT).unwrap(), 1_000_000);
}

#[test]
fn the_sdk_rotation_agrees_with_the_script_on_a_million_random_states() {
    let (spells, auras) = spec_names();
    let script = std::fs::read_to_string(SCRIPT).unwrap();
    let s = common::setup_with(
        wowlab_runtime::simulate::RotationInput::Wasm(wowlab_artifacts::BM_HUNTER_RS.to_vec()),
        wowlab_runtime::sandbox::SandboxLimits::default(),
    );
    let mut sdk = s
        .simulator
        .rotation(&s.runtime, &spells, &auras, "")
        .unwrap();
    let mut rhai = RhaiRotation::new(&spells, &auras, &script, Limits::default()).unwrap();
    let mut r = Random(0x2545_F491_4F6C_DD1D);
    for n in 0..1_000_000 {
        let state = random_state(&mut r, spells.len(), auras.len());
        assert_eq!(
            sdk.decide(&state).unwrap(),
            rhai.decide(&state),
            "state #{n}: {state:?}"
        );
    }
}

#[test]
fn every_construct_of_the_subset_agrees_with_rhai() {
    let scripts = [
        "let focus = resource() - 35.0;\nif focus >= 30.0 || cooldown(kill_command) > 2.5 { cast(cobra_shot) } else { wait(250) }",
        "if !ready(kill_command) && aura_stacks(bestial_wrath_pet) == 1.0 { return cast(barbed_shot); }\nif ready(kill_command) { cast(kill_command) }",
        "let a = if aura_up(bestial_wrath) { 2.0 * haste() } else { gcd() / 1.5 };\nif a > 1.2 && (ready(bestial_wrath) == true) { cast(bestial_wrath) } else if -a < -1.0 { wait() } else { wait(1) }",
        "if resource_deficit() < 20 && ready(cobra_shot) { cast(cobra_shot) } else if charges(barbed_shot) >= 1 && recharge(barbed_shot) < 4 { cast(barbed_shot) }",
        "let up = aura_up(bestial_wrath_pet); let soon = aura_remains(bestial_wrath_pet) <= 2.0;\nif up != soon { { cast(kill_command) } } else { if time() > fight_remains() + targets() { wait(100) } else { regen(); wait() } }",
        "()",
    ];
    for script in scripts {
        agree_on_random_states(script, 100_000);
    }
}

fn refusal(script: &str) -> (usize, usize, String) {
    let (spells, auras) = spec_names();
    match JitRotation::compile(&spells, &auras, script).err().unwrap() {
        JitError::Unsupported {
            line,
            column,
            message,
        } => (line, column, message),
        other => panic!("expected a refusal, got {other}"),
    }
}

#[test]
fn constructs_outside_the_subset_are_refused_with_position() {
    let cases = [
        ("wait();\nwhile true { }", (2, 1), "a loop"),
        ("let x = \"focus\";", (1, 9), "a string"),
        ("fn f() { 1.0 }\nwait()", (0, 0), "function definitions"),
        ("let x = 1.0;\nx = 2.0;", (2, 3), "assignment"),
        ("if 1 + 2 > 2.0 { wait() }", (1, 6), "integer arithmetic"),
        ("print(\"hi\");", (1, 1), "calling `print`"),
        ("let t = [1.0];", (1, 9), "an array"),
        ("wait(time())", (1, 6), "constant number of milliseconds"),
        ("resource()", (1, 1), "must be an action"),
    ];
    for (script, (line, column), needle) in cases {
        let (l, c, message) = refusal(script);
        assert!(message.contains(needle), "{script}: {message}");
        if line > 0 {
            assert_eq!((l, c), (line, column), "{script}: {message}");
        }
    }
}

#[test]
fn a_full_simulation_with_the_jit_is_bit_identical_to_rhai() {
    let (spells, auras) = spec_names();
    let script = std::fs::read_to_string(SCRIPT).unwrap();
    let s = common::setup(&script);
    let config = SimConfig::from_json(&s.json).unwrap();
    let mut jit = JitRotation::compile(&spells, &auras, &script).unwrap();
    let mut rhai = RhaiRotation::new(&spells, &auras, &script, Limits::default()).unwrap();
    let native_jit = wowlab_engine::run_batch(&config, &mut jit, 77, 0, 200).unwrap();
    let native_rhai = wowlab_engine::run_batch(&config, &mut rhai, 77, 0, 200).unwrap();
    assert_eq!(native_jit, native_rhai);
    let mut worker = s
        .simulator
        .worker_with(
            &s.runtime,
            wowlab_runtime::runtime::HostRotation::Native(Box::new(jit)),
        )
        .unwrap();
    assert_eq!(worker.run_batch(&s.json, 77, 0, 200).unwrap(), native_rhai);
}
