//! The wasm components built from this repository, embedded as bytes.
//!
//! `build.rs` compiles them for wasm32-wasip2; a host adds them to its module
//! store, where they are addressed by the BLAKE3 hash of these bytes.

/// The simulation engine component (world `engine`).
pub const ENGINE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/wowlab_engine.wasm"));

/// The Rhai rotation component (world `rotation-world`).
pub const RHAI: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/wowlab_rhai.wasm"));

/// The sdk example rotation `examples/rotations/bm_hunter_rs` (world `rotation-world`).
pub const BM_HUNTER_RS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/bm_hunter_rs.wasm"));

/// A rotation that misbehaves on request (`tests/guests/hostile`), for sandbox tests.
pub const HOSTILE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/hostile.wasm"));

/// The same, also importing `wasi:sockets` (a module the host must refuse).
pub const HOSTILE_NETWORK: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/hostile_network.wasm"));

#[cfg(test)]
mod tests {
    /// The component-model layer marker: `\0asm`, version 0x0d, layer 1.
    const COMPONENT_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

    #[test]
    fn both_guests_are_components() {
        assert_eq!(super::ENGINE[..8], COMPONENT_HEADER);
        assert_eq!(super::RHAI[..8], COMPONENT_HEADER);
        assert_eq!(super::BM_HUNTER_RS[..8], COMPONENT_HEADER);
        assert_ne!(super::ENGINE, super::RHAI);
    }
}
