//! Rotations: named Rhai scripts with versions; a config names a version by
//! its checksum (BLAKE3 of the script).

use super::{RotationId, UserId};
use sqlx::Row;

use super::{Store, StoreError};

/// A rotation with every version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Row id.
    pub id: RotationId,
    /// Owner's user id.
    pub owner: UserId,
    /// Owner's name.
    pub owner_name: String,
    /// Name.
    pub name: String,
    /// Whether everyone may see it.
    pub public: bool,
    /// The name of the spec pack it is written for ("" when not said).
    pub spec: String,
    /// (version, checksum, created_at), oldest first.
    pub versions: Vec<(i64, String, i64)>,
    /// The latest script.
    pub script: String,
}

/// A rotation in a list: no scripts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationSummary {
    /// Row id.
    pub id: RotationId,
    /// Name.
    pub name: String,
    /// Owner's name.
    pub owner_name: String,
    /// Spec pack name.
    pub spec: String,
    /// Whether everyone may see it.
    pub public: bool,
    /// Number of versions.
    pub versions: i64,
}

/// A new rotation.
#[derive(Debug, Clone, Copy)]
pub struct NewRotation<'a> {
    /// Owner's user id.
    pub owner: UserId,
    /// Name.
    pub name: &'a str,
    /// Spec pack name ("" when not said).
    pub spec: &'a str,
    /// Whether everyone may see it.
    pub public: bool,
    /// The first version's script.
    pub script: &'a str,
    /// Its checksum.
    pub checksum: &'a str,
}

const SUMMARY: &str = "SELECT r.id, r.name, u.name, r.spec, r.public, \
     (SELECT COUNT(*) FROM rotation_versions v WHERE v.rotation_id = r.id) \
     FROM rotations r JOIN users u ON u.id = r.owner";

fn summary(r: &sqlx::any::AnyRow) -> RotationSummary {
    RotationSummary {
        id: r.get(0),
        name: r.get(1),
        owner_name: r.get(2),
        spec: r.get(3),
        public: r.get::<i64, _>(4) != 0,
        versions: r.get(5),
    }
}

impl Store {
    /// Creates a rotation with its first version; its id.
    pub async fn create_rotation(&self, new: NewRotation<'_>) -> Result<RotationId, StoreError> {
        let NewRotation {
            owner,
            name,
            spec,
            public,
            script,
            checksum,
        } = new;
        let now = crate::now();
        let mut tx = self.pool.begin().await?;
        let id: RotationId = sqlx::query(
            "INSERT INTO rotations (owner, name, public, created_at, spec) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id",
        )
        .bind(owner)
        .bind(name)
        .bind(i64::from(public))
        .bind(now)
        .bind(spec)
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
        id: RotationId,
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
    pub async fn rotation(&self, id: RotationId) -> Result<Option<Rotation>, StoreError> {
        let row = sqlx::query(
            "SELECT r.id, r.owner, u.name, r.name, r.public, r.spec FROM rotations r \
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
            spec: row.get(5),
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
        user: UserId,
        limit: i64,
    ) -> Result<Vec<RotationId>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM rotations WHERE owner = $1 OR public <> 0 ORDER BY id DESC LIMIT $2",
        )
        .bind(user)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// A user's rotations, newest first.
    pub async fn rotations_of(&self, owner: UserId) -> Result<Vec<RotationSummary>, StoreError> {
        let sql = format!("{SUMMARY} WHERE r.owner = $1 ORDER BY r.id DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(summary).collect())
    }

    /// Public rotations of spec pack `spec` (any when empty) whose name
    /// contains `name` (any case), by name (at most `limit`).
    pub async fn public_rotations(
        &self,
        spec: &str,
        name: &str,
        limit: i64,
    ) -> Result<Vec<RotationSummary>, StoreError> {
        let sql = format!(
            "{SUMMARY} WHERE r.public <> 0 AND ($1 = '' OR r.spec = $1) \
             AND LOWER(r.name) LIKE $2 ESCAPE '\\' ORDER BY LOWER(r.name), r.id LIMIT $3"
        );
        let escaped = name
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(spec)
            .bind(format!("%{escaped}%"))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(summary).collect())
    }

    /// Whether one of `owner`'s rotations has a version with this checksum.
    pub async fn owns_script(&self, owner: UserId, checksum: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 FROM rotation_versions v JOIN rotations r ON r.id = v.rotation_id \
             WHERE r.owner = $1 AND v.checksum = $2 LIMIT 1",
        )
        .bind(owner)
        .bind(checksum)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// The rotation a script checksum belongs to, preferring a public one: (id, name, owner name, public).
    pub async fn rotation_of_script(
        &self,
        checksum: &str,
    ) -> Result<Option<(i64, String, String, bool)>, StoreError> {
        let row = sqlx::query(
            "SELECT r.id, r.name, u.name, r.public FROM rotation_versions v \
             JOIN rotations r ON r.id = v.rotation_id JOIN users u ON u.id = r.owner \
             WHERE v.checksum = $1 ORDER BY r.public DESC, r.id LIMIT 1",
        )
        .bind(checksum)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.get(0), r.get(1), r.get(2), r.get::<i64, _>(3) != 0)))
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
