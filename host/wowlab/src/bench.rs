//! `wowlab bench`: speed figures for BENCHMARKS.md, measured side by side in
//! one run on one thread: iterations per second for the reference profile
//! (and for the pack's default character, at two fight lengths) with the
//! engine native and in wasm, with the Rhai rotation and with the same
//! priority written in Rust; and the cost of one decision for each rotation.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use wowlab_engine::spec::SpecPack;
use wowlab_engine::{Action, Rotation, SimConfig, snapshot};
use wowlab_rhai::{Limits, RhaiRotation};
use wowlab_runtime::jit::JitRotation;
use wowlab_runtime::modules::ModuleStore;
use wowlab_runtime::runtime::{HostRotation, Runtime, Simulator};
use wowlab_runtime::sandbox::{Interruption, SandboxLimits};
use wowlab_runtime::simulate::{Builtins, RotationInput, SimRequest, config_for};
use wowlab_runtime::spec_file;

use crate::cli::FightArgs;

/// Arguments of `wowlab bench`.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// Spec pack.
    #[arg(long, default_value = "examples/specs/bm_hunter.toml")]
    spec: PathBuf,
    /// Rhai rotation; the Rust rotation is the same priority.
    #[arg(long, default_value = "examples/rotations/bm_hunter.rhai")]
    rotation: PathBuf,
    /// The SimulationCraft profile of the reference character.
    #[arg(
        long,
        default_value = "examples/profiles/MID1_Hunter_Beast_Mastery.simc"
    )]
    simc: PathBuf,
    /// Iterations per figure for the 300 s fight (scaled up for shorter fights).
    #[arg(long, default_value_t = 2_000)]
    iterations: u64,
}

/// Which character a figure is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Character {
    /// The profile's (`--simc`): its talents, gear and raid buffs.
    Profile,
    /// The pack's default character: no options, the pack's own stats.
    Pack,
}

impl Character {
    fn name(self) -> &'static str {
        match self {
            Character::Profile => "profile",
            Character::Pack => "pack",
        }
    }
}

/// One figure of the fight table.
struct Figure {
    character: Character,
    seconds: f64,
    engine: &'static str,
    rotation: &'static str,
    rate: f64,
}

/// The reference rotation (`examples/rotations/bm_hunter.rhai`) in Rust.
pub struct BmHunterRust {
    bestial_wrath: usize,
    kill_command: usize,
    barbed_shot: usize,
    cobra_shot: usize,
    /// Howl of the Pack Leader's beasts, each ready to come.
    beasts_ready: [usize; 3],
    natures_ally: usize,
    /// Spells in the spec (where the auras start in the snapshot).
    spells: usize,
}

impl BmHunterRust {
    /// Resolves the spell names of `spells` and the aura names of `auras`.
    pub fn new(spells: &[String], auras: &[String]) -> Result<Self> {
        let find = |names: &[String], n: &str| {
            names
                .iter()
                .position(|x| x == n)
                .with_context(|| format!("the spec has no `{n}`"))
        };
        Ok(Self {
            bestial_wrath: find(spells, "bestial_wrath")?,
            kill_command: find(spells, "kill_command")?,
            barbed_shot: find(spells, "barbed_shot")?,
            cobra_shot: find(spells, "cobra_shot")?,
            beasts_ready: [
                find(auras, "wyvern_ready")?,
                find(auras, "boar_ready")?,
                find(auras, "bear_ready")?,
            ],
            natures_ally: find(auras, "natures_ally_kill_command")?,
            spells: spells.len(),
        })
    }
}

impl Rotation for BmHunterRust {
    fn decide(&mut self, s: &[f64]) -> Result<Action, String> {
        let spell = |i: usize, field: usize| s[snapshot::spell(i, field)];
        let aura = |a: usize, field: usize| s[snapshot::aura(self.spells, a, field)];
        let aura_up = |a: usize| aura(a, snapshot::AURA_STACKS) > 0.0;
        let ready = |i: usize| spell(i, snapshot::SPELL_CASTABLE) > 0.0;
        let gcd = s[snapshot::GCD];
        let bestial_wrath_cooldown = spell(self.bestial_wrath, snapshot::SPELL_COOLDOWN);
        let kill_command_now = aura(self.natures_ally, snapshot::AURA_REACHABLE) == 0.0
            || bestial_wrath_cooldown
                > spell(self.kill_command, snapshot::SPELL_FULL_RECHARGE) + gcd
                && (aura_up(self.natures_ally) || self.beasts_ready.iter().any(|&a| aura_up(a)));
        let cast = |i: usize| Ok(Action::Cast(i as u32));
        if ready(self.barbed_shot) && bestial_wrath_cooldown < gcd {
            cast(self.barbed_shot)
        } else if ready(self.bestial_wrath) {
            cast(self.bestial_wrath)
        } else if ready(self.kill_command) && kill_command_now {
            cast(self.kill_command)
        } else if ready(self.barbed_shot) {
            cast(self.barbed_shot)
        } else if ready(self.cobra_shot) {
            cast(self.cobra_shot)
        } else {
            Ok(Action::Wait(0))
        }
    }
}

/// Records every state it is asked about, deciding with `inner`.
struct Recorder<R> {
    inner: R,
    states: Vec<Vec<f64>>,
}

impl<R: Rotation> Rotation for Recorder<R> {
    fn decide(&mut self, state: &[f64]) -> Result<Action, String> {
        self.states.push(state.to_vec());
        self.inner.decide(state)
    }
}

fn per_second(count: u64, start: Instant) -> f64 {
    count as f64 / start.elapsed().as_secs_f64()
}

/// What every table of the benchmark runs on.
struct Setup<'a> {
    store: &'a ModuleStore,
    limits: SandboxLimits,
    spec: SpecPack,
    script: String,
    /// The reference profile's request (its fight length and iterations
    /// are set per figure).
    profile: SimRequest,
    spells: Vec<String>,
    auras: Vec<String>,
    runtime: Runtime,
    builtins: Builtins,
    sdk_hash: String,
    /// The built-in engine with the Rhai component.
    simulator: Simulator,
    /// The built-in engine with the sdk's BM hunter component.
    sdk: Simulator,
    jit: JitRotation,
}

impl Setup<'_> {
    fn rhai_native(&self) -> Result<RhaiRotation> {
        Ok(RhaiRotation::new(
            &self.spells,
            &self.auras,
            &self.script,
            Limits::default(),
        )?)
    }

    fn rust_native(&self) -> Result<BmHunterRust> {
        BmHunterRust::new(&self.spells, &self.auras)
    }

    /// The config of `character` for a 1-target fight of exactly `seconds`.
    fn config(&self, character: Character, seconds: f64, iterations: u64) -> Result<SimConfig> {
        let request = match character {
            Character::Pack => single_thread(&self.spec, &self.script, seconds, iterations),
            Character::Profile => SimRequest {
                duration_s: seconds,
                iterations,
                ..self.profile.clone()
            },
        };
        config_for(&request, &self.builtins.engine, &self.builtins.rhai)
    }
}

/// Runs the benchmarks and prints the figures.
pub fn run(store: &ModuleStore, limits: SandboxLimits, args: BenchArgs) -> Result<()> {
    let spec = spec_file::load(&args.spec)?;
    let script = std::fs::read_to_string(&args.rotation)
        .with_context(|| format!("reading {}", args.rotation.display()))?;
    let profile = FightArgs {
        spec: Some(args.spec.clone()),
        rotation: Some(args.rotation.clone()),
        simc: Some(args.simc.clone()),
        backend: "rhai".into(),
        iterations: args.iterations,
        duration: 300.0,
        vary_length: Some(0.0),
        targets: 1,
        engine: None,
    }
    .prepare(false, 1, 1)?
    .request;
    let runtime = Runtime::new(limits)?;
    let builtins = Builtins::install(store)?;
    let engine = store.load(runtime.engine(), &builtins.engine)?;
    let rhai = store.load(runtime.engine(), &builtins.rhai)?;
    let simulator = Simulator::new(&runtime, engine.clone(), rhai)?;
    let spells: Vec<String> = spec.spells.iter().map(|s| s.name.clone()).collect();
    let auras: Vec<String> = spec.auras.iter().map(|a| a.name.clone()).collect();
    let jit = JitRotation::compile(&spells, &auras, &script)?;
    let sdk_hash = store.add(wowlab_artifacts::BM_HUNTER_RS)?;
    let sdk_component =
        store.component(runtime.engine(), &sdk_hash, wowlab_artifacts::BM_HUNTER_RS)?;
    let sdk = Simulator::new(&runtime, engine, sdk_component)?;
    let setup = Setup {
        store,
        limits,
        spec,
        script,
        profile,
        spells,
        auras,
        runtime,
        builtins,
        sdk_hash,
        simulator,
        sdk,
        jit,
    };
    let figures = fight_rates(&setup, args.iterations)?;
    wasm_cost(&figures);
    time_budgets(&setup, args.iterations / 2)?;
    fight_length_cost(&figures);
    decision_costs(&setup)
}

/// Iterations per second per core of every engine and rotation pair: the
/// profile on a 300 s fight, the pack's default character on a 300 s and a
/// 60 s fight (the 60 s one runs 5 times the iterations).
fn fight_rates(setup: &Setup<'_>, iterations: u64) -> Result<Vec<Figure>> {
    let Setup {
        runtime,
        simulator,
        sdk,
        jit,
        spells,
        auras,
        script,
        ..
    } = setup;
    println!("wowlab bench: {} on 1 thread, 1 target", setup.spec.name);
    println!(
        "{:<8} {:<8} {:<6} {:<22} {:>12} {:>14}",
        "fight", "who", "engine", "rotation", "it/s/core", "µs/iteration"
    );
    let mut figures = Vec::new();
    let fights = [
        (Character::Profile, 300.0),
        (Character::Pack, 300.0),
        (Character::Pack, 60.0),
    ];
    for (character, seconds) in fights {
        let iterations = (iterations as f64 * 300.0 / seconds) as u64;
        let config = setup.config(character, seconds, iterations)?;
        let json = wowlab_protocol::address::canonical_json(&config);
        let mut row = |engine: &'static str, rotation: &'static str, rate: f64| {
            println!(
                "{:<8} {:<8} {:<6} {:<22} {:>12.0} {:>14.1}",
                format!("{seconds} s"),
                character.name(),
                engine,
                rotation,
                rate,
                1e6 / rate
            );
            figures.push(Figure {
                character,
                seconds,
                engine,
                rotation,
                rate,
            });
        };
        row(
            "native",
            "rust (native)",
            native_rate(&config, &mut setup.rust_native()?, iterations)?,
        );
        row(
            "native",
            "rhai (native)",
            native_rate(&config, &mut setup.rhai_native()?, iterations)?,
        );
        row(
            "native",
            "jit (native)",
            native_rate(&config, &mut jit.clone(), iterations)?,
        );
        let rust = HostRotation::Native(Box::new(setup.rust_native()?));
        row(
            "wasm",
            "rust (host-native)",
            wasm_rate(simulator, runtime, rust, &json, iterations)?,
        );
        let compiled = HostRotation::Native(Box::new(jit.clone()));
        row(
            "wasm",
            "jit (host-native)",
            wasm_rate(simulator, runtime, compiled, &json, iterations)?,
        );
        let sdk_component = HostRotation::Component(sdk.rotation(runtime, spells, auras, "")?);
        row(
            "wasm",
            "sdk (wasm component)",
            wasm_rate(sdk, runtime, sdk_component, &json, iterations)?,
        );
        let component =
            HostRotation::Component(simulator.rotation(runtime, spells, auras, script)?);
        row(
            "wasm",
            "rhai (wasm component)",
            wasm_rate(simulator, runtime, component, &json, iterations)?,
        );
    }
    Ok(figures)
}

/// How much longer an iteration takes with the engine in wasm than native,
/// for each rotation both engines run.
fn wasm_cost(figures: &[Figure]) {
    println!("\nwasm engine against native, same rotation (time per iteration):");
    for wasm in figures.iter().filter(|f| f.engine == "wasm") {
        let kind = wasm.rotation.split(' ').next();
        let native = figures.iter().find(|f| {
            f.engine == "native"
                && f.character == wasm.character
                && f.seconds == wasm.seconds
                && f.rotation.split(' ').next() == kind
        });
        if let Some(native) = native {
            println!(
                "  {:<8} {:<8} {:<22} {:.2}x",
                format!("{} s", wasm.seconds),
                wasm.character.name(),
                wasm.rotation,
                native.rate / wasm.rate
            );
        }
    }
}

/// What each way of bounding a guest's time costs, as rates and ratios to
/// no budget at all.
fn time_budgets(setup: &Setup<'_>, iterations: u64) -> Result<()> {
    let Setup {
        store,
        builtins: b,
        jit,
        spells,
        auras,
        script,
        ..
    } = setup;
    println!(
        "\ntime budgets, the profile's 300 s fight, wasm engine (it/s/core; ratio to no budget):"
    );
    let json =
        wowlab_protocol::address::canonical_json(&setup.config(Character::Profile, 300.0, 1)?);
    let mut baseline = None;
    for mode in [Interruption::None, Interruption::Epoch, Interruption::Fuel] {
        let runtime = Runtime::new(SandboxLimits {
            interruption: mode,
            ..setup.limits
        })?;
        let compile = |hash: &str| -> Result<_> { store.load(runtime.engine(), hash) };
        let rhai = Simulator::new(&runtime, compile(&b.engine)?, compile(&b.rhai)?)?;
        let sdk = Simulator::new(&runtime, compile(&b.engine)?, compile(&setup.sdk_hash)?)?;
        let rates = [
            wasm_rate(
                &rhai,
                &runtime,
                HostRotation::Native(Box::new(jit.clone())),
                &json,
                iterations,
            )?,
            wasm_rate(
                &sdk,
                &runtime,
                HostRotation::Component(sdk.rotation(&runtime, spells, auras, "")?),
                &json,
                iterations,
            )?,
            wasm_rate(
                &rhai,
                &runtime,
                HostRotation::Component(rhai.rotation(&runtime, spells, auras, script)?),
                &json,
                iterations,
            )?,
        ];
        let base = *baseline.get_or_insert(rates);
        println!(
            "  {:<8} jit {:>7.0} ({:.2})   sdk {:>7.0} ({:.2})   rhai {:>7.0} ({:.2})",
            format!("{mode:?}"),
            rates[0],
            rates[0] / base[0],
            rates[1],
            rates[1] / base[1],
            rates[2],
            rates[2] / base[2]
        );
    }
    Ok(())
}

/// How much more one iteration of the 300 s fight costs than one of the
/// 60 s fight, for the pack's default character.
fn fight_length_cost(figures: &[Figure]) {
    println!("\ncost of a 300 s fight relative to a 60 s fight (pack, time per iteration):");
    let pack = |seconds| {
        figures
            .iter()
            .filter(move |f| f.character == Character::Pack && f.seconds == seconds)
    };
    for long in pack(300.0) {
        let short = pack(60.0)
            .find(|f| f.engine == long.engine && f.rotation == long.rotation)
            .map_or(f64::NAN, |f| f.rate);
        let name = format!("{} + {}", long.engine, long.rotation);
        println!("  {name:<32} {:.2}x", short / long.rate);
    }
}

/// Nanoseconds per decision of every rotation backend, over the states of
/// ten recorded fights of the reference profile.
fn decision_costs(setup: &Setup<'_>) -> Result<()> {
    let Setup {
        runtime,
        simulator,
        sdk,
        spells,
        auras,
        script,
        ..
    } = setup;
    let config = setup.config(Character::Profile, 300.0, 1)?;
    let mut recorder = Recorder {
        inner: setup.rust_native()?,
        states: Vec::new(),
    };
    wowlab_engine::run_batch(&config, &mut recorder, 1, 0, 10)?;
    let states = recorder.states;
    println!(
        "\nns per decision ({} recorded states of the profile's fight):",
        states.len()
    );
    let mut rust = setup.rust_native()?;
    let mut rhai = setup.rhai_native()?;
    let mut component = simulator.rotation(runtime, spells, auras, script)?;
    let mut sdk_rotation = sdk.rotation(runtime, spells, auras, "")?;
    let mut compiled = setup.jit.clone();
    let rounds = 20;
    let time = |f: &mut dyn FnMut(&[f64])| {
        let start = Instant::now();
        for _ in 0..rounds {
            for s in &states {
                f(s);
            }
        }
        start.elapsed().as_nanos() as f64 / (rounds * states.len()) as f64
    };
    let rust_ns = time(&mut |s| {
        std::hint::black_box(rust.decide(s).ok());
    });
    let rhai_ns = time(&mut |s| {
        std::hint::black_box(rhai.decide(s).ok());
    });
    let wasm_ns = time(&mut |s| {
        std::hint::black_box(component.decide(s).ok());
    });
    let jit_ns = time(&mut |s| {
        std::hint::black_box(compiled.decide(s).ok());
    });
    let sdk_ns = time(&mut |s| {
        std::hint::black_box(sdk_rotation.decide(s).ok());
    });
    println!("  {:<32} {rust_ns:>10.1}", "rust (native)");
    println!("  {:<32} {jit_ns:>10.1}", "jit (native code)");
    println!("  {:<32} {sdk_ns:>10.1}", "sdk (wasm component, host call)");
    println!("  {:<32} {rhai_ns:>10.1}", "rhai (native interpreter)");
    println!(
        "  {:<32} {wasm_ns:>10.1}",
        "rhai (wasm component, host call)"
    );
    Ok(())
}

/// A 1-target fight of `seconds` with a fixed length, seed 1, on one thread.
fn single_thread(spec: &SpecPack, script: &str, seconds: f64, iterations: u64) -> SimRequest {
    SimRequest {
        spec: spec.clone(),
        rotation: RotationInput::Rhai(script.to_string()),
        iterations,
        duration_s: seconds,
        vary_length: 0.0,
        targets: 1,
        seed: 1,
        threads: 1,
        engine: None,
        target_error: None,
        player: None,
        options: Default::default(),
        ignored: Vec::new(),
        damage_taken: Vec::new(),
        external_auras: Vec::new(),
    }
}

fn native_rate(config: &SimConfig, rotation: &mut dyn Rotation, iterations: u64) -> Result<f64> {
    let start = Instant::now();
    let mut done = 0;
    while done < iterations {
        let n = wowlab_runtime::simulate::BATCH.min(iterations - done);
        wowlab_engine::run_batch(config, rotation, 1, done, n as u32)?;
        done += n;
    }
    Ok(per_second(iterations, start))
}

fn wasm_rate(
    simulator: &Simulator,
    runtime: &Runtime,
    rotation: HostRotation,
    json: &str,
    iterations: u64,
) -> Result<f64> {
    let mut worker = simulator.worker_with(runtime, rotation)?;
    worker.run_batch(json, 1, 0, 10)?;
    let start = Instant::now();
    let mut done = 0;
    while done < iterations {
        let n = wowlab_runtime::simulate::BATCH.min(iterations - done);
        worker.run_batch(json, 1, done, n as u32)?;
        done += n;
    }
    Ok(per_second(iterations, start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rust_priority_decides_like_the_rhai_script() {
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
        let spec_path = root.join("examples/specs/bm_hunter.toml");
        let rotation_path = root.join("examples/rotations/bm_hunter.rhai");
        let spec = spec_file::load(&spec_path).unwrap();
        let script = std::fs::read_to_string(&rotation_path).unwrap();
        let spells: Vec<String> = spec.spells.iter().map(|s| s.name.clone()).collect();
        let auras: Vec<String> = spec.auras.iter().map(|a| a.name.clone()).collect();
        let pack = single_thread(&spec, &script, 300.0, 50);
        // The profile's talents reach what the pack alone does not (Nature's
        // Ally's buff, the beasts), so the priority's every branch is taken.
        let profile = FightArgs {
            spec: Some(spec_path),
            rotation: Some(rotation_path),
            simc: Some(root.join("examples/profiles/MID1_Hunter_Beast_Mastery.simc")),
            backend: "rhai".into(),
            iterations: 50,
            duration: 300.0,
            vary_length: None,
            targets: 1,
            engine: None,
        }
        .prepare(false, 3, 1)
        .unwrap()
        .request;
        let mut results = Vec::new();
        for request in [pack, profile] {
            let config = config_for(&request, "", "").unwrap();
            let mut rhai = RhaiRotation::new(&spells, &auras, &script, Limits::default()).unwrap();
            let mut rust = BmHunterRust::new(&spells, &auras).unwrap();
            let a = wowlab_engine::run_batch(&config, &mut rhai, 3, 0, 50).unwrap();
            let b = wowlab_engine::run_batch(&config, &mut rust, 3, 0, 50).unwrap();
            assert_eq!(a, b);
            results.push(a);
        }
        assert_ne!(
            results[0], results[1],
            "the profile is not the pack's character"
        );
    }
}
