//! API errors: each maps to a 4xx/5xx status and `{"error": "..."}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use thiserror::Error;

use crate::store::StoreError;

/// Why a request failed.
#[derive(Debug, Error)]
pub enum ApiError {
    /// The request is malformed; the message names the field or value.
    #[error("{0}")]
    BadRequest(String),
    /// No or an unknown API token.
    #[error("{0}")]
    Unauthorized(String),
    /// The thing does not exist (or is not the caller's).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the thing's state.
    #[error("{0}")]
    Conflict(String),
    /// A node request's signature is missing, malformed, stale or wrong.
    #[error("{0}")]
    Signature(#[from] wowlab_protocol::signing::SignatureError),
    /// A node request reused a nonce.
    #[error("replayed request: nonce `{0}` was already used by this key")]
    Replay(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The body is larger than the API accepts.
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    /// The store failed.
    #[error("internal error")]
    Store(#[from] StoreError),
}

/// Why a request was refused, as a `/metrics` label; set on error responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RejectReason(pub &'static str);

impl ApiError {
    /// The status and the metrics label of this error.
    pub(crate) fn status_and_reason(&self) -> (StatusCode, &'static str) {
        use wowlab_protocol::signing::SignatureError as S;
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Signature(S::Stale { .. }) => (StatusCode::UNAUTHORIZED, "stale_timestamp"),
            ApiError::Signature(S::BadSignature) => (StatusCode::UNAUTHORIZED, "bad_signature"),
            ApiError::Signature(_) => (StatusCode::UNAUTHORIZED, "malformed_signature"),
            ApiError::Replay(_) => (StatusCode::UNAUTHORIZED, "replayed_nonce"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Store(e) = &self {
            tracing::error!("store: {e}");
        }
        let (status, reason) = self.status_and_reason();
        let mut response = (status, Json(json!({ "error": self.to_string() }))).into_response();
        response.extensions_mut().insert(RejectReason(reason));
        response
    }
}

impl From<crate::access::AccessError> for ApiError {
    fn from(e: crate::access::AccessError) -> Self {
        match e {
            crate::access::AccessError::Store(e) => ApiError::Store(e),
            other => ApiError::BadRequest(other.to_string()),
        }
    }
}

impl From<crate::jobs::JobError> for ApiError {
    fn from(e: crate::jobs::JobError) -> Self {
        match e {
            crate::jobs::JobError::Invalid(message) => ApiError::BadRequest(message),
            crate::jobs::JobError::Access(e) => e.into(),
            crate::jobs::JobError::Store(e) => ApiError::Store(e),
        }
    }
}

impl From<axum::extract::rejection::BytesRejection> for ApiError {
    fn from(e: axum::extract::rejection::BytesRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(super::MAX_BODY)
        } else {
            ApiError::BadRequest(format!("unreadable body: {e}"))
        }
    }
}

impl From<crate::nodes::NodeError> for ApiError {
    fn from(e: crate::nodes::NodeError) -> Self {
        use crate::nodes::NodeError as N;
        match e {
            N::Name | N::MaxParallel(_) => ApiError::BadRequest(e.to_string()),
            N::NotYours(_) | N::UnknownCode(_) => ApiError::NotFound(e.to_string()),
            N::Taken(_) => ApiError::Conflict(e.to_string()),
            N::Access(e) => e.into(),
            N::Store(e) => ApiError::Store(e),
        }
    }
}

impl From<crate::rotations::RotationError> for ApiError {
    fn from(e: crate::rotations::RotationError) -> Self {
        use crate::rotations::RotationError as R;
        match e {
            R::Name | R::Script(_) => ApiError::BadRequest(e.to_string()),
            R::NotVisible(_) => ApiError::NotFound(e.to_string()),
            R::NotOwner { .. } => ApiError::Forbidden(e.to_string()),
            R::Store(e) => ApiError::Store(e),
        }
    }
}
