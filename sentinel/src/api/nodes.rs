//! Nodes. Signed by the node: `POST /nodes/register`, `POST /nodes/heartbeat`,
//! `POST /nodes/poll` and the `GET /nodes/stream` WebSocket. By its user:
//! `POST /nodes/claim`, `GET /nodes`, `PATCH /nodes/{id}`, `DELETE /nodes/{id}`.

use axum::Json;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};

use super::Path;
use axum::http::StatusCode;
use axum::response::Response;
use wowlab_protocol::api::{
    Access, Assignments, ClaimNode, Heartbeat, NodeView, RegisterNode, Registered, UpdateNode,
};
use wowlab_protocol::signing;

use super::auth::Caller;
use super::error::ApiError;
use super::signed::Signed;
use crate::app::AppState;
use crate::nodes::{Changes, Registration};
use crate::store::{ChunkId, Node, NodeId, NodePermissions};

fn registered(state: &AppState, node: &Node) -> Registered {
    Registered {
        heartbeat_every_secs: state.thresholds.heartbeat_every().as_secs(),
        node_id: node.id.0,
        claim_code: signing::claim_code(&node.public_key),
        claimed: node.owner.is_some(),
    }
}

fn view(state: &AppState, node: Node) -> NodeView {
    let online_since = crate::now() - state.thresholds.offline_after.as_secs() as i64;
    let trust = node.trust(state.store.verification());
    NodeView {
        id: node.id.0,
        name: node.name,
        public_key: node.public_key,
        owner: node.owner_name,
        max_parallel: node.max_parallel as u32,
        permissions: match node.permissions {
            NodePermissions::Private => Access::Private,
            NodePermissions::Public => Access::Public,
            NodePermissions::Users(users) => Access::Users(users),
            NodePermissions::Group(group) => Access::Group(group),
        },
        online: node.last_seen_at >= online_since,
        last_seen_at: node.last_seen_at,
        running: node.running,
        cores: node.cores as u32,
        completed: node.completed,
        verified: node.verified,
        mismatches: node.mismatches,
        trust,
        quarantine_reason: node.quarantine_reason,
    }
}

#[utoipa::path(post, path = "/api/v1/nodes/register", tag = "nodes", security(("node_signature" = [])), request_body = RegisterNode, responses((status = 201, body = Registered), (status = 200, description = "Registered already", body = Registered), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing, malformed, stale, forged or replayed signature", body = wowlab_protocol::api::ErrorBody)))]
/// Registers the signing key as a node (or returns the node it already is).
pub async fn register(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    let request: RegisterNode = super::parse_json(&signed.body, "node registration")?;
    let (node, new) = crate::nodes::register(
        &state,
        &signed.key,
        Registration {
            name: &request.name,
            max_parallel: request.max_parallel.into(),
            cores: request.cores.into(),
        },
    )
    .await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(registered(&state, &node))))
}

#[utoipa::path(post, path = "/api/v1/nodes/heartbeat", tag = "nodes", security(("node_signature" = [])), request_body = Heartbeat, responses((status = 200, body = Registered), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing, malformed, stale, forged or replayed signature", body = wowlab_protocol::api::ErrorBody)))]
/// Marks the node online and returns chunks it lost.
pub async fn heartbeat(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<Registered>, ApiError> {
    let request: Heartbeat = if signed.body.is_empty() {
        Heartbeat::default()
    } else {
        super::parse_json(&signed.body, "heartbeat")?
    };
    let node = signed.node(&state).await?;
    let lost = state
        .store
        .return_lost_chunks(
            node.id,
            &request.running,
            crate::now_ms() - state.thresholds.delivery_grace.as_millis() as i64,
        )
        .await?;
    if lost > 0 {
        tracing::info!(
            node = %node.id,
            lost,
            "chunks the node no longer runs returned to pending"
        );
        state.scheduler.poke();
    }
    Ok(Json(registered(&state, &node)))
}

#[utoipa::path(post, path = "/api/v1/nodes/poll", tag = "nodes", security(("node_signature" = [])), responses((status = 200, body = Assignments), (status = 401, description = "Missing, malformed, stale, forged or replayed signature", body = wowlab_protocol::api::ErrorBody)))]
/// Assigns the node as many chunks as it has free slots (the poll fallback).
pub async fn poll(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<Assignments>, ApiError> {
    let node = signed.node_id(&state).await?;
    let assignments = state.scheduler.assign(node).await?;
    Ok(Json(Assignments { assignments }))
}

#[utoipa::path(get, path = "/api/v1/nodes/stream", tag = "nodes", security(("node_signature" = [])), responses((status = 101, description = "WebSocket; each text message is an Assignments"), (status = 401, description = "Missing, malformed, stale, forged or replayed signature", body = wowlab_protocol::api::ErrorBody)))]
/// The assignment stream: after a signed handshake, each assignment batch
/// is pushed as a JSON text message ([`Assignments`]).
pub async fn stream(
    State(state): State<AppState>,
    upgrade: WebSocketUpgrade,
    signed: Signed,
) -> Result<Response, ApiError> {
    let node = signed.node_id(&state).await?;
    Ok(upgrade.on_upgrade(move |socket| push(state, node, socket)))
}

async fn push(state: AppState, node: NodeId, mut socket: WebSocket) {
    let mut subscription = state.scheduler.subscribe(node);
    tracing::info!(%node, "stream connected");
    loop {
        tokio::select! {
            batch = subscription.rx.recv() => {
                let Some(batch) = batch else { break };
                let text = serde_json::to_string(&batch).expect("assignments serialise");
                if socket.send(Message::Text(text.into())).await.is_err() {
                    give_back(&state, node, &batch).await;
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    subscription.rx.close();
    while let Some(batch) = subscription.rx.recv().await {
        give_back(&state, node, &batch).await;
    }
    tracing::info!(%node, "stream closed");
}

/// Returns chunks that were never delivered.
async fn give_back(state: &AppState, node: NodeId, batch: &Assignments) {
    for a in &batch.assignments {
        if let Err(e) = state
            .store
            .return_chunk(node, ChunkId(a.chunk_id), None)
            .await
        {
            tracing::warn!("returning undelivered chunk {}: {e}", a.chunk_id);
        }
    }
    state.scheduler.poke();
}

#[utoipa::path(post, path = "/api/v1/nodes/claim", tag = "nodes", security(("token" = [])), request_body = ClaimNode, responses((status = 200, body = NodeView), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody), (status = 409, description = "Conflicts with its state", body = wowlab_protocol::api::ErrorBody)))]
/// Makes the node with this claim code the caller's.
pub async fn claim(
    State(state): State<AppState>,
    Caller(user): Caller,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<NodeView>, ApiError> {
    let request: ClaimNode = super::parse_json(&body?, "claim")?;
    let id = crate::nodes::claim(&state, &request.code, user.id).await?;
    let node = crate::nodes::own(&state, id, user.id).await?;
    Ok(Json(view(&state, node)))
}

#[utoipa::path(get, path = "/api/v1/nodes", tag = "nodes", security(("token" = [])), responses((status = 200, body = Vec<NodeView>), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody)))]
/// The caller's nodes.
pub async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> Result<Json<Vec<NodeView>>, ApiError> {
    let nodes = state.store.nodes_of(user.id).await?;
    Ok(Json(nodes.into_iter().map(|n| view(&state, n)).collect()))
}

#[utoipa::path(patch, path = "/api/v1/nodes/{id}", tag = "nodes", security(("token" = [])), params(("id" = i64, Path)), request_body = UpdateNode, responses((status = 200, body = NodeView), (status = 400, description = "Bad input; the error names the field", body = wowlab_protocol::api::ErrorBody), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody)))]
/// Changes the caller's node's name, parallelism or permissions.
pub async fn update(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<NodeId>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<NodeView>, ApiError> {
    let request: UpdateNode = super::parse_json(&body?, "node update")?;
    let changes = Changes {
        name: request.name.as_deref(),
        max_parallel: request.max_parallel.map(i64::from),
        permissions: request.permissions.as_ref(),
    };
    let node = crate::nodes::update(&state, id, user.id, changes).await?;
    Ok(Json(view(&state, node)))
}

#[utoipa::path(delete, path = "/api/v1/nodes/{id}", tag = "nodes", security(("token" = [])), params(("id" = i64, Path)), responses((status = 204, description = "Deleted"), (status = 401, description = "Missing or unknown token", body = wowlab_protocol::api::ErrorBody), (status = 404, description = "Not found, or not yours", body = wowlab_protocol::api::ErrorBody)))]
/// Deletes the caller's node; its running chunks return to pending.
pub async fn delete(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<NodeId>,
) -> Result<StatusCode, ApiError> {
    crate::nodes::delete(&state, id, user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
