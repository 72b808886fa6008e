//! `sched-bench`: scheduler throughput. A sentinel process (SQLite, then
//! PostgreSQL when `WOWLAB_TEST_POSTGRES` names an admin URL) and simulated
//! nodes in this process, speaking the real signed protocol over HTTP, poll
//! and report trivially short chunks (a ready-made result, no simulation;
//! the chunks of one poll in one report, as a node does when they finish
//! together):
//! chunks assigned and completed per second. Next to it, pgbench's
//! simple-update TPS (`-N`) on the same PostgreSQL server in the same run.
//!
//! `cargo build --release --workspace && target/release/sched-bench [CHUNKS] [NODES] [SLOTS]`

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use wowlab_e2e::{Database, Sentinel, now, signed_post};
use wowlab_protocol::signing::NodeKey;

fn main() {
    let mut args = std::env::args().skip(1);
    let chunks: u64 = args.next().map_or(3000, |n| n.parse().expect("CHUNKS"));
    let nodes: usize = args.next().map_or(8, |n| n.parse().expect("NODES"));
    let slots: u32 = args.next().map_or(8, |n| n.parse().expect("SLOTS"));
    let dir = tempfile::tempdir().unwrap();
    let mut rows = vec![(
        "SQLite".to_string(),
        throughput(Database::Sqlite(dir.path().join("s")), chunks, nodes, slots),
    )];
    if std::env::var("WOWLAB_TEST_POSTGRES").is_ok() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let url = runtime
            .block_on(wowlab_e2e::postgres_database())
            .expect("a database");
        rows.push((
            "PostgreSQL".to_string(),
            throughput(Database::Postgres(url.clone()), chunks, nodes, slots),
        ));
        let scratch = runtime
            .block_on(wowlab_e2e::postgres_database())
            .expect("a database");
        rows.push((
            format!("pgbench -N -c {nodes} -j 2 -T 10"),
            pgbench(&scratch, nodes),
        ));
    }
    println!("{chunks} chunks, {nodes} nodes × {slots} slots:");
    for (what, rate) in rows {
        println!("  {what:<32} {rate:>8.0} /s");
    }
}

/// Chunks assigned and completed per second.
fn throughput(database: Database, chunks: u64, nodes: usize, slots: u32) -> f64 {
    let s = Sentinel::start(database, &["--max-iterations", "100000000"]);
    let job = s.submit_reference(chunks * 1000);
    let keys: Vec<NodeKey> = (0..nodes)
        .map(|k| NodeKey::from_secret([k as u8 + 1; 32]))
        .collect();
    for key in &keys {
        let body = serde_json::to_vec(&json!({ "name": "bench", "max_parallel": slots })).unwrap();
        let (status, v) = post(&s, key, "/nodes/register", &body);
        assert!(status.is_success(), "{v}");
        let (status, v) = s.api(
            Method::POST,
            "/nodes/claim",
            &s.token,
            Some(json!({ "code": key.claim_code() })),
        );
        assert!(status.is_success(), "{v}");
    }
    let result = wowlab_e2e::ready_result(1000);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for key in &keys {
            let (s, result) = (&s, &result);
            scope.spawn(move || {
                loop {
                    let (_, v) = post(s, key, "/nodes/poll", b"{}");
                    let assignments = v["assignments"].as_array().cloned().unwrap_or_default();
                    if assignments.is_empty() {
                        let (_, j) = s.api(Method::GET, &format!("/jobs/{job}"), &s.token, None);
                        if j["status"] != "running" && j["status"] != "pending" {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(2));
                        continue;
                    }
                    let results: Vec<_> = assignments
                        .iter()
                        .map(|a| wowlab_e2e::chunk_report(&a["chunk_id"], result))
                        .collect();
                    let body = serde_json::to_vec(&json!({ "results": results })).unwrap();
                    let (status, v) = post(s, key, "/chunks/complete", &body);
                    assert!(status.is_success(), "{v}\n{}", s.process.problems());
                    assert_eq!(
                        v["acks"].as_array().map(Vec::len),
                        Some(results.len()),
                        "{v}"
                    );
                }
            });
        }
    });
    let elapsed = start.elapsed();
    let (_, j) = s.api(Method::GET, &format!("/jobs/{job}"), &s.token, None);
    assert_eq!(j["status"], "done", "{j}");
    chunks as f64 / elapsed.as_secs_f64()
}

fn post(
    s: &Sentinel,
    key: &NodeKey,
    path: &str,
    body: &[u8],
) -> (reqwest::StatusCode, serde_json::Value) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NONCE: AtomicU64 = AtomicU64::new(0);
    let nonce = format!("bench-{:016x}", NONCE.fetch_add(1, Ordering::Relaxed));
    signed_post(&s.url, key, key, path, body, now(), &nonce)
}

/// pgbench's simple-update TPS with `clients` clients on the database at `url`.
fn pgbench(url: &str, clients: usize) -> f64 {
    let init = Command::new("pgbench")
        .args(["-i", "-q", "-s", "1", url])
        .output()
        .expect("pgbench runs");
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let run = Command::new("pgbench")
        .args(["-N", "-c", &clients.to_string(), "-j", "2", "-T", "10", url])
        .output()
        .expect("pgbench runs");
    let text = String::from_utf8_lossy(&run.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no tps in pgbench's output:\n{text}"))
}
