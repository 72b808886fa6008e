//! The `wowlab` program's library: the node that lends this machine to a
//! sentinel ([`node`]), the job client ([`job`]), the benchmarks
//! ([`bench`]), the game data extraction tool ([`gamedata`]), the SimulationCraft profile
//! reader's report ([`profile`]), the arguments the commands share ([`cli`]) and the TLS
//! trust both clients share ([`tls`]). The binary
//! (`main.rs`) parses arguments and prints; the simulation itself is the
//! `wowlab-runtime` crate's.
//!
//! Not for: the sentinel, which depends on `wowlab-runtime` only.

pub mod bench;
pub mod cli;
pub mod gamedata;
pub mod job;
pub mod node;
pub mod packs;
pub mod profile;
pub mod tls;
