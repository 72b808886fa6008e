//! The fight loop: one iteration is a stream of timed events (casts, swings,
//! ticks, aura expiries, decisions) processed in time order. Work per
//! iteration is linear in fight length: resource regeneration is computed
//! lazily from elapsed time, and nothing ticks on a fixed 100 ms clock.

use crate::config::SimConfig;
use crate::error::EngineError;
use crate::model::{DamageModel, Model, ProcRate, US_PER_MS, US_PER_S};
use crate::queue::EventQueue;
use crate::rng::Rng;
use crate::rotation::{Action, Rotation};
use crate::snapshot;
use crate::spec::{Carrier, Source, SpellGcd, Trigger};
use crate::stats::{BatchResult, Refusal};

/// "Never" on the fight clock.
const NEVER: i64 = i64::MAX;
/// RPPM looks back at most this far since the last attempt.
const RPPM_MAX_INTERVAL_US: i64 = 10_000_000;
/// Tolerance when comparing resource amounts that come from regeneration.
const RESOURCE_EPSILON: f64 = 1e-9;

/// Runs iterations `[first, first + count)` of the job seeded with `job_seed`.
pub fn run_batch(
    config: &SimConfig,
    rotation: &mut dyn Rotation,
    job_seed: u64,
    first: u64,
    count: u32,
) -> Result<BatchResult, EngineError> {
    let model = Model::compile(config)?;
    let mut sim = Sim::new(&model);
    let mut result = BatchResult::new(model.source_names.iter().cloned());
    for iteration in first..first + count as u64 {
        sim.run(rotation, job_seed, iteration)?;
        result.record(&sim.tally);
    }
    Ok(result)
}

/// What one iteration produced.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    pub dps: f64,
    pub fight_seconds: f64,
    pub sources: Vec<SourceTally>,
}

/// One source's figures in one iteration.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceTally {
    pub damage: f64,
    pub casts: u64,
    pub hits: u64,
    pub ticks: u64,
    pub crits: u64,
    pub refused: u64,
    pub first_refusal: Option<Refusal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Decide {
        generation: u32,
    },
    CastComplete {
        spell: u32,
    },
    Auto {
        index: u32,
    },
    DotTick {
        slot: u32,
        generation: u32,
    },
    AuraExpire {
        slot: u32,
        generation: u32,
    },
    SummonAttack {
        slot: u32,
        generation: u32,
    },
    /// A tick of `spell`'s energize, with `left` ticks to come including it.
    Energize {
        spell: u32,
        left: u32,
    },
    /// External aura `index` arrives (on the primary target, if a target
    /// aura).
    ExternalAura {
        index: u32,
    },
    /// A cycle's period ends: its next step's aura comes.
    CycleStep {
        cycle: u32,
        generation: u32,
    },
}

/// Where a cycle is: the step it gives next, and when its running period
/// ends (`NEVER` while a step's aura is up).
#[derive(Debug, Clone, Copy, Default)]
struct CycleState {
    next: usize,
    due: i64,
    generation: u32,
}

/// One summon out in the fight (a slot reused once it has left).
#[derive(Debug, Clone, Copy, Default)]
struct SummonState {
    summon: usize,
    active: bool,
    expires: i64,
    generation: u32,
}

#[derive(Debug, Clone, Copy, Default)]
struct SpellState {
    charges: u32,
    recharge_at: i64,
}

#[derive(Debug, Clone, Copy, Default)]
struct AuraState {
    stacks: u32,
    expires: i64,
    generation: u32,
}

#[derive(Debug, Clone, Copy, Default)]
struct DotState {
    active: bool,
    expires: i64,
    last_tick: i64,
    generation: u32,
    /// What rolled-over refreshes multiply each tick by (1 for a fresh
    /// application).
    rolling: f64,
    /// For a pet's DoT, the pets it was applied by as a share of the pack's
    /// pets (more with a summon that joins them); 1 otherwise.
    casters: f64,
    /// The tick time the pending tick was scheduled with: a tick cut short
    /// by the DoT's end deals the part of it that has passed.
    period: i64,
}

#[derive(Debug, Clone, Copy, Default)]
struct ProcState {
    last_attempt: i64,
    ready_at: i64,
}

/// Why a cast is not possible now.
enum Refused {
    Cooldown,
    Resource,
}

struct Sim<'m> {
    m: &'m Model,
    now: i64,
    end: i64,
    queue: EventQueue<Event>,
    rng: Rng,
    iteration: u64,
    resource: f64,
    resource_at: i64,
    gcd_end: i64,
    cast_end: i64,
    decide_generation: u32,
    /// Whether the rotation waits for something to change (`Wait(0)`).
    waiting: bool,
    spells: Vec<SpellState>,
    /// Aura slots: one per aura for player/pet auras, one per target for target auras.
    auras: Vec<AuraState>,
    aura_base: Vec<usize>,
    /// DoT slots: spells × targets.
    dots: Vec<DotState>,
    procs: Vec<ProcState>,
    /// Summons out now, and free slots.
    summoned: Vec<SummonState>,
    cycles: Vec<CycleState>,
    /// Per aura slot, its aura.
    slot_aura: Vec<usize>,
    procs_by_trigger: [Vec<usize>; 5],
    /// Per source (player, pet, guardian: [`speed_slot`]), the product of
    /// its carrier's speed auras' haste and attack speed bonuses now; kept
    /// up to date as those auras' stacks change.
    speed: [Speed; 3],
    /// Attack power the player's auras give now (all multipliers applied).
    attack_power: f64,
    snapshot: Vec<f64>,
    tally: Tally,
}

/// A carrier's speed auras' products.
#[derive(Debug, Clone, Copy)]
struct Speed {
    haste: f64,
    attack_speed: f64,
}

impl Default for Speed {
    fn default() -> Self {
        Self {
            haste: 1.0,
            attack_speed: 1.0,
        }
    }
}

/// The index of `source` in [`Sim::speed`].
fn speed_slot(source: Source) -> usize {
    match source {
        Source::Player => 0,
        Source::Pet => 1,
        Source::Guardian => 2,
    }
}

fn trigger_index(t: Trigger) -> usize {
    match t {
        Trigger::Cast => 0,
        Trigger::Hit => 1,
        Trigger::Crit => 2,
        Trigger::Tick => 3,
        Trigger::Consume => 4,
    }
}

impl<'m> Sim<'m> {
    fn new(m: &'m Model) -> Self {
        let mut aura_base = Vec::with_capacity(m.auras.len());
        let mut slot_aura = Vec::new();
        for (i, a) in m.auras.iter().enumerate() {
            aura_base.push(slot_aura.len());
            let slots = if a.on == Carrier::Target {
                m.targets
            } else {
                1
            };
            slot_aura.extend(std::iter::repeat_n(i, slots));
        }
        let slots = slot_aura.len();
        let mut procs_by_trigger: [Vec<usize>; 5] = Default::default();
        for (i, p) in m.procs.iter().enumerate() {
            procs_by_trigger[trigger_index(p.on)].push(i);
        }
        // On one event, the procs that summon go first: what they call is
        // there for the others (a pet that joins the pets casts their spells).
        for list in &mut procs_by_trigger {
            list.sort_by_key(|&i| m.procs[i].summon.is_none());
        }
        Self {
            m,
            now: 0,
            end: 0,
            queue: EventQueue::new(),
            rng: Rng::for_iteration(0, 0),
            iteration: 0,
            resource: 0.0,
            resource_at: 0,
            gcd_end: 0,
            cast_end: 0,
            decide_generation: 0,
            waiting: false,
            spells: vec![SpellState::default(); m.spells.len()],
            auras: vec![AuraState::default(); slots],
            aura_base,
            dots: vec![DotState::default(); m.spells.len() * m.targets],
            procs: vec![ProcState::default(); m.procs.len()],
            summoned: Vec::new(),
            cycles: vec![CycleState::default(); m.cycles.len()],
            slot_aura,
            procs_by_trigger,
            speed: [Speed::default(); 3],
            attack_power: 0.0,
            snapshot: vec![0.0; snapshot::len(m.rotation_spells, m.visible_auras)],
            tally: Tally {
                sources: vec![SourceTally::default(); m.source_names.len()],
                ..Tally::default()
            },
        }
    }

    fn reset(&mut self, job_seed: u64, iteration: u64) {
        let m = self.m;
        self.rng = Rng::for_iteration(job_seed, iteration);
        self.iteration = iteration;
        self.now = 0;
        self.end = if m.vary_length > 0.0 {
            let factor = 1.0 - m.vary_length + 2.0 * m.vary_length * self.rng.uniform();
            (m.duration_us as f64 * factor) as i64
        } else {
            m.duration_us
        };
        self.queue.clear();
        self.resource = m.resource_start;
        self.resource_at = 0;
        self.gcd_end = 0;
        self.cast_end = 0;
        self.waiting = false;
        for (s, sm) in self.spells.iter_mut().zip(&m.spells) {
            *s = SpellState {
                charges: sm.charges,
                recharge_at: NEVER,
            };
        }
        self.auras.fill(AuraState::default());
        self.speed = [Speed::default(); 3];
        self.attack_power = 0.0;
        self.dots.fill(DotState::default());
        self.summoned.clear();
        self.procs.fill(ProcState {
            last_attempt: -RPPM_MAX_INTERVAL_US,
            ready_at: 0,
        });
        for s in &mut self.tally.sources {
            *s = SourceTally::default();
        }
    }

    fn run(
        &mut self,
        rotation: &mut dyn Rotation,
        job_seed: u64,
        iteration: u64,
    ) -> Result<(), EngineError> {
        self.reset(job_seed, iteration);
        for index in 0..self.m.autos.len() {
            self.push(
                0,
                Event::Auto {
                    index: index as u32,
                },
            );
        }
        for (index, e) in self.m.external_auras.iter().enumerate() {
            self.push(
                e.at_us,
                Event::ExternalAura {
                    index: index as u32,
                },
            );
        }
        for cycle in 0..self.m.cycles.len() {
            self.cycles[cycle] = CycleState::default();
            self.start_cycle(cycle);
        }
        self.schedule_decision(0);
        while let Some((time, event)) = self.queue.pop() {
            if time >= self.end {
                break;
            }
            self.now = time;
            match event {
                Event::Decide { generation } => {
                    if generation == self.decide_generation {
                        self.decide(rotation)?;
                    }
                }
                Event::CastComplete { spell } => {
                    self.complete_cast(spell as usize);
                    self.schedule_decision(self.gcd_end.max(self.now));
                }
                Event::Auto { index } => self.auto_attack(index as usize),
                Event::DotTick { slot, generation } => self.dot_tick(slot as usize, generation),
                Event::AuraExpire { slot, generation } => {
                    self.aura_expire(slot as usize, generation)
                }
                Event::SummonAttack { slot, generation } => {
                    self.summon_attack(slot as usize, generation)
                }
                Event::Energize { spell, left } => self.energize(spell as usize, left),
                Event::ExternalAura { index } => self.external_aura(index as usize),
                Event::CycleStep { cycle, generation } => {
                    if self.cycles[cycle as usize].generation == generation {
                        self.cycles[cycle as usize].due = NEVER;
                        self.give_cycle_step(cycle as usize);
                    }
                }
            }
        }
        let seconds = self.end as f64 / US_PER_S;
        let total: f64 = self.tally.sources.iter().map(|s| s.damage).sum();
        self.tally.fight_seconds = seconds;
        self.tally.dps = total / seconds;
        Ok(())
    }

    fn push(&mut self, time: i64, event: Event) {
        self.queue.push(time, event);
    }

    fn schedule_decision(&mut self, time: i64) {
        self.decide_generation = self.decide_generation.wrapping_add(1);
        let generation = self.decide_generation;
        self.push(time, Event::Decide { generation });
    }

    // ---- derived state -------------------------------------------------

    fn aura_product(
        &self,
        carrier: Carrier,
        bonus: impl Fn(&crate::model::AuraModel) -> f64,
    ) -> f64 {
        let mut product = 1.0;
        for &i in &self.m.speed_auras {
            let a = &self.m.auras[i];
            if a.on == carrier {
                let b = bonus(a);
                if b != 0.0 {
                    let stacks = self.auras[self.aura_base[i]].stacks;
                    product *= 1.0 + b * stacks as f64;
                }
            }
        }
        product
    }

    /// Recomputes [`Sim::speed`] after a speed aura's stacks changed.
    fn refresh_speed(&mut self) {
        for source in [Source::Player, Source::Pet, Source::Guardian] {
            let carrier = Self::carrier(source);
            self.speed[speed_slot(source)] = Speed {
                haste: self.aura_product(carrier, |a| a.haste_bonus),
                attack_speed: self.aura_product(carrier, |a| a.attack_speed_bonus),
            };
        }
    }

    /// Refreshes [`Sim::speed`] if `aura` is a speed aura, and
    /// [`Sim::attack_power`] if it gives attack power.
    fn stacks_changed(&mut self, aura: usize) {
        let a = &self.m.auras[aura];
        if a.haste_bonus != 0.0 || a.attack_speed_bonus != 0.0 {
            self.refresh_speed();
        }
        if a.attack_power != 0.0 {
            self.attack_power = self
                .m
                .auras
                .iter()
                .zip(&self.aura_base)
                .filter(|(a, _)| a.attack_power != 0.0)
                .map(|(a, &slot)| a.attack_power * f64::from(self.auras[slot].stacks))
                .sum();
        }
    }

    fn player_haste(&self) -> f64 {
        self.m.haste * self.speed[speed_slot(Source::Player)].haste
    }

    fn source_haste(&self, source: Source) -> f64 {
        match source {
            Source::Player => self.player_haste(),
            other => self.player_haste() * self.speed[speed_slot(other)].haste,
        }
    }

    fn carrier(source: Source) -> Carrier {
        match source {
            Source::Player => Carrier::Player,
            Source::Pet => Carrier::Pet,
            Source::Guardian => Carrier::Guardian,
        }
    }

    fn regen_rate(&self) -> f64 {
        if self.m.hasted_regen {
            self.m.regen_per_s * self.player_haste()
        } else {
            self.m.regen_per_s
        }
    }

    /// Brings the lazily regenerated resource up to now. Called before
    /// anything changes the amount or the regeneration rate.
    fn settle_resource(&mut self) {
        let elapsed = (self.now - self.resource_at) as f64 / US_PER_S;
        self.resource = (self.resource + self.regen_rate() * elapsed).min(self.m.resource_max);
        self.resource_at = self.now;
    }

    fn resource_now(&self) -> f64 {
        let elapsed = (self.now - self.resource_at) as f64 / US_PER_S;
        (self.resource + self.regen_rate() * elapsed).min(self.m.resource_max)
    }

    fn settle_charges(&mut self, spell: usize) {
        let max = self.m.spells[spell].charges;
        while self.spells[spell].recharge_at <= self.now {
            let recharge = self.recharge_time(spell);
            let s = &mut self.spells[spell];
            s.charges += 1;
            s.recharge_at = if s.charges < max {
                s.recharge_at + recharge
            } else {
                NEVER
            };
        }
    }

    fn recharge_time(&self, spell: usize) -> i64 {
        let sm = &self.m.spells[spell];
        if sm.hasted_cooldown {
            (sm.cooldown_us as f64 / self.player_haste()) as i64
        } else {
            sm.cooldown_us
        }
    }

    fn gcd_us(&self, spell: usize) -> i64 {
        match self.m.spells[spell].gcd {
            SpellGcd::Hasted => {
                ((self.m.gcd_base_us as f64 / self.player_haste()) as i64).max(self.m.gcd_min_us)
            }
            SpellGcd::None => 0,
            SpellGcd::Fixed(ms) => ms as i64 * US_PER_MS,
        }
    }

    fn check_castable(&mut self, spell: usize) -> Result<(), Refused> {
        self.settle_charges(spell);
        if self.spells[spell].charges == 0 {
            return Err(Refused::Cooldown);
        }
        if self.resource_now() + RESOURCE_EPSILON < self.m.spells[spell].cost {
            return Err(Refused::Resource);
        }
        Ok(())
    }

    /// When `spell` could next be cast, if not now (ignoring the GCD).
    fn ready_at(&mut self, spell: usize) -> i64 {
        self.settle_charges(spell);
        let s = self.spells[spell];
        let charge_at = if s.charges > 0 {
            self.now
        } else {
            s.recharge_at
        };
        let missing = self.m.spells[spell].cost - self.resource_now();
        let resource_at = if missing <= RESOURCE_EPSILON {
            self.now
        } else if self.regen_rate() > 0.0 {
            self.now + (missing / self.regen_rate() * US_PER_S).ceil() as i64
        } else {
            NEVER
        };
        charge_at.max(resource_at)
    }

    // ---- decisions -----------------------------------------------------

    fn fill_snapshot(&mut self) {
        let m = self.m;
        let now_s = self.now as f64 / US_PER_S;
        let haste = self.player_haste();
        let gcd = ((m.gcd_base_us as f64 / haste) as i64).max(m.gcd_min_us) as f64 / US_PER_S;
        let values = [
            now_s,
            (self.end - self.now) as f64 / US_PER_S,
            self.resource_now(),
            m.resource_max,
            self.regen_rate(),
            m.targets as f64,
            haste,
            gcd,
        ];
        self.snapshot[..snapshot::HEADER].copy_from_slice(&values);
        for i in 0..m.rotation_spells {
            let castable = self.check_castable(i).is_ok();
            let s = self.spells[i];
            let recharge = if s.recharge_at == NEVER {
                0.0
            } else {
                (s.recharge_at - self.now) as f64 / US_PER_S
            };
            let cooldown = if s.charges > 0 { 0.0 } else { recharge };
            // The charges still to come recharge at today's rate.
            let (recharged, full) = if s.recharge_at == NEVER {
                (0.0, 0.0)
            } else {
                let period = self.recharge_time(i).max(1) as f64 / US_PER_S;
                let missing = m.spells[i].charges.saturating_sub(s.charges + 1);
                (
                    (1.0 - recharge / period).clamp(0.0, 1.0),
                    recharge + f64::from(missing) * period,
                )
            };
            let base = snapshot::spell(i, 0);
            self.snapshot[base + snapshot::SPELL_COOLDOWN] = cooldown;
            self.snapshot[base + snapshot::SPELL_CHARGES] = s.charges as f64;
            self.snapshot[base + snapshot::SPELL_CASTABLE] = if castable { 1.0 } else { 0.0 };
            self.snapshot[base + snapshot::SPELL_RECHARGE] = recharge;
            self.snapshot[base + snapshot::SPELL_CHARGES_FRACTIONAL] = s.charges as f64 + recharged;
            self.snapshot[base + snapshot::SPELL_FULL_RECHARGE] = full;
        }
        for i in 0..m.visible_auras {
            let a = self.auras[self.aura_base[i]];
            let base = snapshot::aura(m.rotation_spells, i, 0);
            // An aura until consumed lasts at most the fight.
            let remains = if a.stacks > 0 {
                let until = if a.expires == i64::MAX {
                    self.end
                } else {
                    a.expires
                };
                (until - self.now) as f64 / US_PER_S
            } else {
                0.0
            };
            self.snapshot[base + snapshot::AURA_REMAINS] = remains;
            self.snapshot[base + snapshot::AURA_STACKS] = a.stacks as f64;
            self.snapshot[base + snapshot::AURA_REACHABLE] =
                f64::from(u8::from(m.aura_reachable[i]));
        }
    }

    fn decide(&mut self, rotation: &mut dyn Rotation) -> Result<(), EngineError> {
        self.waiting = false;
        self.fill_snapshot();
        let action = rotation
            .decide(&self.snapshot)
            .map_err(EngineError::Rotation)?;
        match action {
            Action::Cast(spell) => {
                let spell = spell as usize;
                if spell >= self.m.rotation_spells {
                    return Err(EngineError::Rotation(format!(
                        "the rotation cast spell index {spell}, but the spec has {} spells",
                        self.m.rotation_spells
                    )));
                }
                match self.check_castable(spell) {
                    Ok(()) => self.start_cast(spell),
                    Err(why) => {
                        self.refuse(spell, why);
                        self.wait_until_something_changes();
                    }
                }
            }
            Action::Wait(0) => self.wait_until_something_changes(),
            Action::Wait(ms) => self.schedule_decision(self.now + ms as i64 * US_PER_MS),
        }
        Ok(())
    }

    fn refuse(&mut self, spell: usize, why: Refused) {
        let reason = match why {
            Refused::Cooldown => "on cooldown (no charge available)".to_string(),
            Refused::Resource => format!(
                "not enough resource ({:.1} of {:.1})",
                self.resource_now(),
                self.m.spells[spell].cost
            ),
        };
        let t = &mut self.tally.sources[spell];
        t.refused += 1;
        if t.first_refusal.is_none() {
            t.first_refusal = Some(Refusal {
                iteration: self.iteration,
                time_ms: (self.now / US_PER_MS) as u64,
                reason,
            });
        }
    }

    fn wait_until_something_changes(&mut self) {
        let mut next = NEVER;
        for spell in 0..self.m.rotation_spells {
            let at = self.ready_at(spell);
            if at > self.now {
                next = next.min(at);
            }
        }
        if next == NEVER {
            next = self.queue.next_time_after(self.now).unwrap_or(self.end);
        }
        self.schedule_decision(next);
        self.waiting = true;
    }

    fn start_cast(&mut self, spell: usize) {
        let gcd = self.gcd_us(spell);
        self.gcd_end = self.now + gcd;
        let cast = self.m.spells[spell].cast_us;
        if cast > 0 {
            self.cast_end = self.now + (cast as f64 / self.player_haste()) as i64;
            self.push(
                self.cast_end,
                Event::CastComplete {
                    spell: spell as u32,
                },
            );
        } else {
            self.complete_cast(spell);
            self.schedule_decision(self.gcd_end.max(self.now));
        }
    }

    // ---- effects -------------------------------------------------------

    fn complete_cast(&mut self, spell: usize) {
        let m = self.m;
        let sm = &m.spells[spell];
        self.settle_resource();
        self.resource = (self.resource - sm.cost + sm.gain).clamp(0.0, m.resource_max);
        self.settle_charges(spell);
        let recharge = self.recharge_time(spell);
        let s = &mut self.spells[spell];
        if s.charges == sm.charges {
            s.recharge_at = self.now + recharge;
        }
        s.charges = s.charges.saturating_sub(1);
        self.cast_effects(spell);
    }

    /// What a cast of `spell` does once paid for: auras, cooldown
    /// reductions, damage (once per caster), DoTs, summons, energize, then
    /// the procs on its cast.
    fn cast_effects(&mut self, spell: usize) {
        let m = self.m;
        let sm = &m.spells[spell];
        self.tally.sources[spell].casts += 1;
        let first = usize::from(sm.exclude_primary);
        let targets = (first + sm.max_targets as usize).min(m.targets);
        let hit_count = targets.saturating_sub(first);
        // sqrt is exact (IEEE 754), so this is the same on every machine.
        let aoe_fraction = match sm.reduced_aoe_targets as usize {
            r if r > 0 && hit_count > r => (r as f64 / hit_count as f64).sqrt(),
            _ => 1.0,
        };
        for &aura in &sm.auras {
            // Target auras go on the targets hit; the others once, on their carrier.
            let on = if m.auras[aura].on == Carrier::Target {
                first..targets
            } else {
                0..1
            };
            for t in on {
                self.apply_aura(aura, t, 1);
            }
        }
        for &(other, ms) in &sm.reductions {
            self.reduce_cooldown(other, ms);
        }
        if let Some(d) = &sm.damage {
            let hits = sm.casters + sm.hits_per_pet * self.joined_pets();
            for _ in 0..hits {
                for t in first..targets {
                    self.hit(spell, sm.source, d, t, false, aoe_fraction);
                }
            }
        }
        if sm.dot.is_some() {
            for t in first..targets {
                self.apply_dot(spell, t);
            }
        }
        for &aura in &sm.consumes {
            self.consume(aura);
        }
        if let Some(summon) = sm.summon {
            self.summon(summon);
        }
        if let Some((_, tick, ticks)) = sm.energize {
            self.push(
                self.now + tick,
                Event::Energize {
                    spell: spell as u32,
                    left: ticks,
                },
            );
        }
        self.trigger(Trigger::Cast, spell);
    }

    /// One tick of `spell`'s energize.
    fn energize(&mut self, spell: usize, left: u32) {
        let Some((amount, tick, _)) = self.m.spells[spell].energize else {
            return;
        };
        self.settle_resource();
        self.resource = (self.resource + amount).min(self.m.resource_max);
        if left > 1 {
            self.push(
                self.now + tick,
                Event::Energize {
                    spell: spell as u32,
                    left: left - 1,
                },
            );
        }
        self.wake();
    }

    /// A rotation waiting for a change decides again (once its GCD allows):
    /// called when resource or a charge arrives other than by the clock.
    fn wake(&mut self) {
        if self.waiting && self.cast_end <= self.now {
            self.schedule_decision(self.gcd_end.max(self.now));
        }
    }

    /// Shortens `spell`'s current recharge by `us`.
    fn reduce_cooldown(&mut self, spell: usize, us: i64) {
        self.settle_charges(spell);
        let s = &mut self.spells[spell];
        if s.recharge_at != NEVER {
            s.recharge_at -= us;
            self.settle_charges(spell);
        }
    }

    /// How many summons that join the pets are here now.
    fn joined_pets(&self) -> u32 {
        let m = self.m;
        self.summoned
            .iter()
            .filter(|s| s.expires > self.now && m.summons[s.summon].joins_pets)
            .count() as u32
    }

    /// Calls summon `summon`: it attacks now and then on its swing timer
    /// until its duration ends.
    fn summon(&mut self, summon: usize) {
        let now = self.now;
        let expires = now + self.m.summons[summon].duration_us;
        // A slot is free once its summon's stay is over.
        let free = |s: &SummonState| !s.active && s.expires <= now;
        let slot = match self.summoned.iter().position(free) {
            Some(free) => free,
            None => {
                self.summoned.push(SummonState::default());
                self.summoned.len() - 1
            }
        };
        let s = &mut self.summoned[slot];
        *s = SummonState {
            summon,
            active: true,
            expires,
            generation: s.generation.wrapping_add(1),
        };
        let generation = s.generation;
        self.push(
            self.now,
            Event::SummonAttack {
                slot: slot as u32,
                generation,
            },
        );
    }

    fn summon_attack(&mut self, slot: usize, generation: u32) {
        let s = self.summoned[slot];
        if !s.active || s.generation != generation {
            return;
        }
        let a = &self.m.summons[s.summon].attack;
        self.hit(a.stat, a.source, &a.damage, 0, false, 1.0);
        let next = self.now + self.swing_period(a);
        if next < s.expires {
            self.push(
                next,
                Event::SummonAttack {
                    slot: slot as u32,
                    generation,
                },
            );
        } else {
            self.summoned[slot].active = false;
        }
    }

    /// The swing time of `a` now, after haste and attack speed.
    fn swing_period(&self, a: &crate::model::AutoModel) -> i64 {
        if !a.hasted {
            return a.period_us;
        }
        let speed = self.source_haste(a.source) * self.speed[speed_slot(a.source)].attack_speed;
        ((a.period_us as f64 / speed) as i64).max(1)
    }

    fn auto_attack(&mut self, index: usize) {
        let a = &self.m.autos[index];
        self.hit(a.stat, a.source, &a.damage, 0, false, 1.0);
        let period = self.swing_period(a);
        self.push(
            self.now + period,
            Event::Auto {
                index: index as u32,
            },
        );
    }

    /// Deals one hit (or tick when `tick`) of `d`, scaled by `fraction`.
    fn hit(
        &mut self,
        stat: usize,
        source: Source,
        d: &DamageModel,
        target: usize,
        tick: bool,
        fraction: f64,
    ) {
        let carrier = Self::carrier(source);
        let mut amount = (d.amount + d.per_attack_power * self.attack_power) * fraction;
        if self.m.mastery_sources.contains(&source) {
            amount *= 1.0 + self.m.mastery_bonus;
        }
        amount *= 1.0 + self.m.mastery_spell_bonus[stat];
        let mut chance = self.m.crit_chance + d.crit_chance_bonus;
        for &i in &self.m.hit_auras[stat] {
            let a = &self.m.auras[i];
            if a.on == Carrier::Target && a.damage_bonus != 0.0 {
                let stacks = self.auras[self.aura_base[i] + target].stacks;
                amount *= 1.0 + a.damage_bonus * stacks as f64;
            } else if a.on == carrier {
                let stacks = self.auras[self.aura_base[i]].stacks as f64;
                amount *= 1.0 + a.damage_bonus * stacks;
                chance += a.crit_bonus * stacks;
            }
        }
        let mut crit = false;
        if d.can_crit {
            crit = self.rng.chance(chance);
            if crit {
                amount *= d.crit_multiplier;
            }
        }
        let t = &mut self.tally.sources[stat];
        t.damage += amount;
        if tick {
            t.ticks += 1;
        } else {
            t.hits += 1;
        }
        if crit {
            t.crits += 1;
        }
        if stat < self.m.spells.len() + self.m.autos.len() + self.m.summons.len() {
            self.trigger(if tick { Trigger::Tick } else { Trigger::Hit }, stat);
            if crit {
                self.trigger(Trigger::Crit, stat);
            }
        }
    }

    /// External aura `index` arrives; it comes again after its period.
    fn external_aura(&mut self, index: usize) {
        let e = self.m.external_auras[index];
        self.apply_aura(e.aura, 0, 1);
        if e.every_us > 0 {
            self.push(
                self.now + e.every_us,
                Event::ExternalAura {
                    index: index as u32,
                },
            );
        }
    }

    /// Gives `aura` (on `target`, if a target's) `stacks` more stacks and
    /// its full duration.
    fn apply_aura(&mut self, aura: usize, target: usize, stacks: u32) {
        let am = &self.m.auras[aura];
        if am.haste_bonus != 0.0 {
            self.settle_resource();
        }
        let slot = self.aura_base[aura] + target;
        let a = &mut self.auras[slot];
        a.stacks = a.stacks.saturating_add(stacks).min(am.max_stacks);
        a.expires = self.now.saturating_add(am.duration_us);
        a.generation = a.generation.wrapping_add(1);
        let (expires, generation) = (a.expires, a.generation);
        self.stacks_changed(aura);
        if expires != i64::MAX {
            self.push(
                expires,
                Event::AuraExpire {
                    slot: slot as u32,
                    generation,
                },
            );
        }
    }

    fn aura_expire(&mut self, slot: usize, generation: u32) {
        if self.auras[slot].generation != generation {
            return;
        }
        self.settle_resource();
        self.auras[slot].stacks = 0;
        self.stacks_changed(self.slot_aura[slot]);
        self.aura_ended(self.slot_aura[slot]);
    }

    /// A spell consumes `aura` (not a target's): if it is up, its stacks
    /// go and the procs on its consumption happen.
    fn consume(&mut self, aura: usize) {
        let slot = self.aura_base[aura];
        if self.auras[slot].stacks == 0 {
            return;
        }
        self.settle_resource();
        let a = &mut self.auras[slot];
        a.stacks = 0;
        a.generation = a.generation.wrapping_add(1);
        self.stacks_changed(aura);
        self.trigger(Trigger::Consume, aura);
        self.aura_ended(aura);
    }

    /// `aura` has ended: if it is a cycle's step, the cycle's period
    /// starts again (unless it runs already).
    fn aura_ended(&mut self, aura: usize) {
        if let Some(cycle) = self.m.aura_cycle[aura]
            && self.cycles[cycle].due == NEVER
        {
            self.start_cycle(cycle);
        }
    }

    /// Starts `cycle`'s period now.
    fn start_cycle(&mut self, cycle: usize) {
        let due = self.now + self.m.cycles[cycle].period_us;
        self.schedule_cycle(cycle, due);
    }

    fn schedule_cycle(&mut self, cycle: usize, due: i64) {
        let c = &mut self.cycles[cycle];
        c.due = due;
        c.generation = c.generation.wrapping_add(1);
        let generation = c.generation;
        self.push(
            due.max(self.now),
            Event::CycleStep {
                cycle: cycle as u32,
                generation,
            },
        );
    }

    /// Gives `cycle`'s next step's aura now (its period is not touched).
    fn give_cycle_step(&mut self, cycle: usize) {
        let steps = &self.m.cycles[cycle].steps;
        let c = &mut self.cycles[cycle];
        let aura = steps[c.next];
        c.next = (c.next + 1) % steps.len();
        self.apply_aura(aura, 0, 1);
    }

    /// The time between `spell`'s DoT ticks now, after haste (if its
    /// ticks are hasted) and the auras that change it.
    fn tick_period(&self, spell: usize) -> i64 {
        let dot = self.m.spells[spell].dot.as_ref().expect("spell has a dot");
        let mut factor = if dot.hasted_ticks {
            1.0 / self.player_haste()
        } else {
            1.0
        };
        for &i in &self.m.tick_time_auras {
            let a = &self.m.auras[i];
            if a.affects(spell) {
                let stacks = self.auras[self.aura_base[i]].stacks;
                factor *= 1.0 + a.tick_time_bonus * f64::from(stacks);
            }
        }
        if factor == 1.0 {
            dot.tick_us
        } else {
            ((dot.tick_us as f64 * factor) as i64).max(1)
        }
    }

    fn apply_dot(&mut self, spell: usize, target: usize) {
        let sm = &self.m.spells[spell];
        let dm = sm.dot.as_ref().expect("spell has a dot");
        let period = self.tick_period(spell);
        let slot = spell * self.m.targets + target;
        let now = self.now;
        let casters = if sm.hits_per_pet > 0 {
            f64::from(self.m.pets + self.joined_pets()) / f64::from(self.m.pets)
        } else {
            1.0
        };
        let d = &mut self.dots[slot];
        d.casters = casters;
        let next = if d.active && dm.rolling {
            // The tick under way keeps its time; the new application's
            // ticks follow it, and everything still to come (the old
            // ticks left and the new ones) is spread evenly over them.
            let next = d.last_tick + d.period;
            let left = (d.expires - now) as f64 / period as f64;
            let new = dm.duration_us as f64 / period as f64;
            d.rolling = (left * d.rolling + new) / (1.0 + new);
            d.expires = next + dm.duration_us;
            next
        } else {
            let restart = !d.active || dm.rolling || dm.tick_on_application;
            if d.active {
                let carry = if dm.pandemic {
                    (d.expires - now).min(dm.duration_us * 3 / 10)
                } else {
                    0
                };
                d.expires = now + dm.duration_us + carry;
            } else {
                d.active = true;
                d.rolling = 1.0;
                d.expires = now + dm.duration_us;
            }
            if restart {
                d.last_tick = now;
            }
            d.period = period;
            (d.last_tick + period).min(d.expires)
        };
        d.generation = d.generation.wrapping_add(1);
        let (generation, factor) = (d.generation, d.rolling * d.casters);
        if dm.tick_on_application {
            let tick = dm.damage.scaled(factor);
            self.hit(spell, sm.source, &tick, target, true, 1.0);
        }
        self.push(
            next,
            Event::DotTick {
                slot: slot as u32,
                generation,
            },
        );
    }

    fn dot_tick(&mut self, slot: usize, generation: u32) {
        let d = self.dots[slot];
        if !d.active || d.generation != generation {
            return;
        }
        let spell = slot / self.m.targets;
        let target = slot % self.m.targets;
        let fraction = ((self.now - d.last_tick) as f64 / d.period as f64).min(1.0);
        let sm = &self.m.spells[spell];
        let dm = sm.dot.as_ref().expect("spell has a dot");
        let tick = dm.damage.scaled(d.rolling * d.casters);
        self.hit(spell, sm.source, &tick, target, true, fraction);
        let period = self.tick_period(spell);
        let d = &mut self.dots[slot];
        d.last_tick = self.now;
        d.period = period;
        if self.now >= d.expires {
            d.active = false;
        } else {
            let next = (self.now + period).min(d.expires);
            self.push(
                next,
                Event::DotTick {
                    slot: slot as u32,
                    generation,
                },
            );
        }
    }

    fn trigger(&mut self, on: Trigger, stat: usize) {
        let list = trigger_index(on);
        for k in 0..self.procs_by_trigger[list].len() {
            let i = self.procs_by_trigger[list][k];
            let pm = &self.m.procs[i];
            if !pm.sources.is_empty() && !pm.sources.contains(&stat) {
                continue;
            }
            if self.now < self.procs[i].ready_at {
                continue;
            }
            let p = match pm.rate {
                ProcRate::Chance(c) => c,
                ProcRate::Rppm { rate, hasted } => {
                    let since = (self.now - self.procs[i].last_attempt).min(RPPM_MAX_INTERVAL_US);
                    self.procs[i].last_attempt = self.now;
                    let haste = if hasted { self.player_haste() } else { 1.0 };
                    rate * haste * since as f64 / US_PER_S / 60.0
                }
            };
            if !self.rng.chance(p) {
                continue;
            }
            self.procs[i].ready_at = self.now + pm.icd_us;
            if let Some(aura) = pm.aura {
                self.apply_aura(aura, 0, pm.stacks);
            }
            for &(cycle, us) in &pm.cycle_reductions {
                let due = self.cycles[cycle].due;
                if due != NEVER {
                    self.schedule_cycle(cycle, due - us);
                }
            }
            if let Some(cycle) = pm.advance_cycle {
                self.give_cycle_step(cycle);
            }
            if pm.gain > 0.0 {
                self.settle_resource();
                self.resource = (self.resource + pm.gain).min(self.m.resource_max);
                self.wake();
            }
            if let Some(spell) = pm.reset {
                self.settle_charges(spell);
                let max = self.m.spells[spell].charges;
                let s = &mut self.spells[spell];
                if s.charges < max {
                    s.charges += 1;
                    if s.charges == max {
                        s.recharge_at = NEVER;
                    }
                }
                self.wake();
            }
            if let Some(summon) = pm.summon {
                for _ in 0..pm.summon_count {
                    self.summon(summon);
                }
            }
            for &(other, us) in &pm.reductions {
                self.reduce_cooldown(other, us);
            }
            if let Some((stat, d)) = &pm.damage {
                self.hit(*stat, Source::Player, d, 0, false, 1.0);
            }
            if let Some(spell) = pm.cast {
                self.cast_effects(spell);
            }
        }
    }
}
