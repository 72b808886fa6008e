//! Engine pins: the engine module hashes this sentinel accepts in jobs.

use super::{Store, StoreError};

impl Store {
    /// Pins `hash`; false if it was pinned already.
    pub async fn pin_engine(&self, hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("INSERT INTO engine_pins (hash, created_at) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING")
            .bind(hash)
            .bind(crate::now())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Unpins `hash`; false if it was not pinned.
    pub async fn unpin_engine(&self, hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM engine_pins WHERE hash = $1")
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The pinned engine hashes, sorted.
    pub async fn pinned_engines(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT hash FROM engine_pins ORDER BY hash")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Whether `hash` is pinned.
    pub async fn is_pinned(&self, hash: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM engine_pins WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }
}
