//! Errors of the portal's pages: a page that says what went wrong, with the
//! status that fits, never a stack trace or a blank page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::store::StoreError;

/// A page that failed.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    title: &'static str,
    message: String,
}

impl PageError {
    /// 400: the input is wrong; `message` says how.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            title: "That did not work",
            message: message.into(),
        }
    }

    /// 403: the request may not be carried out.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            title: "Not allowed",
            message: message.into(),
        }
    }

    /// 404: there is nothing here for this player.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            title: "Not found",
            message: message.into(),
        }
    }
}

impl From<StoreError> for PageError {
    /// A 500 page; the failure is logged here, once, in the request's span.
    fn from(e: StoreError) -> Self {
        tracing::error!("store: {e}");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "Something broke on our side",
            message: "internal error".into(),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = super::layout::page(
            self.title,
            None,
            html! {
                h1 { (self.title) }
                p.error role="alert" { (self.message) }
                p { a href="/" { "Back to the start page" } }
            },
        );
        (self.status, body).into_response()
    }
}

/// The page for a path that is not there.
pub fn not_found(path: &str) -> PageError {
    PageError::not_found(format!("There is no page at {path}."))
}
