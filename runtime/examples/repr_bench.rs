//! Times the reprs of `bench/repr.py` with rangeo and prints one JSON line: the best of
//! `--repeat` renders of a 100-variable dataset's HTML and text reprs, in seconds.
//!
//! Run through `bench/repr.py`, which times xarray's reprs of the same dataset in the
//! same run.

#[path = "support/timing.rs"]
mod timing;

use rangeo::array::{DataArray, Dataset};
use rangeo::display::Repr;
use timing::{fastest, repeat_arg};

/// 100 variables of (y: 50, x: 100) float64 with two attributes each, on indexed y and
/// x coordinates, as bench/repr.py builds it for xarray.
fn dataset() -> Dataset {
    let mut ds = Dataset::new();
    for v in 0..100_i32 {
        let values = ndarray::Array2::from_shape_fn((50, 100), |(y, x)| {
            f64::from(v) + f64::from(i32::try_from(y * 100 + x).expect("small")) / 7.0
        });
        let array = DataArray::new(["y", "x"], values)
            .expect("a 2-D array")
            .assign_attrs([("units", "K"), ("long_name", "variable")]);
        ds = ds.assign(format!("var{v:03}"), array).expect("same dims");
    }
    ds.assign_coords("y", (0..50).map(f64::from).collect::<Vec<_>>())
        .and_then(|ds| ds.assign_coords("x", (0..100).map(f64::from).collect::<Vec<_>>()))
        .expect("coordinates")
}

fn main() {
    let repeat = repeat_arg(20);
    let ds = dataset();
    let html = fastest(repeat, || {
        ds.repr()
            .get("text/html")
            .map_or(0, |h| h.as_str().map_or(0, str::len))
    });
    let text = fastest(repeat, || ds.to_string().len());
    let line = serde_json::json!({"html": html, "text": text});
    #[allow(clippy::print_stdout, reason = "the benchmark's output")]
    {
        println!("{line}");
    }
}
