//! Rotations: yours (open, save a new version, make public or private),
//! new ones, and everyone's public ones by spec and name (open, copy).

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::error::PageError;
use super::layout::{self, csrf_field};
use super::session::{Posted, Viewer};
use crate::app::AppState;
use crate::rotations::{self, Draft, MAX_NAME, RotationError};
use crate::store::{Rotation, RotationId, RotationSummary};

/// Public rotations listed at once.
const LISTED: i64 = 100;

fn table(rotations: &[RotationSummary], show_owner: bool) -> Markup {
    html! {
        table.rotations {
            thead { tr { th { "Name" } th { "Spec" } @if show_owner { th { "Author" } } th.num { "Versions" } th { "Visibility" } } }
            tbody {
                @for r in rotations {
                    tr {
                        td { a href={ "/rotations/" (r.id) } { (r.name) } }
                        td { (if r.spec.is_empty() { "–" } else { &r.spec }) }
                        @if show_owner { td { (r.owner_name) } }
                        td.num { (r.versions) }
                        td { (if r.public { "public" } else { "private" }) }
                    }
                }
            }
        }
    }
}

/// `GET /rotations`.
pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, PageError> {
    let mine = state.store.rotations_of(viewer.user.id).await?;
    Ok(layout::page(
        "Rotations",
        Some(&viewer),
        html! {
            h1 { "Your rotations" }
            p { a href="/rotations/new" { "New rotation" } " · " a href="/rotations/public" { "Browse public rotations" } }
            @if mine.is_empty() {
                p { "None yet. Rotations you write on the simulate page are saved here." }
            } @else {
                (table(&mine, false))
            }
        },
    ))
}

/// The public rotations filter.
#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    #[serde(default)]
    spec: String,
    #[serde(default)]
    q: String,
}

/// `GET /rotations/public?spec=&q=`.
pub async fn public(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(filter): Query<Filter>,
) -> Result<Markup, PageError> {
    let found = state
        .store
        .public_rotations(&filter.spec, filter.q.trim(), LISTED)
        .await?;
    Ok(layout::page(
        "Public rotations",
        Some(&viewer),
        html! {
            h1 { "Public rotations" }
            form.inline #filter method="get" action="/rotations/public" {
                label { "Spec"
                    select name="spec" {
                        option value="" selected[filter.spec.is_empty()] { "Any spec" }
                        @for p in state.packs.iter() {
                            option value=(p.spec.name) selected[filter.spec == p.spec.name] { (p.spec.name) }
                        }
                    }
                }
                label { "Name contains" input name="q" value=(filter.q); }
                button type="submit" { "Search" }
            }
            @if found.is_empty() { p { "No public rotation matches." } } @else { (table(&found, true)) }
        },
    ))
}

/// A rotation error as a page: what the player sees when it is not a
/// message above the form.
fn page_error(e: RotationError) -> PageError {
    match e {
        RotationError::NotVisible(id) => {
            PageError::not_found(format!("There is no rotation {id} you can see."))
        }
        RotationError::NotOwner { .. } => {
            PageError::forbidden("only its author can change a rotation; copy it first")
        }
        RotationError::Store(e) => e.into(),
        other => PageError::bad_request(form_message(&other)),
    }
}

/// A name or script error as the form shows it above the editor.
fn form_message(e: &RotationError) -> String {
    match e {
        RotationError::Name => format!("A rotation's name must be 1 to {MAX_NAME} characters."),
        RotationError::Script(wowlab_rhai::RotationError::Syntax {
            line,
            column,
            message,
        }) => format!("Line {line}, column {column}: {message}"),
        RotationError::Script(other) => other.to_string(),
        other => other.to_string(),
    }
}

/// Which version to show.
#[derive(Debug, Default, Deserialize)]
pub struct VersionChoice {
    version: Option<i64>,
}

/// `GET /rotations/{id}[?version=N]`.
pub async fn open(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<RotationId>,
    Query(choice): Query<VersionChoice>,
) -> Result<Markup, PageError> {
    let rotation = rotations::visible(&state.store, id, viewer.user.id)
        .await
        .map_err(page_error)?;
    render(&state, &viewer, &rotation, choice.version, None).await
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    r: &Rotation,
    version: Option<i64>,
    error: Option<(String, String)>,
) -> Result<Markup, PageError> {
    let mine = r.owner == viewer.user.id;
    let latest = r.versions.len() as i64;
    let shown = version.unwrap_or(latest).clamp(1, latest.max(1));
    let script = match error {
        Some((_, ref script)) => script.clone(),
        None if shown == latest => r.script.clone(),
        None => {
            let checksum = &r.versions[(shown - 1) as usize].1;
            state.store.script(checksum).await?.unwrap_or_default()
        }
    };
    Ok(layout::page(
        &r.name,
        Some(viewer),
        html! {
            h1 { (r.name) }
            p.hint { "By " (r.owner_name) " · " (if r.spec.is_empty() { "any spec" } else { &r.spec }) " · "
                (if r.public { "public" } else { "private" }) " · version " (shown) " of " (latest) }
            @if let Some((message, _)) = &error { p.error #form-error role="alert" { (message) } }
            p { a href={ "/simulate?rotation=" (r.id) } { "Simulate with it" } }
            @if mine {
                form #rotation-form method="post" action={ "/rotations/" (r.id) } {
                    (csrf_field(viewer))
                    .editor {
                        pre.gutter #gutter aria-hidden="true" {}
                        textarea #script name="script" spellcheck="false" rows="18" aria-label="Rotation script (Rhai)" { (script) }
                    }
                    .actions { button.primary type="submit" { "Save as a new version" } }
                }
                form.inline method="post" action={ "/rotations/" (r.id) "/visibility" } {
                    (csrf_field(viewer))
                    input type="hidden" name="public" value=(if r.public { "false" } else { "true" });
                    button #visibility type="submit" { (if r.public { "Make private" } else { "Make public" }) }
                }
            } @else {
                .editor {
                    pre.gutter #gutter aria-hidden="true" {}
                    textarea #script readonly spellcheck="false" rows="18" aria-label="Rotation script (Rhai)" { (script) }
                }
                form.inline method="post" action={ "/rotations/" (r.id) "/copy" } {
                    (csrf_field(viewer))
                    button #copy type="submit" { "Copy to my rotations" }
                }
            }
            h2 { "Versions" }
            ol.versions {
                @for (v, checksum, created) in &r.versions {
                    li { a href={ "/rotations/" (r.id) "?version=" (v) } { "version " (v) } " · " code { (&checksum[..12.min(checksum.len())]) } " · " (super::account::day(*created)) }
                }
            }
        },
    ))
}

/// A script as posted, with `\n` line ends.
#[derive(Debug, Deserialize)]
pub struct ScriptForm {
    script: String,
}

fn unix_lines(script: &str) -> String {
    script.replace("\r\n", "\n").replace('\r', "\n")
}

/// `POST /rotations/{id}`: a new version.
pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<RotationId>,
    posted: Posted<ScriptForm>,
) -> Result<Response, PageError> {
    let Posted { viewer, form } = posted;
    let script = unix_lines(&form.script);
    match rotations::update(&state.store, id, viewer.user.id, Some(&script), None).await {
        Ok(_) => Ok(Redirect::to(&format!("/rotations/{id}")).into_response()),
        Err(e @ RotationError::Script(_)) => {
            let rotation = rotations::owned(&state.store, id, viewer.user.id)
                .await
                .map_err(page_error)?;
            let error = Some((form_message(&e), script));
            Ok(render(&state, &viewer, &rotation, None, error)
                .await?
                .into_response())
        }
        Err(e) => Err(page_error(e)),
    }
}

/// The visibility form.
#[derive(Debug, Deserialize)]
pub struct VisibilityForm {
    public: bool,
}

/// `POST /rotations/{id}/visibility`.
pub async fn visibility(
    State(state): State<AppState>,
    Path(id): Path<RotationId>,
    posted: Posted<VisibilityForm>,
) -> Result<Redirect, PageError> {
    let user = posted.viewer.user.id;
    rotations::update(&state.store, id, user, None, Some(posted.form.public))
        .await
        .map_err(page_error)?;
    Ok(Redirect::to(&format!("/rotations/{id}")))
}

/// `POST /rotations/{id}/copy`: a private copy of the latest version.
pub async fn copy(
    State(state): State<AppState>,
    Path(id): Path<RotationId>,
    posted: Posted<serde::de::IgnoredAny>,
) -> Result<Redirect, PageError> {
    let copy = rotations::copy(&state.store, id, posted.viewer.user.id)
        .await
        .map_err(page_error)?;
    Ok(Redirect::to(&format!("/rotations/{copy}")))
}

/// `GET /rotations/new`.
pub async fn new_page(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, PageError> {
    Ok(new_form(&state, &viewer, &NewForm::default(), None))
}

/// The new-rotation form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    name: String,
    spec: String,
    script: String,
    public: Option<String>,
}

fn new_form(state: &AppState, viewer: &Viewer, form: &NewForm, error: Option<&str>) -> Markup {
    let script = if form.script.is_empty() {
        state
            .packs
            .first()
            .map(|p| p.starter_rotation.clone())
            .unwrap_or_default()
    } else {
        form.script.clone()
    };
    layout::page(
        "New rotation",
        Some(viewer),
        html! {
            h1 { "New rotation" }
            @if let Some(e) = error { p.error #form-error role="alert" { (e) } }
            form #rotation-form method="post" action="/rotations" {
                (csrf_field(viewer))
                .grid {
                    label { "Name" input name="name" value=(form.name) required maxlength=(MAX_NAME); }
                    label { "Spec"
                        select name="spec" {
                            @for p in state.packs.iter() {
                                option value=(p.spec.name) selected[form.spec == p.spec.name] { (p.spec.name) }
                            }
                        }
                    }
                    label.check { input type="checkbox" name="public" value="true" checked[form.public.is_some()]; "Public" }
                }
                .editor {
                    pre.gutter #gutter aria-hidden="true" {}
                    textarea #script name="script" spellcheck="false" rows="18" aria-label="Rotation script (Rhai)" { (script) }
                }
                .actions { button.primary type="submit" { "Create" } }
            }
        },
    )
}

/// `POST /rotations`.
pub async fn create(
    State(state): State<AppState>,
    posted: Posted<NewForm>,
) -> Result<Response, PageError> {
    let Posted { viewer, mut form } = posted;
    form.script = unix_lines(&form.script);
    let draft = Draft {
        name: &form.name,
        spec: &form.spec,
        public: form.public.is_some(),
        script: &form.script,
    };
    match rotations::create(&state.store, viewer.user.id, draft).await {
        Ok(id) => Ok(Redirect::to(&format!("/rotations/{id}")).into_response()),
        Err(e @ (RotationError::Name | RotationError::Script(_))) => {
            Ok(new_form(&state, &viewer, &form, Some(&form_message(&e))).into_response())
        }
        Err(e) => Err(page_error(e)),
    }
}
