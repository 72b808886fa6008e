//! Simulation configs, stored once per hash of their canonical JSON.

use super::{Store, StoreError, UserId};

/// A stored config.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredConfig {
    /// BLAKE3 of the canonical JSON.
    pub hash: String,
    /// The canonical JSON.
    pub body: String,
}

impl Store {
    /// Stores a config naming `modules`; false if it was stored already (it
    /// is then only touched). The modules are touched too.
    pub async fn put_config(
        &self,
        hash: &str,
        body: &str,
        modules: &[&str],
        user: UserId,
    ) -> Result<bool, StoreError> {
        let now = crate::now();
        let mut tx = self.pool.begin().await?;
        for module in modules {
            sqlx::query("UPDATE modules SET last_used_at = $1 WHERE hash = $2")
                .bind(now)
                .bind(*module)
                .execute(&mut *tx)
                .await?;
        }
        let inserted = sqlx::query(
            "INSERT INTO configs (hash, body, created_by, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(body)
        .bind(user)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let created = inserted.rows_affected() == 1;
        if created {
            for module in modules {
                sqlx::query(
                    "INSERT INTO config_modules (config_hash, module_hash) VALUES ($1, $2) \
                     ON CONFLICT (config_hash, module_hash) DO NOTHING",
                )
                .bind(hash)
                .bind(*module)
                .execute(&mut *tx)
                .await?;
            }
        } else {
            sqlx::query("UPDATE configs SET last_used_at = $1 WHERE hash = $2")
                .bind(now)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(created)
    }

    /// The config with this hash.
    pub async fn config(&self, hash: &str) -> Result<Option<StoredConfig>, StoreError> {
        Ok(
            sqlx::query_as("SELECT hash, body FROM configs WHERE hash = $1")
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
