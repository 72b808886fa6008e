//! `wowlab job`: submit a simulation to a sentinel and follow it, as a user
//! (with an API token). Uploads only what the sentinel lacks: the config,
//! the rotation script (as a new version of the user's rotation of that
//! name) or the rotation component.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use wowlab_engine::SimConfig;
use wowlab_protocol::address::Canonical;
use wowlab_protocol::api::{
    Access, CreateJob, CreateRotation, CreatedJob, JobView, RotationView, UpdateRotation,
};

use crate::tls::Trust;
use wowlab_runtime::simulate::{RotationInput, SimRequest, config_for};

/// A sentinel, spoken to as a user.
pub struct UserClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl UserClient {
    /// The sentinel at `base`, with the user's API token, trusting `trust`'s certificates.
    pub fn new(base: &str, token: &str, trust: &Trust) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http: trust.http_client(None),
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<reqwest::Body>,
        content_type: &str,
    ) -> Result<reqwest::Response> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.header("content-type", content_type).body(body);
        }
        request
            .send()
            .await
            .with_context(|| format!("{method} {path}: the sentinel did not answer"))
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl serde::Serialize>,
    ) -> Result<T> {
        let body = body.map(|b| reqwest::Body::from(serde_json::to_vec(b).expect("serialises")));
        let response = self
            .send(method.clone(), path, body, "application/json")
            .await?;
        answer(&format!("{method} {path}"), response).await
    }

    /// Whether `GET path` finds something.
    async fn exists(&self, path: &str) -> Result<bool> {
        let response = self.send(Method::GET, path, None, "").await?;
        match response.status() {
            StatusCode::NOT_FOUND => Ok(false),
            s if s.is_success() => Ok(true),
            _ => Err(refusal(&format!("GET {path}"), response).await),
        }
    }

    /// Uploads what the config needs that the sentinel lacks, then the config.
    pub async fn upload(
        &self,
        config: &SimConfig,
        rotation: &RotationInput,
        name: &str,
    ) -> Result<String> {
        match rotation {
            RotationInput::Wasm(bytes) => {
                let hash = &config.rotation.module;
                if !self.exists(&format!("/modules/{hash}")).await? {
                    let response = self
                        .send(
                            Method::PUT,
                            &format!("/modules/{hash}"),
                            Some(bytes.clone().into()),
                            "application/wasm",
                        )
                        .await?;
                    answer::<serde_json::Value>("uploading the rotation module", response).await?;
                }
            }
            RotationInput::Rhai(script) | RotationInput::Jit(script, _) => {
                let checksum = &config.rotation.script;
                if !self.exists(&format!("/scripts/{checksum}")).await? {
                    self.save_script(name, &config.spec.name, script).await?;
                }
            }
        }
        let Canonical { json, hash } = Canonical::of(&config);
        let response = self
            .send(
                Method::PUT,
                &format!("/configs/{hash}"),
                Some(json.into()),
                "application/json",
            )
            .await?;
        answer::<serde_json::Value>("uploading the config", response).await?;
        Ok(hash)
    }

    /// Stores a script as a new version of the user's rotation `name` (created, for
    /// spec pack `spec`, if needed).
    async fn save_script(&self, name: &str, spec: &str, script: &str) -> Result<()> {
        let mine: Vec<RotationView> = self.json(Method::GET, "/rotations", None::<&()>).await?;
        match mine.iter().find(|r| r.name == name) {
            Some(rotation) => {
                let update = UpdateRotation {
                    script: Some(script.to_string()),
                    public: None,
                };
                let _: RotationView = self
                    .json(
                        Method::PUT,
                        &format!("/rotations/{}", rotation.id),
                        Some(&update),
                    )
                    .await?;
            }
            None => {
                let create = CreateRotation {
                    name: name.to_string(),
                    script: script.to_string(),
                    public: false,
                    spec: spec.to_string(),
                };
                let _: RotationView = self.json(Method::POST, "/rotations", Some(&create)).await?;
            }
        }
        Ok(())
    }

    /// Creates a job.
    pub async fn create_job(&self, request: &CreateJob) -> Result<CreatedJob> {
        self.json(Method::POST, "/jobs", Some(request)).await
    }

    /// A job.
    pub async fn job(&self, id: i64) -> Result<JobView> {
        self.json(Method::GET, &format!("/jobs/{id}"), None::<&()>)
            .await
    }

    /// The user's jobs, newest first.
    pub async fn jobs(&self) -> Result<Vec<JobView>> {
        self.json(Method::GET, "/jobs", None::<&()>).await
    }

    /// The config with this hash.
    pub async fn config(&self, hash: &str) -> Result<SimConfig> {
        let response = self
            .send(Method::GET, &format!("/configs/{hash}"), None, "")
            .await?;
        if !response.status().is_success() {
            return Err(refusal("fetching the config", response).await);
        }
        let text = response.text().await?;
        SimConfig::from_json(&text).map_err(|e| anyhow::anyhow!("config {hash}: {e}"))
    }

    /// Waits for a job to finish, calling `progress` with each view.
    pub async fn wait(&self, id: i64, progress: impl Fn(&JobView)) -> Result<JobView> {
        loop {
            let job = self.job(id).await?;
            progress(&job);
            if !matches!(job.status.as_str(), "pending" | "running") {
                return Ok(job);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

async fn refusal(what: &str, response: reqwest::Response) -> anyhow::Error {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or(text);
    anyhow::anyhow!("{what}: the sentinel refused ({status}): {message}")
}

async fn answer<T: DeserializeOwned>(what: &str, response: reqwest::Response) -> Result<T> {
    if !response.status().is_success() {
        return Err(refusal(what, response).await);
    }
    let text = response.text().await?;
    serde_json::from_str(&text).with_context(|| format!("{what}: unreadable answer"))
}

/// The config `request` describes, as `wowlab sim` would run it with the built-in modules.
pub fn config_of(request: &SimRequest) -> Result<SimConfig> {
    let engine = request
        .engine
        .clone()
        .unwrap_or_else(|| wowlab_protocol::address::hash_of(wowlab_artifacts::ENGINE));
    let rotation = match &request.rotation {
        RotationInput::Wasm(bytes) => wowlab_protocol::address::hash_of(bytes),
        _ => wowlab_protocol::address::hash_of(wowlab_artifacts::RHAI),
    };
    config_for(request, &engine, &rotation)
}

/// Parses `--access`: private, public, users:a,b or group:NAME.
pub fn parse_access(text: &str) -> Result<Access> {
    Ok(match text.split_once(':') {
        None if text == "private" => Access::Private,
        None if text == "public" => Access::Public,
        Some(("users", names)) => Access::Users(names.split(',').map(str::to_string).collect()),
        Some(("group", name)) => Access::Group(name.to_string()),
        _ => {
            bail!("--access must be private, public, users:NAME,NAME or group:NAME (got `{text}`)")
        }
    })
}
