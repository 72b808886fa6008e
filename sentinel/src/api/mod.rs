//! The HTTP API under `/api/v1`: one module per resource, typed handlers,
//! one error type ([`error::ApiError`]) that maps every failure to a status
//! and a JSON body naming the problem.

mod auth;
mod configs;
pub mod error;
mod jobs;
mod modules;
mod status;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;

use std::sync::Arc;

use wowlab::runtime::Runtime;

use crate::store::Store;

/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 4 << 20;

pub use modules::MAX_MODULE;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// A wasmtime runtime for checking uploaded modules.
    pub runtime: Arc<Runtime>,
    /// Most iterations one job may ask for.
    pub max_iterations: u64,
}

/// Default for [`AppState::max_iterations`].
pub const DEFAULT_MAX_ITERATIONS: u64 = 10_000_000;

/// Refuses a path segment that is not a hash of a `what`.
pub(crate) fn check_hash(hash: &str, what: &str) -> Result<(), error::ApiError> {
    if crate::is_hash(hash) {
        Ok(())
    } else {
        Err(error::ApiError::BadRequest(format!(
            "`{hash}` is not a {what} hash (64 lowercase hex digits)"
        )))
    }
}

/// A content-addressed body: it never changes, so it may be cached forever.
pub(crate) fn immutable<B: axum::response::IntoResponse>(
    content_type: &'static str,
    hash: &str,
    body: B,
) -> axum::response::Response {
    use axum::http::header;
    let headers = [
        (header::CONTENT_TYPE, content_type.to_string()),
        (
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable".to_string(),
        ),
        (header::ETAG, format!("\"{hash}\"")),
    ];
    axum::response::IntoResponse::into_response((headers, body))
}

/// Parses a JSON body into `T`; the error names the field, line and column.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    body: &[u8],
    what: &str,
) -> Result<T, error::ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        error::ApiError::BadRequest(format!(
            "invalid {what} at `{}` (line {}, column {}): {inner}",
            e.path(),
            inner.line(),
            inner.column()
        ))
    })
}

/// The API's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/status", get(status::status))
        .route("/api/v1/jobs", get(jobs::list).post(jobs::create))
        .route("/api/v1/jobs/{id}", get(jobs::get))
        .route(
            "/api/v1/jobs/{id}/cancel",
            axum::routing::post(jobs::cancel),
        )
        .route(
            "/api/v1/configs/{hash}",
            get(configs::get).put(configs::put),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .route(
            "/api/v1/modules/{hash}",
            get(modules::get)
                .put(modules::put)
                .layer(DefaultBodyLimit::max(MAX_MODULE)),
        )
        .with_state(state)
}
