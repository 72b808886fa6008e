//! Rankings: the best finished public jobs, per spec pack and of the day.

use super::{JobId, Store, StoreError};

/// A finished public job in a ranking.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Ranked {
    /// The job.
    pub job_id: JobId,
    /// Its owner's name.
    pub owner_name: String,
    /// Its spec pack's name.
    pub spec: String,
    /// Its mean DPS.
    pub mean_dps: f64,
    /// Its config, which names the rotation.
    pub config_hash: String,
}

/// The `access` of a public job, as stored.
const PUBLIC: &str = "\"public\"";

/// Selects the columns of [`Ranked`].
const RANKED: &str = "SELECT j.id AS job_id, u.name AS owner_name, j.spec, j.mean_dps, j.config_hash \
     FROM jobs j JOIN users u ON u.id = j.owner \
     WHERE j.status = 'done' AND j.access = $1 AND j.mean_dps IS NOT NULL";

impl Store {
    /// The `limit` best public jobs of spec pack `spec`, best first.
    pub async fn best_of_spec(&self, spec: &str, limit: i64) -> Result<Vec<Ranked>, StoreError> {
        let sql = format!("{RANKED} AND j.spec = $2 ORDER BY j.mean_dps DESC, j.id LIMIT $3");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(PUBLIC)
            .bind(spec)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The `limit` best public jobs that finished at or after `since` (Unix seconds).
    pub async fn best_since(&self, since: i64, limit: i64) -> Result<Vec<Ranked>, StoreError> {
        let sql =
            format!("{RANKED} AND j.finished_at >= $2 ORDER BY j.mean_dps DESC, j.id LIMIT $3");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(PUBLIC)
            .bind(since)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }
}
