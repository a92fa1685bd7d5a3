//! Times stacking STAC items for `bench/stack.py` and prints one JSON line: the best of
//! `--repeat` runs of the median NDVI over time on the scenes' own grid and on the
//! European LAEA grid (EPSG:3035, 20 m), in seconds, the mean of each median (a
//! checksum), and the peak resident memory.
//!
//! Each run is what a notebook cell writes: `ItemCollection::open`, `stack`, NDVI, and
//! `.median("time")?.compute()?`.
//!
//! Run through `bench/stack.py`, which makes and serves the items and times odc-stac too.

#[path = "support/peak.rs"]
mod peak;

use std::time::Instant;

use peak::peak_mib;
use rangeo::prelude::*;

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

/// The median NDVI over time of the items at `url`, stacked with `options`, and the
/// mean of its valid pixels.
fn median_ndvi(url: &str, options: Stack) -> f64 {
    let items = ItemCollection::open(url).expect("the items open");
    let cube = items
        .stack(options.assets(["red", "nir"]))
        .expect("a stack");
    let red = cube.sel("band", "red").expect("red");
    let nir = cube.sel("band", "nir").expect("nir");
    let ndvi = (&nir - &red) / (&nir + &red);
    let median = ndvi.median("time").unwrap().compute().expect("a median");
    let values = median.values::<f64>().expect("float64 values");
    let valid: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    valid.iter().sum::<f64>() / valid.len() as f64
}

/// The shortest of `repeat` runs of `f`, and the checksum of its last result.
fn best_of(repeat: usize, f: impl Fn() -> f64) -> serde_json::Value {
    let mut best = f64::INFINITY;
    let mut checksum = f64::NAN;
    for _ in 0..repeat {
        let start = Instant::now();
        checksum = f();
        best = best.min(start.elapsed().as_secs_f64());
    }
    serde_json::json!({"seconds": best, "checksum": checksum})
}

fn main() {
    let url = arg("--items").expect("--items URL");
    let repeat: usize = arg("--repeat").map_or(1, |r| r.parse().expect("a count"));
    let chunks = Stack::new().chunks(1024);
    let native = best_of(repeat, || {
        median_ndvi(&url, chunks.clone().resolution(10.0))
    });
    let reprojected = best_of(repeat, || {
        median_ndvi(&url, chunks.clone().epsg(3035).resolution(20.0))
    });
    let line = serde_json::json!({
        "native": native, "reprojected": reprojected, "peak_mib": peak_mib(),
        "threads": thread_pool().current_num_threads(),
    });
    #[allow(clippy::print_stdout, reason = "the benchmark's output")]
    {
        println!("{line}");
    }
}
