//! Signed node requests: the [`Signed`] extractor checks the Ed25519
//! signature, the timestamp and the nonce (see [`wowlab_protocol::signing`])
//! before a handler sees the body.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use wowlab_protocol::signing::{self, SignedHeaders};

use super::error::ApiError;
use crate::app::AppState;
use crate::store::{Node, NodeId};

/// A request whose signature, timestamp and nonce checked out.
pub struct Signed {
    /// The signer's public key, hex.
    pub key: String,
    /// The body.
    pub body: Bytes,
}

impl Signed {
    /// The registered node that signed, marked as seen now.
    pub async fn node(&self, state: &AppState) -> Result<Node, ApiError> {
        let id = self.node_id(state).await?;
        state
            .store
            .node(id)
            .await?
            .ok_or_else(|| self.unregistered())
    }

    /// The id of the registered node that signed, marked as seen now: one
    /// statement, for the requests that need no more of the node.
    pub async fn node_id(&self, state: &AppState) -> Result<NodeId, ApiError> {
        let id = state
            .store
            .node_seen(&self.key)
            .await?
            .ok_or_else(|| self.unregistered())?;
        crate::request_span::record_node(id);
        Ok(id)
    }

    fn unregistered(&self) -> ApiError {
        ApiError::Unauthorized(format!(
            "no node is registered with key {}: register first",
            self.key
        ))
    }
}

fn header(req: &Request, name: &'static str) -> Result<String, ApiError> {
    req.headers()
        .get(name)
        .ok_or(ApiError::Signature(signing::SignatureError::Missing(name)))?
        .to_str()
        .map(str::to_string)
        .map_err(|_| {
            ApiError::Signature(signing::SignatureError::Malformed {
                header: name,
                why: "not ASCII",
            })
        })
}

impl FromRequest<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let headers = SignedHeaders {
            key: header(&req, signing::KEY_HEADER)?,
            timestamp: header(&req, signing::TIMESTAMP_HEADER)?,
            nonce: header(&req, signing::NONCE_HEADER)?,
            signature: header(&req, signing::SIGNATURE_HEADER)?,
        };
        let method = req.method().as_str().to_string();
        let path = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string());
        let body = Bytes::from_request(req, state).await?;
        let verified = signing::verify(&headers, &method, &path, &body, crate::now())
            .map_err(ApiError::Signature)?;
        if !state
            .store
            .record_nonce(&verified.key, &verified.nonce, crate::now())
            .await?
        {
            return Err(ApiError::Replay(verified.nonce));
        }
        Ok(Signed {
            key: verified.key,
            body,
        })
    }
}
