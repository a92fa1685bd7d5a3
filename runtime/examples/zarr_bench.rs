//! Times reading a Zarr store for `bench/zarr_read.py` and prints one JSON line: the best of
//! `--repeat` runs of a full read and of a mean over time, in seconds, a checksum of
//! each result, and the peak resident memory.
//!
//! `--mode rangeo` runs what a notebook cell writes (`open_zarr`, `.compute()`,
//! `.mean("time")`); `--mode zarrs` is the floor: zarrs decoding the chunks into memory,
//! in parallel, with nothing else (the full read as the decoded chunks, not put
//! together; the mean as per-chunk sums added together).
//!
//! Run through `bench/zarr_read.py`, which makes the store and times xarray + dask too.

#[path = "support/peak.rs"]
mod peak;

use std::sync::Arc;
use std::time::Instant;

use ndarray::{ArrayD, Axis};
use peak::peak_mib;
use rayon::prelude::*;
use zarrs::array::{Array, ArraySubset};
use zarrs::filesystem::FilesystemStore;

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

/// The shortest of `repeat` runs of `f`, and the checksum of its last result (not
/// timed, as bench/timing.py does for xarray).
fn best_of<T>(repeat: usize, f: impl Fn() -> T, checksum: impl Fn(&T) -> f64) -> serde_json::Value {
    let mut best = f64::INFINITY;
    let mut sum = f64::NAN;
    for _ in 0..repeat {
        let start = Instant::now();
        let result = f();
        best = best.min(start.elapsed().as_secs_f64());
        sum = checksum(&result);
    }
    serde_json::json!({"seconds": best, "checksum": sum})
}

fn mean_of(values: &ArrayD<f32>) -> f64 {
    values.iter().map(|&x| f64::from(x)).sum::<f64>() / values.len() as f64
}

fn rangeo_times(store: &str, repeat: usize) -> (serde_json::Value, serde_json::Value) {
    let checksum =
        |array: &rangeo::array::DataArray| mean_of(&array.values::<f32>().expect("float32 values"));
    let full = best_of(
        repeat,
        || {
            let ds = rangeo::io::open_zarr(store).expect("the store opens");
            ds.get("t").unwrap().compute().expect("a full read")
        },
        checksum,
    );
    let mean = best_of(
        repeat,
        || {
            let ds = rangeo::io::open_zarr(store).expect("the store opens");
            ds.get("t")
                .unwrap()
                .mean("time")
                .unwrap()
                .compute()
                .expect("a mean")
        },
        checksum,
    );
    (full, mean)
}

fn zarrs_times(store: &str, repeat: usize) -> (serde_json::Value, serde_json::Value) {
    let open = || {
        let storage = Arc::new(FilesystemStore::new(store).expect("a store"));
        Array::open(storage, "/t").expect("the array opens")
    };
    // Every chunk decoded into memory, in parallel, and kept (not put together into one
    // array: that is work beyond decoding).
    let full = best_of(
        repeat,
        || {
            let array = open();
            let grid = array.chunk_grid_shape().to_vec();
            (0..grid[0])
                .into_par_iter()
                .map(|t| {
                    let chunk: ArrayD<f32> = array.retrieve_chunk(&[t, 0, 0]).expect("a chunk");
                    chunk
                })
                .collect::<Vec<_>>()
        },
        |chunks: &Vec<ArrayD<f32>>| {
            let n: usize = chunks.iter().map(ArrayD::len).sum();
            chunks
                .iter()
                .map(|c| c.iter().map(|&x| f64::from(x)).sum::<f64>())
                .sum::<f64>()
                / n as f64
        },
    );
    let mean = best_of(
        repeat,
        || {
            let array = open();
            let grid = array.chunk_grid_shape().to_vec();
            let shape = array.shape().to_vec();
            let plane = usize::try_from(shape[1] * shape[2]).unwrap();
            let sums = (0..grid[0])
                .into_par_iter()
                .map(|t| {
                    let subset = array.chunks_subset_bounded(&ArraySubset::new_with_ranges(&[
                        t..t + 1,
                        0..grid[1],
                        0..grid[2],
                    ]));
                    let chunk: ArrayD<f32> = array
                        .retrieve_array_subset(&subset.expect("a chunk"))
                        .expect("a chunk");
                    let mut sum = vec![0.0_f64; plane];
                    for row in chunk.axis_iter(Axis(0)) {
                        for (s, &x) in sum.iter_mut().zip(row.iter()) {
                            *s += f64::from(x);
                        }
                    }
                    sum
                })
                .reduce(
                    || vec![0.0; plane],
                    |mut a, b| {
                        a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                        a
                    },
                );
            let n = shape[0] as f64;
            sums.iter().map(|s| s / n).sum::<f64>() / plane as f64
        },
        |m: &f64| *m,
    );
    (full, mean)
}

fn main() {
    let store = arg("--store").expect("--store PATH");
    let repeat = arg("--repeat").map_or(1, |r| r.parse().expect("a number"));
    let mode = arg("--mode").unwrap_or_else(|| "rangeo".to_owned());
    let (full, mean) = match mode.as_str() {
        "rangeo" => rangeo_times(&store, repeat),
        "zarrs" => zarrs_times(&store, repeat),
        other => panic!("unknown mode {other}"),
    };
    let threads = rayon::current_num_threads();
    let line = serde_json::json!({
        "full read": full, "mean over time": mean, "peak_mib": peak_mib(), "threads": threads,
    });
    #[allow(clippy::print_stdout, reason = "the benchmark's output")]
    {
        println!("{line}");
    }
}
