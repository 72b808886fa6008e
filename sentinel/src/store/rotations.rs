//! Rotations: named Rhai scripts with versions; a config names a version by
//! its checksum (BLAKE3 of the script).

use super::{RotationId, Store, StoreError, UserId};

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

/// The rotation a script belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRotation {
    /// The rotation.
    pub id: RotationId,
    /// Its name.
    pub name: String,
    /// Its owner's name.
    pub owner_name: String,
    /// Whether everyone may see it.
    pub public: bool,
}

/// Selects the columns of [`SummaryRow`].
const SUMMARY: &str = "SELECT r.id, r.name, u.name AS owner_name, r.spec, r.public, \
     (SELECT COUNT(*) FROM rotation_versions v WHERE v.rotation_id = r.id) AS versions \
     FROM rotations r JOIN users u ON u.id = r.owner";

/// A [`RotationSummary`] as stored (`public` is 0 or 1).
#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: RotationId,
    name: String,
    owner_name: String,
    spec: String,
    public: i64,
    versions: i64,
}

impl From<SummaryRow> for RotationSummary {
    fn from(r: SummaryRow) -> Self {
        RotationSummary {
            id: r.id,
            name: r.name,
            owner_name: r.owner_name,
            spec: r.spec,
            public: r.public != 0,
            versions: r.versions,
        }
    }
}

/// A rotation's own row, with its owner's name.
#[derive(sqlx::FromRow)]
struct RotationRow {
    id: RotationId,
    owner: UserId,
    owner_name: String,
    name: String,
    public: i64,
    spec: String,
}

/// One version of a rotation.
#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    checksum: String,
    created_at: i64,
    script: String,
}

/// A [`ScriptRotation`] as stored.
#[derive(sqlx::FromRow)]
struct ScriptRotationRow {
    id: RotationId,
    name: String,
    owner_name: String,
    public: i64,
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
        let id: RotationId = sqlx::query_scalar(
            "INSERT INTO rotations (owner, name, public, created_at, spec) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id",
        )
        .bind(owner)
        .bind(name)
        .bind(i64::from(public))
        .bind(now)
        .bind(spec)
        .fetch_one(&mut *tx)
        .await?;
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
            let (version, latest_checksum): (i64, String) = sqlx::query_as(
                "SELECT version, checksum FROM rotation_versions WHERE rotation_id = $1 \
                 ORDER BY version DESC LIMIT 1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
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
        let row: Option<RotationRow> = sqlx::query_as(
            "SELECT r.id, r.owner, u.name AS owner_name, r.name, r.public, r.spec FROM rotations r \
             JOIN users u ON u.id = r.owner WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut versions: Vec<VersionRow> = sqlx::query_as(
            "SELECT version, checksum, created_at, script FROM rotation_versions \
             WHERE rotation_id = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let script = versions
            .last_mut()
            .map(|v| std::mem::take(&mut v.script))
            .unwrap_or_default();
        Ok(Some(Rotation {
            id: row.id,
            owner: row.owner,
            owner_name: row.owner_name,
            name: row.name,
            public: row.public != 0,
            spec: row.spec,
            script,
            versions: versions
                .into_iter()
                .map(|v| (v.version, v.checksum, v.created_at))
                .collect(),
        }))
    }

    /// Ids of the user's rotations and the public ones, newest first (at most `limit`).
    pub async fn rotations_visible_to(
        &self,
        user: UserId,
        limit: i64,
    ) -> Result<Vec<RotationId>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM rotations WHERE owner = $1 OR public <> 0 ORDER BY id DESC LIMIT $2",
        )
        .bind(user)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A user's rotations, newest first.
    pub async fn rotations_of(&self, owner: UserId) -> Result<Vec<RotationSummary>, StoreError> {
        let sql = format!("{SUMMARY} WHERE r.owner = $1 ORDER BY r.id DESC");
        let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(owner)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(RotationSummary::from).collect())
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
        let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(spec)
            .bind(format!("%{escaped}%"))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(RotationSummary::from).collect())
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

    /// The rotation a script checksum belongs to, preferring a public one.
    pub async fn rotation_of_script(
        &self,
        checksum: &str,
    ) -> Result<Option<ScriptRotation>, StoreError> {
        let row: Option<ScriptRotationRow> = sqlx::query_as(
            "SELECT r.id, r.name, u.name AS owner_name, r.public FROM rotation_versions v \
             JOIN rotations r ON r.id = v.rotation_id JOIN users u ON u.id = r.owner \
             WHERE v.checksum = $1 ORDER BY r.public DESC, r.id LIMIT 1",
        )
        .bind(checksum)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| ScriptRotation {
            id: r.id,
            name: r.name,
            owner_name: r.owner_name,
            public: r.public != 0,
        }))
    }

    /// The script with this checksum.
    pub async fn script(&self, checksum: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT script FROM rotation_versions WHERE checksum = $1 LIMIT 1")
                .bind(checksum)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
