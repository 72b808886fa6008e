//! Rotations: named Rhai scripts with versions; a config names a version by
//! its checksum (BLAKE3 of the script).

use sqlx::Row;

use super::{Store, StoreError};

/// A rotation with every version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Row id.
    pub id: i64,
    /// Owner's user id.
    pub owner: i64,
    /// Owner's name.
    pub owner_name: String,
    /// Name.
    pub name: String,
    /// Whether everyone may see it.
    pub public: bool,
    /// (version, checksum, created_at), oldest first.
    pub versions: Vec<(i64, String, i64)>,
    /// The latest script.
    pub script: String,
}

impl Store {
    /// Creates a rotation with its first version; its id.
    pub async fn create_rotation(
        &self,
        owner: i64,
        name: &str,
        public: bool,
        script: &str,
        checksum: &str,
    ) -> Result<i64, StoreError> {
        let now = crate::now();
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO rotations (owner, name, public, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(owner)
        .bind(name)
        .bind(i64::from(public))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        sqlx::query(
            "INSERT INTO rotation_versions (rotation_id, version, checksum, script, created_at) \
             VALUES ($1, 1, $2, $3, $4)",
        )
        .bind(id)
        .bind(checksum)
        .bind(script)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a version (unless `script` is the latest one) and/or changes visibility.
    pub async fn update_rotation(
        &self,
        id: i64,
        script: Option<(&str, &str)>,
        public: Option<bool>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        if let Some(public) = public {
            sqlx::query("UPDATE rotations SET public = $1 WHERE id = $2")
                .bind(i64::from(public))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some((script, checksum)) = script {
            let latest = sqlx::query(
                "SELECT version, checksum FROM rotation_versions WHERE rotation_id = $1 \
                 ORDER BY version DESC LIMIT 1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let (version, latest_checksum): (i64, String) = (latest.get(0), latest.get(1));
            if latest_checksum != checksum {
                sqlx::query(
                    "INSERT INTO rotation_versions (rotation_id, version, checksum, script, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(version + 1)
                .bind(checksum)
                .bind(script)
                .bind(crate::now())
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The rotation with this id.
    pub async fn rotation(&self, id: i64) -> Result<Option<Rotation>, StoreError> {
        let row = sqlx::query(
            "SELECT r.id, r.owner, u.name, r.name, r.public FROM rotations r \
             JOIN users u ON u.id = r.owner WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let versions = sqlx::query(
            "SELECT version, checksum, created_at, script FROM rotation_versions \
             WHERE rotation_id = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(Rotation {
            id: row.get(0),
            owner: row.get(1),
            owner_name: row.get(2),
            name: row.get(3),
            public: row.get::<i64, _>(4) != 0,
            script: versions.last().map(|v| v.get(3)).unwrap_or_default(),
            versions: versions
                .iter()
                .map(|v| (v.get(0), v.get(1), v.get(2)))
                .collect(),
        }))
    }

    /// Ids of the user's rotations and the public ones, newest first (at most `limit`).
    pub async fn rotations_visible_to(
        &self,
        user: i64,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM rotations WHERE owner = $1 OR public <> 0 ORDER BY id DESC LIMIT $2",
        )
        .bind(user)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// The script with this checksum.
    pub async fn script(&self, checksum: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT script FROM rotation_versions WHERE checksum = $1 LIMIT 1")
            .bind(checksum)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get(0)))
    }
}
