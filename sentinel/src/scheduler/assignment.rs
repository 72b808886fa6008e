//! Who gets which chunk. The policy, in one statement per node:
//!
//! - **Permissions**: a claimed, unquarantined node runs its owner's jobs,
//!   and other users' as its access says (public, listed users, a group).
//! - **Free slots**: a node gets at most `max_parallel` running chunks.
//! - **No repeats**: a chunk never goes back to a node it failed on; a
//!   re-run (a second opinion for verification) never goes to a node that
//!   ran the chunk, and waits for a node of another owner than those for
//!   [`crate::verification::Verification::other_owner_wait_ms`].
//! - **Fairness**: a chunk's turn is its rank among its owner's pending
//!   chunks plus the owner's running chunks, so every user with work gets
//!   slots in turn and a big job cannot starve a small one; within a turn,
//!   older jobs first.
//!
//! The statement is `sql/eligible.sql` (the chunks this node may take, with
//! their turns) followed by the backend's update: `sql/assign.sqlite.sql`
//! or `sql/assign.postgres.sql`. `status = 'pending'` is checked again by
//! the update itself, so two sentinels never assign a chunk twice.

use crate::store::NodeId;
use sqlx::Row;
use wowlab_protocol::api::Assignment;

use crate::store::{Backend, Store, StoreError};

/// The assignment statement on SQLite, where one writer at a time needs no row locks.
const ASSIGN_SQLITE: &str = concat!(
    include_str!("sql/eligible.sql"),
    include_str!("sql/assign.sqlite.sql")
);

/// The assignment statement on PostgreSQL, which locks the chosen chunks
/// with `SKIP LOCKED`.
const ASSIGN_POSTGRES: &str = concat!(
    include_str!("sql/eligible.sql"),
    include_str!("sql/assign.postgres.sql")
);

/// A chunk just assigned to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    /// What the node is told.
    pub assignment: Assignment,
    /// How long it waited in pending, in ms.
    pub waited_ms: i64,
}

/// How many more chunks a claimed node may run now (none when quarantined).
pub async fn free_slots(store: &Store, node: NodeId) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT n.max_parallel - (SELECT COUNT(*) FROM chunks c \
             WHERE c.node_id = n.id AND c.status = 'running') \
         FROM nodes n WHERE n.id = $1 AND n.owner IS NOT NULL AND n.quarantined_at IS NULL",
    )
    .bind(node)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map_or(0, |r| r.get::<i64, _>(0).max(0)))
}

/// The free slots of those of `nodes` that are claimed, in one query per
/// 500 nodes.
pub async fn free_slots_of(
    store: &Store,
    nodes: &[NodeId],
) -> Result<Vec<(NodeId, i64)>, StoreError> {
    let mut free = Vec::with_capacity(nodes.len());
    for batch in nodes.chunks(500) {
        let sql = format!(
            "SELECT n.id, n.max_parallel - COUNT(c.id) FROM nodes n \
             LEFT JOIN chunks c ON c.node_id = n.id AND c.status = 'running' \
             WHERE n.owner IS NOT NULL AND n.quarantined_at IS NULL AND n.id IN ({}) \
             GROUP BY n.id, n.max_parallel",
            crate::store::placeholders(1, batch.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for node in batch {
            query = query.bind(*node);
        }
        for row in query.fetch_all(store.pool()).await? {
            free.push((row.get(0), row.get::<i64, _>(1).max(0)));
        }
    }
    Ok(free)
}

/// Assigns up to `limit` pending chunks to `node` by the policy above, and
/// marks their jobs running; in chunk id order.
pub async fn assign(store: &Store, node: NodeId, limit: i64) -> Result<Vec<Assigned>, StoreError> {
    if limit <= 0 {
        return Ok(Vec::new());
    }
    let now = crate::now_ms();
    let statement = match store.backend() {
        Backend::Sqlite => ASSIGN_SQLITE,
        Backend::Postgres => ASSIGN_POSTGRES,
    };
    let mut tx = store.pool().begin().await?;
    let rows = sqlx::query(statement)
        .bind(node)
        .bind(now)
        .bind(limit)
        .bind(now - store.verification().other_owner_wait_ms)
        .fetch_all(&mut *tx)
        .await?;
    let mut assigned: Vec<Assigned> = rows
        .iter()
        .map(|r| Assigned {
            assignment: Assignment {
                chunk_id: r.get(0),
                job_id: r.get(1),
                first_iteration: r.get::<i64, _>(2) as u64,
                iterations: r.get::<i64, _>(3) as u32,
                config_hash: r.get(5),
                seed: r.get::<i64, _>(6) as u64,
            },
            waited_ms: now - r.get::<i64, _>(4),
        })
        .collect();
    assigned.sort_by_key(|a| a.assignment.chunk_id);
    let mut jobs: Vec<i64> = assigned.iter().map(|a| a.assignment.job_id).collect();
    jobs.dedup();
    for job in jobs {
        sqlx::query(
            "UPDATE jobs SET status = 'running', started_at = $1 \
             WHERE id = $2 AND status = 'pending'",
        )
        .bind(crate::now())
        .bind(job)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(assigned)
}
