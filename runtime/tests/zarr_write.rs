//! Writing Zarr: what rangeo writes (v2 and v3, CF-encoded, appended, region-written)
//! rangeo and xarray read back as rangeo held it (`tests/reference/xarray_reads.py`
//! runs xarray in the test environment's `.venv`); the modes refuse what xarray
//! refuses; a write that fails part-way leaves no store that claims data it does not
//! have. The CF datasets come from `tests/reference/make_zarr.py` (the test command
//! runs it).

use crate::support::described;
use crate::support::files;

use std::path::{Path, PathBuf};
use std::process::Command;

use files::copy_dir;
use rangeo::array::{
    Calendar, CfDateTime, Complex32, Complex64, DataArray, Dataset, DateTime64, f16,
};
use rangeo::io::{OpenOptions, WriteMode, WriteOptions, open_zarr};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fresh fixtures of `make_zarr.py`: `RANGEO_FRESH_ZARR` or `build/reference/zarr`.
fn fixtures() -> PathBuf {
    let fixtures = std::env::var_os("RANGEO_FRESH_ZARR")
        .map_or_else(|| root().join("build/reference/zarr"), PathBuf::from);
    assert!(
        fixtures.join("manifest.json").exists(),
        "no fixtures in {}; make them with `.venv/bin/python tests/reference/make_zarr.py`",
        fixtures.display()
    );
    fixtures
}

/// What xarray decodes from each of `stores`, by path.
fn xarray_reads(stores: &[PathBuf]) -> Value {
    let python = std::env::var_os("RANGEO_PYTHON")
        .map_or_else(|| root().join(".venv/bin/python"), PathBuf::from);
    let output = Command::new(&python)
        .arg(root().join("tests/reference/xarray_reads.py"))
        .args(stores)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run xarray with {}: {e} (scripts/test.sh makes .venv)",
                python.display()
            )
        });
    assert!(
        output.status.success(),
        "xarray could not read what rangeo wrote:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn url(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Six-hourly times from 2001-03-30.
fn times(n: usize) -> Vec<DateTime64> {
    let origin: DateTime64 = "2001-03-30".parse().unwrap();
    (0..n)
        .map(|i| DateTime64(origin.0 + i64::try_from(i).unwrap() * 6 * 3_600_000_000_000))
        .collect()
}

/// A dataset made in rangeo, with no encoding: float64 with NaN, float32, float16,
/// complex64 and complex128 (with NaN), int16, uint8 and bool variables, datetime64
/// times, non-index coordinates (integers and text, not all ASCII), attributes.
fn own_dataset() -> Dataset {
    let (nt, ny, nx) = (10, 4, 6);
    let field = ndarray::Array3::from_shape_fn((nt, ny, nx), |(t, y, x)| {
        if (t + y + x) % 11 == 0 {
            f64::NAN
        } else {
            270.0 + t as f64 * 0.25 - y as f64 + x as f64 * 0.5
        }
    });
    let small = field.mapv(|v| v as f32);
    let counts = ndarray::Array1::from_shape_fn(nt, |t| i16::try_from(t).unwrap() * 3 - 7);
    let mask = ndarray::Array2::from_shape_fn((ny, nx), |(y, x)| (y * x) % 3 == 0);
    let land = mask.mapv(u8::from);
    let half = ndarray::Array2::from_shape_fn((ny, nx), |(y, x)| {
        if y == x {
            f16::NAN
        } else {
            f16::from_f64(280.0 + y as f64 * 0.5 - x as f64 * 0.25)
        }
    });
    let wave = ndarray::Array1::from_shape_fn(nt, |t| {
        Complex32::from_polar(1.5, t as f32 * 0.7) + Complex32::new(0.25, 0.0)
    });
    let wave128 = ndarray::Array2::from_shape_fn((ny, nx), |(y, x)| {
        if (y, x) == (1, 2) {
            Complex64::new(f64::NAN, 0.0)
        } else {
            Complex64::new(y as f64 - 1.5, x as f64 * 0.125)
        }
    });
    Dataset::new()
        .assign(
            "air",
            DataArray::new(["time", "lat", "lon"], field)
                .unwrap()
                .assign_attrs([("units", "K"), ("long_name", "air temperature")]),
        )
        .unwrap()
        .assign(
            "air32",
            DataArray::new(["time", "lat", "lon"], small).unwrap(),
        )
        .unwrap()
        .assign("count", DataArray::new(["time"], counts).unwrap())
        .unwrap()
        .assign("mask", DataArray::new(["lat", "lon"], mask).unwrap())
        .unwrap()
        .assign("land", DataArray::new(["lat", "lon"], land).unwrap())
        .unwrap()
        .assign("half", DataArray::new(["lat", "lon"], half).unwrap())
        .unwrap()
        .assign("wave", DataArray::new(["time"], wave).unwrap())
        .unwrap()
        .assign("wave128", DataArray::new(["lat", "lon"], wave128).unwrap())
        .unwrap()
        .assign(
            "code",
            DataArray::new(
                ["lat"],
                [&b"N1"[..], b"", b"\x00x", b"\xffend"]
                    .map(<[u8]>::to_vec)
                    .to_vec(),
            )
            .unwrap(),
        )
        .unwrap()
        .assign_coords("time", times(nt))
        .unwrap()
        .assign_coords("lat", vec![60.0, 50.0, 40.0, 30.0])
        .unwrap()
        .assign_coords("lon", (0..nx).map(|i| i as f64 * 60.0).collect::<Vec<_>>())
        .unwrap()
        .assign_coords(
            "city",
            DataArray::new(
                ["lat"],
                ["Oslo", "Lyon", "Roma", "Aswân"].map(String::from).to_vec(),
            )
            .unwrap()
            .variable()
            .clone(),
        )
        .unwrap()
        .assign_coords(
            "station",
            DataArray::new(["lat"], vec![3_i64, 1, 4, 1])
                .unwrap()
                .variable()
                .clone(),
        )
        .unwrap()
        .assign_attrs([("title", "written by rangeo"), ("Conventions", "CF-1.8")])
}

/// Panics unless `got` holds `want`'s sizes, attributes and variables (values, dims,
/// dtypes, attributes).
fn same_dataset(label: &str, got: &Dataset, want: &Dataset) {
    described::check(label, got, &described::describe(want), false);
}

#[test]
fn rangeo_reads_back_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let ds = own_dataset();
    for format in [2, 3] {
        let path = dir.path().join(format!("own_v{format}.zarr"));
        WriteOptions::new()
            .zarr_format(format)
            .to_zarr(&ds, url(&path))
            .unwrap();
        let back = open_zarr(url(&path)).unwrap();
        same_dataset(&format!("v{format}"), &back, &ds);
        // Lazy data streams in its own chunks.
        let lazy_path = dir.path().join(format!("lazy_v{format}.zarr"));
        let lazy = Dataset::new()
            .assign("air", ds.get("air").unwrap().chunk([("time", 3)]).unwrap())
            .unwrap();
        WriteOptions::new()
            .zarr_format(format)
            .to_zarr(&lazy, url(&lazy_path))
            .unwrap();
        let back = open_zarr(url(&lazy_path)).unwrap();
        same_dataset(&format!("lazy v{format}"), &back, &lazy.compute().unwrap());
        let air = back.get("air").unwrap();
        assert_eq!(
            air.encoding()["chunks"],
            serde_json::json!([3, 4, 6]),
            "v{format}"
        );
    }
}

#[test]
fn xarray_reads_what_rangeo_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = fixtures();
    let ds = own_dataset();
    let mut stores: Vec<(PathBuf, Dataset)> = Vec::new();
    for format in [2, 3] {
        // Made in rangeo: the encoding is xarray's default one.
        let path = dir.path().join(format!("own_v{format}.zarr"));
        WriteOptions::new()
            .zarr_format(format)
            .to_zarr(&ds, url(&path))
            .unwrap();
        stores.push((path, ds.clone()));
        // Read from a CF-encoded store xarray wrote, and written back as it was stored.
        let cf = open_zarr(url(&fixtures.join(format!("datasets/cf_v{format}.zarr")))).unwrap();
        let path = dir.path().join(format!("cf_v{format}.zarr"));
        WriteOptions::new()
            .zarr_format(format)
            .to_zarr(&cf, url(&path))
            .unwrap();
        stores.push((path, cf.clone()));
        // Appended along time in three writes, the first append inside a chunk.
        let path = dir.path().join(format!("appended_v{format}.zarr"));
        let part = |range| cf.isel("time", range).unwrap();
        WriteOptions::new()
            .zarr_format(format)
            .to_zarr(&part(0..7), url(&path))
            .unwrap();
        for range in [7..9, 9..12] {
            WriteOptions::new()
                .append_dim("time")
                .to_zarr(&part(range), url(&path))
                .unwrap();
        }
        stores.push((path, cf.clone()));
    }
    // Model times on the noleap calendar, across the day February 29 would be.
    let noleap: Vec<CfDateTime> = (0..4)
        .map(|d| {
            let first = CfDateTime::from_ymd(Calendar::NoLeap, 2001, 2, 27).unwrap();
            CfDateTime::from_micros(Calendar::NoLeap, first.micros() + d * 86_400_000_000)
        })
        .collect();
    let model = Dataset::new()
        .assign(
            "tas",
            DataArray::new(["time"], vec![280.5, 281.0, f64::NAN, 279.25])
                .unwrap()
                .assign_coords("time", noleap)
                .unwrap(),
        )
        .unwrap();
    let path = dir.path().join("noleap_v3.zarr");
    model.to_zarr(url(&path)).unwrap();
    stores.push((path, model));
    // A region rewritten: time steps 5 to 9 of the variables along time, plus one.
    let cf = open_zarr(url(&fixtures.join("datasets/cf_v3.zarr"))).unwrap();
    let path = dir.path().join("region_v3.zarr");
    cf.to_zarr(url(&path)).unwrap();
    let changed = region_plus_one(&cf, 5..10);
    WriteOptions::new()
        .region("time", 5..10)
        .to_zarr(&changed, url(&path))
        .unwrap();
    stores.push((path, with_region(&cf, &changed, 5..10)));

    let paths: Vec<PathBuf> = stores.iter().map(|(p, _)| p.clone()).collect();
    let described = xarray_reads(&paths);
    for (path, want) in &stores {
        let label = path.file_name().unwrap().to_string_lossy().into_owned();
        let back = open_zarr(url(path)).unwrap();
        // xarray reads what rangeo reads, with the same encoding...
        described::check(&label, &back, &described[url(path)], true);
        // ...and that is what was written (packed values to the packing's precision).
        described::check_close(&label, &back, &described::describe(want), 0.006);
    }
}

/// `cf`'s variables along time at positions `range`, plus one (time itself unchanged).
fn region_plus_one(cf: &Dataset, range: std::ops::Range<usize>) -> Dataset {
    let part = cf.isel("time", range).unwrap();
    let mut out = Dataset::new();
    for name in part.data_vars() {
        let array = part.get(name).unwrap();
        if array.dims().iter().any(|d| d == "time") {
            let plus = (&array + 1.0).assign_attrs(array.attrs().clone());
            out = out.assign(name, plus).unwrap();
        }
    }
    out
}

/// `cf` with positions `range` of time taken from `changed`.
fn with_region(cf: &Dataset, changed: &Dataset, range: std::ops::Range<usize>) -> Dataset {
    let n = cf.sizes().iter().find(|(d, _)| d == "time").unwrap().1;
    let before = cf.isel("time", 0..range.start).unwrap();
    let after = cf.isel("time", range.end..n).unwrap();
    let mut out = cf.clone();
    for name in changed.data_vars() {
        let parts = [
            &before.get(name).unwrap(),
            &changed.get(name).unwrap(),
            &after.get(name).unwrap(),
        ];
        let whole = DataArray::concat(&parts, "time").unwrap();
        out = out.assign(name, whole).unwrap();
    }
    out
}

#[test]
fn the_modes_refuse_what_xarray_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let ds = own_dataset();
    let path = dir.path().join("modes.zarr");
    ds.to_zarr(url(&path)).unwrap();
    let error = ds.to_zarr(url(&path)).unwrap_err().to_string();
    assert!(error.contains("already exists"), "{error}");
    // Overwrite replaces it, leaving no variable of the old store behind.
    let small = Dataset::new()
        .assign("count", ds.get("count").unwrap())
        .unwrap();
    WriteOptions::new()
        .mode(WriteMode::Overwrite)
        .to_zarr(&small, url(&path))
        .unwrap();
    let back = open_zarr(url(&path)).unwrap();
    assert_eq!(back.data_vars().collect::<Vec<_>>(), ["count"]);
    assert!(!path.join("air").exists());
    // Append (no dimension) adds a variable and keeps the others.
    let mask = Dataset::new()
        .assign("mask", ds.get("mask").unwrap())
        .unwrap();
    WriteOptions::new()
        .mode(WriteMode::Append)
        .to_zarr(&mask, url(&path))
        .unwrap();
    let back = open_zarr(url(&path)).unwrap();
    let mut names: Vec<&str> = back.data_vars().collect();
    names.sort_unstable();
    assert_eq!(names, ["count", "mask"]);

    let path = dir.path().join("chunks.zarr");
    WriteOptions::new()
        .encoding("air", [("chunks", serde_json::json!([4, 2, 3]))])
        .to_zarr(&ds, url(&path))
        .unwrap();
    let part = Dataset::new()
        .assign("air", ds.get("air").unwrap().isel("time", 2..6).unwrap())
        .unwrap();
    // A region that cuts chunks: the chunks it covers in part are read, merged and
    // written whole.
    WriteOptions::new()
        .region("time", 2..6)
        .to_zarr(&part, url(&path))
        .unwrap();
    let back = open_zarr(url(&path)).unwrap();
    same_dataset("region 2..6", &back, &ds);
    let error = WriteOptions::new()
        .region("time", 4..9)
        .to_zarr(&part, url(&path))
        .unwrap_err()
        .to_string();
    assert!(error.contains("4 elements along `time`"), "{error}");
    let narrower = Dataset::new()
        .assign("air", ds.get("air").unwrap().isel("lon", 0..3).unwrap())
        .unwrap();
    let error = WriteOptions::new()
        .append_dim("time")
        .to_zarr(&narrower, url(&path))
        .unwrap_err()
        .to_string();
    assert!(error.contains("`lon` has 3 elements"), "{error}");
    let error = WriteOptions::new()
        .region("time", 0..4)
        .to_zarr(&part, url(&dir.path().join("nothing.zarr")))
        .unwrap_err()
        .to_string();
    assert!(error.contains("no Zarr store there yet"), "{error}");
    let error = ds
        .to_zarr("http://127.0.0.1:9/store.zarr")
        .unwrap_err()
        .to_string();
    assert!(error.contains("read-only"), "{error}");
    let error = WriteOptions::new()
        .zarr_format(4)
        .to_zarr(&ds, url(&dir.path().join("v4.zarr")))
        .unwrap_err()
        .to_string();
    assert!(error.contains("formats are 2 and 3"), "{error}");
}

#[test]
fn encodings_that_do_not_fit_the_data_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let ds = own_dataset();
    let path = dir.path().join("packed.zarr");
    let error = WriteOptions::new()
        .encoding(
            "air",
            [
                ("dtype", "int8".into()),
                ("scale_factor", 0.01.into()),
                ("_FillValue", (-128).into()),
            ],
        )
        .to_zarr(&ds, url(&path))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("`air`") && error.contains("outside the range of int8"),
        "{error}"
    );
    let error = WriteOptions::new()
        .encoding("air", [("dtype", "int16".into())])
        .to_zarr(&ds, url(&dir.path().join("nan.zarr")))
        .unwrap_err()
        .to_string();
    assert!(error.contains("NaN and no _FillValue"), "{error}");
    let error = WriteOptions::new()
        .encoding("sst", [("dtype", "int16".into())])
        .to_zarr(&ds, url(&dir.path().join("sst.zarr")))
        .unwrap_err()
        .to_string();
    assert!(error.contains("`sst`"), "{error}");
    // Packed as asked, the values come back to the packing's precision.
    let path = dir.path().join("packed16.zarr");
    WriteOptions::new()
        .encoding(
            "air",
            [
                ("dtype", "int16".into()),
                ("scale_factor", 0.01.into()),
                ("add_offset", 270.0.into()),
                ("_FillValue", (-32767).into()),
            ],
        )
        .to_zarr(&ds, url(&path))
        .unwrap();
    let raw = OpenOptions::new()
        .decode_cf(false)
        .open_zarr(url(&path))
        .unwrap();
    assert_eq!(raw.get("air").unwrap().dtype().to_string(), "int16");
    let back = open_zarr(url(&path)).unwrap();
    described::check_close("packed", &back, &described::describe(&ds), 0.005);
}

#[test]
fn text_wider_than_the_store_holds_is_refused_before_writing() {
    // xarray refuses appending text wider than the stored fixed width; so does rangeo,
    // before anything is written.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("text.zarr");
    let names = |n: &[&str]| {
        let t = times(n.len());
        Dataset::new()
            .assign(
                "name",
                DataArray::new(
                    ["time"],
                    n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
                )
                .unwrap(),
            )
            .unwrap()
            .assign_coords("time", t)
            .unwrap()
    };
    names(&["ab", "c"]).to_zarr(url(&path)).unwrap();
    let wider = names(&["abcd"]);
    let error = WriteOptions::new()
        .append_dim("time")
        .to_zarr(&wider, url(&path))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("`name`") && error.contains("4 characters wide") && error.contains("<U2"),
        "{error}"
    );
    let back = open_zarr(url(&path)).unwrap();
    assert_eq!(back.sizes(), [("time".to_owned(), 2)]);
    let fits = names(&["xy"]);
    WriteOptions::new()
        .append_dim("time")
        .to_zarr(&fits, url(&path))
        .unwrap();
    let back = open_zarr(url(&path)).unwrap().get("name").unwrap();
    let back = back.compute().unwrap();
    let text = back.values::<String>().unwrap();
    assert_eq!(text.iter().cloned().collect::<Vec<_>>(), ["ab", "c", "xy"]);
}

#[test]
fn a_write_that_fails_part_way_leaves_no_store_claiming_data_it_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.zarr");
    copy_dir(&fixtures().join("datasets/cf_v3.zarr"), &source);
    // The last chunk of t2m is garbage: reading it fails.
    let chunk = source.join("t2m/c/2/1/0");
    assert!(chunk.exists(), "{}", chunk.display());
    std::fs::write(&chunk, b"not zstd").unwrap();
    let broken = open_zarr(url(&source)).unwrap();

    let fresh = dir.path().join("fresh.zarr");
    let error = broken.to_zarr(url(&fresh)).unwrap_err().to_string();
    assert!(
        error.contains("`t2m`") && error.contains("[2, 1, 0]"),
        "{error}"
    );
    let error = open_zarr(url(&fresh)).unwrap_err().to_string();
    assert!(error.contains("no Zarr group"), "{error}");

    // An append that fails leaves the store as it was.
    let good = open_zarr(url(&fixtures().join("datasets/cf_v3.zarr"))).unwrap();
    let appended = dir.path().join("appended.zarr");
    good.isel("time", 0..7)
        .unwrap()
        .to_zarr(url(&appended))
        .unwrap();
    let before = open_zarr(url(&appended)).unwrap().compute().unwrap();
    let error = WriteOptions::new()
        .append_dim("time")
        .to_zarr(&broken.isel("time", 7..12).unwrap(), url(&appended))
        .unwrap_err()
        .to_string();
    assert!(error.contains("`t2m`"), "{error}");
    let after = open_zarr(url(&appended)).unwrap();
    same_dataset("after a failed append", &after, &before);
}

#[test]
fn memory_stores_hold_what_is_written_for_the_process() {
    let ds = own_dataset();
    ds.to_zarr("memory://tests/own.zarr").unwrap();
    let back = open_zarr("memory://tests/own.zarr").unwrap();
    same_dataset("memory", &back, &ds);
    let error = open_zarr("memory://tests/elsewhere.zarr")
        .unwrap_err()
        .to_string();
    assert!(error.contains("no Zarr group"), "{error}");
}
