//! `GET /api/v1/status`: is the sentinel up, and what does it accept.

use axum::Json;
use axum::extract::State;
use wowlab_protocol::api::Status;

use super::error::ApiError;
use crate::app::AppState;
use crate::store::Backend;

#[utoipa::path(get, path = "/api/v1/status", tag = "sentinel", responses((status = 200, body = Status)))]
/// The sentinel's status and what it accepts.
pub async fn status(State(state): State<AppState>) -> Result<Json<Status>, ApiError> {
    Ok(Json(Status {
        status: "ok".into(),
        database: match state.store.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
        .into(),
        pinned_engines: state.store.pinned_engines().await?,
    }))
}
