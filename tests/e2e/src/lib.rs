//! The end-to-end harness: starts `wowlab-sentinel` and `wowlab node`
//! processes (built by `cargo test --workspace` next to this test binary)
//! on real sockets, and runs `wowlab` commands against them.

pub mod browser;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The directory holding the workspace's binaries (`target/<profile>`):
/// this executable's, or its parent's for a test in `target/<profile>/deps`.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("this executable's path");
    let dir = exe.parent().expect("an executable lives in a directory");
    if dir.ends_with("deps") {
        dir.parent().expect("target/<profile>/deps").to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

/// The path of a workspace binary; `cargo test --workspace` (or `cargo build --workspace`) builds it.
pub fn bin(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --release --workspace`, which builds it",
        path.display()
    );
    path
}

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A child process with its log, killed when dropped.
pub struct Process {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Starts `command`, collecting its stderr lines.
    pub fn start(mut command: Command) -> Self {
        let mut child = command
            .stderr(Stdio::piped())
            .stdout(Stdio::piped())
            .env("NO_COLOR", "1")
            .spawn()
            .expect("the process starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stderr.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stdout.take().unwrap()),
        ] {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    log.lock().unwrap().push(line);
                }
            });
        }
        Self { child, log }
    }

    /// Waits until a log line contains `needle`; the line.
    pub fn wait_for(&self, needle: &str, within: Duration) -> String {
        let start = Instant::now();
        loop {
            if let Some(line) = self.log.lock().unwrap().iter().find(|l| l.contains(needle)) {
                return line.clone();
            }
            assert!(
                start.elapsed() < within,
                "no log line with `{needle}` within {within:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything it logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// The lines it logged at WARN or ERROR level, to explain a failure.
    pub fn problems(&self) -> String {
        let log = self.log.lock().unwrap();
        let lines: Vec<&str> = log
            .iter()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .map(String::as_str)
            .collect();
        lines.join("\n")
    }

    /// SIGKILL (no chance to clean up).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for it to exit; its exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        self.child.wait().expect("it exits")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Where a sentinel keeps its data: SQLite in a directory, or a PostgreSQL database.
#[derive(Debug, Clone)]
pub enum Database {
    /// `--data-dir`.
    Sqlite(PathBuf),
    /// `--database-url`.
    Postgres(String),
}

impl Database {
    fn args(&self, command: &mut Command) {
        match self {
            Database::Sqlite(dir) => command.arg("--data-dir").arg(dir),
            Database::Postgres(url) => command.arg("--database-url").arg(url),
        };
        command.env_remove("WOWLAB_DATABASE_URL");
    }
}

/// A fresh PostgreSQL database when `WOWLAB_TEST_POSTGRES` names an admin URL.
pub async fn postgres_database() -> Option<String> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin = std::env::var("WOWLAB_TEST_POSTGRES").ok()?;
    let name = format!(
        "wowlab_test_e2e_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("PostgreSQL at WOWLAB_TEST_POSTGRES");
    // The name is made here from digits and a fixed prefix.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Some(format!("{base}/{name}"))
}

/// A sentinel process and what it takes to use it.
pub struct Sentinel {
    /// The process.
    pub process: Process,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// A user's API token.
    pub token: String,
    database: Database,
    listen: String,
    extra: Vec<String>,
}

fn sentinel_command(database: &Database, args: &[&str]) -> Command {
    let mut command = Command::new(bin("wowlab-sentinel"));
    database.args(&mut command);
    command.args(args);
    command
}

fn run(mut command: Command) -> Output {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

impl Sentinel {
    /// Starts a sentinel on `database` with a user, on a free port, with `extra` flags.
    pub fn start(database: Database, extra: &[&str]) -> Self {
        let added = run(sentinel_command(&database, &["user", "add", "alice"]));
        let token = String::from_utf8(added.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .to_string();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let listen = format!("127.0.0.1:{port}");
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let process = Self::spawn(&database, &listen, &extra);
        Self {
            process,
            url: format!("http://{listen}"),
            token,
            database,
            listen,
            extra,
        }
    }

    fn spawn(database: &Database, listen: &str, extra: &[String]) -> Process {
        let mut command = sentinel_command(database, &["--listen", listen]);
        command.args(extra);
        let process = Process::start(command);
        process.wait_for("serving on", Duration::from_secs(30));
        process
    }

    /// Adds a user; their API token.
    pub fn add_user(&self, name: &str) -> String {
        let added = run(sentinel_command(&self.database, &["user", "add", name]));
        String::from_utf8(added.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .to_string()
    }

    /// Sets the portal password of user `name`.
    pub fn set_password(&self, name: &str, password: &str) {
        let mut command = sentinel_command(&self.database, &["user", "password", name]);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wowlab-sentinel runs");
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "setting the password failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts a node nobody has claimed yet; the process and its claim code.
    pub fn unclaimed_node(&self, dir: &Path, workers: usize) -> (Process, String) {
        let process = Process::start(self.node_command(dir, workers));
        let line = process.wait_for("claim code is", Duration::from_secs(30));
        let code = line
            .rsplit("claim code is ")
            .next()
            .and_then(|rest| rest.strip_suffix('.'))
            .expect("a claim code")
            .to_string();
        (process, code)
    }

    /// `METHOD /api/v1PATH` with `body` as the user with `token`; status and JSON answer.
    pub fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut request = reqwest::blocking::Client::new()
            .request(method, format!("{}/api/v1{path}", self.url))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().expect("the sentinel answers");
        let status = response.status();
        let text = response.text().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Kills the sentinel and starts it again on the same port and database.
    pub fn restart(&mut self) {
        self.process.kill();
        self.process = Self::spawn(&self.database, &self.listen, &self.extra);
    }

    /// `wowlab node` for this sentinel with `workers` workers, its files in `dir`.
    fn node_command(&self, dir: &Path, workers: usize) -> Command {
        let mut command = Command::new(bin("wowlab"));
        command
            .arg("--home")
            .arg(dir.join("home"))
            .args(["node", "--sentinel", &self.url, "--workers"])
            .arg(workers.to_string())
            .arg("--config-dir")
            .arg(dir.join("config"));
        command
    }

    /// Starts a node process with `workers` workers, claimed for the user.
    pub fn node(&self, dir: &Path, workers: usize, extra: &[&str]) -> Process {
        self.node_of(&self.token, dir, workers, extra)
    }

    /// Starts a node process claimed for the user with `token`.
    pub fn node_of(&self, token: &str, dir: &Path, workers: usize, extra: &[&str]) -> Process {
        let mut command = self.node_command(dir, workers);
        command.args(["--token", token]).args(extra);
        let process = Process::start(command);
        process.wait_for("taking work", Duration::from_secs(30));
        process
    }

    /// Polls `wowlab job status` until the job is done; its JSON report
    /// (which equals `wowlab sim --json`'s for the same job).
    pub fn wait_for_result(&self, id: &str, within: Duration) -> String {
        self.wait_for_result_watching(id, within, &[])
    }

    /// [`Sentinel::wait_for_result`], showing the logs of `nodes` and the
    /// sentinel's warnings if the job is not done in time.
    pub fn wait_for_result_watching(
        &self,
        id: &str,
        within: Duration,
        nodes: &[&Process],
    ) -> String {
        let start = std::time::Instant::now();
        loop {
            let out = self.job(&["status", id, "--json"]);
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            if text.contains("\"mean_dps\"") {
                return text;
            }
            assert!(
                start.elapsed() < within,
                "job {id} not done in {within:?}: {text}\nsentinel's warnings:\n{}\n{}",
                self.process.problems(),
                nodes
                    .iter()
                    .enumerate()
                    .map(|(i, n)| format!("node {i}'s log:\n{}", n.log()))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// `wowlab job ARGS` against this sentinel, as the first user.
    pub fn job(&self, args: &[&str]) -> Output {
        self.job_as(&self.token, args)
    }

    /// Submits a job of the reference spec and rotation with `wowlab job
    /// submit` (uploading them); its id.
    pub fn submit_reference(&self, iterations: u64) -> i64 {
        let iterations = iterations.to_string();
        let out = self.job(&[
            "submit",
            "--spec",
            "examples/specs/bm_hunter.toml",
            "--rotation",
            "examples/rotations/bm_hunter.rhai",
            "--iterations",
            &iterations,
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let job: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        job["job_id"].as_i64().expect("a job id")
    }

    /// `wowlab job ARGS` against this sentinel, as the user with `token`.
    pub fn job_as(&self, token: &str, args: &[&str]) -> Output {
        let mut command = Command::new(bin("wowlab"));
        command
            .current_dir(repo())
            .arg("job")
            .args(args)
            .env("WOWLAB_SENTINEL", &self.url)
            .env("WOWLAB_TOKEN", token);
        command.output().expect("wowlab job runs")
    }
}

/// `wowlab sim ARGS` (from the repository root), which must succeed; its stdout.
pub fn sim(home: &Path, args: &[&str]) -> String {
    let mut command = Command::new(bin("wowlab"));
    command
        .current_dir(repo())
        .arg("--home")
        .arg(home)
        .arg("sim")
        .args(args);
    String::from_utf8(run(command).stdout).unwrap()
}

/// A signed POST as a node would send it: signed by `signer` at `timestamp`
/// with `nonce`, but carrying `key`'s public key (they differ only to forge).
pub fn signed_post(
    url: &str,
    key: &wowlab_protocol::signing::NodeKey,
    signer: &wowlab_protocol::signing::NodeKey,
    path: &str,
    body: &[u8],
    timestamp: i64,
    nonce: &str,
) -> (reqwest::StatusCode, serde_json::Value) {
    static HTTP: OnceLock<reqwest::blocking::Client> = OnceLock::new();
    let full = format!("/api/v1{path}");
    let mut headers = signer.sign(timestamp, nonce, "POST", &full, body);
    headers.key = key.public_hex();
    let mut request = HTTP
        .get_or_init(reqwest::blocking::Client::new)
        .post(format!("{url}{full}"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers.pairs() {
        request = request.header(name, value);
    }
    let response = request.send().expect("the sentinel answers");
    let status = response.status();
    (status, response.json().unwrap_or(serde_json::Value::Null))
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// One entry of a `/chunks/complete` report: the chunk, its result and digest.
pub fn chunk_report(
    chunk_id: &serde_json::Value,
    result: &wowlab_engine::BatchResult,
) -> serde_json::Value {
    serde_json::json!({
        "chunk_id": chunk_id,
        "result": result,
        "digest": wowlab_protocol::digest::result_digest(result),
    })
}

/// A result that passes the sentinel's checks for a chunk of `iterations`,
/// for benches that report without simulating.
pub fn ready_result(iterations: u64) -> wowlab_engine::BatchResult {
    let mut result = wowlab_engine::BatchResult::default();
    result.dps.count = iterations;
    result.fight_length.count = iterations;
    result
}

/// Runs each named scenario `fn(Database, &Path)` on SQLite and, when
/// `WOWLAB_TEST_POSTGRES` is set, on a fresh PostgreSQL database, each in a
/// temporary directory.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let db = wowlab_e2e::Database::Sqlite(dir.path().join("sentinel"));
                tokio::task::block_in_place(|| super::$name(db, dir.path()));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(url) = wowlab_e2e::postgres_database().await else {
                    eprintln!("PostgreSQL variant not run: set WOWLAB_TEST_POSTGRES");
                    return;
                };
                let dir = tempfile::tempdir().unwrap();
                tokio::task::block_in_place(|| {
                    super::$name(wowlab_e2e::Database::Postgres(url), dir.path())
                });
            }
        }
    )*};
}

/// A signed request from a simulated node with `key` (a fresh nonce each time).
pub fn node_post(
    s: &Sentinel,
    key: &wowlab_protocol::signing::NodeKey,
    path: &str,
    body: &[u8],
) -> (reqwest::StatusCode, serde_json::Value) {
    static NONCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nonce = format!("sim-node-{:016x}", NONCE.fetch_add(1, Ordering::Relaxed));
    signed_post(&s.url, key, key, path, body, now(), &nonce)
}

/// Simulated nodes, one thread each, poll and report a ready-made result
/// for every chunk they get (all of one poll in one report, each
/// acknowledged) until job `job` is done; `on_batch` is told each batch's size.
pub fn run_simulated_nodes(
    s: &Sentinel,
    keys: &[wowlab_protocol::signing::NodeKey],
    job: i64,
    on_batch: impl Fn(usize) + Sync,
) {
    let result = ready_result(1000);
    std::thread::scope(|scope| {
        for key in keys {
            let (result, on_batch) = (&result, &on_batch);
            scope.spawn(move || {
                loop {
                    let (_, v) = node_post(s, key, "/nodes/poll", b"{}");
                    let assignments = v["assignments"].as_array().cloned().unwrap_or_default();
                    if assignments.is_empty() {
                        let path = format!("/jobs/{job}");
                        let (_, j) = s.api(reqwest::Method::GET, &path, &s.token, None);
                        if j["status"] != "running" && j["status"] != "pending" {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(2));
                        continue;
                    }
                    on_batch(assignments.len());
                    let results: Vec<_> = assignments
                        .iter()
                        .map(|a| chunk_report(&a["chunk_id"], result))
                        .collect();
                    let body =
                        serde_json::to_vec(&serde_json::json!({ "results": results })).unwrap();
                    let (status, v) = node_post(s, key, "/chunks/complete", &body);
                    assert!(status.is_success(), "{v}\n{}", s.process.problems());
                    assert_eq!(
                        v["acks"].as_array().map(Vec::len),
                        Some(results.len()),
                        "{v}"
                    );
                }
            });
        }
    });
    let (_, j) = s.api(
        reqwest::Method::GET,
        &format!("/jobs/{job}"),
        &s.token,
        None,
    );
    assert_eq!(j["status"], "done", "{j}");
}
