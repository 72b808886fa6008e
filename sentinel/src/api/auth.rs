//! Users authenticate with `Authorization: Bearer TOKEN`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::error::ApiError;
use crate::app::AppState;
use crate::store::User;

/// The authenticated user of a request.
pub struct Caller(pub User);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ApiError::Unauthorized("missing `Authorization: Bearer TOKEN` header".into())
            })?;
        let token = header.strip_prefix("Bearer ").ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be `Bearer TOKEN`".into())
        })?;
        let user = state
            .store
            .user_by_token(&wowlab_protocol::address::hash_of(token.trim().as_bytes()))
            .await?
            .ok_or_else(|| ApiError::Unauthorized("unknown API token".into()))?;
        crate::request_span::record_user(user.id);
        Ok(Caller(user))
    }
}
