//! Times the eager analyses of `bench/arrays.py` with rangeo on the air temperature
//! data (as `tests/reference/make_air.py` leaves it) and prints one JSON line: the best
//! of `--repeat` runs per analysis, in seconds, and the peak resident memory.
//!
//! Run through `bench/arrays.py`, which times xarray on the same data in the same run.

#[path = "../tests/air/load.rs"]
mod load;

#[path = "support/peak.rs"]
mod peak;
#[path = "support/timing.rs"]
mod timing;

use peak::peak_mib;
use rangeo::array::BinaryOp;
use timing::{fastest, repeat_arg};

fn main() {
    let repeat = repeat_arg(5);
    let manifest = load::manifest().expect("run tests/reference/make_air.py first");
    let air = load::air(&manifest);
    let mean = fastest(repeat, || air.mean("time").unwrap());
    let monthly = fastest(repeat, || {
        air.groupby("time.month").unwrap().mean().unwrap()
    });
    let anomaly = fastest(repeat, || {
        let groups = air.groupby("time.month").unwrap();
        groups
            .binary(BinaryOp::Sub, &groups.mean().unwrap())
            .unwrap()
    });
    let line = serde_json::json!({
        "mean over time": mean,
        "monthly groupby mean": monthly,
        "monthly anomaly": anomaly,
        "peak_mib": peak_mib(),
        "threads": rayon::current_num_threads(),
    });
    // The one line of output is the result, for bench/arrays.py.
    #[allow(clippy::print_stdout, reason = "the benchmark's output")]
    {
        println!("{line}");
    }
}
