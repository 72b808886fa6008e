//! Jobs: `POST /api/v1/jobs`, `GET /api/v1/jobs`, `GET /api/v1/jobs/{id}`,
//! `POST /api/v1/jobs/{id}/cancel`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wowlab_engine::SimConfig;

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use crate::store::{Job, NewJob, User};

/// Who may see a job's progress and result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The owner only.
    #[default]
    Private,
    /// Everyone.
    Public,
    /// The owner and these users.
    Users(Vec<String>),
    /// The owner and the members of this group.
    Group(String),
}

/// `POST /api/v1/jobs` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateJob {
    /// Hash of a stored config.
    pub config_hash: String,
    /// Iterations to run.
    pub iterations: u64,
    /// Who may see it (default: private).
    #[serde(default)]
    pub access: Access,
}

/// The answer to a create.
#[derive(Debug, Serialize)]
pub struct Created {
    /// The new job's id.
    pub job_id: i64,
    /// How many chunks it was split into.
    pub chunks: i64,
}

/// A job as the API shows it.
#[derive(Debug, Serialize)]
pub struct JobView {
    /// Id.
    pub id: i64,
    /// pending, running, done, failed or cancelled.
    pub status: String,
    /// Iterations completed.
    pub progress: i64,
    /// Iterations asked for.
    pub iterations: i64,
    /// Number of chunks.
    pub chunks: i64,
    /// The config it runs.
    pub config_hash: String,
    /// Who may see it.
    pub access: Value,
    /// The merged result once done.
    pub result: Option<Value>,
    /// Why it failed.
    pub error: Option<String>,
}

impl From<Job> for JobView {
    fn from(j: Job) -> Self {
        Self {
            id: j.id,
            status: j.status,
            progress: j.progress,
            iterations: j.iterations,
            chunks: j.chunks,
            config_hash: j.config_hash,
            access: serde_json::from_str(&j.access).unwrap_or(Value::Null),
            result: j.result.and_then(|r| serde_json::from_str(&r).ok()),
            error: j.error,
        }
    }
}

/// Creates a job for a stored config whose engine is pinned.
pub async fn create(
    State(state): State<AppState>,
    Caller(user): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let request: CreateJob = super::parse_json(&body?, "job")?;
    if !(1..=state.max_iterations).contains(&request.iterations) {
        return Err(ApiError::BadRequest(format!(
            "`iterations` must be between 1 and {} (got {})",
            state.max_iterations, request.iterations
        )));
    }
    let stored = state
        .store
        .config(&request.config_hash)
        .await?
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "unknown config `{}`: PUT it first",
                request.config_hash
            ))
        })?;
    let config = SimConfig::from_json(&stored.body)
        .map_err(|e| ApiError::BadRequest(format!("the stored config is not valid: {e}")))?;
    if !state.store.is_pinned(&config.engine).await? {
        return Err(ApiError::BadRequest(format!(
            "the config's engine `{}` is not pinned on this sentinel; pinned engines are listed at /api/v1/status",
            config.engine
        )));
    }
    match &request.access {
        Access::Users(names) => {
            for name in names {
                if !state.store.user_exists(name).await? {
                    return Err(ApiError::BadRequest(format!(
                        "`access.users`: unknown user `{name}`"
                    )));
                }
            }
        }
        Access::Group(name) => {
            return Err(ApiError::BadRequest(format!(
                "`access.group`: unknown group `{name}`"
            )));
        }
        Access::Private | Access::Public => {}
    }
    let access = serde_json::to_string(&request.access).expect("access serialises");
    let seed: i64 = rand::rng().random();
    let (job_id, chunks) = state
        .store
        .create_job(&NewJob {
            owner: user.id,
            config_hash: &request.config_hash,
            iterations: request.iterations as i64,
            seed,
            access: &access,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(Created { job_id, chunks })))
}

fn may_see(job: &Job, user: &User) -> bool {
    if job.owner == user.id {
        return true;
    }
    match serde_json::from_str::<Access>(&job.access) {
        Ok(Access::Public) => true,
        Ok(Access::Users(names)) => names.contains(&user.name),
        _ => false,
    }
}

/// Job `id` if `allowed` says the caller may act on it; else "not found".
async fn job_for(
    state: &AppState,
    id: i64,
    allowed: impl Fn(&Job) -> bool,
) -> Result<Job, ApiError> {
    state
        .store
        .job(id)
        .await?
        .filter(allowed)
        .ok_or_else(|| ApiError::NotFound(format!("no job {id}, or it is not yours")))
}

/// A job the caller may see.
pub async fn get(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<JobView>, ApiError> {
    let job = job_for(&state, id, |j| may_see(j, &user)).await?;
    Ok(Json(job.into()))
}

/// The caller's jobs, newest first.
pub async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> Result<Json<Vec<JobView>>, ApiError> {
    let jobs = state.store.jobs_of(user.id, 100).await?;
    Ok(Json(jobs.into_iter().map(JobView::from).collect()))
}

/// Cancels the caller's unfinished job.
pub async fn cancel(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<JobView>, ApiError> {
    let job = job_for(&state, id, |j| j.owner == user.id).await?;
    if !state.store.cancel_job(job.id).await? {
        return Err(ApiError::Conflict(format!(
            "job {id} is {} and cannot be cancelled",
            job.status
        )));
    }
    let job = job_for(&state, id, |_| true).await?;
    Ok(Json(job.into()))
}
