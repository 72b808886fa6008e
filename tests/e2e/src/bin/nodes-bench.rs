//! `nodes-bench`: many nodes against one sentinel. A sentinel process
//! (SQLite, then PostgreSQL when `WOWLAB_TEST_POSTGRES` names an admin URL)
//! and NODES lightweight nodes in this process, each with its own key,
//! speaking the real protocol: signed registration, claim, the WebSocket
//! assignment stream, heartbeats every 15 s listing the running chunks, and
//! signed reports. A chunk "runs" for a fixed time (no simulation) so the
//! figures are the sentinel's. A client submits a 10-chunk job every 100 ms.
//!
//! Measured: heartbeat round trips, and assignment latency (from sending
//! `POST /jobs` to the node holding the chunk), p50 and p99.
//!
//! `cargo build --release --workspace && target/release/nodes-bench [NODES] [SECONDS]`

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use wowlab_e2e::{Database, Sentinel, now};
use wowlab_protocol::api::Assignments;
use wowlab_protocol::signing::NodeKey;

/// Chunks a node runs at once.
const SLOTS: u32 = 2;
/// How long a chunk "runs".
const CHUNK_TIME: Duration = Duration::from_secs(3);
/// The heartbeat period the sentinel asks for.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(15);
/// Chunks per submitted job (1,000 iterations each).
const JOB_CHUNKS: u64 = 10;
/// Time between submitted jobs.
const SUBMIT_EVERY: Duration = Duration::from_millis(100);

fn main() {
    let mut args = std::env::args().skip(1);
    let nodes: usize = args.next().map_or(1000, |n| n.parse().expect("NODES"));
    let seconds: u64 = args.next().map_or(30, |n| n.parse().expect("SECONDS"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut databases = vec![("SQLite", Database::Sqlite(dir.path().join("s")))];
    if std::env::var("WOWLAB_TEST_POSTGRES").is_ok() {
        let url = runtime
            .block_on(wowlab_e2e::postgres_database())
            .expect("a database");
        databases.push(("PostgreSQL", Database::Postgres(url)));
    }
    println!(
        "{nodes} nodes × {SLOTS} slots, a {JOB_CHUNKS}-chunk job every {SUBMIT_EVERY:?} for {seconds} s, chunks of {CHUNK_TIME:?}:"
    );
    for (name, database) in databases {
        let sentinel = Sentinel::start(database, &["--max-iterations", "100000000"]);
        let figures = runtime.block_on(measure(&sentinel, nodes, Duration::from_secs(seconds)));
        println!("  {name}");
        for (what, samples) in figures {
            println!(
                "    {what:<24} {:>6} samples  p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms",
                samples.len(),
                percentile(&samples, 50),
                percentile(&samples, 99),
                percentile(&samples, 100),
            );
        }
    }
}

/// What the nodes and the submitter record, in ms.
#[derive(Default)]
struct Samples {
    heartbeats: Mutex<Vec<f64>>,
    reports: Mutex<Vec<f64>>,
    /// (job, chunk, when a node got it).
    received: Mutex<Vec<(i64, i64, Instant)>>,
}

/// One bench run: register and claim the nodes, run them while jobs are
/// submitted for `window`, wait for every chunk, and return the latencies.
async fn measure(s: &Sentinel, nodes: usize, window: Duration) -> Vec<(&'static str, Vec<f64>)> {
    let client = Client::new(&s.url, &s.token);
    let config_hash = upload_config(s);
    let keys: Vec<NodeKey> = (0..nodes)
        .map(|i| {
            let mut secret = [7u8; 32];
            secret[..8].copy_from_slice(&(i as u64).to_le_bytes());
            NodeKey::from_secret(secret)
        })
        .collect();
    stream::iter(&keys)
        .for_each_concurrent(16, |key| client.join(key))
        .await;
    let samples = Arc::new(Samples::default());
    let (stop_tx, stop) = watch::channel(false);
    let mut tasks = Vec::new();
    // Streams connect in the first 2 s; then heartbeats, spread over the period.
    let connected = tokio::time::Instant::now() + Duration::from_secs(2);
    for (i, key) in keys.into_iter().enumerate() {
        let offset = connected + HEARTBEAT_EVERY.mul_f64(i as f64 / nodes as f64);
        let node = SimulatedNode {
            client: client.clone(),
            key,
            samples: samples.clone(),
            running: Arc::new(Mutex::new(HashSet::new())),
        };
        tasks.push(tokio::spawn(node.run(offset, stop.clone())));
    }
    tokio::time::sleep_until(connected).await;

    let mut submitted: HashMap<i64, Instant> = HashMap::new();
    let mut ticks = tokio::time::interval(SUBMIT_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let start = Instant::now();
    while start.elapsed() < window {
        ticks.tick().await;
        let sent = Instant::now();
        let job = client.create_job(&config_hash).await;
        submitted.insert(job, sent);
    }
    let expected = submitted.len() * JOB_CHUNKS as usize;
    let deadline = Instant::now() + Duration::from_secs(120);
    while samples.reports.lock().unwrap().len() < expected {
        assert!(
            Instant::now() < deadline,
            "only {} of {expected} chunks were reported",
            samples.reports.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop_tx.send_replace(true);
    for task in tasks {
        task.await.unwrap();
    }
    for job in submitted.keys() {
        let (_, v) = client.get(&format!("/jobs/{job}")).await;
        assert_eq!(v["status"], "done", "job {job}: {v}");
    }
    let received = samples.received.lock().unwrap();
    let mut chunks: Vec<i64> = received.iter().map(|(_, chunk, _)| *chunk).collect();
    chunks.sort_unstable();
    chunks.dedup();
    assert_eq!(
        (received.len(), chunks.len()),
        (expected, expected),
        "every chunk was pushed once\n{}",
        s.process.problems()
    );
    let assignment: Vec<f64> = received
        .iter()
        .map(|(job, _, at)| ms(*at - submitted[job]))
        .collect();
    vec![
        ("heartbeat round trip", take(&samples.heartbeats)),
        ("assignment latency", assignment),
        ("report round trip", take(&samples.reports)),
    ]
}

fn take(samples: &Mutex<Vec<f64>>) -> Vec<f64> {
    std::mem::take(&mut *samples.lock().unwrap())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `p`th percentile (nearest rank) of `samples`.
fn percentile(samples: &[f64], p: usize) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Uploads the reference config and rotation (cancelling the job that
/// uploaded them); the config's hash.
fn upload_config(s: &Sentinel) -> String {
    let job = s.submit_reference(1000);
    let (status, v) = s.api(Method::POST, &format!("/jobs/{job}/cancel"), &s.token, None);
    assert!(status.is_success(), "{v}");
    let (_, v) = s.api(Method::GET, &format!("/jobs/{job}"), &s.token, None);
    v["config_hash"].as_str().unwrap().to_string()
}

/// An async HTTP client for the user's and the nodes' requests.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    url: Arc<str>,
    token: Arc<str>,
}

impl Client {
    fn new(url: &str, token: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            url: url.into(),
            token: token.into(),
        }
    }

    /// Registers a node and claims it for the user.
    async fn join(&self, key: &NodeKey) {
        let body = json!({ "name": "bench", "max_parallel": SLOTS });
        let (status, v) = self.signed(key, "/nodes/register", &body).await;
        assert!(status.is_success(), "{v}");
        let body = json!({ "code": key.claim_code() });
        let (status, v) = self.user(Method::POST, "/nodes/claim", Some(body)).await;
        assert!(status.is_success(), "{v}");
    }

    async fn create_job(&self, config_hash: &str) -> i64 {
        let body = json!({
            "config_hash": config_hash,
            "iterations": JOB_CHUNKS * 1000,
            "access": "private",
        });
        let (status, v) = self.user(Method::POST, "/jobs", Some(body)).await;
        assert!(status.is_success(), "{v}");
        v["job_id"].as_i64().unwrap()
    }

    async fn get(&self, path: &str) -> (reqwest::StatusCode, Value) {
        self.user(Method::GET, path, None).await
    }

    async fn user(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (reqwest::StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}/api/v1{path}", self.url))
            .bearer_auth(&*self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the sentinel answers");
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn signed(
        &self,
        key: &NodeKey,
        path: &str,
        body: &Value,
    ) -> (reqwest::StatusCode, Value) {
        let full = format!("/api/v1{path}");
        let body = serde_json::to_vec(body).unwrap();
        let headers = key.sign(now(), &nonce(), "POST", &full, &body);
        let mut request = self
            .http
            .post(format!("{}{full}", self.url))
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers.pairs() {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("the sentinel answers");
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }
}

fn nonce() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("nodes-bench-{:016x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// One simulated node.
struct SimulatedNode {
    client: Client,
    key: NodeKey,
    samples: Arc<Samples>,
    running: Arc<Mutex<HashSet<i64>>>,
}

impl SimulatedNode {
    /// Streams assignments, "runs" and reports them, and heartbeats every
    /// [`HEARTBEAT_EVERY`] from `first_heartbeat` on, until `stop` is set.
    async fn run(self, first_heartbeat: tokio::time::Instant, mut stop: watch::Receiver<bool>) {
        let path = "/api/v1/nodes/stream";
        let url = format!("{}{path}", self.client.url.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        for (name, value) in self.key.sign(now(), &nonce(), "GET", path, b"").pairs() {
            request.headers_mut().insert(name, value.parse().unwrap());
        }
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the stream connects");
        let mut heartbeats = tokio::time::interval_at(first_heartbeat, HEARTBEAT_EVERY);
        let me = Arc::new(self);
        loop {
            tokio::select! {
                message = socket.next() => {
                    let Some(Ok(Message::Text(text))) = message else { break };
                    let at = Instant::now();
                    let batch: Assignments = serde_json::from_str(&text).unwrap();
                    for a in batch.assignments {
                        me.samples.received.lock().unwrap().push((a.job_id, a.chunk_id, at));
                        me.running.lock().unwrap().insert(a.chunk_id);
                        tokio::spawn(me.clone().run_chunk(a.chunk_id));
                    }
                }
                _ = heartbeats.tick() => {
                    let running: Vec<i64> = me.running.lock().unwrap().iter().copied().collect();
                    let sent = Instant::now();
                    let (status, v) = me
                        .client
                        .signed(&me.key, "/nodes/heartbeat", &json!({ "running": running }))
                        .await;
                    assert!(status.is_success(), "{v}");
                    me.samples.heartbeats.lock().unwrap().push(ms(sent.elapsed()));
                }
                _ = stop.changed() => break,
            }
        }
    }

    /// "Runs" a chunk and reports a ready-made result for it.
    async fn run_chunk(self: Arc<Self>, chunk: i64) {
        tokio::time::sleep(CHUNK_TIME).await;
        let result = wowlab_e2e::ready_result(1000);
        let body = json!({ "results": [wowlab_e2e::chunk_report(&json!(chunk), &result)] });
        let sent = Instant::now();
        let (status, v) = self
            .client
            .signed(&self.key, "/chunks/complete", &body)
            .await;
        assert!(status.is_success(), "{v}");
        assert_eq!(v["acks"].as_array().map(Vec::len), Some(1), "{v}");
        self.samples
            .reports
            .lock()
            .unwrap()
            .push(ms(sent.elapsed()));
        self.running.lock().unwrap().remove(&chunk);
    }
}
