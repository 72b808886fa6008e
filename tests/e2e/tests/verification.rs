//! Verified results end to end: volunteers' nodes of three owners run a
//! player's job, one of them lying (`wowlab node --lie`, built only for these
//! tests); the lie is caught, the liar quarantined, and the job's report
//! still equals `wowlab sim`'s byte for byte. On SQLite and (when
//! `WOWLAB_TEST_POSTGRES` is set) PostgreSQL.

use std::path::Path;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use wowlab_e2e::{Database, Process, Sentinel, sim};

wowlab_e2e::on_both_databases!(
    a_node_lying_about_its_results_is_caught_and_the_job_equals_wowlab_sim,
    a_node_whose_digest_does_not_match_its_result_is_caught_at_once,
);

/// The job: the reference spec and rotation, 10 chunks on 60 s fights.
const JOB: [&str; 11] = [
    "--spec",
    "examples/specs/bm_hunter.toml",
    "--rotation",
    "examples/rotations/bm_hunter.rhai",
    "--iterations",
    "10000",
    "--duration",
    "60",
    "--seed",
    "77",
    "--json",
];

/// A node of a new user `owner`, open to everyone's jobs: the process and the owner's token.
fn volunteer(s: &Sentinel, owner: &str, dir: &Path, extra: &[&str]) -> (Process, String) {
    let token = s.add_user(owner);
    let node = s.node_of(&token, &dir.join(owner), 1, extra);
    let id = node_view(s, &token)["id"].as_i64().unwrap();
    let (status, v) = s.api(
        Method::PATCH,
        &format!("/nodes/{id}"),
        &token,
        Some(json!({ "permissions": "public" })),
    );
    assert_eq!(status, StatusCode::OK, "{v}");
    (node, token)
}

/// The only node of the user with `token`, as `GET /nodes` shows it.
fn node_view(s: &Sentinel, token: &str) -> Value {
    let (status, nodes) = s.api(Method::GET, "/nodes", token, None);
    assert_eq!(status, StatusCode::OK, "{nodes}");
    nodes[0].clone()
}

/// Submits the job as the sentinel's first user (who owns none of the
/// nodes) and waits for it: its report must equal `wowlab sim`'s. The job
/// as the API shows it.
fn job_equals_sim(s: &Sentinel, dir: &Path, start_honest_nodes: impl FnOnce()) -> Value {
    let out = s.job(&[&["submit"], &JOB[..]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let submitted: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = submitted["job_id"].as_i64().unwrap().to_string();
    start_honest_nodes();
    let report = s.wait_for_result(&id, Duration::from_secs(300));
    assert_eq!(report, sim(&dir.join("sim"), &JOB));
    s.api(Method::GET, &format!("/jobs/{id}"), &s.token, None).1
}

fn a_node_lying_about_its_results_is_caught_and_the_job_equals_wowlab_sim(
    db: Database,
    dir: &Path,
) {
    let s = Sentinel::start(db, &[]);
    let (mallory, mallory_token) = volunteer(&s, "mallory", dir, &["--lie", "result"]);
    let mut honest = Vec::new();
    let job = job_equals_sim(&s, dir, || {
        // The liar takes the first chunk before anyone else can.
        mallory.wait_for("reported", Duration::from_secs(60));
        for owner in ["bob", "carol"] {
            honest.push(volunteer(&s, owner, dir, &[]));
        }
    });
    let liar = node_view(&s, &mallory_token);
    assert_eq!(liar["trust"], "quarantined", "{liar}");
    assert!(liar["mismatches"].as_i64().unwrap() >= 1, "{liar}");
    let why = liar["quarantine_reason"].as_str().unwrap();
    assert!(
        why.contains("differs from the one 2 other nodes agree on"),
        "{why}"
    );
    assert!(job["verified_chunks"].as_i64().unwrap() >= 1, "{job}");
    for (_, token) in &honest {
        let node = node_view(&s, token);
        assert_eq!(node["mismatches"], 0, "{node}");
        assert_ne!(node["trust"], "quarantined", "{node}");
    }
}

fn a_node_whose_digest_does_not_match_its_result_is_caught_at_once(db: Database, dir: &Path) {
    let s = Sentinel::start(db, &[]);
    let (mallory, mallory_token) = volunteer(&s, "mallory", dir, &["--lie", "body"]);
    let mut honest = Vec::new();
    job_equals_sim(&s, dir, || {
        mallory.wait_for("the result was not taken", Duration::from_secs(60));
        for owner in ["bob", "carol"] {
            honest.push(volunteer(&s, owner, dir, &[]));
        }
    });
    let liar = node_view(&s, &mallory_token);
    assert_eq!(liar["trust"], "quarantined", "{liar}");
    let why = liar["quarantine_reason"].as_str().unwrap();
    assert!(why.contains("but its result's digest is"), "{why}");
    assert_eq!(liar["completed"], 0, "{liar}");
}
