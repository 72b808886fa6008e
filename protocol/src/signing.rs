//! Node request signatures.
//!
//! Every request a node makes carries four headers: its public key, a
//! timestamp (Unix seconds), a nonce and an Ed25519 signature over
//! `timestamp \0 nonce \0 METHOD \0 path \0 hex(BLAKE3(body))`, where `path`
//! is the request's path with its query. The sentinel checks the signature,
//! refuses timestamps more than [`MAX_SKEW_SECS`] away from its clock, and
//! refuses a nonce it has seen from that key within the window (replay).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use thiserror::Error;

/// Header carrying the node's public key (64 hex digits).
pub const KEY_HEADER: &str = "x-wowlab-key";
/// Header carrying the Unix timestamp in seconds.
pub const TIMESTAMP_HEADER: &str = "x-wowlab-timestamp";
/// Header carrying the nonce (16 to 64 characters of `[0-9A-Za-z_-]`).
pub const NONCE_HEADER: &str = "x-wowlab-nonce";
/// Header carrying the signature (128 hex digits).
pub const SIGNATURE_HEADER: &str = "x-wowlab-signature";

/// How far a request's timestamp may be from the sentinel's clock, in seconds.
pub const MAX_SKEW_SECS: i64 = 300;

/// Why a signed request was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    /// A signature header is absent.
    #[error("missing `{0}` header: node requests must be signed")]
    Missing(&'static str),
    /// A header is present but malformed.
    #[error("malformed `{header}` header: {why}")]
    Malformed {
        /// Which header.
        header: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The timestamp is outside the allowed window.
    #[error(
        "stale timestamp: {skew} s from the sentinel's clock (at most {MAX_SKEW_SECS} s allowed)"
    )]
    Stale {
        /// Request time minus server time, in seconds.
        skew: i64,
    },
    /// The signature does not match the key and the request.
    #[error("bad signature: it does not match the key, method, path and body")]
    BadSignature,
}

/// The signature headers of one request, as strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// [`KEY_HEADER`].
    pub key: String,
    /// [`TIMESTAMP_HEADER`].
    pub timestamp: String,
    /// [`NONCE_HEADER`].
    pub nonce: String,
    /// [`SIGNATURE_HEADER`].
    pub signature: String,
}

impl SignedHeaders {
    /// The headers as (name, value) pairs.
    pub fn pairs(&self) -> [(&'static str, &str); 4] {
        [
            (KEY_HEADER, &self.key),
            (TIMESTAMP_HEADER, &self.timestamp),
            (NONCE_HEADER, &self.nonce),
            (SIGNATURE_HEADER, &self.signature),
        ]
    }
}

/// A request whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The signer's public key, 64 lowercase hex digits.
    pub key: String,
    /// The nonce, to be checked for replay.
    pub nonce: String,
    /// The request's timestamp.
    pub timestamp: i64,
}

/// The bytes that are signed.
pub fn message(timestamp: i64, nonce: &str, method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    format!(
        "{timestamp}\0{nonce}\0{}\0{path}\0{}",
        method.to_ascii_uppercase(),
        blake3::hash(body).to_hex()
    )
    .into_bytes()
}

/// A node's signing key.
#[derive(Clone)]
pub struct NodeKey(SigningKey);

impl std::fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeKey({})", self.public_hex())
    }
}

impl NodeKey {
    /// The key with this 32-byte secret.
    pub fn from_secret(secret: [u8; 32]) -> Self {
        Self(SigningKey::from_bytes(&secret))
    }

    /// The 32-byte secret (store it with mode 0600).
    pub fn secret(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The public key as 64 lowercase hex digits.
    pub fn public_hex(&self) -> String {
        hex(self.0.verifying_key().as_bytes())
    }

    /// The claim code a user enters to own this node.
    pub fn claim_code(&self) -> String {
        claim_code(&self.public_hex())
    }

    /// Signs a request made at `timestamp` with `nonce`.
    pub fn sign(
        &self,
        timestamp: i64,
        nonce: &str,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> SignedHeaders {
        let signature = self.0.sign(&message(timestamp, nonce, method, path, body));
        SignedHeaders {
            key: self.public_hex(),
            timestamp: timestamp.to_string(),
            nonce: nonce.to_string(),
            signature: hex(&signature.to_bytes()),
        }
    }
}

/// Checks a request's signature headers against its method, path and body at time `now`.
pub fn verify(
    headers: &SignedHeaders,
    method: &str,
    path: &str,
    body: &[u8],
    now: i64,
) -> Result<Verified, SignatureError> {
    let key: [u8; 32] = unhex(&headers.key).ok_or(SignatureError::Malformed {
        header: KEY_HEADER,
        why: "expected 64 hex digits",
    })?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| SignatureError::Malformed {
        header: KEY_HEADER,
        why: "not an Ed25519 public key",
    })?;
    let timestamp: i64 = headers
        .timestamp
        .parse()
        .map_err(|_| SignatureError::Malformed {
            header: TIMESTAMP_HEADER,
            why: "expected Unix seconds",
        })?;
    let nonce = &headers.nonce;
    if !(16..=64).contains(&nonce.len())
        || !nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(SignatureError::Malformed {
            header: NONCE_HEADER,
            why: "expected 16 to 64 characters of [0-9A-Za-z_-]",
        });
    }
    let signature: [u8; 64] = unhex(&headers.signature).ok_or(SignatureError::Malformed {
        header: SIGNATURE_HEADER,
        why: "expected 128 hex digits",
    })?;
    let skew = timestamp.saturating_sub(now);
    if skew.abs() > MAX_SKEW_SECS {
        return Err(SignatureError::Stale { skew });
    }
    key.verify_strict(
        &message(timestamp, nonce, method, path, body),
        &Signature::from_bytes(&signature),
    )
    .map_err(|_| SignatureError::BadSignature)?;
    Ok(Verified {
        key: hex(key.as_bytes()),
        nonce: nonce.clone(),
        timestamp,
    })
}

/// The claim code of the node with this public key: ten characters of
/// Crockford base32 (50 bits of a BLAKE3 key derivation), shown as `XXXXX-XXXXX`.
pub fn claim_code(public_hex: &str) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let digest = blake3::derive_key("wowlab 2026 node claim code", public_hex.as_bytes());
    let bits = u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"));
    let chars: String = (0..10)
        .map(|i| ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// A claim code as typed by a user, normalised: upper case, no separators.
pub fn normalise_claim_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const NONCE: &str = "0123456789abcdef";

    fn key() -> NodeKey {
        NodeKey::from_secret([7; 32])
    }

    #[test]
    fn a_signed_request_verifies() {
        let h = key().sign(NOW, NONCE, "post", "/api/v1/x?y=1", b"{}");
        let v = verify(&h, "POST", "/api/v1/x?y=1", b"{}", NOW + 10).unwrap();
        assert_eq!(v.key, key().public_hex());
        assert_eq!(v.nonce, NONCE);
    }

    #[test]
    fn any_changed_part_breaks_the_signature() {
        let h = key().sign(NOW, NONCE, "POST", "/a", b"body");
        let bad = Err(SignatureError::BadSignature);
        assert_eq!(verify(&h, "PUT", "/a", b"body", NOW), bad);
        assert_eq!(verify(&h, "POST", "/b", b"body", NOW), bad);
        assert_eq!(verify(&h, "POST", "/a?x", b"body", NOW), bad);
        assert_eq!(verify(&h, "POST", "/a", b"bodY", NOW), bad);
        let other_nonce = SignedHeaders {
            nonce: "fedcba9876543210".into(),
            ..h.clone()
        };
        assert_eq!(verify(&other_nonce, "POST", "/a", b"body", NOW), bad);
        let other_time = SignedHeaders {
            timestamp: (NOW + 1).to_string(),
            ..h.clone()
        };
        assert_eq!(verify(&other_time, "POST", "/a", b"body", NOW), bad);
        let other_key = SignedHeaders {
            key: NodeKey::from_secret([8; 32]).public_hex(),
            ..h
        };
        assert_eq!(verify(&other_key, "POST", "/a", b"body", NOW), bad);
    }

    #[test]
    fn timestamps_outside_the_window_are_stale() {
        let h = key().sign(NOW, NONCE, "GET", "/a", b"");
        assert!(verify(&h, "GET", "/a", b"", NOW + MAX_SKEW_SECS).is_ok());
        assert_eq!(
            verify(&h, "GET", "/a", b"", NOW + MAX_SKEW_SECS + 1),
            Err(SignatureError::Stale {
                skew: -MAX_SKEW_SECS - 1
            })
        );
        assert_eq!(
            verify(&h, "GET", "/a", b"", NOW - MAX_SKEW_SECS - 1),
            Err(SignatureError::Stale {
                skew: MAX_SKEW_SECS + 1
            })
        );
    }

    #[test]
    fn malformed_headers_name_the_header() {
        let h = key().sign(NOW, NONCE, "GET", "/a", b"");
        let cases = [
            (
                SignedHeaders {
                    key: "zz".into(),
                    ..h.clone()
                },
                KEY_HEADER,
            ),
            (
                SignedHeaders {
                    timestamp: "soon".into(),
                    ..h.clone()
                },
                TIMESTAMP_HEADER,
            ),
            (
                SignedHeaders {
                    nonce: "short".into(),
                    ..h.clone()
                },
                NONCE_HEADER,
            ),
            (
                SignedHeaders {
                    signature: "00".into(),
                    ..h.clone()
                },
                SIGNATURE_HEADER,
            ),
        ];
        for (headers, name) in cases {
            match verify(&headers, "GET", "/a", b"", NOW) {
                Err(SignatureError::Malformed { header, .. }) => assert_eq!(header, name),
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn claim_codes_depend_on_the_key_and_ignore_case_and_dashes() {
        let a = key().claim_code();
        let b = NodeKey::from_secret([8; 32]).claim_code();
        assert_ne!(a, b);
        assert_eq!(a.len(), 11);
        assert_eq!(&a[5..6], "-");
        assert_eq!(
            normalise_claim_code(&a.to_lowercase()),
            normalise_claim_code(&a)
        );
        assert_eq!(normalise_claim_code(&a).len(), 10);
    }
}
