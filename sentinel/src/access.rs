//! Who may see a job and whose jobs a node runs: the access a job or a node
//! asks for, with its user and group names resolved, and the rule for
//! seeing a job. Both front ends call these; each maps [`AccessError`] to
//! its own response.

use thiserror::Error;
use wowlab_protocol::api::Access;

use crate::store::{Job, NewPermissions, Store, StoreError, User};

/// Why an access cannot be used.
#[derive(Debug, Error)]
pub enum AccessError {
    /// It lists a user who does not exist.
    #[error("`{field}.users`: unknown user `{name}`")]
    UnknownUser {
        /// The request's field.
        field: String,
        /// The name.
        name: String,
    },
    /// It names a group that does not exist.
    #[error("`{field}.group`: unknown group `{name}`")]
    UnknownGroup {
        /// The request's field.
        field: String,
        /// The name.
        name: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `access` (the request's field `field`) as a node's permissions, its
/// names resolved; also how a job's access is checked.
pub async fn permissions(
    store: &Store,
    access: &Access,
    field: &str,
) -> Result<NewPermissions, AccessError> {
    Ok(match access {
        Access::Private => NewPermissions::Private,
        Access::Public => NewPermissions::Public,
        Access::Users(names) => {
            let mut ids = Vec::with_capacity(names.len());
            for name in names {
                ids.push(
                    store
                        .user_id(name)
                        .await?
                        .ok_or_else(|| AccessError::UnknownUser {
                            field: field.into(),
                            name: name.clone(),
                        })?,
                );
            }
            NewPermissions::Users(ids)
        }
        Access::Group(name) => {
            NewPermissions::Group(store.group_id(name).await?.ok_or_else(|| {
                AccessError::UnknownGroup {
                    field: field.into(),
                    name: name.clone(),
                }
            })?)
        }
    })
}

/// Whether `user` may see `job`: theirs, public, or shared with them.
pub async fn may_see(store: &Store, job: &Job, user: &User) -> Result<bool, StoreError> {
    if job.owner == user.id {
        return Ok(true);
    }
    Ok(match serde_json::from_str::<Access>(&job.access) {
        Ok(Access::Public) => true,
        Ok(Access::Users(names)) => names.contains(&user.name),
        Ok(Access::Group(group)) => store.is_member(&group, user.id).await?,
        Ok(Access::Private) | Err(_) => false,
    })
}
