//! Chunks, signed by the node they are assigned to:
//! `POST /chunks/complete`, `POST /chunks/{id}/fail`, `POST /chunks/{id}/release`.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;

use super::Path;
use wowlab_engine::BatchResult;
use wowlab_protocol::api::{
    ChunkAck, CompleteChunks, CompletedChunks, FailChunk, MAX_RESULTS_PER_REPORT, RefusedChunk,
};

use super::error::ApiError;
use super::signed::Signed;
use crate::app::AppState;
use crate::store::{ChunkError, ChunkId, ChunkState, Reported};

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

fn ack(chunk_id: ChunkId, state: ChunkState) -> ChunkAck {
    ChunkAck {
        chunk_id: chunk_id.0,
        status: state.status.as_str().to_string(),
        job_status: state.job_status.as_str().to_string(),
    }
}

#[utoipa::path(post, path = "/api/v1/chunks/complete", tag = "chunks", security(("node_signature" = [])), request_body = CompleteChunks, responses((status = 200, body = CompletedChunks), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing, malformed, stale, forged or replayed signature", body = wowlab_protocol::api::ErrorBody)))]
/// Stores the results of one or more finished chunks in one transaction
/// (idempotent); the last chunk of a job merges the job's result.
pub async fn complete(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<CompletedChunks>, ApiError> {
    let node = signed.node_id(&state).await?;
    let request: CompleteChunks = super::parse_json(&signed.body, "chunk results")?;
    let results = parse_results(request)?;
    let outcomes = state.store.complete_chunks(node, &results).await?;
    let mut answer = CompletedChunks::default();
    for (chunk, outcome) in outcomes {
        match outcome {
            Ok(done) => {
                if let Some(seconds) = done.finished_job_after {
                    state.metrics.job_finished_after(seconds);
                    tracing::info!(job = %done.job_id, seconds, "job done");
                }
                answer.acks.push(ack(chunk, done));
            }
            Err(ChunkError::Store(e)) => return Err(e.into()),
            Err(e) => {
                tracing::info!(%chunk, %node, "result refused: {e}");
                answer.refused.push(RefusedChunk {
                    chunk_id: chunk.0,
                    error: e.to_string(),
                });
            }
        }
    }
    state.scheduler.poke();
    state.job_updates.notify_waiters();
    Ok(Json(answer))
}

/// The results of a report, checked: at most [`MAX_RESULTS_PER_REPORT`],
/// each chunk once, each result a `BatchResult`.
fn parse_results(request: CompleteChunks) -> Result<Vec<Reported>, ApiError> {
    if request.results.len() > MAX_RESULTS_PER_REPORT {
        return Err(ApiError::BadRequest(format!(
            "`results` has {} entries; at most {MAX_RESULTS_PER_REPORT} per report",
            request.results.len()
        )));
    }
    let mut seen = HashSet::new();
    let mut results = Vec::with_capacity(request.results.len());
    for (i, entry) in request.results.into_iter().enumerate() {
        if !seen.insert(entry.chunk_id) {
            return Err(ApiError::BadRequest(format!(
                "`results[{i}].chunk_id`: chunk {} is reported twice",
                entry.chunk_id
            )));
        }
        let result: BatchResult = serde_json::from_value(entry.result).map_err(|e| {
            ApiError::BadRequest(format!(
                "invalid chunk result at `results[{i}].result`: {e}"
            ))
        })?;
        results.push(Reported {
            chunk_id: ChunkId(entry.chunk_id),
            result,
            digest: entry.digest,
        });
    }
    Ok(results)
}

#[utoipa::path(post, path = "/api/v1/chunks/{id}/fail", tag = "chunks", security(("node_signature" = [])), params(("id" = i64, Path)), request_body = FailChunk, responses((status = 200, body = ChunkAck), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing, malformed, stale, forged or replayed signature", body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody), (status = 409, description = "Conflicts with its state", body = wowlab_protocol::api::ErrorBody)))]
/// Gives a chunk back after a failure; deterministic failures on three nodes fail the job.
pub async fn fail(
    State(state): State<AppState>,
    Path(id): Path<ChunkId>,
    signed: Signed,
) -> Result<Json<ChunkAck>, ApiError> {
    let node = signed.node_id(&state).await?;
    let request: FailChunk = super::parse_json(&signed.body, "chunk failure")?;
    let error: String = request.error.chars().take(4096).collect();
    let failure = request.deterministic.then_some(error.as_str());
    let done = state.store.return_chunk(node, id, failure).await?;
    tracing::info!(
        chunk = %id,
        %node,
        deterministic = request.deterministic,
        "chunk failed: {error}"
    );
    state.scheduler.poke();
    state.job_updates.notify_waiters();
    Ok(Json(ack(id, done)))
}

#[utoipa::path(post, path = "/api/v1/chunks/{id}/release", tag = "chunks", security(("node_signature" = [])), params(("id" = i64, Path)), responses((status = 200, body = ChunkAck), (status = 401, description = "Missing, malformed, stale, forged or replayed signature", body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody), (status = 409, description = "Conflicts with its state", body = wowlab_protocol::api::ErrorBody)))]
/// Gives a chunk back unrun (the node is stopping).
pub async fn release(
    State(state): State<AppState>,
    Path(id): Path<ChunkId>,
    signed: Signed,
) -> Result<Json<ChunkAck>, ApiError> {
    let node = signed.node_id(&state).await?;
    let done = state.store.return_chunk(node, id, None).await?;
    state.scheduler.poke();
    Ok(Json(ack(id, done)))
}
