//! Times one workload of `bench/engine.py` on one Zarr store with rangeo, as a notebook
//! cell writes it, and prints one JSON line: the best of `--repeat` runs in seconds, a
//! checksum (the mean of the result), the peak resident memory and the worker count.
//!
//! ```text
//! engine_bench --store air.zarr --workload "monthly climatology" [--repeat N] [--out new.zarr]
//! ```
//!
//! The store holds `air(time, lat, lon)` with CF times and float latitudes, as
//! `bench/engine.py` writes it; `--out` is where the rechunk workload writes.

#[path = "support/peak.rs"]
mod peak;

use std::time::Instant;

use peak::peak_mib;
use rangeo::array::{BinaryOp, DType, DataArray, Method};
use rangeo::prelude::*;

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

/// The workload on a freshly opened store (opening is part of what a cell does).
fn run(store: &str, workload: &str, out: Option<&str>) -> Result<DataArray, rangeo::Error> {
    let air = open_zarr(store)?.get("air")?;
    match workload {
        "full read" => air.compute(),
        "mean over time" => air.mean("time")?.compute(),
        "weighted area mean" => {
            let weights = air.coord("lat")?.radians()?.cos()?;
            air.weighted(&weights).mean(["lat", "lon"])?.compute()
        }
        "monthly climatology" => air.groupby("time.month")?.mean()?.compute(),
        "monthly anomaly std" => {
            let monthly = air.groupby("time.month")?;
            let anomaly = monthly.binary(BinaryOp::Sub, &monthly.mean()?)?;
            anomaly.std("time")?.compute()
        }
        "nearest point series" => air
            .sel_with("lat", 44.3, Method::Nearest)?
            .sel_with("lon", 289.1, Method::Nearest)?
            .compute(),
        "rechunk to space chunks" => {
            let out = out.expect("--out for the rechunk workload");
            let _ = std::fs::remove_dir_all(out);
            let time = air.shape()[0];
            let target = air.chunk([("time", time), ("lat", 30), ("lon", 30)])?;
            Dataset::new().assign("air", target)?.to_zarr(out)?;
            // What was written, opened lazily: its checksum is computed untimed.
            open_zarr(out)?.get("air")
        }
        other => panic!("no workload {other}"),
    }
}

fn main() {
    let store = arg("--store").expect("--store PATH");
    let workload = arg("--workload").expect("--workload NAME");
    let out = arg("--out");
    let repeat: usize = arg("--repeat").map_or(1, |r| r.parse().expect("a count"));
    let mut best = f64::INFINITY;
    let mut checksum = f64::NAN;
    for _ in 0..repeat {
        let start = Instant::now();
        let result = run(&store, &workload, out.as_deref()).unwrap_or_else(|e| panic!("{e}"));
        best = best.min(start.elapsed().as_secs_f64());
        // The mean (accumulated in float64) without a float64 copy of the result,
        // which would count in the peak memory.
        let mean = result
            .mean(..)
            .and_then(|m| m.compute()?.astype(DType::Float64));
        checksum = mean.and_then(|m| m.item::<f64>()).expect("a mean");
    }
    let line = serde_json::json!({
        "seconds": best,
        "checksum": checksum,
        "peak_mib": peak_mib(),
        "threads": thread_pool().current_num_threads(),
    });
    #[allow(clippy::print_stdout, reason = "the benchmark's output")]
    {
        println!("{line}");
    }
}
