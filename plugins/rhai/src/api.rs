//! The script API and the rotation built on it.

use std::cell::RefCell;
use std::rc::Rc;

use rhai::{AST, Dynamic, Engine, EvalAltResult, ImmutableString, Position, Scope};
use thiserror::Error;
use wowlab_engine::snapshot::{self, Answer, Query, Reads};
use wowlab_engine::{Action, Rotation};

use crate::Limits;

/// Why a script cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RotationError {
    /// The script does not compile; `line`/`column` are 1-based.
    #[error("{line}:{column}: {message}")]
    Syntax {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The script or the spec pack is not acceptable as a whole.
    #[error("{0}")]
    Invalid(String),
}

/// A spell and/or aura name as the script sees it.
#[derive(Debug, Clone)]
struct Handle {
    name: ImmutableString,
    spell: Option<usize>,
    aura: Option<usize>,
}

/// The value a script returns to act.
#[derive(Debug, Clone, Copy)]
struct Decision(Action);

pub(crate) type Shared = Rc<RefCell<Vec<f64>>>;
type FnResult<T> = Result<T, Box<EvalAltResult>>;

fn spell_of(h: &Handle) -> FnResult<usize> {
    h.spell
        .ok_or_else(|| format!("`{}` is an aura, not a spell", h.name).into())
}

fn aura_of(h: &Handle) -> FnResult<usize> {
    h.aura
        .ok_or_else(|| format!("`{}` is a spell, not an aura", h.name).into())
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A compiled Rhai rotation for one spec pack.
pub struct RhaiRotation {
    engine: Engine,
    ast: AST,
    scope: Scope<'static>,
    /// Scope length with only the name constants: rewound to after every
    /// decision, so nothing a script defines survives into the next one
    /// (a decision depends on the state alone, which keeps iterations
    /// independent of how a job is chunked).
    names: usize,
    state: Shared,
}

impl RhaiRotation {
    /// Compiles `script` for a spec with these spell and aura names.
    pub fn new(
        spells: &[String],
        auras: &[String],
        script: &str,
        limits: Limits,
    ) -> Result<Self, RotationError> {
        if script.len() > limits.max_script_bytes {
            return Err(RotationError::Invalid(format!(
                "the script is {} bytes; the limit is {}",
                script.len(),
                limits.max_script_bytes
            )));
        }
        let state: Shared = Rc::new(RefCell::new(vec![
            0.0;
            snapshot::len(spells.len(), auras.len())
        ]));
        let engine = build_engine(&state, spells.len(), limits);
        let scope = name_scope(spells, auras)?;
        let ast = engine
            .compile_with_scope(&scope, script)
            .map_err(|e| syntax_error(&e))?;
        Ok(Self {
            engine,
            ast,
            names: scope.len(),
            scope,
            state,
        })
    }
}

impl Rotation for RhaiRotation {
    fn decide(&mut self, state: &[f64]) -> Result<Action, String> {
        {
            let mut shared = self.state.borrow_mut();
            if shared.len() != state.len() {
                return Err(format!(
                    "state has {} values; this spec needs {}",
                    state.len(),
                    shared.len()
                ));
            }
            shared.copy_from_slice(state);
        }
        let value = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut self.scope, &self.ast);
        self.scope.rewind(self.names);
        let value = value.map_err(|e| runtime_error(&e))?;
        if value.is_unit() {
            return Ok(Action::Wait(0));
        }
        match value.try_cast::<Decision>() {
            Some(Decision(action)) => Ok(action),
            None => Err("the script must end with cast(spell), wait(ms) or wait()".into()),
        }
    }
}

/// A compile error as the author should see it.
pub(crate) fn syntax_error(e: &rhai::ParseError) -> RotationError {
    let pos = e.position();
    let message = match e.err_type() {
        rhai::ParseErrorType::VariableUndefined(name) => {
            format!("unknown name `{name}`: not a spell or aura of this spec, nor a variable")
        }
        other => other.to_string(),
    };
    RotationError::Syntax {
        line: pos.line().unwrap_or(0),
        column: pos.position().unwrap_or(0),
        message,
    }
}

fn runtime_error(e: &EvalAltResult) -> String {
    let pos = e.position();
    let mut message = e.to_string();
    // Rhai appends " (line l, position c)"; state it once, up front, as l:c.
    if let Some(cut) = message.rfind(" (line ") {
        message.truncate(cut);
    }
    if pos == Position::NONE {
        message
    } else {
        format!(
            "{}:{}: {message}",
            pos.line().unwrap_or(0),
            pos.position().unwrap_or(0)
        )
    }
}

pub(crate) fn name_scope(
    spells: &[String],
    auras: &[String],
) -> Result<Scope<'static>, RotationError> {
    let mut handles: Vec<Handle> = Vec::new();
    for (i, name) in spells.iter().enumerate() {
        handles.push(Handle {
            name: name.as_str().into(),
            spell: Some(i),
            aura: None,
        });
    }
    for (i, name) in auras.iter().enumerate() {
        match handles.iter_mut().find(|h| h.name.as_str() == name) {
            Some(h) => h.aura = Some(i),
            None => handles.push(Handle {
                name: name.as_str().into(),
                spell: None,
                aura: Some(i),
            }),
        }
    }
    let mut scope = Scope::new();
    for h in handles {
        if !is_identifier(&h.name) {
            return Err(RotationError::Invalid(format!(
                "the spec name `{}` cannot be used in a script: use letters, digits and _",
                h.name
            )));
        }
        scope.push_constant(h.name.to_string(), h);
    }
    Ok(scope)
}

pub(crate) fn build_engine(state: &Shared, spells: usize, limits: Limits) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_strict_variables(true)
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth)
        .set_max_string_size(limits.max_string_len)
        .set_max_array_size(limits.max_collection_len)
        .set_max_map_size(limits.max_collection_len)
        .on_print(|_| {})
        .on_debug(|_, _, _| {});
    engine.disable_symbol("eval");
    engine.register_type_with_name::<Handle>("Name");
    engine.register_type_with_name::<Decision>("Action");

    engine.register_fn("cast", |h: &mut Handle| -> FnResult<Decision> {
        Ok(Decision(Action::Cast(spell_of(h)? as u32)))
    });
    engine.register_fn("wait", || Decision(Action::Wait(0)));
    engine.register_fn("wait", |ms: i64| -> FnResult<Decision> {
        u32::try_from(ms)
            .map(|ms| Decision(Action::Wait(ms)))
            .map_err(|_| {
                format!(
                    "wait({ms}): milliseconds must be between 0 and {}",
                    u32::MAX
                )
                .into()
            })
    });

    for query in snapshot::QUERIES {
        register_query(&mut engine, query, state.clone(), spells);
    }
    engine
}

/// Registers `query` (from the engine's table) as a script function.
fn register_query(engine: &mut Engine, query: &'static Query, state: Shared, spells: usize) {
    let subject = move |h: &Handle| match query.reads {
        Reads::Spell(_) => spell_of(h),
        _ => aura_of(h),
    };
    let read = move |state: &Shared, subject: Option<usize>| {
        snapshot::read(query, &state.borrow(), spells, subject)
            .ok_or_else(|| format!("`{}`: no such spell or aura", query.name).into())
    };
    match (query.reads.takes_name(), query.answer) {
        (false, Answer::Number) => {
            engine.register_fn(query.name, move || -> FnResult<f64> { read(&state, None) });
        }
        (false, Answer::Positive) => {
            engine.register_fn(query.name, move || -> FnResult<bool> {
                Ok(read(&state, None)? > 0.0)
            });
        }
        (true, Answer::Number) => {
            engine.register_fn(query.name, move |h: &mut Handle| -> FnResult<f64> {
                read(&state, Some(subject(h)?))
            });
        }
        (true, Answer::Positive) => {
            engine.register_fn(query.name, move |h: &mut Handle| -> FnResult<bool> {
                Ok(read(&state, Some(subject(h)?))? > 0.0)
            });
        }
    }
}
