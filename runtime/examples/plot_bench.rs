//! Times the plot of `bench/plot.py` with rangeo and prints one JSON line: the best of
//! `--repeat` PNG renderings of a 1000 x 1000 array's default plot (a colour mesh with a
//! colour bar, 640 x 480 pixels), in seconds, and the process's peak memory.
//!
//! Run through `bench/plot.py`, which times xarray's plot of the same array (matplotlib,
//! Agg, saved as PNG) in the same run.

#[path = "support/peak.rs"]
mod peak;
#[path = "support/timing.rs"]
mod timing;

use peak::peak_mib;
use rangeo::prelude::*;
use timing::{fastest, repeat_arg};

/// The field bench/plot.py builds for xarray: smooth waves on (lat, lon), descending
/// latitude.
fn field() -> DataArray {
    let values = ndarray::Array2::from_shape_fn((1000, 1000), |(i, j)| {
        let (i, j) = (i as f64, j as f64);
        280.0 + 20.0 * (i / 50.0).sin() * (j / 70.0).cos()
    });
    DataArray::new(["lat", "lon"], values)
        .and_then(|a| {
            a.assign_coords(
                "lat",
                (0..1000)
                    .map(|i| 90.0 - f64::from(i) * 0.18)
                    .collect::<Vec<_>>(),
            )
        })
        .and_then(|a| {
            a.assign_coords(
                "lon",
                (0..1000).map(|i| f64::from(i) * 0.36).collect::<Vec<_>>(),
            )
        })
        .expect("a 2-D field")
        .with_name("air")
        .assign_attrs([("units", "K")])
}

fn main() {
    let repeat = repeat_arg(10);
    let air = field();
    let seconds = fastest(repeat, || air.plot().expect("a plot").bytes().len());
    let line = serde_json::json!({"plot": seconds, "peak_mib": peak_mib()});
    #[allow(clippy::print_stdout, reason = "the benchmark's output")]
    {
        println!("{line}");
    }
}
