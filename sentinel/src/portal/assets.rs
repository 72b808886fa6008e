//! The portal's stylesheet and script, built into the binary (no CDN, no
//! build step). Their URLs carry a hash of their content, so browsers may
//! cache them for good and still see a new version at once.

use std::sync::LazyLock;

use axum::response::Response;

const CSS: &str = include_str!("assets/portal.css");
const JS: &str = include_str!("assets/portal.js");

fn versioned(path: &str, body: &str) -> String {
    format!(
        "{path}?v={}",
        &wowlab_protocol::address::hash_of(body.as_bytes())[..12]
    )
}

/// The stylesheet's URL.
pub static CSS_PATH: LazyLock<String> = LazyLock::new(|| versioned("/assets/portal.css", CSS));
/// The script's URL.
pub static JS_PATH: LazyLock<String> = LazyLock::new(|| versioned("/assets/portal.js", JS));

/// `GET /assets/portal.css`.
pub async fn css() -> Response {
    crate::http::immutable("text/css; charset=utf-8", &CSS_PATH, CSS)
}

/// `GET /assets/portal.js`.
pub async fn js() -> Response {
    crate::http::immutable("text/javascript; charset=utf-8", &JS_PATH, JS)
}
