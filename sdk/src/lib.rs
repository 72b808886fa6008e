//! wowlab-sdk: write a rotation in Rust, build it with
//! `cargo build --release --target wasm32-wasip2`, and run the resulting
//! component with `wowlab sim --rotation path/to/x.wasm`.
//!
//! ```text
//! use wowlab_sdk::{Action, Rotation, SpellId, Spec, State};
//!
//! struct Mine { fireball: SpellId }
//!
//! impl Rotation for Mine {
//!     fn init(spec: &Spec) -> Result<Self, String> {
//!         Ok(Self { fireball: spec.spell("fireball")? })
//!     }
//!     fn decide(&self, state: &State) -> Action {
//!         if state.ready(self.fireball) { Action::cast(self.fireball) } else { Action::wait() }
//!     }
//! }
//!
//! wowlab_sdk::export_rotation!(Mine);
//! ```
//!
//! `decide` takes `&self`: a decision must depend on the state alone, so a
//! job's result does not depend on how it is split into chunks.
//! Any component of the `rotation-world` world in `wit/` works the same,
//! whatever its source language; this crate is a convenience for Rust.

extern crate self as wowlab_sdk;

use std::any::Any;
use std::cell::RefCell;

use wowlab_engine::snapshot;

#[doc(hidden)]
pub use wit_bindgen as __wit_bindgen;

/// Bindings of the `rotation-world` world (used by [`export_rotation!`]).
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "rotation-world",
        pub_export_macro: true,
        export_macro_name: "__export_rotation_world",
        default_bindings_module: "wowlab_sdk::bindings",
        runtime_path: "wowlab_sdk::__wit_bindgen::rt",
    });
}

/// A spell of the spec, resolved by name at init.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(transparent)]
pub struct SpellId(u32);

/// An aura of the spec, resolved by name at init.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuraId(u32);

/// What the rotation wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action(ActionKind);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActionKind {
    Cast(u32),
    Wait(u32),
}

impl Action {
    /// Cast `spell`.
    pub fn cast(spell: SpellId) -> Self {
        Self(ActionKind::Cast(spell.0))
    }

    /// Wait until a spell that is not castable now becomes castable.
    pub fn wait() -> Self {
        Self(ActionKind::Wait(0))
    }

    /// Wait `ms` milliseconds (0: as [`Action::wait`]).
    pub fn wait_ms(ms: u32) -> Self {
        Self(ActionKind::Wait(ms))
    }
}

/// The spec a rotation is initialised for.
pub struct Spec<'a> {
    spells: &'a [String],
    auras: &'a [String],
    source: &'a str,
}

impl Spec<'_> {
    /// The spell called `name`, or an error naming it.
    pub fn spell(&self, name: &str) -> Result<SpellId, String> {
        self.spells
            .iter()
            .position(|s| s == name)
            .map(|i| SpellId(i as u32))
            .ok_or_else(|| format!("unknown spell `{name}`"))
    }

    /// The aura called `name`, or an error naming it.
    pub fn aura(&self, name: &str) -> Result<AuraId, String> {
        self.auras
            .iter()
            .position(|s| s == name)
            .map(|i| AuraId(i as u32))
            .ok_or_else(|| format!("unknown aura `{name}`"))
    }

    /// The rotation's source text given to `init` (parameters; often empty).
    pub fn source(&self) -> &str {
        self.source
    }
}

/// The state of the fight at a decision. Times are in seconds.
pub struct State<'a> {
    raw: &'a [f64],
    spells: usize,
}

impl State<'_> {
    fn spell(&self, s: SpellId, field: usize) -> f64 {
        self.raw[snapshot::spell(s.0 as usize, field)]
    }
    fn aura(&self, a: AuraId, field: usize) -> f64 {
        self.raw[snapshot::aura(self.spells, a.0 as usize, field)]
    }
}

/// One `State` method per state query of the engine's table.
macro_rules! state_methods {
    ($($doc:literal $name:ident: $reads:ident($($field:ident),*) -> $answer:ident;)*) => {
        impl State<'_> {
            $(state_method!($doc $name $reads($($field),*) $answer);)*
        }
    };
}

/// The `State` method of one state query.
macro_rules! state_method {
    ($doc:literal $name:ident Header($f:ident) Number) => {
        #[doc = $doc]
        pub fn $name(&self) -> f64 {
            self.raw[snapshot::$f]
        }
    };
    ($doc:literal $name:ident Difference($a:ident, $b:ident) Number) => {
        #[doc = $doc]
        pub fn $name(&self) -> f64 {
            self.raw[snapshot::$a] - self.raw[snapshot::$b]
        }
    };
    ($doc:literal $name:ident Spell($f:ident) Number) => {
        #[doc = $doc]
        pub fn $name(&self, s: SpellId) -> f64 {
            self.spell(s, snapshot::$f)
        }
    };
    ($doc:literal $name:ident Spell($f:ident) Positive) => {
        #[doc = $doc]
        pub fn $name(&self, s: SpellId) -> bool {
            self.spell(s, snapshot::$f) > 0.0
        }
    };
    ($doc:literal $name:ident Aura($f:ident) Number) => {
        #[doc = $doc]
        pub fn $name(&self, a: AuraId) -> f64 {
            self.aura(a, snapshot::$f)
        }
    };
    ($doc:literal $name:ident Aura($f:ident) Positive) => {
        #[doc = $doc]
        pub fn $name(&self, a: AuraId) -> bool {
            self.aura(a, snapshot::$f) > 0.0
        }
    };
}

wowlab_engine::with_state_queries!(state_methods);

/// A rotation written in Rust.
pub trait Rotation: Sized + 'static {
    /// Resolves names and reads parameters; an error is shown to the author.
    fn init(spec: &Spec<'_>) -> Result<Self, String>;
    /// The next action.
    fn decide(&self, state: &State<'_>) -> Action;
}

struct Instance {
    rotation: Box<dyn Any>,
    spells: usize,
    len: usize,
}

thread_local! {
    static INSTANCE: RefCell<Option<Instance>> = const { RefCell::new(None) };
}

#[doc(hidden)]
pub fn __init<R: Rotation>(
    spells: Vec<String>,
    auras: Vec<String>,
    source: String,
) -> Result<(), String> {
    let spec = Spec {
        spells: &spells,
        auras: &auras,
        source: &source,
    };
    let rotation = R::init(&spec)?;
    INSTANCE.with(|i| {
        *i.borrow_mut() = Some(Instance {
            rotation: Box::new(rotation),
            spells: spells.len(),
            len: snapshot::len(spells.len(), auras.len()),
        })
    });
    Ok(())
}

#[doc(hidden)]
pub fn __decide<R: Rotation>(raw: &[f64]) -> Result<bindings::wowlab::sim::types::Action, String> {
    use bindings::wowlab::sim::types::Action as Wit;
    INSTANCE.with(|i| {
        let i = i.borrow();
        let i = i.as_ref().ok_or("decide was called before init")?;
        if raw.len() != i.len {
            return Err(format!(
                "state has {} values; this spec needs {}",
                raw.len(),
                i.len
            ));
        }
        let rotation = i
            .rotation
            .downcast_ref::<R>()
            .ok_or("rotation type mismatch")?;
        let state = State {
            raw,
            spells: i.spells,
        };
        Ok(match rotation.decide(&state).0 {
            ActionKind::Cast(s) => Wit::Cast(s),
            ActionKind::Wait(ms) => Wit::Wait(ms),
        })
    })
}

/// Exports a [`Rotation`] type as the component's `rotation` interface.
#[macro_export]
macro_rules! export_rotation {
    ($t:ty) => {
        #[doc(hidden)]
        struct __WowlabRotation;

        impl $crate::bindings::exports::wowlab::sim::rotation::Guest for __WowlabRotation {
            fn init(
                spells: ::std::vec::Vec<::std::string::String>,
                auras: ::std::vec::Vec<::std::string::String>,
                source: ::std::string::String,
            ) -> ::std::result::Result<(), ::std::string::String> {
                $crate::__init::<$t>(spells, auras, source)
            }

            fn decide(
                state: ::std::vec::Vec<f64>,
            ) -> ::std::result::Result<$crate::bindings::wowlab::sim::types::Action, ::std::string::String> {
                $crate::__decide::<$t>(&state)
            }
        }

        $crate::bindings::__export_rotation_world!(__WowlabRotation with_types_in $crate::bindings);
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks every generated method against the engine's own reading of
    /// the same query, on a state where every value differs.
    macro_rules! every_method_reads_its_query {
        ($($doc:literal $name:ident: $reads:ident($($field:ident),*) -> $answer:ident;)*) => {
            #[test]
            fn every_method_reads_its_query() {
                let (spells, auras) = (3, 2);
                let raw: Vec<f64> = (0..snapshot::len(spells, auras))
                    .map(|i| if i % 3 == 0 { 0.0 } else { i as f64 * 1.5 })
                    .collect();
                let state = State { raw: &raw, spells };
                $(
                    let query = snapshot::query(stringify!($name)).unwrap();
                    let count = if query.reads.takes_name() { spells.max(auras) } else { 1 };
                    for subject in 0..count {
                        let Some(expected) = snapshot::read(query, &raw, spells, Some(subject))
                        else {
                            continue;
                        };
                        let got = call!(state, $name, $reads, subject);
                        assert_eq!(f64::from(got), expected, "{} of {subject}", stringify!($name));
                    }
                )*
            }
        };
    }

    /// Calls the method of a query, with a spell or aura id when it takes one.
    macro_rules! call {
        ($state:ident, $name:ident, Spell, $i:ident) => {
            $state.$name(SpellId($i as u32))
        };
        ($state:ident, $name:ident, Aura, $i:ident) => {
            $state.$name(AuraId($i as u32))
        };
        ($state:ident, $name:ident, $other:ident, $i:ident) => {
            $state.$name()
        };
    }

    wowlab_engine::with_state_queries!(every_method_reads_its_query);
}
