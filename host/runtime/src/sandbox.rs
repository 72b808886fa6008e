//! What a guest may use: nothing. Each store gets an empty WASI context
//! (no files, environment, arguments, stdio or sockets), a frozen clock and a
//! constant random stream — the Rust standard library imports those
//! interfaces, but a guest must not be able to observe the host's time or
//! entropy (determinism) — plus a memory cap and an epoch deadline.

use std::time::Duration;

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

/// How time budgets are enforced inside guests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    /// Epoch deadlines: a background thread ticks every 5 ms; generated code
    /// checks the epoch at function entries and loop headers. The default:
    /// it costs less than fuel (see BENCHMARKS.md) and bounds wall time.
    Epoch,
    /// Fuel: every wasm instruction is counted (about a million per ms of
    /// budget). Deterministic, but slower.
    Fuel,
    /// No time budget at all; only for measuring what the others cost.
    None,
}

/// Limits applied to every guest instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxLimits {
    /// How time budgets are enforced.
    pub interruption: Interruption,
    /// Linear memory cap per store, in bytes.
    pub memory_bytes: usize,
    /// Wall time a rotation may take for one decision (or for `init`).
    pub decision_timeout: Duration,
    /// Wall time the engine may take for one batch.
    pub batch_timeout: Duration,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        Self {
            interruption: Interruption::Epoch,
            memory_bytes: 64 << 20,
            decision_timeout: Duration::from_millis(100),
            batch_timeout: Duration::from_secs(600),
        }
    }
}

/// A clock that always says zero.
struct FrozenClock;

impl HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

/// "Random" bytes that are always zero: a guest gets no entropy.
struct NoEntropy;

impl rand::TryRng for NoEntropy {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.fill(0);
        Ok(())
    }
}

/// The per-store state every guest needs: WASI without capabilities, and limits.
pub struct Sandbox {
    wasi: WasiCtx,
    table: ResourceTable,
    /// The memory limiter of the store.
    pub limits: GuestLimits,
}

/// Instances, tables and memories one guest store may create.
const MAX_INSTANCES: usize = 16;
const MAX_TABLES: usize = 16;
const MAX_MEMORIES: usize = 4;

/// The limiter of a guest's store: caps its linear memory and remembers
/// that the guest hit the cap, so a failure is classified by what the
/// limiter saw, not by an error message.
#[derive(Debug)]
pub struct GuestLimits {
    memory_bytes: usize,
    memory_cap_hit: bool,
}

impl GuestLimits {
    /// Limits with a memory cap of `memory_bytes`.
    pub fn new(memory_bytes: usize) -> Self {
        Self {
            memory_bytes,
            memory_cap_hit: false,
        }
    }

    /// Whether the guest asked for more memory than it may have.
    pub fn memory_cap_hit(&self) -> bool {
        self.memory_cap_hit
    }
}

/// The error a growth past the cap traps with.
#[derive(Debug, thiserror::Error)]
#[error("a guest asked for {desired} bytes of memory; its cap is {cap}")]
struct OverMemoryCap {
    desired: usize,
    cap: usize,
}

impl ResourceLimiter for GuestLimits {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let cap = maximum.map_or(self.memory_bytes, |m| m.min(self.memory_bytes));
        if desired > cap {
            self.memory_cap_hit = true;
            return Err(wasmtime::Error::new(OverMemoryCap { desired, cap }));
        }
        Ok(true)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        // Within the cap, but the host could not provide the memory.
        Err(error.context("the host could not grow a guest's memory"))
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        match maximum {
            Some(max) if desired > max => {
                wasmtime::bail!(
                    "a guest grew a table to {desired} elements, past its maximum {max}"
                )
            }
            _ => Ok(true),
        }
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }
}

impl Sandbox {
    /// A sandbox with a memory cap of `memory_bytes`.
    pub fn new(memory_bytes: usize) -> Self {
        let wasi = WasiCtx::builder()
            .wall_clock(FrozenClock)
            .monotonic_clock(FrozenClock)
            .secure_random(NoEntropy)
            .insecure_random(NoEntropy)
            .insecure_random_seed(0)
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            limits: GuestLimits::new(memory_bytes),
        }
    }
}

impl WasiView for Sandbox {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
