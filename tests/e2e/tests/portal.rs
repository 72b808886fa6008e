//! The portal in a real browser (headless Debian Chromium over WebDriver)
//! against a real sentinel and node processes: sign in, submit a sim and
//! watch it finish, simulate a pasted SimulationCraft profile, test a broken
//! script, claim a node, and keep a private job private. Screenshots of the main pages land in `target/screenshots`.

use std::path::Path;
use std::time::Duration;

use wowlab_e2e::browser::Browser;
use wowlab_e2e::{Database, Sentinel, sim};

const PASSWORD: &str = "correct horse battery";

/// The portal's default pack and rotation, for `wowlab sim` (the Rhai
/// backend: the portal's jobs name it).
const REFERENCE: [&str; 6] = [
    "--spec",
    "examples/specs/bm_hunter.toml",
    "--rotation",
    "examples/rotations/bm_hunter.rhai",
    "--backend",
    "rhai",
];

fn sqlite(dir: &Path) -> Database {
    Database::Sqlite(dir.join("sentinel"))
}

/// The WebDriver code of the Enter key.
const ENTER: char = '\u{E007}';

/// Signs `name` in through the sign-in form, with the keyboard only (the
/// form is sent with Enter); lands on the simulate page.
fn sign_in(browser: &Browser, s: &Sentinel, name: &str) {
    browser.goto(&s.url);
    browser.wait_for("form[action='/signin']", Duration::from_secs(10));
    browser.fill("input[name=name]", name);
    browser.fill("input[name=password]", &format!("{PASSWORD}{ENTER}"));
    browser.wait_for("#sim-form", Duration::from_secs(10));
    assert!(browser.url().ends_with("/simulate"), "{}", browser.url());
}

/// Replaces the editor's script, as typing would.
fn set_script(browser: &Browser, script: &str) {
    browser.script(
        "const s = document.getElementById('script'); s.value = arguments[0]; s.dispatchEvent(new Event('input'));",
        serde_json::json!([script]),
    );
}

/// Pastes `text` into the profile box, as a paste would.
fn paste_profile(browser: &Browser, text: &str) {
    browser.script(
        "const s = document.getElementById('simc'); s.value = arguments[0]; s.dispatchEvent(new Event('input'));",
        serde_json::json!([text]),
    );
}

/// A browser with alice signed in to a fresh sentinel; `None` without a browser.
fn alice_signed_in() -> Option<(Browser, tempfile::TempDir, Sentinel)> {
    let browser = Browser::start()?;
    let dir = tempfile::tempdir().unwrap();
    let s = Sentinel::start(sqlite(dir.path()), &[]);
    s.set_password("alice", PASSWORD);
    sign_in(&browser, &s, "alice");
    Some((browser, dir, s))
}

#[test]
fn a_player_signs_in_submits_a_sim_and_watches_it_finish() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Sentinel::start(sqlite(dir.path()), &[]);
    s.set_password("alice", PASSWORD);
    let _node = s.node(&dir.path().join("node"), 2, &[]);

    browser.goto(&format!("{}/simulate", s.url));
    browser.wait_for("form[action='/signin']", Duration::from_secs(10));
    browser.fill("input[name=name]", "alice");
    browser.fill("input[name=password]", "not the password");
    browser.click("form[action='/signin'] button[type=submit]");
    browser.wait_for_text(".error", "Wrong name or password", Duration::from_secs(10));
    browser.screenshot("signin");
    sign_in(&browser, &s, "alice");
    browser.screenshot("simulate");

    browser.fill("input[name=iterations]", "3000");
    browser.fill("input[name=duration_s]", "120");
    browser.click("select[name=access] option[value=public]");
    browser.click("#sim-form button[type=submit]");
    browser.wait_for("#live", Duration::from_secs(10));
    let job = browser.url().rsplit('/').next().unwrap().to_string();
    let link = browser.script(
        "return document.getElementById('share-link').value",
        serde_json::json!([]),
    );
    assert_eq!(
        link,
        format!("{}/jobs/{job}", s.url),
        "a public job shows its link"
    );
    browser.wait_for("#dps-chart rect", Duration::from_secs(120));
    browser.wait_for_text("#progress-text", "(100 %)", Duration::from_secs(5));
    assert_eq!(browser.text("#status"), "done");
    assert!(browser.has("table.spells tbody tr"), "a per-spell table");
    browser.screenshot("job");

    // The job's report is `wowlab sim`'s for the same seed, byte for byte (the
    // portal stores the script with `\n` line ends, as the file has them).
    let (report, seed) = report_and_seed(&s, &job);
    let args = [
        &REFERENCE[..],
        &["--iterations", "3000", "--duration", "120"],
    ];
    let local = sim(
        &dir.path().join("sim"),
        &[&args.concat()[..], &["--seed", &seed, "--json"]].concat(),
    );
    assert_eq!(report, local);
    let local: serde_json::Value = serde_json::from_str(&local).unwrap();
    assert_eq!(browser.text("#mean-dps"), browser_dps(&local));

    browser.goto(&format!("{}/jobs", s.url));
    let row = browser.wait_for_text(
        "table.jobs tbody tr",
        &format!("#{job}"),
        Duration::from_secs(10),
    );
    assert!(row.contains("done") && row.contains("100 %"), "{row}");
    browser.screenshot("jobs");

    browser.goto(&format!("{}/rankings", s.url));
    let best = browser.wait_for_text(
        "table.rankings tbody tr",
        &format!("#{job}"),
        Duration::from_secs(10),
    );
    assert!(best.contains(&browser_dps(&local)), "{best}");
    assert!(best.contains("alice"), "{best}");
    browser.screenshot("rankings");
}

#[test]
fn a_pasted_simc_profile_is_simulated_as_wowlab_sim_simulates_it() {
    let Some((browser, dir, s)) = alice_signed_in() else {
        return;
    };
    let _node = s.node(&dir.path().join("node"), 2, &[]);
    let path = "examples/profiles/MID1_Hunter_Beast_Mastery.simc";
    let profile = std::fs::read_to_string(wowlab_e2e::repo().join(path)).unwrap();

    // A malformed line is refused with its place; the box keeps the text.
    paste_profile(&browser, &profile.replace("level=90", "level=9x"));
    browser.fill("input[name=iterations]", "1000");
    browser.click("#sim-form button[type=submit]");
    let error = browser.wait_for_text("#form-error", "line 9, column 7", Duration::from_secs(10));
    assert!(error.contains("SimulationCraft profile"), "{error}");
    assert!(browser.has("#simc[aria-invalid=true]"), "the box is marked");
    let kept = browser.script(
        "return document.getElementById('simc').value",
        serde_json::json!([]),
    );
    assert!(kept.as_str().unwrap().contains("level=9x"), "{kept}");

    paste_profile(&browser, &profile);
    browser.fill("input[name=iterations]", "1000");
    browser.click("#sim-form button[type=submit]");
    browser.wait_for("#live", Duration::from_secs(10));
    let job = browser.url().rsplit('/').next().unwrap().to_string();
    browser.wait_for("#dps-chart rect", Duration::from_secs(120));
    assert_eq!(browser.text("#status"), "done");
    // What the pack does not model is listed, one click away.
    let summary = browser.text("#not-simulated summary");
    assert!(
        summary.starts_with("Not simulated (from the profile)"),
        "{summary}"
    );
    browser.click("#not-simulated summary");
    let listed = browser.text("#not-simulated ul");
    assert!(
        listed.contains("line 13: talent Go for the Throat (459550)"),
        "{listed}"
    );
    browser.screenshot("profile-job");

    // The browser's line ends and all, the job is `wowlab sim --simc` of
    // the same file, byte for byte.
    let (report, seed) = report_and_seed(&s, &job);
    let args = [&["--simc", path, "--iterations", "1000"], &REFERENCE[..]].concat();
    let local = sim(
        &dir.path().join("sim"),
        &[&args[..], &["--seed", &seed, "--json"]].concat(),
    );
    assert_eq!(report, local);
}

/// The job's report as `wowlab job status --json` prints it, and its seed.
fn report_and_seed(s: &Sentinel, job: &str) -> (String, String) {
    let status = s.job(&["status", job, "--json"]);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let report = String::from_utf8(status.stdout).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&report).unwrap();
    let seed = parsed["seed"].as_u64().unwrap().to_string();
    (report, seed)
}

/// A report's mean DPS as the pages show it.
fn browser_dps(report: &serde_json::Value) -> String {
    format!("{:.0}", report["mean_dps"].as_f64().unwrap())
}

#[test]
fn rotations_and_the_account_are_managed_in_the_browser() {
    let Some((browser, _dir, s)) = alice_signed_in() else {
        return;
    };

    browser.goto(&format!("{}/rotations/new", s.url));
    browser.fill("#rotation-form input[name=name]", "Keyboard pooler");
    browser.click("#rotation-form input[name=public]");
    browser.click("#rotation-form button[type=submit]");
    browser.wait_for_text("p.hint", "public", Duration::from_secs(10));
    assert!(browser.text("p.hint").contains("version 1 of 1"));
    set_script(
        &browser,
        "if ready(kill_command) { cast(kill_command) } else { wait() }\n",
    );
    browser.click("#rotation-form button[type=submit]");
    browser.wait_for_text("p.hint", "version 2 of 2", Duration::from_secs(10));
    browser.screenshot("rotation");

    browser.goto(&format!("{}/rotations/public?q=keyboard", s.url));
    browser.wait_for_text(
        "table.rotations",
        "Keyboard pooler",
        Duration::from_secs(10),
    );

    browser.goto(&format!("{}/account", s.url));
    browser.fill("#token-form input[name=name]", "laptop");
    browser.click("#token-form button[type=submit]");
    browser.wait_for("#new-token", Duration::from_secs(10));
    let token = browser.script(
        "return document.getElementById('new-token').value",
        serde_json::json!([]),
    );
    let token = token.as_str().unwrap();
    browser.screenshot("account");
    let (status, _) = s.api(reqwest::Method::GET, "/jobs", token, None);
    assert!(status.is_success(), "the token made in the browser works");
}

#[test]
fn a_test_with_a_broken_script_shows_the_error_line() {
    let Some((browser, _dir, _sentinel)) = alice_signed_in() else {
        return;
    };

    browser.click("#test-button");
    let ok = browser.wait_for_text("#test-result", "DPS", Duration::from_secs(60));
    assert!(ok.contains("100 iterations"), "{ok}");

    let broken = "if ready(kill_command) {\n    cast(kill_command)\n} else if ready(cobra_shot {\n    cast(cobra_shot)\n} else {\n    wait()\n}\n";
    set_script(&browser, broken);
    browser.click("#test-button");
    let error = browser.wait_for_text("#test-result", "Line 3", Duration::from_secs(30));
    assert!(!error.contains("DPS"), "{error}");
    assert!(
        browser.has("#gutter span.bad[data-line='3']"),
        "line 3 is marked"
    );
    browser.screenshot("test-error");

    set_script(&browser, "cast(no_such_spell)\n");
    browser.click("#test-button");
    let unknown = browser.wait_for_text("#test-result", "no_such_spell", Duration::from_secs(30));
    assert!(unknown.contains("Line 1"), "{unknown}");
}

#[test]
fn a_node_is_claimed_with_its_code_and_renamed() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Sentinel::start(sqlite(dir.path()), &[]);
    s.set_password("alice", PASSWORD);
    let (node, code) = s.unclaimed_node(&dir.path().join("node"), 2);
    sign_in(&browser, &s, "alice");

    browser.goto(&format!("{}/nodes", s.url));
    browser.fill("#claim-form input[name=code]", "ZZZZ-ZZZZ");
    browser.click("#claim-form button[type=submit]");
    browser.wait_for_text(".error", "No node has the code", Duration::from_secs(10));

    browser.fill("#claim-form input[name=code]", &code.to_lowercase());
    browser.click("#claim-form button[type=submit]");
    browser.wait_for_text(".notice", "Node claimed", Duration::from_secs(10));
    let card = browser.text("article.node");
    assert!(card.contains("online"), "{card}");
    assert!(
        !card.contains("unknown"),
        "the node said how many cores it has: {card}"
    );
    node.wait_for("taking work", Duration::from_secs(30));

    browser.fill("article.node input[name=name]", "attic box");
    browser.fill("article.node input[name=max_parallel]", "3");
    browser.click("article.node button[type=submit]");
    browser.wait_for_text("article.node h2", "attic box", Duration::from_secs(10));
    browser.screenshot("nodes");
    let (_, nodes) = s.api(reqwest::Method::GET, "/nodes", &s.token, None);
    assert_eq!(nodes[0]["name"], "attic box");
    assert_eq!(nodes[0]["max_parallel"], 3);
    assert!(nodes[0]["cores"].as_u64().unwrap() >= 1, "{nodes}");
}

#[test]
fn a_second_player_cannot_open_a_private_job() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Sentinel::start(sqlite(dir.path()), &[]);
    s.add_user("bob");
    s.set_password("bob", PASSWORD);
    let job = s.submit_reference(1000);

    browser.goto(&format!("{}/jobs/{job}", s.url));
    browser.wait_for_text(
        ".error",
        &format!("no public job {job}"),
        Duration::from_secs(10),
    );

    sign_in(&browser, &s, "bob");
    browser.goto(&format!("{}/jobs/{job}", s.url));
    let text = browser.wait_for_text(".error", "no job", Duration::from_secs(10));
    assert!(text.contains(&job.to_string()), "{text}");
    assert!(!browser.has("#live"), "no job details leak");
    browser.screenshot("private-job");
    browser.goto(&format!("{}/jobs/{job}/events", s.url));
    assert!(
        !browser.text("body").contains("progress"),
        "no live events either"
    );

    // The sentinel is still serving, and the job is still its owner's.
    let (status, view) = s.api(
        reqwest::Method::GET,
        &format!("/jobs/{job}"),
        &s.token,
        None,
    );
    assert!(status.is_success(), "{view}");
}
