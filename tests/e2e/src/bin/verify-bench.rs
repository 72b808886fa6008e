//! `verify-bench`: the extra CPU that verification costs at the default
//! re-run rates. A sentinel process (SQLite) and simulated volunteer nodes
//! of different owners in this process, speaking the real signed protocol,
//! run a player's jobs one after another (a ready-made result per chunk, the
//! same on every node, so all runs agree). Every run of a chunk costs a
//! node the same CPU, so the extra CPU is the share of runs that were
//! re-runs: printed per job as the nodes' streaks grow. Next to it, the
//! sentinel's own cost per result: its digest of a result the size of a
//! real one.
//!
//! `cargo build --release --workspace && target/release/verify-bench [JOBS] [CHUNKS] [NODES]`

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use reqwest::Method;
use serde_json::json;
use wowlab_e2e::{Database, Sentinel};
use wowlab_protocol::signing::NodeKey;

fn main() {
    let mut args = std::env::args().skip(1);
    let jobs: u64 = args.next().map_or(12, |n| n.parse().expect("JOBS"));
    let chunks: u64 = args.next().map_or(50, |n| n.parse().expect("CHUNKS"));
    let nodes: usize = args.next().map_or(4, |n| n.parse().expect("NODES"));
    let dir = tempfile::tempdir().unwrap();
    let s = Sentinel::start(Database::Sqlite(dir.path().join("s")), &[]);
    let keys: Vec<NodeKey> = (0..nodes)
        .map(|k| volunteer(&s, &format!("volunteer{k}"), k))
        .collect();
    let runs = AtomicU64::new(0);
    println!(
        "{jobs} jobs × {chunks} chunks on {nodes} volunteers' nodes (default rates: \
         all of a new node's results re-run; after 10 confirmed in a row 10 %, \
         falling with the streak to 2 %):"
    );
    println!("  job   chunks so far per node   runs   re-runs   extra CPU");
    let (mut all_runs, mut all_chunks) = (0, 0);
    for job in 1..=jobs {
        let before = runs.load(Ordering::Relaxed);
        let id = s.submit_reference(chunks * 1000);
        wowlab_e2e::run_simulated_nodes(&s, &keys, id, |n| {
            runs.fetch_add(n as u64, Ordering::Relaxed);
        });
        let job_runs = runs.load(Ordering::Relaxed) - before;
        all_runs += job_runs;
        all_chunks += chunks;
        println!(
            "  {job:>3}   {:>22}   {job_runs:>4}   {:>7}   {:>8.1} %",
            job * chunks / nodes as u64,
            job_runs - chunks,
            (job_runs - chunks) as f64 / chunks as f64 * 100.0
        );
    }
    println!(
        "  all   {:>22}   {all_runs:>4}   {:>7}   {:>8.1} %",
        all_chunks / nodes as u64,
        all_runs - all_chunks,
        (all_runs - all_chunks) as f64 / all_chunks as f64 * 100.0
    );
    digest_cost();
}

/// Registers a node, claimed by a new user `owner`, open to everyone's jobs; its key.
fn volunteer(s: &Sentinel, owner: &str, k: usize) -> NodeKey {
    let key = NodeKey::from_secret([k as u8 + 1; 32]);
    let token = s.add_user(owner);
    let body = serde_json::to_vec(&json!({ "name": owner, "max_parallel": 4 })).unwrap();
    let (status, v) = wowlab_e2e::node_post(s, &key, "/nodes/register", &body);
    assert!(status.is_success(), "{v}");
    let (status, v) = s.api(
        Method::POST,
        "/nodes/claim",
        &token,
        Some(json!({ "code": key.claim_code() })),
    );
    assert!(status.is_success(), "{v}");
    let id = v["id"].as_i64().unwrap();
    let (status, v) = s.api(
        Method::PATCH,
        &format!("/nodes/{id}"),
        &token,
        Some(json!({ "permissions": "public" })),
    );
    assert!(status.is_success(), "{v}");
    key
}

/// The sentinel's digest of a result shaped like a real chunk's (a
/// histogram of 300 buckets, 12 damage sources).
fn digest_cost() {
    let mut result = wowlab_e2e::ready_result(1000);
    for bucket in 0..300u32 {
        result.histogram.buckets.insert(1_070_000 + bucket, 3);
    }
    result.sources = (0..12)
        .map(|i| wowlab_engine::stats::SourceStats {
            name: format!("Spell number {i}"),
            damage: 123_456_789_012 * (i + 1),
            casts: 4_000,
            hits: 3_900,
            crits: 1_200,
            ..Default::default()
        })
        .collect();
    let bytes = serde_json::to_vec(&result).unwrap().len();
    let rounds = 20_000;
    let start = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(wowlab_protocol::digest::result_digest(
            std::hint::black_box(&result),
        ));
    }
    let each = start.elapsed() / rounds;
    println!("sentinel: digest of a {bytes}-byte result: {each:?} per result");
}
