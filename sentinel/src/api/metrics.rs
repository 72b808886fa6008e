//! `GET /metrics`: Prometheus text format (see [`crate::metrics`]).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::error::ApiError;
use crate::app::AppState;

#[utoipa::path(get, path = "/metrics", tag = "sentinel", responses((status = 200, description = "Prometheus text format", content_type = "application/openmetrics-text", body = String)))]
/// The metrics, with gauges read from the store now.
pub async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let online_since = crate::now() - state.thresholds.offline_after.as_secs() as i64;
    let text = state.metrics.render(&state.store, online_since).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    ))
}
