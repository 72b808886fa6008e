//! The jit subset of Rhai: parses a script's AST into a small typed tree,
//! refusing (with line:column) everything outside the subset.

use rhai::{ASTFlags, Expr, FnCallExpr, Position, Stmt};
use wowlab_engine::snapshot::{self, Answer, Query, Reads};
use wowlab_rhai::Limits;

use super::{JitError, TAG_CAST};

/// Static type of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// An f64.
    Num,
    /// A boolean.
    Bool,
    /// An action (or unit, which means `wait()`), encoded as u64.
    Act,
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// An expression of the subset.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// A constant action.
    Act(u64),
    /// The snapshot value at this index.
    Load(usize),
    /// The difference of two snapshot values (a - b).
    Diff(usize, usize),
    /// A `let`-bound local.
    Local(usize, Ty),
    /// Arithmetic on numbers.
    Arith(Arith, Box<Node>, Box<Node>),
    /// Negation of a number.
    Neg(Box<Node>),
    /// Comparison of numbers.
    Cmp(Cmp, Box<Node>, Box<Node>),
    /// Comparison of booleans (`==`, `!=`).
    BoolEq(bool, Box<Node>, Box<Node>),
    /// Boolean not.
    Not(Box<Node>),
    /// Short-circuit and.
    And(Box<Node>, Box<Node>),
    /// Short-circuit or.
    Or(Box<Node>, Box<Node>),
    /// `if` as an expression of type `ty`.
    If(Box<Node>, Block, Block, Ty),
}

/// A statement of the subset.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `let` a new local.
    Let(usize, Node),
    /// An expression; its value is the block's if it is last.
    Value(Node),
    /// `return` from the script with an action.
    Return(Node),
}

/// A block: its steps and the type of its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The steps.
    pub steps: Vec<Step>,
    /// Type of the block's value.
    pub ty: Ty,
}

/// A whole script.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// The top-level block (of type [`Ty::Act`]).
    pub body: Block,
    /// Number of locals.
    pub locals: usize,
}

/// The action `wait()`.
pub const WAIT: u64 = 0;

struct Parser<'a> {
    spells: &'a [String],
    auras: &'a [String],
    scope: Vec<(String, usize, Ty)>,
    locals: usize,
}

fn refuse(pos: Position, message: impl Into<String>) -> JitError {
    JitError::Unsupported {
        line: pos.line().unwrap_or(0),
        column: pos.position().unwrap_or(0),
        message: message.into(),
    }
}

/// Parses `script` into the subset, or says what is outside it and where.
pub fn parse(spells: &[String], auras: &[String], script: &str) -> Result<Program, JitError> {
    let ast = wowlab_rhai::compile_unoptimised(spells, auras, script, Limits::default()).map_err(
        |e| match e {
            wowlab_rhai::RotationError::Syntax {
                line,
                column,
                message,
            } => JitError::Unsupported {
                line,
                column,
                message,
            },
            other => JitError::Unsupported {
                line: 0,
                column: 0,
                message: other.to_string(),
            },
        },
    )?;
    if let Some(f) = ast.iter_functions().next() {
        return Err(JitError::Unsupported {
            line: 0,
            column: 0,
            message: format!(
                "function definitions (`fn {}`) are not in the jit subset",
                f.name
            ),
        });
    }
    let mut p = Parser {
        spells,
        auras,
        scope: Vec::new(),
        locals: 0,
    };
    let body = p.block(ast.statements(), Position::new(1, 1))?;
    if body.ty != Ty::Act {
        return Err(refuse(
            Position::new(1, 1),
            "the script's value must be an action (cast, wait) or nothing",
        ));
    }
    Ok(Program {
        body,
        locals: p.locals,
    })
}

impl Parser<'_> {
    fn block(&mut self, stmts: &[Stmt], pos: Position) -> Result<Block, JitError> {
        let depth = self.scope.len();
        let mut steps = Vec::new();
        let mut ty = Ty::Act; // an empty block is unit: wait()
        for (i, stmt) in stmts.iter().enumerate() {
            let last = i + 1 == stmts.len();
            match stmt {
                Stmt::Noop(..) => {
                    if last {
                        ty = Ty::Act;
                    }
                }
                Stmt::Var(x, flags, pos) => {
                    let (ident, expr, _) = x.as_ref();
                    if flags.intersects(ASTFlags::CONSTANT | ASTFlags::EXPORTED) {
                        return Err(refuse(*pos, "`const` is not in the jit subset; use `let`"));
                    }
                    let name = ident.name.to_string();
                    if self.spells.contains(&name) || self.auras.contains(&name) {
                        return Err(refuse(
                            *pos,
                            format!("`{name}` is a spell or aura name and cannot be rebound"),
                        ));
                    }
                    let (node, t) = self.expr(expr)?;
                    if t == Ty::Act {
                        return Err(refuse(*pos, "a local cannot hold an action"));
                    }
                    let index = self.locals;
                    self.locals += 1;
                    self.scope.push((name, index, t));
                    steps.push(Step::Let(index, node));
                    if last {
                        ty = Ty::Act;
                    }
                }
                Stmt::Return(value, _, pos) => {
                    let node = match value {
                        None => Node::Act(WAIT),
                        Some(e) => {
                            let (node, t) = self.expr(e)?;
                            if t != Ty::Act {
                                return Err(refuse(*pos, "`return` must return an action"));
                            }
                            node
                        }
                    };
                    steps.push(Step::Return(node));
                    // What follows a return never runs; the block diverges.
                    ty = Ty::Act;
                    break;
                }
                Stmt::If(flow, pos) => {
                    let (node, t) = self.if_expr(flow, *pos)?;
                    steps.push(Step::Value(node));
                    if last {
                        ty = t;
                    }
                }
                Stmt::FnCall(call, pos) => {
                    let (node, t) = self.call(call, *pos)?;
                    steps.push(Step::Value(node));
                    if last {
                        ty = t;
                    }
                }
                Stmt::Expr(e) => {
                    let (node, t) = self.expr(e)?;
                    steps.push(Step::Value(node));
                    if last {
                        ty = t;
                    }
                }
                Stmt::Block(b) => {
                    let inner = self.block(b.statements(), b.position())?;
                    let t = inner.ty;
                    steps.push(Step::Value(Node::If(
                        Box::new(Node::Bool(true)),
                        inner,
                        empty(t),
                        t,
                    )));
                    if last {
                        ty = t;
                    }
                }
                other => {
                    return Err(refuse(
                        other.position(),
                        format!("{} is not in the jit subset", describe_stmt(other)),
                    ));
                }
            }
        }
        let _ = pos;
        self.scope.truncate(depth);
        Ok(Block { steps, ty })
    }

    fn if_expr(&mut self, flow: &rhai::FlowControl, pos: Position) -> Result<(Node, Ty), JitError> {
        let (cond, t) = self.expr(&flow.expr)?;
        if t != Ty::Bool {
            return Err(refuse(
                flow.expr.position(),
                "an `if` condition must be a boolean",
            ));
        }
        let then = self.block(flow.body.statements(), flow.body.position())?;
        let otherwise = self.block(flow.branch.statements(), flow.branch.position())?;
        let ty = if flow.branch.statements().is_empty() && then.ty == Ty::Act {
            Ty::Act
        } else if then.ty == otherwise.ty {
            then.ty
        } else {
            return Err(refuse(
                pos,
                "both branches of an `if` must have the same type",
            ));
        };
        Ok((Node::If(Box::new(cond), then, otherwise, ty), ty))
    }

    fn expr(&mut self, e: &Expr) -> Result<(Node, Ty), JitError> {
        let pos = e.position();
        Ok(match e {
            Expr::BoolConstant(b, _) => (Node::Bool(*b), Ty::Bool),
            Expr::FloatConstant(f, _) => (Node::Num(**f), Ty::Num),
            Expr::IntegerConstant(..) => {
                return Err(refuse(
                    pos,
                    "an integer on its own is not in the jit subset; write it as a float (e.g. 2.0)",
                ));
            }
            Expr::Unit(_) => (Node::Act(WAIT), Ty::Act),
            Expr::Variable(v, ..) => {
                let name = v.1.as_str();
                match self.scope.iter().rev().find(|(n, ..)| n == name) {
                    Some((_, index, ty)) => (Node::Local(*index, *ty), *ty),
                    None => {
                        return Err(refuse(
                            pos,
                            format!("`{name}` can only be passed to a state query or action"),
                        ));
                    }
                }
            }
            Expr::And(parts, _) | Expr::Or(parts, _) => {
                let and = matches!(e, Expr::And(..));
                let mut nodes = Vec::new();
                for part in parts.iter() {
                    let (n, t) = self.expr(part)?;
                    if t != Ty::Bool {
                        return Err(refuse(part.position(), "`&&` and `||` take booleans"));
                    }
                    nodes.push(n);
                }
                let mut it = nodes.into_iter();
                let first = it.next().ok_or_else(|| refuse(pos, "empty condition"))?;
                let node = it.fold(first, |acc, n| {
                    if and {
                        Node::And(Box::new(acc), Box::new(n))
                    } else {
                        Node::Or(Box::new(acc), Box::new(n))
                    }
                });
                (node, Ty::Bool)
            }
            Expr::FnCall(call, pos) => self.call(call, *pos)?,
            Expr::Stmt(block) => {
                let inner = self.block(block.statements(), block.position())?;
                let t = inner.ty;
                (Node::If(Box::new(Node::Bool(true)), inner, empty(t), t), t)
            }
            other => {
                return Err(refuse(
                    pos,
                    format!("{} is not in the jit subset", describe_expr(other)),
                ));
            }
        })
    }

    /// An operand of arithmetic or comparison: a number, or an integer
    /// literal next to a number (Rhai converts it to a float there).
    fn operand(&mut self, e: &Expr) -> Result<Option<(Node, Ty)>, JitError> {
        match e {
            Expr::IntegerConstant(i, _) if i.unsigned_abs() <= 1 << 31 => Ok(None),
            _ => self.expr(e).map(Some),
        }
    }

    fn call(&mut self, call: &FnCallExpr, pos: Position) -> Result<(Node, Ty), JitError> {
        let name = call.name.as_str();
        let args = &call.args;
        if let Some(op) = arith(name).filter(|_| args.len() == 2) {
            let (a, b) = (self.operand(&args[0])?, self.operand(&args[1])?);
            let (l, r) = numeric_pair((a, &args[0]), (b, &args[1]), pos, name)?;
            return Ok((Node::Arith(op, Box::new(l), Box::new(r)), Ty::Num));
        }
        if let Some(op) = cmp(name).filter(|_| args.len() == 2) {
            let (a, b) = (self.operand(&args[0])?, self.operand(&args[1])?);
            if let (Some((l, Ty::Bool)), Some((r, Ty::Bool))) = (&a, &b)
                && matches!(op, Cmp::Eq | Cmp::Ne)
            {
                let node = Node::BoolEq(op == Cmp::Eq, Box::new(l.clone()), Box::new(r.clone()));
                return Ok((node, Ty::Bool));
            }
            let (l, r) = numeric_pair((a, &args[0]), (b, &args[1]), pos, name)?;
            return Ok((Node::Cmp(op, Box::new(l), Box::new(r)), Ty::Bool));
        }
        match (name, args.len()) {
            ("-", 1) => {
                let (n, t) = self.expr(&args[0])?;
                if t != Ty::Num {
                    return Err(refuse(pos, "`-` takes a number"));
                }
                Ok((Node::Neg(Box::new(n)), Ty::Num))
            }
            ("!", 1) => {
                let (n, t) = self.expr(&args[0])?;
                if t != Ty::Bool {
                    return Err(refuse(pos, "`!` takes a boolean"));
                }
                Ok((Node::Not(Box::new(n)), Ty::Bool))
            }
            ("wait", 0) => Ok((Node::Act(WAIT), Ty::Act)),
            ("wait", 1) => match &args[0] {
                Expr::IntegerConstant(ms, _) if (0..=u32::MAX as i64).contains(ms) => {
                    Ok((Node::Act(*ms as u64), Ty::Act))
                }
                other => Err(refuse(
                    other.position(),
                    "`wait` takes a constant number of milliseconds",
                )),
            },
            ("cast", 1) => {
                let s = self.spell_arg(&args[0])?;
                Ok((Node::Act(TAG_CAST | s as u64), Ty::Act))
            }
            (name, n) if let Some(query) = snapshot::query(name) => self.query(query, args, pos, n),
            (query, 0) => Err(refuse(
                pos,
                format!("calling `{query}` is not in the jit subset"),
            )),
            _ => Err(refuse(
                pos,
                format!(
                    "calling `{name}` with {} arguments is not in the jit subset",
                    args.len()
                ),
            )),
        }
    }

    /// A state query from the engine's table: a load from the snapshot,
    /// compared with zero when it answers a yes or no.
    fn query(
        &self,
        query: &Query,
        args: &[Expr],
        pos: Position,
        given: usize,
    ) -> Result<(Node, Ty), JitError> {
        if given != usize::from(query.reads.takes_name()) {
            let takes = match query.reads {
                Reads::Spell(_) => "one spell name",
                Reads::Aura(_) => "one aura name",
                _ => "no arguments",
            };
            return Err(refuse(
                pos,
                format!("`{}` takes {takes}, not {given} arguments", query.name),
            ));
        }
        let load = match query.reads {
            Reads::Header(index) => Node::Load(index),
            Reads::Difference(a, b) => Node::Diff(a, b),
            Reads::Spell(field) => Node::Load(snapshot::spell(self.spell_arg(&args[0])?, field)),
            Reads::Aura(field) => {
                let aura = self.aura_arg(&args[0])?;
                Node::Load(snapshot::aura(self.spells.len(), aura, field))
            }
        };
        Ok(match query.answer {
            Answer::Number => (load, Ty::Num),
            Answer::Positive => (
                Node::Cmp(Cmp::Gt, Box::new(load), Box::new(Node::Num(0.0))),
                Ty::Bool,
            ),
        })
    }

    fn handle<'n>(&self, e: &'n Expr) -> Result<&'n str, JitError> {
        match e {
            Expr::Variable(v, ..) if !self.scope.iter().any(|(n, ..)| n == v.1.as_str()) => {
                Ok(v.1.as_str())
            }
            other => Err(refuse(
                other.position(),
                "expected a spell or aura name here",
            )),
        }
    }

    fn spell_arg(&self, e: &Expr) -> Result<usize, JitError> {
        let name = self.handle(e)?;
        self.spells
            .iter()
            .position(|s| s == name)
            .ok_or_else(|| refuse(e.position(), format!("`{name}` is an aura, not a spell")))
    }

    fn aura_arg(&self, e: &Expr) -> Result<usize, JitError> {
        let name = self.handle(e)?;
        self.auras
            .iter()
            .position(|s| s == name)
            .ok_or_else(|| refuse(e.position(), format!("`{name}` is a spell, not an aura")))
    }
}

/// Both operands of a numeric operator as numbers; an integer literal next
/// to a number becomes a float, as Rhai converts it.
fn numeric_pair(
    a: (Option<(Node, Ty)>, &Expr),
    b: (Option<(Node, Ty)>, &Expr),
    pos: Position,
    op: &str,
) -> Result<(Node, Node), JitError> {
    if a.0.is_none() && b.0.is_none() {
        return Err(refuse(
            pos,
            format!("`{op}` on two integers is integer arithmetic, not in the jit subset"),
        ));
    }
    let side = |(n, e): (Option<(Node, Ty)>, &Expr)| -> Result<Node, JitError> {
        match (n, e) {
            (Some((n, Ty::Num)), _) => Ok(n),
            (None, Expr::IntegerConstant(i, _)) => Ok(Node::Num(*i as f64)),
            (_, e) => Err(refuse(e.position(), format!("`{op}` takes numbers"))),
        }
    };
    Ok((side(a)?, side(b)?))
}

fn empty(ty: Ty) -> Block {
    Block {
        steps: vec![Step::Value(match ty {
            Ty::Num => Node::Num(0.0),
            Ty::Bool => Node::Bool(false),
            Ty::Act => Node::Act(WAIT),
        })],
        ty,
    }
}

fn arith(name: &str) -> Option<Arith> {
    Some(match name {
        "+" => Arith::Add,
        "-" => Arith::Sub,
        "*" => Arith::Mul,
        "/" => Arith::Div,
        _ => return None,
    })
}

fn cmp(name: &str) -> Option<Cmp> {
    Some(match name {
        "==" => Cmp::Eq,
        "!=" => Cmp::Ne,
        "<" => Cmp::Lt,
        "<=" => Cmp::Le,
        ">" => Cmp::Gt,
        ">=" => Cmp::Ge,
        _ => return None,
    })
}

fn describe_stmt(s: &Stmt) -> &'static str {
    match s {
        Stmt::While(..) | Stmt::Do(..) | Stmt::For(..) => "a loop",
        Stmt::Switch(..) => "`switch`",
        Stmt::Assignment(..) => "assignment",
        Stmt::TryCatch(..) => "`try`/`catch`",
        Stmt::BreakLoop(..) => "`break`/`continue`",
        _ => "this statement",
    }
}

fn describe_expr(e: &Expr) -> &'static str {
    match e {
        Expr::StringConstant(..) | Expr::InterpolatedString(..) | Expr::CharConstant(..) => {
            "a string"
        }
        Expr::Array(..) => "an array",
        Expr::Map(..) => "an object map",
        Expr::MethodCall(..) | Expr::Dot(..) => "a method call or property",
        Expr::Index(..) => "indexing",
        Expr::Coalesce(..) => "`??`",
        _ => "this expression",
    }
}
