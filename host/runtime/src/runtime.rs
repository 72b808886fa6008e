//! Running the engine and rotation components under wasmtime.
//!
//! The engine component imports the `rotation` interface; the host satisfies
//! that import by calling the rotation component, which lives in its own
//! store (own memory cap, own deadline) inside the engine store's data. Each
//! worker thread instantiates the pair once and runs many batches on it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine, Store, Trap};

use crate::fault::{Call, Fault, Guest};
use crate::sandbox::{Interruption, Sandbox, SandboxLimits};
use wowlab_engine::{BatchResult, EngineError};

mod engine_bindings {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "engine",
        imports: { default: trappable },
    });
}

mod rotation_bindings {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "rotation-world",
    });
}

use engine_bindings::wowlab::sim::rotation::Host as RotationImport;
use engine_bindings::wowlab::sim::types::Action;

/// The engine's memory cap is at least this, whatever the rotation's is.
const ENGINE_MIN_MEMORY: usize = 256 << 20;

/// How often the epoch advances; deadlines are multiples of this.
const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Fuel granted per millisecond of budget when fuel meters guests (about a
/// million wasm instructions).
const FUEL_PER_MS: u64 = 1_000_000;

/// A budget for one call into a guest, in the runtime's interruption mode.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    mode: Interruption,
    ticks: u64,
    fuel: u64,
}

impl Deadline {
    /// Sets the budget on `store` before a call.
    fn arm<T>(self, store: &mut Store<T>) {
        match self.mode {
            Interruption::Epoch => store.set_epoch_deadline(self.ticks),
            Interruption::Fuel => store.set_fuel(self.fuel).expect("fuel metering is on"),
            Interruption::None => {}
        }
    }
}

/// A wasmtime engine configured for wowlab guests, with its epoch ticker.
pub struct Runtime {
    engine: Engine,
    limits: SandboxLimits,
    ticker_stop: Arc<AtomicBool>,
}

impl Runtime {
    /// A runtime whose guests get `limits`.
    pub fn new(limits: SandboxLimits) -> Result<Self> {
        let mut config = Config::new();
        config
            .cranelift_nan_canonicalization(true)
            .epoch_interruption(limits.interruption == Interruption::Epoch)
            .consume_fuel(limits.interruption == Interruption::Fuel)
            .concurrency_support(false);
        let engine = Engine::new(&config)?;
        let ticker_stop = Arc::new(AtomicBool::new(false));
        let (weak, stop) = (engine.weak(), ticker_stop.clone());
        thread::Builder::new()
            .name("wowlab-epoch".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    thread::sleep(EPOCH_TICK);
                    match weak.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })?;
        Ok(Self {
            engine,
            limits,
            ticker_stop,
        })
    }

    /// The wasmtime engine (for compiling components).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The limits guests run with.
    pub fn limits(&self) -> SandboxLimits {
        self.limits
    }

    /// The deadline for work that may take `d`; a zero timeout expires at once.
    fn deadline(&self, d: Duration) -> Deadline {
        let ticks = if d.is_zero() {
            0
        } else {
            (d.as_micros() / EPOCH_TICK.as_micros()).max(1) as u64
        };
        Deadline {
            mode: self.limits.interruption,
            ticks,
            fuel: (d.as_millis() as u64).saturating_mul(FUEL_PER_MS),
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

/// Why a batch failed: the engine's own error, or a fault of a guest.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The engine refused the config or the rotation failed cleanly.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A guest trapped, ran out of time or memory, or broke the contract.
    #[error(transparent)]
    Guest(#[from] Fault),
}

impl BatchError {
    /// Whether every node fails the same way on the same input (see
    /// [`Fault::is_deterministic`]); a rotation's own error always does.
    pub fn is_deterministic(&self) -> bool {
        match self {
            BatchError::Engine(_) => true,
            BatchError::Guest(fault) => fault.is_deterministic(),
        }
    }
}

/// A rotation component, instantiated and initialised, in its own store.
pub struct RotationInstance {
    store: Store<Sandbox>,
    bindings: rotation_bindings::RotationWorld,
    decision: Deadline,
}

impl RotationInstance {
    /// One decision through the component boundary.
    pub fn decide(
        &mut self,
        state: &[f64],
    ) -> Result<Result<wowlab_engine::Action, String>, Fault> {
        use rotation_bindings::wowlab::sim::types::Action as Wit;
        self.decision.arm(&mut self.store);
        let decided = self
            .bindings
            .wowlab_sim_rotation()
            .call_decide(&mut self.store, state)
            .map_err(|e| {
                let cap = self.store.data().limits.memory_cap_hit();
                fault_of(&e, Guest::Rotation, Call::Decision, cap)
            })?;
        Ok(decided.map(|a| match a {
            Wit::Cast(s) => wowlab_engine::Action::Cast(s),
            Wit::Wait(ms) => wowlab_engine::Action::Wait(ms),
        }))
    }
}

/// The rotation behind the engine's `rotation` import.
pub enum HostRotation {
    /// A rotation component (rhai, or any component of the rotation world).
    Component(RotationInstance),
    /// A rotation compiled into the host.
    Native(Box<dyn wowlab_engine::Rotation + Send>),
}

/// Store data of the engine: its sandbox, and the rotation it calls.
struct EngineState {
    sandbox: Sandbox,
    rotation: HostRotation,
}

impl wasmtime_wasi::WasiView for EngineState {
    fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        self.sandbox.ctx()
    }
}

impl engine_bindings::wowlab::sim::types::Host for EngineState {}

impl RotationImport for EngineState {
    fn init(
        &mut self,
        _: Vec<String>,
        _: Vec<String>,
        _: String,
    ) -> wasmtime::Result<Result<(), String>> {
        Err(wasmtime::Error::new(Fault::Contract {
            guest: Guest::Engine,
            message: "re-initialised the rotation, which it may not".into(),
        }))
    }

    fn decide(&mut self, state: Vec<f64>) -> wasmtime::Result<Result<Action, String>> {
        let decided = match &mut self.rotation {
            // The rotation's fault travels through the engine's trap.
            HostRotation::Component(r) => r.decide(&state).map_err(wasmtime::Error::new)?,
            HostRotation::Native(r) => r.decide(&state),
        };
        Ok(decided.map(|a| match a {
            wowlab_engine::Action::Cast(s) => Action::Cast(s),
            wowlab_engine::Action::Wait(ms) => Action::Wait(ms),
        }))
    }
}

/// The fault behind a failed call `call` into `guest`; `memory_cap_hit`
/// is what the guest's store limiter saw. A fault raised by a host function
/// (the rotation's, carried through the engine) is kept as it was; an error
/// that is neither that nor a trap is the host's own.
fn fault_of(e: &wasmtime::Error, guest: Guest, call: Call, memory_cap_hit: bool) -> Fault {
    if let Some(fault) = e.downcast_ref::<Fault>() {
        return fault.clone();
    }
    if memory_cap_hit {
        return Fault::MemoryLimit { guest };
    }
    let trap = |message: String| Fault::Trap { guest, message };
    match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => Fault::TimeLimit {
            guest,
            call,
            fuel: false,
        },
        Some(Trap::OutOfFuel) => Fault::TimeLimit {
            guest,
            call,
            fuel: true,
        },
        Some(Trap::StackOverflow) => trap("overflowed its stack (too deep recursion)".into()),
        Some(other) => trap(format!("trapped: {other}")),
        None => Fault::Host {
            guest,
            message: format!("{e:#}"),
        },
    }
}

/// The WASI interfaces Rust's standard library imports. They are linked to
/// an empty context (see [`crate::sandbox`]); any other import is refused.
const STD_WASI: &[&str] = &[
    "wasi:cli/environment@",
    "wasi:cli/exit@",
    "wasi:cli/stdin@",
    "wasi:cli/stdout@",
    "wasi:cli/stderr@",
    "wasi:cli/terminal-",
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:filesystem/",
];

/// What a component is for; decides which imports it is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The simulation engine: may import the rotation interface.
    Engine,
    /// A rotation: may import only the shared types.
    Rotation,
}

/// Refuses a component that imports anything beyond its role's grant.
pub fn check_imports(engine: &Engine, component: &Component, role: Role) -> Result<()> {
    let own: &[&str] = match role {
        Role::Engine => &["wowlab:sim/types@", "wowlab:sim/rotation@"],
        Role::Rotation => &["wowlab:sim/types@"],
    };
    let what = match role {
        Role::Engine => "engine",
        Role::Rotation => "rotation",
    };
    for (name, _) in component.component_type().imports(engine) {
        if !own.iter().chain(STD_WASI).any(|p| name.starts_with(p)) {
            anyhow::bail!("the {what} module imports `{name}`, which is not granted to a {what}");
        }
    }
    Ok(())
}

/// Links an engine component: imports within the grant, the `engine` world's exports.
fn engine_pre(
    runtime: &Runtime,
    component: &Component,
) -> Result<engine_bindings::EnginePre<EngineState>> {
    check_imports(runtime.engine(), component, Role::Engine)?;
    let mut linker = Linker::new(runtime.engine());
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    engine_bindings::Engine::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
    // Pre-instantiation checks the imports; the typed `...Pre` the exports.
    linker
        .instantiate_pre(component)
        .and_then(engine_bindings::EnginePre::new)
        .map_err(anyhow::Error::from)
        .context("the engine module does not fit the `engine` world")
}

/// Links a rotation component: imports within the grant, the world's exports.
fn rotation_pre(
    runtime: &Runtime,
    component: &Component,
) -> Result<rotation_bindings::RotationWorldPre<Sandbox>> {
    check_imports(runtime.engine(), component, Role::Rotation)?;
    let mut linker = Linker::new(runtime.engine());
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    linker
        .instantiate_pre(component)
        .and_then(rotation_bindings::RotationWorldPre::new)
        .map_err(anyhow::Error::from)
        .context("the rotation module does not fit the `rotation-world` world")
}

/// What a component is: an engine or a rotation that this host would load,
/// or an error saying why it is neither.
pub fn classify(runtime: &Runtime, component: &Component) -> Result<Role> {
    match engine_pre(runtime, component) {
        Ok(_) => Ok(Role::Engine),
        Err(as_engine) => rotation_pre(runtime, component)
            .map(|_| Role::Rotation)
            .map_err(|as_rotation| {
                anyhow::anyhow!(
                    "neither an engine ({as_engine:#}) nor a rotation ({as_rotation:#})"
                )
            }),
    }
}

/// The engine and rotation components, ready to instantiate per worker.
pub struct Simulator {
    engine: engine_bindings::EnginePre<EngineState>,
    rotation: rotation_bindings::RotationWorldPre<Sandbox>,
}

/// One worker's engine + rotation pair.
pub struct Worker<'a> {
    runtime: &'a Runtime,
    store: Store<EngineState>,
    bindings: engine_bindings::Engine,
}

impl Simulator {
    /// Links the components; fails if either does not fit its world.
    pub fn new(
        runtime: &Runtime,
        engine_component: Component,
        rotation_component: Component,
    ) -> Result<Self> {
        Ok(Self {
            engine: engine_pre(runtime, &engine_component)?,
            rotation: rotation_pre(runtime, &rotation_component)?,
        })
    }

    /// Instantiates the rotation component and initialises it with the
    /// spec's names and the rotation source (e.g. a script).
    pub fn rotation(
        &self,
        runtime: &Runtime,
        spells: &[String],
        auras: &[String],
        source: &str,
    ) -> Result<RotationInstance, BatchError> {
        let limits = runtime.limits();
        let mut store = Store::new(runtime.engine(), Sandbox::new(limits.memory_bytes));
        store.limiter(|s| &mut s.limits);
        let decision = runtime.deadline(limits.decision_timeout);
        decision.arm(&mut store);
        let init_fault = |e: wasmtime::Error, store: &Store<Sandbox>| {
            let cap = store.data().limits.memory_cap_hit();
            BatchError::Guest(fault_of(&e, Guest::Rotation, Call::Init, cap))
        };
        let bindings = self
            .rotation
            .instantiate(&mut store)
            .map_err(|e| init_fault(e, &store))?;
        decision.arm(&mut store);
        bindings
            .wowlab_sim_rotation()
            .call_init(&mut store, spells, auras, source)
            .map_err(|e| init_fault(e, &store))?
            .map_err(|e| BatchError::Engine(EngineError::Rotation(e)))?;
        Ok(RotationInstance {
            store,
            bindings,
            decision,
        })
    }

    /// An engine instance calling the rotation component (see [`Self::rotation`]).
    pub fn worker<'a>(
        &self,
        runtime: &'a Runtime,
        spells: &[String],
        auras: &[String],
        source: &str,
    ) -> Result<Worker<'a>, BatchError> {
        let rotation = self.rotation(runtime, spells, auras, source)?;
        self.worker_with(runtime, HostRotation::Component(rotation))
    }

    /// An engine instance calling `rotation`.
    pub fn worker_with<'a>(
        &self,
        runtime: &'a Runtime,
        rotation: HostRotation,
    ) -> Result<Worker<'a>, BatchError> {
        let limits = runtime.limits();
        let state = EngineState {
            sandbox: Sandbox::new(limits.memory_bytes.max(ENGINE_MIN_MEMORY)),
            rotation,
        };
        let mut store = Store::new(runtime.engine(), state);
        store.limiter(|s| &mut s.sandbox.limits);
        runtime.deadline(limits.batch_timeout).arm(&mut store);
        let bindings = self.engine.instantiate(&mut store).map_err(|e| {
            let cap = store.data().sandbox.limits.memory_cap_hit();
            fault_of(&e, Guest::Engine, Call::Batch, cap)
        })?;
        Ok(Worker {
            runtime,
            store,
            bindings,
        })
    }
}

impl Worker<'_> {
    /// Runs iterations [first, first + count) of the job `job_seed` of `config_json`.
    pub fn run_batch(
        &mut self,
        config_json: &str,
        job_seed: u64,
        first: u64,
        count: u32,
    ) -> Result<BatchResult, BatchError> {
        use engine_bindings::exports::wowlab::sim::simulator::EngineError as WitError;
        self.runtime
            .deadline(self.runtime.limits().batch_timeout)
            .arm(&mut self.store);
        let out = self
            .bindings
            .wowlab_sim_simulator()
            .call_run_batch(&mut self.store, config_json, job_seed, first, count)
            .map_err(|e| {
                let cap = self.store.data().sandbox.limits.memory_cap_hit();
                fault_of(&e, Guest::Engine, Call::Batch, cap)
            })?;
        match out {
            Ok(json) => serde_json::from_str(&json).map_err(|e| {
                Fault::Contract {
                    guest: Guest::Engine,
                    message: format!("returned an unreadable result: {e}"),
                }
                .into()
            }),
            Err(WitError::Config(m)) => Err(Fault::InvalidConfig(m).into()),
            Err(WitError::Rotation(m)) => Err(EngineError::Rotation(m).into()),
        }
    }
}
