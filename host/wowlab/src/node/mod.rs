//! `wowlab node`: lend this machine to a sentinel.
//!
//! The node registers with its Ed25519 key ([`identity`]), waits until a
//! user claims it, then heartbeats and takes assignments from the
//! sentinel's WebSocket stream, polling while the stream is down
//! ([`feed`]). For each chunk it fetches what it lacks by hash, checks
//! every hash ([`client`]), runs it ([`runner`]) and reports the result
//! (several in one request when they finish together), retrying until the
//! sentinel acknowledges it. On shutdown it stops
//! taking work, gives back what it has not started and finishes the rest.

pub mod client;
mod feed;
pub mod identity;
#[cfg(feature = "lying-node")]
pub mod lie;
pub mod runner;

use std::collections::HashSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};
use tracing::Instrument;
use wowlab_engine::{BatchResult, SimConfig};
use wowlab_protocol::api::{Assignment, ChunkResult, MAX_RESULTS_PER_REPORT};

use crate::tls::Trust;
use client::{ClientError, Sentinel};
use runner::{ChunkFailure, Inputs, Runner};
use wowlab_runtime::modules::ModuleStore;
use wowlab_runtime::runtime::Runtime;
use wowlab_runtime::sandbox::SandboxLimits;

/// How a node is run.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// The sentinel's base URL.
    pub sentinel: String,
    /// Chunks run at once (also the node's `max_parallel`).
    pub workers: usize,
    /// Where modules and compiled artifacts are kept.
    pub cache_dir: PathBuf,
    /// Where the key is kept.
    pub config_dir: PathBuf,
    /// The owner's API token: claim the node without the code.
    pub token: Option<String>,
    /// The name the owner sees.
    pub name: String,
    /// Whether Rhai scripts may run on the jit.
    pub jit: bool,
    /// The sandbox's limits.
    pub limits: SandboxLimits,
    /// A CA certificate (PEM) to trust besides the system's, for an
    /// `https://` sentinel with a private or self-signed certificate.
    pub ca_cert: Option<PathBuf>,
    /// Report wrong results this way (end-to-end tests only).
    #[cfg(feature = "lying-node")]
    pub lie: Option<lie::Lie>,
}

/// A fetched config and its canonical JSON.
type CachedConfig = Arc<(Arc<SimConfig>, Arc<str>)>;

/// What the node's tasks share.
struct Node {
    sentinel: Sentinel,
    runner: Runner,
    store: ModuleStore,
    workers: usize,
    configs: moka::sync::Cache<String, CachedConfig>,
    scripts: moka::sync::Cache<String, Arc<str>>,
    /// Chunks assigned and not yet reported.
    running: Mutex<HashSet<i64>>,
    /// Finished chunks for the [`reporter`].
    reports: mpsc::UnboundedSender<Finished>,
    /// How it lies (end-to-end tests only).
    #[cfg(feature = "lying-node")]
    lie: Option<lie::Lie>,
}

/// A finished chunk waiting to be reported, and the task waiting for that.
struct Finished {
    chunk: i64,
    result: Arc<BatchResult>,
    reported: oneshot::Sender<()>,
}

/// Backoff for retries: doubles from 250 ms to 30 s, with ±50 % jitter.
pub(crate) struct Backoff(u32);

impl Backoff {
    pub(crate) fn new() -> Self {
        Self(0)
    }

    /// The next wait.
    pub(crate) fn next(&mut self) -> Duration {
        use rand::RngExt;
        let base = (250u64 << self.0.min(7)).min(30_000);
        self.0 += 1;
        let jitter: f64 = rand::rng().random_range(0.5..1.5);
        Duration::from_millis((base as f64 * jitter) as u64)
    }
}

/// Retries `f` while its error is transient, with backoff, until `stop` is set.
async fn retry<T, F, Fut>(
    what: &str,
    stop: &watch::Receiver<bool>,
    mut f: F,
) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
{
    let mut backoff = Backoff::new();
    loop {
        match f().await {
            Err(e) if e.is_transient() && !*stop.borrow() => {
                let wait = backoff.next();
                tracing::warn!("{what}: {e}; retrying in {wait:?}");
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
}

/// Runs a node until `shutdown` resolves.
pub async fn run(options: NodeOptions, shutdown: impl Future<Output = ()>) -> Result<()> {
    if options.workers == 0 {
        bail!("--workers must be at least 1");
    }
    let key = identity::load_or_create(&options.config_dir)?;
    let trust = Trust::new(options.ca_cert.as_deref())?;
    let sentinel = Sentinel::new(&options.sentinel, key, trust);
    let (stop_tx, stop) = watch::channel(false);
    let store = ModuleStore::new(&options.cache_dir);
    let runtime = Arc::new(Runtime::new(options.limits)?);
    let (reports, finished) = mpsc::unbounded_channel();
    let node = Arc::new(Node {
        runner: Runner::new(runtime, store.clone(), options.jit),
        store,
        workers: options.workers,
        configs: moka::sync::Cache::new(256),
        scripts: moka::sync::Cache::new(256),
        running: Mutex::new(HashSet::new()),
        reports,
        sentinel,
        #[cfg(feature = "lying-node")]
        lie: options.lie,
    });
    let mut shutdown = std::pin::pin!(shutdown);

    let registered = retry("registering", &stop, || {
        node.sentinel
            .register(&options.name, options.workers as u32)
    })
    .await
    .context("registering with the sentinel")?;
    tracing::info!(node = registered.node_id, "registered");
    if let Some(token) = &options.token {
        node.sentinel
            .claim(token, &registered.claim_code)
            .await
            .context("claiming the node with --token")?;
    }
    let mut claimed = registered.claimed || options.token.is_some();
    if !claimed {
        println!(
            "This node's claim code is {code}.\nClaim it on the portal at {base}/nodes, or POST {base}/api/v1/nodes/claim with {{\"code\": \"{code}\"}} and your API token.",
            code = registered.claim_code,
            base = options.sentinel.trim_end_matches('/'),
        );
    }
    while !claimed {
        tokio::select! {
            () = &mut shutdown => return Ok(()),
            () = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
        match node.sentinel.heartbeat(Vec::new()).await {
            Ok(r) => claimed = r.claimed,
            Err(e) => tracing::warn!("waiting to be claimed: {e}"),
        }
    }
    tracing::info!("claimed; taking work");

    let heartbeat = tokio::spawn(heartbeats(
        node.clone(),
        Duration::from_secs(registered.heartbeat_every_secs.max(1)),
    ));
    let (assignments_tx, mut assignments) = mpsc::channel::<Assignment>(options.workers * 4);
    let feeder = tokio::spawn(feed::feed(node.clone(), assignments_tx, stop.clone()));
    let reporter = tokio::spawn(reporter(node.clone(), finished, stop.clone()));
    let slots = Arc::new(Semaphore::new(options.workers));
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            next = assignments.recv() => match next {
                Some(a) => {
                    // A chunk sent again while this node still holds it
                    // (the sentinel took it back and gave it to this node
                    // once more) runs once; its result answers both.
                    if !node.running.lock().expect("not poisoned").insert(a.chunk_id) {
                        tracing::info!(chunk = a.chunk_id, "already holds it");
                        continue;
                    }
                    let slot = slots.clone().acquire_owned().await.expect("never closed");
                    let (node, stop) = (node.clone(), stop.clone());
                    tasks.spawn(async move {
                        node.execute(a, &stop).await;
                        drop(slot);
                    });
                }
                None => break,
            },
            Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(e) = done {
                    tracing::error!("a chunk task failed: {e}");
                }
            }
        }
    }
    tracing::info!("stopping: no new work; giving back what has not started");
    stop_tx.send_replace(true);
    feeder.abort();
    assignments.close();
    while let Some(a) = assignments.recv().await {
        node.give_back(a.chunk_id).await;
    }
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done {
            tracing::error!("a chunk task failed: {e}");
        }
    }
    heartbeat.abort();
    reporter.abort();
    tracing::info!("stopped");
    Ok(())
}

/// Sends a heartbeat listing the running chunks every `every`.
async fn heartbeats(node: Arc<Node>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let running: Vec<i64> = node
            .running
            .lock()
            .expect("not poisoned")
            .iter()
            .copied()
            .collect();
        if let Err(e) = node.sentinel.heartbeat(running).await {
            tracing::warn!("heartbeat: {e}");
        }
    }
}

/// Reports finished chunks as they come: the results that finish while a
/// report is on its way go together in the next one (up to
/// [`MAX_RESULTS_PER_REPORT`]), so a busy node sends fewer, larger reports
/// and an idle one reports at once.
async fn reporter(
    node: Arc<Node>,
    mut finished: mpsc::UnboundedReceiver<Finished>,
    stop: watch::Receiver<bool>,
) {
    while let Some(first) = finished.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_RESULTS_PER_REPORT {
            match finished.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let results: Vec<ChunkResult> = batch
            .iter()
            .map(|f| node.chunk_result(f.chunk, &f.result))
            .collect();
        match retry("reporting results", &stop, || {
            node.sentinel.complete(&results)
        })
        .await
        {
            Ok(answer) => {
                for ack in answer.acks {
                    tracing::info!(
                        chunk = ack.chunk_id,
                        job_status = ack.job_status,
                        "reported"
                    );
                }
                for refused in answer.refused {
                    tracing::warn!(
                        chunk = refused.chunk_id,
                        "the result was not taken: {}",
                        refused.error
                    );
                }
            }
            Err(e) => {
                let chunks: Vec<i64> = results.iter().map(|r| r.chunk_id).collect();
                tracing::warn!(?chunks, "the results were not taken: {e}");
            }
        }
        for f in batch {
            let _ = f.reported.send(());
        }
    }
}

impl Node {
    /// What the node reports for a finished chunk: its result and digest.
    fn chunk_result(&self, chunk_id: i64, result: &BatchResult) -> ChunkResult {
        #[cfg(feature = "lying-node")]
        if let Some(lie) = self.lie {
            let (wrong, digest) = lie.report(result);
            return ChunkResult {
                chunk_id,
                result: serde_json::to_value(&wrong).expect("results serialise"),
                digest,
            };
        }
        ChunkResult {
            chunk_id,
            result: serde_json::to_value(result).expect("results serialise"),
            digest: wowlab_protocol::digest::result_digest(result),
        }
    }

    /// Free worker slots, for polling.
    fn free(&self) -> usize {
        self.workers
            .saturating_sub(self.running.lock().expect("not poisoned").len())
    }

    fn done(&self, chunk: i64) {
        self.running.lock().expect("not poisoned").remove(&chunk);
    }

    /// Gives an unstarted chunk back.
    async fn give_back(&self, chunk: i64) {
        if let Err(e) = self.sentinel.release(chunk).await {
            tracing::warn!(chunk, "releasing: {e}");
        }
        self.done(chunk);
    }

    /// The config, the module bytes and the script of a chunk, from the
    /// caches or fetched (and checked) from the sentinel.
    async fn inputs(&self, a: &Assignment) -> Result<Inputs, ClientError> {
        let hash = &a.config_hash;
        let config = match self.configs.get(hash) {
            Some(config) => config,
            None => {
                let config = self.sentinel.config(hash).await?;
                tracing::info!(hash = hash.as_str(), "fetched config");
                let json: Arc<str> = wowlab_protocol::address::canonical_json(&config).into();
                let entry = Arc::new((Arc::new(config), json));
                self.configs.insert(hash.clone(), entry.clone());
                entry
            }
        };
        let (config, json) = (config.0.clone(), config.1.clone());
        for module in [&config.engine, &config.rotation.module] {
            if !self.store.contains(module) {
                let bytes = self.sentinel.module(module).await?;
                tracing::info!(hash = module.as_str(), "fetched module");
                self.store.add(&bytes).map_err(|e| {
                    ClientError::Mismatch(format!("storing module {module}: {e:#}"))
                })?;
            }
        }
        let source: Arc<str> = if config.rotation.script.is_empty() {
            "".into()
        } else {
            let checksum = &config.rotation.script;
            match self.scripts.get(checksum) {
                Some(script) => script,
                None => {
                    let script: Arc<str> = self.sentinel.script(checksum).await?.into();
                    tracing::info!(checksum = checksum.as_str(), "fetched script");
                    self.scripts.insert(checksum.clone(), script.clone());
                    script
                }
            }
        };
        Ok(Inputs {
            config,
            json,
            source,
        })
    }

    /// Fetches, runs and reports one chunk, in its span (`chunk{chunk job}`).
    async fn execute(self: Arc<Self>, a: Assignment, stop: &watch::Receiver<bool>) {
        let span = tracing::info_span!("chunk", chunk = a.chunk_id, job = a.job_id);
        self.run_chunk(a, stop).instrument(span).await;
    }

    /// [`Self::execute`], inside the chunk's span.
    async fn run_chunk(self: Arc<Self>, a: Assignment, stop: &watch::Receiver<bool>) {
        let chunk = a.chunk_id;
        let inputs = match retry("fetching inputs", stop, || self.inputs(&a)).await {
            Ok(inputs) => inputs,
            Err(e) => {
                self.report_failure(chunk, &e.to_string(), false, stop)
                    .await;
                return;
            }
        };
        tracing::info!(
            chunk,
            job = a.job_id,
            first = a.first_iteration,
            iterations = a.iterations,
            "running"
        );
        let me = self.clone();
        let span = tracing::Span::current();
        let outcome =
            tokio::task::spawn_blocking(move || span.in_scope(|| me.runner.run(&inputs, &a)))
                .await
                .unwrap_or_else(|e| {
                    Err(ChunkFailure {
                        message: format!("the worker panicked: {e}"),
                        deterministic: false,
                    })
                });
        match outcome {
            Ok(result) => {
                let (reported, done) = oneshot::channel();
                let finished = Finished {
                    chunk,
                    result: Arc::new(result),
                    reported,
                };
                if self.reports.send(finished).is_ok() {
                    let _ = done.await;
                }
            }
            Err(failure) => {
                tracing::warn!(
                    chunk,
                    deterministic = failure.deterministic,
                    "failed: {}",
                    failure.message
                );
                self.report_failure(chunk, &failure.message, failure.deterministic, stop)
                    .await;
            }
        }
        self.done(chunk);
    }

    async fn report_failure(
        &self,
        chunk: i64,
        message: &str,
        deterministic: bool,
        stop: &watch::Receiver<bool>,
    ) {
        if let Err(e) = retry("reporting a failure", stop, || {
            self.sentinel.fail(chunk, message, deterministic)
        })
        .await
        {
            tracing::warn!(chunk, "the failure was not taken: {e}");
        }
        self.done(chunk);
    }
}
