//! The module store and its artifact cache.

use std::fs;

use wowlab_protocol::address::hash_of;
use wowlab_runtime::modules::ModuleStore;
use wowlab_runtime::runtime::Runtime;
use wowlab_runtime::sandbox::SandboxLimits;

fn artifacts(home: &std::path::Path) -> Vec<std::path::PathBuf> {
    fs::read_dir(home.join("artifacts"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

#[test]
fn modules_are_addressed_by_the_hash_of_their_bytes() {
    let home = tempfile::tempdir().unwrap();
    let store = ModuleStore::new(home.path());
    let hash = store.add(wowlab_artifacts::ENGINE).unwrap();
    assert_eq!(hash, hash_of(wowlab_artifacts::ENGINE));
    assert_eq!(store.get(&hash).unwrap(), wowlab_artifacts::ENGINE);
    assert_eq!(store.list().unwrap().len(), 1);
}

#[test]
fn a_core_module_or_junk_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let store = ModuleStore::new(home.path());
    let core_module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    assert!(store.add(&core_module).is_err());
    assert!(store.add(b"hello").is_err());
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn bytes_that_no_longer_match_their_hash_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let store = ModuleStore::new(home.path());
    let hash = store.add(wowlab_artifacts::RHAI).unwrap();
    let path = home.path().join("modules").join(format!("{hash}.wasm"));
    let mut bytes = fs::read(&path).unwrap();
    bytes[100] ^= 0xff;
    fs::write(&path, bytes).unwrap();
    let err = store.get(&hash).unwrap_err().to_string();
    assert!(err.contains("corrupt"), "{err}");
}

#[test]
fn a_corrupt_artifact_is_discarded_and_rebuilt() {
    let home = tempfile::tempdir().unwrap();
    let store = ModuleStore::new(home.path());
    let runtime = Runtime::new(SandboxLimits::default()).unwrap();
    let bytes = wowlab_artifacts::ENGINE;
    let hash = store.add(bytes).unwrap();
    store.component(runtime.engine(), &hash, bytes).unwrap();
    let cached = artifacts(home.path());
    assert_eq!(cached.len(), 1);
    let original = fs::read(&cached[0]).unwrap();

    // Flip a byte in the middle: the checksum no longer matches.
    let mut corrupt = original.clone();
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0x55;
    fs::write(&cached[0], &corrupt).unwrap();
    store.component(runtime.engine(), &hash, bytes).unwrap();
    assert_eq!(
        fs::read(&cached[0]).unwrap(),
        original,
        "rebuilt from the module"
    );

    // A truncated artifact too.
    fs::write(&cached[0], &original[..10]).unwrap();
    store.component(runtime.engine(), &hash, bytes).unwrap();
    assert_eq!(fs::read(&cached[0]).unwrap(), original);
}
