//! Who is signed in: the session cookie, and the CSRF token every form of a
//! session carries.
//!
//! The cookie holds a random token (the store keeps its hash); it is
//! `HttpOnly`, `SameSite=Lax`, and `Secure` when the sentinel serves HTTPS.
//! Every POST of the portal goes through [`Posted`], which refuses a body
//! whose `csrf` field is not the session's token, so another site cannot
//! submit a form on a signed-in player's behalf.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use super::error::PageError;
use crate::app::AppState;
use crate::store::User;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "wowlab_session";
/// The cookie that pairs a sign-in form with the browser that loaded it.
pub const SIGNIN_COOKIE: &str = "wowlab_signin";

/// A signed-in player.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The user.
    pub user: User,
    /// The session's CSRF token, to put in forms.
    pub csrf: String,
    /// The hash of the session's cookie token.
    pub token_hash: String,
}

/// The value of cookie `name` in `headers`.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value for `name`; `max_age` 0 deletes it.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// Whether two secrets are equal, in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    blake3::hash(a.as_bytes()) == blake3::hash(b.as_bytes())
}

/// Where to send someone who must sign in first, coming back to the page
/// after (to the start page after a form: its page is gone with its session).
fn to_signin(parts: &Parts) -> Response {
    let back = match parts.method {
        axum::http::Method::GET => parts.uri.path_and_query().map_or("/", |p| p.as_str()),
        _ => "/",
    }
    .to_string();
    let query = serde_urlencoded::to_string([("next", back)]).unwrap_or_default();
    Redirect::to(&format!("/signin?{query}")).into_response()
}

async fn viewer_of(parts: &Parts, state: &AppState) -> Result<Option<Viewer>, PageError> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let token_hash = wowlab_protocol::address::hash_of(token.as_bytes());
    Ok(state.store.session(&token_hash).await?.map(|s| {
        crate::request_span::record_user(s.user.id);
        Viewer {
            user: s.user,
            csrf: s.csrf,
            token_hash,
        }
    }))
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match viewer_of(parts, state).await {
            Ok(Some(viewer)) => Ok(viewer),
            Ok(None) => Err(to_signin(parts)),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The signed-in player, if any (public pages).
pub struct MaybeViewer(pub Option<Viewer>);

impl FromRequestParts<AppState> for MaybeViewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        viewer_of(parts, state)
            .await
            .map(MaybeViewer)
            .map_err(IntoResponse::into_response)
    }
}

/// A form posted by a signed-in player, its CSRF token checked.
pub struct Posted<T> {
    /// Who posted it.
    pub viewer: Viewer,
    /// The form's fields.
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|e| PageError::bad_request(format!("unreadable form: {e}")).into_response())?;
        let csrf = fields
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str());
        if !csrf.is_some_and(|c| same_secret(c, &viewer.csrf)) {
            return Err(PageError::forbidden(
                "This form is out of date (it was loaded in an earlier session). Reload the page and send it again.",
            )
            .into_response());
        }
        let form = serde_urlencoded::from_bytes(&body)
            .map_err(|e| PageError::bad_request(format!("unreadable form: {e}")).into_response())?;
        Ok(Posted { viewer, form })
    }
}
