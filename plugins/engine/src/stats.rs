//! Batch results and their exact merging.
//!
//! Per-iteration figures are accumulated as fixed-point integers (units of
//! 2⁻¹⁶), so merging batches is integer addition: associative and
//! commutative, and therefore independent of chunking and merge order. This
//! is stronger than merging floating-point mean/M2 with Chan's formula, whose
//! rounding depends on the order of the merges.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Fixed-point scale: values are stored as round-toward-zero(x × 2¹⁶).
const SCALE: f64 = 65_536.0;

fn to_fixed(x: f64) -> i128 {
    (x * SCALE) as i128
}

fn from_fixed(x: i128) -> f64 {
    x as f64 / SCALE
}

/// Histogram buckets keep the top 8 mantissa bits: about 0.4 % wide.
const BUCKET_SHIFT: u32 = 44;

/// Count, sum, sum of squares, min and max of a per-iteration figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of values.
    pub count: u64,
    /// Sum of values, fixed point.
    #[serde(with = "i128_text")]
    pub sum: i128,
    /// Sum of squared fixed-point values (units of 2⁻³²).
    #[serde(with = "i128_text")]
    pub sum_sq: i128,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Self {
            count: 0,
            sum: 0,
            sum_sq: 0,
            min: f64::MAX,
            max: f64::MIN,
        }
    }
}

impl Moments {
    /// Adds one value.
    pub fn record(&mut self, x: f64) {
        let q = to_fixed(x);
        self.count += 1;
        self.sum += q;
        self.sum_sq += q * q;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Adds all values of `other`.
    pub fn merge(&mut self, other: &Moments) {
        self.count += other.count;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The mean (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        from_fixed(self.sum) / self.count as f64
    }

    /// The sample standard deviation (0 with fewer than two values).
    pub fn std_dev(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        let n = self.count as i128;
        // n·Σx² − (Σx)² exactly when it fits, else in floating point.
        let spread = n
            .checked_mul(self.sum_sq)
            .and_then(|a| self.sum.checked_mul(self.sum).map(|b| (a - b) as f64))
            .unwrap_or_else(|| {
                let (s, sq) = (self.sum as f64, self.sum_sq as f64);
                n as f64 * sq - s * s
            });
        let var = spread.max(0.0) / (n as f64 * (n - 1) as f64) / (SCALE * SCALE);
        var.sqrt()
    }

    /// Half-width of the 95 % confidence interval of the mean.
    pub fn error95(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        1.96 * self.std_dev() / (self.count as f64).sqrt()
    }
}

/// A mergeable histogram of positive values with buckets ~0.4 % wide.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Histogram {
    /// Bucket key → count; a key is the value's float bits shifted right.
    pub buckets: BTreeMap<u32, u64>,
}

impl Histogram {
    /// Adds one value (negative values count as 0).
    pub fn record(&mut self, x: f64) {
        let key = (x.max(0.0).to_bits() >> BUCKET_SHIFT) as u32;
        *self.buckets.entry(key).or_default() += 1;
    }

    /// Adds all values of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (k, n) in &other.buckets {
            *self.buckets.entry(*k).or_default() += n;
        }
    }

    /// The middle of a bucket.
    fn bucket_value(key: u32) -> f64 {
        f64::from_bits(((key as u64) << BUCKET_SHIFT) | (1u64 << (BUCKET_SHIFT - 1)))
    }

    /// The value below which a fraction `q` of the values lie (bucket middle).
    pub fn quantile(&self, q: f64) -> f64 {
        let total: u64 = self.buckets.values().sum();
        if total == 0 {
            return 0.0;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (k, n) in &self.buckets {
            seen += n;
            if seen >= rank {
                return Self::bucket_value(*k);
            }
        }
        Self::bucket_value(*self.buckets.keys().next_back().expect("non-empty"))
    }

    /// Counts in `bins` equal-width bins over [lo, hi] (for display).
    pub fn bins(&self, lo: f64, hi: f64, bins: usize) -> Vec<u64> {
        let mut out = vec![0; bins.max(1)];
        let width = (hi - lo) / out.len() as f64;
        for (k, n) in &self.buckets {
            let v = Self::bucket_value(*k);
            let i = if width > 0.0 {
                (((v - lo) / width) as usize).min(out.len() - 1)
            } else {
                0
            };
            out[i] += n;
        }
        out
    }
}

/// The first refused cast of a spell, for the rotation's author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// Iteration in which it happened.
    pub iteration: u64,
    /// Fight time in ms.
    pub time_ms: u64,
    /// Why the engine refused it.
    pub reason: String,
}

/// Totals of one damage source (a spell, an auto-attack, a proc).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SourceStats {
    /// Name from the spec pack.
    pub name: String,
    /// Damage over all iterations, fixed point.
    #[serde(with = "i128_text")]
    pub damage: i128,
    /// Completed casts.
    pub casts: u64,
    /// Direct hits (including auto-attacks and proc damage).
    pub hits: u64,
    /// DoT ticks.
    pub ticks: u64,
    /// Critical hits and ticks.
    pub crits: u64,
    /// Casts the engine refused.
    pub refused: u64,
    /// The refused cast in the lowest iteration, earliest in the fight.
    pub first_refusal: Option<Refusal>,
}

impl SourceStats {
    /// Total damage as a float.
    pub fn damage_total(&self) -> f64 {
        from_fixed(self.damage)
    }

    /// Crits per hit or tick (0 when none).
    pub fn crit_rate(&self) -> f64 {
        let events = self.hits + self.ticks;
        if events == 0 {
            0.0
        } else {
            self.crits as f64 / events as f64
        }
    }

    fn merge(&mut self, other: &SourceStats) {
        self.damage += other.damage;
        self.casts += other.casts;
        self.hits += other.hits;
        self.ticks += other.ticks;
        self.crits += other.crits;
        self.refused += other.refused;
        self.first_refusal = match (self.first_refusal.take(), &other.first_refusal) {
            (Some(a), Some(b)) => Some(if (b.iteration, b.time_ms) < (a.iteration, a.time_ms) {
                b.clone()
            } else {
                a
            }),
            (a, b) => a.or_else(|| b.clone()),
        };
    }
}

/// The result of a batch of iterations; merges exactly with other batches.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BatchResult {
    /// DPS per iteration.
    pub dps: Moments,
    /// Distribution of DPS per iteration.
    pub histogram: Histogram,
    /// Fight length per iteration, in seconds.
    pub fight_length: Moments,
    /// Per damage source, in spec order: spells, auto-attacks, procs.
    pub sources: Vec<SourceStats>,
}

impl BatchResult {
    /// An empty result for these source names.
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        Self {
            sources: names
                .into_iter()
                .map(|name| SourceStats {
                    name,
                    ..SourceStats::default()
                })
                .collect(),
            ..Self::default()
        }
    }

    /// Number of iterations.
    pub fn iterations(&self) -> u64 {
        self.dps.count
    }

    /// Adds the iterations of `other` (a batch of the same config).
    pub fn merge(&mut self, other: &BatchResult) {
        if self.sources.is_empty() {
            self.sources = other
                .sources
                .iter()
                .map(|s| SourceStats {
                    name: s.name.clone(),
                    ..SourceStats::default()
                })
                .collect();
        }
        self.dps.merge(&other.dps);
        self.histogram.merge(&other.histogram);
        self.fight_length.merge(&other.fight_length);
        for (a, b) in self.sources.iter_mut().zip(&other.sources) {
            a.merge(b);
        }
    }

    /// Records one iteration's tally.
    pub(crate) fn record(&mut self, tally: &crate::sim::Tally) {
        self.dps.record(tally.dps);
        self.histogram.record(tally.dps);
        self.fight_length.record(tally.fight_seconds);
        for (stats, source) in self.sources.iter_mut().zip(&tally.sources) {
            stats.damage += to_fixed(source.damage);
            stats.casts += source.casts;
            stats.hits += source.hits;
            stats.ticks += source.ticks;
            stats.crits += source.crits;
            stats.refused += source.refused;
            if stats.first_refusal.is_none() {
                stats.first_refusal = source.first_refusal.clone();
            }
        }
    }
}

/// i128 as a decimal string in JSON (JSON numbers lose precision past 2⁵³).
mod i128_text {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match_textbook_mean_and_std() {
        let mut m = Moments::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            m.record(x);
        }
        assert_eq!(m.mean(), 5.0);
        // sample std of that set: sqrt(32/7)
        assert!((m.std_dev() - (32.0f64 / 7.0).sqrt()).abs() < 1e-9);
        assert_eq!((m.min, m.max), (2.0, 9.0));
    }

    #[test]
    fn merging_in_any_order_is_identical() {
        let values: Vec<f64> = (0..1000)
            .map(|i| 1000.0 + (i as f64 * 0.7311).fract() * 97.3)
            .collect();
        let mut whole = Moments::default();
        values.iter().for_each(|x| whole.record(*x));
        let mut parts: Vec<Moments> = values
            .chunks(77)
            .map(|c| {
                let mut m = Moments::default();
                c.iter().for_each(|x| m.record(*x));
                m
            })
            .collect();
        parts.reverse();
        let mut merged = Moments::default();
        parts.iter().for_each(|p| merged.merge(p));
        assert_eq!(merged, whole);
    }

    #[test]
    fn histogram_quantiles_are_within_a_bucket() {
        let mut h = Histogram::default();
        for i in 1..=1000 {
            h.record(i as f64);
        }
        let median = h.quantile(0.5);
        assert!((median - 500.0).abs() / 500.0 < 0.005, "median {median}");
        assert_eq!(h.bins(0.0, 1000.0, 10).iter().sum::<u64>(), 1000);
    }

    #[test]
    fn batch_result_json_round_trips() {
        let mut m = Moments::default();
        m.record(123.456);
        let r = BatchResult {
            dps: m,
            ..BatchResult::new(["a".to_string()])
        };
        let back: BatchResult = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }
}
