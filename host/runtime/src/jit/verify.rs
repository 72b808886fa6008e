//! Checks the emitted IR before it is compiled: the code may compute, branch
//! and read the state snapshot, and nothing else.

use cranelift_codegen::ir::{Function, InstructionData, Opcode};

use super::JitError;

/// Opcodes the lowering may emit.
const ALLOWED: &[Opcode] = &[
    Opcode::Iconst,
    Opcode::F64const,
    Opcode::Load,
    Opcode::Fadd,
    Opcode::Fsub,
    Opcode::Fmul,
    Opcode::Fdiv,
    Opcode::Fneg,
    Opcode::Fcmp,
    Opcode::Bxor,
    Opcode::Brif,
    Opcode::Jump,
    Opcode::Return,
];

/// Verifies `func` reads at most `len` f64 values from its first parameter.
pub fn verify(func: &Function, len: usize) -> Result<(), JitError> {
    let fail = |m: String| Err(JitError::Verification(m));
    let entry = func
        .layout
        .entry_block()
        .ok_or_else(|| JitError::Verification("no entry block".into()))?;
    let state = func.dfg.block_params(entry)[0];
    if func.dfg.block_params(entry).len() != 1
        || !func.dfg.ext_funcs.is_empty()
        || !func.sized_stack_slots.is_empty()
    {
        return fail("the function has other parameters, callees or stack slots".into());
    }
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            let data = &func.dfg.insts[inst];
            let opcode = data.opcode();
            if !ALLOWED.contains(&opcode) {
                return fail(format!("opcode {opcode} is not allowed"));
            }
            if let InstructionData::Load { arg, offset, .. } = data {
                let offset = i64::from(*offset);
                let in_bounds = offset >= 0 && offset % 8 == 0 && (offset as usize) / 8 < len;
                if *arg != state || !in_bounds {
                    return fail(format!(
                        "a load at offset {offset} is not a read of the {len}-value state"
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use cranelift_codegen::ir::{AbiParam, Function, InstBuilder, MemFlagsData, Value, types};
    use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

    use super::*;

    /// A `fn(ptr) -> i64` whose body `emit` writes, given the state pointer.
    fn function(emit: impl FnOnce(&mut FunctionBuilder, Value) -> Value) -> Function {
        let mut func = Function::new();
        func.signature.params.push(AbiParam::new(types::I64));
        func.signature.returns.push(AbiParam::new(types::I64));
        let mut ctx = FunctionBuilderContext::new();
        {
            let mut b = FunctionBuilder::new(&mut func, &mut ctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let state = b.block_params(entry)[0];
            let result = emit(&mut b, state);
            b.ins().return_(&[result]);
            b.seal_all_blocks();
        }
        func
    }

    fn load(b: &mut FunctionBuilder, base: Value, offset: i32) -> Value {
        let x = b
            .ins()
            .load(types::F64, MemFlagsData::trusted(), base, offset);
        b.ins().bitcast(types::I64, MemFlagsData::new(), x)
    }

    #[test]
    fn in_bounds_reads_pass() {
        let f = function(|b, s| {
            let x = b.ins().load(types::F64, MemFlagsData::trusted(), s, 8);
            let y = b.ins().fadd(x, x);
            let _ = b
                .ins()
                .fcmp(cranelift_codegen::ir::condcodes::FloatCC::LessThan, x, y);
            b.ins().iconst(types::I64, 0)
        });
        verify(&f, 2).unwrap();
    }

    #[test]
    fn a_read_past_the_snapshot_is_refused() {
        let f = function(|b, s| {
            let _ = b.ins().load(types::F64, MemFlagsData::trusted(), s, 16);
            b.ins().iconst(types::I64, 0)
        });
        assert!(verify(&f, 2).is_err());
        let f = function(|b, s| {
            let _ = b.ins().load(types::F64, MemFlagsData::trusted(), s, -8);
            b.ins().iconst(types::I64, 0)
        });
        assert!(verify(&f, 2).is_err());
    }

    #[test]
    fn a_read_through_a_computed_pointer_is_refused() {
        let f = function(|b, s| {
            let p = b.ins().iadd_imm_s(s, 4096);
            load(b, p, 0)
        });
        let err = verify(&f, 2).unwrap_err().to_string();
        assert!(err.contains("not allowed"), "{err}");
        // Loading a pointer from the state and reading through it.
        let f = function(|b, s| {
            let p = b.ins().load(types::I64, MemFlagsData::trusted(), s, 0);
            let _ = b.ins().load(types::F64, MemFlagsData::trusted(), p, 0);
            b.ins().iconst(types::I64, 0)
        });
        assert!(verify(&f, 2).is_err());
    }

    #[test]
    fn stores_are_refused() {
        let f = function(|b, s| {
            let x = b.ins().f64const(1.0);
            b.ins().store(MemFlagsData::trusted(), x, s, 0);
            b.ins().iconst(types::I64, 0)
        });
        let err = verify(&f, 2).unwrap_err().to_string();
        assert!(err.contains("store"), "{err}");
    }
}
