//! The engine's side of the rotation interface.

/// What the rotation wants the player to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Cast the spell with this index in the spec pack.
    Cast(u32),
    /// Wait this many milliseconds; 0 waits until a spell that is not castable
    /// now becomes castable, or the next event.
    Wait(u32),
}

/// Decides actions from state snapshots (layout: [`crate::snapshot`]).
pub trait Rotation {
    /// The next action, or an error that stops the batch.
    fn decide(&mut self, state: &[f64]) -> Result<Action, String>;
}

impl<F: FnMut(&[f64]) -> Result<Action, String>> Rotation for F {
    fn decide(&mut self, state: &[f64]) -> Result<Action, String> {
        self(state)
    }
}
