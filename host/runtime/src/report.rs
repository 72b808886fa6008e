//! Presenting a simulation result: a text report for people and one JSON
//! object for programs. Both are pure functions of the result and config, so
//! the same seed gives byte-identical output.

use std::fmt::Write;

use serde::Serialize;
use wowlab_engine::stats::Refusal;
use wowlab_engine::{BatchResult, SimConfig};

/// The JSON report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Iterations run.
    pub iterations: u64,
    /// Mean DPS.
    pub mean_dps: f64,
    /// Standard deviation of DPS per iteration.
    pub std_dps: f64,
    /// Half-width of the 95 % confidence interval of the mean.
    pub error_dps: f64,
    /// Lowest DPS of an iteration.
    pub min_dps: f64,
    /// Highest DPS of an iteration.
    pub max_dps: f64,
    /// 5th, 50th and 95th percentiles of DPS.
    pub percentiles: Percentiles,
    /// Hash of the engine module that produced it.
    pub engine: String,
    /// Rotation backend and hashes.
    pub rotation: wowlab_engine::config::RotationRef,
    /// The job seed.
    pub seed: u64,
    /// Nominal fight length in seconds.
    pub duration_s: f64,
    /// How much each iteration's length varies around it (0.2: ± 20 %).
    #[serde(skip_serializing_if = "is_zero")]
    pub vary_length: f64,
    /// Number of targets.
    pub targets: u32,
    /// Per spell, auto-attack and damaging proc.
    pub spells: Vec<SpellReport>,
    /// What the character's profile says that is not simulated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
}

/// Percentiles of DPS.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Percentiles {
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// One damage source in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpellReport {
    /// Name from the spec pack.
    pub name: String,
    /// Damage per second it contributed.
    pub dps: f64,
    /// Fraction of all damage.
    pub share: f64,
    /// Casts per iteration.
    pub casts_per_iteration: f64,
    /// Crits per hit or tick.
    pub crit_rate: f64,
    /// Refused casts over all iterations.
    pub refused: u64,
    /// The first refused cast.
    pub first_refusal: Option<Refusal>,
}

impl Report {
    /// Builds the report of `result` for `config`.
    pub fn new(result: &BatchResult, config: &SimConfig, seed: u64) -> Self {
        let n = result.iterations().max(1) as f64;
        let total: f64 = result.sources.iter().map(|s| s.damage_total()).sum();
        let seconds = result.fight_length.mean().max(f64::MIN_POSITIVE);
        Self {
            iterations: result.iterations(),
            mean_dps: result.dps.mean(),
            std_dps: result.dps.std_dev(),
            error_dps: result.dps.error95(),
            min_dps: result.dps.min,
            max_dps: result.dps.max,
            percentiles: Percentiles {
                p5: result.histogram.quantile(0.05),
                p50: result.histogram.quantile(0.50),
                p95: result.histogram.quantile(0.95),
            },
            engine: config.engine.clone(),
            rotation: config.rotation.clone(),
            seed,
            duration_s: config.fight.duration_ms as f64 / 1000.0,
            vary_length: config.fight.vary_length,
            targets: config.fight.targets,
            spells: result
                .sources
                .iter()
                .map(|s| SpellReport {
                    name: s.name.clone(),
                    dps: s.damage_total() / n / seconds,
                    share: if total > 0.0 {
                        s.damage_total() / total
                    } else {
                        0.0
                    },
                    casts_per_iteration: s.casts as f64 / n,
                    crit_rate: s.crit_rate(),
                    refused: s.refused,
                    first_refusal: s.first_refusal.clone(),
                })
                .collect(),
            ignored: config.ignored.clone(),
        }
    }

    /// The fight's length as people read it: "300 s", or "300 s ± 20 %"
    /// when it varies.
    pub fn fight_length(&self) -> String {
        if self.vary_length > 0.0 {
            let percent = (self.vary_length * 1000.0).round() / 10.0;
            format!("{} s ± {percent} %", self.duration_s)
        } else {
            format!("{} s", self.duration_s)
        }
    }

    /// The report as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serialises")
    }
}

/// Width of the histogram's bars.
const BAR: usize = 40;
/// Rows of the histogram.
const HISTOGRAM_ROWS: usize = 12;

/// The report as text for a terminal.
pub fn text(report: &Report, result: &BatchResult, title: &str) -> String {
    let mut out = String::new();
    let r = report;
    let _ = writeln!(out, "{title}");
    let _ = writeln!(out, "engine      {}", r.engine);
    let _ = writeln!(
        out,
        "fight       {}, {} target{}, seed {}",
        r.fight_length(),
        r.targets,
        if r.targets == 1 { "" } else { "s" },
        r.seed
    );
    let _ = writeln!(out, "iterations  {}", r.iterations);
    let pct = if r.mean_dps > 0.0 {
        r.error_dps / r.mean_dps * 100.0
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "DPS         {:.1} ± {:.1} ({:.3} %, 95 %)",
        r.mean_dps, r.error_dps, pct
    );
    let _ = writeln!(
        out,
        "            std {:.1}  min {:.1}  max {:.1}",
        r.std_dps, r.min_dps, r.max_dps
    );
    let _ = writeln!(
        out,
        "            p5 {:.1}  p50 {:.1}  p95 {:.1}",
        r.percentiles.p5, r.percentiles.p50, r.percentiles.p95
    );
    let _ = writeln!(out, "\nDPS distribution");
    let bins = result.histogram.bins(r.min_dps, r.max_dps, HISTOGRAM_ROWS);
    let peak = bins.iter().copied().max().unwrap_or(0).max(1);
    let width = (r.max_dps - r.min_dps) / HISTOGRAM_ROWS as f64;
    for (i, count) in bins.iter().enumerate() {
        let lo = r.min_dps + width * i as f64;
        let bar = "█".repeat((*count as usize * BAR).div_ceil(peak as usize));
        let _ = writeln!(out, "  {lo:>10.1}  {bar:<BAR$} {count}");
    }
    // The name column fits the longest name.
    let name = r
        .spells
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(0)
        .max(18);
    let _ = writeln!(
        out,
        "\n{:<name$} {:>10} {:>7} {:>9} {:>7} {:>8}",
        "spell", "dps", "share", "casts/it", "crit", "refused"
    );
    for s in &r.spells {
        let _ = writeln!(
            out,
            "{:<name$} {:>10.1} {:>6.1}% {:>9.2} {:>6.1}% {:>8}",
            s.name,
            s.dps,
            s.share * 100.0,
            s.casts_per_iteration,
            s.crit_rate * 100.0,
            s.refused
        );
    }
    for s in r.spells.iter().filter(|s| s.refused > 0) {
        if let Some(f) = &s.first_refusal {
            let _ = writeln!(
                out,
                "refused {} first at {:.3} s of iteration {}: {}",
                s.name,
                f.time_ms as f64 / 1000.0,
                f.iteration,
                f.reason
            );
        }
    }
    if !r.ignored.is_empty() {
        let _ = writeln!(out, "\nnot simulated (from the profile):");
        for line in &r.ignored {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}
