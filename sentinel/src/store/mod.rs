//! The store: one schema on SQLite (the embedded default: a file, nothing to
//! install) or PostgreSQL (for scale), with migrations for each, applied on
//! connect. All queries live in this module's children, one per concern.

mod accounts;
mod chunks;
mod configs;
mod groups;
mod ids;
mod jobs;
mod maintenance;
mod modules;
mod nodes;
mod pins;
mod rankings;
mod rotations;
mod sessions;
mod status;
mod users;

pub use accounts::Deleted;
pub use chunks::{ChunkError, ChunkState, FAILURES_TO_FAIL_JOB, Reported};
pub(crate) use chunks::{Tx, fail_job};
pub use configs::StoredConfig;
pub use ids::{ChunkId, JobId, NodeId, RotationId, UserId};
pub use jobs::{CHUNK_STATES, Job, NewJob};
pub use maintenance::Maintenance;
pub use nodes::{Claim, NewPermissions, Node, NodePermissions};
pub use rankings::Ranked;
pub use rotations::{NewRotation, Rotation, RotationSummary, ScriptRotation};
pub use sessions::Session;
pub use status::{ChunkStatus, JobStatus};
pub use users::{ApiToken, User};

use crate::verification::Verification;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use thiserror::Error;

/// A store failure.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database refused or failed a query.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The URL names a database this sentinel does not support.
    #[error("unsupported database URL `{0}`: use sqlite://FILE or postgres://...")]
    UnsupportedUrl(String),
    /// Something the sentinel stored cannot be read back.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The sentinel's database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: std::sync::Arc<str>,
    verification: std::sync::Arc<Verification>,
}

/// The PostgreSQL channel on which sentinels hint each other that there is
/// work to assign.
const WORK_CHANNEL: &str = "wowlab_work";

impl Store {
    /// Connects to `url` (`sqlite://FILE?mode=rwc` or `postgres://...`) and migrates.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let connections = match backend {
            // One writer at a time is SQLite's model anyway.
            Backend::Sqlite => 1,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .connect(url)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Self {
            pool,
            backend,
            url: url.into(),
            verification: std::sync::Arc::new(Verification::default()),
        })
    }

    /// This store, re-running results on other nodes as `verification` says.
    pub fn with_verification(mut self, verification: Verification) -> Self {
        self.verification = std::sync::Arc::new(verification);
        self
    }

    /// How results are re-run on other nodes.
    pub fn verification(&self) -> &Verification {
        &self.verification
    }

    /// The connection pool, for the queries that live with the rule they
    /// decide (the scheduler's assignment).
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` once per store: true the first time `key` is marked, then false.
    pub async fn first_time(&self, key: &str) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, 'done') ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    /// Hints every sentinel on this database that there may be work to
    /// assign (PostgreSQL NOTIFY; nothing on SQLite, where there is one).
    pub async fn notify_work(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(WORK_CHANNEL)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// A listener for [`Store::notify_work`] hints, on PostgreSQL.
    pub async fn work_listener(&self) -> Result<Option<sqlx::postgres::PgListener>, StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        listener.listen(WORK_CHANNEL).await?;
        Ok(Some(listener))
    }
}

/// `$first, $first+1, ...`: `n` placeholders for a statement's `IN (...)`.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
