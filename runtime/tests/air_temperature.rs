//! The air temperature analyses that xarray tutorials teach, on the NCEP reanalysis in
//! `../shared/data/real/`, against xarray's results (made by
//! `tests/reference/make_air.py`, which the test command runs), for the array decoded in
//! memory and for the lazy arrays that `open_zarr` gives on the Zarr v2 and v3 stores.
//! Values agree to 1e-9 relative, or 1e-9 K below 1 K (anomalies cross zero, and lazy
//! sums over chunks round differently). The area-weighted mean agrees to 1e-6: its
//! weights are cosines of the float32 latitudes, which numpy computes in float32
//! arithmetic and rangeo in float64 rounded to float32, one float32 ulp apart. Dims,
//! shapes and coordinate labels agree exactly.

#[path = "air/load.rs"]
mod load;

use std::path::Path;

use rangeo::array::{BinaryOp, DataArray, DateTime64, Method};
use serde_json::Value;

const RTOL: f64 = 1e-9;
/// For results that depend on float32 math functions (see the module docs).
const RTOL_F32_MATH: f64 = 1e-6;

/// Each analysis as a notebook cell would write it with rangeo.
fn analysis(air: &DataArray, name: &str) -> Result<DataArray, rangeo::Error> {
    match name {
        "mean over time" => air.mean("time"),
        "std over time" => air.std("time"),
        "monthly climatology" => air.groupby("time.month")?.mean(),
        "seasonal climatology" => air.groupby("time.season")?.mean(),
        "monthly anomaly" => {
            let monthly = air.groupby("time.month")?;
            monthly.binary(BinaryOp::Sub, &monthly.mean()?)
        }
        "annual resample" => air.resample("time", "YS")?.mean(),
        "monthly resample" => air.resample("time", "ME")?.mean(),
        "nearest-point series" => {
            air.sel_with("lat", 44.3, Method::Nearest)?
                .sel_with("lon", 289.1, Method::Nearest)
        }
        "area-weighted mean" => {
            let weights = air.coord("lat")?.radians()?.cos()?;
            air.weighted(&weights).mean(["lat", "lon"])
        }
        "rolling daily mean" => air.rolling("time", 4)?.center(true).mean(),
        "box mean on the descending latitude" => air
            .sel("lat", 50.0..=30.0)?
            .sel("lon", 250.0..=270.0)?
            .mean(["lat", "lon"]),
        "partial-date month" => air.sel("time", "2013-05")?.mean("time"),
        other => panic!("no rangeo version of {other}"),
    }
}

fn expected_values(name: &str) -> Vec<f64> {
    let path = load::directory()
        .join("expected")
        .join(format!("{name}.bin"));
    std::fs::read(path)
        .expect("an expected result")
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

fn labels(result: &DataArray, dim: &str) -> Value {
    let coord = result.coord(dim).unwrap();
    if let Ok(times) = coord.to_vec::<DateTime64>() {
        return times.iter().map(|t| Value::from(t.to_string())).collect();
    }
    if let Ok(text) = coord.to_vec::<String>() {
        return text.into_iter().map(Value::from).collect();
    }
    let floats = coord
        .variable()
        .astype(rangeo::array::DType::Float64)
        .unwrap();
    floats
        .values::<f64>()
        .unwrap()
        .iter()
        .map(|&x| Value::from(x))
        .collect()
}

#[test]
fn tutorial_analyses_match_xarray() {
    let Some(manifest) = load::manifest() else {
        // The references need ../shared/data/real, which the test command has.
        assert!(
            std::env::var_os("RANGEO_REQUIRE_AIR").is_none(),
            "no air temperature references in {}",
            load::directory().display()
        );
        return;
    };
    // The array decoded in memory from the raw arrays, and opened lazily from the
    // Zarr v2 and v3 stores.
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/real");
    let zarr = |store: &str| {
        let path = real.join(store);
        rangeo::io::open_zarr(path.to_str().unwrap())
            .and_then(|ds| ds.get("air"))
            .unwrap_or_else(|e| panic!("{store}: {e}"))
    };
    let sources = [
        ("in memory", load::air(&manifest)),
        ("Zarr v2", zarr("air_temperature.zarr")),
        ("Zarr v3", zarr("air_temperature_v3.zarr")),
    ];
    let mut checked = 0;
    for (source, air) in &sources {
        assert_eq!(air.shape(), [2920, 25, 53]);
        checked += check(air, source, &manifest);
    }
    assert_eq!(checked, 3 * 12);
}

/// The Zarr v2 store rechunked as dask users do (`.chunk({"lat": -1})`, time and lon
/// together) and as the generator picks (chunks across the store's 730 x 13 x 27, of
/// any length along each dimension, within a few thousand chunks so the test stays
/// quick): every analysis gives xarray's result whatever the chunking.
#[test]
fn analyses_on_rechunked_stores_match_xarray() {
    use proptest::test_runner::{Config, RngSeed, TestRunner};

    let Some(manifest) = load::manifest() else {
        assert!(std::env::var_os("RANGEO_REQUIRE_AIR").is_none());
        return;
    };
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/real/air_temperature.zarr");
    let air = rangeo::io::open_zarr(path.to_str().unwrap())
        .and_then(|ds| ds.get("air"))
        .unwrap();
    let rechecked = |sizes: [usize; 3]| {
        let chunked = air
            .chunk([("time", sizes[0]), ("lat", sizes[1]), ("lon", sizes[2])])
            .unwrap();
        check(
            &chunked,
            &format!("Zarr v2 in chunks of {sizes:?}"),
            &manifest,
        );
    };
    for sizes in [[730, 25, 27], [100, 13, 53], [730, 5, 27], [2920, 1, 53]] {
        rechecked(sizes);
    }
    let mut runner = TestRunner::new(Config {
        cases: 4,
        rng_seed: RngSeed::Fixed(29),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(100..=2920_usize, 3..=25_usize, 5..=53_usize),
            |(t, y, x)| {
                rechecked([t, y, x]);
                Ok(())
            },
        )
        .unwrap();
}

/// Runs every analysis of the manifest on `air` and compares it with xarray's result;
/// the number of analyses checked.
fn check(air: &DataArray, source: &str, manifest: &Value) -> usize {
    let mut checked = 0;
    for (name, spec) in manifest["results"].as_object().unwrap() {
        let label = format!("{name} ({source})");
        let name = name.as_str();
        let result = analysis(air, name).unwrap_or_else(|e| panic!("{label}: {e}"));
        let dims: Vec<String> = serde_json::from_value(spec["dims"].clone()).unwrap();
        assert_eq!(result.dims(), dims, "{label}: dims");
        let shape: Vec<usize> = serde_json::from_value(spec["shape"].clone()).unwrap();
        assert_eq!(result.shape(), shape, "{label}: shape");
        for (dim, want) in spec["coords"].as_object().unwrap() {
            let got = labels(&result, dim);
            if let (Some(g), Some(w)) = (got.as_array(), want.as_array()) {
                for (g, w) in g.iter().zip(w) {
                    match (g.as_f64(), w.as_f64()) {
                        (Some(a), Some(b)) => assert!(
                            (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                            "{label}: {dim} {a} vs {b}"
                        ),
                        _ => assert_eq!(g, w, "{label}: labels of {dim}"),
                    }
                }
            }
        }
        let got = result.to_vec::<f64>().unwrap();
        let want = expected_values(name);
        assert_eq!(got.len(), want.len(), "{label}: size");
        let worst = got
            .iter()
            .zip(&want)
            .filter(|(g, w)| !(g.is_nan() && w.is_nan()))
            .map(|(g, w)| (g - w).abs() / w.abs().max(1.0))
            .fold(0.0, f64::max);
        let rtol = if name == "area-weighted mean" {
            RTOL_F32_MATH
        } else {
            RTOL
        };
        assert!(worst <= rtol, "{label}: relative difference {worst:e}");
        assert_eq!(
            got.iter().filter(|x| x.is_nan()).count(),
            want.iter().filter(|x| x.is_nan()).count(),
            "{label}: NaN count"
        );
        checked += 1;
    }
    checked
}
