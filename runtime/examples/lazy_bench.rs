//! Times the lazy analyses of `bench/lazy.py` with rangeo and prints one JSON line: the
//! best of `--repeat` runs per analysis in seconds, a checksum of each result, and the
//! peak resident memory.
//!
//! The data is generated lazily, chunk by chunk, as the dask side generates it: uniform
//! noise plus a seasonal cycle along time plus a latitude profile, float32, on a daily
//! time axis from 2000-01-01; and, for dask's introductory example, a square float64
//! uniform array.
//!
//! Run through `bench/lazy.py`, which times xarray + dask on the same work in the same
//! run.

#[path = "support/peak.rs"]
mod peak;

use std::sync::Arc;
use std::time::Instant;

use peak::peak_mib;
use rangeo::array::{DType, DataArray, DateTime64};
use rangeo::compute::{Distribution, Lazy, Random};

fn best_of(repeat: usize, f: impl Fn() -> DataArray) -> (f64, f64) {
    let mut best = f64::INFINITY;
    let mut checksum = f64::NAN;
    for _ in 0..repeat {
        let start = Instant::now();
        let result = f();
        best = best.min(start.elapsed().as_secs_f64());
        let values = result.variable().astype(DType::Float64).expect("floats");
        let values = values.values::<f64>().expect("float64");
        checksum = values.iter().sum::<f64>() / values.len() as f64;
    }
    (best, checksum)
}

fn arg(name: &str, default: usize) -> usize {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .map_or(default, |r| r.parse().expect("a number"))
}

/// The air temperature-like field: `nt` days x `ny` latitudes x `nx` longitudes, in
/// chunks of `chunk` days.
fn air(nt: usize, ny: usize, nx: usize, chunk: usize) -> DataArray {
    let origin: DateTime64 = "2000-01-01".parse().expect("a date");
    let day = 86_400_000_000_000_i64;
    let times: Vec<DateTime64> = (0..nt)
        .map(|d| DateTime64(origin.0 + i64::try_from(d).expect("days") * day))
        .collect();
    let lat: Vec<f32> = (0..ny)
        .map(|j| -89.5 + j as f32 * 180.0 / ny as f32)
        .collect();
    let lon: Vec<f32> = (0..nx).map(|i| i as f32 * 360.0 / nx as f32).collect();
    let seasonal: Vec<f32> = (0..nt)
        .map(|d| 10.0 * (std::f32::consts::TAU * d as f32 / 365.25).cos())
        .collect();
    let profile: Vec<f32> = lat
        .iter()
        .map(|l| 250.0 + 30.0 * l.to_radians().cos())
        .collect();
    let noise = Random::new(
        &[nt, ny, nx],
        &[chunk, ny, nx],
        DType::Float32,
        Distribution::Uniform,
        0,
    );
    let noise = DataArray::new(["time", "lat", "lon"], Lazy::from_source(Arc::new(noise)))
        .expect("noise")
        .assign_coords("time", times.clone())
        .and_then(|a| a.assign_coords("lat", lat.clone()))
        .and_then(|a| a.assign_coords("lon", lon))
        .expect("coordinates");
    let seasonal = DataArray::new(["time"], seasonal)
        .and_then(|a| a.assign_coords("time", times))
        .expect("seasonal cycle");
    let profile = DataArray::new(["lat"], profile)
        .and_then(|a| a.assign_coords("lat", lat))
        .expect("profile");
    (&(&noise + &seasonal) + &profile).with_name("air")
}

fn main() {
    let repeat = arg("--repeat", 1);
    let (nt, ny, nx, chunk) = (
        arg("--time", 7305),
        arg("--lat", 180),
        arg("--lon", 360),
        arg("--chunk", 100),
    );
    let air = air(nt, ny, nx, chunk);
    let weights = air.coord("lat").unwrap().radians().unwrap().cos().unwrap();
    // dask's introductory example (notebooks/dask-accelerates-numpy.ipynb): numpy's `.T`
    // on labeled dimensions is the two names swapped.
    let (n, c) = (arg("--square", 20_000), arg("--square-chunk", 1_000));
    let x = DataArray::random([("y", n), ("x", n)], [("y", c), ("x", c)], 0).expect("x");
    let transposed = x.rename([("y", "x"), ("x", "y")]).expect("x.T");
    let y = &(&x + &transposed) - &x.mean("y").expect("mean");
    // `--only-square`: dask's example alone (for bench/engine.py).
    let air_too = !std::env::args().any(|a| a == "--only-square");
    let mut results = Vec::new();
    if air_too {
        results.extend(air_analyses(&air, &weights, repeat));
    }
    results.extend([
        (
            "x + x.T - x.mean(0)",
            best_of(repeat, || y.mean(..).unwrap().compute().unwrap()),
        ),
        (
            "... its first chunk",
            best_of(repeat, || {
                let corner = y.isel("y", 0..c).and_then(|a| a.isel("x", 0..c));
                corner.unwrap().mean(..).unwrap().compute().unwrap()
            }),
        ),
    ]);
    let mut line = serde_json::Map::new();
    for (name, (seconds, checksum)) in results {
        line.insert(
            name.into(),
            serde_json::json!({"seconds": seconds, "checksum": checksum}),
        );
    }
    line.insert("peak_mib".into(), peak_mib().into());
    line.insert("threads".into(), rayon::current_num_threads().into());
    line.insert(
        "gib".into(),
        ((nt * ny * nx * 4) as f64 / f64::from(1 << 30)).into(),
    );
    // The one line of output is the result, for bench/lazy.py.
    #[allow(clippy::print_stdout, reason = "the benchmark's output")]
    {
        println!("{}", serde_json::Value::Object(line));
    }
}

/// The four analyses of the air temperature-like field, timed.
fn air_analyses(
    air: &DataArray,
    weights: &DataArray,
    repeat: usize,
) -> [(&'static str, (f64, f64)); 4] {
    [
        (
            "mean over time",
            best_of(repeat, || air.mean("time").unwrap().compute().unwrap()),
        ),
        (
            "monthly climatology",
            best_of(repeat, || {
                air.groupby("time.month")
                    .unwrap()
                    .mean()
                    .unwrap()
                    .compute()
                    .unwrap()
            }),
        ),
        (
            "weighted area mean",
            best_of(repeat, || {
                air.weighted(weights)
                    .mean(["lat", "lon"])
                    .unwrap()
                    .compute()
                    .unwrap()
            }),
        ),
        (
            "anomaly std",
            best_of(repeat, || {
                let monthly = air.groupby("time.month").unwrap();
                let anomaly = &monthly - &monthly.mean().unwrap();
                anomaly.std("time").unwrap().compute().unwrap()
            }),
        ),
    ]
}
