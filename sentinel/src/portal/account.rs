//! The account page: change the password, create and revoke API tokens,
//! delete the account and everything it owns (after typing its name and
//! password).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::error::PageError;
use super::layout::{self, csrf_field};
use super::session::{Posted, SESSION_COOKIE, Viewer, set_cookie};
use crate::accounts::{self, AccountError, MAX_TOKEN_NAME};
use crate::app::AppState;

/// A message above the page: (is it an error, text), and a new token to show once.
#[derive(Default)]
struct Notice {
    error: Option<String>,
    done: Option<String>,
    new_token: Option<String>,
}

/// `GET /account`.
pub async fn page(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, PageError> {
    render(&state, &viewer, Notice::default()).await
}

async fn render(state: &AppState, viewer: &Viewer, notice: Notice) -> Result<Markup, PageError> {
    let tokens = state.store.api_tokens_of(viewer.user.id).await?;
    let jobs = state.store.jobs_of(viewer.user.id, i64::MAX).await?.len();
    let rotations = state.store.rotations_of(viewer.user.id).await?.len();
    let nodes = state.store.nodes_of(viewer.user.id).await?.len();
    Ok(layout::page(
        "Account",
        Some(viewer),
        html! {
            h1 { "Account: " (viewer.user.name) }
            @if let Some(e) = &notice.error { p.error role="alert" { (e) } }
            @if let Some(d) = &notice.done { p.notice role="status" { (d) } }
            @if let Some(t) = &notice.new_token {
                p.notice role="status" {
                    "Your new API token (shown only now; copy it): "
                    input #new-token readonly value=(t) aria-label="New API token";
                }
            }
            section {
                h2 { "Password" }
                form.stack #password-form method="post" action="/account/password" {
                    (csrf_field(viewer))
                    label { "Current password" input name="current" type="password" autocomplete="current-password" required; }
                    label { "New password (at least " (crate::passwords::MIN_LENGTH) " characters)" input name="new" type="password" autocomplete="new-password" required; }
                    label { "New password again" input name="again" type="password" autocomplete="new-password" required; }
                    button type="submit" { "Change password" }
                }
            }
            section {
                h2 { "API tokens" }
                p.hint { "For " code { "wowlab job" } ", " code { "wowlab node --token" } " and the API (" code { "Authorization: Bearer TOKEN" } ")." }
                table.tokens {
                    thead { tr { th { "Name" } th { "Created" } th {} } }
                    tbody {
                        @for t in &tokens {
                            tr {
                                td { (t.name) }
                                td { (day(t.created_at)) }
                                td {
                                    form method="post" action={ "/account/tokens/" (t.id) "/revoke" } {
                                        (csrf_field(viewer))
                                        button type="submit" aria-label={ "Revoke " (t.name) } { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
                form.inline #token-form method="post" action="/account/tokens" {
                    (csrf_field(viewer))
                    label { "New token's name" input name="name" required maxlength=(MAX_TOKEN_NAME) placeholder="laptop"; }
                    button type="submit" { "Create token" }
                }
            }
            section {
                h2 { "Delete account" }
                p { "This deletes your account and everything you own: "
                    (jobs) " job(s), " (rotations) " rotation(s) and " (nodes) " node(s). It cannot be undone." }
                form.stack #delete-form method="post" action="/account/delete" {
                    (csrf_field(viewer))
                    label { "Type your name to confirm" input name="confirm" required autocomplete="off"; }
                    label { "Password" input name="password" type="password" autocomplete="current-password" required; }
                    button.danger type="submit" { "Delete my account and everything I own" }
                }
            }
        },
    ))
}

/// A date from Unix seconds, as YYYY-MM-DD (UTC).
pub(super) fn day(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    again: String,
}

/// `POST /account/password`: other sessions end; this one stays.
pub async fn change_password(
    State(state): State<AppState>,
    posted: Posted<PasswordForm>,
) -> Result<Markup, PageError> {
    let Posted { viewer, form } = posted;
    let error = |text: &str| Notice {
        error: Some(text.to_string()),
        ..Notice::default()
    };
    if form.new != form.again {
        return render(&state, &viewer, error("The two new passwords differ.")).await;
    }
    let changed = accounts::change_password(
        &state.store,
        &viewer.user,
        &viewer.token_hash,
        form.current,
        form.new,
    )
    .await;
    match changed {
        Ok(()) => {}
        Err(AccountError::WrongPassword) => {
            return render(&state, &viewer, error("The current password is wrong.")).await;
        }
        Err(AccountError::Store(e)) => return Err(e.into()),
        Err(e) => return render(&state, &viewer, error(&e.to_string())).await,
    }
    let done = Notice {
        done: Some("Password changed; your other sessions are signed out.".into()),
        ..Notice::default()
    };
    render(&state, &viewer, done).await
}

/// The new-token form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    name: String,
}

/// `POST /account/tokens`: the token is shown once.
pub async fn create_token(
    State(state): State<AppState>,
    posted: Posted<TokenForm>,
) -> Result<Markup, PageError> {
    let Posted { viewer, form } = posted;
    let notice = match accounts::create_token(&state.store, viewer.user.id, &form.name).await {
        Ok(token) => Notice {
            new_token: Some(token),
            ..Notice::default()
        },
        Err(AccountError::Store(e)) => return Err(e.into()),
        Err(_) => Notice {
            error: Some(format!(
                "A token's name must be 1 to {MAX_TOKEN_NAME} characters."
            )),
            ..Notice::default()
        },
    };
    render(&state, &viewer, notice).await
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    match accounts::revoke_token(&state.store, posted.viewer.user.id, id).await {
        Ok(()) => Ok(Redirect::to("/account").into_response()),
        Err(AccountError::Store(e)) => Err(e.into()),
        Err(_) => Err(PageError::not_found(format!("You have no API token {id}."))),
    }
}

/// The delete form.
#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    confirm: String,
    password: String,
}

/// `POST /account/delete`.
pub async fn delete(
    State(state): State<AppState>,
    posted: Posted<DeleteForm>,
) -> Result<Response, PageError> {
    let Posted { viewer, form } = posted;
    let refuse = |text: &str| Notice {
        error: Some(text.to_string()),
        ..Notice::default()
    };
    let refused = match accounts::delete(&state, &viewer.user, &form.confirm, form.password).await {
        Ok(deleted) => return Ok(deleted_page(&state, &deleted)),
        Err(AccountError::NotConfirmed) => {
            "Type your name exactly to confirm; nothing was deleted."
        }
        Err(AccountError::WrongPassword) => "The password is wrong; nothing was deleted.",
        Err(AccountError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(PageError::bad_request(e.to_string())),
    };
    Ok(render(&state, &viewer, refuse(refused))
        .await?
        .into_response())
}

/// The page after an account is deleted; its session cookie goes too.
fn deleted_page(state: &AppState, deleted: &crate::store::Deleted) -> Response {
    let body = layout::page(
        "Account deleted",
        None,
        html! {
            h1 { "Account deleted" }
            p.notice role="status" { "Your account is gone, with " (deleted.jobs) " job(s), "
                (deleted.rotations) " rotation(s) and " (deleted.nodes) " node(s)." }
        },
    );
    (
        [(header::SET_COOKIE, set_cookie(state, SESSION_COOKIE, "", 0))],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_are_calendar_dates() {
        assert_eq!(super::day(0), "1970-01-01");
        assert_eq!(super::day(951_782_400), "2000-02-29");
        assert_eq!(super::day(1_795_392_000), "2026-11-23");
    }
}
