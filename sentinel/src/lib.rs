//! The wowlab sentinel: the server that stores configs and modules, accepts
//! jobs, splits them into chunks for nodes and merges their results.
//!
//! This crate is the library behind the `wowlab-sentinel` binary: the HTTP
//! API ([`api`]), the store on SQLite or PostgreSQL ([`store`]), and the
//! operator's commands. Not for: running simulations (that is the node, the
//! `wowlab` crate).

pub mod api;
pub mod store;

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Lowercase hex BLAKE3 of `bytes`: the address of configs and modules.
pub fn hash_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// Whether `s` looks like a hash (64 lowercase hex digits).
pub fn is_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
