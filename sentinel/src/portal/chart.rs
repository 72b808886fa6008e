//! The DPS distribution chart: an SVG histogram drawn on the server, so the
//! page needs no chart library.

use maud::{Markup, html};
use wowlab_engine::stats::Histogram;

/// Bars in the chart.
const BARS: usize = 40;
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
/// Room below the bars for the axis labels.
const AXIS: f64 = 24.0;

/// The histogram of DPS between `lo` and `hi` as an SVG figure.
pub fn histogram(h: &Histogram, lo: f64, hi: f64, mean: f64) -> Markup {
    let counts = h.bins(lo, hi, BARS);
    let tallest = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bar = WIDTH / BARS as f64;
    let x_of = |v: f64| {
        if hi > lo {
            (v - lo) / (hi - lo) * WIDTH
        } else {
            WIDTH / 2.0
        }
    };
    let label = format!(
        "DPS distribution: {} iterations from {lo:.0} to {hi:.0} DPS, mean {mean:.0}",
        counts.iter().sum::<u64>()
    );
    html! {
        figure.chart {
            svg #dps-chart viewBox={ "0 0 " (WIDTH) " " (HEIGHT + AXIS) } role="img" aria-label=(label) {
                @for (i, n) in counts.iter().enumerate() {
                    @let h = *n as f64 / tallest * HEIGHT;
                    rect x=(format!("{:.1}", i as f64 * bar + 1.0)) y=(format!("{:.1}", HEIGHT - h))
                        width=(format!("{:.1}", bar - 2.0)) height=(format!("{h:.1}")) {
                        title { (n) " iterations" }
                    }
                }
                line.mean x1=(format!("{:.1}", x_of(mean))) x2=(format!("{:.1}", x_of(mean))) y1="0" y2=(HEIGHT) {}
                text x="0" y=(HEIGHT + 18.0) { (format!("{lo:.0}")) }
                text x=(format!("{:.1}", x_of(mean))) y=(HEIGHT + 18.0) text-anchor="middle" { "mean " (format!("{mean:.0}")) }
                text x=(WIDTH) y=(HEIGHT + 18.0) text-anchor="end" { (format!("{hi:.0}")) }
            }
            figcaption { "DPS per iteration" }
        }
    }
}
