//! `wowlab gamedata`: the extraction tool that writes the committed game
//! data (`gamedata/<build>/`) from the game's full tables, the pack
//! generator that turns the committed data and a spec's rules into its
//! spec pack, and the checks that what is committed is what they give.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use wowlab_gamedata::builds;
use wowlab_gamedata::extract::{self, OutputFile};

/// `wowlab gamedata` subcommands.
#[derive(clap::Subcommand)]
pub enum GamedataCommand {
    /// Write `gamedata/<build>/` from a folder of the game's tables (CSV).
    Extract(ExtractArgs),
    /// Write a spec pack from the committed game data and the spec's rules.
    Pack(PackArgs),
}

/// Arguments of `wowlab gamedata pack`.
#[derive(clap::Args)]
pub struct PackArgs {
    /// The spec's rules (e.g. gamedata/rules/hunter_beast_mastery.toml).
    #[arg(long)]
    rules: PathBuf,
    /// The repository's root: the rules' `output` and `profile` are relative to it.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Write nothing; fail if the committed pack differs from what the rules give.
    #[arg(long)]
    check: bool,
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
        GamedataCommand::Pack(args) => pack(&args),
    }
}

fn pack(args: &PackArgs) -> Result<()> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    };
    let rules_text = read(&args.rules)?;
    let rules =
        wowlab_packgen::rules::Rules::parse(&args.rules.display().to_string(), &rules_text)?;
    let profile = read(&args.root.join(&rules.profile))?;
    let generated =
        wowlab_packgen::generate(&args.rules.display().to_string(), &rules_text, &profile)?;
    let output = args.root.join(&rules.output);
    if args.check {
        let committed = std::fs::read_to_string(&output).unwrap_or_default();
        if committed != generated.text {
            bail!(
                "{} differs from what {} gives (run without --check to rewrite it)",
                output.display(),
                args.rules.display()
            );
        }
        println!("{} matches its rules", output.display());
        return Ok(());
    }
    std::fs::write(&output, &generated.text)
        .with_context(|| format!("writing {}", output.display()))?;
    println!(
        "wrote {} ({} spells, {} auras, {} modifiers, {} options)",
        output.display(),
        generated.pack.spells.len(),
        generated.pack.auras.len(),
        generated.pack.modifiers.len(),
        generated.pack.options.len()
    );
    Ok(())
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
