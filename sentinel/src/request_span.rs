//! One `tracing` span per HTTP request, so every line a request logs (an
//! internal error included, logged once where it becomes a response) says
//! which request it was: `request{id method path node user}`. The node and
//! the user are recorded once the request has shown who it is
//! ([`record_node`], [`record_user`]).

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Requests served by this process, for the span's `id`.
static SERVED: AtomicU64 = AtomicU64::new(0);

/// Runs the request inside its span.
pub async fn layer(request: Request, next: Next) -> Response {
    let span = tracing::info_span!(
        "request",
        id = SERVED.fetch_add(1, Ordering::Relaxed),
        method = %request.method(),
        path = %request.uri().path(),
        node = tracing::field::Empty,
        user = tracing::field::Empty,
    );
    next.run(request).instrument(span).await
}

/// Records on the current request's span that node `id` sent it.
pub fn record_node(id: crate::store::NodeId) {
    tracing::Span::current().record("node", id.0);
}

/// Records on the current request's span that user `id` sent it.
pub fn record_user(id: crate::store::UserId) {
    tracing::Span::current().record("user", id.0);
}
