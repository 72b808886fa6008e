//! Maintenance: the one reaper. Returns chunks of silent nodes, removes
//! stale nodes, nonces, configs and modules, and fails jobs whose failing
//! chunk no other node can take. Runs at most once per period across all
//! sentinels on one database (a PostgreSQL advisory lock plus the time of
//! the last run, in one transaction).

use super::{Backend, ChunkId, JobId, Store, StoreError, Tx, fail_job};
use crate::thresholds::Thresholds;

/// The advisory lock key of maintenance ("wowlab" in ASCII).
const LOCK_KEY: i64 = 0x776f_776c_6162;

/// What one maintenance run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Maintenance {
    /// Chunks of offline nodes returned to pending.
    pub chunks_returned: u64,
    /// Nodes removed (unclaimed or long offline).
    pub nodes_removed: u64,
    /// Nonces past the replay window removed.
    pub nonces_removed: u64,
    /// Unused configs removed.
    pub configs_removed: u64,
    /// Unreferenced modules removed.
    pub modules_removed: u64,
    /// Jobs failed because a failing chunk found no other node.
    pub jobs_failed: u64,
    /// Expired browser sessions removed.
    pub sessions_removed: u64,
}

impl Store {
    /// Runs maintenance unless a sentinel ran it less than
    /// `thresholds.maintenance_every` ago (or runs it now); `None` if skipped.
    pub async fn maintain(
        &self,
        thresholds: &Thresholds,
        sentinel: &str,
    ) -> Result<Option<Maintenance>, StoreError> {
        let now = Now {
            s: crate::now(),
            ms: crate::now_ms(),
        };
        let mut tx = self.pool.begin().await?;
        if !my_turn(&mut tx, self.backend, thresholds, now).await? {
            return Ok(None);
        }
        let mut done = Maintenance {
            chunks_returned: return_chunks_of_offline_nodes(&mut tx, thresholds, now).await?,
            ..Maintenance::default()
        };
        done.nodes_removed = remove_nodes(&mut tx, thresholds, now).await?;
        (done.nonces_removed, done.sessions_removed) = remove_expired(&mut tx, now).await?;
        (done.configs_removed, done.modules_removed) =
            remove_unused(&mut tx, thresholds, now).await?;
        done.jobs_failed = fail_stuck_chunks(&mut tx, thresholds, now).await?;
        record_run(&mut tx, sentinel, now).await?;
        tx.commit().await?;
        Ok(Some(done))
    }

    /// Start times (ms) of the maintenance runs of the last day, with the
    /// sentinel that ran each, oldest first.
    pub async fn maintenance_runs(&self) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT started_at_ms, sentinel FROM maintenance_runs ORDER BY started_at_ms",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

/// The time of one maintenance run, in seconds and in milliseconds.
#[derive(Debug, Clone, Copy)]
struct Now {
    s: i64,
    ms: i64,
}

/// Seconds of `d`, for comparing with stored times.
fn secs(d: std::time::Duration) -> i64 {
    d.as_secs() as i64
}

/// Whether this sentinel runs maintenance now: it holds the advisory lock
/// (PostgreSQL; SQLite has one writer) and no sentinel ran it within the
/// period.
async fn my_turn(
    tx: &mut Tx,
    backend: Backend,
    thresholds: &Thresholds,
    now: Now,
) -> Result<bool, StoreError> {
    if backend == Backend::Postgres {
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(LOCK_KEY)
            .fetch_one(&mut **tx)
            .await?;
        if !locked {
            return Ok(false);
        }
    }
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(started_at_ms) FROM maintenance_runs")
        .fetch_one(&mut **tx)
        .await?;
    let period_ms = thresholds.maintenance_every.as_millis() as i64;
    Ok(last.is_none_or(|last| now.ms - last >= period_ms))
}

/// Returns to pending the chunks running on nodes offline for longer than
/// `offline_after`, and cancels pending chunks of finished jobs (returned
/// after their job was cancelled or failed, they would never run).
async fn return_chunks_of_offline_nodes(
    tx: &mut Tx,
    thresholds: &Thresholds,
    now: Now,
) -> Result<u64, StoreError> {
    let returned = sqlx::query(
        "UPDATE chunks SET status = 'pending', node_id = NULL, pending_since = $1 \
         WHERE status = 'running' \
           AND node_id IN (SELECT id FROM nodes WHERE last_seen_at < $2)",
    )
    .bind(now.ms)
    .bind(now.s - secs(thresholds.offline_after))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE chunks SET status = 'cancelled' WHERE status = 'pending' \
           AND job_id IN (SELECT id FROM jobs WHERE status IN ('cancelled', 'failed'))",
    )
    .execute(&mut **tx)
    .await?;
    Ok(returned)
}

/// Removes nodes never claimed within `unclaimed_node_ttl` or offline for
/// `offline_node_ttl`; their chunks were returned (they are offline for
/// longer than `offline_after`) or they never ran any.
async fn remove_nodes(tx: &mut Tx, thresholds: &Thresholds, now: Now) -> Result<u64, StoreError> {
    let doomed = "(owner IS NULL AND created_at < $1) OR last_seen_at < $2";
    let unclaimed_before = now.s - secs(thresholds.unclaimed_node_ttl);
    let gone_before = now.s - secs(thresholds.offline_node_ttl);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM node_users WHERE node_id IN (SELECT id FROM nodes WHERE {doomed})"
    )))
    .bind(unclaimed_before)
    .bind(gone_before)
    .execute(&mut **tx)
    .await?;
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM nodes WHERE {doomed}"
    )))
    .bind(unclaimed_before)
    .bind(gone_before)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Removes nonces past the replay window and expired sessions: (nonces, sessions).
async fn remove_expired(tx: &mut Tx, now: Now) -> Result<(u64, u64), StoreError> {
    let nonces = sqlx::query("DELETE FROM nonces WHERE seen_at < $1")
        .bind(now.s - 2 * wowlab_protocol::signing::MAX_SKEW_SECS)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now.s)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok((nonces, sessions))
}

/// Removes configs no job uses, unused for `config_ttl`, and modules no
/// config refers to and no pin keeps, unused for `module_ttl`: (configs, modules).
async fn remove_unused(
    tx: &mut Tx,
    thresholds: &Thresholds,
    now: Now,
) -> Result<(u64, u64), StoreError> {
    let unused = "last_used_at < $1 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.config_hash = configs.hash)";
    let config_before = now.s - secs(thresholds.config_ttl);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM config_modules WHERE config_hash IN (SELECT hash FROM configs WHERE {unused})"
    )))
    .bind(config_before)
    .execute(&mut **tx)
    .await?;
    let configs = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM configs WHERE {unused}"
    )))
    .bind(config_before)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let modules = sqlx::query(
        "DELETE FROM modules WHERE last_used_at < $1 \
           AND NOT EXISTS (SELECT 1 FROM config_modules cm WHERE cm.module_hash = modules.hash) \
           AND NOT EXISTS (SELECT 1 FROM engine_pins p WHERE p.hash = modules.hash)",
    )
    .bind(now.s - secs(thresholds.module_ttl))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok((configs, modules))
}

/// Fails the jobs of pending chunks that failed deterministically and that
/// no other node took within `failed_chunk_wait`; how many.
async fn fail_stuck_chunks(
    tx: &mut Tx,
    thresholds: &Thresholds,
    now: Now,
) -> Result<u64, StoreError> {
    let stuck: Vec<(ChunkId, JobId, String)> = sqlx::query_as(
        "SELECT c.id, c.job_id, \
            (SELECT f.error FROM chunk_failures f WHERE f.chunk_id = c.id \
             ORDER BY f.failed_at DESC LIMIT 1) \
         FROM chunks c \
         WHERE c.status = 'pending' \
           AND EXISTS (SELECT 1 FROM chunk_failures f WHERE f.chunk_id = c.id) \
           AND (SELECT MAX(f.failed_at) FROM chunk_failures f WHERE f.chunk_id = c.id) < $1",
    )
    .bind(now.s - secs(thresholds.failed_chunk_wait))
    .fetch_all(&mut **tx)
    .await?;
    let mut failed = 0;
    for (chunk, job, error) in stuck {
        let message = format!("{error} (no other node took it)");
        fail_job(tx, job, chunk, &message).await?;
        failed += 1;
    }
    Ok(failed)
}

/// Records this run (and forgets runs older than a day).
async fn record_run(tx: &mut Tx, sentinel: &str, now: Now) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM maintenance_runs WHERE started_at_ms < $1")
        .bind(now.ms - 86_400_000)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO maintenance_runs (started_at_ms, sentinel) VALUES ($1, $2)")
        .bind(now.ms)
        .bind(sentinel)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
