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

use rangeo::io::{OpenOptions, open_dataset, open_mfdataset, open_zarr, open_zarr_array};
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

#[test]
fn netcdf_files_written_by_xarray_decode_as_xarray_decodes_them() {
    let manifest = manifest();
    let root = directory();
    let files = manifest["netcdf"].as_object().unwrap();
    // netCDF-4 (float32 packing, HDF5 chunks) and netCDF-3.
    assert_eq!(files.len(), 2);
    for (file, spec) in files {
        let ds = open_dataset(root.join(file).to_str().unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        described::check(file, &ds, spec, true);
    }
    let t2m = open_dataset(root.join("netcdf/cf_nc4.nc").to_str().unwrap())
        .unwrap()
        .get("t2m")
        .unwrap();
    assert_eq!(t2m.encoding()["chunksizes"], serde_json::json!([5, 3, 6]));
    assert_eq!(t2m.data().lazy().unwrap().chunks().max_shape(), [5, 3, 6]);
}

#[test]
fn files_that_are_not_netcdf_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.nc");
    let error = open_dataset(missing.to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(error.contains("no such file"), "{error}");
    let text = dir.path().join("notes.nc");
    std::fs::write(&text, "not a netCDF file").unwrap();
    let error = open_dataset(text.to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("notes.nc") && error.contains("neither a netCDF file"),
        "{error}"
    );
    // An HDF5 signature with nothing after it.
    let torn = dir.path().join("torn.nc");
    std::fs::write(&torn, b"\x89HDF\r\n\x1a\n\0\0\0\0").unwrap();
    let error = open_dataset(torn.to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("torn.nc") && error.contains("cannot open the netCDF file"),
        "{error}"
    );
}

#[test]
fn many_files_combine_as_xarray_open_mfdataset_combines_them() {
    let manifest = manifest();
    let root = directory();
    let multi = &manifest["multi"];
    let path = |p: &str| root.join(p).display().to_string();
    let by_time = open_mfdataset([path("multi/*.nc")]).unwrap();
    described::check("*.nc", &by_time, &multi["multi/*.nc"], false);
    assert!(by_time.get("t2m").unwrap().is_lazy());
    let stores = open_mfdataset([path("multi/*.zarr")]).unwrap();
    described::check("*.zarr", &stores, &multi["multi/*.zarr"], false);
    let stacked = OpenOptions::new()
        .concat_dim("member")
        .open_mfdataset([path("multi/b.nc"), path("multi/b.nc")])
        .unwrap();
    described::check("member", &stacked, &multi["multi/b.nc+b.nc member"], false);

    let error = open_mfdataset([path("multi/*.grib")])
        .unwrap_err()
        .to_string();
    assert!(error.contains("no files match"), "{error}");
    // The same pieces twice cannot be ordered into one time axis.
    let error = open_mfdataset([path("multi/b.nc"), path("multi/c.nc"), path("multi/b.nc")])
        .map(|ds| ds.sizes())
        .unwrap_err()
        .to_string();
    assert!(error.contains("time"), "{error}");
}
