//! Jobs: `POST /api/v1/jobs`, `GET /api/v1/jobs`, `GET /api/v1/jobs/{id}`,
//! `POST /api/v1/jobs/{id}/cancel`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;

use super::Path;
use axum::http::StatusCode;
use wowlab_protocol::api::{CreateJob, CreatedJob, JobView};

use super::auth::Caller;
use super::error::ApiError;
use crate::app::AppState;
use crate::store::{Job, JobId, User};

fn view(j: Job) -> JobView {
    JobView {
        id: j.id.0,
        status: j.status.as_str().to_string(),
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
    let created = crate::jobs::submit(&state, &user, &request).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedJob {
            job_id: created.job.0,
            chunks: created.chunks,
        }),
    ))
}

/// Job `id` if `allowed` says the caller may act on it; else "not found".
async fn job_for(state: &AppState, id: JobId, user: &User, to_see: bool) -> Result<Job, ApiError> {
    let not_found = || ApiError::NotFound(format!("no job {id}, or it is not yours"));
    let job = state.store.job(id).await?.ok_or_else(not_found)?;
    let allowed = if to_see {
        crate::access::may_see(&state.store, &job, user).await?
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
    Path(id): Path<JobId>,
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
    Path(id): Path<JobId>,
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
