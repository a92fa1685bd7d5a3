//! Zarr stores that other implementations wrote (`../shared/data`), read by rangeo and
//! compared with what those implementations read: zarr-python's arrays (values, dtype
//! and fill handling exactly) and xarray's CF decoding (values exactly, derived results
//! to 1e-12 relative). The tests need `../shared/data`; without it they pass without
//! checking, unless `RANGEO_REQUIRE_SHARED` is set (the test command sets it when the
//! data is there).

use crate::support::files;
use crate::support::npy;
use crate::support::shared;
use crate::support::values;

use base64::Engine as _;
use base64::prelude::BASE64_STANDARD;
use std::path::{Path, PathBuf};

use rangeo::array::{DType, DataArray, DateTime64, Method, Values};
use rangeo::io::{OpenOptions, open_dataset, open_zarr, open_zarr_array};
use serde_json::Value;
use shared::shared;
use values::{computed, same};

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

/// JSON numbers (null for NaN), nested as the array's shape, as float64.
fn floats(value: &Value) -> Vec<f64> {
    match value {
        Value::Array(items) => items.iter().flat_map(floats).collect(),
        Value::Null => vec![f64::NAN],
        number => vec![number.as_f64().expect("a number")],
    }
}

fn as_floats(values: &Values) -> Vec<f64> {
    values
        .cast(DType::Float64)
        .unwrap()
        .array::<f64>()
        .unwrap()
        .iter()
        .copied()
        .collect()
}

fn close(name: &str, got: &[f64], want: &[f64], rtol: f64) {
    assert_eq!(got.len(), want.len(), "{name}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g.is_nan() && w.is_nan()) || (g - w).abs() <= rtol * w.abs().max(1.0),
            "{name}[{i}]: {g} vs {w}"
        );
    }
}

#[test]
fn generated_arrays_read_as_zarr_python_wrote_them() {
    let Some(data) = shared("") else { return };
    let root = data.join("zarr-generated/arrays");
    let manifest = json(&root.join("manifest.json"));
    let stores = manifest["stores"].as_object().unwrap();
    let mut read = 0;
    for (store, spec) in stores {
        let dtype = spec["dtype"].as_str().unwrap();
        let opened = open_zarr_array(root.join(store).to_str().unwrap());
        let array = opened.unwrap_or_else(|e| panic!("{store}: {e}"));
        let want = npy::read(&root.join(spec["expected_npy"].as_str().unwrap()));
        assert_eq!(array.dtype().to_string(), dtype, "{store}: dtype");
        let got = computed(&array);
        assert!(
            same(&got, &want),
            "{store}: values differ from zarr-python's"
        );
        read += 1;
    }
    assert_eq!(read, stores.len(), "stores read");
    assert_eq!(read, 176, "stores read");
}

/// The CF-encoded dataset that xarray wrote, decoded as xarray decodes it.
fn check_cf(path: &Path, expected: &Value) {
    let name = path.display().to_string();
    let ds = open_dataset(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let sizes: Vec<(String, usize)> = expected["dims"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(d, n)| (d.clone(), n.as_u64().unwrap() as usize))
        .collect();
    let mut got_sizes = ds.sizes();
    got_sizes.sort();
    assert_eq!(got_sizes, sizes, "{name}: sizes");
    for (var, spec) in expected["variables"].as_object().unwrap() {
        let array = ds.get(var).unwrap();
        let label = format!("{name}: {var}");
        let dims: Vec<String> = serde_json::from_value(spec["dims"].clone()).unwrap();
        assert_eq!(array.dims(), dims, "{label}: dims");
        assert_eq!(array.dtype().to_string(), spec["dtype"], "{label}: dtype");
        let attrs: serde_json::Map<String, Value> = array
            .attrs()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(Value::Object(attrs), spec["attrs"], "{label}: attrs");
        let values = as_floats(&computed(&array));
        close(&label, &values, &floats(&spec["values"]), 0.0);
        let nans = values.iter().filter(|x| x.is_nan()).count();
        assert_eq!(
            nans as u64,
            spec["nan_count"].as_u64().unwrap(),
            "{label}: NaNs"
        );
    }
    for (coord, spec) in expected["coords"].as_object().unwrap() {
        let array = ds.get(coord).unwrap();
        let label = format!("{name}: coordinate {coord}");
        assert_eq!(array.dtype().to_string(), spec["dtype"], "{label}: dtype");
        let values = computed(&array);
        if array.dtype() == DType::DateTime64 {
            let times: Vec<String> = values
                .array::<DateTime64>()
                .unwrap()
                .iter()
                .map(ToString::to_string)
                .collect();
            let want: Vec<String> = serde_json::from_value(spec["values"].clone()).unwrap();
            assert_eq!(times, want, "{label}");
        } else {
            close(&label, &as_floats(&values), &floats(&spec["values"]), 0.0);
        }
    }
    let attrs: serde_json::Map<String, Value> = ds
        .attrs()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(
        Value::Object(attrs),
        expected["attrs"],
        "{name}: dataset attrs"
    );

    check_cf_analyses(&name, &ds, &expected["derived"]);
}

/// xarray's results of analyses on the decoded CF dataset.
fn check_cf_analyses(name: &str, ds: &rangeo::array::Dataset, derived: &Value) {
    let t2m = ds.get("t2m").unwrap();
    let mean = t2m.mean("time").unwrap();
    close(
        &format!("{name}: t2m mean over time"),
        &as_floats(&computed(&mean)),
        &floats(&derived["t2m_mean_over_time"]),
        1e-12,
    );
    let point = t2m
        .sel_with("lat", 45.0, Method::Nearest)
        .unwrap()
        .sel_with("lon", 90.0, Method::Nearest)
        .unwrap();
    close(
        &format!("{name}: t2m at the nearest point"),
        &as_floats(&computed(&point)),
        &floats(&derived["t2m_sel_lat45_lon90_nearest"]),
        1e-12,
    );
    let daily = ds
        .get("precip")
        .unwrap()
        .resample("time", "D")
        .unwrap()
        .sum()
        .unwrap()
        .mean(["lat", "lon"])
        .unwrap();
    let spec = &derived["precip_daily_sum"];
    close(
        &format!("{name}: daily precipitation"),
        &as_floats(&computed(&daily)),
        &floats(&spec["values_area_mean"]),
        1e-12,
    );
    let days: Vec<String> = computed(&daily.coord("time").unwrap())
        .array::<DateTime64>()
        .unwrap()
        .iter()
        .map(|t| t.to_string()[..10].to_owned())
        .collect();
    let want: Vec<String> = serde_json::from_value(spec["time"].clone()).unwrap();
    assert_eq!(days, want, "{name}: days");
}

#[test]
fn cf_datasets_decode_as_xarray_decodes_them() {
    let Some(data) = shared("") else { return };
    let cf = data.join("zarr-generated/cf");
    let expected = json(&cf.join("expected_decoded.json"));
    for store in [
        "cf_v2_consolidated.zarr",
        "cf_v3.zarr",
        "cf_v3_consolidated.zarr",
        "cf.nc",
    ] {
        check_cf(&cf.join(store), &expected);
    }
}

#[test]
fn noleap_times_decode_on_their_calendar() {
    let Some(data) = shared("") else { return };
    let cf = data.join("zarr-generated/cf");
    let expected = &json(&cf.join("expected_decoded.json"))["noleap"];
    for store in ["cf_noleap_v2.zarr", "cf_noleap_v3.zarr"] {
        let ds = open_zarr(cf.join(store).to_str().unwrap()).unwrap();
        let time = ds.get("time").unwrap();
        assert_eq!(time.dtype(), DType::CfDateTime, "{store}");
        let times = computed(&time);
        let shown: Vec<String> = times
            .array::<rangeo::array::CfDateTime>()
            .unwrap()
            .iter()
            .map(|t| t.to_string().replace(' ', "T"))
            .collect();
        let want: Vec<String> = serde_json::from_value(expected["time_iso"].clone()).unwrap();
        assert_eq!(shown, want, "{store}");
        let tas = as_floats(&computed(&ds.get("tas").unwrap()));
        close(store, &tas, &floats(&expected["tas"]), 0.0);
    }
}

#[test]
fn decoding_can_be_switched_off() {
    let Some(data) = shared("") else { return };
    let cf = data.join("zarr-generated/cf");
    let encoded = json(&cf.join("expected_encoded.json"));
    let path = cf.join("cf_v3.zarr");
    let raw = OpenOptions::new()
        .decode_cf(false)
        .open_zarr(path.to_str().unwrap())
        .unwrap();
    for (var, spec) in encoded["variables"].as_object().unwrap() {
        let array = raw.get(var).unwrap();
        assert_eq!(array.dtype().to_string(), spec["dtype"], "{var}: dtype");
        close(
            var,
            &as_floats(&computed(&array)),
            &floats(&spec["values"]),
            0.0,
        );
    }
    // Decoded, the encoding keeps what was decoded.
    let ds = open_zarr(path.to_str().unwrap()).unwrap();
    let t2m = ds.get("t2m").unwrap();
    let encoding = t2m.variable().encoding();
    assert_eq!(encoding["dtype"], "int16");
    assert_eq!(encoding["scale_factor"], 0.01);
    assert_eq!(encoding["add_offset"], 280.0);
    assert_eq!(encoding["_FillValue"], -32767);
}

#[test]
fn air_temperature_v2_v3_and_netcdf_open_to_the_same_dataset() {
    let Some(data) = shared("") else { return };
    let real = data.join("real");
    let v2 = open_zarr(real.join("air_temperature.zarr").to_str().unwrap()).unwrap();
    for other in ["air_temperature_v3.zarr", "air_temperature.nc"] {
        let path = real.join(other);
        let other = open_dataset(path.to_str().unwrap()).unwrap();
        same_air(&v2, &other);
    }
}

/// Panics unless `v3` holds what `v2` does: sizes, air's attributes and values, and
/// the coordinates' (their encodings differ: v2, v3 and netCDF store fill values apart).
fn same_air(v2: &rangeo::array::Dataset, v3: &rangeo::array::Dataset) {
    assert_eq!(v2.sizes(), v3.sizes());
    let (a2, a3) = (v2.get("air").unwrap(), v3.get("air").unwrap());
    assert_eq!(a2.dims(), ["time", "lat", "lon"]);
    assert_eq!(a2.shape(), [2920, 25, 53]);
    assert!(a2.is_lazy());
    assert_eq!(a2.attrs(), a3.attrs());
    let names: Vec<&str> = a2.coords().names().collect();
    assert_eq!(names, a3.coords().names().collect::<Vec<_>>());
    for name in names {
        let (c2, c3) = (a2.coord(name).unwrap(), a3.coord(name).unwrap());
        assert_eq!(c2.attrs(), c3.attrs(), "{name}: attrs");
        assert!(same(&computed(&c2), &computed(&c3)), "{name}: values");
    }
    assert!(same(&computed(&a2), &computed(&a3)), "air: values");
}

#[test]
fn missing_stores_and_unnamed_dimensions_are_clear_errors() {
    let error = open_zarr("/nonexistent/store.zarr")
        .unwrap_err()
        .to_string();
    assert!(error.contains("/nonexistent/store.zarr"), "{error}");
    let error = open_zarr("s3x://bucket/store.zarr")
        .unwrap_err()
        .to_string();
    assert!(error.contains("s3x://"), "{error}");
    let Some(data) = shared("") else { return };
    // A lone array is not a group.
    let lone = data.join("zarr-generated/arrays/v3/float32_bytes.zarr");
    let error = open_zarr(lone.to_str().unwrap()).unwrap_err().to_string();
    assert!(error.contains("no Zarr group"), "{error}");
}

#[test]
fn a_corrupt_chunk_names_the_store_the_array_and_the_chunk() {
    let Some(data) = shared("") else { return };
    let source = data.join("zarr-generated/cf/cf_v3.zarr");
    let copy = std::env::temp_dir().join(format!("rangeo-corrupt-{}.zarr", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(&source, &copy);
    // Overwrite every stored chunk of t2m with bytes no codec can decode.
    let chunks = copy.join("t2m/c");
    for entry in walk(&chunks) {
        std::fs::write(entry, b"not a compressed chunk").unwrap();
    }
    let ds = open_zarr(copy.to_str().unwrap()).unwrap();
    let error = ds.get("t2m").unwrap().compute().unwrap_err().to_string();
    assert!(error.contains("t2m"), "{error}");
    assert!(error.contains(copy.to_str().unwrap()), "{error}");
    assert!(error.contains("chunk [0, 0, 0]"), "{error}");
    // Other variables still read.
    assert_eq!(ds.get("land").unwrap().compute().unwrap().shape(), [7, 8]);
    std::fs::remove_dir_all(&copy).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn zarr_python_format_compatibility_fixtures_read_as_numpy_assigned_them() {
    let Some(data) = shared("") else { return };
    let root = data.join("zarr/zarr-python-v2.18.7-fixture");
    let manifest = json(&root.join("expected/manifest.json"));
    let mut read = 0;
    for (i, spec) in manifest["arrays"].as_object().unwrap() {
        let dtype = spec["dtype"].as_str().unwrap();
        let want = npy::read(&root.join("expected").join(spec["npy"].as_str().unwrap()));
        for j in ["0", "1", "2", "3", "4", "6"] {
            let store = root.join("fixture").join(i).join(j);
            let label = format!("fixture/{i}/{j} ({dtype})");
            let array =
                open_zarr_array(store.to_str().unwrap()).unwrap_or_else(|e| panic!("{label}: {e}"));
            let got = computed(&array);
            assert_eq!(got.dtype(), want.dtype(), "{label}: dtype");
            if want.dtype().is_float() {
                // The expected arrays are numpy's recipe re-run; on array 13 they
                // differ from the stored values (and from what zarr-python reads) by
                // 1.1e-16.
                close(&label, &as_floats(&got), &as_floats(&want), 1e-15);
            } else {
                assert!(same(&got, &want), "{label}: values");
            }
            read += 1;
        }
    }
    // All 24 arrays: the byte strings of array 14 (`|S1`, fill value 0) too, and the
    // text of array 15, whose fill value is the number 0, as zarr-python 2 reads it.
    assert_eq!(read, 24 * 6);
}

#[test]
fn a_missing_chunk_of_text_with_a_number_as_fill_value_reads_as_that_number_written_out() {
    // zarr-python 2 wrote the fixture's `<U4` array with the fill value 0, and reads an
    // unwritten chunk as numpy's `np.array(0, "<U4")`: the text "0".
    let Some(data) = shared("") else { return };
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("text.zarr");
    files::copy_dir(
        &data.join("zarr/zarr-python-v2.18.7-fixture/fixture/15/0"),
        &store,
    );
    std::fs::remove_file(store.join("3")).unwrap();
    let array = open_zarr_array(store.to_str().unwrap()).unwrap();
    assert_eq!(array.dtype(), DType::Str);
    let values = computed(&array);
    let text = values.array::<String>().unwrap();
    assert!(text.iter().skip(300).take(100).all(|s| s == "0"));
    assert!(
        text.iter()
            .take(300)
            .all(|s| ["foo", "bar", "baz", "quux"].contains(&s.as_str()))
    );
}

#[test]
fn the_astronaut_reads_the_same_raw_zlib_and_blosc() {
    let Some(data) = shared("") else { return };
    let root = data.join("zarr/zarr_implementations");
    let expected = json(&root.join("expected_astronaut.json"));
    let group = open_zarr_group_arrays(&root.join("examples/zarr.zr"));
    assert_eq!(group.len(), 3);
    for (name, image) in group {
        assert_eq!(image.shape(), [512, 512, 3], "{name}");
        let pixels = computed(&image);
        let pixels = pixels.array::<u8>().unwrap();
        for (at, want) in expected["samples"].as_object().unwrap() {
            let index: Vec<usize> = serde_json::from_str(at).unwrap();
            assert_eq!(
                u64::from(pixels[&index[..]]),
                want.as_u64().unwrap(),
                "{name} {at}"
            );
        }
        let sum: u64 = pixels.iter().map(|&p| u64::from(p)).sum();
        assert_eq!(sum, expected["sum"].as_u64().unwrap(), "{name}: sum");
    }
    // The pre-release v3 draft layout is refused, not misread.
    let draft = root.join("negative/zarrita-v3-draft.zr3");
    let error = open_zarr(draft.to_str().unwrap()).unwrap_err().to_string();
    assert!(error.contains("zarrita-v3-draft.zr3"), "{error}");
}

/// The arrays of a group without dimension names, each opened alone.
fn open_zarr_group_arrays(group: &Path) -> Vec<(String, DataArray)> {
    let mut names: Vec<String> = std::fs::read_dir(group)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let array = open_zarr_array(group.join(&n).to_str().unwrap()).unwrap();
            (n, array)
        })
        .collect()
}

/// The elements in C order as little-endian bytes, as numpy's `tobytes()` gives them.
fn le_bytes(values: &Values) -> Vec<u8> {
    macro_rules! bytes {
        ($a:expr) => {
            $a.iter().flat_map(|x| x.to_le_bytes()).collect()
        };
    }
    match values {
        Values::Bool(a) => a.iter().map(|&b| u8::from(b)).collect(),
        Values::Int8(a) => bytes!(a),
        Values::Int16(a) => bytes!(a),
        Values::Int32(a) => bytes!(a),
        Values::Int64(a) => bytes!(a),
        Values::UInt8(a) => bytes!(a),
        Values::UInt16(a) => bytes!(a),
        Values::UInt32(a) => bytes!(a),
        Values::UInt64(a) => bytes!(a),
        Values::Float32(a) => bytes!(a),
        Values::Float64(a) => bytes!(a),
        other => panic!("no bytes for {}", other.dtype()),
    }
}

#[test]
fn zarrs_test_stores_read_as_zarr_python_reads_them() {
    use sha2::{Digest, Sha256};
    let Some(data) = shared("") else { return };
    let root = data.join("zarr/zarrs-tests-data");
    let expected = json(&root.join("expected_by_zarr_python.json"));
    let held = [
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float32", "float64",
    ];
    let mut read = Vec::new();
    for (path, spec) in expected["arrays"].as_object().unwrap() {
        if spec.get("error").is_some() {
            continue; // zarr-python does not read it either
        }
        let opened = open_zarr_array(root.join(path).to_str().unwrap());
        let dtype = spec["dtype"].as_str().unwrap();
        let text = dtype == "StringDType()" || dtype.ends_with("U4");
        let time = dtype.starts_with("datetime64") || dtype.starts_with("timedelta64");
        if dtype == "object" {
            // Variable-length bytes, whose values zarr-python's JSON gives in base64.
            let array = opened.unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(array.dtype(), DType::Bytes, "{path}: dtype");
            let want: Vec<Vec<u8>> = spec["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    BASE64_STANDARD
                        .decode(v["base64"].as_str().unwrap())
                        .unwrap()
                })
                .collect();
            let got = computed(&array).into_array::<Vec<u8>>().unwrap();
            assert_eq!(
                got.iter().cloned().collect::<Vec<_>>(),
                want,
                "{path}: values"
            );
            read.push(path.clone());
            continue;
        }
        if text || time {
            let array = opened.unwrap_or_else(|e| panic!("{path}: {e}"));
            let values = computed(&array);
            if text {
                assert_eq!(array.dtype(), DType::Str, "{path}: dtype");
                let want: Vec<String> = if path.contains("cities") {
                    let csv = std::fs::read_to_string(root.join("cities.csv")).unwrap();
                    csv.lines().map(str::to_owned).collect()
                } else {
                    serde_json::from_value(spec["values"].clone()).unwrap()
                };
                let got: Vec<String> = values.array::<String>().unwrap().iter().cloned().collect();
                assert_eq!(got, want, "{path}: values");
            } else {
                check_times(path, &values, spec);
            }
            read.push(path.clone());
            continue;
        }
        assert!(held.contains(&dtype), "{path}: {dtype}");
        let array = opened.unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(array.dtype().to_string(), dtype, "{path}: dtype");
        let shape: Vec<usize> = serde_json::from_value(spec["shape"].clone()).unwrap();
        assert_eq!(array.shape(), shape, "{path}: shape");
        let values = computed(&array);
        let digest = Sha256::digest(le_bytes(&values))
            .iter()
            .fold(String::new(), |hex, b| hex + &format!("{b:02x}"));
        assert_eq!(digest, spec["sha256_c_order_bytes"], "{path}: values");
        read.push(path.clone());
    }
    // All 55 arrays zarr-python reads: 27 numeric arrays (the two zfp-compressed ones
    // too) read identically, and 6 of text, 3 of fixed-width text, 1 of bytes, 12 of
    // dates and 6 of durations hold the same text, bytes and instants (times in
    // nanoseconds, as xarray holds them; picoseconds rounded down to them, as xarray
    // rounds them).
    assert_eq!(read.len(), 55, "read: {read:?}");
}

/// Times read as nanoseconds against the counts of their numpy unit that zarr-python
/// read (`int64_values`, NaT as `i64::MIN`).
fn check_times(path: &str, values: &Values, spec: &Value) {
    let unit = spec["dtype"].as_str().unwrap();
    let unit = &unit[unit.find('[').unwrap() + 1..unit.len() - 1];
    let (scale, unit) = unit.split_at(unit.find(|c: char| !c.is_ascii_digit()).unwrap());
    let scale: i64 = scale.parse().unwrap_or(1);
    let counts: Vec<i64> = serde_json::from_value(spec["int64_values"].clone()).unwrap();
    let want: Vec<i64> = counts
        .iter()
        .map(|&n| {
            if n == i64::MIN {
                return n;
            }
            let n = n * scale;
            match unit {
                "Y" => DateTime64::from_ymd(1970 + n, 1, 1).0,
                "W" => n * 7 * 86_400_000_000_000,
                "D" => n * 86_400_000_000_000,
                "h" => n * 3_600_000_000_000,
                "m" => n * 60_000_000_000,
                "s" => n * 1_000_000_000,
                "ms" => n * 1_000_000,
                "us" => n * 1_000,
                "ns" => n,
                // Rounded down to nanoseconds, as xarray converts them (numpy's
                // `astype("m8[ns]")`).
                "ps" => n.div_euclid(1_000),
                other => panic!("{path}: unit {other}"),
            }
        })
        .collect();
    let got: Vec<i64> = match values {
        Values::DateTime64(a) => a.iter().map(|t| t.0).collect(),
        Values::TimeDelta64(a) => a.iter().map(|t| t.0).collect(),
        other => panic!("{path}: {}", other.dtype()),
    };
    assert_eq!(got, want, "{path}: instants");
}
