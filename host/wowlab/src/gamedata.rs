//! `wowlab gamedata`: the extraction tool that writes the committed game
//! data (`gamedata/<build>/`) from the game's full tables, and checks that
//! what is committed is what the tables give.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use wowlab_gamedata::builds;
use wowlab_gamedata::extract::{self, OutputFile};

/// `wowlab gamedata` subcommands.
#[derive(clap::Subcommand)]
pub enum GamedataCommand {
    /// Write `gamedata/<build>/` from a folder of the game's tables (CSV).
    Extract(ExtractArgs),
}

/// Arguments of `wowlab gamedata extract`.
#[derive(clap::Args)]
pub struct ExtractArgs {
    /// The folder of table exports, one CSV per table (e.g. ../shared/gamedata/12.0.5.66529).
    #[arg(long)]
    tables: PathBuf,
    /// The tables' game build (default: the folder's name).
    #[arg(long)]
    build: Option<String>,
    /// Where the builds' folders are.
    #[arg(long, default_value = "gamedata")]
    out: PathBuf,
    /// Write nothing; fail if a committed file differs from what the tables give.
    #[arg(long)]
    check: bool,
}

/// Runs a `wowlab gamedata` subcommand.
pub fn run(command: GamedataCommand) -> Result<()> {
    match command {
        GamedataCommand::Extract(args) => extract_build(&args),
    }
}

fn extract_build(args: &ExtractArgs) -> Result<()> {
    let build = match &args.build {
        Some(build) => build.clone(),
        None => args
            .tables
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
            .context("--tables has no folder name to take the build from; give --build")?,
    };
    let files = extract::extract(&build, &args.tables, builds::CLASSES)?;
    let dir = args.out.join(&build);
    if args.check {
        return check(&dir, &files);
    }
    for file in &files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &file.text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn check(dir: &Path, files: &[OutputFile]) -> Result<()> {
    let mut differ = Vec::new();
    for file in files {
        let path = dir.join(&file.path);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != file.text {
            differ.push(path.display().to_string());
        }
    }
    if !differ.is_empty() {
        bail!(
            "these files differ from what the tables give (run without --check to rewrite them): {}",
            differ.join(", ")
        );
    }
    println!("{} files match the tables", files.len());
    Ok(())
}
