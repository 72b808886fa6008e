//! The reference Beast Mastery rotation, `bm_hunter.rhai` (SimulationCraft's
//! MID1 single-target action list, ported), in Rust.

use wowlab_sdk::{Action, AuraId, Rotation, Spec, SpellId, State};

struct BeastMastery {
    bestial_wrath: SpellId,
    kill_command: SpellId,
    barbed_shot: SpellId,
    cobra_shot: SpellId,
    /// Howl of the Pack Leader's beasts, each ready to come.
    beasts_ready: [AuraId; 3],
    natures_ally: AuraId,
}

impl Rotation for BeastMastery {
    fn init(spec: &Spec<'_>) -> Result<Self, String> {
        Ok(Self {
            bestial_wrath: spec.spell("bestial_wrath")?,
            kill_command: spec.spell("kill_command")?,
            barbed_shot: spec.spell("barbed_shot")?,
            cobra_shot: spec.spell("cobra_shot")?,
            beasts_ready: [
                spec.aura("wyvern_ready")?,
                spec.aura("boar_ready")?,
                spec.aura("bear_ready")?,
            ],
            natures_ally: spec.aura("natures_ally_kill_command")?,
        })
    }

    fn decide(&self, s: &State<'_>) -> Action {
        let beast_ready = self.beasts_ready.iter().any(|&a| s.aura_up(a));
        // Without Nature's Ally's third rank (its bonus cannot come), always.
        let kill_command_now = !s.aura_reachable(self.natures_ally)
            || s.cooldown(self.bestial_wrath) > s.full_recharge(self.kill_command) + s.gcd()
                && (s.aura_up(self.natures_ally) || beast_ready);
        if s.ready(self.barbed_shot) && s.cooldown(self.bestial_wrath) < s.gcd() {
            // A fresh Barbed Shot just before Bestial Wrath.
            Action::cast(self.barbed_shot)
        } else if s.ready(self.bestial_wrath) {
            Action::cast(self.bestial_wrath)
        } else if s.ready(self.kill_command) && kill_command_now {
            Action::cast(self.kill_command)
        } else if s.ready(self.barbed_shot) {
            Action::cast(self.barbed_shot)
        } else if s.ready(self.cobra_shot) {
            Action::cast(self.cobra_shot)
        } else {
            Action::wait()
        }
    }
}

wowlab_sdk::export_rotation!(BeastMastery);
