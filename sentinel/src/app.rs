//! The application: its state and its router, composed in one place. The
//! two front ends, the API ([`crate::api`]) and the portal
//! ([`crate::portal`]), each give their routes; both call the same domain
//! functions ([`crate::jobs`], [`crate::access`], the store) and neither
//! imports the other.

use std::sync::Arc;

use axum::Router;
use wowlab_runtime::runtime::Runtime;

use crate::accounts::SignInThrottle;
use crate::api::error::{ApiError, RejectReason};
use crate::metrics::Metrics;
use crate::packs::Pack;
use crate::portal;
use crate::quick_sim::QuickSim;
use crate::scheduler::Scheduler;
use crate::store::Store;
use crate::thresholds::Thresholds;
use crate::{api, request_span};

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
    pub packs: Arc<Vec<Pack>>,
    /// Runs the portal's test simulations.
    pub quick_sim: Arc<QuickSim>,
    /// Woken whenever a job makes progress (the portal's live pages wait on it).
    pub job_updates: Arc<tokio::sync::Notify>,
    /// Whether the portal's cookies are marked `Secure` (served over HTTPS).
    pub secure_cookies: bool,
    /// Failed portal sign-ins per name.
    pub signin_throttle: Arc<SignInThrottle>,
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
            quick_sim: Arc::new(QuickSim::new(runtime.clone())),
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
    pub fn with_packs(mut self, packs: Vec<Pack>) -> Self {
        self.packs = Arc::new(packs);
        self
    }

    /// The same state, with the portal's cookies marked `Secure` when `secure`.
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }
}

/// The whole application: the API and the portal, a 404 for anything
/// else, every refusal counted, every request in its span.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(portal::routes())
        .fallback(no_route)
        .layer(axum::middleware::map_response_with_state(
            state.metrics.clone(),
            count_rejections,
        ))
        .layer(axum::middleware::from_fn(request_span::layer))
        .with_state(state)
}

/// Any other path: a JSON 404 under `/api/`, the portal's 404 page elsewhere.
async fn no_route(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        ApiError::NotFound(format!("no API route {}", uri.path())).into_response()
    } else {
        portal::not_found(uri.path()).into_response()
    }
}

/// Counts each refused request by the reason its error set.
async fn count_rejections(
    axum::extract::State(metrics): axum::extract::State<Arc<Metrics>>,
    response: axum::response::Response,
) -> axum::response::Response {
    if let Some(reason) = response.extensions().get::<RejectReason>() {
        metrics.rejected(reason.0);
    }
    response
}
