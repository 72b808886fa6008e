//! The Rhai interpreter as a wasm component: the `rotation-world` of `wit/`.

wit_bindgen::generate!({
    path: "../../wit",
    world: "rotation-world",
});

use std::cell::RefCell;

use exports::wowlab::sim::rotation::Guest;
use wowlab::sim::types::Action as WitAction;
use wowlab_engine::{Action, Rotation};

use crate::{Limits, RhaiRotation};

thread_local! {
    static ROTATION: RefCell<Option<RhaiRotation>> = const { RefCell::new(None) };
}

struct Component;

impl Guest for Component {
    fn init(spells: Vec<String>, auras: Vec<String>, source: String) -> Result<(), String> {
        let rotation = RhaiRotation::new(&spells, &auras, &source, Limits::default())
            .map_err(|e| e.to_string())?;
        ROTATION.with(|r| *r.borrow_mut() = Some(rotation));
        Ok(())
    }

    fn decide(state: Vec<f64>) -> Result<WitAction, String> {
        ROTATION.with(|r| match r.borrow_mut().as_mut() {
            None => Err("decide was called before init".into()),
            Some(rotation) => rotation.decide(&state).map(|a| match a {
                Action::Cast(spell) => WitAction::Cast(spell),
                Action::Wait(ms) => WitAction::Wait(ms),
            }),
        })
    }
}

export!(Component);
