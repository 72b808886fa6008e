//! Account rules: signing in with a name and password (throttled, and as
//! slow for an unknown name as for a known one), sessions, changing a
//! password, API tokens, and deleting an account with everything it owns.
//! The portal calls these and maps [`AccountError`] to its pages; the
//! operator's `user` commands create accounts.

mod throttle;

use std::time::Instant;

use rand::RngExt;
use thiserror::Error;

pub use throttle::SignInThrottle;

use crate::app::AppState;
use crate::passwords::PasswordError;
use crate::store::{Deleted, Store, StoreError, User, UserId};

/// How long a session lasts, in seconds.
pub const SESSION_SECS: i64 = 30 * 86_400;

/// Longest API token name, in characters.
pub const MAX_TOKEN_NAME: usize = 100;

/// Why an account action was refused.
#[derive(Debug, Error)]
pub enum AccountError {
    /// The name had too many wrong passwords in a row; seconds to wait.
    #[error("too many wrong passwords for this name; try again in {0} s")]
    Throttled(u64),
    /// No account has this name and password.
    #[error("wrong name or password")]
    WrongCredentials,
    /// The password given to confirm an action is not the account's.
    #[error("the password is wrong")]
    WrongPassword,
    /// The new password is not acceptable.
    #[error(transparent)]
    Weak(#[from] PasswordError),
    /// An API token's name is blank or longer than [`MAX_TOKEN_NAME`].
    #[error("a token's name must be 1 to {MAX_TOKEN_NAME} characters")]
    TokenName,
    /// The user has no API token with this id.
    #[error("no API token {0}")]
    NoToken(i64),
    /// The name typed to confirm deleting is not the account's.
    #[error("the confirmation is not the account's name")]
    NotConfirmed,
    /// A user with this name exists already.
    #[error("a user named `{0}` exists already")]
    NameTaken(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A fresh secret: 32 random bytes, hex (session and API tokens, CSRF and
/// sign-in pairing values).
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Password checks at once: each takes tens of milliseconds of CPU and about
/// 19 MiB, so a flood of sign-in attempts queues instead of starving the server.
static PASSWORD_CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Whether `password` matches the PHC string `phc`, checked on a blocking thread.
pub async fn check_password(password: String, phc: String) -> bool {
    let Ok(_turn) = PASSWORD_CHECKS.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || crate::passwords::verify(&password, &phc))
        .await
        .unwrap_or(false)
}

/// A hash no password is checked against successfully: stands in for unknown names.
static UNKNOWN_USER: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    crate::passwords::hash(&random_token()).expect("a random token is a valid password")
});

/// A session just opened.
#[derive(Debug)]
pub struct Session {
    /// Whose it is.
    pub user: User,
    /// Its secret, for the cookie; the store keeps only its hash.
    pub token: String,
}

/// Signs `name` in with `password`: a new session, unless the name is
/// throttled or the password is wrong.
pub async fn sign_in(
    state: &AppState,
    name: &str,
    password: String,
) -> Result<Session, AccountError> {
    let name = name.trim();
    if let Some(wait) = state.signin_throttle.wait(name, Instant::now()) {
        return Err(AccountError::Throttled(wait.as_secs().max(1)));
    }
    let found = state.store.password_of(name).await?;
    // An unknown name costs a hash check too, so timing does not tell names apart.
    let phc = found
        .as_ref()
        .map_or_else(|| UNKNOWN_USER.clone(), |(_, p)| p.clone());
    let matches = check_password(password, phc).await;
    let Some((user, _)) = found.filter(|_| matches) else {
        tracing::info!(name, "failed sign-in");
        state.signin_throttle.failed(name, Instant::now());
        return Err(AccountError::WrongCredentials);
    };
    state.signin_throttle.succeeded(name);
    let token = random_token();
    state
        .store
        .open_session(
            &wowlab_protocol::address::hash_of(token.as_bytes()),
            user.id,
            &random_token(),
            crate::now() + SESSION_SECS,
        )
        .await?;
    tracing::info!(user = user.name, "signed in");
    Ok(Session { user, token })
}

/// Creates the account `name`, with the password whose PHC string is
/// `phc` if given; the user and their first API token (shown once).
pub async fn add_user(
    store: &Store,
    name: &str,
    phc: Option<&str>,
) -> Result<(User, String), AccountError> {
    let token = random_token();
    let user = store
        .add_user(name, &wowlab_protocol::address::hash_of(token.as_bytes()))
        .await?
        .ok_or_else(|| AccountError::NameTaken(name.into()))?;
    if let Some(phc) = phc {
        store.set_password(user.id, phc).await?;
    }
    Ok((user, token))
}

/// Whether `password` is user `user`'s.
async fn password_matches(
    store: &Store,
    user: UserId,
    password: String,
) -> Result<bool, StoreError> {
    let Some(phc) = store.password_of_id(user).await? else {
        return Ok(false);
    };
    Ok(check_password(password, phc).await)
}

/// Sets `user`'s password to `new` once `current` is confirmed; every
/// other session of theirs ends, the one whose token hash is `keep` stays.
pub async fn change_password(
    store: &Store,
    user: &User,
    keep: &str,
    current: String,
    new: String,
) -> Result<(), AccountError> {
    if !password_matches(store, user.id, current).await? {
        return Err(AccountError::WrongPassword);
    }
    let phc = tokio::task::spawn_blocking(move || crate::passwords::hash(&new))
        .await
        .expect("hashing a password does not panic")?;
    store.set_password(user.id, &phc).await?;
    store.close_other_sessions(user.id, keep).await?;
    tracing::info!(user = user.name, "password changed");
    Ok(())
}

/// Creates an API token named `name` for user `user`; the token, which is
/// shown once (the store keeps its hash).
pub async fn create_token(store: &Store, user: UserId, name: &str) -> Result<String, AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME {
        return Err(AccountError::TokenName);
    }
    let token = random_token();
    store
        .add_api_token(
            user,
            name,
            &wowlab_protocol::address::hash_of(token.as_bytes()),
        )
        .await?;
    Ok(token)
}

/// Revokes user `user`'s API token `id`.
pub async fn revoke_token(store: &Store, user: UserId, id: i64) -> Result<(), AccountError> {
    if !store.revoke_api_token(user, id).await? {
        return Err(AccountError::NoToken(id));
    }
    Ok(())
}

/// Deletes `user`'s account and everything it owns, once `confirm` is its
/// name and `password` its password; what was removed.
pub async fn delete(
    state: &AppState,
    user: &User,
    confirm: &str,
    password: String,
) -> Result<Deleted, AccountError> {
    if confirm.trim() != user.name {
        return Err(AccountError::NotConfirmed);
    }
    if !password_matches(&state.store, user.id, password).await? {
        return Err(AccountError::WrongPassword);
    }
    let deleted = state.store.delete_user(user.id).await?;
    state.scheduler.poke();
    state.job_updates.notify_waiters();
    tracing::info!(user = user.name, ?deleted, "account deleted");
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_64_hex_digits_and_fresh() {
        let a = super::random_token();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, super::random_token());
    }
}
