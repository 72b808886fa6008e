//! The spec packs that ship with `wowlab`, with their starting rotations,
//! by the class and spec they are for: what `--simc` runs when no `--spec`
//! (or `--rotation`) is given.

/// A built-in pack and its rotation.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// Class, in SimulationCraft's spelling.
    pub class: &'static str,
    /// Spec, in SimulationCraft's spelling.
    pub spec: &'static str,
    /// Where it lives in the repository (for reports).
    pub pack_path: &'static str,
    /// The pack's TOML.
    pub pack: &'static str,
    /// Where its rotation lives in the repository.
    pub rotation_path: &'static str,
    /// The rotation's script.
    pub rotation: &'static str,
}

/// Every built-in pack.
pub const BUILTIN: &[Builtin] = &[Builtin {
    class: "hunter",
    spec: "beast_mastery",
    pack_path: "examples/specs/bm_hunter.toml",
    pack: include_str!("../../../examples/specs/bm_hunter.toml"),
    rotation_path: "examples/rotations/bm_hunter.rhai",
    rotation: include_str!("../../../examples/rotations/bm_hunter.rhai"),
}];

/// The built-in pack for `spec` of `class`.
pub fn find(class: &str, spec: &str) -> Option<&'static Builtin> {
    BUILTIN.iter().find(|b| b.class == class && b.spec == spec)
}
