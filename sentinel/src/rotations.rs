//! Rotation rules: what a rotation's name and script may be, who sees and
//! who changes one, copying one, and keeping a script a player simulated as
//! a rotation of their own. Both front ends call these; each maps
//! [`RotationError`] to its own response.

use thiserror::Error;

use crate::store::{NewRotation, Rotation, RotationId, Store, StoreError, UserId};

/// Longest rotation name, in characters.
pub const MAX_NAME: usize = 100;

/// The name of a kept rotation the player did not name.
pub const UNTITLED: &str = "Untitled rotation";

/// Why a rotation cannot be seen, created or changed.
#[derive(Debug, Error)]
pub enum RotationError {
    /// The name is blank or longer than [`MAX_NAME`] characters.
    #[error("`name` must be 1 to {MAX_NAME} characters")]
    Name,
    /// The script does not parse or breaks a limit.
    #[error("`script`: {0}")]
    Script(wowlab_rhai::RotationError),
    /// There is no such rotation, or it is another user's private one.
    #[error("no rotation {0}, or it is not yours")]
    NotVisible(RotationId),
    /// The rotation is someone else's.
    #[error("rotation {id} belongs to {owner}; only its owner may change it")]
    NotOwner {
        /// The rotation.
        id: RotationId,
        /// Its owner's name.
        owner: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a rotation's name: not blank, at most [`MAX_NAME`] characters
/// once trimmed.
pub fn check_name(name: &str) -> Result<(), RotationError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(RotationError::Name);
    }
    Ok(())
}

/// Checks that `script` parses within the interpreter's limits; its checksum.
pub fn check_script(script: &str) -> Result<String, RotationError> {
    wowlab_rhai::check_syntax(script, wowlab_rhai::Limits::default())
        .map_err(RotationError::Script)?;
    Ok(wowlab_protocol::address::hash_of(script.as_bytes()))
}

/// Whether user `user` may see `rotation`: theirs, or public.
pub fn may_see(rotation: &Rotation, user: UserId) -> bool {
    rotation.public || rotation.owner == user
}

/// Rotation `id` if user `user` may see it.
pub async fn visible(
    store: &Store,
    id: RotationId,
    user: UserId,
) -> Result<Rotation, RotationError> {
    store
        .rotation(id)
        .await?
        .filter(|r| may_see(r, user))
        .ok_or(RotationError::NotVisible(id))
}

/// Rotation `id` if user `user` may change it: theirs.
pub async fn owned(store: &Store, id: RotationId, user: UserId) -> Result<Rotation, RotationError> {
    let rotation = visible(store, id, user).await?;
    if rotation.owner != user {
        return Err(RotationError::NotOwner {
            id,
            owner: rotation.owner_name,
        });
    }
    Ok(rotation)
}

/// A rotation to create, with its first version.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    /// Its name; surrounding blanks are dropped.
    pub name: &'a str,
    /// The spec it is for (free text; empty for any).
    pub spec: &'a str,
    /// Whether everyone may see it.
    pub public: bool,
    /// The first version's script.
    pub script: &'a str,
}

/// Creates `draft` as user `owner`'s rotation; its id.
pub async fn create(
    store: &Store,
    owner: UserId,
    draft: Draft<'_>,
) -> Result<RotationId, RotationError> {
    check_name(draft.name)?;
    let checksum = check_script(draft.script)?;
    Ok(store
        .create_rotation(NewRotation {
            owner,
            name: draft.name.trim(),
            spec: draft.spec,
            public: draft.public,
            script: draft.script,
            checksum: &checksum,
        })
        .await?)
}

/// Adds `script` as a new version and/or sets `public`, on user `user`'s
/// rotation `id`; the rotation as it is now.
pub async fn update(
    store: &Store,
    id: RotationId,
    user: UserId,
    script: Option<&str>,
    public: Option<bool>,
) -> Result<Rotation, RotationError> {
    owned(store, id, user).await?;
    let version = match script {
        Some(script) => Some((script, check_script(script)?)),
        None => None,
    };
    store
        .update_rotation(id, version.as_ref().map(|(s, c)| (*s, c.as_str())), public)
        .await?;
    visible(store, id, user).await
}

/// The name of a copy of the rotation named `name`.
pub fn name_of_copy(name: &str) -> String {
    format!("{name} (copy)").chars().take(MAX_NAME).collect()
}

/// Copies the latest version of rotation `id`, which user `user` may see,
/// into a private rotation of theirs; the copy's id.
pub async fn copy(
    store: &Store,
    id: RotationId,
    user: UserId,
) -> Result<RotationId, RotationError> {
    let rotation = visible(store, id, user).await?;
    Ok(store
        .create_rotation(NewRotation {
            owner: user,
            name: &name_of_copy(&rotation.name),
            spec: &rotation.spec,
            public: false,
            script: &rotation.script,
            checksum: &wowlab_protocol::address::hash_of(rotation.script.as_bytes()),
        })
        .await?)
}

/// A script a player simulated, to keep as a rotation version of theirs.
#[derive(Debug, Clone, Copy)]
pub struct Simulated<'a> {
    /// The rotation they started from, if any.
    pub started_from: Option<RotationId>,
    /// The name they gave it (blank for [`UNTITLED`]).
    pub name: &'a str,
    /// The spec it ran for.
    pub spec: &'a str,
    /// The script, already checked.
    pub script: &'a str,
    /// Its checksum.
    pub checksum: &'a str,
}

/// Keeps a simulated script as a rotation version of user `user`'s own: a
/// new version of their rotation when they started from it, else a new
/// private rotation (unless one of theirs has this exact script already),
/// so their jobs never depend on someone else's rotation staying there.
pub async fn keep(store: &Store, user: UserId, simulated: Simulated<'_>) -> Result<(), StoreError> {
    let started_from = match simulated.started_from {
        Some(id) => store.rotation(id).await?,
        None => None,
    };
    match started_from {
        Some(r) if r.owner == user => {
            store
                .update_rotation(r.id, Some((simulated.script, simulated.checksum)), None)
                .await
        }
        _ if store.owns_script(user, simulated.checksum).await? => Ok(()),
        _ => {
            let name = match simulated.name.trim() {
                "" => UNTITLED,
                name => name,
            };
            let name: String = name.chars().take(MAX_NAME).collect();
            store
                .create_rotation(NewRotation {
                    owner: user,
                    name: &name,
                    spec: simulated.spec,
                    public: false,
                    script: simulated.script,
                    checksum: simulated.checksum,
                })
                .await
                .map(drop)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_counts_characters_once_trimmed() {
        assert!(check_name(&"é".repeat(MAX_NAME)).is_ok());
        assert!(check_name(&format!("  {}  ", "n".repeat(MAX_NAME))).is_ok());
        assert!(matches!(
            check_name(&"é".repeat(MAX_NAME + 1)),
            Err(RotationError::Name)
        ));
        assert!(matches!(check_name(" "), Err(RotationError::Name)));
    }

    #[test]
    fn a_copy_is_named_after_its_original_within_the_limit() {
        assert_eq!(name_of_copy("Cleave"), "Cleave (copy)");
        let long = name_of_copy(&"é".repeat(MAX_NAME));
        assert_eq!(long.chars().count(), MAX_NAME);
        assert!(check_name(&long).is_ok());
    }

    #[test]
    fn a_script_that_parses_gets_its_checksum_and_one_that_does_not_its_line() {
        let script = "cast(\"kill_command\");\n";
        assert_eq!(
            check_script(script).unwrap(),
            wowlab_protocol::address::hash_of(script.as_bytes())
        );
        match check_script("let x = ;") {
            Err(RotationError::Script(wowlab_rhai::RotationError::Syntax { line, .. })) => {
                assert_eq!(line, 1)
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }
}
