//! A property-based client generated from the OpenAPI document
//! (Schemathesis, installed by `.ci/run`) against a real sentinel over a
//! real socket, on both stores. Every request it makes, valid or made
//! invalid on purpose, must get a status the document lists for the
//! operation and never a 5xx, a response that matches its schema and
//! content type, and a refusal when the document forbids the request.
//!
//! The client signs the routes nodes sign, as a node with a fresh key
//! (PyNaCl for Ed25519, blake3). Not exercised: `/metrics` (Prometheus
//! text, not JSON) and `/nodes/stream`, whose WebSocket handshake a plain
//! HTTP client cannot make.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;

on_both_stores!(a_client_generated_from_the_document_meets_only_what_it_documents);

/// The Schemathesis version `.ci/run` installs; the flags below are its.
const VERSION: &str = "4.32.5";

/// Test cases per operation and phase.
const EXAMPLES: &str = "100";

/// Tells Schemathesis that a module's `application/wasm` body is bytes,
/// and signs the routes nodes sign (see `wowlab_protocol::signing`).
const HOOKS: &str = r#"import secrets
import time

import requests
import schemathesis
from blake3 import blake3
from nacl.signing import SigningKey

schemathesis.serializer.alias("application/wasm", "application/octet-stream")

KEY = SigningKey.generate()
PUBLIC = KEY.verify_key.encode().hex()


class NodeSignature(requests.auth.AuthBase):
    def __call__(self, r):
        body = r.body or b""
        if isinstance(body, str):
            body = body.encode()
        timestamp = str(int(time.time()))
        nonce = secrets.token_hex(16)
        message = "\0".join(
            [timestamp, nonce, r.method.upper(), r.path_url, blake3(body).hexdigest()]
        )
        r.headers["x-wowlab-key"] = PUBLIC
        r.headers["x-wowlab-timestamp"] = timestamp
        r.headers["x-wowlab-nonce"] = nonce
        r.headers["x-wowlab-signature"] = KEY.sign(message.encode()).signature.hex()
        return r


schemathesis.auth.set_from_requests(NodeSignature()).apply_to(
    path_regex="^/api/v1/(nodes/(register|heartbeat|poll)|chunks/)"
)
"#;

/// The `st` program: `$WOWLAB_SCHEMATHESIS`, else `st` on the `PATH`;
/// `None` (the test is skipped) unless `WOWLAB_REQUIRE_SCHEMATHESIS` is set.
fn schemathesis() -> Option<PathBuf> {
    let found = std::env::var_os("WOWLAB_SCHEMATHESIS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|dir| dir.join("st"))
                .find(|st| st.is_file())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("WOWLAB_REQUIRE_SCHEMATHESIS").is_none(),
            "WOWLAB_REQUIRE_SCHEMATHESIS is set but there is no `st`: \
             pip install schemathesis=={VERSION} pynacl blake3 and set WOWLAB_SCHEMATHESIS"
        );
        eprintln!("property-based client not run: install schemathesis {VERSION}");
    }
    found
}

async fn a_client_generated_from_the_document_meets_only_what_it_documents(s: Server) {
    let Some(st) = schemathesis() else { return };
    let dir = tempfile::tempdir().unwrap();
    let hooks = dir.path().join("hooks.py");
    std::fs::write(&hooks, HOOKS).unwrap();
    let mut command = Command::new(st);
    command
        .arg("run")
        .arg(s.url("/openapi.json"))
        .args(["-H", &format!("Authorization: Bearer {}", s.token)])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance,\
             content_type_conformance,negative_data_rejection",
        ])
        .args(["--exclude-path", "/api/v1/nodes/stream"])
        .args(["--exclude-path", "/metrics"])
        .args(["--max-examples", EXAMPLES, "--generation-deterministic"])
        .args(["--workers", "1"])
        .env("SCHEMATHESIS_HOOKS", &hooks)
        .env("NO_COLOR", "1")
        .current_dir(dir.path());
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("st runs");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{report}");
    assert!(report.contains("generated"), "no test cases ran: {report}");
}
