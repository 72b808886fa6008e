//! The scheduler: matches pending chunks to nodes and pushes assignments.
//!
//! It wakes when there may be work (a job created, a chunk returned, a slot
//! freed: [`Scheduler::poke`]), on a PostgreSQL NOTIFY from another sentinel
//! (a hint only, sent once per burst of pokes), and on a periodic sweep. Each pass assigns chunks to the
//! nodes whose WebSocket stream is connected to this sentinel, in one
//! statement per node (see [`assignment::assign`]), and pushes them. Nodes without
//! a stream get work when they poll ([`Scheduler::assign`]). Who gets which
//! chunk is decided in [`assignment`].

pub mod assignment;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tracing::Instrument;
use wowlab_protocol::api::{Assignment, Assignments};

use self::assignment::Assigned;
use crate::metrics::Metrics;
use crate::store::{Backend, ChunkId, NodeId, Store, StoreError};

/// A connected node's stream.
struct Stream {
    id: u64,
    tx: mpsc::UnboundedSender<Assignments>,
}

/// Assigns chunks and pushes them to connected nodes.
pub struct Scheduler {
    store: Store,
    metrics: Arc<Metrics>,
    wake: Notify,
    hint: Notify,
    streams: Mutex<HashMap<NodeId, Stream>>,
    next_stream: AtomicU64,
}

/// A node's subscription to its assignments; detaches when dropped.
pub struct Subscription {
    scheduler: Arc<Scheduler>,
    node: NodeId,
    id: u64,
    /// Assignments as they are made.
    pub rx: mpsc::UnboundedReceiver<Assignments>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut streams = self.scheduler.streams.lock().expect("not poisoned");
        if streams.get(&self.node).is_some_and(|s| s.id == self.id) {
            streams.remove(&self.node);
        }
    }
}

impl Scheduler {
    /// A scheduler over `store`.
    pub fn new(store: Store, metrics: Arc<Metrics>) -> Arc<Self> {
        Arc::new(Self {
            store,
            metrics,
            wake: Notify::new(),
            hint: Notify::new(),
            streams: Mutex::new(HashMap::new()),
            next_stream: AtomicU64::new(0),
        })
    }

    /// There may be work: wake this scheduler and hint the other sentinels.
    /// Hints are sent one at a time by [`Scheduler::run`]; pokes while one
    /// is on its way fold into the next, so a burst of reports costs one or
    /// two NOTIFYs, not one each.
    pub fn poke(&self) {
        self.wake.notify_one();
        self.hint.notify_one();
    }

    /// Sends a NOTIFY hint after each burst of pokes, forever.
    async fn hint_others(self: Arc<Self>) {
        loop {
            self.hint.notified().await;
            if let Err(e) = self.store.notify_work().await {
                tracing::warn!("could not notify other sentinels: {e}");
            }
        }
    }

    /// Assigns as many chunks to `node` as it has free slots.
    pub async fn assign(&self, node: NodeId) -> Result<Vec<Assignment>, StoreError> {
        let free = assignment::free_slots(&self.store, node).await?;
        let assigned = assignment::assign(&self.store, node, free).await?;
        Ok(self.measured(assigned))
    }

    /// The assignments, their waits recorded.
    fn measured(&self, assigned: Vec<Assigned>) -> Vec<Assignment> {
        assigned
            .into_iter()
            .map(|a| {
                self.metrics.assigned_after(a.waited_ms);
                a.assignment
            })
            .collect()
    }

    /// Pushes `node`'s assignments to the returned subscription from now on
    /// (replacing an earlier stream of the same node).
    pub fn subscribe(self: &Arc<Self>, node: NodeId) -> Subscription {
        let (tx, rx) = mpsc::unbounded_channel();
        let id = self.next_stream.fetch_add(1, Ordering::Relaxed);
        self.streams
            .lock()
            .expect("not poisoned")
            .insert(node, Stream { id, tx });
        self.wake.notify_one();
        Subscription {
            scheduler: self.clone(),
            node,
            id,
            rx,
        }
    }

    /// Runs passes on wake-ups, NOTIFY hints and every `sweep`, forever.
    pub async fn run(self: Arc<Self>, sweep: Duration) {
        if self.store.backend() == Backend::Postgres {
            tokio::spawn(self.clone().hint_others());
        }
        match self.store.work_listener().await {
            Ok(Some(mut listener)) => {
                let me = self.clone();
                tokio::spawn(async move {
                    loop {
                        match listener.recv().await {
                            Ok(_) => me.wake.notify_one(),
                            Err(e) => {
                                tracing::warn!("work listener: {e}");
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                        }
                    }
                });
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("no work listener, relying on the sweep: {e}"),
        }
        for pass in 0u64.. {
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(sweep) => {}
            }
            let span = tracing::debug_span!("scheduler_pass", pass);
            if let Err(e) = self.pass().instrument(span).await {
                tracing::warn!(pass, "scheduler pass failed: {e}");
            }
        }
    }

    /// One pass over the connected nodes: nothing when no chunk is
    /// pending; otherwise one query for their free slots, then one
    /// assignment per node with a free slot until the pending chunks run out.
    async fn pass(&self) -> Result<(), StoreError> {
        let nodes: Vec<NodeId> = self
            .streams
            .lock()
            .expect("not poisoned")
            .keys()
            .copied()
            .collect();
        if nodes.is_empty() {
            return Ok(());
        }
        let mut pending = self.store.pending_chunks().await?;
        if pending == 0 {
            return Ok(());
        }
        for (node, free) in assignment::free_slots_of(&self.store, &nodes).await? {
            if pending == 0 {
                break;
            }
            if free == 0 {
                continue;
            }
            let assigned = assignment::assign(&self.store, node, free.min(pending))
                .instrument(tracing::debug_span!("assign", %node, free))
                .await?;
            pending -= assigned.len() as i64;
            let assignments = self.measured(assigned);
            if !assignments.is_empty() {
                self.push(node, assignments).await;
            }
        }
        Ok(())
    }

    /// Sends assignments down `node`'s stream; if it closed since the pass
    /// began, gives the chunks back.
    async fn push(&self, node: NodeId, assignments: Vec<Assignment>) {
        let returned = {
            let streams = self.streams.lock().expect("not poisoned");
            match streams.get(&node) {
                Some(stream) => stream
                    .tx
                    .send(Assignments { assignments })
                    .err()
                    .map(|e| e.0.assignments),
                None => Some(assignments),
            }
        };
        for a in returned.unwrap_or_default() {
            if let Err(e) = self
                .store
                .return_chunk(node, ChunkId(a.chunk_id), None)
                .await
            {
                tracing::warn!("returning chunk {}: {e}", a.chunk_id);
            }
        }
    }
}
