//! A sentinel and node processes on real sockets, on SQLite and (when
//! `WOWLAB_TEST_POSTGRES` is set) PostgreSQL: results equal `wowlab sim`
//! bit for bit, through a node killed mid-chunk and a sentinel restart.

use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use wowlab_e2e::{Database, Sentinel, now, sim};

wowlab_e2e::on_both_databases!(
    two_nodes_give_the_result_of_wowlab_sim,
    a_target_error_job_stops_where_wowlab_sim_does,
    a_node_killed_mid_chunk_loses_nothing,
    a_sentinel_restart_mid_job_loses_nothing,
    a_node_stopped_with_sigterm_finishes_its_chunk_and_exits,
    a_node_runs_only_the_jobs_its_owner_permits,
    a_hostile_rotation_fails_its_own_job_only,
    forged_stale_and_replayed_node_requests_change_nothing,
    a_node_fetches_a_rotation_once_and_again_when_it_changes,
);

const SPEC: [&str; 4] = [
    "--spec",
    "examples/specs/bm_hunter.toml",
    "--rotation",
    "examples/rotations/bm_hunter.rhai",
];

/// A slow job: the Rhai interpreter (nodes run with --no-jit) on 300 s fights.
const SLOW: [&str; 7] = [
    "--backend",
    "rhai",
    "--iterations",
    "10000",
    "--seed",
    "9",
    "--json",
];

/// The slow job in three chunks, for the node killed mid-chunk: the
/// survivor runs the other two alone.
const SLOW_SHORT: [&str; 7] = [
    "--backend",
    "rhai",
    "--iterations",
    "3000",
    "--seed",
    "9",
    "--json",
];

fn args<'a>(parts: &[&[&'a str]]) -> Vec<&'a str> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

/// `wowlab sim` of the slow job, computed once.
fn slow_reference(dir: &Path) -> &'static str {
    static REFERENCE: OnceLock<String> = OnceLock::new();
    REFERENCE.get_or_init(|| sim(&dir.join("reference"), &args(&[&SPEC, &SLOW])))
}

fn submit(s: &Sentinel, extra: &[&str]) -> String {
    let out = s.job(&args(&[&["submit"], &SPEC, extra]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["job_id"].as_i64().unwrap().to_string()
}

/// Submits the reference job with `job` (which ends in `--json`) and waits:
/// its report must be `wowlab sim`'s with the same flags, byte for byte.
fn submitted_equals_sim(s: &Sentinel, dir: &Path, job: &[&str]) -> String {
    let out = s.job(&args(&[&["submit"], &SPEC, job, &["--wait"]]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let local = sim(&dir.join("sim"), &args(&[&SPEC, job]));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), local);
    local
}

fn two_nodes_give_the_result_of_wowlab_sim(db: Database, dir: &Path) {
    let s = Sentinel::start(db, &[]);
    let a = s.node(&dir.join("a"), 1, &[]);
    let b = s.node(&dir.join("b"), 1, &[]);
    let job = [
        "--iterations",
        "20000",
        "--duration",
        "60",
        "--seed",
        "42",
        "--json",
    ];
    submitted_equals_sim(&s, dir, &job);
    for node in [&a, &b] {
        node.wait_for("reported", Duration::from_secs(1));
    }
}

fn a_target_error_job_stops_where_wowlab_sim_does(db: Database, dir: &Path) {
    let s = Sentinel::start(db, &[]);
    let _node = s.node(&dir.join("a"), 2, &[]);
    let job = [
        "--iterations",
        "30000",
        "--duration",
        "60",
        "--seed",
        "7",
        "--target-error",
        "0.3",
        "--json",
    ];
    let local = submitted_equals_sim(&s, dir, &job);
    let report: serde_json::Value = serde_json::from_str(&local).unwrap();
    let ran = report["iterations"].as_u64().unwrap();
    assert!(
        ran < 30_000 && ran.is_multiple_of(1000),
        "stopped early, after whole chunks: {ran}"
    );
}

fn a_node_killed_mid_chunk_loses_nothing(db: Database, dir: &Path) {
    let s = Sentinel::start(
        db,
        &["--offline-after-secs", "4", "--maintenance-every-ms", "200"],
    );
    let mut doomed = s.node(&dir.join("a"), 1, &["--no-jit"]);
    let survivor = s.node(&dir.join("b"), 1, &["--no-jit"]);
    let id = submit(&s, &SLOW_SHORT);
    let line = doomed.wait_for("running", Duration::from_secs(30));
    doomed.kill();
    assert!(
        !doomed.log().contains("reported"),
        "killed before it reported its first chunk ({line})"
    );
    // The bound is no speed claim: beside the other tests a chunk may take
    // a minute.
    let result = s.wait_for_result_watching(&id, Duration::from_secs(300), &[&survivor]);
    let log = survivor.log();
    let runs: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(" running chunk="))
        .filter_map(|l| l.split(" running chunk=").nth(1)?.split(' ').next())
        .collect();
    let distinct: std::collections::BTreeSet<&str> = runs.iter().copied().collect();
    assert_eq!(
        runs.len(),
        distinct.len(),
        "the busy survivor kept its chunks and ran each once:\n{log}"
    );
    assert_eq!(
        result,
        sim(&dir.join("reference"), &args(&[&SPEC, &SLOW_SHORT])),
        "identical, and no chunk counted twice"
    );
}

fn a_sentinel_restart_mid_job_loses_nothing(db: Database, dir: &Path) {
    let mut s = Sentinel::start(db, &[]);
    let a = s.node(&dir.join("a"), 1, &["--no-jit"]);
    let _b = s.node(&dir.join("b"), 1, &["--no-jit"]);
    let id = submit(&s, &SLOW);
    a.wait_for("reported", Duration::from_secs(60));
    s.restart();
    let result = s.wait_for_result(&id, Duration::from_secs(120));
    assert_eq!(result, slow_reference(dir));
}

fn a_node_stopped_with_sigterm_finishes_its_chunk_and_exits(db: Database, dir: &Path) {
    let s = Sentinel::start(db, &[]);
    let mut stopping = s.node(&dir.join("a"), 1, &["--no-jit"]);
    let _other = s.node(&dir.join("b"), 1, &["--no-jit"]);
    let id = submit(&s, &SLOW);
    stopping.wait_for("running", Duration::from_secs(30));
    let status = stopping.terminate();
    assert!(
        status.success(),
        "a clean exit: {status}\n{}",
        stopping.log()
    );
    let log = stopping.log();
    assert!(
        log.contains("reported"),
        "it finished the chunk it had begun:\n{log}"
    );
    assert!(log.contains("stopped"), "{log}");
    let result = s.wait_for_result(&id, Duration::from_secs(120));
    assert_eq!(result, slow_reference(dir));
}

/// The id of the only node of the user with `token`.
fn only_node(s: &Sentinel, token: &str) -> i64 {
    let (status, nodes) = s.api(Method::GET, "/nodes", token, None);
    assert_eq!(status, StatusCode::OK, "{nodes}");
    assert_eq!(nodes.as_array().unwrap().len(), 1, "{nodes}");
    nodes[0]["id"].as_i64().unwrap()
}

fn a_node_runs_only_the_jobs_its_owner_permits(db: Database, dir: &Path) {
    let s = Sentinel::start(db, &[]);
    let bob = s.add_user("bob");
    let _alices = s.node(&dir.join("a"), 1, &[]);
    let bobs = s.node_of(&bob, &dir.join("b"), 1, &[]);
    let job = ["--iterations", "20000", "--seed", "3", "--json", "--wait"];
    let out = s.job(&args(&[&["submit"], &SPEC, &job]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !bobs.log().contains("running"),
        "bob's node only runs bob's jobs:\n{}",
        bobs.log()
    );

    let id = only_node(&s, &bob);
    let (status, v) = s.api(
        Method::PATCH,
        &format!("/nodes/{id}"),
        &bob,
        Some(json!({ "permissions": "public" })),
    );
    assert_eq!(status, StatusCode::OK, "{v}");
    let job = [
        "--iterations",
        "20000",
        "--seed",
        "4",
        "--json",
        "--wait",
        "--access",
        "public",
    ];
    let out = s.job(&args(&[&["submit"], &SPEC, &job]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    bobs.wait_for("running", Duration::from_secs(1));
}

fn a_hostile_rotation_fails_its_own_job_only(db: Database, dir: &Path) {
    let s = Sentinel::start(
        db,
        &[
            "--failed-chunk-wait-secs",
            "1",
            "--maintenance-every-ms",
            "200",
        ],
    );
    let mallory = s.add_user("mallory");
    let _a = s.node(&dir.join("a"), 1, &[]);
    let _b = s.node(&dir.join("b"), 1, &[]);
    let (_, nodes) = s.api(Method::GET, "/nodes", &s.token, None);
    for node in nodes.as_array().unwrap() {
        let (status, v) = s.api(
            Method::PATCH,
            &format!("/nodes/{}", node["id"]),
            &s.token,
            Some(json!({ "permissions": "public" })),
        );
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    let hostile = dir.join("hostile.rhai");
    std::fs::write(&hostile, "loop { }").unwrap();
    let hostile = hostile.to_str().unwrap();
    let out = s.job_as(
        &mallory,
        &[
            "submit",
            "--spec",
            "examples/specs/bm_hunter.toml",
            "--rotation",
            hostile,
            "--iterations",
            "5000",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let good = [
        "--iterations",
        "10000",
        "--duration",
        "60",
        "--seed",
        "5",
        "--json",
    ];
    let out = s.job(&args(&[&["submit"], &SPEC, &good, &["--wait"]]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let local = sim(&dir.join("sim"), &args(&[&SPEC, &good]));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), local);

    let start = Instant::now();
    loop {
        let (_, jobs) = s.api(Method::GET, "/jobs", &mallory, None);
        let job = &jobs[0];
        if job["status"] == "failed" {
            let error = job["error"].as_str().unwrap();
            assert!(
                error.contains("chunk") && error.contains("rotation"),
                "the owner sees which chunk failed and why: {error}"
            );
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{job}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A signed POST from a node with `key`, signed by `signer`.
fn node_post(
    s: &Sentinel,
    key: &wowlab_protocol::signing::NodeKey,
    signer: &wowlab_protocol::signing::NodeKey,
    path: &str,
    body: &[u8],
    timestamp: i64,
    nonce: &str,
) -> (StatusCode, serde_json::Value) {
    wowlab_e2e::signed_post(&s.url, key, signer, path, body, timestamp, nonce)
}

fn forged_stale_and_replayed_node_requests_change_nothing(db: Database, _dir: &Path) {
    use wowlab_protocol::signing::NodeKey;
    let s = Sentinel::start(db, &[]);
    let key = NodeKey::from_secret([21; 32]);
    let forger = NodeKey::from_secret([22; 32]);
    let register = br#"{"name":"scripted","max_parallel":1}"#;
    let (status, v) = node_post(
        &s,
        &key,
        &key,
        "/nodes/register",
        register,
        now(),
        "register-nonce-0001",
    );
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, v) = s.api(
        Method::POST,
        "/nodes/claim",
        &s.token,
        Some(json!({ "code": key.claim_code() })),
    );
    assert_eq!(status, StatusCode::OK, "{v}");
    let id = submit(&s, &["--iterations", "2000", "--json"]);
    let (status, v) = node_post(
        &s,
        &key,
        &key,
        "/nodes/poll",
        b"{}",
        now(),
        "poll-nonce-000001",
    );
    assert_eq!(status, StatusCode::OK, "{v}");
    let chunk = v["assignments"][0]["chunk_id"].as_i64().unwrap();
    let release = format!("/chunks/{chunk}/release");

    let refusals = [
        (&forger, now(), "forged-nonce-00001", "bad signature"),
        (&key, now() - 3600, "stale-nonce-000001", "stale timestamp"),
    ];
    for (signer, timestamp, nonce, needle) in refusals {
        let (status, v) = node_post(&s, &key, signer, &release, b"{}", timestamp, nonce);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{needle}: {v}");
        assert!(v["error"].as_str().unwrap().contains(needle), "{v}");
    }
    let (_, job) = s.api(Method::GET, &format!("/jobs/{id}"), &s.token, None);
    assert_eq!(job["status"], "running", "nothing was released: {job}");

    let (status, v) = node_post(&s, &key, &key, &release, b"{}", now(), "release-nonce-0001");
    assert_eq!((status, &v["status"]), (StatusCode::OK, &json!("pending")));
    let (status, v) = node_post(
        &s,
        &key,
        &key,
        "/nodes/poll",
        b"{}",
        now(),
        "poll-nonce-000002",
    );
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = node_post(&s, &key, &key, &release, b"{}", now(), "release-nonce-0001");
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    assert!(v["error"].as_str().unwrap().contains("replayed"), "{v}");
    let (_, nodes) = s.api(Method::GET, "/nodes", &s.token, None);
    assert_eq!(
        nodes[0]["running"], 1,
        "the replay did not release the chunk again: {nodes}"
    );
}

fn a_node_fetches_a_rotation_once_and_again_when_it_changes(db: Database, dir: &Path) {
    let s = Sentinel::start(db, &[]);
    let node = s.node(&dir.join("a"), 1, &["--json-logs"]);
    let script = std::fs::read_to_string(wowlab_e2e::repo().join(SPEC[3])).unwrap();
    let rotation = dir.join("bm.rhai");
    let run = |seed: &str| {
        let out = s.job(&[
            "submit",
            "--spec",
            SPEC[1],
            "--rotation",
            rotation.to_str().unwrap(),
            "--iterations",
            "2000",
            "--duration",
            "60",
            "--seed",
            seed,
            "--wait",
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let fetches = || {
        node.log()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|v| v["fields"]["message"] == "fetched script")
            .map(|v| v["fields"]["checksum"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    std::fs::write(&rotation, &script).unwrap();
    run("1");
    run("2");
    assert_eq!(
        fetches().len(),
        1,
        "an unchanged rotation is fetched once: {:?}",
        fetches()
    );
    std::fs::write(&rotation, format!("{script}\n// tuned\n")).unwrap();
    run("3");
    let fetched = fetches();
    assert_eq!(fetched.len(), 2, "the new version is fetched: {fetched:?}");
    assert_ne!(fetched[0], fetched[1]);
}
