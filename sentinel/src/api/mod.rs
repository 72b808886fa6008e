//! The HTTP API under `/api/v1`: one module per resource, typed handlers,
//! one error type ([`error::ApiError`]) that maps every failure to a status
//! and a JSON body naming the problem.

mod auth;
mod configs;
pub mod error;
mod status;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;

use crate::store::Store;

/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 4 << 20;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
}

/// The API's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/status", get(status::status))
        .route(
            "/api/v1/configs/{hash}",
            get(configs::get).put(configs::put),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}
