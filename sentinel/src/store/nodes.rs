//! Nodes: registration by public key, claiming, permissions, liveness, and
//! the nonces of their signed requests.

use wowlab_protocol::api::Trust;

use super::{JobId, NodeId, Store, StoreError, UserId};
use crate::verification::Verification;

/// A node as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Row id.
    pub id: NodeId,
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// Name.
    pub name: String,
    /// The owner's user id, once claimed.
    pub owner: Option<UserId>,
    /// The owner's name, once claimed.
    pub owner_name: Option<String>,
    /// Chunks it runs at once.
    pub max_parallel: i64,
    /// Whose jobs it runs besides the owner's.
    pub permissions: NodePermissions,
    /// Unix seconds of its last signed request.
    pub last_seen_at: i64,
    /// Chunks it runs now.
    pub running: i64,
    /// CPU cores it has (0 when it did not say).
    pub cores: i64,
    /// Chunks it has completed.
    pub completed: i64,
    /// Results another node's run confirmed, in a row.
    pub streak: i64,
    /// Results another node's run confirmed.
    pub verified: i64,
    /// Chunks on which other nodes outvoted it.
    pub mismatches: i64,
    /// Why it was quarantined (it gets no more work), if it was.
    pub quarantine_reason: Option<String>,
}

impl Node {
    /// How far `verification` trusts its results.
    pub fn trust(&self, verification: &Verification) -> Trust {
        verification.trust(self.streak, self.quarantine_reason.is_some())
    }
}

/// Whose jobs a node runs besides its owner's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodePermissions {
    /// The owner's only.
    Private,
    /// Everyone's.
    Public,
    /// These users' (names).
    Users(Vec<String>),
    /// This group's members' (name).
    Group(String),
}

/// A permission change, with names resolved to ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewPermissions {
    /// The owner's only.
    Private,
    /// Everyone's.
    Public,
    /// These user ids'.
    Users(Vec<UserId>),
    /// This group id's members'.
    Group(i64),
}

/// What claiming a code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The node is now the caller's (or was already).
    Claimed(NodeId),
    /// Another user owns it.
    Taken,
    /// No node has this code.
    Unknown,
}

/// The columns of a [`NodeRow`], each named as its field.
const NODE_COLUMNS: &str = "n.id, n.public_key, n.name, n.owner, u.name AS owner_name, n.max_parallel, \
     n.access_kind, g.name AS group_name, n.last_seen_at, \
     (SELECT COUNT(*) FROM chunks c WHERE c.node_id = n.id AND c.status = 'running') AS running, \
     n.cores, \
     (SELECT COUNT(*) FROM chunks c WHERE c.node_id = n.id AND c.status IN ('done', 'checking')) \
         AS completed, \
     n.streak, n.verified, n.mismatches, n.quarantine_reason \
     FROM nodes n LEFT JOIN users u ON u.id = n.owner LEFT JOIN user_groups g ON g.id = n.access_group";

/// A node's row: a [`Node`] but for its permissions' user list.
#[derive(sqlx::FromRow)]
struct NodeRow {
    id: NodeId,
    public_key: String,
    name: String,
    owner: Option<UserId>,
    owner_name: Option<String>,
    max_parallel: i64,
    access_kind: String,
    group_name: Option<String>,
    last_seen_at: i64,
    running: i64,
    cores: i64,
    completed: i64,
    streak: i64,
    verified: i64,
    mismatches: i64,
    quarantine_reason: Option<String>,
}

impl Store {
    /// Records a nonce of a signed request; false if the key used it before (a replay).
    pub async fn record_nonce(&self, key: &str, nonce: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO nonces (public_key, nonce, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (public_key, nonce) DO NOTHING",
        )
        .bind(key)
        .bind(nonce)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Registers a node by public key, or returns the one registered with it.
    pub async fn register_node(
        &self,
        key: &str,
        claim_code: &str,
        name: &str,
        max_parallel: i64,
        cores: i64,
    ) -> Result<Node, StoreError> {
        let now = crate::now();
        sqlx::query(
            "INSERT INTO nodes (public_key, claim_code, name, max_parallel, cores, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (public_key) DO NOTHING",
        )
        .bind(key)
        .bind(claim_code)
        .bind(name)
        .bind(max_parallel)
        .bind(cores)
        .bind(now)
        .execute(&self.pool)
        .await?;
        let id = self
            .node_seen(key)
            .await?
            .expect("the node was inserted or existed");
        Ok(self.node(id).await?.expect("the node exists"))
    }

    /// The id of the node with this key, marked as seen now.
    pub async fn node_seen(&self, key: &str) -> Result<Option<NodeId>, StoreError> {
        Ok(sqlx::query_scalar(
            "UPDATE nodes SET last_seen_at = $1 WHERE public_key = $2 RETURNING id",
        )
        .bind(crate::now())
        .bind(key)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The node with this id.
    pub async fn node(&self, id: NodeId) -> Result<Option<Node>, StoreError> {
        let sql = format!("SELECT {NODE_COLUMNS} WHERE n.id = $1");
        let row: Option<NodeRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(self.node_from(row).await?)),
            None => Ok(None),
        }
    }

    /// A user's nodes, by id.
    pub async fn nodes_of(&self, owner: UserId) -> Result<Vec<Node>, StoreError> {
        let sql = format!("SELECT {NODE_COLUMNS} WHERE n.owner = $1 ORDER BY n.id");
        let rows: Vec<NodeRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(owner)
            .fetch_all(&self.pool)
            .await?;
        let mut nodes = Vec::with_capacity(rows.len());
        for row in rows {
            nodes.push(self.node_from(row).await?);
        }
        Ok(nodes)
    }

    /// The node of `r`, with the users its permissions list.
    async fn node_from(&self, r: NodeRow) -> Result<Node, StoreError> {
        let permissions = match r.access_kind.as_str() {
            "public" => NodePermissions::Public,
            "group" => NodePermissions::Group(r.group_name.unwrap_or_default()),
            "users" => {
                let names: Vec<String> = sqlx::query_scalar(
                    "SELECT u.name FROM node_users nu JOIN users u ON u.id = nu.user_id \
                     WHERE nu.node_id = $1 ORDER BY u.name",
                )
                .bind(r.id)
                .fetch_all(&self.pool)
                .await?;
                NodePermissions::Users(names)
            }
            _ => NodePermissions::Private,
        };
        Ok(Node {
            id: r.id,
            public_key: r.public_key,
            name: r.name,
            owner: r.owner,
            owner_name: r.owner_name,
            max_parallel: r.max_parallel,
            permissions,
            last_seen_at: r.last_seen_at,
            running: r.running,
            cores: r.cores,
            completed: r.completed,
            streak: r.streak,
            verified: r.verified,
            mismatches: r.mismatches,
            quarantine_reason: r.quarantine_reason,
        })
    }

    /// Gives the unclaimed node with this (normalised) claim code to `user`.
    pub async fn claim_node(&self, code: &str, user: UserId) -> Result<Claim, StoreError> {
        let row: Option<(NodeId, Option<UserId>)> =
            sqlx::query_as("SELECT id, owner FROM nodes WHERE claim_code = $1")
                .bind(code)
                .fetch_optional(&self.pool)
                .await?;
        let Some((id, owner)) = row else {
            return Ok(Claim::Unknown);
        };
        match owner {
            Some(owner) if owner == user => return Ok(Claim::Claimed(id)),
            Some(_) => return Ok(Claim::Taken),
            None => {}
        }
        let done = sqlx::query("UPDATE nodes SET owner = $1 WHERE id = $2 AND owner IS NULL")
            .bind(user)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(if done.rows_affected() == 1 {
            Claim::Claimed(id)
        } else {
            Claim::Taken
        })
    }

    /// Changes a node's name, parallelism and permissions (the `Some` ones), in one transaction.
    pub async fn update_node(
        &self,
        id: NodeId,
        name: Option<&str>,
        max_parallel: Option<i64>,
        permissions: Option<&NewPermissions>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        if let Some(name) = name {
            sqlx::query("UPDATE nodes SET name = $1 WHERE id = $2")
                .bind(name)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(max_parallel) = max_parallel {
            sqlx::query("UPDATE nodes SET max_parallel = $1 WHERE id = $2")
                .bind(max_parallel)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(permissions) = permissions {
            let (kind, group) = match permissions {
                NewPermissions::Private => ("private", None),
                NewPermissions::Public => ("public", None),
                NewPermissions::Users(_) => ("users", None),
                NewPermissions::Group(g) => ("group", Some(*g)),
            };
            sqlx::query("UPDATE nodes SET access_kind = $1, access_group = $2 WHERE id = $3")
                .bind(kind)
                .bind(group)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM node_users WHERE node_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if let NewPermissions::Users(users) = permissions {
                for user in users {
                    sqlx::query(
                        "INSERT INTO node_users (node_id, user_id) VALUES ($1, $2) \
                         ON CONFLICT (node_id, user_id) DO NOTHING",
                    )
                    .bind(id)
                    .bind(*user)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a node's quarantine, its streak starting over; false if it was not quarantined.
    pub async fn release_node(&self, id: NodeId) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE nodes SET quarantined_at = NULL, quarantine_reason = NULL, streak = 0 \
             WHERE id = $1 AND quarantined_at IS NOT NULL",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records how many CPU cores a node says it has.
    pub async fn set_node_cores(&self, id: NodeId, cores: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE nodes SET cores = $1 WHERE id = $2")
            .bind(cores)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The nodes running chunks of `job` now: (name, chunks), by name.
    pub async fn nodes_on_job(&self, job: JobId) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT n.name, COUNT(*) FROM chunks c JOIN nodes n ON n.id = c.node_id \
             WHERE c.job_id = $1 AND c.status = 'running' GROUP BY n.id, n.name ORDER BY n.name",
        )
        .bind(job)
        .fetch_all(&self.pool)
        .await?)
    }

    /// How many nodes made a signed request at or after `since` (Unix seconds).
    pub async fn nodes_seen_since(&self, since: i64) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM nodes WHERE last_seen_at >= $1")
                .bind(since)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Deletes a node; the chunks it was running return to pending.
    pub async fn delete_node(&self, id: NodeId) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE chunks SET status = 'pending', node_id = NULL, pending_since = $1 \
             WHERE node_id = $2 AND status = 'running'",
        )
        .bind(crate::now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        for sql in [
            "DELETE FROM node_users WHERE node_id = $1",
            "DELETE FROM nodes WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
