//! The configuration of one simulation: what a job runs.

use serde::{Deserialize, Serialize};

use crate::options::Chosen;
use crate::spec::{Aura, SpecPack, Stats, Target};

/// Everything that decides a simulation's result, apart from the seed.
///
/// Its identity is the BLAKE3 hash of its canonical JSON (`wowlab_protocol::address`); two
/// configs that serialise the same are the same config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimConfig {
    /// The spec pack.
    pub spec: SpecPack,
    /// The character.
    pub player: Stats,
    /// The enemy.
    pub target: Target,
    /// The fight.
    pub fight: Fight,
    /// Hash of the engine module that must run this config (empty: any).
    #[serde(default)]
    pub engine: String,
    /// The rotation.
    #[serde(default)]
    pub rotation: RotationRef,
    /// The pack options switched on (talents, set bonuses), with their ranks.
    #[serde(default, skip_serializing_if = "Chosen::is_empty")]
    pub options: Chosen,
    /// What the character's source (a SimulationCraft profile) says that
    /// this config does not simulate, one line each ("line 13: talent …:
    /// why"), for reports; the engine does not read it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
}

/// Length and shape of the fight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fight {
    /// Nominal length in ms.
    pub duration_ms: u32,
    /// Each iteration's length is drawn uniformly from
    /// duration × [1 − vary, 1 + vary] (SimulationCraft's vary_combat_length).
    #[serde(default)]
    pub vary_length: f64,
    /// Number of targets.
    #[serde(default = "one")]
    pub targets: u32,
    /// Auras others put on the player, its pet, its guardians or the
    /// primary target at set times (the raid's Bloodlust at the pull), on
    /// top of the pack's; rotations do not see them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_auras: Vec<ExternalAura>,
}

/// An aura applied at a set time by someone else (or by a consumable),
/// and again every `every_ms` if that is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalAura {
    /// When it is applied first, in ms from the start of the fight.
    #[serde(default)]
    pub at_ms: u32,
    /// Applied again this many ms after each application (0: once), as a
    /// potion is used each time its cooldown ends.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub every_ms: u32,
    /// The aura (a target aura goes on the primary target).
    pub aura: Aura,
}

/// Which rotation a config runs, by content hash.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationRef {
    /// Backend name: "rhai", "jit" or "wasm".
    pub backend: String,
    /// Hash of the rotation component module.
    pub module: String,
    /// Hash of the script (empty for compiled rotations).
    #[serde(default)]
    pub script: String,
}

impl SimConfig {
    /// A config for `spec` with its default character and target.
    pub fn for_spec(spec: SpecPack, fight: Fight) -> Self {
        Self {
            player: spec.player.clone(),
            target: spec.target.clone(),
            spec,
            fight,
            engine: String::new(),
            rotation: RotationRef::default(),
            options: Chosen::new(),
            ignored: Vec::new(),
        }
    }

    /// Parses a config from JSON; the error names the field at fault.
    pub fn from_json(json: &str) -> Result<Self, crate::ConfigError> {
        serde_json::from_str(json).map_err(|e| {
            crate::ConfigError::new(
                format!("config (line {}, column {})", e.line(), e.column()),
                e.to_string(),
            )
        })
    }
}

fn one() -> u32 {
    1
}
fn is_zero(v: &u32) -> bool {
    *v == 0
}
