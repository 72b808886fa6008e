//! The digest of a chunk result.
//!
//! A chunk's result is a pure function of (engine, config, rotation, seeds),
//! so two honest nodes produce equal results and equal digests: the
//! sentinel verifies a node by comparing digests exactly.

use serde::Serialize;

/// BLAKE3 (hex) of a result's canonical encoding: the JSON serde writes for
/// the typed value (fields in declaration order, maps sorted, floats in
/// their shortest exact form). Compute it on the typed `BatchResult`, not on
/// a `serde_json::Value`, whose keys are ordered differently.
pub fn result_digest<T: Serialize>(result: &T) -> String {
    encoding_digest(crate::address::canonical_json(result).as_bytes())
}

/// The digest of a result from its canonical encoding (`serde_json::to_vec`
/// or `to_string` of the typed result), for a caller that keeps the
/// encoding anyway.
pub fn encoding_digest(encoding: &[u8]) -> String {
    crate::address::hash_of(encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Sample {
        mean: f64,
        count: u64,
    }

    #[test]
    fn equal_values_have_equal_digests_and_any_change_shows() {
        let a = result_digest(&Sample {
            mean: 0.1,
            count: 3,
        });
        assert_eq!(
            a,
            result_digest(&Sample {
                mean: 0.1,
                count: 3
            })
        );
        assert_eq!(a.len(), 64);
        assert_ne!(
            a,
            result_digest(&Sample {
                mean: 0.1,
                count: 4
            })
        );
        let next = f64::from_bits(0.1f64.to_bits() + 1);
        assert_ne!(
            a,
            result_digest(&Sample {
                mean: next,
                count: 3
            })
        );
    }

    #[test]
    fn floats_survive_a_trip_through_json_bit_for_bit() {
        // Parsing every float back exactly needs serde_json's `float_roundtrip`.
        let mut bits = 0x4093_4A45_6D5C_FAAD_u64;
        for _ in 0..200_000 {
            bits = bits.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let x = f64::from_bits(bits >> 2 | 0x3000_0000_0000_0000);
            let json = serde_json::to_string(&x).unwrap();
            let back: f64 = serde_json::from_str(&json).unwrap();
            assert_eq!(back.to_bits(), x.to_bits(), "{json}");
        }
    }
}
