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
const PROFILE: &str = "guest";

/// The guests: (package, artifact file stem, an export name it must contain).
/// Each is built on its own, with its `component` feature, and copied out
/// right away: the Rhai guest depends on the engine library, and its build
/// leaves a featureless engine artifact at the engine's path, so the engine
/// is built last and every copy is checked for the export it must have.
const GUESTS: &[(&str, &str, &str)] = &[
    ("wowlab-rhai", "wowlab_rhai", "wowlab:sim/rotation@"),
    ("wowlab-engine", "wowlab_engine", "wowlab:sim/simulator@"),
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
    for (package, stem, export) in GUESTS {
        build_guest(&workspace, &target_dir, package);
        let built = target_dir.join(TARGET).join(PROFILE);
        let bytes = fs::read(built.join(format!("{stem}.wasm")))
            .unwrap_or_else(|e| panic!("reading the {package} guest: {e}"));
        assert!(
            bytes.windows(export.len()).any(|w| w == export.as_bytes()),
            "the {package} guest does not export {export}: remove {} and build again",
            target_dir.display()
        );
        fs::write(out_dir.join(format!("{stem}.wasm")), bytes)
            .unwrap_or_else(|e| panic!("copying the {package} guest: {e}"));
        rerun_if_sources_change(&built.join(format!("{stem}.d")));
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

fn build_guest(workspace: &Path, target_dir: &Path, package: &str) {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace)
        .args(["build", "--package", package, "--features", "component"])
        .args(["--target", TARGET, "--profile", PROFILE])
        .env("CARGO_TARGET_DIR", target_dir);
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
        .unwrap_or_else(|e| panic!("running cargo for {package}: {e}"));
    assert!(
        status.success(),
        "building the {package} guest for {TARGET} failed"
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
