//! Lowering the subset to Cranelift IR: `fn(state: *const f64) -> u64`.
//! Numbers are f64, booleans i8 (0/1), actions u64. The only memory access
//! is `load.f64 state+offset` with a constant offset.

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{
    AbiParam, Block as ClifBlock, Function, InstBuilder, MemFlagsData, Type, Value, types,
};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};

use super::JitError;
use super::subset::{Arith, Block, Cmp, Node, Program, Step, Ty};

/// The host's ISA, optimising for speed.
pub fn native_isa() -> Result<OwnedTargetIsa, JitError> {
    let codegen = |e: &dyn std::fmt::Display| JitError::Codegen(e.to_string());
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").map_err(|e| codegen(&e))?;
    flags
        .set("enable_verifier", "true")
        .map_err(|e| codegen(&e))?;
    cranelift_native::builder()
        .map_err(|e| codegen(&e))?
        .finish(settings::Flags::new(flags))
        .map_err(|e| codegen(&e))
}

fn clif(ty: Ty) -> Type {
    match ty {
        Ty::Num => types::F64,
        Ty::Bool => types::I8,
        Ty::Act => types::I64,
    }
}

struct Lowering<'f> {
    b: FunctionBuilder<'f>,
    state: Value,
    locals: Vec<Variable>,
    exit: ClifBlock,
}

/// Writes `program` into `func` (whose signature it sets).
pub fn lower(
    program: &Program,
    func: &mut Function,
    target: TargetFrontendConfig,
) -> Result<(), JitError> {
    func.signature
        .params
        .push(AbiParam::new(target.pointer_type()));
    func.signature.returns.push(AbiParam::new(types::I64));
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(func, &mut ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    let exit = b.create_block();
    b.append_block_param(exit, types::I64);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let state = b.block_params(entry)[0];
    let mut l = Lowering {
        b,
        state,
        locals: Vec::new(),
        exit,
    };
    for _ in 0..program.locals {
        // Locals are declared with their type on first `let`.
        l.locals.push(Variable::from_u32(0));
    }
    if let Some(value) = l.block(&program.body)? {
        l.b.ins().jump(exit, &[value.into()]);
    }
    l.b.switch_to_block(exit);
    l.b.seal_block(exit);
    let result = l.b.block_params(exit)[0];
    l.b.ins().return_(&[result]);
    l.b.seal_all_blocks();
    l.b.finalize(target);
    Ok(())
}

impl Lowering<'_> {
    /// Emits a block; returns its value, or `None` if it returned from the script.
    fn block(&mut self, block: &Block) -> Result<Option<Value>, JitError> {
        let mut last = None;
        for step in &block.steps {
            match step {
                Step::Let(index, node) => {
                    let ty = node_ty(node);
                    let var = self.b.declare_var(clif(ty));
                    self.locals[*index] = var;
                    let v = match self.node(node)? {
                        Some(v) => v,
                        None => return Ok(None),
                    };
                    self.b.def_var(var, v);
                    last = None;
                }
                Step::Value(node) => match self.node(node)? {
                    Some(v) => last = Some(v),
                    None => return Ok(None),
                },
                Step::Return(node) => {
                    if let Some(v) = self.node(node)? {
                        self.b.ins().jump(self.exit, &[v.into()]);
                    }
                    return Ok(None);
                }
            }
        }
        let is_last_value = matches!(block.steps.last(), Some(Step::Value(_)));
        Ok(Some(match last {
            Some(v) if is_last_value => v,
            _ => self.constant(block.ty, 0),
        }))
    }

    fn constant(&mut self, ty: Ty, bits: u64) -> Value {
        match ty {
            Ty::Num => self.b.ins().f64const(f64::from_bits(bits)),
            Ty::Bool => self.b.ins().iconst(types::I8, bits as i64),
            Ty::Act => self.b.ins().iconst(types::I64, bits as i64),
        }
    }

    /// Emits a node; `None` when every path through it returned.
    fn node(&mut self, node: &Node) -> Result<Option<Value>, JitError> {
        let v = match node {
            Node::Num(x) => self.b.ins().f64const(*x),
            Node::Bool(x) => self.b.ins().iconst(types::I8, *x as i64),
            Node::Act(a) => self.b.ins().iconst(types::I64, *a as i64),
            Node::Load(index) => self.load(*index),
            Node::Diff(a, b) => {
                let (a, b) = (self.load(*a), self.load(*b));
                self.b.ins().fsub(a, b)
            }
            Node::Local(index, _) => self.b.use_var(self.locals[*index]),
            Node::Arith(op, l, r) => {
                let (Some(l), Some(r)) = (self.node(l)?, self.node(r)?) else {
                    return Ok(None);
                };
                match op {
                    Arith::Add => self.b.ins().fadd(l, r),
                    Arith::Sub => self.b.ins().fsub(l, r),
                    Arith::Mul => self.b.ins().fmul(l, r),
                    Arith::Div => self.b.ins().fdiv(l, r),
                }
            }
            Node::Neg(x) => {
                let Some(x) = self.node(x)? else {
                    return Ok(None);
                };
                self.b.ins().fneg(x)
            }
            Node::Cmp(op, l, r) => {
                let (Some(l), Some(r)) = (self.node(l)?, self.node(r)?) else {
                    return Ok(None);
                };
                let cc = match op {
                    Cmp::Eq => FloatCC::Equal,
                    Cmp::Ne => FloatCC::NotEqual,
                    Cmp::Lt => FloatCC::LessThan,
                    Cmp::Le => FloatCC::LessThanOrEqual,
                    Cmp::Gt => FloatCC::GreaterThan,
                    Cmp::Ge => FloatCC::GreaterThanOrEqual,
                };
                self.b.ins().fcmp(cc, l, r)
            }
            Node::BoolEq(eq, l, r) => {
                let (Some(l), Some(r)) = (self.node(l)?, self.node(r)?) else {
                    return Ok(None);
                };
                let differ = self.b.ins().bxor(l, r);
                if *eq { self.not(differ) } else { differ }
            }
            Node::Not(x) => {
                let Some(x) = self.node(x)? else {
                    return Ok(None);
                };
                self.not(x)
            }
            Node::And(l, r) => return self.short_circuit(l, r, true),
            Node::Or(l, r) => return self.short_circuit(l, r, false),
            Node::If(cond, then, otherwise, ty) => return self.branch(cond, then, otherwise, *ty),
        };
        Ok(Some(v))
    }

    /// Boolean not of a 0/1 value.
    fn not(&mut self, x: Value) -> Value {
        let one = self.b.ins().iconst(types::I8, 1);
        self.b.ins().bxor(x, one)
    }

    fn load(&mut self, index: usize) -> Value {
        let offset = i32::try_from(index * 8).expect("snapshots are small");
        self.b.ins().load(
            types::F64,
            MemFlagsData::trusted().with_readonly(),
            self.state,
            offset,
        )
    }

    /// `l && r` (and = true) or `l || r`, evaluating `r` only when needed.
    fn short_circuit(&mut self, l: &Node, r: &Node, and: bool) -> Result<Option<Value>, JitError> {
        let Some(lv) = self.node(l)? else {
            return Ok(None);
        };
        let rhs = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, types::I8);
        if and {
            self.b.ins().brif(lv, rhs, &[], done, &[lv.into()]);
        } else {
            self.b.ins().brif(lv, done, &[lv.into()], rhs, &[]);
        }
        self.b.switch_to_block(rhs);
        if let Some(rv) = self.node(r)? {
            self.b.ins().jump(done, &[rv.into()]);
        }
        self.b.switch_to_block(done);
        Ok(Some(self.b.block_params(done)[0]))
    }

    fn branch(
        &mut self,
        cond: &Node,
        then: &Block,
        otherwise: &Block,
        ty: Ty,
    ) -> Result<Option<Value>, JitError> {
        let Some(c) = self.node(cond)? else {
            return Ok(None);
        };
        let (then_block, else_block, merge) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.append_block_param(merge, clif(ty));
        self.b.ins().brif(c, then_block, &[], else_block, &[]);
        let mut reached = false;
        for (block, body) in [(then_block, then), (else_block, otherwise)] {
            self.b.switch_to_block(block);
            if let Some(v) = self.block(body)? {
                self.b.ins().jump(merge, &[v.into()]);
                reached = true;
            }
        }
        self.b.switch_to_block(merge);
        if !reached {
            // Both branches returned: the merge block has no predecessor;
            // terminate it plainly and emit nothing more on this path.
            let unused = self.b.ins().iconst(types::I64, 0);
            self.b.ins().jump(self.exit, &[unused.into()]);
            return Ok(None);
        }
        Ok(Some(self.b.block_params(merge)[0]))
    }
}

fn node_ty(node: &Node) -> Ty {
    match node {
        Node::Num(_) | Node::Load(_) | Node::Diff(..) | Node::Arith(..) | Node::Neg(_) => Ty::Num,
        Node::Bool(_)
        | Node::Cmp(..)
        | Node::BoolEq(..)
        | Node::Not(_)
        | Node::And(..)
        | Node::Or(..) => Ty::Bool,
        Node::Act(_) => Ty::Act,
        Node::Local(_, ty) | Node::If(.., ty) => *ty,
    }
}
