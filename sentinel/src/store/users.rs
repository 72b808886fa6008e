//! Users and their API tokens (stored as BLAKE3 hashes, never in clear).

use sqlx::Row;

use super::{Store, StoreError};

/// A user of the sentinel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Unique name.
    pub name: String,
}

impl Store {
    /// Creates a user whose token hashes to `token_hash`; `None` if the name is taken.
    pub async fn add_user(&self, name: &str, token_hash: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "INSERT INTO users (name, token_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(token_hash)
        .bind(crate::now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| User {
            id: r.get(0),
            name: name.to_string(),
        }))
    }

    /// The user whose token hashes to `token_hash`.
    pub async fn user_by_token(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT id, name FROM users WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| User {
            id: r.get(0),
            name: r.get(1),
        }))
    }

    /// The id of the user with this name.
    pub async fn user_id(&self, name: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT id FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get(0)))
    }
}
