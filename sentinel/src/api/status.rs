//! `GET /api/v1/status`: is the sentinel up, and what does it accept.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::AppState;
use super::error::ApiError;
use crate::store::Backend;

/// The sentinel's status.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Always "ok" when it answers.
    pub status: &'static str,
    /// "sqlite" or "postgres".
    pub database: &'static str,
    /// Engine module hashes jobs may name.
    pub pinned_engines: Vec<String>,
}

/// The sentinel's status and what it accepts.
pub async fn status(State(state): State<AppState>) -> Result<Json<Status>, ApiError> {
    Ok(Json(Status {
        status: "ok",
        database: match state.store.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        },
        pinned_engines: state.store.pinned_engines().await?,
    }))
}
