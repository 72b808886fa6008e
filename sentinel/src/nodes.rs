//! Node rules: what a node's name and parallelism may be, registering a
//! signing key, claiming a node by its code, and changing or deleting one
//! of the caller's nodes. Both front ends call these; each maps
//! [`NodeError`] to its own response.

use thiserror::Error;
use wowlab_protocol::api::Access;
use wowlab_protocol::signing;

use crate::access::AccessError;
use crate::app::AppState;
use crate::store::{Claim, Node, NodeId, StoreError, UserId};

/// Most chunks one node may run at once.
pub const MAX_PARALLEL: u32 = 1024;

/// Longest node name, in characters.
pub const MAX_NAME: usize = 100;

/// Why a node cannot be registered, claimed or changed.
#[derive(Debug, Error)]
pub enum NodeError {
    /// The name is blank or longer than [`MAX_NAME`].
    #[error("`name` must be 1 to {MAX_NAME} characters")]
    Name,
    /// The parallelism is outside 1..=[`MAX_PARALLEL`].
    #[error("`max_parallel` must be between 1 and {MAX_PARALLEL} (got {0})")]
    MaxParallel(i64),
    /// There is no such node, or it is another user's.
    #[error("no node {0}, or it is not yours")]
    NotYours(NodeId),
    /// The claim code is another user's node's.
    #[error("the node with claim code `{0}` belongs to another user")]
    Taken(String),
    /// No node has the claim code.
    #[error("no node has claim code `{0}`: check the code the node printed")]
    UnknownCode(String),
    /// The permissions name a user or group that does not exist.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a node's name: not blank, at most [`MAX_NAME`] characters.
pub fn check_name(name: &str) -> Result<(), NodeError> {
    if name.trim().is_empty() || name.chars().count() > MAX_NAME {
        return Err(NodeError::Name);
    }
    Ok(())
}

/// Checks how many chunks a node runs at once: 1..=[`MAX_PARALLEL`].
pub fn check_parallel(n: i64) -> Result<(), NodeError> {
    if !(1..=i64::from(MAX_PARALLEL)).contains(&n) {
        return Err(NodeError::MaxParallel(n));
    }
    Ok(())
}

/// What a node says about itself when it registers.
#[derive(Debug, Clone, Copy)]
pub struct Registration<'a> {
    /// Its name.
    pub name: &'a str,
    /// How many chunks it runs at once.
    pub max_parallel: i64,
    /// Its logical cores.
    pub cores: i64,
}

/// Registers the signing key `key` as a node, or updates the cores of the
/// node it is already; returns the node and whether it is new.
pub async fn register(
    state: &AppState,
    key: &str,
    node: Registration<'_>,
) -> Result<(Node, bool), NodeError> {
    check_name(node.name)?;
    check_parallel(node.max_parallel)?;
    let store = &state.store;
    if let Some(id) = store.node_seen(key).await? {
        store.set_node_cores(id, node.cores).await?;
        let known = store.node(id).await?.ok_or(NodeError::NotYours(id))?;
        return Ok((known, false));
    }
    let code = signing::normalise_claim_code(&signing::claim_code(key));
    let new = store
        .register_node(key, &code, node.name, node.max_parallel, node.cores)
        .await?;
    Ok((new, true))
}

/// Makes the node with claim code `code` (as typed) user `user`'s and
/// returns its id.
pub async fn claim(state: &AppState, code: &str, user: UserId) -> Result<NodeId, NodeError> {
    let typed = code.trim();
    match state
        .store
        .claim_node(&signing::normalise_claim_code(code), user)
        .await?
    {
        Claim::Claimed(id) => {
            tracing::info!(node = %id, %user, "node claimed");
            state.scheduler.poke();
            Ok(id)
        }
        Claim::Taken => Err(NodeError::Taken(typed.into())),
        Claim::Unknown => Err(NodeError::UnknownCode(typed.into())),
    }
}

/// Node `id`, if it is user `user`'s.
pub async fn own(state: &AppState, id: NodeId, user: UserId) -> Result<Node, NodeError> {
    state
        .store
        .node(id)
        .await?
        .filter(|n| n.owner == Some(user))
        .ok_or(NodeError::NotYours(id))
}

/// Changes to a node's settings; `None` keeps one as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Changes<'a> {
    /// A new name.
    pub name: Option<&'a str>,
    /// A new number of chunks at once.
    pub max_parallel: Option<i64>,
    /// New permissions: whose jobs it runs.
    pub permissions: Option<&'a Access>,
}

/// Applies `changes` to user `user`'s node `id`, all or nothing, and
/// returns the node as it is now.
pub async fn update(
    state: &AppState,
    id: NodeId,
    user: UserId,
    changes: Changes<'_>,
) -> Result<Node, NodeError> {
    own(state, id, user).await?;
    if let Some(name) = changes.name {
        check_name(name)?;
    }
    if let Some(n) = changes.max_parallel {
        check_parallel(n)?;
    }
    let permissions = match changes.permissions {
        None => None,
        Some(access) => {
            Some(crate::access::permissions(&state.store, access, "permissions").await?)
        }
    };
    state
        .store
        .update_node(id, changes.name, changes.max_parallel, permissions.as_ref())
        .await?;
    state.scheduler.poke();
    own(state, id, user).await
}

/// Deletes user `user`'s node `id`; its running chunks return to pending.
pub async fn delete(state: &AppState, id: NodeId, user: UserId) -> Result<(), NodeError> {
    own(state, id, user).await?;
    state.store.delete_node(id).await?;
    state.scheduler.poke();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_not_blank_and_at_most_max_name_characters() {
        assert!(check_name("laptop").is_ok());
        assert!(check_name(&"é".repeat(MAX_NAME)).is_ok());
        assert!(matches!(check_name("  \t"), Err(NodeError::Name)));
        assert!(matches!(
            check_name(&"n".repeat(MAX_NAME + 1)),
            Err(NodeError::Name)
        ));
    }

    #[test]
    fn parallelism_is_between_one_and_max_parallel() {
        let max = i64::from(MAX_PARALLEL);
        assert!(check_parallel(1).is_ok());
        assert!(check_parallel(max).is_ok());
        for n in [0, -1, max + 1] {
            assert!(matches!(check_parallel(n), Err(NodeError::MaxParallel(m)) if m == n));
        }
    }
}
