//! Deleting an account and everything its user owns.

use super::{Store, StoreError, UserId};

/// What deleting an account removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deleted {
    /// Jobs removed.
    pub jobs: u64,
    /// Rotations removed.
    pub rotations: u64,
    /// Nodes removed.
    pub nodes: u64,
}

impl Store {
    /// Deletes user `user` with their jobs, rotations, nodes, tokens and
    /// sessions, in one transaction. Chunks their nodes were running return
    /// to pending; configs other users' jobs use pass to one of those users.
    pub async fn delete_user(&self, user: UserId) -> Result<Deleted, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE chunks SET status = 'pending', node_id = NULL, pending_since = $1 \
             WHERE status = 'running' AND node_id IN (SELECT id FROM nodes WHERE owner = $2)",
        )
        .bind(crate::now_ms())
        .bind(user)
        .execute(&mut *tx)
        .await?;
        // In order: what refers to a row goes before it. The counted steps
        // fill `Deleted`'s fields, in the order nodes, jobs, rotations.
        let steps: [(&str, bool); 14] = [
            (
                "DELETE FROM node_users WHERE user_id = $1 \
                 OR node_id IN (SELECT id FROM nodes WHERE owner = $1)",
                false,
            ),
            ("DELETE FROM nodes WHERE owner = $1", true),
            (
                "DELETE FROM chunk_failures WHERE chunk_id IN \
                 (SELECT c.id FROM chunks c JOIN jobs j ON j.id = c.job_id WHERE j.owner = $1)",
                false,
            ),
            (
                "DELETE FROM chunks WHERE job_id IN (SELECT id FROM jobs WHERE owner = $1)",
                false,
            ),
            ("DELETE FROM jobs WHERE owner = $1", true),
            (
                "UPDATE configs SET created_by = \
                 (SELECT MIN(j.owner) FROM jobs j WHERE j.config_hash = configs.hash) \
                 WHERE created_by = $1 \
                 AND EXISTS (SELECT 1 FROM jobs j WHERE j.config_hash = configs.hash)",
                false,
            ),
            (
                "DELETE FROM config_modules WHERE config_hash IN \
                 (SELECT hash FROM configs WHERE created_by = $1)",
                false,
            ),
            ("DELETE FROM configs WHERE created_by = $1", false),
            (
                "DELETE FROM rotation_versions WHERE rotation_id IN \
                 (SELECT id FROM rotations WHERE owner = $1)",
                false,
            ),
            ("DELETE FROM rotations WHERE owner = $1", true),
            ("DELETE FROM group_members WHERE user_id = $1", false),
            ("DELETE FROM sessions WHERE user_id = $1", false),
            ("DELETE FROM api_tokens WHERE user_id = $1", false),
            ("DELETE FROM users WHERE id = $1", false),
        ];
        let mut counts = Vec::with_capacity(3);
        for (sql, counted) in steps {
            let done = sqlx::query(sql).bind(user).execute(&mut *tx).await?;
            if counted {
                counts.push(done.rows_affected());
            }
        }
        let deleted = Deleted {
            nodes: counts[0],
            jobs: counts[1],
            rotations: counts[2],
        };
        tx.commit().await?;
        Ok(deleted)
    }
}
