//! Where assignments come from: the sentinel's WebSocket stream, with
//! reconnects after an exponential backoff with jitter, and polling while
//! the stream is down.

use std::sync::Arc;

use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use wowlab_protocol::api::{Assignment, Assignments};

use super::{Backoff, Node};

/// Feeds assignments into `out` until `stop` is set or `out` closes.
pub(super) async fn feed(
    node: Arc<Node>,
    out: mpsc::Sender<Assignment>,
    stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new();
    while !*stop.borrow() {
        match stream(&node, &out).await {
            Ok(()) => {
                tracing::info!("the assignment stream closed; reconnecting");
                backoff = Backoff::new();
            }
            Err(e) => tracing::warn!("no assignment stream ({e}); polling meanwhile"),
        }
        if out.is_closed() {
            return;
        }
        // While the stream is down, poll for as much work as there are free slots.
        if node.free() > 0 {
            match node.sentinel.poll().await {
                Ok(assignments) => {
                    for a in assignments {
                        if out.send(a).await.is_err() {
                            return;
                        }
                    }
                }
                Err(e) => tracing::warn!("polling: {e}"),
            }
        }
        tokio::time::sleep(backoff.next()).await;
    }
}

/// Connects the stream and forwards what it pushes until it closes.
async fn stream(node: &Node, out: &mpsc::Sender<Assignment>) -> Result<(), String> {
    let (url, headers) = node.sentinel.stream_request();
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    for (name, value) in headers.pairs() {
        request
            .headers_mut()
            .insert(name, value.parse().map_err(|e| format!("{e}"))?);
    }
    let connector = Some(node.sentinel.websocket());
    let (mut socket, _) =
        tokio_tungstenite::connect_async_tls_with_config(request, None, false, connector)
            .await
            .map_err(|e| e.to_string())?;
    tracing::info!("assignment stream connected");
    while let Some(message) = socket.next().await {
        let text = match message.map_err(|e| e.to_string())? {
            Message::Text(text) => text,
            Message::Close(_) => break,
            _ => continue,
        };
        let batch: Assignments = match serde_json::from_str(&text) {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!("ignoring an unreadable message from the stream: {e}");
                continue;
            }
        };
        for a in batch.assignments {
            if out.send(a).await.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}
