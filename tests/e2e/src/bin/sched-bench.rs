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
use std::time::Instant;

use reqwest::Method;
use serde_json::json;
use wowlab_e2e::{Database, Sentinel};
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
        let (status, v) = wowlab_e2e::node_post(&s, key, "/nodes/register", &body);
        assert!(status.is_success(), "{v}");
        let (status, v) = s.api(
            Method::POST,
            "/nodes/claim",
            &s.token,
            Some(json!({ "code": key.claim_code() })),
        );
        assert!(status.is_success(), "{v}");
    }
    let start = Instant::now();
    wowlab_e2e::run_simulated_nodes(&s, &keys, job, |_| {});
    let elapsed = start.elapsed();
    chunks as f64 / elapsed.as_secs_f64()
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
