//! Wasm modules (engine and rotation components), stored by hash.

use super::{Store, StoreError};

impl Store {
    /// Stores a module of `kind` ("engine" or "rotation"); false if it was there.
    pub async fn put_module(
        &self,
        hash: &str,
        kind: &str,
        bytes: &[u8],
    ) -> Result<bool, StoreError> {
        let now = crate::now();
        let done = sqlx::query(
            "INSERT INTO modules (hash, kind, bytes, size, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(kind)
        .bind(bytes)
        .bind(bytes.len() as i64)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The kind of a stored module, if it is stored.
    pub async fn module_kind(&self, hash: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT kind FROM modules WHERE hash = $1")
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The bytes of a stored module.
    pub async fn module(&self, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT bytes FROM modules WHERE hash = $1")
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
