//! Rotations: `POST /rotations`, `GET /rotations` (own and public),
//! `GET /rotations/{id}`, `PUT /rotations/{id}` (a new version and/or
//! visibility), and `GET /scripts/{checksum}` (a version's script, by the
//! checksum a config names).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;

use super::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use wowlab_protocol::api::{CreateRotation, RotationVersion, RotationView, UpdateRotation};

use super::auth::Caller;
use super::error::ApiError;
use crate::app::AppState;
use crate::rotations::{self, Draft};
use crate::store::{Rotation, RotationId};

fn view(r: Rotation) -> RotationView {
    let (version, checksum, _) = r.versions.last().cloned().unwrap_or_default();
    RotationView {
        id: r.id.0,
        name: r.name,
        owner: r.owner_name,
        public: r.public,
        spec: r.spec,
        version,
        checksum,
        script: r.script,
        versions: r
            .versions
            .into_iter()
            .map(|(version, checksum, created_at)| RotationVersion {
                version,
                checksum,
                created_at,
            })
            .collect(),
    }
}

#[utoipa::path(post, path = "/api/v1/rotations", tag = "rotations", security(("token" = [])), request_body = CreateRotation, responses((status = 201, body = RotationView), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody)))]
/// Creates a rotation with its first version.
pub async fn create(
    State(state): State<AppState>,
    Caller(user): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<RotationView>), ApiError> {
    let request: CreateRotation = super::parse_json(&body?, "rotation")?;
    let draft = Draft {
        name: &request.name,
        spec: &request.spec,
        public: request.public,
        script: &request.script,
    };
    let id = rotations::create(&state.store, user.id, draft).await?;
    let created = rotations::visible(&state.store, id, user.id).await?;
    Ok((StatusCode::CREATED, Json(view(created))))
}

#[utoipa::path(put, path = "/api/v1/rotations/{id}", tag = "rotations", security(("token" = [])), params(("id" = i64, Path)), request_body = UpdateRotation, responses((status = 200, body = RotationView), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody), (status = 403, body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody)))]
/// Adds a version (a changed script) and/or changes visibility; owner only.
pub async fn update(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<RotationId>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<RotationView>, ApiError> {
    let request: UpdateRotation = super::parse_json(&body?, "rotation update")?;
    let rotation = rotations::update(
        &state.store,
        id,
        user.id,
        request.script.as_deref(),
        request.public,
    )
    .await?;
    Ok(Json(view(rotation)))
}

#[utoipa::path(get, path = "/api/v1/rotations", tag = "rotations", security(("token" = [])), responses((status = 200, body = Vec<RotationView>), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody)))]
/// The caller's rotations and the public ones, newest first.
pub async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> Result<Json<Vec<RotationView>>, ApiError> {
    let mut views = Vec::new();
    for id in state.store.rotations_visible_to(user.id, 100).await? {
        if let Some(r) = state.store.rotation(id).await? {
            views.push(view(r));
        }
    }
    Ok(Json(views))
}

#[utoipa::path(get, path = "/api/v1/rotations/{id}", tag = "rotations", security(("token" = [])), params(("id" = i64, Path)), responses((status = 200, body = RotationView), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody)))]
/// A rotation the caller may see, with every version.
pub async fn get(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<RotationId>,
) -> Result<Json<RotationView>, ApiError> {
    Ok(Json(view(
        rotations::visible(&state.store, id, user.id).await?,
    )))
}

#[utoipa::path(get, path = "/api/v1/scripts/{checksum}", tag = "rotations", params(("checksum" = String, Path)), responses((status = 200, description = "The script; immutable", content_type = "text/plain", body = String), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody)))]
/// The script with this checksum, cacheable forever.
pub async fn script(
    State(state): State<AppState>,
    Path(checksum): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    super::check_hash(&checksum, "script")?;
    let script = state
        .store
        .script(&checksum)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no script {checksum}")))?;
    Ok(crate::http::immutable(
        "text/plain; charset=utf-8",
        &checksum,
        script,
    ))
}
