//! wowlab-sdk: write rotations in Rust and compile them to wasm components of
//! the `rotation-world` world in `wit/`.
//!
//! Empty until the rotation-backends issue; the contract it will implement is
//! `wit/sim.wit`, and the state layout is `wowlab_engine::snapshot`.
