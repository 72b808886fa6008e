//! The `wowlab` command: simulations, the module store, rotations, and the node.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use wowlab_runtime::modules::ModuleStore;
use wowlab_runtime::report::{self, Report};
use wowlab_runtime::runtime::Runtime;
use wowlab_runtime::sandbox::SandboxLimits;
use wowlab_runtime::simulate::{self, BackendChoice, RotationInput, SimRequest};
use wowlab_runtime::spec_file;

use wowlab::cli::{FightArgs, out};
use wowlab::{bench, gamedata, job, profile};

#[derive(Parser)]
#[command(name = "wowlab", version, about = "World of Warcraft combat simulator")]
struct Cli {
    /// Module store directory (default: $WOWLAB_HOME or ~/.local/share/wowlab).
    #[arg(long, global = true)]
    home: Option<PathBuf>,
    /// Linear memory cap of each guest, in MiB.
    #[arg(long, global = true, default_value_t = 64)]
    memory_mib: usize,
    /// Never run rotations with the jit backend (node operators).
    #[arg(long, global = true)]
    no_jit: bool,
    /// Time a rotation may take for one decision, in ms.
    #[arg(long, global = true, default_value_t = 100)]
    decision_timeout_ms: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a fight on this machine.
    Sim(SimArgs),
    /// Manage the module store.
    Module {
        #[command(subcommand)]
        command: ModuleCommand,
    },
    /// Work with rotations.
    Rotation {
        #[command(subcommand)]
        command: RotationCommand,
    },
    /// Measure simulation speed (iterations/s per core, ns per decision).
    Bench(bench::BenchArgs),
    /// Run chunks for a sentinel (lend this machine).
    Node(NodeArgs),
    /// Run simulations on a sentinel's nodes.
    Job {
        #[command(subcommand)]
        command: job::JobCommand,
    },
    /// Read a SimulationCraft profile and show what wowlab takes from it.
    Profile(profile::ProfileArgs),
    /// Extract the game data the project commits from the game's tables.
    Gamedata {
        #[command(subcommand)]
        command: gamedata::GamedataCommand,
    },
}

#[derive(clap::Args)]
struct NodeArgs {
    /// The sentinel's URL, e.g. https://sentinel.example or http://127.0.0.1:8080.
    #[arg(long, env = "WOWLAB_SENTINEL")]
    sentinel: String,
    /// A CA certificate (PEM) to trust besides the system's, for an
    /// https:// sentinel with a private or self-signed certificate.
    #[arg(long, env = "WOWLAB_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// Chunks to run at once (default: all cores).
    #[arg(long)]
    workers: Option<usize>,
    /// Where fetched modules and compiled artifacts are kept (default: the module store, --home).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Where the node's key is kept (default: the platform config dir, e.g. ~/.config/wowlab).
    #[arg(long)]
    config_dir: Option<PathBuf>,
    /// The owner's API token: claim the node without the code (headless servers).
    #[arg(long, env = "WOWLAB_TOKEN")]
    token: Option<String>,
    /// The name its owner sees (default: the host name).
    #[arg(long)]
    name: Option<String>,
    /// Log JSON lines (for servers).
    #[arg(long)]
    json_logs: bool,
    /// Report wrong results (only in the end-to-end tests' build, to show
    /// the sentinel catches a lying node).
    #[cfg(feature = "lying-node")]
    #[arg(long, value_enum)]
    lie: Option<wowlab::node::lie::Lie>,
}

#[derive(clap::Args)]
struct SimArgs {
    #[command(flatten)]
    fight: FightArgs,
    /// Job seed; the same seed gives the same result.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Run until the 95 % error of the mean is below this percent of it.
    #[arg(long)]
    target_error: Option<f64>,
    /// Print one JSON object instead of the text report.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum RotationCommand {
    /// Check a script or component against a spec: backends, names used, errors.
    Check {
        /// The rotation: a Rhai script or a wasm component.
        file: PathBuf,
        /// The spec pack it is for.
        #[arg(long)]
        spec: PathBuf,
    },
}

#[derive(Subcommand)]
enum ModuleCommand {
    /// Add a wasm component to the store and print its hash.
    Add {
        /// The component file.
        file: PathBuf,
    },
    /// List the modules in the store.
    Ls,
}

fn main() {
    let cli = Cli::parse();
    let logs = tracing_subscriber::fmt().with_writer(std::io::stderr);
    match &cli.command {
        // A node is a service: it logs what it does by default.
        Command::Node(args) => {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info".into());
            if args.json_logs {
                logs.json().with_env_filter(filter).init();
            } else {
                logs.with_env_filter(filter).init();
            }
        }
        _ => logs
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .init(),
    }
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let store = ModuleStore::new(cli.home.clone().unwrap_or_else(ModuleStore::default_root));
    let limits = SandboxLimits {
        memory_bytes: cli.memory_mib << 20,
        decision_timeout: std::time::Duration::from_millis(cli.decision_timeout_ms),
        ..SandboxLimits::default()
    };
    match cli.command {
        Command::Sim(args) => sim(&store, limits, !cli.no_jit, args),
        Command::Module { command } => module(&store, command),
        Command::Rotation {
            command: RotationCommand::Check { file, spec },
        } => rotation_check(&store, limits, &file, &spec),
        Command::Bench(args) => bench::run(&store, limits, args),
        Command::Node(args) => node(&store, limits, !cli.no_jit, args),
        Command::Job { command } => job::run(command, !cli.no_jit),
        Command::Gamedata { command } => gamedata::run(command),
        Command::Profile(args) => profile::run(&args),
    }
}

fn node(store: &ModuleStore, limits: SandboxLimits, jit: bool, args: NodeArgs) -> Result<()> {
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let name = args.name.unwrap_or_else(|| {
        std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "wowlab node".to_string())
    });
    let options = wowlab::node::NodeOptions {
        sentinel: args.sentinel,
        workers,
        cache_dir: args.cache_dir.unwrap_or_else(|| store.root().to_path_buf()),
        config_dir: args
            .config_dir
            .unwrap_or_else(wowlab::node::identity::default_config_dir),
        token: args.token,
        name,
        jit,
        limits,
        ca_cert: args.ca_cert,
        #[cfg(feature = "lying-node")]
        lie: args.lie,
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(wowlab::node::run(
            options,
            wowlab_runtime::shutdown::signal(),
        ))
}

fn sim(store: &ModuleStore, limits: SandboxLimits, jit_allowed: bool, args: SimArgs) -> Result<()> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let prepared = args.fight.prepare(jit_allowed, args.seed, threads)?;
    let request = SimRequest {
        target_error: args.target_error,
        ..prepared.request
    };
    let runtime = Runtime::new(limits)?;
    let bar = if std::io::stderr().is_terminal() && !args.json {
        let bar = ProgressBar::new(request.iterations);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} iterations ({per_sec}, eta {eta})")
                .expect("a valid template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let outcome = simulate::run(store, &runtime, &request, &|done, _| bar.set_position(done))
        .with_context(|| format!("simulating with {}", prepared.rotation_name))?;
    bar.finish_and_clear();
    let report = Report::new(&outcome.result, &outcome.config, request.seed);
    if args.json {
        out(&format!("{}\n", report.to_json()))
    } else {
        let title = format!("{} — {}", outcome.config.spec.name, prepared.rotation_name);
        out(&report::text(&report, &outcome.result, &title))
    }
}

fn rotation_check(
    store: &ModuleStore,
    limits: SandboxLimits,
    file: &std::path::Path,
    spec: &std::path::Path,
) -> Result<()> {
    let spec = spec_file::load(spec)?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let rotation = RotationInput::from_file(
        bytes,
        BackendChoice {
            backend: "auto",
            jit_allowed: false,
        },
        &spec,
    )?;
    let runtime = Runtime::new(limits)?;
    let report = wowlab_runtime::rotation_check::check(store, &runtime, &spec, &rotation)?;
    print!(
        "{}",
        wowlab_runtime::rotation_check::text(&report, &file.display().to_string(), &spec)
    );
    if report.error.is_some() {
        std::process::exit(1);
    }
    Ok(())
}

fn module(store: &ModuleStore, command: ModuleCommand) -> Result<()> {
    match command {
        ModuleCommand::Add { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let hash = store
                .add(&bytes)
                .with_context(|| format!("adding {}", file.display()))?;
            println!("{hash}");
        }
        ModuleCommand::Ls => {
            simulate::Builtins::install(store)?;
            for m in store.list()? {
                println!("{}  {:>9} bytes", m.hash, m.size);
            }
        }
    }
    Ok(())
}
