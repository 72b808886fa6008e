//! Two `wowlab-sentinel` processes on one PostgreSQL database: nodes poll
//! and report to either; every chunk is assigned and counted once, the job
//! result equals one run over all iterations, maintenance runs at most once
//! per period across both, and a job created on one is pushed to a node
//! streaming from the other (woken by NOTIFY). Runs when `WOWLAB_TEST_POSTGRES` is set.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use wowlab_sentinel::store::Store;

const MAINTENANCE_MS: i64 = 300;

/// A sentinel process, killed when dropped.
struct Process {
    child: Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sentinel(url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wowlab-sentinel"));
    command.arg("--database-url").arg(url).args(args);
    command
}

fn start(url: &str) -> Process {
    let mut child = sentinel(
        url,
        &[
            "--listen",
            "127.0.0.1:0",
            "--maintenance-every-ms",
            &MAINTENANCE_MS.to_string(),
            // Long enough that only a NOTIFY from the other sentinel can wake it in time.
            "--sweep-every-ms",
            "60000",
        ],
    )
    .env("RUST_LOG", "info")
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the sentinel says where it serves")
            .unwrap();
        if let Some((_, address)) = line.split_once("serving on ") {
            break address.trim().to_string();
        }
    };
    // Keep draining its log so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Process { child, base }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sentinels_assign_and_count_every_chunk_once() {
    let Some(url) = postgres_database().await else {
        eprintln!("not run: set WOWLAB_TEST_POSTGRES");
        return;
    };
    let out = sentinel(&url, &["user", "add", "alice"]).output().unwrap();
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string();
    let a = start(&url);
    let b = start(&url);
    let store = Store::connect(&url).await.unwrap();
    let server = |base: &str| Server::client(base, &token, store.clone());
    let (sa, sb) = (server(&a.base), server(&b.base));

    let (status, v) = sa
        .call(
            Method::POST,
            "/rotations",
            &token,
            Some(json!({ "name": "test", "script": SCRIPT })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (hash, config_json) = runnable_config_json(v["checksum"].as_str().unwrap());
    let (status, v) = sa.put(&format!("/configs/{hash}"), config_json).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let config = Arc::new(stored_config(&sa, &hash).await);

    // A node streaming from B gets a job created on A at once: A's NOTIFY wakes B.
    let streaming = TestNode::new(39, &b.base);
    streaming.join(&sa, &token, 1).await;
    let mut stream = streaming.stream().await.unwrap();
    let first = create_job(&sa, &token, &hash, 1_000).await;
    let pushed = next_pushed(&mut stream, Duration::from_secs(10)).await;
    assert_eq!(pushed.len(), 1);
    assert_eq!(pushed[0].job_id, first);
    let (status, ack) = streaming.complete(&config, &pushed[0]).await;
    assert_eq!(
        (status, &ack["job_status"]),
        (StatusCode::OK, &json!("done"))
    );
    drop(stream);
    let id = streaming.post("/nodes/heartbeat", json!({})).await.1["node_id"].clone();
    let (status, _) = sa
        .call(Method::DELETE, &format!("/nodes/{id}"), &token, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let job = create_job(&sb, &token, &hash, 40_000).await;

    let mut tasks = Vec::new();
    for k in 0..4u8 {
        let node = TestNode::new(40 + k, &a.base);
        node.join(&sb, &token, 2).await;
        let (a_base, b_base, config) = (a.base.clone(), b.base.clone(), config.clone());
        tasks.push(tokio::spawn(async move {
            let on_a = TestNode::new(40 + k, &a_base);
            let on_b = TestNode::new(40 + k, &b_base);
            let mut assigned = Vec::new();
            let mut idle_rounds = 0;
            for round in 0.. {
                // Poll one sentinel, report to the other.
                let (poller, reporter) = if (round + k as usize).is_multiple_of(2) {
                    (&on_a, &on_b)
                } else {
                    (&on_b, &on_a)
                };
                let got = poller.poll().await;
                if got.is_empty() {
                    idle_rounds += 1;
                    if idle_rounds > 20 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                idle_rounds = 0;
                for assignment in got {
                    let (status, ack) = reporter.complete(&config, &assignment).await;
                    assert_eq!(status, StatusCode::OK, "{ack}");
                    assigned.push(assignment.chunk_id);
                }
            }
            assigned
        }));
    }
    let mut assigned = Vec::new();
    for task in tasks {
        assigned.extend(task.await.unwrap());
    }
    assigned.sort_unstable();
    let total = assigned.len();
    assigned.dedup();
    assert_eq!(
        (total, assigned.len()),
        (40, 40),
        "each chunk assigned once"
    );

    let (_, v) = sa
        .call(Method::GET, &format!("/jobs/{job}"), &token, None)
        .await;
    assert_eq!(
        (&v["status"], &v["progress"]),
        (&json!("done"), &json!(40_000))
    );
    let whole = run_native(&config, v["seed"].as_u64().unwrap(), 0, 40_000);
    assert_eq!(v["result"], serde_json::to_value(&whole).unwrap());

    let runs = store.maintenance_runs().await.unwrap();
    assert!(runs.len() >= 2, "maintenance ran: {runs:?}");
    for pair in runs.windows(2) {
        assert!(
            pair[1].0 - pair[0].0 >= MAINTENANCE_MS,
            "maintenance ran twice within one period: {pair:?}"
        );
    }
}
