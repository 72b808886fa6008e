//! The node's side of the sentinel API: signed requests, and fetches whose
//! bytes are checked against the hash they were asked for.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use thiserror::Error;
use wowlab_engine::SimConfig;
use wowlab_protocol::address::{Canonical, hash_of};
use wowlab_protocol::api::{
    Assignment, Assignments, ChunkAck, ChunkResult, ClaimNode, CompleteChunks, CompletedChunks,
    FailChunk, Heartbeat, RegisterNode, Registered,
};
use wowlab_protocol::signing::NodeKey;

use crate::tls::Trust;

/// Why a request to the sentinel failed.
#[derive(Debug, Error)]
pub enum ClientError {
    /// No answer (connection refused, reset, timed out, a certificate it
    /// does not trust): worth retrying.
    #[error("the sentinel did not answer: {}", causes(.0))]
    Unreachable(#[from] reqwest::Error),
    /// The sentinel refused the request.
    #[error("the sentinel refused {what} ({status}): {message}")]
    Refused {
        /// What was asked.
        what: String,
        /// The HTTP status.
        status: StatusCode,
        /// The sentinel's error message.
        message: String,
    },
    /// What came back does not hash to what was asked for.
    #[error("{0}")]
    Mismatch(String),
}

/// An error and its sources, e.g. "error sending request ...: invalid peer
/// certificate: UnknownIssuer", so the real cause reaches the log.
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl ClientError {
    /// Whether asking again later may succeed (no answer, or a server error).
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Unreachable(_) => true,
            ClientError::Refused { status, .. } => status.is_server_error(),
            ClientError::Mismatch(_) => false,
        }
    }
}

/// A sentinel, spoken to as one node.
#[derive(Clone)]
pub struct Sentinel {
    base: String,
    http: reqwest::Client,
    trust: Trust,
    key: NodeKey,
}

/// A fresh nonce.
fn nonce() -> String {
    use rand::RngExt;
    let n: u128 = rand::rng().random();
    format!("{n:032x}")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Sentinel {
    /// The sentinel at `base` (e.g. `https://sentinel.example` or
    /// `http://127.0.0.1:8080`), signing with `key`, trusting `trust`'s
    /// certificates.
    pub fn new(base: &str, key: NodeKey, trust: Trust) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
            http: trust.http_client(Some(Duration::from_secs(60))),
            trust,
            key,
        }
    }

    /// The connector for the assignment stream.
    pub fn websocket(&self) -> tokio_tungstenite::Connector {
        self.trust.websocket()
    }

    /// The node's key.
    pub fn key(&self) -> &NodeKey {
        &self.key
    }

    /// The WebSocket URL of the assignment stream and its signed handshake headers.
    pub fn stream_request(&self) -> (String, wowlab_protocol::signing::SignedHeaders) {
        let path = "/api/v1/nodes/stream";
        let url = format!("{}{path}", self.base.replacen("http", "ws", 1));
        (url, self.key.sign(now(), &nonce(), "GET", path, b""))
    }

    async fn refusal(what: &str, response: reqwest::Response) -> ClientError {
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or(text);
        ClientError::Refused {
            what: what.to_string(),
            status,
            message,
        }
    }

    async fn answer<T: DeserializeOwned>(
        what: &str,
        response: reqwest::Response,
    ) -> Result<T, ClientError> {
        if response.status().is_success() {
            Ok(response.json().await?)
        } else {
            Err(Self::refusal(what, response).await)
        }
    }

    async fn signed<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<T, ClientError> {
        let path = format!("/api/v1{path}");
        let body = serde_json::to_vec(body).expect("request bodies serialise");
        let headers = self.key.sign(now(), &nonce(), "POST", &path, &body);
        let mut request = self
            .http
            .request(Method::POST, format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers.pairs() {
            request = request.header(name, value);
        }
        Self::answer(what, request.send().await?).await
    }

    async fn fetch(&self, what: &str, path: &str) -> Result<reqwest::Response, ClientError> {
        let response = self
            .http
            .get(format!("{}/api/v1{path}", self.base))
            .send()
            .await?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(Self::refusal(what, response).await)
        }
    }

    /// Registers this node (or finds it registered).
    pub async fn register(&self, name: &str, max_parallel: u32) -> Result<Registered, ClientError> {
        self.signed(
            "the registration",
            "/nodes/register",
            &RegisterNode {
                name: name.to_string(),
                max_parallel,
                cores: std::thread::available_parallelism().map_or(0, |n| n.get() as u32),
            },
        )
        .await
    }

    /// Claims this node for the user whose API token this is.
    pub async fn claim(&self, token: &str, code: &str) -> Result<(), ClientError> {
        let response = self
            .http
            .post(format!("{}/api/v1/nodes/claim", self.base))
            .bearer_auth(token)
            .json(&ClaimNode {
                code: code.to_string(),
            })
            .send()
            .await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(Self::refusal("the claim", response).await)
        }
    }

    /// Says the node is alive and which chunks it runs.
    pub async fn heartbeat(&self, running: Vec<i64>) -> Result<Registered, ClientError> {
        self.signed("the heartbeat", "/nodes/heartbeat", &Heartbeat { running })
            .await
    }

    /// Asks for work.
    pub async fn poll(&self) -> Result<Vec<Assignment>, ClientError> {
        let answer: Assignments = self
            .signed("the poll", "/nodes/poll", &serde_json::json!({}))
            .await?;
        Ok(answer.assignments)
    }

    /// The config with this hash, checked: its canonical JSON must hash to it.
    pub async fn config(&self, hash: &str) -> Result<SimConfig, ClientError> {
        let text = self
            .fetch(&format!("config {hash}"), &format!("/configs/{hash}"))
            .await?
            .text()
            .await?;
        let config = SimConfig::from_json(&text)
            .map_err(|e| ClientError::Mismatch(format!("config {hash} is unreadable: {e}")))?;
        let actual = Canonical::of(&config).hash;
        if actual != hash {
            return Err(ClientError::Mismatch(format!(
                "config {hash} hashes to {actual}: refusing it"
            )));
        }
        Ok(config)
    }

    /// The module with this hash, checked.
    pub async fn module(&self, hash: &str) -> Result<Vec<u8>, ClientError> {
        let bytes = self
            .fetch(&format!("module {hash}"), &format!("/modules/{hash}"))
            .await?
            .bytes()
            .await?;
        check(&format!("module {hash}"), hash, &bytes)?;
        Ok(bytes.to_vec())
    }

    /// The script with this checksum, checked.
    pub async fn script(&self, checksum: &str) -> Result<String, ClientError> {
        let text = self
            .fetch(
                &format!("script {checksum}"),
                &format!("/scripts/{checksum}"),
            )
            .await?
            .text()
            .await?;
        check(&format!("script {checksum}"), checksum, text.as_bytes())?;
        Ok(text)
    }

    /// Reports finished chunks' results (at most
    /// [`wowlab_protocol::api::MAX_RESULTS_PER_REPORT`]) in one request.
    pub async fn complete(&self, results: &[ChunkResult]) -> Result<CompletedChunks, ClientError> {
        let body = CompleteChunks {
            results: results.to_vec(),
        };
        self.signed(
            &format!("the results of {} chunks", results.len()),
            "/chunks/complete",
            &body,
        )
        .await
    }

    /// Reports that a chunk failed.
    pub async fn fail(
        &self,
        chunk: i64,
        error: &str,
        deterministic: bool,
    ) -> Result<ChunkAck, ClientError> {
        let body = FailChunk {
            error: error.to_string(),
            deterministic,
        };
        self.signed(
            &format!("the failure of chunk {chunk}"),
            &format!("/chunks/{chunk}/fail"),
            &body,
        )
        .await
    }

    /// Gives a chunk back unrun.
    pub async fn release(&self, chunk: i64) -> Result<ChunkAck, ClientError> {
        self.signed(
            &format!("the release of chunk {chunk}"),
            &format!("/chunks/{chunk}/release"),
            &serde_json::json!({}),
        )
        .await
    }
}

fn check(what: &str, hash: &str, bytes: &[u8]) -> Result<(), ClientError> {
    let actual = hash_of(bytes);
    if actual == hash {
        Ok(())
    } else {
        Err(ClientError::Mismatch(format!(
            "{what} hashes to {actual}: refusing it"
        )))
    }
}
