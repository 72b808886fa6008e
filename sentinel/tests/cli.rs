//! `wowlab-sentinel` subcommands as an operator runs them.

use std::process::{Command, Output};

fn sentinel(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wowlab-sentinel"))
        .env_remove("WOWLAB_DATABASE_URL")
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn user_add_prints_a_token_as_the_last_line_and_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let out = sentinel(dir.path(), &["user", "add", "alice"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let token = text.lines().last().unwrap();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    let again = sentinel(dir.path(), &["user", "add", "alice"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let other = stdout(&sentinel(dir.path(), &["user", "add", "bob"]));
    assert_ne!(other.lines().last().unwrap(), token, "tokens are random");
}

#[test]
fn the_builtin_engine_is_pinned_once_and_pins_can_be_managed() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = wowlab_protocol::address::hash_of(wowlab_artifacts::ENGINE);
    assert_eq!(
        stdout(&sentinel(dir.path(), &["engine", "ls"])).trim(),
        builtin
    );
    let other = "cd".repeat(32);
    assert!(
        sentinel(dir.path(), &["engine", "pin", &other])
            .status
            .success()
    );
    assert!(
        sentinel(dir.path(), &["engine", "unpin", &builtin])
            .status
            .success()
    );
    // A restart does not pin the built-in engine again.
    assert_eq!(
        stdout(&sentinel(dir.path(), &["engine", "ls"])).trim(),
        other
    );
    let bad = sentinel(dir.path(), &["engine", "pin", "XYZ"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an engine hash"));
    let missing = sentinel(dir.path(), &["engine", "unpin", &builtin]);
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn groups_are_created_and_their_members_managed() {
    let dir = tempfile::tempdir().unwrap();
    for user in ["alice", "bob"] {
        assert!(
            sentinel(dir.path(), &["user", "add", user])
                .status
                .success()
        );
    }
    assert!(
        sentinel(dir.path(), &["group", "add", "guild"])
            .status
            .success()
    );
    let again = sentinel(dir.path(), &["group", "add", "guild"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let added = sentinel(
        dir.path(),
        &["group", "add-member", "guild", "alice", "bob"],
    );
    assert!(added.status.success());
    assert_eq!(
        stdout(&sentinel(dir.path(), &["group", "ls"])).trim(),
        "guild: alice, bob"
    );
    let unknown = sentinel(dir.path(), &["group", "add-member", "guild", "carol"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user named `carol`"));
    assert!(
        sentinel(dir.path(), &["group", "remove-member", "guild", "alice"])
            .status
            .success()
    );
    assert_eq!(
        stdout(&sentinel(dir.path(), &["group", "ls"])).trim(),
        "guild: bob"
    );
    let missing = sentinel(dir.path(), &["group", "add-member", "nope", "bob"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no group named `nope`"));
}

#[test]
fn an_unusable_tls_certificate_or_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    let listen = ["--listen", "127.0.0.1:0"];
    for (cert, key, needle) in [
        (&missing, &not_pem, "missing.pem"),
        (&not_pem, &not_pem, "not.pem: no certificate in it"),
    ] {
        let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
        let out = sentinel(
            dir.path(),
            &[&listen[..], &["--tls-cert", cert, "--tls-key", key]].concat(),
        );
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    let alone = sentinel(dir.path(), &["--tls-cert", not_pem.to_str().unwrap()]);
    assert!(!alone.status.success());
    assert!(String::from_utf8_lossy(&alone.stderr).contains("--tls-key"));
}

/// `wowlab-sentinel ARGS` with `input` on standard input.
fn sentinel_with_input(dir: &std::path::Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_wowlab-sentinel"))
        .env_remove("WOWLAB_DATABASE_URL")
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn portal_passwords_are_set_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let short = sentinel_with_input(
        dir.path(),
        &["user", "add", "alice", "--password"],
        "short\n",
    );
    assert_eq!(short.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8 characters"));
    let listed = sentinel(dir.path(), &["user", "add", "alice"]);
    assert!(
        listed.status.success(),
        "a refused password created no user"
    );

    let set = sentinel_with_input(dir.path(), &["user", "password", "alice"], "long enough\n");
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert_eq!(stdout(&set), "password set for alice\n");
    let added = sentinel_with_input(
        dir.path(),
        &["user", "add", "bob", "--password"],
        "also long enough\n",
    );
    assert!(added.status.success());
    assert!(stdout(&added).starts_with("created user bob"));
    let nobody = sentinel_with_input(dir.path(), &["user", "password", "carol"], "long enough\n");
    assert_eq!(nobody.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no user named `carol`"));
}

#[test]
fn a_broken_spec_pack_in_the_spec_dir_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let packs = dir.path().join("packs");
    std::fs::create_dir(&packs).unwrap();
    std::fs::write(
        packs.join("mage.toml"),
        "name = \"Mage\"\n[resource]\nname = 1\n",
    )
    .unwrap();
    let out = sentinel(
        dir.path(),
        &[
            "--listen",
            "127.0.0.1:0",
            "--spec-dir",
            packs.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mage.toml") && stderr.contains("line 3"),
        "{stderr}"
    );
}

#[test]
fn verification_options_are_checked_and_only_a_quarantined_node_is_released() {
    let dir = tempfile::tempdir().unwrap();
    let bad = sentinel(dir.path(), &["--verify-min-rate", "1.5", "engine", "ls"]);
    assert_eq!(bad.status.code(), Some(1));
    let error = String::from_utf8_lossy(&bad.stderr);
    assert!(
        error.contains("--verify-*") && error.contains("`min_rate` is 1.5"),
        "{error}"
    );
    let out = sentinel(dir.path(), &["node", "release", "7"]);
    assert_eq!(out.status.code(), Some(1));
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(error.contains("node 7 is not quarantined"), "{error}");
}
