//! What `FIDELITY.md` reports as met against SimulationCraft's published
//! MID1 result for its Beast Mastery profile, guarded: a change that loses
//! it fails here (and FIDELITY.md is re-measured).

use std::process::Command;

use serde_json::Value;

const PROFILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/profiles/MID1_Hunter_Beast_Mastery.simc"
);

/// SimulationCraft's published share of Barbed Shot's damage
/// (gamedata/reference/simc_mid1_bm_12.0.1.md, section 2).
const SIMC_BARBED_SHOT_SHARE: f64 = 0.231;

/// The bound: within 2 percentage points.
const WITHIN: f64 = 0.02;

#[test]
fn barbed_shot_s_share_is_within_two_points_of_simulationcraft_s() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wowlab"))
        .env("WOWLAB_HOME", home.path())
        .args(["sim", "--simc", PROFILE, "--iterations", "2000", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let share = report["spells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "barbed_shot")
        .and_then(|s| s["share"].as_f64())
        .unwrap();
    assert!(
        (share - SIMC_BARBED_SHOT_SHARE).abs() <= WITHIN,
        "Barbed Shot's share {share:.4} against SimulationCraft's {SIMC_BARBED_SHOT_SHARE}"
    );
}
