//! `wowlab-sentinel`: serve the API, or manage users and engine pins.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use rand::RngExt;
use wowlab::runtime::Runtime;
use wowlab::sandbox::SandboxLimits;
use wowlab_sentinel::api::{AppState, router};
use wowlab_sentinel::store::Store;

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
    #[arg(long, default_value_t = wowlab_sentinel::api::DEFAULT_MAX_ITERATIONS, global = true)]
    max_iterations: u64,
    /// Directory for the embedded database.
    #[arg(long, default_value = "wowlab-data", global = true)]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the engine modules jobs may use.
    Engine {
        #[command(subcommand)]
        command: EngineCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the API token is the last line printed.
    Add {
        /// The user's name.
        name: String,
    },
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
    let store = Store::connect(&url).await.context("opening the database")?;
    // The engine built with this sentinel is pinned on first start only, so
    // an operator's later unpin sticks.
    if store.first_time("builtin-engine-pinned").await? {
        store
            .pin_engine(&wowlab_sentinel::hash_hex(wowlab_artifacts::ENGINE))
            .await?;
    }
    Ok(store)
}

async fn run(cli: Cli) -> Result<()> {
    let store = open(&cli).await?;
    match cli.command {
        None => {
            let listener = tokio::net::TcpListener::bind(cli.listen)
                .await
                .with_context(|| format!("listening on {}", cli.listen))?;
            tracing::info!("serving on http://{}", listener.local_addr()?);
            let runtime = Arc::new(Runtime::new(SandboxLimits::default())?);
            let state = AppState {
                store,
                runtime,
                max_iterations: cli.max_iterations,
            };
            axum::serve(listener, router(state))
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
        }
        Some(Command::User {
            command: UserCommand::Add { name },
        }) => {
            let token: [u8; 32] = rand::rng().random();
            let token: String = token.iter().map(|b| format!("{b:02x}")).collect();
            match store
                .add_user(&name, &wowlab_sentinel::hash_hex(token.as_bytes()))
                .await?
            {
                Some(user) => println!("created user {} (id {})\n{token}", user.name, user.id),
                None => bail!("a user named `{name}` exists already"),
            }
        }
        Some(Command::Engine { command }) => match command {
            EngineCommand::Pin { hash } => {
                if !wowlab_sentinel::is_hash(&hash) {
                    bail!("`{hash}` is not an engine hash (64 lowercase hex digits)");
                }
                let new = store.pin_engine(&hash).await?;
                println!("{} {hash}", if new { "pinned" } else { "already pinned" });
            }
            EngineCommand::Unpin { hash } => {
                if !store.unpin_engine(&hash).await? {
                    bail!("{hash} is not pinned");
                }
                println!("unpinned {hash}");
            }
            EngineCommand::Ls => {
                for hash in store.pinned_engines().await? {
                    println!("{hash}");
                }
            }
        },
    }
    Ok(())
}
