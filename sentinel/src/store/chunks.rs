//! Chunk life after assignment (which is the scheduler's,
//! [`crate::scheduler::assignment`]): completion (with the job's progress and,
//! for the last chunk, its merged result, in one transaction), failure and
//! release.

use std::collections::{BTreeMap, HashMap, HashSet};

use futures_util::TryStreamExt;
use wowlab_engine::BatchResult;

use wowlab_protocol::address::canonical_json;
use wowlab_protocol::digest::encoding_digest;

use super::{
    ChunkId, ChunkStatus, JobId, JobStatus, NodeId, Store, StoreError, UserId, placeholders,
};
use crate::verification::votes;

/// Distinct nodes on which a chunk must fail deterministically to fail its job.
pub const FAILURES_TO_FAIL_JOB: i64 = 3;

/// One finished chunk's result as a node reported it.
#[derive(Debug, Clone)]
pub struct Reported {
    /// The chunk (or re-run) the node ran.
    pub chunk_id: ChunkId,
    /// Its result.
    pub result: BatchResult,
    /// The digest the node claims for it.
    pub digest: String,
}

/// Why a node's report about a chunk was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    /// No such chunk.
    #[error("no chunk {0}")]
    Unknown(ChunkId),
    /// The chunk is not (or no longer) assigned to this node.
    #[error("chunk {0} is not assigned to this node")]
    NotAssigned(ChunkId),
    /// The result does not fit the chunk.
    #[error("{0}")]
    BadResult(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ChunkError {
    fn from(e: sqlx::Error) -> Self {
        ChunkError::Store(e.into())
    }
}

/// A chunk's state after a report.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChunkState {
    /// The chunk's status.
    #[sqlx(try_from = "String")]
    pub status: ChunkStatus,
    /// Its job's id.
    pub job_id: JobId,
    /// Its job's status.
    #[sqlx(try_from = "String")]
    pub job_status: JobStatus,
    /// Seconds from the job's first assignment to its result, when this
    /// report finished the job.
    #[sqlx(default)]
    pub finished_job_after: Option<i64>,
}

impl Store {
    /// How many chunks wait for a node.
    pub async fn pending_chunks(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM chunks WHERE status = 'pending'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Stores the results of finished chunks reported by `node`, in one
    /// transaction: one read of the chunks, one update of all of them, one
    /// update per job. Idempotent: a repeated report of a chunk this node
    /// completed is acknowledged and changes nothing. A job's progress grows
    /// by the iterations of the chunks whose results are accepted (trusted,
    /// or confirmed by another node's run, see [`crate::verification::votes`]); when it
    /// reaches the job's, all chunk results are merged into the job's
    /// result. Each chunk gets its own outcome, in the order given; chunk
    /// ids must be distinct. A result whose digest is not the one the node
    /// claimed proves the node modified: it is quarantined and nothing it
    /// reported is stored.
    pub async fn complete_chunks(
        &self,
        node: NodeId,
        results: &[Reported],
    ) -> Result<Vec<Outcome>, StoreError> {
        if results.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        // Each result's canonical encoding: stored as it is, and digested.
        let encoded: Vec<String> = results.iter().map(|r| canonical_json(&r.result)).collect();
        let digests: Vec<String> = encoded
            .iter()
            .map(|json| encoding_digest(json.as_bytes()))
            .collect();
        let forged = forged_digests(results, &digests);
        if !forged.is_empty() {
            return quarantine_forger(tx, node, results, &forged).await;
        }
        let rows = chunk_rows(&mut tx, results.iter().map(|r| r.chunk_id)).await?;
        let (owner, streak) = votes::owner_and_streak(&mut tx, node).await?;
        let mut outcomes = Vec::with_capacity(results.len());
        let mut accepted: Vec<Stored> = Vec::new();
        for ((reported, digest), json) in results.iter().zip(&digests).zip(encoded) {
            let id = reported.chunk_id;
            let outcome = rows
                .get(&id)
                .ok_or(ChunkError::Unknown(id))
                .and_then(|row| {
                    // Taken as it is: the job owner's own node's result, or
                    // one the draw does not re-run; else judged below.
                    let taken = || {
                        row.check_of.is_none()
                            && (owner == Some(row.job_owner) || !self.verification.sample(streak))
                    };
                    if check_report(node, id, row, reported)? == Report::New {
                        accepted.push(Stored {
                            id,
                            json,
                            digest,
                            status: if taken() {
                                ChunkStatus::Done
                            } else {
                                ChunkStatus::Reported
                            },
                        });
                    }
                    Ok(ChunkState {
                        status: ChunkStatus::Done,
                        ..row.state()
                    })
                });
            outcomes.push((id, outcome));
        }
        let stored = store_results(&mut tx, node, &accepted).await?;
        let accepted_now =
            judge_stored(&mut tx, node, &accepted, &stored, &rows, &mut outcomes).await?;
        let finished = add_accepted(&mut tx, accepted_now).await?;
        tx.commit().await?;
        time_finished_jobs(&mut outcomes, &finished, &stored);
        Ok(outcomes)
    }

    /// A node gives a chunk back: it returns to pending. A deterministic
    /// failure is recorded; on the [`FAILURES_TO_FAIL_JOB`]th distinct node
    /// the chunk and its job fail with the error.
    pub async fn return_chunk(
        &self,
        node: NodeId,
        chunk: ChunkId,
        failure: Option<&str>,
    ) -> Result<ChunkState, ChunkError> {
        let mut tx = self.pool.begin().await?;
        let Held {
            status,
            node: owner,
            job_id,
        } = held(&mut tx, chunk).await?;
        if status != ChunkStatus::Running || owner != Some(node) {
            return Err(ChunkError::NotAssigned(chunk));
        }
        sqlx::query(
            "UPDATE chunks SET status = 'pending', node_id = NULL, pending_since = $1 \
             WHERE id = $2",
        )
        .bind(crate::now_ms())
        .bind(chunk)
        .execute(&mut *tx)
        .await?;
        if let Some(error) = failure {
            sqlx::query(
                "INSERT INTO chunk_failures (chunk_id, node_id, error, failed_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (chunk_id, node_id) DO NOTHING",
            )
            .bind(chunk)
            .bind(node)
            .bind(error)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            let failures: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM chunk_failures WHERE chunk_id = $1")
                    .bind(chunk)
                    .fetch_one(&mut *tx)
                    .await?;
            if failures >= FAILURES_TO_FAIL_JOB {
                fail_job(&mut tx, job_id, chunk, error).await?;
            }
        }
        let state = chunk_state(&mut tx, chunk).await?;
        tx.commit().await?;
        Ok(state)
    }
}

impl Store {
    /// Returns to pending the chunks running on `node` that it does not list
    /// in `running` and that were assigned before `assigned_before_ms`.
    pub async fn return_lost_chunks(
        &self,
        node: NodeId,
        running: &[i64],
        assigned_before_ms: i64,
    ) -> Result<u64, StoreError> {
        let ids: Vec<ChunkId> = sqlx::query_scalar(
            "SELECT id FROM chunks WHERE node_id = $1 AND status = 'running' AND assigned_at < $2",
        )
        .bind(node)
        .bind(assigned_before_ms)
        .fetch_all(&self.pool)
        .await?;
        let mut returned = 0;
        for id in ids {
            if running.contains(&id.0) {
                continue;
            }
            returned += sqlx::query(
                "UPDATE chunks SET status = 'pending', node_id = NULL, pending_since = $1 \
                 WHERE id = $2 AND node_id = $3 AND status = 'running'",
            )
            .bind(crate::now_ms())
            .bind(id)
            .bind(node)
            .execute(&self.pool)
            .await?
            .rows_affected();
        }
        Ok(returned)
    }
}

/// A chunk's outcome in a report: its state, or why it was refused.
pub type Outcome = (ChunkId, Result<ChunkState, ChunkError>);

/// The chunks whose claimed digest is not their result's, each with why.
fn forged_digests(results: &[Reported], digests: &[String]) -> Vec<(ChunkId, String)> {
    results
        .iter()
        .zip(digests)
        .filter(|(r, digest)| r.digest != **digest)
        .map(|(r, digest)| {
            let why = format!(
                "reported chunk {} with digest {} but its result's digest is {digest}",
                r.chunk_id, r.digest
            );
            (r.chunk_id, why)
        })
        .collect()
}

/// A node that claimed a wrong digest is modified: it is quarantined, the
/// chunks its quarantine unsettles are decided, and nothing of its report
/// is kept.
async fn quarantine_forger(
    mut tx: Tx,
    node: NodeId,
    results: &[Reported],
    forged: &[(ChunkId, String)],
) -> Result<Vec<Outcome>, StoreError> {
    let mut accepted = Vec::new();
    for chunk in votes::quarantine(&mut tx, node, &forged[0].1).await? {
        accepted.extend(votes::settle(&mut tx, chunk).await?);
    }
    add_accepted(&mut tx, accepted).await?;
    tx.commit().await?;
    Ok(results
        .iter()
        .map(|r| {
            let outcome = match forged.iter().find(|(id, _)| *id == r.chunk_id) {
                Some((_, why)) => ChunkError::BadResult(format!("{why}: node quarantined")),
                None => ChunkError::NotAssigned(r.chunk_id),
            };
            (r.chunk_id, Err(outcome))
        })
        .collect())
}

/// A report about a chunk that is not refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Report {
    /// The result of a chunk running on the node: to store.
    New,
    /// A result the node delivered before: acknowledged, nothing stored.
    Repeat,
}

/// Whether `node` may report `reported` for chunk `id` (as `row`): a
/// chunk running on it with the right iteration count is [`Report::New`],
/// a result it already delivered a [`Report::Repeat`]; anything else is
/// refused.
fn check_report(
    node: NodeId,
    id: ChunkId,
    row: &ChunkRow,
    reported: &Reported,
) -> Result<Report, ChunkError> {
    if row.status.has_result() && row.node == Some(node) {
        return Ok(Report::Repeat);
    }
    if row.status != ChunkStatus::Running || row.node != Some(node) {
        return Err(ChunkError::NotAssigned(id));
    }
    if reported.result.iterations() != row.iterations as u64 {
        return Err(ChunkError::BadResult(format!(
            "the result has {} iterations but chunk {id} has {}",
            reported.result.iterations(),
            row.iterations
        )));
    }
    Ok(Report::New)
}

/// After the results are stored: a result the store did not take (its
/// chunk left the node meanwhile) is refused; results taken as they are
/// count at once; the others are judged by [`votes::judge`]. The chunks
/// accepted now.
async fn judge_stored(
    tx: &mut Tx,
    node: NodeId,
    accepted: &[Stored<'_>],
    stored: &HashSet<ChunkId>,
    rows: &HashMap<ChunkId, ChunkRow>,
    outcomes: &mut [Outcome],
) -> Result<votes::Accepted, StoreError> {
    let mut accepted_now = votes::Accepted::new();
    for run in accepted {
        let row = &rows[&run.id];
        if !stored.contains(&run.id) {
            let lost = outcomes.iter_mut().find(|(c, _)| *c == run.id);
            lost.expect("accepted chunks were reported").1 = Err(ChunkError::NotAssigned(run.id));
        } else if run.status == ChunkStatus::Done {
            accepted_now.push((row.job_id, row.iterations));
        }
    }
    for run in accepted
        .iter()
        .filter(|r| r.status == ChunkStatus::Reported && stored.contains(&r.id))
    {
        let check_of = rows[&run.id].check_of;
        accepted_now.extend(votes::judge(tx, node, run.id, check_of).await?);
    }
    Ok(accepted_now)
}

/// Tells each outcome its job's status after the report; a job this
/// report finished is timed on one of its chunks only.
fn time_finished_jobs(
    outcomes: &mut [Outcome],
    finished: &BTreeMap<JobId, (JobStatus, Option<i64>)>,
    stored: &HashSet<ChunkId>,
) {
    let mut timed = HashSet::new();
    for (id, outcome) in outcomes {
        if let Ok(state) = outcome
            && let Some((job_status, after)) = finished.get(&state.job_id)
        {
            state.job_status = *job_status;
            if stored.contains(id) && timed.insert(state.job_id) {
                state.finished_job_after = *after;
            }
        }
    }
}

pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Where a chunk is: its status, the node holding it, its job.
#[derive(sqlx::FromRow)]
struct Held {
    #[sqlx(try_from = "String")]
    status: ChunkStatus,
    node: Option<NodeId>,
    job_id: JobId,
}

/// Where chunk `chunk` is.
async fn held(tx: &mut Tx, chunk: ChunkId) -> Result<Held, ChunkError> {
    sqlx::query_as("SELECT status, node_id AS node, job_id FROM chunks WHERE id = $1")
        .bind(chunk)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(ChunkError::Unknown(chunk))
}

/// A chunk as a report sees it.
#[derive(sqlx::FromRow)]
struct ChunkRow {
    id: ChunkId,
    #[sqlx(try_from = "String")]
    status: ChunkStatus,
    node: Option<NodeId>,
    iterations: i64,
    job_id: JobId,
    #[sqlx(try_from = "String")]
    job_status: JobStatus,
    /// The chunk it re-runs, if it is a re-run.
    check_of: Option<ChunkId>,
    /// The job owner's user id.
    job_owner: UserId,
}

impl ChunkRow {
    fn state(&self) -> ChunkState {
        ChunkState {
            status: self.status,
            job_id: self.job_id,
            job_status: self.job_status,
            finished_job_after: None,
        }
    }
}

/// The chunks with these ids, with their jobs' status, in one query.
async fn chunk_rows(
    tx: &mut Tx,
    ids: impl ExactSizeIterator<Item = ChunkId>,
) -> Result<HashMap<ChunkId, ChunkRow>, StoreError> {
    let sql = format!(
        "SELECT c.id, c.status, c.node_id AS node, c.iterations, c.job_id, j.status AS job_status, \
             c.check_of, j.owner AS job_owner \
         FROM chunks c JOIN jobs j ON j.id = c.job_id WHERE c.id IN ({})",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as::<_, ChunkRow>(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}

/// A result to store for a chunk.
struct Stored<'a> {
    id: ChunkId,
    json: String,
    digest: &'a str,
    /// `done` when taken as it is, else `reported`: awaiting [`votes::judge`].
    status: ChunkStatus,
}

/// Stores the results (with their digests and statuses) of these chunks of
/// `node`, in one statement. Returns the ids it changed.
async fn store_results(
    tx: &mut Tx,
    node: NodeId,
    results: &[Stored<'_>],
) -> Result<HashSet<ChunkId>, sqlx::Error> {
    if results.is_empty() {
        return Ok(HashSet::new());
    }
    let values: Vec<String> = (0..results.len())
        .map(|i| {
            let p = 2 + 4 * i;
            format!("(${p}, ${}, ${}, ${})", p + 1, p + 2, p + 3)
        })
        .collect();
    let sql = format!(
        "UPDATE chunks SET status = v.column4, result = v.column2, digest = v.column3 \
         FROM (VALUES {}) AS v \
         WHERE chunks.id = v.column1 AND chunks.status = 'running' AND chunks.node_id = $1 \
         RETURNING chunks.id",
        values.join(", ")
    );
    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(node);
    for run in results {
        query = query
            .bind(run.id)
            .bind(run.json.as_str())
            .bind(run.digest)
            .bind(run.status.as_str());
    }
    Ok(query.fetch_all(&mut **tx).await?.into_iter().collect())
}

/// Adds the iterations of accepted chunks (job, iterations) to their jobs'
/// progress, one update per job; each job's status and, when it just
/// finished, the seconds since its first assignment.
async fn add_accepted(
    tx: &mut Tx,
    accepted: votes::Accepted,
) -> Result<BTreeMap<JobId, (JobStatus, Option<i64>)>, StoreError> {
    let mut jobs: BTreeMap<JobId, i64> = BTreeMap::new();
    for (job, iterations) in accepted {
        *jobs.entry(job).or_default() += iterations;
    }
    let mut finished = BTreeMap::new();
    for (job, iterations) in jobs {
        finished.insert(job, add_progress(tx, job, iterations).await?);
    }
    Ok(finished)
}

/// A job's progress after adding to it.
#[derive(sqlx::FromRow)]
struct Progress {
    progress: i64,
    iterations: i64,
    #[sqlx(try_from = "String")]
    status: JobStatus,
    started_at: Option<i64>,
    target_error: Option<f64>,
}

/// Adds `iterations` to a job's progress; when that completes a running
/// job (or, with a target error, its results in chunk order reach the
/// target), stores its result. Returns the job's status and, when it just
/// finished, the seconds since its first assignment.
async fn add_progress(
    tx: &mut Tx,
    job: JobId,
    iterations: i64,
) -> Result<(JobStatus, Option<i64>), StoreError> {
    let Progress {
        progress,
        iterations: total,
        status,
        started_at: started,
        target_error,
    } = sqlx::query_as(
        "UPDATE jobs SET progress = progress + $1 WHERE id = $2 \
         RETURNING progress, iterations, status, started_at, target_error",
    )
    .bind(iterations)
    .bind(job)
    .fetch_one(&mut **tx)
    .await?;
    if status != JobStatus::Running {
        return Ok((status, None));
    }
    let merged = match target_error {
        Some(target) => match advance_prefix(tx, job, target).await? {
            Some(merged) => merged,
            None => return Ok((status, None)),
        },
        None if progress == total => merge_results(tx, job).await?,
        None => return Ok((status, None)),
    };
    let now = crate::now();
    sqlx::query(
        "UPDATE jobs SET status = 'done', result = $1, finished_at = $2, mean_dps = $3, \
         prefix_result = NULL WHERE id = $4",
    )
    .bind(serde_json::to_string(&merged).expect("a BatchResult serialises"))
    .bind(now)
    .bind(merged.dps.mean())
    .bind(job)
    .execute(&mut **tx)
    .await?;
    // A job that stopped at its target error needs none of its other chunks.
    sqlx::query("UPDATE chunks SET status = 'cancelled' WHERE job_id = $1 AND status = 'pending'")
        .bind(job)
        .execute(&mut **tx)
        .await?;
    Ok((JobStatus::Done, started.map(|s| now - s)))
}

/// Chunks read at a time while extending a job's prefix.
const PREFIX_STEP: i64 = 64;

/// Extends the merged prefix of a job with a target error over its done
/// chunks in index order, checking the error after each as `wowlab sim`
/// checks after each round. The result when the target is reached or every
/// chunk is in the prefix; else `None` (the prefix is saved for next time).
async fn advance_prefix(
    tx: &mut Tx,
    job: JobId,
    target: f64,
) -> Result<Option<BatchResult>, StoreError> {
    let (mut next, saved, chunks): (i64, Option<String>, i64) = sqlx::query_as(
        "SELECT prefix_chunks, prefix_result, \
         (SELECT COUNT(*) FROM chunks c WHERE c.job_id = $1 AND c.check_of IS NULL) \
         FROM jobs WHERE id = $1",
    )
    .bind(job)
    .fetch_one(&mut **tx)
    .await?;
    let mut merged: BatchResult = match saved {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("the merged prefix of job {job}: {e}")))?,
        None => BatchResult::default(),
    };
    let start = next;
    'extend: loop {
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT idx, status, result FROM chunks \
             WHERE job_id = $1 AND idx >= $2 AND check_of IS NULL ORDER BY idx LIMIT $3",
        )
        .bind(job)
        .bind(next)
        .bind(PREFIX_STEP)
        .fetch_all(&mut **tx)
        .await?;
        for (idx, status, json) in &rows {
            if *idx != next || ChunkStatus::parse(status)? != ChunkStatus::Done {
                break 'extend;
            }
            let json = json.as_deref().ok_or_else(|| {
                StoreError::Corrupt(format!("chunk {idx} of job {job} is done without a result"))
            })?;
            let part: BatchResult = serde_json::from_str(json).map_err(|e| {
                StoreError::Corrupt(format!("the result of chunk {idx} of job {job}: {e}"))
            })?;
            merged.merge(&part);
            next += 1;
            let mean = merged.dps.mean();
            if next == chunks || (mean > 0.0 && merged.dps.error95() / mean * 100.0 <= target) {
                return Ok(Some(merged));
            }
        }
        if (rows.len() as i64) < PREFIX_STEP {
            break;
        }
    }
    if next > start {
        sqlx::query("UPDATE jobs SET prefix_chunks = $1, prefix_result = $2 WHERE id = $3")
            .bind(next)
            .bind(serde_json::to_string(&merged).expect("a BatchResult serialises"))
            .bind(job)
            .execute(&mut **tx)
            .await?;
    }
    Ok(None)
}

async fn chunk_state(tx: &mut Tx, chunk: ChunkId) -> Result<ChunkState, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.status, c.job_id, j.status AS job_status FROM chunks c \
         JOIN jobs j ON j.id = c.job_id WHERE c.id = $1",
    )
    .bind(chunk)
    .fetch_one(&mut **tx)
    .await?)
}

/// Merges a job's chunk results, streaming them so memory stays bounded.
async fn merge_results(tx: &mut Tx, job: JobId) -> Result<BatchResult, StoreError> {
    let mut merged = BatchResult::default();
    let mut rows = sqlx::query_as::<_, (i64, String)>(
        "SELECT idx, result FROM chunks WHERE job_id = $1 AND check_of IS NULL ORDER BY idx",
    )
    .bind(job)
    .fetch(&mut **tx);
    while let Some((idx, json)) = rows.try_next().await? {
        let part: BatchResult = serde_json::from_str(&json).map_err(|e| {
            StoreError::Corrupt(format!("the result of chunk {idx} of job {job}: {e}"))
        })?;
        merged.merge(&part);
    }
    Ok(merged)
}

/// Fails a job because `chunk` failed with `error`; its pending chunks are cancelled.
pub(crate) async fn fail_job(
    tx: &mut Tx,
    job: JobId,
    chunk: ChunkId,
    error: &str,
) -> Result<(), sqlx::Error> {
    let idx: i64 = sqlx::query_scalar("SELECT idx FROM chunks WHERE id = $1")
        .bind(chunk)
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query("UPDATE chunks SET status = 'failed' WHERE id = $1")
        .bind(chunk)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE jobs SET status = 'failed', error = $1, finished_at = $2 \
         WHERE id = $3 AND status IN ('pending', 'running')",
    )
    .bind(format!("chunk {idx} failed: {error}"))
    .bind(crate::now())
    .bind(job)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE chunks SET status = 'cancelled' WHERE job_id = $1 AND status = 'pending'")
        .bind(job)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
