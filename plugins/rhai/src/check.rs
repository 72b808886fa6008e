//! Static checks of a script for `wowlab rotation check`: does it compile for
//! a spec, and which of the spec's spells and auras does it name.

use std::cell::RefCell;
use std::rc::Rc;

use rhai::{ASTNode, Expr, OptimizationLevel};
use wowlab_engine::snapshot;

use crate::api::{build_engine, name_scope, syntax_error};
use crate::{Limits, RotationError};

/// Script functions that take a spell.
const SPELL_FUNCTIONS: &[&str] = &["cast", "ready", "cooldown", "recharge", "charges"];
/// Script functions that take an aura.
const AURA_FUNCTIONS: &[&str] = &["aura_up", "aura_remains", "aura_stacks"];

/// What a script refers to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Usage {
    /// Spell names the script mentions, in spec order.
    pub spells: Vec<String>,
    /// Aura names the script mentions, in spec order.
    pub auras: Vec<String>,
}

/// Compiles `script` for a spec with these names and lists the names it uses.
pub fn check(
    spells: &[String],
    auras: &[String],
    script: &str,
    limits: Limits,
) -> Result<Usage, RotationError> {
    let ast = compile_unoptimised(spells, auras, script, limits)?;
    // A name that is both a spell and an aura counts as what the function
    // it is passed to reads; anywhere else it counts as both.
    let (mut as_spell, mut as_aura) = (Vec::new(), Vec::new());
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::Variable(v, ..))) = path.last() {
            let name = v.1.to_string();
            let caller = match path.len().checked_sub(2).map(|i| &path[i]) {
                Some(ASTNode::Expr(Expr::FnCall(call, ..))) => call.name.as_str(),
                _ => "",
            };
            if !AURA_FUNCTIONS.contains(&caller) {
                as_spell.push(name.clone());
            }
            if !SPELL_FUNCTIONS.contains(&caller) {
                as_aura.push(name);
            }
        }
        true
    });
    let pick = |names: &[String], used: &[String]| {
        names.iter().filter(|n| used.contains(n)).cloned().collect()
    };
    Ok(Usage {
        spells: pick(spells, &as_spell),
        auras: pick(auras, &as_aura),
    })
}

/// Compiles `script` as the interpreter would, but without optimisation, so
/// the AST keeps every name as written (for analysis and the jit).
pub fn compile_unoptimised(
    spells: &[String],
    auras: &[String],
    script: &str,
    limits: Limits,
) -> Result<rhai::AST, RotationError> {
    if script.len() > limits.max_script_bytes {
        return Err(RotationError::Invalid(format!(
            "the script is {} bytes; the limit is {}",
            script.len(),
            limits.max_script_bytes
        )));
    }
    let state = Rc::new(RefCell::new(vec![
        0.0;
        snapshot::len(spells.len(), auras.len())
    ]));
    let mut engine = build_engine(&state, spells.len(), limits);
    engine.set_optimization_level(OptimizationLevel::None);
    let scope = name_scope(spells, auras)?;
    engine
        .compile_with_scope(&scope, script)
        .map_err(|e| syntax_error(&e))
}

/// Checks only the syntax of `script` (for storing a script before it is
/// paired with a spec, whose names it may use).
pub fn check_syntax(script: &str, limits: Limits) -> Result<(), RotationError> {
    if script.len() > limits.max_script_bytes {
        return Err(RotationError::Invalid(format!(
            "the script is {} bytes; the limit is {}",
            script.len(),
            limits.max_script_bytes
        )));
    }
    let mut engine = rhai::Engine::new_raw();
    engine
        .set_optimization_level(OptimizationLevel::None)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth);
    engine
        .compile(script)
        .map(drop)
        .map_err(|e| syntax_error(&e))
}
