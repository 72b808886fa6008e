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
use crate::store::{NewRotation, Rotation, User};

/// Longest rotation name.
const MAX_NAME: usize = 100;

fn view(r: Rotation) -> RotationView {
    let (version, checksum, _) = r.versions.last().cloned().unwrap_or_default();
    RotationView {
        id: r.id,
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

/// Refuses a script that does not parse; the error gives line and column.
fn check_script(script: &str) -> Result<String, ApiError> {
    wowlab_rhai::check_syntax(script, wowlab_rhai::Limits::default())
        .map_err(|e| ApiError::BadRequest(format!("`script`: {e}")))?;
    Ok(wowlab_protocol::address::hash_of(script.as_bytes()))
}

/// Rotation `id` if the caller may see it (own, or public).
async fn visible(state: &AppState, id: i64, user: &User) -> Result<Rotation, ApiError> {
    state
        .store
        .rotation(id)
        .await?
        .filter(|r| r.public || r.owner == user.id)
        .ok_or_else(|| ApiError::NotFound(format!("no rotation {id}, or it is not yours")))
}

#[utoipa::path(post, path = "/api/v1/rotations", tag = "rotations", security(("token" = [])), request_body = CreateRotation, responses((status = 201, body = RotationView), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody)))]
/// Creates a rotation with its first version.
pub async fn create(
    State(state): State<AppState>,
    Caller(user): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<RotationView>), ApiError> {
    let request: CreateRotation = super::parse_json(&body?, "rotation")?;
    if request.name.trim().is_empty() || request.name.len() > MAX_NAME {
        return Err(ApiError::BadRequest(format!(
            "`name` must be 1 to {MAX_NAME} characters"
        )));
    }
    let checksum = check_script(&request.script)?;
    let id = state
        .store
        .create_rotation(NewRotation {
            owner: user.id,
            name: &request.name,
            spec: &request.spec,
            public: request.public,
            script: &request.script,
            checksum: &checksum,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(view(visible(&state, id, &user).await?)),
    ))
}

#[utoipa::path(put, path = "/api/v1/rotations/{id}", tag = "rotations", security(("token" = [])), params(("id" = i64, Path)), request_body = UpdateRotation, responses((status = 200, body = RotationView), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody), (status = 403, body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody)))]
/// Adds a version (a changed script) and/or changes visibility; owner only.
pub async fn update(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<RotationView>, ApiError> {
    let request: UpdateRotation = super::parse_json(&body?, "rotation update")?;
    let rotation = visible(&state, id, &user).await?;
    if rotation.owner != user.id {
        return Err(ApiError::Forbidden(format!(
            "rotation {id} belongs to {}; only its owner may change it",
            rotation.owner_name
        )));
    }
    let script = match &request.script {
        Some(script) => Some((script.as_str(), check_script(script)?)),
        None => None,
    };
    state
        .store
        .update_rotation(
            id,
            script.as_ref().map(|(s, c)| (*s, c.as_str())),
            request.public,
        )
        .await?;
    Ok(Json(view(visible(&state, id, &user).await?)))
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
    Path(id): Path<i64>,
) -> Result<Json<RotationView>, ApiError> {
    Ok(Json(view(visible(&state, id, &user).await?)))
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
