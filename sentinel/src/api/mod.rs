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
mod openapi;
mod rotations;
mod signed;
mod status;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};

use std::sync::Arc;

use wowlab_protocol::api::Access;
use wowlab_runtime::runtime::Runtime;

use crate::metrics::Metrics;
use crate::scheduler::Scheduler;
use crate::store::Store;
use crate::thresholds::Thresholds;

/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 4 << 20;

pub use modules::MAX_MODULE;
pub use openapi::ApiDoc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// A wasmtime runtime for checking uploaded modules.
    pub runtime: Arc<Runtime>,
    /// Most iterations one job may ask for.
    pub max_iterations: u64,
    /// Timing thresholds.
    pub thresholds: Thresholds,
    /// The scheduler.
    pub scheduler: Arc<Scheduler>,
    /// The metrics.
    pub metrics: Arc<Metrics>,
    /// The spec packs the portal offers.
    pub packs: Arc<Vec<crate::packs::Pack>>,
    /// Runs the portal's test simulations.
    pub quick_sim: Arc<crate::quick_sim::QuickSim>,
    /// Woken whenever a job makes progress (the portal's live pages wait on it).
    pub job_updates: Arc<tokio::sync::Notify>,
    /// Whether the portal's cookies are marked `Secure` (served over HTTPS).
    pub secure_cookies: bool,
    /// Failed portal sign-ins per name.
    pub signin_throttle: Arc<crate::portal::SignInThrottle>,
}

impl AppState {
    /// The state of a sentinel on `store` (its scheduler is not running yet).
    pub fn new(
        store: Store,
        runtime: Arc<Runtime>,
        max_iterations: u64,
        thresholds: Thresholds,
    ) -> Self {
        let metrics = Arc::new(Metrics::default());
        Self {
            scheduler: Scheduler::new(store.clone(), metrics.clone()),
            store,
            quick_sim: Arc::new(crate::quick_sim::QuickSim::new(runtime.clone())),
            runtime,
            max_iterations,
            thresholds,
            metrics,
            packs: Arc::new(crate::packs::builtin()),
            job_updates: Arc::new(tokio::sync::Notify::new()),
            secure_cookies: false,
            signin_throttle: Arc::default(),
        }
    }

    /// The same state offering these spec packs on the portal.
    pub fn with_packs(mut self, packs: Vec<crate::packs::Pack>) -> Self {
        self.packs = Arc::new(packs);
        self
    }

    /// The same state, with the portal's cookies marked `Secure` when `secure`.
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }
}

/// An [`Access`] with names resolved to ids.
pub(crate) enum Resolved {
    Private,
    Public,
    Users(Vec<i64>),
    Group(i64),
}

/// Resolves the user and group names of `access` (the field named `field`).
pub(crate) async fn resolve_access(
    state: &AppState,
    access: &Access,
    field: &str,
) -> Result<Resolved, error::ApiError> {
    Ok(match access {
        Access::Private => Resolved::Private,
        Access::Public => Resolved::Public,
        Access::Users(names) => {
            let mut ids = Vec::with_capacity(names.len());
            for name in names {
                ids.push(state.store.user_id(name).await?.ok_or_else(|| {
                    error::ApiError::BadRequest(format!("`{field}.users`: unknown user `{name}`"))
                })?);
            }
            Resolved::Users(ids)
        }
        Access::Group(name) => {
            Resolved::Group(state.store.group_id(name).await?.ok_or_else(|| {
                error::ApiError::BadRequest(format!("`{field}.group`: unknown group `{name}`"))
            })?)
        }
    })
}

/// Default for [`AppState::max_iterations`].
pub const DEFAULT_MAX_ITERATIONS: u64 = 10_000_000;

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

/// Any other path: a JSON 404 under `/api/`, the portal's 404 page elsewhere.
async fn no_route(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        error::ApiError::NotFound(format!("no API route {}", uri.path())).into_response()
    } else {
        crate::portal::not_found(uri.path()).into_response()
    }
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

/// Counts each refused request by the reason its error set.
async fn count_rejections(
    axum::extract::State(metrics): axum::extract::State<Arc<Metrics>>,
    response: axum::response::Response,
) -> axum::response::Response {
    if let Some(reason) = response.extensions().get::<error::RejectReason>() {
        metrics.rejected(reason.0);
    }
    response
}

/// The API's routes.
pub fn router(state: AppState) -> Router {
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
        .merge(crate::portal::routes())
        .fallback(no_route)
        .layer(axum::middleware::map_response_with_state(
            state.metrics.clone(),
            count_rejections,
        ))
        .layer(axum::middleware::from_fn(crate::request_span::layer))
        .with_state(state)
}
