//! Chunk life: assignment to a node, completion (with the job's progress and,
//! for the last chunk, its merged result, in one transaction), failure and
//! release.

use futures_util::TryStreamExt;
use sqlx::Row;
use wowlab_engine::BatchResult;
use wowlab_protocol::api::Assignment;

use super::{Store, StoreError};

/// Distinct nodes on which a chunk must fail deterministically to fail its job.
pub const FAILURES_TO_FAIL_JOB: i64 = 3;

/// A chunk just assigned to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    /// What the node is told.
    pub assignment: Assignment,
    /// How long it waited in pending, in ms.
    pub waited_ms: i64,
}

/// Why a node's report about a chunk was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    /// No such chunk.
    #[error("no chunk {0}")]
    Unknown(i64),
    /// The chunk is not (or no longer) assigned to this node.
    #[error("chunk {0} is not assigned to this node")]
    NotAssigned(i64),
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkState {
    /// The chunk's status.
    pub status: String,
    /// Its job's id.
    pub job_id: i64,
    /// Its job's status.
    pub job_status: String,
    /// Seconds from the job's first assignment to its result, when this
    /// report finished the job.
    pub finished_job_after: Option<i64>,
}

/// Assigns pending chunks to node `$1`, at most `$3`, at time `$2` (ms).
///
/// One statement. Fair across users: a chunk's turn is its rank among its
/// owner's pending chunks plus the owner's running chunks, so every user with
/// work gets slots in turn and a big job cannot starve a small one; within a
/// turn, older jobs first. A node only gets chunks of users it permits and
/// never a chunk that already failed on it. `status = 'pending'` is checked
/// again by the UPDATE itself, so two sentinels never assign a chunk twice.
const ASSIGN: &str = "
WITH running AS (
    SELECT j.owner AS owner, COUNT(*) AS n
    FROM chunks c JOIN jobs j ON j.id = c.job_id
    WHERE c.status = 'running'
    GROUP BY j.owner
),
node AS (
    SELECT id, owner, access_kind, access_group FROM nodes WHERE id = $1 AND owner IS NOT NULL
),
eligible AS (
    SELECT c.id AS id, c.job_id AS job_id,
           ROW_NUMBER() OVER (PARTITION BY j.owner ORDER BY c.job_id, c.idx) + COALESCE(r.n, 0) AS turn
    FROM chunks c
    JOIN jobs j ON j.id = c.job_id
    CROSS JOIN node n
    LEFT JOIN running r ON r.owner = j.owner
    WHERE c.status = 'pending'
      AND j.status IN ('pending', 'running')
      AND (j.owner = n.owner
           OR n.access_kind = 'public'
           OR (n.access_kind = 'users' AND EXISTS (
                 SELECT 1 FROM node_users nu WHERE nu.node_id = n.id AND nu.user_id = j.owner))
           OR (n.access_kind = 'group' AND EXISTS (
                 SELECT 1 FROM group_members gm WHERE gm.group_id = n.access_group AND gm.user_id = j.owner)))
      AND NOT EXISTS (SELECT 1 FROM chunk_failures f WHERE f.chunk_id = c.id AND f.node_id = n.id)
)
UPDATE chunks SET status = 'running', node_id = $1, assigned_at = $2
WHERE status = 'pending'
  AND id IN (SELECT id FROM eligible ORDER BY turn, job_id, id LIMIT $3)
RETURNING id, job_id, first_iteration, iterations, pending_since,
    (SELECT config_hash FROM jobs WHERE jobs.id = chunks.job_id),
    (SELECT seed FROM jobs WHERE jobs.id = chunks.job_id)";

impl Store {
    /// How many more chunks a claimed node may run now.
    pub async fn free_slots(&self, node: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT n.max_parallel - (SELECT COUNT(*) FROM chunks c \
                 WHERE c.node_id = n.id AND c.status = 'running') \
             FROM nodes n WHERE n.id = $1 AND n.owner IS NOT NULL",
        )
        .bind(node)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map_or(0, |r| r.get::<i64, _>(0).max(0)))
    }

    /// Assigns up to `limit` pending chunks to `node` (see [`ASSIGN`]).
    pub async fn assign(&self, node: i64, limit: i64) -> Result<Vec<Assigned>, StoreError> {
        if limit <= 0 {
            return Ok(Vec::new());
        }
        let now = crate::now_ms();
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(ASSIGN)
            .bind(node)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        let mut assigned: Vec<Assigned> = rows
            .iter()
            .map(|r| Assigned {
                assignment: Assignment {
                    chunk_id: r.get(0),
                    job_id: r.get(1),
                    first_iteration: r.get::<i64, _>(2) as u64,
                    iterations: r.get::<i64, _>(3) as u32,
                    config_hash: r.get(5),
                    seed: r.get::<i64, _>(6) as u64,
                },
                waited_ms: now - r.get::<i64, _>(4),
            })
            .collect();
        assigned.sort_by_key(|a| a.assignment.chunk_id);
        let mut jobs: Vec<i64> = assigned.iter().map(|a| a.assignment.job_id).collect();
        jobs.dedup();
        for job in jobs {
            sqlx::query(
                "UPDATE jobs SET status = 'running', started_at = $1 \
                 WHERE id = $2 AND status = 'pending'",
            )
            .bind(crate::now())
            .bind(job)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(assigned)
    }

    /// Stores a chunk's result reported by `node`. Idempotent: a repeated
    /// report of a chunk this node completed changes nothing. The job's
    /// progress grows by the chunk row's iteration count; when it reaches
    /// the job's, all chunk results are merged into the job's result.
    pub async fn complete_chunk(
        &self,
        node: i64,
        chunk: i64,
        result: &BatchResult,
    ) -> Result<ChunkState, ChunkError> {
        let mut tx = self.pool.begin().await?;
        let (status, owner, iterations, job_id) = chunk_row(&mut tx, chunk).await?;
        if status == "done" && owner == Some(node) {
            return Ok(chunk_state(&mut tx, chunk).await?);
        }
        if status != "running" || owner != Some(node) {
            return Err(ChunkError::NotAssigned(chunk));
        }
        if result.iterations() != iterations as u64 {
            return Err(ChunkError::BadResult(format!(
                "the result has {} iterations but chunk {chunk} has {iterations}",
                result.iterations()
            )));
        }
        let json = serde_json::to_string(result).expect("a BatchResult serialises");
        let done = sqlx::query(
            "UPDATE chunks SET status = 'done', result = $1 \
             WHERE id = $2 AND status = 'running' AND node_id = $3",
        )
        .bind(json)
        .bind(chunk)
        .bind(node)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(ChunkError::NotAssigned(chunk));
        }
        let job = sqlx::query(
            "UPDATE jobs SET progress = progress + $1 WHERE id = $2 \
             RETURNING progress, iterations, status",
        )
        .bind(iterations)
        .bind(job_id)
        .fetch_one(&mut *tx)
        .await?;
        let (progress, total, job_status): (i64, i64, String) =
            (job.get(0), job.get(1), job.get(2));
        if progress == total && job_status == "running" {
            let merged = merge_results(&mut tx, job_id).await?;
            sqlx::query(
                "UPDATE jobs SET status = 'done', result = $1, finished_at = $2 WHERE id = $3",
            )
            .bind(serde_json::to_string(&merged).expect("a BatchResult serialises"))
            .bind(crate::now())
            .bind(job_id)
            .execute(&mut *tx)
            .await?;
        }
        let mut state = chunk_state(&mut tx, chunk).await?;
        if state.job_status == "done" && progress == total {
            let started: Option<i64> = sqlx::query("SELECT started_at FROM jobs WHERE id = $1")
                .bind(job_id)
                .fetch_one(&mut *tx)
                .await?
                .get(0);
            state.finished_job_after = started.map(|s| crate::now() - s);
        }
        tx.commit().await?;
        Ok(state)
    }

    /// A node gives a chunk back: it returns to pending. A deterministic
    /// failure is recorded; on the [`FAILURES_TO_FAIL_JOB`]th distinct node
    /// the chunk and its job fail with the error.
    pub async fn return_chunk(
        &self,
        node: i64,
        chunk: i64,
        failure: Option<&str>,
    ) -> Result<ChunkState, ChunkError> {
        let mut tx = self.pool.begin().await?;
        let (status, owner, _, job_id) = chunk_row(&mut tx, chunk).await?;
        if status != "running" || owner != Some(node) {
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
                sqlx::query("SELECT COUNT(*) FROM chunk_failures WHERE chunk_id = $1")
                    .bind(chunk)
                    .fetch_one(&mut *tx)
                    .await?
                    .get(0);
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
        node: i64,
        running: &[i64],
        assigned_before_ms: i64,
    ) -> Result<u64, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM chunks WHERE node_id = $1 AND status = 'running' AND assigned_at < $2",
        )
        .bind(node)
        .bind(assigned_before_ms)
        .fetch_all(&self.pool)
        .await?;
        let mut returned = 0;
        for row in rows {
            let id: i64 = row.get(0);
            if running.contains(&id) {
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

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// (status, node, iterations, job) of a chunk.
async fn chunk_row(tx: &mut Tx, chunk: i64) -> Result<(String, Option<i64>, i64, i64), ChunkError> {
    let row = sqlx::query("SELECT status, node_id, iterations, job_id FROM chunks WHERE id = $1")
        .bind(chunk)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(ChunkError::Unknown(chunk))?;
    Ok((row.get(0), row.get(1), row.get(2), row.get(3)))
}

async fn chunk_state(tx: &mut Tx, chunk: i64) -> Result<ChunkState, sqlx::Error> {
    let row = sqlx::query(
        "SELECT c.status, c.job_id, j.status FROM chunks c JOIN jobs j ON j.id = c.job_id \
         WHERE c.id = $1",
    )
    .bind(chunk)
    .fetch_one(&mut **tx)
    .await?;
    Ok(ChunkState {
        status: row.get(0),
        job_id: row.get(1),
        job_status: row.get(2),
        finished_job_after: None,
    })
}

/// Merges a job's chunk results, streaming them so memory stays bounded.
async fn merge_results(tx: &mut Tx, job: i64) -> Result<BatchResult, ChunkError> {
    let mut merged = BatchResult::default();
    let mut rows = sqlx::query("SELECT idx, result FROM chunks WHERE job_id = $1 ORDER BY idx")
        .bind(job)
        .fetch(&mut **tx);
    while let Some(row) = rows.try_next().await? {
        let idx: i64 = row.get(0);
        let json: String = row.get(1);
        let part: BatchResult = serde_json::from_str(&json).map_err(|e| {
            ChunkError::BadResult(format!("stored result of chunk {idx} is unreadable: {e}"))
        })?;
        merged.merge(&part);
    }
    Ok(merged)
}

/// Fails a job because `chunk` failed with `error`; its pending chunks are cancelled.
pub(super) async fn fail_job(
    tx: &mut Tx,
    job: i64,
    chunk: i64,
    error: &str,
) -> Result<(), sqlx::Error> {
    let idx: i64 = sqlx::query("SELECT idx FROM chunks WHERE id = $1")
        .bind(chunk)
        .fetch_one(&mut **tx)
        .await?
        .get(0);
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
