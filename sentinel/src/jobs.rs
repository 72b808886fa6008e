//! Job rules: what a job may ask for, which configs can run, and creating
//! one. Both front ends call [`submit`]; each maps [`JobError`] to its own
//! response.

use rand::RngExt;
use thiserror::Error;
use wowlab_engine::SimConfig;
use wowlab_protocol::api::CreateJob;

use crate::access::AccessError;
use crate::app::AppState;
use crate::store::{JobId, NewJob, Store, StoreError, User};

/// Default for [`AppState::max_iterations`].
pub const DEFAULT_MAX_ITERATIONS: u64 = 10_000_000;

/// Why a job cannot be created.
#[derive(Debug, Error)]
pub enum JobError {
    /// The request is not acceptable; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// Its access names a user or group that does not exist.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A job just created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created {
    /// Its id.
    pub job: JobId,
    /// How many chunks it was split into.
    pub chunks: i64,
}

/// Creates the job `request` describes for `user`, once its config, engine
/// and modules check out.
pub async fn submit(
    state: &AppState,
    user: &User,
    request: &CreateJob,
) -> Result<Created, JobError> {
    if !(1..=state.max_iterations).contains(&request.iterations) {
        return Err(JobError::Invalid(format!(
            "`iterations` must be between 1 and {} (got {})",
            state.max_iterations, request.iterations
        )));
    }
    if let Some(target) = request.target_error
        && !(target > 0.0 && target <= 100.0)
    {
        return Err(JobError::Invalid(format!(
            "`target_error` must be a percent above 0 and at most 100 (got {target})"
        )));
    }
    let stored = state
        .store
        .config(&request.config_hash)
        .await?
        .ok_or_else(|| {
            JobError::Invalid(format!(
                "unknown config `{}`: PUT it first",
                request.config_hash
            ))
        })?;
    let config = SimConfig::from_json(&stored.body)
        .map_err(|e| JobError::Invalid(format!("the stored config is not valid: {e}")))?;
    if !state.store.is_pinned(&config.engine).await? {
        return Err(JobError::Invalid(format!(
            "the config's engine `{}` is not pinned on this sentinel; pinned engines are listed at /api/v1/status",
            config.engine
        )));
    }
    check_modules(&state.store, &config).await?;
    crate::access::permissions(&state.store, &request.access, "access").await?;
    let access = serde_json::to_string(&request.access).expect("access serialises");
    let seed = request.seed.unwrap_or_else(|| rand::rng().random()) as i64;
    let (job_id, chunks) = state
        .store
        .create_job(&NewJob {
            owner: user.id,
            config_hash: &request.config_hash,
            iterations: request.iterations as i64,
            seed,
            access: &access,
            spec: &config.spec.name,
            target_error: request.target_error,
        })
        .await?;
    state.scheduler.poke();
    Ok(Created {
        job: job_id,
        chunks,
    })
}

/// Refuses a config whose engine, rotation module or script nodes could not fetch.
async fn check_modules(store: &Store, config: &SimConfig) -> Result<(), JobError> {
    let missing = |field: &str, what: String| {
        Err(JobError::Invalid(format!(
            "the config's `{field}` names {what}"
        )))
    };
    if store.module_kind(&config.engine).await?.as_deref() != Some("engine") {
        return missing(
            "engine",
            format!(
                "`{}`, which is not a stored engine module: PUT it to /api/v1/modules first",
                config.engine
            ),
        );
    }
    let rotation = &config.rotation;
    if !matches!(rotation.backend.as_str(), "rhai" | "jit" | "wasm") {
        return missing(
            "rotation.backend",
            format!("`{}`; expected rhai, jit or wasm", rotation.backend),
        );
    }
    if store.module_kind(&rotation.module).await?.as_deref() != Some("rotation") {
        return missing(
            "rotation.module",
            format!(
                "`{}`, which is not a stored rotation module: PUT it to /api/v1/modules first",
                rotation.module
            ),
        );
    }
    if rotation.backend != "wasm" && store.script(&rotation.script).await?.is_none() {
        return missing(
            "rotation.script",
            format!(
                "`{}`, which is no rotation version's checksum: POST the script to /api/v1/rotations first",
                rotation.script
            ),
        );
    }
    Ok(())
}
