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
    /// The body is larger than the API accepts.
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    /// The store failed.
    #[error("internal error")]
    Store(#[from] StoreError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Store(e) => {
                tracing::error!("store: {e}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        (status, Json(json!({ "error": self.to_string() }))).into_response()
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
