//! Zarr stores that zarr-python and xarray wrote moments ago in this machine's test
//! environment (`tests/reference/make_zarr.py`, which the test command runs), read by
//! rangeo: arrays must equal zarr-python's reads exactly (values, dtype, fill values,
//! unwritten chunks), and datasets must decode as `xr.open_zarr` decodes them (values
//! exactly, dims, dtypes and attributes). Needs nothing from `../shared`.

use crate::support::described;
use crate::support::files;
use crate::support::npy;
use crate::support::values;

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
    // 14 dtypes (float16 and complex among them), 3 v2 and 4 v3 codec set-ups; zfp
    // (lossy: zarr-python's reads, to the bit) on float32 and float64, v2 and v3.
    assert_eq!(stores.len(), 14 * 7 + 2 * 2);
}

#[test]
fn byte_strings_written_by_zarr_python_read_as_it_reads_them() {
    let manifest = manifest();
    let root = directory();
    let stores = manifest["bytes"].as_object().unwrap();
    for (store, spec) in stores {
        let array = open_zarr_array(root.join(store).to_str().unwrap())
            .unwrap_or_else(|e| panic!("{store}: {e}"));
        assert_eq!(array.dtype(), rangeo::array::DType::Bytes, "{store}: dtype");
        let shape: Vec<usize> = serde_json::from_value(spec["shape"].clone()).unwrap();
        assert_eq!(array.shape(), shape, "{store}: shape");
        let want: Vec<Vec<u8>> = serde_json::from_value(spec["values"].clone()).unwrap();
        let got = computed(&array).into_array::<Vec<u8>>().unwrap();
        // The fixed-width store's unwritten chunk reads as its fill value b"ab"; NUL
        // bytes inside an element stay, those that pad it go.
        assert_eq!(
            got.iter().cloned().collect::<Vec<_>>(),
            want,
            "{store}: values"
        );
    }
    // Fixed-width (`|S3`, v3 `null_terminated_bytes`) and variable-length, v2 and v3.
    assert_eq!(stores.len(), 4);
}

#[test]
fn datasets_written_by_xarray_decode_as_xarray_decodes_them() {
    let manifest = manifest();
    let root = directory();
    let datasets = manifest["datasets"].as_object().unwrap();
    // v2 and v3, appended in three writes as v2 and v3, a region rewritten; text,
    // bytes, float16 and complex numbers as v2 and v3.
    assert_eq!(datasets.len(), 7);
    for (store, spec) in datasets {
        let ds = open_zarr(root.join(store).to_str().unwrap())
            .unwrap_or_else(|e| panic!("{store}: {e}"));
        described::check(store, &ds, spec, true);
        if store.contains("kinds") {
            continue;
        }
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
    // netCDF-4 (float32 packing, HDF5 chunks) and netCDF-3, each also with text.
    assert_eq!(files.len(), 4);
    for (file, spec) in files {
        let ds = open_dataset(root.join(file).to_str().unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        // xarray names the encoding dtype of netCDF-4 strings after the widest string it
        // read (`<U5`); rangeo, which reads nothing at open, names it `str`.
        let text = file.contains("text");
        described::check(file, &ds, spec, !text);
        if text {
            let code = ds.get("code").unwrap();
            assert_eq!(code.encoding()["dtype"], "|S1", "{file}: code");
            let name = ds.get("name").unwrap();
            let (dtype, utf8) = if file.contains("nc3") {
                ("|S1", Some(&serde_json::json!("utf-8")))
            } else {
                ("str", None)
            };
            assert_eq!(name.encoding()["dtype"], dtype, "{file}: name");
            assert_eq!(name.encoding().get("_Encoding"), utf8, "{file}: name");
        }
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

/// A copy of the fresh store `name` in `dir`.
fn copy_of(name: &str, dir: &std::path::Path) -> PathBuf {
    let target = dir.join(name.replace('/', "_"));
    files::copy_dir(&directory().join(name), &target);
    target
}

#[test]
fn unknown_codecs_and_missing_chunks_are_told_apart_from_data() {
    let dir = tempfile::tempdir().unwrap();
    // A codec rangeo does not know, in v3 (listed) and in v2 (consolidated).
    let v3 = copy_of("datasets/cf_v3.zarr", dir.path());
    let metadata = v3.join("t2m/zarr.json");
    let text = std::fs::read_to_string(&metadata).unwrap();
    std::fs::write(&metadata, text.replace("\"zstd\"", "\"fancy_codec\"")).unwrap();
    let error = open_zarr(v3.to_str().unwrap()).unwrap_err().to_string();
    for part in [v3.to_str().unwrap(), "`t2m`", "fancy_codec"] {
        assert!(error.contains(part), "{part} in {error}");
    }
    let v2 = copy_of("datasets/cf_v2.zarr", dir.path());
    let consolidated = v2.join(".zmetadata");
    let text = std::fs::read_to_string(&consolidated).unwrap();
    std::fs::write(&consolidated, text.replace("\"blosc\"", "\"fancy_codec\"")).unwrap();
    let error = open_zarr(v2.to_str().unwrap()).unwrap_err().to_string();
    for part in [
        v2.to_str().unwrap(),
        "fancy_codec",
        "cannot open the Zarr array",
    ] {
        assert!(error.contains(part), "{part} in {error}");
    }

    // A chunk that is not there is the fill value, as Zarr says (decoded: xarray's v2
    // fill value is its _FillValue, so NaN; v3's is 0, so the offset, 280 K)...
    for (name, key, want) in [
        ("datasets/cf_v2.zarr", "t2m/0.0.0", f64::NAN),
        ("datasets/cf_v3.zarr", "t2m/c/0/0/0", 280.0),
    ] {
        let store = copy_of(name, dir.path());
        std::fs::remove_file(store.join(key)).unwrap();
        let t2m = open_zarr(store.to_str().unwrap())
            .unwrap()
            .get("t2m")
            .unwrap()
            .isel("time", 0)
            .unwrap()
            .isel("lat", 0)
            .unwrap()
            .isel("lon", 0)
            .unwrap()
            .compute()
            .unwrap()
            .item::<f64>()
            .unwrap();
        assert!(
            t2m.total_cmp(&want).is_eq() || (t2m.is_nan() && want.is_nan()),
            "{name}: {t2m}"
        );
    }
    // ...and a chunk that is there but unreadable is an error naming it.
    let store = copy_of("datasets/cf_v3.zarr", dir.path());
    std::fs::write(store.join("t2m/c/0/0/0"), b"garbage").unwrap();
    let error = open_zarr(store.to_str().unwrap())
        .unwrap()
        .get("t2m")
        .unwrap()
        .compute()
        .unwrap_err()
        .to_string();
    for part in [store.to_str().unwrap(), "`t2m`", "t2m/c/0/0/0"] {
        assert!(error.contains(part), "{part} in {error}");
    }
}

/// Values as float64 pairs (real, imaginary) for complex numbers, or as float64.
fn as_pairs(values: &rangeo::array::Values) -> Vec<Vec<f64>> {
    let floats = |v: rangeo::array::Values| -> Vec<f64> {
        let v = v.cast(rangeo::array::DType::Float64).unwrap();
        v.array::<f64>().unwrap().iter().copied().collect()
    };
    if values.dtype().is_complex() {
        let (re, im) = (
            floats(values.real().unwrap()),
            floats(values.imag().unwrap()),
        );
        re.into_iter().zip(im).map(|(r, i)| vec![r, i]).collect()
    } else {
        floats(values.clone())
            .into_iter()
            .map(|x| vec![x])
            .collect()
    }
}

/// xarray's [real, imaginary] pairs (or numbers), row-major, as `as_pairs` gives them.
fn expected_pairs(value: &Value) -> Vec<Vec<f64>> {
    fn walk(value: &Value, out: &mut Vec<Vec<f64>>) {
        match value {
            Value::Array(items) if items.iter().all(|v| !v.is_array()) && items.len() == 2 => {
                out.push(
                    items
                        .iter()
                        .map(|v| v.as_f64().unwrap_or(f64::NAN))
                        .collect(),
                );
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            number => out.push(vec![number.as_f64().unwrap_or(f64::NAN)]),
        }
    }
    let mut out = Vec::new();
    walk(value, &mut out);
    out
}

#[test]
fn float16_and_complex_arrays_compute_as_xarray_computes_them() {
    let manifest = manifest();
    let operations = manifest["operations"].as_object().unwrap();
    for (dtype, expected) in operations {
        let store = directory().join(format!("arrays/v3/{dtype}_zstd.zarr"));
        let z = open_zarr_array(store.to_str().unwrap()).unwrap();
        // Within one unit in the last place of each dtype's float parts.
        let rtol = match dtype.as_str() {
            "float16" => 1e-3,
            "complex64" => 1e-6,
            _ => 1e-13,
        };
        let check = |what: &str, got: rangeo::array::DataArray, dtype_key: Option<&str>| {
            let got = computed(&got);
            if let Some(key) = dtype_key {
                assert_eq!(
                    got.dtype().to_string(),
                    expected[key],
                    "{dtype} {what}: dtype"
                );
            }
            let (want, got) = (expected_pairs(&expected[what]), as_pairs(&got));
            assert_eq!(got.len(), want.len(), "{dtype} {what}: length");
            // Each part within `rtol` of the modulus: the rounding of complex arithmetic
            // is relative to the number, not to each part (numpy's fused multiply-adds
            // leave 1e-6 of 450 where the exact imaginary part is 0).
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                let modulus = w.iter().map(|x| x * x).sum::<f64>().sqrt();
                let close = g.iter().zip(w).all(|(g, w)| {
                    (g.is_nan() && w.is_nan()) || (g - w).abs() <= rtol * modulus.max(1.0)
                });
                assert!(close, "{dtype} {what}[{i}]: {g:?} vs xarray's {w:?}");
            }
        };
        check("mean_y", z.mean("dim_0").unwrap(), Some("mean_dtype"));
        check("abs", z.abs().unwrap(), Some("abs_dtype"));
        if dtype.starts_with("complex") {
            check("real", z.real().unwrap(), None);
            check("imag", z.imag().unwrap(), None);
            check("times_conj", &z * &z.conj().unwrap(), None);
            check("plus", &z + 1.5, Some("plus_dtype"));
        }
    }
    assert_eq!(operations.len(), 3);
}
