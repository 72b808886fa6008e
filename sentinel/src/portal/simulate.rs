//! The simulate page: pick a spec pack, edit the character (or paste a
//! SimulationCraft profile) and the fight, write or pick a rotation, test
//! it on the sentinel, submit it as a job.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use wowlab_engine::SimConfig;
use wowlab_engine::config::{ExternalAura, Fight, RotationRef};
use wowlab_engine::options::Chosen;
use wowlab_engine::spec::{DamageTaken, Stats};
use wowlab_protocol::address::Canonical;
use wowlab_protocol::api::{Access, CreateJob};

use super::error::PageError;
use super::layout::{self, csrf_field};
use super::session::{Posted, Viewer};
use crate::app::AppState;
use crate::packs::Pack;
use crate::quick_sim::{TestOutcome, TestRun};
use crate::store::{JobId, RotationId};

/// Rotations offered in the picker.
const ROTATIONS_OFFERED: i64 = 50;
/// Iterations a new simulation starts with.
const DEFAULT_ITERATIONS: u64 = 10_000;

/// The simulate form, as posted (every field text, checked by [`SimForm::check`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SimForm {
    pack: String,
    attack_power: String,
    crit_rating: String,
    haste_rating: String,
    mastery_rating: String,
    versatility_rating: String,
    duration_s: String,
    targets: String,
    iterations: String,
    target_error: String,
    rotation: String,
    rotation_name: String,
    script: String,
    access: String,
    access_users: String,
    access_group: String,
    simc: String,
}

/// A checked simulate form.
struct SimInput<'a> {
    pack: &'a Pack,
    player: Stats,
    /// The options a pasted profile's talents switch on.
    options: Chosen,
    /// What a pasted profile says that is not simulated.
    ignored: Vec<String>,
    /// The raid's debuffs on the targets (with a pasted profile).
    damage_taken: Vec<DamageTaken>,
    /// The raid's auras at set times (with a pasted profile).
    external_auras: Vec<ExternalAura>,
    /// The fight length's variation: SimulationCraft's with a pasted profile.
    vary_length: f64,
    duration_s: f64,
    targets: u32,
    iterations: u64,
    target_error: Option<f64>,
    access: Access,
}

/// A problem with the form: which field, and what is wrong.
struct FieldError {
    field: &'static str,
    message: String,
}

fn number(
    field: &'static str,
    label: &str,
    text: &str,
    min: f64,
    max: f64,
) -> Result<f64, FieldError> {
    let value: f64 = text.trim().parse().map_err(|_| FieldError {
        field,
        message: format!("{label} must be a number (got `{}`)", text.trim()),
    })?;
    if !(min..=max).contains(&value) {
        return Err(FieldError {
            field,
            message: format!("{label} must be between {min} and {max} (got {value})"),
        });
    }
    Ok(value)
}

impl SimForm {
    /// The form a new simulation of `pack` starts from.
    fn starting(pack: &Pack) -> Self {
        let p = &pack.spec.player;
        Self {
            pack: pack.slug.clone(),
            attack_power: p.attack_power.to_string(),
            crit_rating: p.crit_rating.to_string(),
            haste_rating: p.haste_rating.to_string(),
            mastery_rating: p.mastery_rating.to_string(),
            versatility_rating: p.versatility_rating.to_string(),
            duration_s: "300".into(),
            targets: "1".into(),
            iterations: DEFAULT_ITERATIONS.to_string(),
            rotation: "new".into(),
            rotation_name: format!("My {} rotation", pack.spec.name),
            script: pack.starter_rotation.clone(),
            access: "private".into(),
            ..Self::default()
        }
    }

    /// The form with the script's line ends made `\n` (browsers send a
    /// textarea's as `\r\n`), so the same script always has the same checksum.
    fn normalised(mut self) -> Self {
        if self.script.contains('\r') {
            self.script = self.script.replace("\r\n", "\n").replace('\r', "\n");
        }
        self
    }

    fn check<'a>(&self, state: &'a AppState) -> Result<SimInput<'a>, FieldError> {
        let pack = crate::packs::find(&state.packs, &self.pack).ok_or_else(|| FieldError {
            field: "pack",
            message: format!("unknown spec pack `{}`", self.pack),
        })?;
        let rating = |field, label, text: &str| number(field, label, text, 0.0, 1e6);
        let player = Stats {
            attack_power: rating("attack_power", "Attack power", &self.attack_power)?,
            crit_rating: rating("crit_rating", "Crit rating", &self.crit_rating)?,
            haste_rating: rating("haste_rating", "Haste rating", &self.haste_rating)?,
            mastery_rating: rating("mastery_rating", "Mastery rating", &self.mastery_rating)?,
            versatility_rating: rating(
                "versatility_rating",
                "Versatility rating",
                &self.versatility_rating,
            )?,
            ..pack.spec.player.clone()
        };
        let setup = match self.simc.trim() {
            "" => None,
            text => Some(profile_character(text, pack)?),
        };
        let duration_s = number("duration_s", "Fight length", &self.duration_s, 1.0, 3600.0)?;
        let targets = number("targets", "Targets", &self.targets, 1.0, 20.0)? as u32;
        let iterations = number(
            "iterations",
            "Iterations",
            &self.iterations,
            1.0,
            state.max_iterations as f64,
        )? as u64;
        let target_error = match self.target_error.trim() {
            "" => None,
            text => Some(number("target_error", "Target error", text, 0.001, 100.0)?),
        };
        let names = |text: &str| -> Vec<String> {
            text.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let access = match self.access.as_str() {
            "" | "private" => Access::Private,
            "public" => Access::Public,
            "users" => Access::Users(names(&self.access_users)),
            "group" => Access::Group(self.access_group.trim().to_string()),
            other => {
                return Err(FieldError {
                    field: "access",
                    message: format!("unknown access `{other}`"),
                });
            }
        };
        let vary_length = if setup.is_some() {
            wowlab_simc::VARY_COMBAT_LENGTH
        } else {
            0.0
        };
        let (player, options, ignored, damage_taken, external_auras) = match setup {
            None => (player, Chosen::new(), Vec::new(), Vec::new(), Vec::new()),
            Some(s) => (
                s.player,
                s.options,
                s.ignored.iter().map(ToString::to_string).collect(),
                s.damage_taken,
                s.external_auras,
            ),
        };
        Ok(SimInput {
            pack,
            player,
            options,
            ignored,
            damage_taken,
            external_auras,
            vary_length,
            duration_s,
            targets,
            iterations,
            target_error,
            access,
        })
    }
}

/// The character of a pasted SimulationCraft profile for `pack`: its
/// stats, the options its talents switch on, the raid's buffs, and what it
/// says that is not simulated. A malformed profile or one of another spec
/// is an error on the `simc` field naming the line.
fn profile_character(text: &str, pack: &Pack) -> Result<wowlab_simc::Setup, FieldError> {
    let wrong = |message: String| FieldError {
        field: "simc",
        message: format!("The SimulationCraft profile: {message}"),
    };
    let character = wowlab_simc::read_character(text).map_err(|e| wrong(e.to_string()))?;
    let sheet = wowlab_simc::sheet(&character).map_err(|e| wrong(e.to_string()))?;
    wowlab_simc::setup(&character, &sheet, &pack.spec).map_err(|e| wrong(e.to_string()))
}

/// Which pack and rotation to start from.
#[derive(Debug, Default, Deserialize)]
pub struct PackChoice {
    pack: Option<String>,
    rotation: Option<RotationId>,
}

/// `GET /simulate`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(choice): Query<PackChoice>,
) -> Result<Response, PageError> {
    let rotation = match choice.rotation {
        Some(id) => Some(
            crate::rotations::visible(&state.store, id, viewer.user.id)
                .await
                .map_err(|e| match e {
                    crate::rotations::RotationError::Store(e) => e.into(),
                    _ => PageError::not_found(format!("You can see no rotation {id}.")),
                })?,
        ),
        None => None,
    };
    // A rotation's own spec pack, unless another is asked for.
    let pack = choice
        .pack
        .as_deref()
        .and_then(|slug| crate::packs::find(&state.packs, slug))
        .or_else(|| {
            let spec = &rotation.as_ref()?.spec;
            state.packs.iter().find(|p| &p.spec.name == spec)
        })
        .or(state.packs.first())
        .ok_or_else(|| PageError::not_found("this sentinel offers no spec packs"))?;
    let mut form = SimForm::starting(pack);
    if let Some(rotation) = rotation {
        form.rotation = rotation.id.to_string();
        form.rotation_name = rotation.name;
        form.script = rotation.script;
    }
    Ok(render(&state, &viewer, &form, None).await?.into_response())
}

/// A rotation in the picker.
#[derive(serde::Serialize)]
struct Offered {
    id: RotationId,
    label: String,
    name: String,
    script: String,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    form: &SimForm,
    error: Option<&FieldError>,
) -> Result<Markup, PageError> {
    let mut offered = Vec::new();
    let mut ids = state
        .store
        .rotations_visible_to(viewer.user.id, ROTATIONS_OFFERED)
        .await?;
    if let Ok(picked) = form.rotation.parse::<RotationId>()
        && !ids.contains(&picked)
    {
        ids.insert(0, picked);
    }
    for id in ids {
        if let Some(r) = state.store.rotation(id).await?
            && crate::rotations::may_see(&r, viewer.user.id)
        {
            let mine = r.owner == viewer.user.id;
            offered.push(Offered {
                id: r.id,
                label: if mine {
                    format!("{} (v{})", r.name, r.versions.len())
                } else {
                    format!("{} by {} (v{})", r.name, r.owner_name, r.versions.len())
                },
                name: r.name,
                script: r.script,
            });
        }
    }
    let rotations_json = serde_json::to_string(&offered).expect("rotations serialise");
    let invalid = |field: &str| error.is_some_and(|e| e.field == field);
    let stat = |name: &'static str, label: &str, value: &str| {
        html! {
            label { (label)
                input name=(name) value=(value) inputmode="decimal" required aria-invalid=[invalid(name).then_some("true")];
            }
        }
    };
    Ok(layout::page(
        "Simulate",
        Some(viewer),
        html! {
            h1 { "Simulate" }
            @if let Some(e) = error { p.error #form-error role="alert" { (e.message) } }
            form #sim-form.sim method="post" action="/simulate" {
                (csrf_field(viewer))
                fieldset {
                    legend { "Character" }
                    label { "Spec pack"
                        select name="pack" {
                            @for p in state.packs.iter() {
                                option value=(p.slug) selected[p.slug == form.pack] { (p.spec.name) }
                            }
                        }
                    }
                    label { "SimulationCraft profile (optional: paste the addon's export; its gear and level give the stats, its talents the pack's options, and the job page lists what is not simulated)"
                        textarea #simc name="simc" rows="6" spellcheck="false" placeholder="hunter=\"Name\"\nspec=beast_mastery\n…" aria-invalid=[invalid("simc").then_some("true")] { (form.simc) }
                    }
                    .grid {
                        (stat("attack_power", "Attack power", &form.attack_power))
                        (stat("crit_rating", "Crit rating", &form.crit_rating))
                        (stat("haste_rating", "Haste rating", &form.haste_rating))
                        (stat("mastery_rating", "Mastery rating", &form.mastery_rating))
                        (stat("versatility_rating", "Versatility rating", &form.versatility_rating))
                    }
                }
                fieldset {
                    legend { "Fight" }
                    .grid {
                        (stat("duration_s", "Fight length (s)", &form.duration_s))
                        (stat("targets", "Targets", &form.targets))
                        (stat("iterations", "Iterations (at most, with a target error)", &form.iterations))
                        label { "Target error (% of the mean, optional)"
                            input name="target_error" value=(form.target_error) inputmode="decimal" placeholder="e.g. 0.2" aria-invalid=[invalid("target_error").then_some("true")];
                        }
                    }
                }
                fieldset {
                    legend { "Rotation" }
                    .grid {
                        label { "Start from"
                            select #rotation-pick name="rotation" {
                                option value="new" selected[form.rotation == "new"] { "New rotation" }
                                @for r in &offered {
                                    option value=(r.id) selected[form.rotation == r.id.to_string()] { (r.label) }
                                }
                            }
                        }
                        label { "Save as"
                            input #rotation-name name="rotation_name" value=(form.rotation_name) maxlength="100";
                        }
                    }
                    script #rotations type="application/json" { (maud::PreEscaped(rotations_json.replace("</", "<\\/"))) }
                    .editor {
                        pre.gutter #gutter aria-hidden="true" {}
                        textarea #script name="script" spellcheck="false" rows="18" aria-label="Rotation script (Rhai)" aria-invalid=[invalid("script").then_some("true")] { (form.script) }
                    }
                    .actions {
                        button #test-button type="button" { "Test" }
                        output #test-result role="status" aria-live="polite" {}
                    }
                }
                fieldset {
                    legend { "Who may see the job" }
                    .grid {
                        label { "Access"
                            select #access name="access" {
                                @for (value, label) in [("private", "Only me"), ("public", "Everyone (public link)"), ("users", "These users"), ("group", "A group")] {
                                    option value=(value) selected[form.access == value] { (label) }
                                }
                            }
                        }
                        label.access-users { "Users (comma-separated)" input name="access_users" value=(form.access_users); }
                        label.access-group { "Group" input name="access_group" value=(form.access_group); }
                    }
                }
                button.primary type="submit" { "Submit job" }
            }
        },
    ))
}

/// `POST /simulate/test`: a quick run on the sentinel; JSON [`TestOutcome`].
pub async fn test(State(state): State<AppState>, posted: Posted<SimForm>) -> Json<TestOutcome> {
    let form = posted.form.normalised();
    let input = match form.check(&state) {
        Ok(input) => input,
        Err(e) => {
            return Json(TestOutcome::Error {
                message: e.message,
                line: None,
                column: None,
            });
        }
    };
    let mut spec = match wowlab_engine::options::resolve(&input.pack.spec, &input.options) {
        Ok(spec) => spec,
        Err(e) => {
            return Json(TestOutcome::Error {
                message: e.to_string(),
                line: None,
                column: None,
            });
        }
    };
    spec.player = input.player;
    spec.target.damage_taken.extend(input.damage_taken);
    Json(
        state
            .quick_sim
            .run(TestRun {
                spec,
                script: form.script,
                duration_s: input.duration_s,
                targets: input.targets,
                external_auras: input.external_auras,
            })
            .await,
    )
}

/// `POST /simulate`: saves the rotation, stores the config, creates the job.
pub async fn submit(
    State(state): State<AppState>,
    posted: Posted<SimForm>,
) -> Result<Response, PageError> {
    let Posted { viewer, form } = posted;
    let form = form.normalised();
    let outcome = create(&state, &viewer, &form).await;
    match outcome {
        Ok(job) => Ok(Redirect::to(&format!("/jobs/{job}")).into_response()),
        Err(e) => Ok(render(&state, &viewer, &form, Some(&e))
            .await?
            .into_response()),
    }
}

async fn create(state: &AppState, viewer: &Viewer, form: &SimForm) -> Result<JobId, FieldError> {
    let input = form.check(state)?;
    let (spells, auras) = wowlab_runtime::simulate::names(&input.pack.spec);
    wowlab_rhai::check(&spells, &auras, &form.script, Default::default()).map_err(|e| {
        FieldError {
            field: "script",
            message: format!("The rotation has an error: {e}"),
        }
    })?;
    let internal = |e: crate::store::StoreError| {
        tracing::error!("store: {e}");
        FieldError {
            field: "",
            message: "The sentinel could not save this; please try again.".into(),
        }
    };
    let checksum = wowlab_protocol::address::hash_of(form.script.as_bytes());
    let simulated = crate::rotations::Simulated {
        started_from: form.rotation.parse().ok(),
        name: &form.rotation_name,
        spec: &input.pack.spec.name,
        script: &form.script,
        checksum: &checksum,
    };
    crate::rotations::keep(&state.store, viewer.user.id, simulated)
        .await
        .map_err(internal)?;
    let mut config = SimConfig::for_spec(
        input.pack.spec.clone(),
        Fight {
            duration_ms: (input.duration_s * 1000.0).round() as u32,
            vary_length: input.vary_length,
            targets: input.targets,
            external_auras: input.external_auras,
        },
    );
    config.target.damage_taken.extend(input.damage_taken);
    config.player = input.player;
    config.options = input.options;
    config.ignored = input.ignored;
    config.engine = wowlab_protocol::address::hash_of(wowlab_artifacts::ENGINE);
    config.rotation = RotationRef {
        backend: "rhai".into(),
        module: wowlab_protocol::address::hash_of(wowlab_artifacts::RHAI),
        script: checksum,
    };
    let Canonical {
        json: canonical,
        hash: config_hash,
    } = Canonical::of(&config);
    state
        .store
        .put_config(
            &config_hash,
            &canonical,
            &[&config.engine, &config.rotation.module],
            viewer.user.id,
        )
        .await
        .map_err(internal)?;
    let created = crate::jobs::submit(
        state,
        &viewer.user,
        &CreateJob {
            config_hash,
            iterations: input.iterations,
            access: input.access,
            seed: None,
            target_error: input.target_error,
        },
    )
    .await
    .map_err(|e| FieldError {
        field: "access",
        message: e.to_string(),
    })?;
    Ok(created.job)
}
