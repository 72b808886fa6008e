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
use wowlab_sentinel::api::AppState;
use wowlab_sentinel::store::Store;
use wowlab_sentinel::thresholds::Thresholds;

/// Thresholds short enough for tests.
pub fn thresholds() -> Thresholds {
    Thresholds {
        sweep_every: Duration::from_millis(50),
        maintenance_every: Duration::from_millis(200),
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
    let token = "a-test-token".to_string();
    store
        .add_user("tester", &wowlab_sentinel::hash_hex(token.as_bytes()))
        .await
        .unwrap()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let runtime = std::sync::Arc::new(wowlab::runtime::Runtime::new(Default::default()).unwrap());
    let state = AppState::new(store.clone(), runtime, 20_000, thresholds());
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
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("s.db").display());
    serve(Store::connect(&url).await.unwrap(), Some(dir)).await
}

pub async fn postgres() -> Option<Server> {
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
    let store = Store::connect(&format!("{base}/{name}")).await.unwrap();
    Some(serve(store, None).await)
}

/// Runs each named test against SQLite and, when configured, PostgreSQL.
#[macro_export]
macro_rules! on_both_stores {
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

/// A stored config naming an engine pinned on `s`, and its hash.
pub async fn runnable_config(s: &Server) -> String {
    let engine = "e".repeat(64);
    s.store.pin_engine(&engine).await.unwrap();
    let (hash, json) = config_json_for_engine(&engine);
    let (status, v) = s.put(&format!("/configs/{hash}"), json).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    hash
}

pub fn config_json_for_engine(engine: &str) -> (String, String) {
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
        },
    );
    let config = SimConfig {
        engine: engine.to_string(),
        ..config
    };
    let json = config.canonical_json();
    (wowlab_sentinel::hash_hex(json.as_bytes()), json)
}

impl Server {
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
        (status, r.json().await.unwrap())
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
