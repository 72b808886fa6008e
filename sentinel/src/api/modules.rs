//! `PUT /api/v1/modules/{hash}` and `GET /api/v1/modules/{hash}`.
//!
//! An upload is accepted only if its bytes hash to the path, it fits the size
//! cap, and it is a component this sentinel's nodes would load as an engine
//! or a rotation (imports within the grant, the world's exports).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;

use super::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use wowlab_protocol::api::PutModule;
use wowlab_runtime::runtime::{Role, classify};

use super::auth::Caller;
use super::error::ApiError;
use crate::app::AppState;

/// Largest module accepted, in bytes.
pub const MAX_MODULE: usize = 16 << 20;

#[utoipa::path(put, path = "/api/v1/modules/{hash}", tag = "modules", security(("token" = [])), params(("hash" = String, Path, description = "BLAKE3 of the bytes")), request_body(content = Vec<u8>, content_type = "application/wasm"), responses((status = 201, body = PutModule), (status = 200, description = "Stored already", body = PutModule), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody), (status = 413, body = wowlab_protocol::api::ErrorBody)))]
/// Stores a component after checking its hash and what it is.
pub async fn put(
    State(state): State<AppState>,
    Caller(_): Caller,
    Path(hash): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<PutModule>), ApiError> {
    super::check_hash(&hash, "module")?;
    let body = body.map_err(|e| match ApiError::from(e) {
        ApiError::TooLarge(_) => ApiError::TooLarge(MAX_MODULE),
        other => other,
    })?;
    let actual = wowlab_protocol::address::hash_of(&body);
    if actual != hash {
        return Err(ApiError::BadRequest(format!(
            "hash mismatch: the bytes hash to {actual}, not {hash}"
        )));
    }
    if let Some(kind) = state.store.module_kind(&hash).await? {
        return Ok((
            StatusCode::OK,
            Json(PutModule {
                hash,
                kind,
                created: false,
            }),
        ));
    }
    let runtime = state.runtime.clone();
    let bytes = body.clone();
    let role = tokio::task::spawn_blocking(move || {
        let component = wasmtime::component::Component::new(runtime.engine(), &bytes)
            .map_err(|e| format!("not a wasm component: {e}"))?;
        classify(&runtime, &component).map_err(|e| format!("{e:#}"))
    })
    .await
    .map_err(|e| ApiError::BadRequest(format!("checking the module failed: {e}")))?
    .map_err(ApiError::BadRequest)?;
    let kind = match role {
        Role::Engine => "engine",
        Role::Rotation => "rotation",
    };
    let created = state.store.put_module(&hash, kind, &body).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(PutModule {
            hash,
            kind: kind.to_string(),
            created,
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/modules/{hash}", tag = "modules", params(("hash" = String, Path)), responses((status = 200, description = "The component; immutable", content_type = "application/wasm", body = Vec<u8>), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody)))]
/// A stored module's bytes, cacheable forever.
pub async fn get(
    State(state): State<AppState>,
    Path(hash): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    super::check_hash(&hash, "module")?;
    let bytes = state
        .store
        .module(&hash)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no module {hash}")))?;
    Ok(crate::http::immutable("application/wasm", &hash, bytes))
}
