//! The portal: the web pages players and node owners use, served by the
//! sentinel at `/`. Pages are rendered on the server (maud); one small
//! script adds the editor's line numbers, the Test button and live
//! progress. Every asset is built into the binary.

mod account;
mod assets;
mod chart;
mod error;
mod jobs;
mod layout;
mod nodes;
mod rankings;
mod rotations;
mod session;
mod signin;
mod simulate;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

pub use error::{PageError, not_found};

/// The portal's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(signin::home))
        .route("/signin", get(signin::page).post(signin::sign_in))
        .route("/signout", post(signin::sign_out))
        .route("/simulate", get(simulate::page).post(simulate::submit))
        .route("/simulate/test", post(simulate::test))
        .route("/jobs", get(jobs::list))
        .route("/jobs/{id}", get(jobs::page))
        .route("/jobs/{id}/events", get(jobs::events))
        .route("/jobs/{id}/cancel", post(jobs::cancel))
        .route("/rotations", get(rotations::list).post(rotations::create))
        .route("/rotations/new", get(rotations::new_page))
        .route("/rotations/public", get(rotations::public))
        .route(
            "/rotations/{id}",
            get(rotations::open).post(rotations::save),
        )
        .route("/rotations/{id}/visibility", post(rotations::visibility))
        .route("/rotations/{id}/copy", post(rotations::copy))
        .route("/rankings", get(rankings::page))
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/account/delete", post(account::delete))
        .route("/nodes", get(nodes::list))
        .route("/nodes/claim", post(nodes::claim))
        .route("/nodes/{id}", post(nodes::update))
        .route("/assets/portal.css", get(assets::css))
        .route("/assets/portal.js", get(assets::js))
}
