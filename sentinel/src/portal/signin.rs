//! Signing in and out: `GET/POST /signin`, `POST /signout`.
//!
//! The sign-in form carries a random value that must match a short-lived
//! cookie set with the form, so another site cannot sign a browser into an
//! account of its choosing.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::error::PageError;
use super::layout;
use super::session::{
    MaybeViewer, Posted, SESSION_COOKIE, SIGNIN_COOKIE, cookie, same_secret, set_cookie,
};
use crate::accounts::{self, AccountError, SESSION_SECS, random_token};
use crate::app::AppState;

/// Where to go after signing in.
#[derive(Debug, Default, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// A local path to return to: `/...` but not `//host` (an open redirect).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
        _ => "/simulate",
    }
}

fn form(state: &AppState, next: &str, name: &str, error: Option<&str>) -> Response {
    let pairing = random_token();
    let body = layout::page(
        "Sign in",
        None,
        html! {
            h1 { "Sign in" }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form.stack method="post" action="/signin" {
                input type="hidden" name="pairing" value=(pairing);
                input type="hidden" name="next" value=(next);
                label { "Name" input name="name" value=(name) autocomplete="username" required autofocus; }
                label { "Password" input name="password" type="password" autocomplete="current-password" required; }
                button type="submit" { "Sign in" }
            }
            p.hint { "Accounts are made by the sentinel's operator: " code { "wowlab-sentinel user add NAME --password" } "." }
        },
    );
    (
        [(
            header::SET_COOKIE,
            set_cookie(state, SIGNIN_COOKIE, &pairing, 3600),
        )],
        body,
    )
        .into_response()
}

/// `GET /signin`.
pub async fn page(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    Query(next): Query<Next>,
) -> Response {
    let next = safe_next(next.next.as_deref());
    if viewer.is_some() {
        return Redirect::to(next).into_response();
    }
    form(&state, next, "", None)
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignIn {
    name: String,
    password: String,
    #[serde(default)]
    pairing: String,
    #[serde(default)]
    next: String,
}

/// `POST /signin`.
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Form(input): axum::Form<SignIn>,
) -> Result<Response, PageError> {
    let next = safe_next(Some(&input.next)).to_string();
    let paired = cookie(&headers, SIGNIN_COOKIE)
        .is_some_and(|c| !input.pairing.is_empty() && same_secret(c, &input.pairing));
    if !paired {
        return Ok(form(
            &state,
            &next,
            &input.name,
            Some("This sign-in form expired. Please sign in again."),
        ));
    }
    let session = match accounts::sign_in(&state, &input.name, input.password).await {
        Ok(session) => session,
        Err(AccountError::Throttled(secs)) => {
            let message = format!("Too many wrong passwords for this name. Try again in {secs} s.");
            return Ok(form(&state, &next, input.name.trim(), Some(&message)));
        }
        Err(AccountError::Store(e)) => return Err(e.into()),
        Err(_) => {
            let message = "Wrong name or password.";
            return Ok(form(&state, &next, &input.name, Some(message)));
        }
    };
    let token = session.token;
    let headers = [
        (
            header::SET_COOKIE,
            set_cookie(&state, SESSION_COOKIE, &token, SESSION_SECS),
        ),
        (header::SET_COOKIE, set_cookie(&state, SIGNIN_COOKIE, "", 0)),
    ];
    Ok((axum::response::AppendHeaders(headers), Redirect::to(&next)).into_response())
}

/// `POST /signout`.
pub async fn sign_out(
    State(state): State<AppState>,
    posted: Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    state.store.close_session(&posted.viewer.token_hash).await?;
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(&state, SESSION_COOKIE, "", 0),
        )],
        Redirect::to("/signin"),
    )
        .into_response())
}

/// The start page: the simulate page for a signed-in player, else sign-in.
pub async fn home(MaybeViewer(viewer): MaybeViewer) -> Redirect {
    Redirect::to(if viewer.is_some() {
        "/simulate"
    } else {
        "/signin"
    })
}

/// Used by pages that link to sign-in with a way back.
pub fn signin_link(next: &str) -> Markup {
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    html! { a href={ "/signin?" (query) } { "Sign in" } }
}
