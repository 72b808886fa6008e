//! The script API: names, actions, errors with line:column.

use wowlab_engine::{Action, Rotation, snapshot};
use wowlab_rhai::{Limits, RhaiRotation, RotationError};

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn rotation(script: &str) -> Result<RhaiRotation, RotationError> {
    RhaiRotation::new(
        &names(&["fireball", "frenzy"]),
        &names(&["frenzy", "burning"]),
        script,
        Limits::default(),
    )
}

fn state() -> Vec<f64> {
    vec![0.0; snapshot::len(2, 2)]
}

#[test]
fn casts_the_first_ready_spell_in_priority_order() {
    let mut r = rotation("if ready(frenzy) { cast(frenzy) } else if ready(fireball) { cast(fireball) } else { wait(250) }").unwrap();
    let mut s = state();
    assert_eq!(r.decide(&s), Ok(Action::Wait(250)));
    s[snapshot::spell(0, snapshot::SPELL_CASTABLE)] = 1.0;
    assert_eq!(r.decide(&s), Ok(Action::Cast(0)));
    s[snapshot::spell(1, snapshot::SPELL_CASTABLE)] = 1.0;
    assert_eq!(r.decide(&s), Ok(Action::Cast(1)));
}

#[test]
fn a_name_that_is_spell_and_aura_reads_both() {
    let mut r = rotation("if aura_stacks(frenzy) >= 2.0 && charges(frenzy) > 0.0 { cast(frenzy) }")
        .unwrap();
    let mut s = state();
    s[snapshot::aura(2, 0, snapshot::AURA_STACKS)] = 2.0;
    assert_eq!(r.decide(&s), Ok(Action::Wait(0)), "no charge yet");
    s[snapshot::spell(1, snapshot::SPELL_CHARGES)] = 1.0;
    assert_eq!(r.decide(&s), Ok(Action::Cast(1)));
}

#[test]
fn syntax_error_reports_line_and_column() {
    let err = rotation("let x = 1;\nlet y = * 2;").err().unwrap();
    match err {
        RotationError::Syntax { line, column, .. } => assert_eq!((line, column), (2, 9)),
        other => panic!("expected a syntax error, got {other}"),
    }
}

#[test]
fn unknown_spell_name_is_an_error_naming_it() {
    let err = rotation("\n  cast(firebal)").err().unwrap();
    let text = err.to_string();
    assert!(text.starts_with("2:8:"), "{text}");
    assert!(text.contains("`firebal`"), "{text}");
}

#[test]
fn casting_an_aura_is_a_runtime_error_naming_it() {
    let mut r = rotation("cast(burning)").unwrap();
    let err = r.decide(&state()).unwrap_err();
    assert!(err.contains("`burning` is an aura, not a spell"), "{err}");
    assert!(err.starts_with("1:1:"), "{err}");
}

#[test]
fn a_script_that_never_ends_is_stopped_by_the_operation_limit() {
    let mut r = rotation("loop { }").unwrap();
    let err = r.decide(&state()).unwrap_err();
    assert!(err.to_lowercase().contains("too many operations"), "{err}");
}

#[test]
fn a_script_returning_a_number_is_an_error() {
    let mut r = rotation("42").unwrap();
    let err = r.decide(&state()).unwrap_err();
    assert!(err.contains("must end with cast"), "{err}");
}

#[test]
fn oversized_script_is_refused() {
    let big = "// x\n".repeat(20_000);
    assert!(matches!(rotation(&big), Err(RotationError::Invalid(_))));
}

#[test]
fn nothing_a_script_defines_survives_into_the_next_decision() {
    let script = "let first = !is_def_var(\"seen\");\nlet seen = true;\nif first { cast(fireball) } else { cast(frenzy) }";
    let mut r = rotation(script).unwrap();
    assert_eq!(r.decide(&state()), Ok(Action::Cast(0)));
    assert_eq!(
        r.decide(&state()),
        Ok(Action::Cast(0)),
        "`seen` must not survive the decision"
    );
}

#[test]
fn check_lists_the_spells_and_auras_a_script_names() {
    let usage = wowlab_rhai::check(
        &names(&["fireball", "frenzy", "unused"]),
        &names(&["frenzy", "burning"]),
        "if aura_up(burning) && ready(frenzy) { cast(fireball) } else { wait() }",
        Limits::default(),
    )
    .unwrap();
    assert_eq!(usage.spells, names(&["fireball", "frenzy"]));
    assert_eq!(
        usage.auras,
        names(&["burning"]),
        "frenzy is used as a spell only"
    );
}

#[test]
fn check_reports_compile_errors_with_position() {
    let err = wowlab_rhai::check(&names(&["a"]), &[], "cast(b)", Limits::default()).unwrap_err();
    assert!(err.to_string().starts_with("1:6:"), "{err}");
}
