//! `GET /api/v1/openapi.json`: the OpenAPI document, generated from the
//! handlers' annotations and the `wowlab-protocol` types, made precise by
//! [`constraints`] from the limits the handlers check.

pub mod constraints;

use axum::Json;
use axum::extract::State;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{chunks, configs, jobs, metrics, modules, nodes, rotations, status};
use crate::app::AppState;

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "wowlab sentinel",
        description = "Jobs, configs, modules, rotations, nodes and chunks of the wowlab distributed simulator. \
            Users authenticate with `Authorization: Bearer TOKEN`. Nodes sign every request with Ed25519 over \
            `timestamp \\0 nonce \\0 METHOD \\0 path \\0 hex(BLAKE3(body))` in the headers `x-wowlab-key`, \
            `x-wowlab-timestamp`, `x-wowlab-nonce` and `x-wowlab-signature`; timestamps more than 300 s off \
            and reused nonces are refused."
    ),
    paths(
        status::status,
        metrics::metrics,
        configs::put,
        configs::get,
        modules::put,
        modules::get,
        rotations::create,
        rotations::list,
        rotations::get,
        rotations::update,
        rotations::script,
        jobs::create,
        jobs::list,
        jobs::get,
        jobs::cancel,
        nodes::register,
        nodes::heartbeat,
        nodes::poll,
        nodes::stream,
        nodes::claim,
        nodes::list,
        nodes::update,
        nodes::delete,
        chunks::complete,
        chunks::fail,
        chunks::release,
    ),
    modifiers(&Security)
)]
pub struct ApiDoc;

/// Adds the two ways callers prove who they are.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "node_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                wowlab_protocol::signing::SIGNATURE_HEADER,
                "Ed25519 signature; see the API description for the signed message and the other headers",
            ))),
        );
    }
}

/// The document of a sentinel whose jobs may have at most `max_iterations`.
pub fn document(max_iterations: u64) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    constraints::apply(&mut doc, max_iterations);
    doc
}

/// The document.
pub async fn openapi(State(state): State<AppState>) -> Json<utoipa::openapi::OpenApi> {
    Json(document(state.max_iterations))
}
