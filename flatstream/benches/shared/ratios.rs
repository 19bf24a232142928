//! Interleaved ratio measurement for the benches' `FLATSTREAM_RATIOS=1`
//! mode: on a shared machine, whose speed drifts over the seconds a
//! criterion run takes, timing two paths in alternation and comparing them
//! round by round is the steadier comparison.

use std::time::{Duration, Instant};

/// The per-round ratios of a comparison, sorted.
pub struct Ratios(Vec<f64>);

impl Ratios {
    /// The median, 10th and 90th percentiles.
    pub fn summary(&self) -> (f64, f64, f64) {
        let n = self.0.len();
        (self.0[n / 2], self.0[n / 10], self.0[n - 1 - n / 10])
    }
}

impl std::fmt::Display for Ratios {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (median, low, high) = self.summary();
        write!(f, "{median:.2}x ({low:.2}x - {high:.2}x)")
    }
}

fn timed(f: &mut dyn FnMut()) -> Duration {
    let started = Instant::now();
    f();
    started.elapsed()
}

/// `time(a) / time(b)` over `rounds` rounds: each round times both three
/// times, alternating, and keeps each one's fastest. Both run once before,
/// to warm up.
pub fn interleaved(rounds: usize, a: &mut dyn FnMut(), b: &mut dyn FnMut()) -> Ratios {
    a();
    b();
    let mut ratios: Vec<f64> = (0..rounds)
        .map(|_| {
            let (mut ta, mut tb) = (Duration::MAX, Duration::MAX);
            for _ in 0..3 {
                ta = ta.min(timed(a));
                tb = tb.min(timed(b));
            }
            ta.as_secs_f64() / tb.as_secs_f64()
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    Ratios(ratios)
}

/// A bench's `main`: with `FLATSTREAM_RATIOS` set, its interleaved
/// `ratios`; otherwise its criterion `benches`, as `criterion_main!` runs
/// them.
pub fn main_with(ratios: fn(), benches: fn()) {
    if std::env::var_os("FLATSTREAM_RATIOS").is_some() {
        ratios();
        return;
    }
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
