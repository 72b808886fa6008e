//! `wowlab-sentinel`: serve the API, or manage users, groups and engine pins.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use wowlab_runtime::runtime::Runtime;
use wowlab_runtime::sandbox::SandboxLimits;
use wowlab_sentinel::app::AppState;
use wowlab_sentinel::store::{NodeId, Store, UserId};
use wowlab_sentinel::thresholds::Thresholds;
use wowlab_sentinel::verification::Verification;

#[derive(Parser)]
#[command(
    name = "wowlab-sentinel",
    version,
    about = "The wowlab scheduler service"
)]
struct Cli {
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080", global = true)]
    listen: SocketAddr,
    /// Database URL (sqlite://FILE or postgres://...); default: SQLite in --data-dir.
    #[arg(long, env = "WOWLAB_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Most iterations one job may ask for.
    #[arg(long, default_value_t = wowlab_sentinel::jobs::DEFAULT_MAX_ITERATIONS, global = true)]
    max_iterations: u64,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, requires = "tls_key", global = true)]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, requires = "tls_cert", global = true)]
    tls_key: Option<PathBuf>,
    /// Spec packs the portal offers besides the built-in ones: NAME.toml (or
    /// .json) files, each with an optional NAME.rhai starting rotation.
    #[arg(long, env = "WOWLAB_SPEC_DIR", global = true)]
    spec_dir: Option<PathBuf>,
    /// Directory for the embedded database.
    #[arg(long, default_value = "wowlab-data", global = true)]
    data_dir: PathBuf,
    #[command(flatten)]
    thresholds: ThresholdArgs,
    #[command(flatten)]
    verification: VerificationArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Timing thresholds, in seconds (defaults in [`Thresholds::default`]).
#[derive(clap::Args)]
struct ThresholdArgs {
    /// A node is offline (and its chunks return to pending) after this long
    /// without a request; nodes heartbeat every quarter of it (1 to 15 s).
    #[arg(long, default_value_t = 60, global = true, value_parser = clap::value_parser!(u64).range(2..))]
    offline_after_secs: u64,
    /// Unclaimed nodes are removed after this long.
    #[arg(long, default_value_t = 3600, global = true)]
    unclaimed_node_ttl_secs: u64,
    /// Offline nodes are removed after this long.
    #[arg(long, default_value_t = 30 * 86_400, global = true)]
    offline_node_ttl_secs: u64,
    /// Configs no job uses are removed after this long unused.
    #[arg(long, default_value_t = 7 * 86_400, global = true)]
    config_ttl_secs: u64,
    /// Modules nothing refers to are removed after this long.
    #[arg(long, default_value_t = 7 * 86_400, global = true)]
    module_ttl_secs: u64,
    /// A chunk that failed deterministically fails its job when no other node takes it for this long.
    #[arg(long, default_value_t = 600, global = true)]
    failed_chunk_wait_secs: u64,
    /// The scheduler sweeps for work this often (milliseconds), besides its wake-ups.
    #[arg(long, default_value_t = 1000, global = true)]
    sweep_every_ms: u64,
    /// Maintenance runs this often (once across all sentinels on one database).
    #[arg(long, default_value_t = 10_000, global = true)]
    maintenance_every_ms: u64,
}

impl ThresholdArgs {
    fn thresholds(&self) -> Thresholds {
        let secs = Duration::from_secs;
        Thresholds {
            offline_after: secs(self.offline_after_secs),
            unclaimed_node_ttl: secs(self.unclaimed_node_ttl_secs),
            offline_node_ttl: secs(self.offline_node_ttl_secs),
            config_ttl: secs(self.config_ttl_secs),
            module_ttl: secs(self.module_ttl_secs),
            failed_chunk_wait: secs(self.failed_chunk_wait_secs),
            sweep_every: Duration::from_millis(self.sweep_every_ms.max(1)),
            maintenance_every: Duration::from_millis(self.maintenance_every_ms.max(1)),
            ..Thresholds::default()
        }
    }
}

/// How often results are re-run on another node to verify them (see the
/// README's "Verified results").
#[derive(clap::Args)]
struct VerificationArgs {
    /// Share of a new node's results re-run on another node.
    #[arg(long, default_value_t = Verification::default().new_rate, global = true)]
    verify_new_rate: f64,
    /// Confirmed results in a row after which a node is reliable.
    #[arg(long, default_value_t = Verification::default().reliable_after, global = true)]
    verify_reliable_after: i64,
    /// Share of a reliable node's results re-run when it becomes reliable;
    /// it falls as its streak grows (rate × reliable-after / streak).
    #[arg(long, default_value_t = Verification::default().reliable_rate, global = true)]
    verify_reliable_rate: f64,
    /// The share re-run never falls below this.
    #[arg(long, default_value_t = Verification::default().min_rate, global = true)]
    verify_min_rate: f64,
    /// A re-run waits this long for a node of another owner than those that
    /// ran the chunk before any other node may take it.
    #[arg(long, default_value_t = Verification::default().other_owner_wait_ms / 1000, global = true)]
    verify_other_owner_wait_secs: i64,
}

impl VerificationArgs {
    fn verification(&self) -> Result<Verification> {
        Verification {
            new_rate: self.verify_new_rate,
            reliable_after: self.verify_reliable_after,
            reliable_rate: self.verify_reliable_rate,
            min_rate: self.verify_min_rate,
            other_owner_wait_ms: self.verify_other_owner_wait_secs.max(0) * 1000,
        }
        .validated()
        .context("the --verify-* options")
    }
}

#[derive(Subcommand)]
enum Command {
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage groups of users (who may see jobs and use nodes).
    Group {
        #[command(subcommand)]
        command: GroupCommand,
    },
    /// Manage the engine modules jobs may use.
    Engine {
        #[command(subcommand)]
        command: EngineCommand,
    },
    /// Manage nodes.
    Node {
        #[command(subcommand)]
        command: NodeCommand,
    },
}

#[derive(Subcommand)]
enum NodeCommand {
    /// Lift a node's quarantine (e.g. after its owner fixed a faulty
    /// machine): it gets work again, all its results re-run at first.
    Release {
        /// The node's id (as `GET /api/v1/nodes` shows it to its owner).
        id: i64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the API token is the last line printed.
    Add {
        /// The user's name.
        name: String,
        /// Also set a password for the portal (asked on the terminal, or read
        /// from the first line of standard input).
        #[arg(long)]
        password: bool,
    },
    /// Set or change a user's portal password (asked on the terminal, or
    /// read from the first line of standard input).
    Password {
        /// The user's name.
        name: String,
    },
}

#[derive(Subcommand)]
enum GroupCommand {
    /// Create a group.
    Add {
        /// The group's name.
        name: String,
    },
    /// Add users to a group.
    AddMember {
        /// The group.
        group: String,
        /// The users.
        #[arg(required = true)]
        users: Vec<String>,
    },
    /// Remove users from a group.
    RemoveMember {
        /// The group.
        group: String,
        /// The users.
        #[arg(required = true)]
        users: Vec<String>,
    },
    /// List groups and their members.
    Ls,
}

#[derive(Subcommand)]
enum EngineCommand {
    /// Accept jobs that name this engine hash.
    Pin { hash: String },
    /// Stop accepting it.
    Unpin { hash: String },
    /// List pinned engines.
    Ls,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn open(cli: &Cli) -> Result<Store> {
    let url = match &cli.database_url {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&cli.data_dir)
                .with_context(|| format!("creating {}", cli.data_dir.display()))?;
            format!(
                "sqlite://{}?mode=rwc",
                cli.data_dir.join("sentinel.db").display()
            )
        }
    };
    let store = Store::connect(&url)
        .await
        .context("opening the database")?
        .with_verification(cli.verification.verification()?);
    wowlab_sentinel::prepare(&store).await?;
    Ok(store)
}

async fn run(cli: Cli) -> Result<()> {
    let store = open(&cli).await?;
    match &cli.command {
        None => serve(&cli, store).await?,
        Some(Command::User { command }) => user(&store, command).await?,
        Some(Command::Group { command }) => group(&store, command).await?,
        Some(Command::Node {
            command: NodeCommand::Release { id },
        }) => {
            if !store.release_node(NodeId(*id)).await? {
                bail!("node {id} is not quarantined");
            }
            println!("node {id} released: it gets work again");
        }
        Some(Command::Engine { command }) => engine(&store, command).await?,
    }
    Ok(())
}

/// Serves the API and the portal on `--listen` (HTTPS with `--tls-cert`)
/// until SIGINT or SIGTERM.
async fn serve(cli: &Cli, store: Store) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("listening on {}", cli.listen))?;
    let local = listener.local_addr()?;
    let name = format!("{}@{local}", std::process::id());
    let runtime = Arc::new(Runtime::new(SandboxLimits::default())?);
    let state = AppState::new(
        store,
        runtime,
        cli.max_iterations,
        cli.thresholds.thresholds(),
    )
    .with_secure_cookies(cli.tls_cert.is_some());
    let state = match &cli.spec_dir {
        Some(dir) => state.with_packs(wowlab_sentinel::packs::with_dir(dir)?),
        None => state,
    };
    let shutdown = wowlab_runtime::shutdown::signal();
    match (&cli.tls_cert, &cli.tls_key) {
        (Some(cert), Some(key)) => {
            let config = wowlab_sentinel::tls::server_config(cert, key)?;
            let listener = wowlab_sentinel::tls::TlsListener::new(listener, config)?;
            tracing::info!("serving on https://{local}");
            wowlab_sentinel::serve(state, listener, name, shutdown).await?;
        }
        _ => {
            tracing::info!("serving on http://{local}");
            wowlab_sentinel::serve(state, listener, name, shutdown).await?;
        }
    }
    Ok(())
}

/// `user add` (prints the new user's API token) and `user password`.
async fn user(store: &Store, command: &UserCommand) -> Result<()> {
    match command {
        UserCommand::Add { name, password } => {
            let phc = if *password {
                Some(read_password(name)?)
            } else {
                None
            };
            let (user, token) =
                wowlab_sentinel::accounts::add_user(store, name, phc.as_deref()).await?;
            println!("created user {} (id {})\n{token}", user.name, user.id)
        }
        UserCommand::Password { name } => {
            let id = store
                .user_id(name)
                .await?
                .with_context(|| format!("no user named `{name}`"))?;
            let phc = read_password(name)?;
            store.set_password(id, &phc).await?;
            println!("password set for {name}");
        }
    }
    Ok(())
}

/// `engine pin|unpin|ls`.
async fn engine(store: &Store, command: &EngineCommand) -> Result<()> {
    match command {
        EngineCommand::Pin { hash } => {
            if !wowlab_protocol::address::is_hash(hash) {
                bail!("`{hash}` is not an engine hash (64 lowercase hex digits)");
            }
            let new = store.pin_engine(hash).await?;
            println!("{} {hash}", if new { "pinned" } else { "already pinned" });
        }
        EngineCommand::Unpin { hash } => {
            if !store.unpin_engine(hash).await? {
                bail!("{hash} is not pinned");
            }
            println!("unpinned {hash}");
        }
        EngineCommand::Ls => {
            for hash in store.pinned_engines().await? {
                println!("{hash}");
            }
        }
    }
    Ok(())
}

/// A new password for `name`, hashed: asked twice on a terminal, else the
/// first line of standard input.
fn read_password(name: &str) -> Result<String> {
    use std::io::IsTerminal;
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("password for {name}: "))?;
        let again = rpassword::prompt_password("again: ")?;
        if first != again {
            bail!("the passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    Ok(wowlab_sentinel::passwords::hash(&password)?)
}

/// `group add|add-member|remove-member|ls`.
async fn group(store: &Store, command: &GroupCommand) -> Result<()> {
    /// The group's id and the users' (name, id), or which one does not exist.
    async fn resolve(
        store: &Store,
        group: &str,
        users: &[String],
    ) -> Result<(i64, Vec<(String, UserId)>)> {
        let gid = store
            .group_id(group)
            .await?
            .with_context(|| format!("no group named `{group}`"))?;
        let mut ids = Vec::with_capacity(users.len());
        for user in users {
            let uid = store
                .user_id(user)
                .await?
                .with_context(|| format!("no user named `{user}`"))?;
            ids.push((user.clone(), uid));
        }
        Ok((gid, ids))
    }
    match command {
        GroupCommand::Add { name } => match store.add_group(name).await? {
            Some(_) => println!("created group {name}"),
            None => bail!("a group named `{name}` exists already"),
        },
        GroupCommand::AddMember { group, users } => {
            let (gid, users) = resolve(store, group, users).await?;
            for (user, uid) in users {
                let added = store.add_member(gid, uid).await?;
                println!(
                    "{user} {} {group}",
                    if added { "added to" } else { "already in" }
                );
            }
        }
        GroupCommand::RemoveMember { group, users } => {
            let (gid, users) = resolve(store, group, users).await?;
            for (user, uid) in users {
                if !store.remove_member(gid, uid).await? {
                    bail!("{user} is not in {group}");
                }
                println!("{user} removed from {group}");
            }
        }
        GroupCommand::Ls => {
            for (name, members) in store.groups().await? {
                println!("{name}: {}", members.join(", "));
            }
        }
    }
    Ok(())
}
