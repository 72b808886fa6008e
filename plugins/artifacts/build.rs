//! Builds the wasm guests of this repository (the engine and the Rhai
//! rotation component) for wasm32-wasip2 with a nested cargo, so a fresh
//! clone needs no manual step. The nested build uses its own target
//! directory (no contention with the outer cargo's lock), installs the wasm
//! target with rustup when it is missing, and reruns only when a source file
//! the guests were built from changes (read from cargo's dep-info files).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

/// A guest component built from this repository.
struct Guest {
    /// Manifest of the crate, relative to the workspace.
    manifest: &'static str,
    /// Cargo profile it is built with.
    profile: &'static str,
    /// Features to enable.
    features: &'static [&'static str],
    /// File stem of the artifact cargo writes.
    stem: &'static str,
    /// Name of the embedded copy (several builds of one crate differ here).
    out: &'static str,
    /// An export name the artifact must contain (its world).
    export: &'static str,
}

/// Each guest is built on its own and copied out right away: the Rhai guest
/// depends on the engine library, and its build leaves a featureless engine
/// artifact at the engine's path, so the engine is built last and every copy
/// is checked for the export it must have.
const GUESTS: &[Guest] = &[
    Guest {
        manifest: "plugins/rhai/Cargo.toml",
        profile: "guest",
        features: &["component"],
        stem: "wowlab_rhai",
        out: "wowlab_rhai",
        export: "wowlab:sim/rotation@",
    },
    Guest {
        manifest: "plugins/engine/Cargo.toml",
        profile: "guest",
        features: &["component"],
        stem: "wowlab_engine",
        out: "wowlab_engine",
        export: "wowlab:sim/simulator@",
    },
    // The sdk example: a crate of its own, as a rotation author has it.
    Guest {
        manifest: "examples/rotations/bm_hunter_rs/Cargo.toml",
        profile: "release",
        features: &[],
        stem: "bm_hunter_rs",
        out: "bm_hunter_rs",
        export: "wowlab:sim/rotation@",
    },
    // Misbehaving rotations for the sandbox tests, without and with sockets.
    Guest {
        manifest: "tests/guests/hostile/Cargo.toml",
        profile: "release",
        features: &[],
        stem: "hostile_rotation",
        out: "hostile",
        export: "wowlab:sim/rotation@",
    },
    Guest {
        manifest: "tests/guests/hostile/Cargo.toml",
        profile: "release",
        features: &["network"],
        stem: "hostile_rotation",
        out: "hostile_network",
        export: "wowlab:sim/rotation@",
    },
];

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"))
        .join("wasm-guests");

    ensure_target_installed();
    for guest in GUESTS {
        build_guest(&workspace, &target_dir, guest);
        let built = target_dir.join(TARGET).join(guest.profile);
        let stem = guest.stem;
        let bytes = fs::read(built.join(format!("{stem}.wasm")))
            .unwrap_or_else(|e| panic!("reading the {stem} guest: {e}"));
        assert!(
            bytes
                .windows(guest.export.len())
                .any(|w| w == guest.export.as_bytes()),
            "the {stem} guest does not export {}: remove {} and build again",
            guest.export,
            target_dir.display()
        );
        fs::write(out_dir.join(format!("{}.wasm", guest.out)), bytes)
            .unwrap_or_else(|e| panic!("copying the {stem} guest: {e}"));
        rerun_if_sources_change(&built.join(format!("{stem}.d")));
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(guest.manifest).display()
        );
    }
    println!("cargo:rerun-if-changed={}", workspace.join("wit").display());
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.lock").display()
    );
}

fn ensure_target_installed() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .expect("running rustc --print sysroot");
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if sysroot.join("lib/rustlib").join(TARGET).exists() {
        return;
    }
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .expect("running rustup to install the wasm32-wasip2 target");
    assert!(status.success(), "`rustup target add {TARGET}` failed");
}

fn build_guest(workspace: &Path, target_dir: &Path, guest: &Guest) {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace)
        .arg("build")
        .arg("--manifest-path")
        .arg(workspace.join(guest.manifest))
        .args(["--target", TARGET, "--profile", guest.profile])
        .env("CARGO_TARGET_DIR", target_dir);
    if !guest.features.is_empty() {
        cmd.args(["--features", &guest.features.join(",")]);
    }
    // Settings of the outer build that must not leak into the guest build.
    // Paths of the checkout and of cargo's home end up in the wasm (panic
    // locations); remap them so the same source gives the same module hash
    // wherever it is built.
    let mut remaps = vec![format!(
        "--remap-path-prefix={}=/wowlab",
        workspace.display()
    )];
    let cargo_home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(home) = cargo_home {
        remaps.push(format!("--remap-path-prefix={}=/cargo", home.display()));
    }
    cmd.env("CARGO_ENCODED_RUSTFLAGS", remaps.join("\x1f"));
    for var in [
        "RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_TARGET",
        "CARGO_PROFILE_RELEASE_DEBUG",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("running cargo for {}: {e}", guest.manifest));
    assert!(
        status.success(),
        "building {} for {TARGET} failed",
        guest.manifest
    );
}

fn rerun_if_sources_change(dep_info: &Path) {
    let text = fs::read_to_string(dep_info)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dep_info.display()));
    let Some((_, deps)) = text.split_once(": ") else {
        return;
    };
    // Paths are separated by spaces; a space inside a path is escaped as "\ ".
    let mut current = String::new();
    let mut paths = Vec::new();
    let mut chars = deps.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                current.push(' ');
                chars.next();
            }
            ' ' | '\n' => {
                if !current.is_empty() {
                    paths.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        paths.push(current);
    }
    for p in paths {
        if !p.contains("/.cargo/registry/") {
            println!("cargo:rerun-if-changed={p}");
        }
    }
}
