//! `wowlab` as a user runs it: real processes, real files.

use std::process::{Command, Output};

use serde_json::Value;

const SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/specs/bm_hunter.toml"
);
const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/rotations/bm_hunter.rhai"
);

fn wowlab(home: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wowlab"))
        .env("WOWLAB_HOME", home)
        .args(args)
        .output()
        .unwrap()
}

/// `wowlab sim` of the reference pack and rotation, with `extra` arguments.
fn sim(home: &std::path::Path, extra: &[&str]) -> Output {
    let mut args = vec!["sim", "--spec", SPEC, "--rotation", SCRIPT];
    args.extend_from_slice(extra);
    wowlab(home, &args)
}

fn sim_json(home: &std::path::Path, extra: &[&str]) -> String {
    let mut args = vec!["--json", "--duration", "60"];
    args.extend_from_slice(extra);
    let out = sim(home, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn sim_json_has_the_documented_fields() {
    let home = tempfile::tempdir().unwrap();
    let v: Value = serde_json::from_str(&sim_json(home.path(), &["--iterations", "500"])).unwrap();
    for key in [
        "iterations",
        "mean_dps",
        "std_dps",
        "error_dps",
        "min_dps",
        "max_dps",
        "engine",
        "spells",
    ] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert_eq!(v["iterations"], 500);
    assert_eq!(
        v["engine"].as_str().unwrap(),
        wowlab_protocol::address::hash_of(wowlab_artifacts::ENGINE)
    );
    let spells = v["spells"].as_array().unwrap();
    let kc = spells.iter().find(|s| s["name"] == "kill_command").unwrap();
    assert!(kc["casts_per_iteration"].as_f64().unwrap() > 5.0);
    let shares: f64 = spells.iter().map(|s| s["share"].as_f64().unwrap()).sum();
    assert!((shares - 1.0).abs() < 1e-9);
}

#[test]
fn the_same_seed_gives_identical_json_on_any_thread_count() {
    let home = tempfile::tempdir().unwrap();
    let a = sim_json(
        home.path(),
        &["--iterations", "400", "--seed", "5", "--threads", "1"],
    );
    let b = sim_json(
        home.path(),
        &["--iterations", "400", "--seed", "5", "--threads", "3"],
    );
    let c = sim_json(home.path(), &["--iterations", "400", "--seed", "6"]);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn target_error_stops_when_precise_enough() {
    let home = tempfile::tempdir().unwrap();
    let v: Value = serde_json::from_str(&sim_json(
        home.path(),
        &["--iterations", "100000", "--target-error", "0.5"],
    ))
    .unwrap();
    let n = v["iterations"].as_u64().unwrap();
    assert!(n < 100_000, "stopped early ({n})");
    assert!(v["error_dps"].as_f64().unwrap() / v["mean_dps"].as_f64().unwrap() * 100.0 <= 0.5);
}

#[test]
fn text_report_shows_distribution_and_spells() {
    let home = tempfile::tempdir().unwrap();
    let out = sim(home.path(), &["--iterations", "200"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "DPS",
        "p50",
        "DPS distribution",
        "kill_command",
        "refused",
        "█",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
}

#[test]
fn a_bad_script_fails_with_line_and_column() {
    let home = tempfile::tempdir().unwrap();
    let script = home.path().join("bad.rhai");
    std::fs::write(&script, "if ready(kill_command) {\n  cast(kill_command\n}").unwrap();
    let out = wowlab(
        home.path(),
        &[
            "sim",
            "--spec",
            SPEC,
            "--rotation",
            script.to_str().unwrap(),
            "--iterations",
            "10",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("3:1"), "{err}");
}

#[test]
fn a_malformed_spec_pack_names_the_field() {
    let home = tempfile::tempdir().unwrap();
    let spec = home.path().join("bad.toml");
    let text = std::fs::read_to_string(SPEC)
        .unwrap()
        .replace("cost = 30", "cost = \"thirty\"");
    std::fs::write(&spec, text).unwrap();
    let out = wowlab(
        home.path(),
        &[
            "sim",
            "--spec",
            spec.to_str().unwrap(),
            "--rotation",
            SCRIPT,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cost"), "{err}");
    assert!(err.contains("bad.toml"), "{err}");
}

#[test]
fn module_add_prints_the_hash_and_ls_lists_it() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("engine.wasm");
    std::fs::write(&file, wowlab_artifacts::ENGINE).unwrap();
    let out = wowlab(home.path(), &["module", "add", file.to_str().unwrap()]);
    assert!(out.status.success());
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(
        hash,
        wowlab_protocol::address::hash_of(wowlab_artifacts::ENGINE)
    );
    let ls = String::from_utf8(wowlab(home.path(), &["module", "ls"]).stdout).unwrap();
    assert!(ls.contains(&hash), "{ls}");
    assert_eq!(ls.lines().count(), 2, "engine and rhai: {ls}");
}

#[test]
fn an_unknown_engine_hash_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let out = sim(home.path(), &["--engine", &"ab".repeat(32)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("not in the store")
    );
}

#[test]
fn a_wasm_rotation_runs_from_its_file_and_matches_the_script() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("bm_hunter_rs.wasm");
    std::fs::write(&file, wowlab_artifacts::BM_HUNTER_RS).unwrap();
    let args = [
        "--json",
        "--duration",
        "60",
        "--iterations",
        "300",
        "--seed",
        "4",
    ];
    let run = |rotation: &str| {
        let mut all = vec!["sim", "--spec", SPEC, "--rotation", rotation];
        all.extend_from_slice(&args);
        let out = wowlab(home.path(), &all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let wasm = run(file.to_str().unwrap());
    let rhai = run(SCRIPT);
    assert_eq!(wasm["rotation"]["backend"], "wasm");
    assert_eq!(
        wasm["rotation"]["module"].as_str().unwrap(),
        wowlab_protocol::address::hash_of(wowlab_artifacts::BM_HUNTER_RS)
    );
    assert_eq!(wasm["mean_dps"], rhai["mean_dps"]);
    assert_eq!(wasm["spells"], rhai["spells"]);
}

#[test]
fn a_backend_that_does_not_fit_the_file_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let out = sim(home.path(), &["--backend", "wasm"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("not wasm"));
}

fn check(home: &std::path::Path, file: &str) -> (Option<i32>, String) {
    let out = wowlab(home, &["rotation", "check", file, "--spec", SPEC]);
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn rotation_check_lists_backends_and_names_of_a_script() {
    let home = tempfile::tempdir().unwrap();
    let (code, text) = check(home.path(), SCRIPT);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("backends: rhai"), "{text}");
    assert!(
        text.contains("spells: bestial_wrath, kill_command, barbed_shot, cobra_shot"),
        "{text}"
    );
    assert!(
        text.contains("auras: wyvern_ready, boar_ready, bear_ready, natures_ally_kill_command\n"),
        "{text}"
    );
}

#[test]
fn rotation_check_reports_script_errors_with_position() {
    let home = tempfile::tempdir().unwrap();
    let bad = home.path().join("bad.rhai");
    std::fs::write(
        &bad,
        "let x = 1;\nif ready(kill_comand) { cast(kill_command) }",
    )
    .unwrap();
    let (code, text) = check(home.path(), bad.to_str().unwrap());
    assert_eq!(code, Some(1));
    assert!(
        text.contains("bad.rhai:2:10: unknown name `kill_comand`"),
        "{text}"
    );
    assert!(text.contains("backends: none"), "{text}");
}

#[test]
fn rotation_check_accepts_a_rotation_component_and_refuses_others() {
    let home = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = home.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (code, text) = check(
        home.path(),
        &write("rs.wasm", wowlab_artifacts::BM_HUNTER_RS),
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("backends: wasm"), "{text}");
    let (code, text) = check(home.path(), &write("engine.wasm", wowlab_artifacts::ENGINE));
    assert_eq!(code, Some(1));
    assert!(text.contains("not granted to a rotation"), "{text}");
    let (code, text) = check(
        home.path(),
        &write("net.wasm", wowlab_artifacts::HOSTILE_NETWORK),
    );
    assert_eq!(code, Some(1));
    assert!(text.contains("wasi:sockets"), "{text}");
}

#[test]
fn auto_runs_a_script_with_the_jit_and_gives_the_interpreters_numbers() {
    let home = tempfile::tempdir().unwrap();
    let args = ["--iterations", "300", "--seed", "8"];
    let jit: Value = serde_json::from_str(&sim_json(home.path(), &args)).unwrap();
    let mut no_jit = vec![
        "--no-jit",
        "sim",
        "--spec",
        SPEC,
        "--rotation",
        SCRIPT,
        "--json",
        "--duration",
        "60",
    ];
    no_jit.extend_from_slice(&args);
    let out = wowlab(home.path(), &no_jit);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rhai: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(jit["rotation"]["backend"], "jit");
    assert_eq!(rhai["rotation"]["backend"], "rhai");
    for key in ["mean_dps", "std_dps", "min_dps", "max_dps", "spells"] {
        assert_eq!(jit[key], rhai[key], "{key}");
    }
}

#[test]
fn the_jit_backend_refuses_scripts_outside_its_subset_and_can_be_switched_off() {
    let home = tempfile::tempdir().unwrap();
    let script = home.path().join("loop.rhai");
    std::fs::write(&script, "let n = 0.0;\nfor i in 0..3 { }\nwait()").unwrap();
    let path = script.to_str().unwrap();
    let out = wowlab(
        home.path(),
        &[
            "sim",
            "--spec",
            SPEC,
            "--rotation",
            path,
            "--backend",
            "jit",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("2:1: a loop is not in the jit subset"),
        "{err}"
    );
    let out = wowlab(
        home.path(),
        &[
            "--no-jit",
            "sim",
            "--spec",
            SPEC,
            "--rotation",
            SCRIPT,
            "--backend",
            "jit",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("switched off")
    );
}

const PROFILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/profiles/MID1_Hunter_Beast_Mastery.simc"
);

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn sim_simc_runs_the_profile_with_the_built_in_pack_and_lists_what_it_ignores() {
    let home = tempfile::tempdir().unwrap();
    let args = ["--json", "--iterations", "200", "--duration", "60"];
    let mut simc = vec!["sim", "--simc", PROFILE];
    simc.extend_from_slice(&args);
    let profiled = json_of(&wowlab(home.path(), &simc));
    let plain = json_of(&sim(home.path(), &args));
    // Its talents (options) and its gear make more damage than the pack's
    // default character without talents; the same pack and rotation ran.
    assert!(
        profiled["mean_dps"].as_f64().unwrap() > plain["mean_dps"].as_f64().unwrap() * 1.2,
        "{} vs {}",
        profiled["mean_dps"],
        plain["mean_dps"]
    );
    assert_eq!(profiled["rotation"]["script"], plain["rotation"]["script"]);
    // A profile's fight length varies as SimulationCraft's does by default,
    // ± 20 %; a plain sim's does not, and --vary-length overrides it.
    assert_eq!(profiled["vary_length"], 0.2);
    assert!(plain.get("vary_length").is_none(), "{plain}");
    simc.extend_from_slice(&["--vary-length", "0"]);
    let fixed = json_of(&wowlab(home.path(), &simc));
    assert!(fixed.get("vary_length").is_none(), "{fixed}");
    // What it does not simulate is listed, with lines.
    let ignored = profiled["ignored"].as_array().unwrap();
    let lines: Vec<&str> = ignored.iter().map(|i| i.as_str().unwrap()).collect();
    assert!(
        lines.contains(
            &"line 13: talent Go for the Throat (459550), rank 1: the pack has no option for it"
        ),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("line 34: trinket1=radiant_plume")),
        "{lines:?}"
    );
    // The text report ends with the same list.
    let mut text = vec![
        "sim",
        "--simc",
        PROFILE,
        "--iterations",
        "50",
        "--duration",
        "30",
    ];
    text.push("--threads");
    text.push("1");
    let out = wowlab(home.path(), &text);
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(
        report.contains("not simulated (from the profile):"),
        "{report}"
    );
    assert!(
        report.contains("fight       30 s ± 20 %, 1 target"),
        "{report}"
    );
    assert!(
        report.contains(
            "line 13: talent Go for the Throat (459550), rank 1: the pack has no option for it"
        ),
        "{report}"
    );
}

#[test]
fn sim_simc_names_the_line_of_a_malformed_profile() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("broken.simc");
    let text = std::fs::read_to_string(PROFILE)
        .unwrap()
        .replace("level=90", "level=9x");
    std::fs::write(&file, text).unwrap();
    let out = wowlab(home.path(), &["sim", "--simc", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("broken.simc") && err.contains("line "),
        "{err}"
    );
    // Neither a pack nor a profile: the error says what to give.
    let out = wowlab(home.path(), &["sim", "--rotation", SCRIPT]);
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("give --spec PACK")
    );
}
