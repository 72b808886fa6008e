//! Jobs: `POST /api/v1/jobs`, `GET /api/v1/jobs`, `GET /api/v1/jobs/{id}`,
//! `POST /api/v1/jobs/{id}/cancel`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;

use super::Path;
use axum::http::StatusCode;
use rand::RngExt;
use wowlab_engine::SimConfig;
use wowlab_protocol::api::{Access, CreateJob, CreatedJob, JobView};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use crate::store::{Job, NewJob, User};

fn view(j: Job) -> JobView {
    JobView {
        id: j.id,
        status: j.status,
        progress: j.progress,
        iterations: j.iterations,
        target_error: j.target_error,
        chunks: j.chunks,
        verified_chunks: j.verified_chunks,
        checking_chunks: j.checking_chunks,
        config_hash: j.config_hash,
        seed: j.seed as u64,
        access: serde_json::from_str(&j.access).unwrap_or_default(),
        result: j.result.and_then(|r| serde_json::from_str(&r).ok()),
        error: j.error,
    }
}

#[utoipa::path(post, path = "/api/v1/jobs", tag = "jobs", security(("token" = [])), request_body = CreateJob, responses((status = 201, body = CreatedJob), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody)))]
/// Creates a job for a stored config whose engine is pinned.
pub async fn create(
    State(state): State<AppState>,
    Caller(user): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CreatedJob>), ApiError> {
    let request: CreateJob = super::parse_json(&body?, "job")?;
    Ok((
        StatusCode::CREATED,
        Json(submit(&state, &user, &request).await?),
    ))
}

/// Creates the job `request` describes for `user`, once its config, engine
/// and modules check out; shared by the API and the portal.
pub(crate) async fn submit(
    state: &AppState,
    user: &User,
    request: &CreateJob,
) -> Result<CreatedJob, ApiError> {
    if !(1..=state.max_iterations).contains(&request.iterations) {
        return Err(ApiError::BadRequest(format!(
            "`iterations` must be between 1 and {} (got {})",
            state.max_iterations, request.iterations
        )));
    }
    if let Some(target) = request.target_error
        && !(target > 0.0 && target <= 100.0)
    {
        return Err(ApiError::BadRequest(format!(
            "`target_error` must be a percent above 0 and at most 100 (got {target})"
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
    check_modules(state, &config).await?;
    super::resolve_access(state, &request.access, "access").await?;
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
    Ok(CreatedJob { job_id, chunks })
}

/// Refuses a config whose engine, rotation module or script nodes could not fetch.
async fn check_modules(state: &AppState, config: &SimConfig) -> Result<(), ApiError> {
    let missing = |field: &str, what: String| {
        Err(ApiError::BadRequest(format!(
            "the config's `{field}` names {what}"
        )))
    };
    if state.store.module_kind(&config.engine).await?.as_deref() != Some("engine") {
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
    if state.store.module_kind(&rotation.module).await?.as_deref() != Some("rotation") {
        return missing(
            "rotation.module",
            format!(
                "`{}`, which is not a stored rotation module: PUT it to /api/v1/modules first",
                rotation.module
            ),
        );
    }
    if rotation.backend != "wasm" && state.store.script(&rotation.script).await?.is_none() {
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

/// Whether `user` may see `job`: theirs, public, or shared with them.
pub(crate) async fn may_see(state: &AppState, job: &Job, user: &User) -> Result<bool, ApiError> {
    if job.owner == user.id {
        return Ok(true);
    }
    Ok(match serde_json::from_str::<Access>(&job.access) {
        Ok(Access::Public) => true,
        Ok(Access::Users(names)) => names.contains(&user.name),
        Ok(Access::Group(group)) => state.store.is_member(&group, user.id).await?,
        Ok(Access::Private) | Err(_) => false,
    })
}

/// Job `id` if `allowed` says the caller may act on it; else "not found".
async fn job_for(state: &AppState, id: i64, user: &User, to_see: bool) -> Result<Job, ApiError> {
    let not_found = || ApiError::NotFound(format!("no job {id}, or it is not yours"));
    let job = state.store.job(id).await?.ok_or_else(not_found)?;
    let allowed = if to_see {
        may_see(state, &job, user).await?
    } else {
        job.owner == user.id
    };
    if allowed { Ok(job) } else { Err(not_found()) }
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", security(("token" = [])), params(("id" = i64, Path)), responses((status = 200, body = JobView), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody)))]
/// A job the caller may see.
pub async fn get(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<JobView>, ApiError> {
    let job = job_for(&state, id, &user, true).await?;
    Ok(Json(view(job)))
}

#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", security(("token" = [])), responses((status = 200, body = Vec<JobView>), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody)))]
/// The caller's jobs, newest first.
pub async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> Result<Json<Vec<JobView>>, ApiError> {
    let jobs = state.store.jobs_of(user.id, 100).await?;
    Ok(Json(jobs.into_iter().map(view).collect()))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/cancel", tag = "jobs", security(("token" = [])), params(("id" = i64, Path)), responses((status = 200, body = JobView), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody), (status = 409, description = "Conflicts with its state", body = wowlab_protocol::api::ErrorBody)))]
/// Cancels the caller's unfinished job.
pub async fn cancel(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<JobView>, ApiError> {
    let job = job_for(&state, id, &user, false).await?;
    let cancelled = state.store.cancel_job(job.id).await?;
    state.job_updates.notify_waiters();
    if !cancelled {
        return Err(ApiError::Conflict(format!(
            "job {id} is {} and cannot be cancelled",
            job.status
        )));
    }
    let job = job_for(&state, id, &user, false).await?;
    Ok(Json(view(job)))
}
