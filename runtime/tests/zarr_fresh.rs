//! Zarr stores that zarr-python and xarray wrote moments ago in this machine's test
//! environment (`tests/reference/make_zarr.py`, which the test command runs), read by
//! rangeo: arrays must equal zarr-python's reads exactly (values, dtype, fill values,
//! unwritten chunks), and datasets must decode as `xr.open_zarr` decodes them (values
//! exactly, dims, dtypes and attributes). Needs nothing from `../shared`.

#[path = "support/npy.rs"]
mod npy;
#[path = "support/values.rs"]
mod values;

use std::path::PathBuf;

use rangeo::array::{DType, DateTime64, Values};
use rangeo::io::{open_zarr, open_zarr_array};
use serde_json::Value;
use values::{computed, same};

/// Where the fixtures are: `RANGEO_FRESH_ZARR` or `build/reference/zarr`.
fn directory() -> PathBuf {
    std::env::var_os("RANGEO_FRESH_ZARR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../build/reference/zarr"),
        PathBuf::from,
    )
}

fn manifest() -> Value {
    let path = directory().join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); make the fixtures with `.venv/bin/python \
             tests/reference/make_zarr.py` (scripts/test.sh does)",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("JSON")
}

/// Values as JSON as the fixture script writes them: floats with null for NaN, times
/// as ISO strings to the second.
fn plain(values: &Values) -> Value {
    if values.dtype() == DType::DateTime64 {
        return values
            .array::<DateTime64>()
            .unwrap()
            .iter()
            .map(|t| Value::from(t.to_string()[..19].to_owned()))
            .collect();
    }
    let floats = values.cast(DType::Float64).unwrap();
    nested(&floats.array::<f64>().unwrap().view())
}

/// Floats as nested JSON lists, null for NaN.
fn nested(a: &ndarray::ArrayViewD<'_, f64>) -> Value {
    if a.ndim() == 0 {
        let x = a[[]];
        return if x.is_nan() {
            Value::Null
        } else {
            Value::from(x)
        };
    }
    a.outer_iter().map(|row| nested(&row)).collect()
}

#[test]
fn arrays_written_by_zarr_python_read_back_identically() {
    let manifest = manifest();
    let root = directory();
    let stores = manifest["stores"].as_object().unwrap();
    for (store, spec) in stores {
        let array = open_zarr_array(root.join(store).to_str().unwrap())
            .unwrap_or_else(|e| panic!("{store}: {e}"));
        assert_eq!(array.dtype().to_string(), spec["dtype"], "{store}: dtype");
        let want = npy::read(&root.join(spec["expected"].as_str().unwrap()));
        assert!(
            same(&computed(&array), &want),
            "{store}: values differ from zarr-python's"
        );
    }
    // 11 dtypes, 3 v2 and 4 v3 codec set-ups.
    assert_eq!(stores.len(), 11 * 7);
}

#[test]
fn datasets_written_by_xarray_decode_as_xarray_decodes_them() {
    let manifest = manifest();
    let root = directory();
    let datasets = manifest["datasets"].as_object().unwrap();
    assert_eq!(datasets.len(), 2);
    for (store, spec) in datasets {
        let ds = open_zarr(root.join(store).to_str().unwrap())
            .unwrap_or_else(|e| panic!("{store}: {e}"));
        let mut sizes = ds.sizes();
        sizes.sort();
        let mut want: Vec<(String, usize)> = spec["sizes"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(d, n)| (d.clone(), usize::try_from(n.as_u64().unwrap()).unwrap()))
            .collect();
        want.sort();
        assert_eq!(sizes, want, "{store}: sizes");
        for section in ["data_vars", "coords"] {
            for (name, var) in spec[section].as_object().unwrap() {
                let label = format!("{store}: {name}");
                let array = ds.get(name).unwrap_or_else(|e| panic!("{label}: {e}"));
                let dims: Vec<String> = serde_json::from_value(var["dims"].clone()).unwrap();
                assert_eq!(array.dims(), dims, "{label}: dims");
                assert_eq!(array.dtype().to_string(), var["dtype"], "{label}: dtype");
                let attrs: serde_json::Map<String, Value> = array
                    .attrs()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                assert_eq!(Value::Object(attrs), var["attrs"], "{label}: attrs");
                assert_eq!(plain(&computed(&array)), var["values"], "{label}: values");
            }
        }
        let coords: Vec<&str> = ds.coords().names().collect();
        assert!(
            coords.contains(&"height"),
            "{store}: `coordinates` names a coordinate"
        );
        let attrs: serde_json::Map<String, Value> = ds
            .attrs()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(Value::Object(attrs), spec["attrs"], "{store}: attrs");
        let encoding = ds.get("t2m").unwrap().variable().encoding().clone();
        let want = &spec["t2m_encoding"];
        assert_eq!(encoding["dtype"], want["dtype"], "{store}: encoded dtype");
        assert_eq!(encoding["scale_factor"], want["scale_factor"]);
        assert_eq!(encoding["add_offset"], want["add_offset"]);
        // The fixture script writes numpy integers as strings.
        let fill = |v: &Value| v.as_i64().or_else(|| v.as_str()?.parse().ok());
        assert_eq!(fill(&encoding["_FillValue"]), fill(&want["_FillValue"]));
        assert_eq!(fill(&want["_FillValue"]), Some(-32767));
    }
}
