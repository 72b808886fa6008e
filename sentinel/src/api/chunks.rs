//! Chunks, signed by the node they are assigned to:
//! `POST /chunks/{id}/complete`, `POST /chunks/{id}/fail`, `POST /chunks/{id}/release`.

use axum::Json;
use axum::extract::State;

use super::Path;
use wowlab_engine::BatchResult;
use wowlab_protocol::api::{ChunkAck, CompleteChunk, FailChunk};

use super::AppState;
use super::error::ApiError;
use super::signed::Signed;
use crate::store::{ChunkError, ChunkState};

impl From<ChunkError> for ApiError {
    fn from(e: ChunkError) -> Self {
        match e {
            ChunkError::Unknown(_) => ApiError::NotFound(e.to_string()),
            ChunkError::NotAssigned(_) => ApiError::Conflict(e.to_string()),
            ChunkError::BadResult(_) => ApiError::BadRequest(e.to_string()),
            ChunkError::Store(e) => ApiError::Store(e),
        }
    }
}

fn ack(chunk_id: i64, state: ChunkState) -> Json<ChunkAck> {
    Json(ChunkAck {
        chunk_id,
        status: state.status,
        job_status: state.job_status,
    })
}

#[utoipa::path(post, path = "/api/v1/chunks/{id}/complete", tag = "chunks", security(("node_signature" = [])), params(("id" = i64, Path)), request_body = CompleteChunk, responses((status = 200, body = ChunkAck), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing, malformed, stale, forged or replayed signature", body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody), (status = 409, description = "Conflicts with its state", body = wowlab_protocol::api::ErrorBody)))]
/// Stores a chunk's result (idempotent); the last chunk's completion merges the job's result.
pub async fn complete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    signed: Signed,
) -> Result<Json<ChunkAck>, ApiError> {
    let node = signed.node(&state).await?;
    let request: CompleteChunk = super::parse_json(&signed.body, "chunk result")?;
    let result: BatchResult = serde_json::from_value(request.result)
        .map_err(|e| ApiError::BadRequest(format!("invalid chunk result at `result`: {e}")))?;
    let done = state.store.complete_chunk(node.id, id, &result).await?;
    if let Some(seconds) = done.finished_job_after {
        state.metrics.job_finished_after(seconds);
        tracing::info!(job = done.job_id, seconds, "job done");
    }
    state.scheduler.poke().await;
    Ok(ack(id, done))
}

#[utoipa::path(post, path = "/api/v1/chunks/{id}/fail", tag = "chunks", security(("node_signature" = [])), params(("id" = i64, Path)), request_body = FailChunk, responses((status = 200, body = ChunkAck), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing, malformed, stale, forged or replayed signature", body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody), (status = 409, description = "Conflicts with its state", body = wowlab_protocol::api::ErrorBody)))]
/// Gives a chunk back after a failure; deterministic failures on three nodes fail the job.
pub async fn fail(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    signed: Signed,
) -> Result<Json<ChunkAck>, ApiError> {
    let node = signed.node(&state).await?;
    let request: FailChunk = super::parse_json(&signed.body, "chunk failure")?;
    let error: String = request.error.chars().take(4096).collect();
    let failure = request.deterministic.then_some(error.as_str());
    let done = state.store.return_chunk(node.id, id, failure).await?;
    tracing::info!(
        chunk = id,
        node = node.id,
        deterministic = request.deterministic,
        "chunk failed: {error}"
    );
    state.scheduler.poke().await;
    Ok(ack(id, done))
}

#[utoipa::path(post, path = "/api/v1/chunks/{id}/release", tag = "chunks", security(("node_signature" = [])), params(("id" = i64, Path)), responses((status = 200, body = ChunkAck), (status = 401, description = "Missing, malformed, stale, forged or replayed signature", body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody), (status = 409, description = "Conflicts with its state", body = wowlab_protocol::api::ErrorBody)))]
/// Gives a chunk back unrun (the node is stopping).
pub async fn release(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    signed: Signed,
) -> Result<Json<ChunkAck>, ApiError> {
    let node = signed.node(&state).await?;
    let done = state.store.return_chunk(node.id, id, None).await?;
    state.scheduler.poke().await;
    Ok(ack(id, done))
}
