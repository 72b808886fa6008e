//! `e2e-bench`: the end-to-end overhead of the distributed path. Runs a
//! 100,000-iteration job on a local sentinel (SQLite) with two nodes of one
//! worker each, and `wowlab sim --threads 2` on the same config and seed,
//! alternately, and prints the wall times and their ratio.
//!
//! `cargo build --release --workspace && target/release/e2e-bench [ROUNDS]`

use std::time::{Duration, Instant};

use wowlab_e2e::{Database, Sentinel, sim};

const ITERATIONS: &str = "100000";

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(3, |n| n.parse().expect("ROUNDS is a number"));
    let dir = tempfile::tempdir().unwrap();
    let s = Sentinel::start(Database::Sqlite(dir.path().join("sentinel")), &[]);
    let _a = s.node(&dir.path().join("a"), 1, &[]);
    let _b = s.node(&dir.path().join("b"), 1, &[]);
    let spec = [
        "--spec",
        "examples/specs/bm_hunter.toml",
        "--rotation",
        "examples/rotations/bm_hunter.rhai",
        "--json",
    ];
    let job = |iterations: &str, seed: &str| {
        let mut args = vec![
            "submit",
            "--iterations",
            iterations,
            "--seed",
            seed,
            "--wait",
        ];
        args.extend(spec);
        let start = Instant::now();
        let out = s.job(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (start.elapsed(), String::from_utf8(out.stdout).unwrap())
    };
    let local = |iterations: &str, seed: &str| {
        let mut args = vec!["--iterations", iterations, "--seed", seed, "--threads", "2"];
        args.extend(spec);
        let start = Instant::now();
        let out = sim(&dir.path().join("sim"), &args);
        (start.elapsed(), out)
    };
    // Warm up: each node compiles the engine once; so does `wowlab sim`.
    job("4000", "0");
    local("1000", "0");

    let (mut distributed, mut alone) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let seed = (round + 1).to_string();
        let (t_job, out_job) = job(ITERATIONS, &seed);
        let (t_sim, out_sim) = local(ITERATIONS, &seed);
        assert_eq!(
            out_job, out_sim,
            "the distributed result equals the local one"
        );
        println!(
            "round {round}: sentinel + 2 nodes {:.2} s, wowlab sim --threads 2 {:.2} s",
            t_job.as_secs_f64(),
            t_sim.as_secs_f64()
        );
        distributed.push(t_job);
        alone.push(t_sim);
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2].as_secs_f64()
    };
    let (d, a) = (median(&mut distributed), median(&mut alone));
    println!(
        "{ITERATIONS} iterations, median of {rounds}: sentinel + 2 nodes (1 worker each) {d:.2} s, \
         wowlab sim --threads 2 {a:.2} s, ratio {:.3}",
        d / a
    );
}
