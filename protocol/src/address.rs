//! Content addressing: everything nodes fetch (configs, modules, scripts) is
//! named by the BLAKE3 hash of its bytes, written as 64 lowercase hex
//! digits, so a node checks what it received against the name it asked for.
//!
//! A typed value (a config, a chunk result) is addressed by its canonical
//! JSON: what serde writes for the typed value, with fields in declaration
//! order and no whitespace. Every crate that names or checks a hash uses
//! these functions; none hashes on its own.

use serde::Serialize;

/// The pattern of a hash, for the OpenAPI document: 64 lowercase hex digits.
pub const HASH_PATTERN: &str = "^[0-9a-f]{64}$";

/// The address of `bytes`: lowercase hex BLAKE3.
pub fn hash_of(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// Whether `s` is a hash: 64 lowercase hex digits.
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The canonical JSON of a typed value.
pub fn canonical_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("the protocol's values always serialise")
}

/// A typed value's canonical JSON and its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// The canonical JSON.
    pub json: String,
    /// Its hash.
    pub hash: String,
}

impl Canonical {
    /// The canonical form of `value`.
    pub fn of<T: Serialize>(value: &T) -> Self {
        let json = canonical_json(value);
        Self {
            hash: hash_of(json.as_bytes()),
            json,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_blake3_hex() {
        // BLAKE3 of the empty input, from the BLAKE3 test vectors.
        assert_eq!(
            hash_of(b""),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        assert!(is_hash(&hash_of(b"wowlab")));
    }

    #[test]
    fn only_lowercase_hex_of_64_digits_is_a_hash() {
        let good = hash_of(b"x");
        assert!(is_hash(&good));
        assert!(!is_hash(&good.to_uppercase()));
        assert!(!is_hash(&good[1..]));
        assert!(!is_hash(&format!("{good}0")));
        assert!(!is_hash(&format!("g{}", &good[1..])));
    }

    #[derive(Serialize)]
    struct Sample {
        b: u32,
        a: &'static str,
    }

    #[test]
    fn canonical_json_keeps_declaration_order_without_whitespace() {
        let c = Canonical::of(&Sample { b: 1, a: "x" });
        assert_eq!(c.json, r#"{"b":1,"a":"x"}"#);
        assert_eq!(c.hash, hash_of(c.json.as_bytes()));
    }
}
