//! A reduction over an array ten times larger than the memory budget runs within the
//! budget: the peak resident memory of this test process (`VmHWM`), less what it held
//! before, stays under the budget. Alone in its binary, so nothing else runs beside it.

use std::sync::Arc;

use rangeo::array::{DType, DataArray};
use rangeo::compute::{Distribution, Lazy, Random};
use rangeo::prelude::*;

const MIB: usize = 1 << 20;

/// A field of `/proc/self/status`, in bytes.
fn status(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    let kib: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[test]
fn a_reduction_over_ten_budgets_of_data_stays_within_the_budget() {
    let budget = 200 * MIB;
    set_options(|o| o.memory_budget = budget);
    // 2 GiB of float64 (ten budgets) in 8 MiB chunks.
    let shape = [8192, 128, 256];
    let source = Random::new(
        &shape,
        &[32, 128, 256],
        DType::Float64,
        Distribution::Uniform,
        3,
    );
    let air = DataArray::new(["time", "y", "x"], Lazy::from_source(Arc::new(source))).unwrap();
    let total: usize = shape.iter().product::<usize>() * 8;
    assert!(total >= 10 * budget);
    let before = status("VmHWM:");
    let mean = air.mean("time").unwrap().compute().unwrap();
    let peak = status("VmHWM:");
    // Uniform on [0, 1): means of 8192 draws are 0.5 give or take 0.02.
    let values = mean.values::<f64>().unwrap();
    assert!(values.iter().all(|m| (m - 0.5).abs() < 0.02));
    let used = peak.saturating_sub(before);
    assert!(
        used <= budget,
        "peak memory grew by {} MiB for a budget of {} MiB",
        used / MIB,
        budget / MIB
    );
    // The measurement, for the test log.
    #[allow(clippy::print_stderr, reason = "the figure the closing note quotes")]
    {
        eprintln!(
            "mean over {} MiB: peak grew by {} MiB (budget {} MiB)",
            total / MIB,
            used / MIB,
            budget / MIB
        );
    }
}
