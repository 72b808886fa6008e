//! The reference Beast Mastery priority, `bm_hunter.rhai`, in Rust.

use wowlab_sdk::{Action, Rotation, Spec, SpellId, State};

struct BeastMastery {
    bestial_wrath: SpellId,
    kill_command: SpellId,
    barbed_shot: SpellId,
    cobra_shot: SpellId,
}

impl Rotation for BeastMastery {
    fn init(spec: &Spec<'_>) -> Result<Self, String> {
        Ok(Self {
            bestial_wrath: spec.spell("bestial_wrath")?,
            kill_command: spec.spell("kill_command")?,
            barbed_shot: spec.spell("barbed_shot")?,
            cobra_shot: spec.spell("cobra_shot")?,
        })
    }

    fn decide(&self, s: &State<'_>) -> Action {
        if s.ready(self.barbed_shot) && s.charges(self.barbed_shot) >= 1.8 {
            // Never sit on two charges.
            Action::cast(self.barbed_shot)
        } else if s.ready(self.bestial_wrath) {
            Action::cast(self.bestial_wrath)
        } else if s.ready(self.kill_command) {
            Action::cast(self.kill_command)
        } else if s.ready(self.barbed_shot) {
            Action::cast(self.barbed_shot)
        } else if s.ready(self.cobra_shot)
            && (s.resource() - 35.0 >= 30.0 || s.cooldown(self.kill_command) > 2.5)
        {
            // Spend focus, but keep enough for Kill Command when it is close.
            Action::cast(self.cobra_shot)
        } else {
            Action::wait()
        }
    }
}

wowlab_sdk::export_rotation!(BeastMastery);
