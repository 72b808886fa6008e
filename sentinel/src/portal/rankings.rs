//! Rankings: the best public results per spec pack, with the rotation that
//! produced each, and the best sims of the last day. Read from the jobs
//! table as it is, so they are current as soon as a job completes.

use axum::extract::State;
use maud::{Markup, html};
use wowlab_engine::SimConfig;

use super::error::PageError;
use super::layout;
use super::session::MaybeViewer;
use crate::app::AppState;
use crate::store::{Ranked, ScriptRotation};

/// Rows per ranking.
const TOP: i64 = 10;

/// A ranked job with its fight and its rotation: (id, name, author) when it is public.
struct Row {
    ranked: Ranked,
    fight: String,
    rotation: Option<ScriptRotation>,
}

async fn with_rotations(state: &AppState, ranked: Vec<Ranked>) -> Result<Vec<Row>, PageError> {
    let mut rows = Vec::with_capacity(ranked.len());
    for r in ranked {
        let config = state
            .store
            .config(&r.config_hash)
            .await?
            .and_then(|c| SimConfig::from_json(&c.body).ok());
        let (script, fight) = match config {
            Some(c) => (
                c.rotation.script,
                format!(
                    "{} s, {} target{}",
                    c.fight.duration_ms / 1000,
                    c.fight.targets,
                    if c.fight.targets == 1 { "" } else { "s" }
                ),
            ),
            None => (String::new(), String::new()),
        };
        let rotation = state
            .store
            .rotation_of_script(&script)
            .await?
            .filter(|r| r.public);
        rows.push(Row {
            ranked: r,
            fight,
            rotation,
        });
    }
    Ok(rows)
}

fn table(rows: &[Row], show_spec: bool) -> Markup {
    html! {
        table.rankings {
            thead { tr { th.num { "#" } th.num { "DPS" } @if show_spec { th { "Spec" } } th { "Fight" } th { "Rotation" } th { "Player" } th { "Job" } } }
            tbody {
                @for (i, row) in rows.iter().enumerate() {
                    tr {
                        td.num { (i + 1) }
                        td.num { (format!("{:.0}", row.ranked.mean_dps)) }
                        @if show_spec { td { (row.ranked.spec) } }
                        td { (row.fight) }
                        td { @match &row.rotation {
                            Some(r) => { a href={ "/rotations/" (r.id) } { (r.name) } " by " (r.owner_name) },
                            None => "private rotation",
                        } }
                        td { (row.ranked.owner_name) }
                        td { a href={ "/jobs/" (row.ranked.job_id) } { "#" (row.ranked.job_id) } }
                    }
                }
            }
        }
    }
}

/// `GET /rankings` (open to everyone: it lists public jobs only).
pub async fn page(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
) -> Result<Markup, PageError> {
    let mut per_spec = Vec::new();
    for pack in state.packs.iter() {
        let best = state.store.best_of_spec(&pack.spec.name, TOP).await?;
        per_spec.push((pack.spec.name.clone(), with_rotations(&state, best).await?));
    }
    let today = state.store.best_since(crate::now() - 86_400, TOP).await?;
    let today = with_rotations(&state, today).await?;
    Ok(layout::page(
        "Rankings",
        viewer.as_ref(),
        html! {
            h1 { "Rankings" }
            p.hint { "The best public jobs. Make a job public on the simulate page to enter it." }
            @for (spec, rows) in &per_spec {
                section.ranking {
                    h2 { "Best " (spec) " results" }
                    @if rows.is_empty() { p { "No public results yet." } } @else { (table(rows, false)) }
                }
            }
            section.ranking #today {
                h2 { "Top sims of the day" }
                @if today.is_empty() { p { "No public job finished in the last 24 hours." } } @else { (table(&today, true)) }
            }
        },
    ))
}
