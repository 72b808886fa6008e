//! Passwords and browser sessions of the portal. A session's token lives only
//! in the browser's cookie; the store keeps its BLAKE3 hash.

use super::{Store, StoreError, User, UserId};

/// A signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    /// Who signed in.
    #[sqlx(flatten)]
    pub user: User,
    /// The token its forms and scripts send back (CSRF protection).
    pub csrf: String,
}

/// A user with their password hash.
#[derive(sqlx::FromRow)]
struct Credentials {
    #[sqlx(flatten)]
    user: User,
    password_hash: String,
}

impl Store {
    /// Sets a user's password hash (PHC string); false if there is no such user.
    pub async fn set_password(&self, user: UserId, phc: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(phc)
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The user with this name and their password hash, if they have one.
    pub async fn password_of(&self, name: &str) -> Result<Option<(User, String)>, StoreError> {
        let row: Option<Credentials> = sqlx::query_as(
            "SELECT id, name, password_hash FROM users WHERE name = $1 AND password_hash IS NOT NULL",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.user, r.password_hash)))
    }

    /// The password hash of user `id`.
    pub async fn password_of_id(&self, id: UserId) -> Result<Option<String>, StoreError> {
        let hash: Option<Option<String>> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(hash.flatten())
    }

    /// Opens a session for `user` until `expires_at` (Unix seconds).
    pub async fn open_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user)
        .bind(csrf)
        .bind(crate::now())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The unexpired session whose token hashes to `token_hash`.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.name, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(crate::now())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Ends one session.
    pub async fn close_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of `user` but the one whose token hashes to `keep`.
    pub async fn close_other_sessions(&self, user: UserId, keep: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user)
            .bind(keep)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
