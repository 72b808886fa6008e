//! A rotation that misbehaves on purpose. The source given to `init` picks
//! the misbehaviour, so one component covers every case:
//!
//! - `loop`, `alloc`, `recurse`, `trap`, `panic`: do that in `decide`;
//! - `bad-spell`: cast a spell index the spec does not have;
//! - `init-loop`: never return from `init`;
//! - `probe`: report what the sandbox lets it see, as an init error;
//! - anything else: behave (wait).

use std::hint::black_box;

use wowlab_sdk::{Action, Rotation, Spec, State};

struct Hostile {
    mode: String,
    bad_spell: wowlab_sdk::SpellId,
}

fn recurse(n: u64) -> u64 {
    if n == 0 { 0 } else { black_box(recurse(n + 1)) + 1 }
}

fn probe() -> String {
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(u128::MAX);
    let mut entropy = [0u8; 8];
    let hasher = std::collections::hash_map::RandomState::new();
    entropy.copy_from_slice(&std::hash::BuildHasher::hash_one(&hasher, 0u8).to_le_bytes());
    let env = std::env::vars().count();
    let args = std::env::args().count();
    let files = std::fs::read_dir("/").is_ok() || std::fs::read("/etc/passwd").is_ok();
    let network = network();
    format!("probe: clock={clock} hash={entropy:?} env={env} args={args} files={files} network={network}")
}

#[cfg(feature = "network")]
fn network() -> bool {
    std::net::TcpStream::connect("127.0.0.1:80").is_ok()
}

#[cfg(not(feature = "network"))]
fn network() -> bool {
    false
}

impl Rotation for Hostile {
    fn init(spec: &Spec<'_>) -> Result<Self, String> {
        let mode = spec.source().trim().to_string();
        match mode.as_str() {
            "init-loop" => loop {
                black_box(&mode);
            },
            "probe" => Err(probe()),
            _ => Ok(Self {
                bad_spell: spec.spell("kill_command")?,
                mode,
            }),
        }
    }

    fn decide(&self, _: &State<'_>) -> Action {
        match self.mode.as_str() {
            "loop" => loop {
                black_box(&self.mode);
            },
            "alloc" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1; 1 << 20]);
                    black_box(&hoard);
                }
            }
            "recurse" => {
                black_box(recurse(1));
                Action::wait()
            }
            "trap" => std::process::abort(),
            "panic" => panic!("the hostile rotation panics"),
            "bad-spell" => {
                // An index past the end: the sdk cannot make one, so forge it.
                let forged: wowlab_sdk::SpellId = unsafe { std::mem::transmute(999u32) };
                black_box(self.bad_spell);
                Action::cast(forged)
            }
            _ => Action::wait(),
        }
    }
}

wowlab_sdk::export_rotation!(Hostile);
