//! The HTTP API under `/api/v1`: one module per resource, typed handlers,
//! one error type ([`error::ApiError`]) that maps every failure to a status
//! and a JSON body naming the problem.

mod auth;
mod chunks;
mod configs;
pub mod error;
pub(crate) mod jobs;
mod metrics;
mod modules;
mod nodes;
pub mod openapi;
mod rotations;
mod signed;
mod status;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};

use crate::app::AppState;

/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 4 << 20;

pub use modules::MAX_MODULE;
pub use openapi::ApiDoc;

/// Refuses a path segment that is not a hash of a `what`.
pub(crate) fn check_hash(hash: &str, what: &str) -> Result<(), error::ApiError> {
    if wowlab_protocol::address::is_hash(hash) {
        Ok(())
    } else {
        Err(error::ApiError::BadRequest(format!(
            "`{hash}` is not a {what} hash (64 lowercase hex digits)"
        )))
    }
}

/// A path parameter; a malformed one is a JSON 400 naming it, like every error.
pub(crate) struct Path<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = error::ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, error::ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e| error::ApiError::BadRequest(format!("bad path: {}", e.body_text())))
    }
}

/// Parses a JSON body into `T`; the error names the field, line and column.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    body: &[u8],
    what: &str,
) -> Result<T, error::ApiError> {
    // serde also reads a struct from an array of its fields; the API's
    // bodies are objects, as the document says.
    if !body.trim_ascii_start().starts_with(b"{") {
        return Err(error::ApiError::BadRequest(format!(
            "invalid {what}: the body must be a JSON object"
        )));
    }
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

/// The API's routes (the application composes them in [`crate::app::router`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/status", get(status::status))
        .route("/metrics", get(metrics::metrics))
        .route("/api/v1/openapi.json", get(openapi::openapi))
        .route("/api/v1/nodes", get(nodes::list))
        .route("/api/v1/nodes/register", post(nodes::register))
        .route("/api/v1/nodes/heartbeat", post(nodes::heartbeat))
        .route("/api/v1/nodes/poll", post(nodes::poll))
        .route("/api/v1/nodes/stream", get(nodes::stream))
        .route("/api/v1/nodes/claim", post(nodes::claim))
        .route(
            "/api/v1/nodes/{id}",
            delete(nodes::delete).patch(nodes::update),
        )
        .route(
            "/api/v1/rotations",
            get(rotations::list).post(rotations::create),
        )
        .route(
            "/api/v1/rotations/{id}",
            get(rotations::get).put(rotations::update),
        )
        .route("/api/v1/scripts/{checksum}", get(rotations::script))
        .route("/api/v1/chunks/complete", post(chunks::complete))
        .route("/api/v1/chunks/{id}/fail", post(chunks::fail))
        .route("/api/v1/chunks/{id}/release", post(chunks::release))
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
}
