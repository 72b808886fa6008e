//! `wowlab job submit|status|ls`: run a simulation on a sentinel's nodes.

pub mod client;

use std::io::IsTerminal;

use crate::job::client::{UserClient, config_of, parse_access};
use crate::tls::Trust;
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use wowlab_protocol::api::{CreateJob, JobView};
use wowlab_runtime::report::{self, Report};

/// Where the sentinel is and who the user is.
#[derive(clap::Args)]
pub struct Connection {
    /// The sentinel's URL, e.g. https://sentinel.example or http://127.0.0.1:8080.
    #[arg(long, env = "WOWLAB_SENTINEL")]
    sentinel: String,
    /// Your API token (from `wowlab-sentinel user add`).
    #[arg(long, env = "WOWLAB_TOKEN")]
    token: String,
    /// A CA certificate (PEM) to trust besides the system's, for an
    /// https:// sentinel with a private or self-signed certificate.
    #[arg(long, env = "WOWLAB_CA_CERT")]
    ca_cert: Option<std::path::PathBuf>,
}

impl Connection {
    /// A client for this sentinel and user.
    fn client(&self) -> Result<UserClient> {
        let trust = Trust::new(self.ca_cert.as_deref())?;
        Ok(UserClient::new(&self.sentinel, &self.token, &trust))
    }
}

/// The `wowlab job` subcommands.
#[derive(clap::Subcommand)]
pub enum JobCommand {
    /// Upload what the sentinel lacks and create a job.
    Submit(Box<SubmitArgs>),
    /// Show a job (with its result once done).
    Status {
        /// The sentinel and the user.
        #[command(flatten)]
        connection: Connection,
        /// The job's id.
        id: i64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List your jobs.
    Ls {
        /// The sentinel and the user.
        #[command(flatten)]
        connection: Connection,
    },
}

/// The arguments of `wowlab job submit`.
#[derive(clap::Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    fight: crate::cli::FightArgs,
    /// Job seed (default: the sentinel picks one); with the same seed the
    /// result equals `wowlab sim --seed`.
    #[arg(long)]
    seed: Option<u64>,
    /// Stop once the 95 % error of the mean is below this percent of it
    /// (checked after each chunk of 1,000 in order, like `wowlab sim
    /// --target-error`); --iterations is then the most to run.
    #[arg(long)]
    target_error: Option<f64>,
    /// Who may see the job: private, public, users:NAME,NAME or group:NAME.
    #[arg(long, default_value = "private")]
    access: String,
    /// Wait for the result, with a progress bar, and print it.
    #[arg(long)]
    wait: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs a `wowlab job` command.
pub fn run(command: JobCommand, jit_allowed: bool) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            match command {
                JobCommand::Submit(args) => submit(*args, jit_allowed).await,
                JobCommand::Status {
                    connection,
                    id,
                    json,
                } => {
                    let client = connection.client()?;
                    show(&client, &client.job(id).await?, json).await
                }
                JobCommand::Ls { connection } => {
                    let client = connection.client()?;
                    for job in client.jobs().await? {
                        crate::cli::out(&format!(
                            "{:>6}  {:<9}  {:>10}/{:<10}  {}\n",
                            job.id, job.status, job.progress, job.iterations, job.config_hash
                        ))?;
                    }
                    Ok(())
                }
            }
        })
}

async fn submit(args: SubmitArgs, jit_allowed: bool) -> Result<()> {
    let access = parse_access(&args.access)?;
    let prepared = args.fight.prepare(jit_allowed, args.seed.unwrap_or(0), 1)?;
    let request = prepared.request;
    let config = config_of(&request)?;
    let name = std::path::Path::new(&prepared.rotation_name)
        .file_stem()
        .map_or("rotation".into(), |s| s.to_string_lossy().into_owned());
    let client = args.connection.client()?;
    let config_hash = client.upload(&config, &request.rotation, &name).await?;
    let created = client
        .create_job(&CreateJob {
            config_hash,
            iterations: args.fight.iterations,
            access,
            seed: args.seed,
            target_error: args.target_error,
        })
        .await?;
    if !args.wait {
        return crate::cli::out(&if args.json {
            format!(
                "{}\n",
                serde_json::json!({ "job_id": created.job_id, "chunks": created.chunks })
            )
        } else {
            format!("job {} ({} chunks)\n", created.job_id, created.chunks)
        });
    }
    let bar = if std::io::stderr().is_terminal() && !args.json {
        let bar = ProgressBar::new(args.fight.iterations);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} iterations ({per_sec}, eta {eta})")
                .expect("a valid template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let job = client
        .wait(created.job_id, |job| bar.set_position(job.progress as u64))
        .await?;
    bar.finish_and_clear();
    show(&client, &job, args.json).await
}

/// Prints a job: the same report as `wowlab sim` once it is done.
async fn show(client: &UserClient, job: &JobView, json: bool) -> Result<()> {
    match (&job.status[..], &job.result) {
        ("done", Some(result)) => {
            let result: wowlab_engine::BatchResult =
                serde_json::from_value(result.clone()).context("the job's result is unreadable")?;
            let config = client.config(&job.config_hash).await?;
            let report = Report::new(&result, &config, job.seed);
            if json {
                crate::cli::out(&format!("{}\n", report.to_json()))
            } else {
                let title = format!("{} — job {}", config.spec.name, job.id);
                crate::cli::out(&report::text(&report, &result, &title))
            }
        }
        ("failed", _) => bail!(
            "job {} failed: {}",
            job.id,
            job.error.as_deref().unwrap_or("no reason given")
        ),
        (status, _) => crate::cli::out(&if json {
            format!("{}\n", serde_json::to_string(job).expect("serialises"))
        } else {
            format!(
                "job {}: {status}, {}/{} iterations\n",
                job.id, job.progress, job.iterations
            )
        }),
    }
}
