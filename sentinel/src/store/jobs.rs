//! Jobs and their chunks.

use wowlab_runtime::simulate::ROUND;

use super::{ChunkStatus, JobId, JobStatus, Store, StoreError, UserId};

/// Rows per multi-row INSERT of chunks.
const CHUNK_ROWS_PER_INSERT: usize = 500;

/// A job as stored (read by column name, see `JOB_COLUMNS`).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Job {
    /// Row id.
    pub id: JobId,
    /// The owner's user id.
    pub owner: UserId,
    /// The config it runs.
    pub config_hash: String,
    /// Iterations asked for.
    pub iterations: i64,
    /// The job seed (iteration i uses a seed derived from it and i).
    pub seed: i64,
    /// Who may see it, as JSON.
    pub access: String,
    /// Where it is in its life.
    #[sqlx(try_from = "String")]
    pub status: JobStatus,
    /// Iterations completed.
    pub progress: i64,
    /// The merged result, as JSON, once done.
    pub result: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Number of chunks.
    pub chunks: i64,
    /// Stop once the error is at most this percent of the mean.
    pub target_error: Option<f64>,
    /// Chunks whose result another node's run confirmed.
    pub verified_chunks: i64,
    /// Chunks whose result waits for another node's run.
    pub checking_chunks: i64,
}

/// What a new job needs.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// The owner's user id.
    pub owner: UserId,
    /// The config it runs.
    pub config_hash: &'a str,
    /// Iterations.
    pub iterations: i64,
    /// The job seed.
    pub seed: i64,
    /// Access, as JSON.
    pub access: &'a str,
    /// The name of its spec pack (for rankings).
    pub spec: &'a str,
    /// Stop once the error is at most this percent of the mean.
    pub target_error: Option<f64>,
}

/// The columns of a [`Job`], each named as its field.
const JOB_COLUMNS: &str = "j.id, j.owner, j.config_hash, j.iterations, j.seed, j.access, j.status, j.progress, \
     j.result, j.error, \
     (SELECT COUNT(*) FROM chunks c WHERE c.job_id = j.id AND c.check_of IS NULL) AS chunks, \
     j.target_error, \
     (SELECT COUNT(*) FROM chunks c WHERE c.job_id = j.id AND c.check_of IS NULL AND c.verified = 1) \
         AS verified_chunks, \
     (SELECT COUNT(*) FROM chunks c WHERE c.job_id = j.id AND c.status = 'checking') AS checking_chunks";

impl Store {
    /// Creates a job and its chunks in one transaction; returns (id, chunks).
    pub async fn create_job(&self, new: &NewJob<'_>) -> Result<(JobId, i64), StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: JobId = sqlx::query_scalar(
            "INSERT INTO jobs (owner, config_hash, iterations, seed, access, status, created_at, spec, target_error) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8) RETURNING id",
        )
        .bind(new.owner)
        .bind(new.config_hash)
        .bind(new.iterations)
        .bind(new.seed)
        .bind(new.access)
        .bind(crate::now())
        .bind(new.spec)
        .bind(new.target_error)
        .fetch_one(&mut *tx)
        .await?;
        // Chunk k covers job iterations [k·ROUND, (k+1)·ROUND): a chunk is one
        // round of `wowlab sim --target-error`, so a job with a target error
        // stops where the local run would.
        let round = ROUND as i64;
        let chunks = (new.iterations + round - 1) / round;
        let all: Vec<i64> = (0..chunks).collect();
        for part in all.chunks(CHUNK_ROWS_PER_INSERT) {
            // `$n` placeholders work on both backends (the query builder's do not, under Any).
            let values: Vec<String> = (0..part.len())
                .map(|i| {
                    format!(
                        "(${}, ${}, ${}, ${}, $1, 'pending')",
                        4 * i + 2,
                        4 * i + 3,
                        4 * i + 4,
                        4 * i + 5
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO chunks (job_id, idx, first_iteration, iterations, pending_since, status) \
                 VALUES {}",
                values.join(", ")
            );
            let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(crate::now_ms());
            for &k in part {
                let first = k * round;
                insert = insert
                    .bind(id)
                    .bind(k)
                    .bind(first)
                    .bind(round.min(new.iterations - first));
            }
            insert.execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE configs SET last_used_at = $1 WHERE hash = $2")
            .bind(crate::now())
            .bind(new.config_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((id, chunks))
    }

    /// The job with this id.
    pub async fn job(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs j WHERE j.id = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// A user's jobs, newest first (at most `limit`).
    pub async fn jobs_of(&self, owner: UserId, limit: i64) -> Result<Vec<Job>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j WHERE j.owner = $1 ORDER BY j.id DESC LIMIT $2"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(owner)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Cancels an unfinished job and its pending chunks; false if it had finished.
    pub async fn cancel_job(&self, id: JobId) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE jobs SET status = 'cancelled', finished_at = $1 \
             WHERE id = $2 AND status IN ('pending', 'running')",
        )
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE chunks SET status = 'cancelled' WHERE job_id = $1 AND status = 'pending'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Counts of chunks of a job by status (for tests and progress; re-runs not counted).
    pub async fn chunk_counts(&self, job: JobId) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT status, COUNT(*) FROM chunks WHERE job_id = $1 AND check_of IS NULL \
             GROUP BY status ORDER BY status",
        )
        .bind(job)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Chunks in each state, across all jobs (every state, zeros included).
    pub async fn chunks_by_status(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM chunks GROUP BY status")
                .fetch_all(&self.pool)
                .await?;
        Ok(CHUNK_STATES
            .iter()
            .map(|state| {
                let n = rows
                    .iter()
                    .find(|(status, _)| status == state.as_str())
                    .map_or(0, |(_, n)| *n);
                (state.as_str().to_string(), n)
            })
            .collect())
    }
}

/// Every state a chunk can be seen in (`reported` lasts only inside a
/// report's transaction).
pub const CHUNK_STATES: [ChunkStatus; 6] = [
    ChunkStatus::Pending,
    ChunkStatus::Running,
    ChunkStatus::Checking,
    ChunkStatus::Done,
    ChunkStatus::Failed,
    ChunkStatus::Cancelled,
];
