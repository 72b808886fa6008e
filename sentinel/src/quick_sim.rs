//! The portal's Test button: a short simulation run on the sentinel itself,
//! so a rotation author sees a DPS figure or the line of their mistake
//! within a second, before submitting a job to the nodes.
//!
//! The script runs in the same sandbox as on a node (the Rhai component
//! under wasmtime, memory and time bounded). Tests run one at a time; a
//! request that waits too long for its turn is told the sentinel is busy.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use wowlab_engine::config::ExternalAura;
use wowlab_engine::spec::SpecPack;
use wowlab_rhai::RotationError;
use wowlab_runtime::modules::ModuleStore;
use wowlab_runtime::runtime::Runtime;
use wowlab_runtime::simulate::{RotationInput, SimRequest};

/// Iterations of a test run.
pub const ITERATIONS: u64 = 100;
/// The seed of every test run, so the same script gives the same figure.
const SEED: u64 = 1;
/// How long a test waits for the one running before it.
const QUEUE_WAIT: Duration = Duration::from_secs(10);

/// What a test run asks for.
#[derive(Debug, Clone)]
pub struct TestRun {
    /// The pack, with the character to simulate as its `player`.
    pub spec: SpecPack,
    /// The Rhai script.
    pub script: String,
    /// Fight length in seconds.
    pub duration_s: f64,
    /// Number of targets.
    pub targets: u32,
    /// Auras others apply at set times (a pasted profile's raid).
    pub external_auras: Vec<ExternalAura>,
}

/// What a test run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum TestOutcome {
    /// It ran.
    Dps {
        /// Mean DPS.
        mean: f64,
        /// Half-width of its 95 % confidence interval.
        error: f64,
        /// Iterations run.
        iterations: u64,
    },
    /// It did not; `line` and `column` (1-based) point at the mistake when known.
    Error {
        /// What is wrong.
        message: String,
        /// Line of the mistake.
        line: Option<usize>,
        /// Column of the mistake.
        column: Option<usize>,
    },
}

impl TestOutcome {
    fn error(message: impl Into<String>) -> Self {
        let message = message.into();
        let (line, column) = match position_in(&message) {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        Self::Error {
            message,
            line,
            column,
        }
    }
}

/// Runs test simulations, one at a time.
pub struct QuickSim {
    runtime: Arc<Runtime>,
    modules: Mutex<Option<Arc<(tempfile::TempDir, ModuleStore)>>>,
    turn: tokio::sync::Semaphore,
}

impl QuickSim {
    /// Test runs on `runtime`; the module cache is made on first use.
    pub fn new(runtime: Arc<Runtime>) -> Self {
        Self {
            runtime,
            modules: Mutex::new(None),
            turn: tokio::sync::Semaphore::new(1),
        }
    }

    fn modules(&self) -> std::io::Result<Arc<(tempfile::TempDir, ModuleStore)>> {
        let mut modules = self.modules.lock().expect("module cache lock");
        if let Some(m) = &*modules {
            return Ok(m.clone());
        }
        let dir = tempfile::Builder::new()
            .prefix("wowlab-sentinel-test-")
            .tempdir()?;
        let store = ModuleStore::new(dir.path());
        let made = Arc::new((dir, store));
        *modules = Some(made.clone());
        Ok(made)
    }

    /// Checks the script against the pack, then runs [`ITERATIONS`] iterations.
    pub async fn run(&self, test: TestRun) -> TestOutcome {
        let (spells, auras) = wowlab_runtime::simulate::names(&test.spec);
        if let Err(e) = wowlab_rhai::check(&spells, &auras, &test.script, Default::default()) {
            return match e {
                RotationError::Syntax {
                    line,
                    column,
                    message,
                } => TestOutcome::Error {
                    message,
                    line: Some(line),
                    column: Some(column),
                },
                RotationError::Invalid(message) => TestOutcome::error(message),
            };
        }
        let Ok(Ok(_turn)) = tokio::time::timeout(QUEUE_WAIT, self.turn.acquire()).await else {
            return TestOutcome::error("the sentinel is busy with other tests; try again shortly");
        };
        let modules = match self.modules() {
            Ok(m) => m,
            Err(e) => {
                tracing::error!("test run module cache: {e}");
                return TestOutcome::error("the sentinel cannot run tests right now");
            }
        };
        let runtime = self.runtime.clone();
        let request = SimRequest {
            spec: test.spec,
            rotation: RotationInput::Rhai(test.script),
            iterations: ITERATIONS,
            duration_s: test.duration_s,
            vary_length: 0.0,
            targets: test.targets,
            seed: SEED,
            threads: 1,
            engine: None,
            target_error: None,
            player: None,
            options: Default::default(),
            ignored: Vec::new(),
            damage_taken: Vec::new(),
            external_auras: test.external_auras,
        };
        let ran = tokio::task::spawn_blocking(move || {
            wowlab_runtime::simulate::run(&modules.1, &runtime, &request, &|_, _| {})
        })
        .await;
        match ran {
            Ok(Ok(outcome)) => TestOutcome::Dps {
                mean: outcome.result.dps.mean(),
                error: outcome.result.dps.error95(),
                iterations: outcome.result.iterations(),
            },
            Ok(Err(e)) => TestOutcome::error(format!("{e:#}")),
            Err(e) => {
                tracing::error!("test run panicked: {e}");
                TestOutcome::error("the test run failed inside the sentinel")
            }
        }
    }
}

/// The first `line L, column C` or `L:C:` position in an error message.
fn position_in(message: &str) -> Option<(usize, usize)> {
    let number = |s: &str| -> Option<(usize, usize)> {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        s[..digits].parse().ok().map(|n| (n, digits))
    };
    for (i, _) in message.char_indices() {
        let rest = &message[i..];
        if let Some(after) = rest.strip_prefix("line ")
            && let Some((line, n)) = number(after)
        {
            let column = after[n..]
                .strip_prefix(", column ")
                .and_then(number)
                .map_or(1, |(c, _)| c);
            return Some((line, column));
        }
        let starts_word = i == 0 || !message.as_bytes()[i - 1].is_ascii_alphanumeric();
        if starts_word
            && let Some((line, n)) = number(rest)
            && let Some((column, m)) = rest[n..].strip_prefix(':').and_then(number)
            && rest[n + 1 + m..].starts_with(':')
        {
            return Some((line, column));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::position_in;

    #[test]
    fn positions_are_found_in_both_spellings() {
        assert_eq!(position_in("rotation: 3:14: unknown spell"), Some((3, 14)));
        assert_eq!(position_in("error at line 7, column 2: x"), Some((7, 2)));
        assert_eq!(position_in("in line 9 something"), Some((9, 1)));
        assert_eq!(position_in("took 12:30 minutes"), None);
        assert_eq!(position_in("no position here"), None);
    }
}
