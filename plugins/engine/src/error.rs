//! Errors the engine reports.

use thiserror::Error;

/// A configuration the engine cannot run, with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct ConfigError {
    /// Path of the offending field, e.g. `spec.spells[2].apply_auras`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl ConfigError {
    /// A new error about `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a batch did not produce a result.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EngineError {
    /// The configuration is invalid.
    #[error("invalid config: {0}")]
    Config(#[from] ConfigError),
    /// The rotation failed (script error, unknown spell index, ...).
    #[error("rotation error: {0}")]
    Rotation(String),
}
