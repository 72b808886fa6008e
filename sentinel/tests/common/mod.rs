//! The sentinel test harness: a real sentinel on a real socket, on SQLite
//! and (when `WOWLAB_TEST_POSTGRES` names an admin URL) PostgreSQL, each
//! test on a fresh database.

#![allow(dead_code)] // Each test binary uses a part.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use wowlab_engine::SimConfig;
use wowlab_engine::config::Fight;
use wowlab_sentinel::app::AppState;
use wowlab_sentinel::store::Store;
use wowlab_sentinel::thresholds::Thresholds;
use wowlab_sentinel::verification::Verification;

/// Thresholds short enough for tests.
pub fn thresholds() -> Thresholds {
    Thresholds {
        sweep_every: Duration::from_millis(50),
        maintenance_every: Duration::from_millis(200),
        delivery_grace: Duration::from_millis(300),
        ..Thresholds::default()
    }
}

/// A running sentinel and a user's token.
pub struct Server {
    pub base: String,
    pub token: String,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

pub async fn serve(store: Store, dir: Option<tempfile::TempDir>) -> Server {
    serve_with(store, dir, thresholds()).await
}

/// A sentinel with these thresholds.
pub async fn serve_with(
    store: Store,
    dir: Option<tempfile::TempDir>,
    thresholds: Thresholds,
) -> Server {
    wowlab_sentinel::prepare(&store).await.unwrap();
    let token = "a-test-token".to_string();
    store
        .add_user(
            "tester",
            &wowlab_protocol::address::hash_of(token.as_bytes()),
        )
        .await
        .unwrap()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let runtime =
        std::sync::Arc::new(wowlab_runtime::runtime::Runtime::new(Default::default()).unwrap());
    let state = AppState::new(store.clone(), runtime, 20_000, thresholds);
    tokio::spawn(wowlab_sentinel::serve(
        state,
        listener,
        "test".into(),
        std::future::pending(),
    ));
    Server {
        base,
        token,
        store,
        _dir: dir,
    }
}

pub async fn sqlite() -> Server {
    let (store, dir) = sqlite_store().await;
    serve(store, Some(dir)).await
}

/// A sentinel on SQLite that re-runs results as `verification` says.
pub async fn sqlite_with(verification: Verification) -> Server {
    let (store, dir) = sqlite_store().await;
    serve(store.with_verification(verification), Some(dir)).await
}

/// A sentinel on PostgreSQL that re-runs results as `verification` says.
pub async fn postgres_with(verification: Verification) -> Option<Server> {
    let url = postgres_database().await?;
    let store = Store::connect(&url).await.unwrap();
    Some(serve(store.with_verification(verification), None).await)
}

/// A fresh SQLite store in a temporary directory.
pub async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("s.db").display());
    (Store::connect(&url).await.unwrap(), dir)
}

pub async fn postgres() -> Option<Server> {
    let url = postgres_database().await?;
    Some(serve(Store::connect(&url).await.unwrap(), None).await)
}

/// The URL of a fresh PostgreSQL database, when `WOWLAB_TEST_POSTGRES` is set.
pub async fn postgres_database() -> Option<String> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin = std::env::var("WOWLAB_TEST_POSTGRES").ok()?;
    let name = format!(
        "wowlab_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    // The name is made here from digits and a fixed prefix.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Some(format!("{base}/{name}"))
}

/// Runs each named test against SQLite and, when configured, PostgreSQL;
/// `with POLICY;` first: on sentinels with that verification policy.
#[macro_export]
macro_rules! on_both_stores {
    (with $policy:expr; $($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            pub async fn sqlite() {
                super::$name($crate::common::sqlite_with($policy).await).await;
            }

            #[tokio::test]
            pub async fn postgres() {
                match $crate::common::postgres_with($policy).await {
                    Some(server) => super::$name(server).await,
                    None => eprintln!("PostgreSQL variant not run: set WOWLAB_TEST_POSTGRES"),
                }
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            pub async fn sqlite() {
                super::$name($crate::common::sqlite().await).await;
            }

            #[tokio::test]
            pub async fn postgres() {
                match $crate::common::postgres().await {
                    Some(server) => super::$name(server).await,
                    None => eprintln!("PostgreSQL variant not run: set WOWLAB_TEST_POSTGRES"),
                }
            }
        }
    )*};
}

pub fn config_json() -> (String, String) {
    config_json_for_engine("")
}

/// A script for the test spec.
pub const SCRIPT: &str = "if ready(s) { cast(s) } else { wait() }";

/// A stored config naming the built-in engine (pinned) and a stored
/// rotation version, as a client would make it; its hash.
pub async fn runnable_config(s: &Server) -> String {
    let (status, v) = s
        .call(
            reqwest::Method::POST,
            "/rotations",
            &s.token,
            Some(json!({ "name": "test", "script": SCRIPT })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (hash, json) = runnable_config_json(v["checksum"].as_str().unwrap());
    let (status, v) = s.put(&format!("/configs/{hash}"), json).await;
    assert!(status.is_success(), "{v}");
    hash
}

/// The config JSON of [`runnable_config`] for a script checksum, and its hash.
pub fn runnable_config_json(script: &str) -> (String, String) {
    config_json_with(
        &wowlab_protocol::address::hash_of(wowlab_artifacts::ENGINE),
        wowlab_engine::config::RotationRef {
            backend: "rhai".into(),
            module: wowlab_protocol::address::hash_of(wowlab_artifacts::RHAI),
            script: script.into(),
        },
    )
}

pub fn config_json_for_engine(engine: &str) -> (String, String) {
    config_json_with(engine, Default::default())
}

pub fn config_json_with(
    engine: &str,
    rotation: wowlab_engine::config::RotationRef,
) -> (String, String) {
    let spec = serde_json::from_value(json!({
        "name": "test",
        "resource": { "name": "mana", "max": 100.0 },
        "spells": [{ "name": "s", "cooldown_ms": 1000, "damage": { "base": 1.0 } }]
    }))
    .unwrap();
    let config = SimConfig::for_spec(
        spec,
        Fight {
            duration_ms: 60_000,
            vary_length: 0.0,
            targets: 1,
            external_auras: Vec::new(),
        },
    );
    let config = SimConfig {
        engine: engine.to_string(),
        rotation,
        ..config
    };
    let c = wowlab_protocol::address::Canonical::of(&config);
    (c.hash, c.json)
}

impl Server {
    /// A client of a sentinel running elsewhere (another process) on `store`.
    pub fn client(base: &str, token: &str, store: Store) -> Self {
        Self {
            base: base.to_string(),
            token: token.to_string(),
            store,
            _dir: None,
        }
    }

    /// `GET /api/v1{path}` without a token, as JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        reqwest::get(self.url(path))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = reqwest::Client::new()
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            r = r.json(&body);
        }
        let r = r.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, body)
    }

    pub async fn put(&self, path: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
        let r = reqwest::Client::new()
            .put(self.url(path))
            .bearer_auth(&self.token)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap())
    }
}

/// Adds a user and returns their token.
pub async fn add_user(s: &Server, name: &str) -> String {
    let token = format!("{name}-token");
    s.store
        .add_user(name, &wowlab_protocol::address::hash_of(token.as_bytes()))
        .await
        .unwrap()
        .unwrap();
    token
}

/// A public node of a new user `owner`, with `slots`: the node, its id and the owner's token.
pub async fn volunteer(s: &Server, seed: u8, owner: &str, slots: u32) -> (TestNode, i64, String) {
    let token = add_user(s, owner).await;
    let node = TestNode::new(seed, &s.base);
    let id = join_public(s, &node, &token, slots).await;
    (node, id, token)
}

/// Joins `node` for the user with `token`, open to everyone's jobs; its id.
pub async fn join_public(s: &Server, node: &TestNode, token: &str, slots: u32) -> i64 {
    let id = node.join(s, token, slots).await;
    let (status, v) = s
        .call(
            reqwest::Method::PATCH,
            &format!("/nodes/{id}"),
            token,
            Some(json!({ "permissions": "public" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    id
}

/// Creates a job of `iterations` on `config` as the user with `token`; its id.
pub async fn create_job(s: &Server, token: &str, config: &str, iterations: u64) -> i64 {
    let (status, v) = s
        .call(
            reqwest::Method::POST,
            "/jobs",
            token,
            Some(json!({ "config_hash": config, "iterations": iterations })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["job_id"].as_i64().unwrap()
}

/// A node speaking the real protocol: every request signed with its key.
pub struct TestNode {
    pub key: wowlab_protocol::signing::NodeKey,
    pub base: String,
}

impl TestNode {
    /// A node with a key made from `seed`, talking to `base`.
    pub fn new(seed: u8, base: &str) -> Self {
        Self {
            key: wowlab_protocol::signing::NodeKey::from_secret([seed; 32]),
            base: base.to_string(),
        }
    }

    /// A fresh nonce.
    pub fn nonce() -> String {
        use rand::RngExt;
        let n: u128 = rand::rng().random();
        format!("{n:032x}")
    }

    /// Sends a request signed at `timestamp` with `nonce`.
    pub async fn send_signed(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &[u8],
        headers: &wowlab_protocol::signing::SignedHeaders,
    ) -> (StatusCode, Value) {
        let mut request = reqwest::Client::new()
            .request(method, format!("{}/api/v1{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_vec());
        for (name, value) in headers.pairs() {
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Headers signing this request now with a fresh nonce.
    pub fn sign(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> wowlab_protocol::signing::SignedHeaders {
        self.key.sign(
            wowlab_sentinel::now(),
            &Self::nonce(),
            method,
            &format!("/api/v1{path}"),
            body,
        )
    }

    /// A signed POST of `body`.
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let bytes = serde_json::to_vec(&body).unwrap();
        let headers = self.sign("POST", path, &bytes);
        self.send_signed(reqwest::Method::POST, path, &bytes, &headers)
            .await
    }

    /// Registers, and has the user with `token` claim it; its id.
    pub async fn join(&self, s: &Server, token: &str, max_parallel: u32) -> i64 {
        let (status, v) = self
            .post(
                "/nodes/register",
                json!({ "name": "test node", "max_parallel": max_parallel }),
            )
            .await;
        assert!(status.is_success(), "{v}");
        let (status, claimed) = s
            .call(
                reqwest::Method::POST,
                "/nodes/claim",
                token,
                Some(json!({ "code": v["claim_code"] })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{claimed}");
        v["node_id"].as_i64().unwrap()
    }

    /// Opens the assignment stream with a signed handshake.
    pub async fn stream(
        &self,
    ) -> Result<
        tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
        tokio_tungstenite::tungstenite::Error,
    > {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let url = format!(
            "{}/api/v1/nodes/stream",
            self.base.replacen("http", "ws", 1)
        );
        let mut request = url.into_client_request().unwrap();
        for (name, value) in self.sign("GET", "/nodes/stream", b"").pairs() {
            request.headers_mut().insert(name, value.parse().unwrap());
        }
        tokio_tungstenite::connect_async(request)
            .await
            .map(|(stream, _)| stream)
    }

    /// Polls for work.
    pub async fn poll(&self) -> Vec<wowlab_protocol::api::Assignment> {
        let (status, v) = self.post("/nodes/poll", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        serde_json::from_value::<wowlab_protocol::api::Assignments>(v)
            .unwrap()
            .assignments
    }

    /// Runs an assignment with the native engine, as a real node would with the wasm one.
    pub fn run(&self, config: &SimConfig, a: &wowlab_protocol::api::Assignment) -> Value {
        let result = run_native(config, a.seed, a.first_iteration, a.iterations);
        serde_json::to_value(result).unwrap()
    }

    /// Reports finished chunks' results in one request, each with its
    /// digest (an empty one when it is no `BatchResult`); the answer.
    pub async fn report(&self, results: &[(i64, Value)]) -> (StatusCode, Value) {
        let results: Vec<Value> = results
            .iter()
            .map(|(chunk, result)| {
                let digest = serde_json::from_value::<wowlab_engine::BatchResult>(result.clone())
                    .map(|r| wowlab_protocol::digest::result_digest(&r))
                    .unwrap_or_default();
                json!({ "chunk_id": chunk, "result": result, "digest": digest })
            })
            .collect();
        self.post("/chunks/complete", json!({ "results": results }))
            .await
    }

    /// Runs and reports an assignment; the status and the chunk's outcome:
    /// its acknowledgement, or its refusal (with `error`), or the error.
    pub async fn complete(
        &self,
        config: &SimConfig,
        a: &wowlab_protocol::api::Assignment,
    ) -> (StatusCode, Value) {
        let result = self.run(config, a);
        let (status, v) = self.report(&[(a.chunk_id, result)]).await;
        let outcome = v["acks"].get(0).or_else(|| v["refused"].get(0)).cloned();
        (status, outcome.unwrap_or(v))
    }
}

/// The test spec's rotation: cast the first castable spell, else wait.
pub fn run_native(
    config: &SimConfig,
    seed: u64,
    first: u64,
    count: u32,
) -> wowlab_engine::BatchResult {
    use wowlab_engine::snapshot;
    let spells = config.spec.spells.len();
    let mut rotation = move |s: &[f64]| {
        Ok((0..spells)
            .find(|&i| s[snapshot::spell(i, snapshot::SPELL_CASTABLE)] > 0.0)
            .map_or(wowlab_engine::Action::Wait(0), |i| {
                wowlab_engine::Action::Cast(i as u32)
            }))
    };
    wowlab_engine::run_batch(config, &mut rotation, seed, first, count).unwrap()
}

/// The config stored under `hash`.
pub async fn stored_config(s: &Server, hash: &str) -> SimConfig {
    let body = s.store.config(hash).await.unwrap().unwrap().body;
    SimConfig::from_json(&body).unwrap()
}

/// The next batch pushed on a stream, waiting at most `within`.
pub async fn next_pushed(
    stream: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    within: Duration,
) -> Vec<wowlab_protocol::api::Assignment> {
    use futures_util::StreamExt;
    let message = tokio::time::timeout(within, stream.next())
        .await
        .expect("assignments are pushed in time")
        .unwrap()
        .unwrap();
    serde_json::from_str::<wowlab_protocol::api::Assignments>(message.to_text().unwrap())
        .unwrap()
        .assignments
}
