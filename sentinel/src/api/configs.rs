//! `PUT /api/v1/configs/{hash}` and `GET /api/v1/configs/{hash}`.
//!
//! A config's address is the BLAKE3 hash of its canonical JSON. The server
//! parses the body, re-serialises it canonically and recomputes the hash; a
//! body that does not hash to the path is refused. Identical configs are
//! stored once.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;

use super::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use wowlab_engine::SimConfig;
use wowlab_protocol::address::Canonical;
use wowlab_protocol::api::PutConfig;

use super::auth::Caller;
use super::error::ApiError;
use crate::app::AppState;

#[utoipa::path(put, path = "/api/v1/configs/{hash}", tag = "configs", security(("token" = [])), params(("hash" = String, Path, description = "BLAKE3 of the canonical JSON")), request_body(content = Object, description = "A SimConfig"), responses((status = 201, body = PutConfig), (status = 200, description = "Stored already", body = PutConfig), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody), (status = 413, body = wowlab_protocol::api::ErrorBody)))]
/// Stores a config under the hash of its canonical JSON.
pub async fn put(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(hash): Path<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<PutConfig>), ApiError> {
    super::check_hash(&hash, "config")?;
    let body = body?;
    let config: SimConfig = super::parse_json(&body, "config")?;
    let Canonical {
        json: canonical,
        hash: actual,
    } = Canonical::of(&config);
    if actual != hash {
        return Err(ApiError::BadRequest(format!(
            "hash mismatch: the config's canonical JSON hashes to {actual}, not {hash}"
        )));
    }
    let modules: Vec<&str> = [config.engine.as_str(), config.rotation.module.as_str()]
        .into_iter()
        .filter(|m| !m.is_empty())
        .collect();
    let created = state
        .store
        .put_config(&hash, &canonical, &modules, user.id)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(PutConfig { hash, created })))
}

#[utoipa::path(get, path = "/api/v1/configs/{hash}", tag = "configs", params(("hash" = String, Path)), responses((status = 200, description = "The canonical JSON; immutable", body = Object), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody)))]
/// A stored config, cacheable forever (it never changes).
pub async fn get(
    State(state): State<AppState>,
    Path(hash): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    super::check_hash(&hash, "config")?;
    let config = state
        .store
        .config(&hash)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no config {hash}")))?;
    Ok(crate::http::immutable(
        "application/json",
        &hash,
        config.body,
    ))
}
