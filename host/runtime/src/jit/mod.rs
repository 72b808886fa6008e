//! The `jit` rotation backend: a verified subset of Rhai compiled with
//! Cranelift to a native function that only reads the state snapshot.
//!
//! Safety argument, in three steps, each in code:
//! 1. [`subset`] accepts only: `let` of a new local, `if`/`else`, `return`,
//!    float and small integer literals, `+ - * /`, comparisons, `&& || !`,
//!    the state queries with a spell or aura name as argument, and the
//!    actions `cast(spell)`, `wait(ms)`, `wait()`. No loops, strings,
//!    closures, function definitions, calls to anything else, assignments.
//!    Anything else is refused with its line:column.
//! 2. [`lower`] emits Cranelift IR whose only memory access is a load of an
//!    f64 from the state pointer at a constant offset inside the snapshot.
//! 3. [`verify`] re-checks the emitted IR before it is compiled: every
//!    instruction has an allowed opcode, every load reads the state pointer
//!    itself at an in-bounds constant offset, and nothing stores or calls.
//!
//! The compiled function must decide exactly like the Rhai interpreter; the
//! differential tests check that on random states and on full simulations.

mod lower;
pub mod subset;
mod verify;

use std::sync::Arc;

use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Linkage, Module, default_libcall_names};
use thiserror::Error;
use wowlab_engine::{Action, Rotation, snapshot};

/// Why a script cannot be compiled by the jit.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JitError {
    /// The script uses something outside the subset (or does not compile).
    #[error("{line}:{column}: {message}")]
    Unsupported {
        /// Line of the construct.
        line: usize,
        /// Column of the construct.
        column: usize,
        /// What it is and why it is refused.
        message: String,
    },
    /// The emitted code failed verification (a bug in the jit, never the script's).
    #[error("jit verification failed: {0}")]
    Verification(String),
    /// Cranelift could not compile the function.
    #[error("jit compilation failed: {0}")]
    Codegen(String),
}

/// Compiled code; the module owns the executable memory the pointer points into.
struct Code {
    _module: JITModule,
    decide: unsafe extern "C" fn(*const f64) -> u64,
    len: usize,
}

// SAFETY: after `finalize_definitions` the module's code memory is immutable
// and only read by `decide`, which has no state of its own.
unsafe impl Send for Code {}
unsafe impl Sync for Code {}

/// A script compiled to native code; cheap to clone across worker threads.
#[derive(Clone)]
pub struct JitRotation {
    code: Arc<Code>,
}

/// Action encoding of the compiled function: tag in the high word.
pub(crate) const TAG_CAST: u64 = 1 << 32;

impl JitRotation {
    /// Verifies and compiles `script` for a spec with these names.
    pub fn compile(spells: &[String], auras: &[String], script: &str) -> Result<Self, JitError> {
        let program = subset::parse(spells, auras, script)?;
        let len = snapshot::len(spells.len(), auras.len());
        let isa = lower::native_isa()?;
        let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
        let mut ctx = module.make_context();
        lower::lower(&program, &mut ctx.func, module.isa().frontend_config())?;
        verify::verify(&ctx.func, len)?;
        let codegen = |e: &dyn std::fmt::Display| JitError::Codegen(e.to_string());
        let id = module
            .declare_function("decide", Linkage::Local, &ctx.func.signature)
            .map_err(|e| codegen(&e))?;
        module
            .define_function(id, &mut ctx)
            .map_err(|e| codegen(&e))?;
        module.clear_context(&mut ctx);
        module.finalize_definitions().map_err(|e| codegen(&e))?;
        let ptr = module.get_finalized_function(id);
        // SAFETY: the function was declared with exactly this signature
        // (one pointer in, one i64 out) by `lower`.
        let decide = unsafe {
            std::mem::transmute::<*const u8, unsafe extern "C" fn(*const f64) -> u64>(ptr)
        };
        Ok(Self {
            code: Arc::new(Code {
                _module: module,
                decide,
                len,
            }),
        })
    }
}

impl Rotation for JitRotation {
    fn decide(&mut self, state: &[f64]) -> Result<Action, String> {
        if state.len() != self.code.len {
            return Err(format!(
                "state has {} values; this spec needs {}",
                state.len(),
                self.code.len
            ));
        }
        // SAFETY: the verifier proved the code reads only `len` f64 values
        // from the pointer, and `state` has exactly that many.
        let raw = unsafe { (self.code.decide)(state.as_ptr()) };
        Ok(if raw & TAG_CAST != 0 {
            Action::Cast(raw as u32)
        } else {
            Action::Wait(raw as u32)
        })
    }
}
