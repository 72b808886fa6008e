//! The spec packs the portal offers, each with a starting rotation. The
//! reference pack (Beast Mastery hunter) is built into the binary; an
//! operator adds more with `--spec-dir`.

use std::path::{Path, PathBuf};

use wowlab_engine::spec::SpecPack;

/// What is wrong with a spec directory.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The directory or a file in it cannot be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A pack does not parse; the message names the line or field.
    #[error("{path}: {message}")]
    Invalid {
        /// The pack's file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two packs would have the same short name or display name.
    #[error("{path}: a spec pack named `{name}` is loaded already")]
    Duplicate {
        /// The second pack's file.
        path: PathBuf,
        /// The name they share.
        name: String,
    },
}

/// A spec pack players can simulate from the portal.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Short name used in URLs and forms, e.g. `bm_hunter`.
    pub slug: String,
    /// The pack.
    pub spec: SpecPack,
    /// The rotation a new simulation starts from.
    pub starter_rotation: String,
}

/// The built-in packs.
pub fn builtin() -> Vec<Pack> {
    let spec = wowlab_runtime::spec_file::parse(
        include_str!("../../examples/specs/bm_hunter.toml"),
        false,
    )
    .expect("the reference spec pack parses");
    vec![Pack {
        slug: "bm_hunter".into(),
        spec,
        starter_rotation: include_str!("../../examples/rotations/bm_hunter.rhai").into(),
    }]
}

/// Rotations a pack from a directory starts with when it has no `.rhai` beside it.
const IDLE_ROTATION: &str =
    "// Write the rotation here: the value of the script is the action.\nwait()\n";

/// The built-in packs plus every `NAME.toml` (or `NAME.json`) pack in `dir`,
/// each starting from `NAME.rhai` when there is one; in file-name order.
pub fn with_dir(dir: &Path) -> Result<Vec<Pack>, PackError> {
    let read = |path: &Path, e| PackError::Read {
        path: path.to_path_buf(),
        source: e,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| read(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml" || e == "json"))
        .collect();
    files.sort();
    let mut packs = builtin();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| read(&path, e))?;
        let json = path.extension().is_some_and(|e| e == "json");
        let spec = wowlab_runtime::spec_file::parse(&text, json).map_err(|message| {
            PackError::Invalid {
                path: path.clone(),
                message,
            }
        })?;
        let slug = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(taken) = packs
            .iter()
            .find(|p| p.slug == slug || p.spec.name == spec.name)
        {
            let name = if taken.slug == slug { slug } else { spec.name };
            return Err(PackError::Duplicate { path, name });
        }
        let rotation = path.with_extension("rhai");
        let starter_rotation = match std::fs::read_to_string(&rotation) {
            Ok(script) => script,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => IDLE_ROTATION.to_string(),
            Err(e) => return Err(read(&rotation, e)),
        };
        packs.push(Pack {
            slug,
            spec,
            starter_rotation,
        });
    }
    Ok(packs)
}

/// The pack with this slug.
pub fn find<'a>(packs: &'a [Pack], slug: &str) -> Option<&'a Pack> {
    packs.iter().find(|p| p.slug == slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACK: &str = "name = \"Test Mage\"\n[resource]\nname = \"mana\"\nmax = 100\n";

    #[test]
    fn a_directory_adds_its_packs_with_their_rotations() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mage.toml"), PACK).unwrap();
        std::fs::write(dir.path().join("mage.rhai"), "wait()").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a pack").unwrap();
        let packs = with_dir(dir.path()).unwrap();
        let names: Vec<&str> = packs.iter().map(|p| p.slug.as_str()).collect();
        assert_eq!(names, ["bm_hunter", "mage"]);
        assert_eq!(packs[1].spec.name, "Test Mage");
        assert_eq!(packs[1].starter_rotation, "wait()");
    }

    #[test]
    fn a_broken_or_duplicate_pack_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.toml"), format!("{PACK}cooldwn = 5\n")).unwrap();
        let err = with_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("bad.toml") && err.contains("cooldwn"), "{err}");
        std::fs::remove_file(dir.path().join("bad.toml")).unwrap();
        std::fs::write(dir.path().join("bm_hunter.toml"), PACK).unwrap();
        let err = with_dir(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("bm_hunter.toml") && err.contains("loaded already"),
            "{err}"
        );
    }
}
