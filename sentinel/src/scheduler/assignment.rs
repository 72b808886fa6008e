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

use wowlab_protocol::api::Assignment;

use crate::store::{Backend, ChunkId, JobId, NodeId, Store, StoreError};

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

/// A chunk as the assignment statement returns it (`RETURNING`).
#[derive(sqlx::FromRow)]
struct Taken {
    id: ChunkId,
    job_id: JobId,
    first_iteration: i64,
    iterations: i64,
    pending_since: i64,
    config_hash: String,
    seed: i64,
}

impl Taken {
    /// The assignment, and how long the chunk waited until `now` (ms).
    fn assigned(self, now: i64) -> Assigned {
        Assigned {
            assignment: Assignment {
                chunk_id: self.id.0,
                job_id: self.job_id.0,
                first_iteration: self.first_iteration as u64,
                iterations: self.iterations as u32,
                config_hash: self.config_hash,
                seed: self.seed as u64,
            },
            waited_ms: now - self.pending_since,
        }
    }
}

/// How many more chunks a claimed node may run now (none when quarantined).
pub async fn free_slots(store: &Store, node: NodeId) -> Result<i64, StoreError> {
    let free: Option<i64> = sqlx::query_scalar(
        "SELECT n.max_parallel - (SELECT COUNT(*) FROM chunks c \
             WHERE c.node_id = n.id AND c.status = 'running') \
         FROM nodes n WHERE n.id = $1 AND n.owner IS NOT NULL AND n.quarantined_at IS NULL",
    )
    .bind(node)
    .fetch_optional(store.pool())
    .await?;
    Ok(free.map_or(0, |n| n.max(0)))
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
        let mut query = sqlx::query_as::<_, (NodeId, i64)>(sqlx::AssertSqlSafe(sql));
        for node in batch {
            query = query.bind(*node);
        }
        for (node, slots) in query.fetch_all(store.pool()).await? {
            free.push((node, slots.max(0)));
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
    let taken: Vec<Taken> = sqlx::query_as(statement)
        .bind(node)
        .bind(now)
        .bind(limit)
        .bind(now - store.verification().other_owner_wait_ms)
        .fetch_all(&mut *tx)
        .await?;
    let mut assigned: Vec<Assigned> = taken.into_iter().map(|t| t.assigned(now)).collect();
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
