//! Nodes: claim one by its code, see yours (online, cores, chunks, how far
//! the sentinel trusts their results and why one was quarantined), rename
//! them, set how many chunks they run at once and whose jobs they take.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use wowlab_protocol::api::{Access, Trust};

use super::error::PageError;
use super::layout::{self, csrf_field};
use super::session::{Posted, Viewer};
use crate::access::AccessError;
use crate::app::AppState;
use crate::nodes::{Changes, MAX_NAME, MAX_PARALLEL, NodeError};
use crate::store::{Node, NodeId, NodePermissions};

/// `GET /nodes`.
pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, PageError> {
    render(&state, &viewer, None).await
}

/// A message above the list: (is it an error, text).
type Notice = (bool, String);

async fn render(
    state: &AppState,
    viewer: &Viewer,
    notice: Option<Notice>,
) -> Result<Markup, PageError> {
    let nodes = state.store.nodes_of(viewer.user.id).await?;
    let online_since = crate::now() - state.thresholds.offline_after.as_secs() as i64;
    Ok(layout::page(
        "Nodes",
        Some(viewer),
        html! {
            h1 { "Your nodes" }
            @if let Some((error, text)) = &notice {
                p class=(if *error { "error" } else { "notice" }) role="alert" { (text) }
            }
            form.inline #claim-form method="post" action="/nodes/claim" {
                (csrf_field(viewer))
                label { "Claim a node with the code it printed"
                    input name="code" required placeholder="ABCD-EFGH" autocomplete="off";
                }
                button type="submit" { "Claim" }
            }
            @if nodes.is_empty() {
                p { "No nodes yet. Start one with " code { "wowlab node --sentinel URL" } " and claim it with the code it prints." }
            }
            @for node in &nodes {
                (node_card(viewer, node, node.last_seen_at >= online_since, node.trust(state.store.verification())))
            }
        },
    ))
}

fn node_card(viewer: &Viewer, node: &Node, online: bool, trust: Trust) -> Markup {
    let trust = match trust {
        Trust::New => "new: most of its results are re-run on another node",
        Trust::Reliable => "reliable: a small share of its results is re-run",
        Trust::Quarantined => "quarantined: it gets no work",
    };
    let (kind, users, group) = match &node.permissions {
        NodePermissions::Private => ("private", String::new(), String::new()),
        NodePermissions::Public => ("public", String::new(), String::new()),
        NodePermissions::Users(u) => ("users", u.join(", "), String::new()),
        NodePermissions::Group(g) => ("group", String::new(), g.clone()),
    };
    html! {
        article.node data-node=(node.id) {
            h2 { (node.name) " "
                span class={ "status " (if online { "online" } else { "offline" }) } { (if online { "online" } else { "offline" }) }
            }
            @if let Some(why) = &node.quarantine_reason {
                p.error role="alert" { "Quarantined: " (why) ". Its unconfirmed results were run again elsewhere. Once the cause is fixed, ask the sentinel's operator to release node " (node.id) "." }
            }
            dl.figures {
                dt { "Cores" } dd { @if node.cores > 0 { (node.cores) } @else { "unknown" } }
                dt { "Running chunks" } dd.running { (node.running) }
                dt { "Completed chunks" } dd.completed { (node.completed) }
                dt { "Confirmed by another node" } dd.verified { (node.verified) }
                dt { "Outvoted" } dd.mismatches { (node.mismatches) }
                dt { "Trust" } dd.trust { (trust) }
                dt { "Key" } dd { code { (node.public_key[..16.min(node.public_key.len())]) "…" } }
            }
            form.grid method="post" action={ "/nodes/" (node.id) } {
                (csrf_field(viewer))
                label { "Name" input name="name" value=(node.name) required maxlength=(MAX_NAME); }
                label { "Chunks at once" input name="max_parallel" value=(node.max_parallel) inputmode="numeric" required; }
                label { "Runs jobs of"
                    select name="access" {
                        @for (value, label) in [("private", "Only me"), ("users", "These users"), ("group", "A group"), ("public", "Everyone")] {
                            option value=(value) selected[kind == value] { (label) }
                        }
                    }
                }
                label.access-users { "Users (comma-separated)" input name="access_users" value=(users); }
                label.access-group { "Group" input name="access_group" value=(group); }
                button type="submit" { "Save" }
            }
        }
    }
}

/// The claim form.
#[derive(Debug, Deserialize)]
pub struct ClaimForm {
    code: String,
}

/// `POST /nodes/claim`.
pub async fn claim(
    State(state): State<AppState>,
    posted: Posted<ClaimForm>,
) -> Result<Response, PageError> {
    let Posted { viewer, form } = posted;
    let code = form.code.trim();
    let notice = match crate::nodes::claim(&state, code, viewer.user.id).await {
        Ok(_) => (false, format!("Node claimed with code {code}.")),
        Err(NodeError::Taken(_)) => (
            true,
            format!("The node with code {code} belongs to someone else."),
        ),
        Err(NodeError::UnknownCode(_)) => (
            true,
            format!(
                "No node has the code {code}. Check the code the node printed (it is valid while the node runs)."
            ),
        ),
        Err(e) => return Err(page_error(e)),
    };
    Ok(render(&state, &viewer, Some(notice)).await?.into_response())
}

/// A node error that is no notice on the list: a missing node is a 404
/// page, a store failure a 500 page.
fn page_error(e: NodeError) -> PageError {
    match e {
        NodeError::Store(e) => e.into(),
        NodeError::Access(crate::access::AccessError::Store(e)) => e.into(),
        NodeError::NotYours(id) => PageError::not_found(format!("You have no node {id}.")),
        other => PageError::bad_request(other.to_string()),
    }
}

/// A node's settings form.
#[derive(Debug, Deserialize)]
pub struct NodeForm {
    name: String,
    max_parallel: String,
    access: String,
    #[serde(default)]
    access_users: String,
    #[serde(default)]
    access_group: String,
}

/// `POST /nodes/{id}`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<NodeId>,
    posted: Posted<NodeForm>,
) -> Result<Response, PageError> {
    let Posted { viewer, form } = posted;
    crate::nodes::own(&state, id, viewer.user.id)
        .await
        .map_err(page_error)?;
    let name = form.name.trim();
    let Ok(max_parallel) = form.max_parallel.trim().parse::<i64>() else {
        let notice = (true, parallel_notice(form.max_parallel.trim()));
        return Ok(render(&state, &viewer, Some(notice)).await?.into_response());
    };
    let access = match form.access.as_str() {
        "public" => Access::Public,
        "users" => Access::Users(
            form.access_users
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        ),
        "group" => Access::Group(form.access_group.trim().to_string()),
        _ => Access::Private,
    };
    let changes = Changes {
        name: Some(name),
        max_parallel: Some(max_parallel),
        permissions: Some(&access),
    };
    let notice = match crate::nodes::update(&state, id, viewer.user.id, changes).await {
        Ok(_) => return Ok(Redirect::to("/nodes").into_response()),
        Err(NodeError::Name) => format!("A node's name must be 1 to {MAX_NAME} characters."),
        Err(NodeError::MaxParallel(_)) => parallel_notice(form.max_parallel.trim()),
        Err(NodeError::Access(
            e @ (AccessError::UnknownUser { .. } | AccessError::UnknownGroup { .. }),
        )) => e.to_string(),
        Err(e) => return Err(page_error(e)),
    };
    Ok(render(&state, &viewer, Some((true, notice)))
        .await?
        .into_response())
}

/// What the list says about a bad "chunks at once".
fn parallel_notice(typed: &str) -> String {
    format!("Chunks at once must be a whole number from 1 to {MAX_PARALLEL} (got `{typed}`).")
}
