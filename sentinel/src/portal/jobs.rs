//! Jobs: the list of a player's jobs, a job's page with its live progress
//! (server-sent events) and, once done, its results.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::stream::Stream;
use maud::{Markup, html};
use serde::Serialize;
use wowlab_engine::{BatchResult, SimConfig};
use wowlab_protocol::api::Access;
use wowlab_runtime::report::Report;
use wowlab_runtime::simulate::ROUND;

use super::error::PageError;
use super::layout::{self, csrf_field};
use super::session::{MaybeViewer, Posted, Viewer};
use crate::app::AppState;
use crate::store::{Job, JobId, JobStatus};

/// Jobs shown in the list.
const LISTED: i64 = 100;
/// A live page re-reads its job at least this often, and at most this often.
const REREAD: Duration = Duration::from_secs(2);
const MIN_GAP: Duration = Duration::from_millis(200);

fn finished(status: JobStatus) -> bool {
    !status.is_open()
}

fn mean_dps(job: &Job) -> Option<f64> {
    let result: BatchResult = serde_json::from_str(job.result.as_deref()?).ok()?;
    Some(result.dps.mean())
}

/// `GET /jobs`.
pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, PageError> {
    let jobs = state.store.jobs_of(viewer.user.id, LISTED).await?;
    Ok(layout::page(
        "Jobs",
        Some(&viewer),
        html! {
            h1 { "Your jobs" }
            @if jobs.is_empty() {
                p { "No jobs yet. " a href="/simulate" { "Simulate something" } "." }
            } @else {
                table.jobs {
                    thead { tr { th { "Job" } th { "Status" } th.num { "Progress" } th.num { "DPS" } } }
                    tbody {
                        @for job in &jobs {
                            tr {
                                td { a href={ "/jobs/" (job.id) } { "#" (job.id) } }
                                td { span class={ "status " (job.status) } { (job.status) } }
                                td.num { (percent(job)) " %" }
                                td.num { @if let Some(dps) = mean_dps(job) { (format!("{dps:.0}")) } @else { "–" } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// How far along a job is; a job that stopped at its target error is done.
fn percent(job: &Job) -> u64 {
    if job.status == JobStatus::Done {
        100
    } else if job.iterations > 0 {
        (job.progress.max(0) as u64 * 100) / job.iterations as u64
    } else {
        0
    }
}

/// Job `id` if `viewer` may see it; the same answer whether it is missing or hidden.
async fn visible(state: &AppState, id: JobId, viewer: Option<&Viewer>) -> Result<Job, PageError> {
    let hidden = || {
        PageError::not_found(format!(
            "There is no job {id} you can see. It may not exist, or its owner has not shared it with you."
        ))
    };
    let job = state.store.job(id).await?.ok_or_else(hidden)?;
    let public = matches!(serde_json::from_str(&job.access), Ok(Access::Public));
    let allowed = public
        || match viewer {
            Some(v) => crate::access::may_see(&state.store, &job, &v.user).await?,
            None => false,
        };
    if allowed { Ok(job) } else { Err(hidden()) }
}

/// `GET /jobs/{id}`.
pub async fn page(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    headers: HeaderMap,
    Path(id): Path<JobId>,
) -> Result<Response, PageError> {
    let job = match visible(&state, id, viewer.as_ref()).await {
        Ok(job) => job,
        Err(_) if viewer.is_none() => return Ok(no_public_job(id)),
        Err(e) => return Err(e),
    };
    let config = state
        .store
        .config(&job.config_hash)
        .await?
        .and_then(|c| SimConfig::from_json(&c.body).ok());
    let mine = viewer.as_ref().is_some_and(|v| v.user.id == job.owner);
    let public = matches!(serde_json::from_str(&job.access), Ok(Access::Public));
    let link = share_link(&state, &headers, id);
    let nodes = state.store.nodes_on_job(id).await?;
    let title = match &config {
        Some(c) => format!("Job {id} · {}", c.spec.name),
        None => format!("Job {id}"),
    };
    Ok(layout::page(
        &title,
        viewer.as_ref(),
        html! {
            h1 { (title) }
            (live_section(&job, &nodes, viewer.as_ref().filter(|_| mine)))
            @if public {
                p.share { "Anyone can open this job at " input #share-link readonly value=(link) aria-label="Link to this job"; }
            }
            @if let (Some(result), Some(config)) = (job.result.as_deref().and_then(|r| serde_json::from_str::<BatchResult>(r).ok()), &config) {
                (results(&job, &result, config))
            }
            @if let Some(config) = &config { (not_simulated(config)) (hashes(&job, config)) }
        },
    )
    .into_response())
}

/// The page a signed-out visitor gets for a job that is not public.
fn no_public_job(id: JobId) -> Response {
    let body = layout::page(
        "Not found",
        None,
        html! {
            h1 { "Not found" }
            p.error role="alert" { "There is no public job " (id) ". If it is yours or shared with you, sign in to see it." }
            p { (super::signin::signin_link(&format!("/jobs/{id}"))) }
        },
    );
    (axum::http::StatusCode::NOT_FOUND, body).into_response()
}

/// The address others open this job at, on the host the request named.
fn share_link(state: &AppState, headers: &HeaderMap, id: JobId) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}/jobs/{id}")
}

/// The part of the page the job's events keep up to date: status,
/// progress, nodes, verification, error, and for its owner (`owner`) a
/// cancel button while it runs.
fn live_section(job: &Job, nodes: &[(String, i64)], owner: Option<&Viewer>) -> Markup {
    let id = job.id;
    html! {
        section #live data-job=(id) data-status=(job.status) data-events={ "/jobs/" (id) "/events" } {
            p { "Status: " span #status class={ "status " (job.status) } { (job.status) } }
            progress #progress max=(job.iterations) value=(job.progress) aria-label="Iterations done" {}
            p #progress-text { (job.progress) " / " (job.iterations) " iterations (" (percent(job)) " %)" }
            @if let Some(target) = job.target_error {
                p.hint { "Runs until the 95 % error is at most " (target) " % of the mean DPS, checking after each chunk of " (ROUND) " iterations in order; " (job.iterations) " at most." }
            }
            p { "Nodes working on it: " span #nodes { (nodes_text(nodes)) } }
            p title="Volunteers' results are re-run on a node of another owner and compared exactly; results from your own nodes are trusted." {
                "Verified: " span #verification { (verification_text(job)) }
            }
            @if let Some(e) = &job.error { p.error role="alert" { "Failed: " (e) } }
            @if let Some(v) = owner.filter(|_| !finished(job.status)) {
                form method="post" action={ "/jobs/" (id) "/cancel" } {
                    (csrf_field(v))
                    button type="submit" { "Cancel job" }
                }
            }
        }
    }
}

fn nodes_text(nodes: &[(String, i64)]) -> String {
    if nodes.is_empty() {
        "none right now".into()
    } else {
        nodes
            .iter()
            .map(|(name, n)| format!("{name} ({n} chunk{})", if *n == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How many chunks a second node's run confirmed, and how many wait for one.
fn verification_text(job: &Job) -> String {
    let mut text = format!(
        "{} of {} chunks confirmed by a second node",
        job.verified_chunks, job.chunks
    );
    if job.checking_chunks > 0 {
        text += &format!(", {} waiting for one", job.checking_chunks);
    }
    text
}

fn results(job: &Job, result: &BatchResult, config: &SimConfig) -> Markup {
    let report = Report::new(result, config, job.seed as u64);
    html! {
        section #results {
            h2 { "Results" }
            p.headline {
                span #mean-dps { (format!("{:.0}", report.mean_dps)) }
                " DPS ± " (format!("{:.0}", report.error_dps)) " (95 %)"
            }
            dl.figures {
                dt { "Iterations" } dd { (report.iterations) }
                dt { "Min / max" } dd { (format!("{:.0} / {:.0}", report.min_dps, report.max_dps)) }
                dt { "5th / 50th / 95th percentile" } dd { (format!("{:.0} / {:.0} / {:.0}", report.percentiles.p5, report.percentiles.p50, report.percentiles.p95)) }
                dt { "Standard deviation" } dd { (format!("{:.0}", report.std_dps)) }
                dt { "Fight" } dd { (report.fight_length()) ", " (report.targets) " target(s)" }
            }
            (super::chart::histogram(&result.histogram, report.min_dps, report.max_dps, report.mean_dps))
            table.spells {
                caption { "Damage by spell" }
                thead { tr { th { "Spell" } th.num { "DPS" } th.num { "Share" } th.num { "Casts / fight" } th.num { "Crit rate" } } }
                tbody {
                    @for s in &report.spells {
                        tr {
                            td { (s.name) }
                            td.num { (format!("{:.0}", s.dps)) }
                            td.num { (format!("{:.1} %", s.share * 100.0)) }
                            td.num { (format!("{:.1}", s.casts_per_iteration)) }
                            td.num { (format!("{:.1} %", s.crit_rate * 100.0)) }
                        }
                    }
                }
            }
        }
    }
}

/// What the character's profile says that the job does not simulate.
fn not_simulated(config: &SimConfig) -> Markup {
    html! {
        @if !config.ignored.is_empty() {
            details #not-simulated {
                summary { "Not simulated (from the profile): " (config.ignored.len()) }
                ul { @for line in &config.ignored { li { (line) } } }
            }
        }
    }
}

fn hashes(job: &Job, config: &SimConfig) -> Markup {
    html! {
        details.hashes open {
            summary { "Exactly what ran" }
            dl {
                dt { "Engine" } dd { code { (config.engine) } }
                dt { "Config" } dd { code { (job.config_hash) } }
                dt { "Rotation module (" (config.rotation.backend) ")" } dd { code { (config.rotation.module) } }
                @if !config.rotation.script.is_empty() {
                    dt { "Rotation script" } dd { code { (config.rotation.script) } }
                }
                dt { "Seed" } dd { code { (job.seed as u64) } }
            }
        }
    }
}

/// What a live job page is told.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct Progress {
    status: String,
    progress: i64,
    iterations: i64,
    percent: u64,
    nodes: String,
    verification: String,
}

/// `GET /jobs/{id}/events`: the job's progress as server-sent events; a
/// `done` event when it finishes (the page then reloads to show results).
pub async fn events(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    Path(id): Path<JobId>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, PageError> {
    visible(&state, id, viewer.as_ref()).await?;
    let stream = futures_util::stream::unfold(
        (state, None::<Progress>, false),
        move |(state, last, ended)| async move {
            if ended {
                return None;
            }
            loop {
                if last.is_some() {
                    let updated = state.job_updates.notified();
                    let _ = tokio::time::timeout(REREAD, updated).await;
                    tokio::time::sleep(MIN_GAP).await;
                }
                let job = match state.store.job(id).await {
                    Ok(Some(job)) => job,
                    Ok(None) => return None,
                    Err(e) => {
                        tracing::warn!("job {id} events: {e}");
                        continue;
                    }
                };
                let nodes = state.store.nodes_on_job(id).await.unwrap_or_default();
                let now = Progress {
                    percent: percent(&job),
                    status: job.status.as_str().to_string(),
                    progress: job.progress,
                    iterations: job.iterations,
                    nodes: nodes_text(&nodes),
                    verification: verification_text(&job),
                };
                let done = finished(job.status);
                if last.as_ref() != Some(&now) || done {
                    let kind = if done { "done" } else { "progress" };
                    let event = Event::default()
                        .event(kind)
                        .data(serde_json::to_string(&now).expect("progress serialises"));
                    return Some((Ok(event), (state, Some(now), done)));
                }
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// `POST /jobs/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<JobId>,
    posted: Posted<serde::de::IgnoredAny>,
) -> Result<Redirect, PageError> {
    let job = visible(&state, id, Some(&posted.viewer)).await?;
    if job.owner != posted.viewer.user.id {
        return Err(PageError::forbidden("only its owner can cancel a job"));
    }
    state.store.cancel_job(id).await?;
    state.job_updates.notify_waiters();
    Ok(Redirect::to(&format!("/jobs/{id}")))
}
