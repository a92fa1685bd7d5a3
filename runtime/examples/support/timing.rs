//! Timing for the benchmark examples.

use std::time::Instant;

/// The shortest of `repeat` runs of `f`, in seconds (its result kept from the optimiser).
pub(crate) fn fastest<T>(repeat: usize, f: impl Fn() -> T) -> f64 {
    (0..repeat)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// The `--repeat N` of the command line, or `default`.
pub(crate) fn repeat_arg(default: usize) -> usize {
    std::env::args()
        .skip_while(|a| a != "--repeat")
        .nth(1)
        .map_or(default, |r| r.parse().expect("a count"))
}
