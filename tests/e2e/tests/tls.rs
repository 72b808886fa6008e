//! A sentinel serving HTTPS (`--tls-cert`, `--tls-key`) with a self-signed
//! certificate: a node and `wowlab job submit` that trust it (`--ca-cert`)
//! run a job over https and wss whose result equals `wowlab sim`'s; a node
//! that does not trust it says why and never registers; plain HTTP to the
//! TLS port gets no answer.

use std::process::Command;
use std::time::Duration;

use wowlab_e2e::{Database, Process, Sentinel, bin, sim};

const JOB: [&str; 12] = [
    "--spec",
    "examples/specs/bm_hunter.toml",
    "--rotation",
    "examples/rotations/bm_hunter.rhai",
    "--iterations",
    "3000",
    "--duration",
    "60",
    "--seed",
    "7",
    "--json",
    "--wait",
];

#[test]
fn nodes_and_clients_reach_a_sentinel_over_tls_only_when_they_trust_it() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    let cert = cert.to_str().unwrap();
    let mut s = Sentinel::start(
        Database::Sqlite(dir.join("sentinel")),
        &["--tls-cert", cert, "--tls-key", key.to_str().unwrap()],
    );
    let port = s.url.rsplit(':').next().unwrap().to_string();
    s.url = format!("https://localhost:{port}");

    let mut stranger = Command::new(bin("wowlab"));
    stranger
        .arg("--home")
        .arg(dir.join("stranger"))
        .args(["node", "--sentinel", &s.url, "--config-dir"])
        .arg(dir.join("stranger"));
    let stranger = Process::start(stranger);
    let refused = stranger.wait_for("registering", Duration::from_secs(30));
    assert!(refused.contains("certificate"), "{refused}");

    let node = s.node(&dir.join("node"), 2, &["--ca-cert", cert]);
    let mut submit = vec!["submit", "--ca-cert", cert];
    submit.extend(JOB);
    let out = s.job(&submit);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let local = sim(&dir.join("sim"), &JOB[..JOB.len() - 1]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), local);
    node.wait_for("assignment stream connected", Duration::from_secs(1));
    assert!(
        !stranger.log().contains("claim code"),
        "the untrusting node never registered:\n{}",
        stranger.log()
    );

    let plain = reqwest::blocking::Client::new()
        .get(format!("http://127.0.0.1:{port}/api/v1/status"))
        .timeout(Duration::from_secs(5))
        .send();
    assert!(
        plain.is_err(),
        "plain HTTP got an answer: {:?}",
        plain.map(|r| r.status())
    );
}
