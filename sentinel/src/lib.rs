//! The wowlab sentinel: the server that stores configs and modules, accepts
//! jobs, splits them into chunks for nodes and merges their results.
//!
//! This crate is the library behind the `wowlab-sentinel` binary: the HTTP
//! API ([`api`]), the store on SQLite or PostgreSQL ([`store`]), and the
//! operator's commands. Not for: running simulations (that is the node, the
//! `wowlab` crate).

pub mod access;
pub mod accounts;
pub mod api;
pub mod app;
pub mod http;
pub mod jobs;
pub mod metrics;
pub mod nodes;
pub mod packs;
pub mod passwords;
pub mod portal;
pub mod quick_sim;
pub mod request_span;
pub mod rotations;
pub mod scheduler;
pub mod store;
pub mod thresholds;
pub mod tls;
pub mod verification;

/// Readies a store for serving: pins the engine built with this sentinel on
/// first start only (so an operator's later unpin sticks), and stores the
/// built-in engine and Rhai interpreter modules, which nodes fetch by hash.
pub async fn prepare(store: &store::Store) -> Result<(), store::StoreError> {
    if store.first_time("builtin-engine-pinned").await? {
        store
            .pin_engine(&wowlab_protocol::address::hash_of(wowlab_artifacts::ENGINE))
            .await?;
    }
    for (bytes, kind) in [
        (wowlab_artifacts::ENGINE, "engine"),
        (wowlab_artifacts::RHAI, "rotation"),
    ] {
        store
            .put_module(&wowlab_protocol::address::hash_of(bytes), kind, bytes)
            .await?;
    }
    Ok(())
}

/// Serves the API on `listener` (TCP, or [`tls::TlsListener`]) with the scheduler and maintenance running,
/// until `shutdown` resolves. `name` tells this sentinel's maintenance runs apart.
pub async fn serve<L>(
    state: app::AppState,
    listener: L,
    name: String,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    let scheduler = tokio::spawn(state.scheduler.clone().run(state.thresholds.sweep_every));
    let maintenance = tokio::spawn(maintain(state.clone(), name));
    let served = axum::serve(listener, app::router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    scheduler.abort();
    maintenance.abort();
    served
}

/// Runs maintenance every `maintenance_every`, forever.
async fn maintain(state: app::AppState, name: String) {
    loop {
        match state.store.maintain(&state.thresholds, &name).await {
            Ok(Some(done)) => {
                if done != store::Maintenance::default() {
                    tracing::info!(?done, "maintenance");
                    state.scheduler.poke();
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("maintenance failed: {e}"),
        }
        tokio::time::sleep(state.thresholds.maintenance_every).await;
    }
}

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
