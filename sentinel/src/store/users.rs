//! Users and their API tokens (stored as BLAKE3 hashes, never in clear).

use super::{Store, StoreError, UserId};

/// A user of the sentinel.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    /// Row id.
    pub id: UserId,
    /// Unique name.
    pub name: String,
}

/// One of a user's API tokens (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    /// Row id.
    pub id: i64,
    /// What its owner called it.
    pub name: String,
    /// Unix seconds of its creation.
    pub created_at: i64,
}

impl Store {
    /// Creates a user whose first API token hashes to `token_hash`; `None`
    /// if the name is taken.
    pub async fn add_user(&self, name: &str, token_hash: &str) -> Result<Option<User>, StoreError> {
        let now = crate::now();
        let mut tx = self.pool.begin().await?;
        let id: Option<UserId> = sqlx::query_scalar(
            "INSERT INTO users (name, token_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind("made by user add")
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(User {
            id,
            name: name.to_string(),
        }))
    }

    /// The user one of whose API tokens hashes to `token_hash`.
    pub async fn user_by_token(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.name FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The id of the user with this name.
    pub async fn user_id(&self, name: &str) -> Result<Option<UserId>, StoreError> {
        Ok(sqlx::query_scalar("SELECT id FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// A user's API tokens, oldest first.
    pub async fn api_tokens_of(&self, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, name, created_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds an API token (by its hash) for `user`; its id.
    pub async fn add_api_token(
        &self,
        user: UserId,
        name: &str,
        token_hash: &str,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user)
        .bind(name)
        .bind(token_hash)
        .bind(crate::now())
        .fetch_one(&self.pool)
        .await?)
    }

    /// Revokes `user`'s token `id`; false if they have no such token.
    pub async fn revoke_api_token(&self, user: UserId, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
