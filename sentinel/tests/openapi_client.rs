//! A property-based client generated from the OpenAPI document
//! (Schemathesis, installed by `.ci/run`) against a real sentinel over a
//! real socket, on both stores. Every request it makes, valid or made
//! invalid on purpose, must get a status the document lists for the
//! operation and never a 5xx, a response that matches its schema and
//! content type, and a refusal when the document forbids the request.
//!
//! The routes nodes sign (`/nodes/register`, `/nodes/heartbeat`,
//! `/nodes/poll`, `/nodes/stream`, `/chunks/...`) are not exercised here:
//! the client would have to sign each request.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;

on_both_stores!(a_client_generated_from_the_document_meets_only_what_it_documents);

/// The Schemathesis version `.ci/run` installs; the flags below are its.
const VERSION: &str = "4.32.5";

/// Test cases per operation and phase.
const EXAMPLES: &str = "100";

/// Routes a client must sign as a node.
const SIGNED: &str = "^/api/v1/(nodes/(register|heartbeat|poll|stream)|chunks/)";

/// Tells Schemathesis that a module's `application/wasm` body is bytes.
const HOOKS: &str = r#"import schemathesis
schemathesis.serializer.alias("application/wasm", "application/octet-stream")
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
             pip install schemathesis=={VERSION} and set WOWLAB_SCHEMATHESIS"
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
        .args(["--exclude-path-regex", SIGNED])
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
