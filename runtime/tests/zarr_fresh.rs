//! Zarr stores that zarr-python and xarray wrote moments ago in this machine's test
//! environment (`tests/reference/make_zarr.py`, which the test command runs), read by
//! rangeo: arrays must equal zarr-python's reads exactly (values, dtype, fill values,
//! unwritten chunks), and datasets must decode as `xr.open_zarr` decodes them (values
//! exactly, dims, dtypes and attributes). Needs nothing from `../shared`.

#[path = "support/described.rs"]
mod described;
#[path = "support/npy.rs"]
mod npy;
#[path = "support/values.rs"]
mod values;

use std::path::PathBuf;

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
    // v2 and v3, appended in three writes as v2 and v3, a region rewritten.
    assert_eq!(datasets.len(), 5);
    for (store, spec) in datasets {
        let ds = open_zarr(root.join(store).to_str().unwrap())
            .unwrap_or_else(|e| panic!("{store}: {e}"));
        described::check(store, &ds, spec, true);
        let coords: Vec<&str> = ds.coords().names().collect();
        assert!(
            coords.contains(&"height"),
            "{store}: `coordinates` names a coordinate"
        );
    }
}
