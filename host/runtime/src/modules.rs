//! The module store: wasm components on disk, addressed by the BLAKE3 hash of
//! their bytes, and a cache of their precompiled artifacts.
//!
//! Bytes are verified against their hash every time they are read. An
//! artifact is produced locally, never accepted from elsewhere, and is keyed
//! by (module hash, wasmtime compatibility hash); it carries a checksum of
//! itself, and one that is corrupt, truncated or made by another wasmtime is
//! discarded and rebuilt, because deserialising it would be unsafe.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use wasmtime::Engine;
use wasmtime::component::Component;
use wowlab_protocol::address::{hash_of, is_hash};

/// The first bytes of every wasm component (magic, version 0x0d, layer 1).
const COMPONENT_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

/// Length of the checksum that ends every artifact file.
const CHECKSUM_LEN: usize = 32;

/// A stored module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleInfo {
    /// Hash of its bytes.
    pub hash: String,
    /// Size in bytes.
    pub size: u64,
}

/// The on-disk store of modules and artifacts.
#[derive(Debug, Clone)]
pub struct ModuleStore {
    root: PathBuf,
}

impl ModuleStore {
    /// The store rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The default location: `$WOWLAB_HOME`, else `~/.local/share/wowlab`.
    pub fn default_root() -> PathBuf {
        if let Some(home) = std::env::var_os("WOWLAB_HOME") {
            return PathBuf::from(home);
        }
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| ".".into());
        home.join(".local/share/wowlab")
    }

    fn module_path(&self, hash: &str) -> PathBuf {
        self.root.join("modules").join(format!("{hash}.wasm"))
    }

    /// Adds a component; returns its hash. Refuses bytes that are not a component.
    pub fn add(&self, bytes: &[u8]) -> Result<String> {
        if !bytes.starts_with(&COMPONENT_HEADER) {
            bail!("not a wasm component (a core module or another file)");
        }
        let hash = hash_of(bytes);
        let path = self.module_path(&hash);
        if !path.exists() {
            write_atomically(&path, bytes)?;
        }
        Ok(hash)
    }

    /// Whether module `hash` is in the store (not verified: [`Self::get`] does that).
    pub fn contains(&self, hash: &str) -> bool {
        is_hash(hash) && self.module_path(hash).exists()
    }

    /// The bytes of module `hash`, verified against it.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>> {
        if !is_hash(hash) {
            bail!("`{hash}` is not a module hash (64 lowercase hex digits)");
        }
        let path = self.module_path(hash);
        let bytes = fs::read(&path)
            .with_context(|| format!("module {hash} is not in the store ({})", path.display()))?;
        let actual = hash_of(&bytes);
        if actual != hash {
            bail!("module {hash} is corrupt: its bytes hash to {actual}");
        }
        Ok(bytes)
    }

    /// All stored modules, sorted by hash.
    pub fn list(&self) -> Result<Vec<ModuleInfo>> {
        let dir = self.root.join("modules");
        let mut out = Vec::new();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(hash) = name.strip_suffix(".wasm") {
                out.push(ModuleInfo {
                    hash: hash.to_string(),
                    size: entry.metadata()?.len(),
                });
            }
        }
        out.sort_by(|a, b| a.hash.cmp(&b.hash));
        Ok(out)
    }

    fn artifact_path(&self, engine: &Engine, hash: &str) -> PathBuf {
        let mut h = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        self.root
            .join("artifacts")
            .join(format!("{hash}-{:016x}.cwasm", h.finish()))
    }

    /// The compiled component of stored module `hash` (bytes verified first).
    pub fn load(&self, engine: &Engine, hash: &str) -> Result<Component> {
        self.component(engine, hash, &self.get(hash)?)
    }

    /// The compiled component for `bytes` (whose hash is `hash`): from the
    /// artifact cache when a valid artifact is there, else compiled and cached.
    pub fn component(&self, engine: &Engine, hash: &str, bytes: &[u8]) -> Result<Component> {
        let path = self.artifact_path(engine, hash);
        if let Some(component) = self.load_artifact(engine, &path) {
            return Ok(component);
        }
        let component = Component::new(engine, bytes)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("module {hash} is not a valid component"))?;
        let mut artifact = component.serialize().map_err(anyhow::Error::from)?;
        let checksum = blake3::hash(&artifact);
        artifact.extend_from_slice(checksum.as_bytes());
        if let Err(e) = write_atomically(&path, &artifact) {
            tracing::warn!("could not cache the artifact of {hash}: {e:#}");
        }
        Ok(component)
    }

    fn load_artifact(&self, engine: &Engine, path: &Path) -> Option<Component> {
        let data = fs::read(path).ok()?;
        let valid = data.len() > CHECKSUM_LEN && {
            let (body, sum) = data.split_at(data.len() - CHECKSUM_LEN);
            blake3::hash(body).as_bytes() == sum
        };
        let loaded = if valid {
            let body = &data[..data.len() - CHECKSUM_LEN];
            // SAFETY: the artifact was written by this store from a
            // component compiled on this machine, and its checksum shows it
            // is unchanged since; wasmtime checks the engine compatibility.
            unsafe { Component::deserialize(engine, body) }.ok()
        } else {
            None
        };
        if loaded.is_none() {
            tracing::warn!("discarding the invalid artifact {}", path.display());
            let _ = fs::remove_file(path);
        }
        loaded
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().expect("store paths have a parent");
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut tmp = tempfile_in(dir)?;
    tmp.1.write_all(bytes)?;
    tmp.1.sync_all()?;
    fs::rename(&tmp.0, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn tempfile_in(dir: &Path) -> Result<(PathBuf, fs::File)> {
    for attempt in 0..100u32 {
        let path = dir.join(format!(".tmp-{}-{attempt}", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("creating a file in {}", dir.display()));
            }
        }
    }
    bail!("could not create a temporary file in {}", dir.display())
}
