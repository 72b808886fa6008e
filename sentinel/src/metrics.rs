//! Prometheus metrics, served at `/metrics`: chunks by state and nodes online
//! (read from the store at scrape time), assignment latency, job durations
//! and rejected requests by reason (counted as they happen).

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::store::{Store, StoreError};

type Labels = Vec<(&'static str, String)>;

/// The sentinel's metrics.
pub struct Metrics {
    registry: Registry,
    chunks: Family<Labels, Gauge>,
    nodes_online: Gauge,
    assignment_latency: Histogram,
    job_duration: Histogram,
    rejected: Family<Labels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("wowlab");
        let chunks = Family::<Labels, Gauge>::default();
        let nodes_online = Gauge::default();
        // 1 ms to about 33 s.
        let assignment_latency = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        // 1 s to about 9 h.
        let job_duration = Histogram::new(exponential_buckets(1.0, 2.0, 16));
        let rejected = Family::<Labels, Counter>::default();
        registry.register("chunks", "Chunks by state", chunks.clone());
        registry.register(
            "nodes_online",
            "Nodes whose heartbeats arrive",
            nodes_online.clone(),
        );
        registry.register(
            "assignment_latency_seconds",
            "Time a chunk waited in pending before it was assigned",
            assignment_latency.clone(),
        );
        registry.register(
            "job_duration_seconds",
            "Time from a job's first assignment to its result",
            job_duration.clone(),
        );
        registry.register(
            "rejected_requests",
            "Requests refused, by reason",
            rejected.clone(),
        );
        Self {
            registry,
            chunks,
            nodes_online,
            assignment_latency,
            job_duration,
            rejected,
        }
    }
}

impl Metrics {
    /// Records how long a chunk waited before it was assigned.
    pub fn assigned_after(&self, waited_ms: i64) {
        self.assignment_latency
            .observe(waited_ms.max(0) as f64 / 1000.0);
    }

    /// Records a finished job's duration.
    pub fn job_finished_after(&self, seconds: i64) {
        self.job_duration.observe(seconds.max(0) as f64);
    }

    /// Counts a refused request.
    pub fn rejected(&self, reason: &'static str) {
        self.rejected
            .get_or_create(&vec![("reason", reason.to_string())])
            .inc();
    }

    /// The metrics in the Prometheus text format, with gauges read from `store`.
    pub async fn render(&self, store: &Store, online_since: i64) -> Result<String, StoreError> {
        for (state, n) in store.chunks_by_status().await? {
            self.chunks.get_or_create(&vec![("state", state)]).set(n);
        }
        self.nodes_online
            .set(store.nodes_seen_since(online_since).await?);
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        Ok(out)
    }
}
