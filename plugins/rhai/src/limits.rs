//! Bounds on what a script may do inside the interpreter.

/// Interpreter limits; they make a runaway script fail with a clear error
/// (and deterministically: operations are counted, not timed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest script accepted, in bytes.
    pub max_script_bytes: usize,
    /// Interpreter operations allowed per decision.
    pub max_operations: u64,
    /// Deepest function-call nesting.
    pub max_call_levels: usize,
    /// Deepest expression nesting.
    pub max_expr_depth: usize,
    /// Longest string a script may build.
    pub max_string_len: usize,
    /// Largest array or map a script may build.
    pub max_collection_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_script_bytes: 64 * 1024,
            max_operations: 100_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_string_len: 4 * 1024,
            max_collection_len: 1024,
        }
    }
}
