//! GeoTIFFs and COGs that rio-cogeo, rasterio and GDAL wrote (`../shared/data/cog`), read
//! by rangeo and compared with what rasterio 1.4.4 / GDAL 3.10.3 read from them
//! (`expected/<name>.json` and `.npy`): size, bands, dtype, nodata, CRS, geotransform,
//! bounds, block shape, overview shapes, and every pixel of every band and overview
//! exactly. Without `../shared/data` the tests pass without checking, unless
//! `RANGEO_REQUIRE_SHARED` is set.

use crate::support::npy;
use crate::support::shared;
use crate::support::values;

use rangeo::array::{DType, Values};
use rangeo::display::Repr;
use rangeo::io::open_cog;
use serde_json::Value;

const FILES: [&str; 5] = [
    "image_rioCOG_gdal3.1",
    "cog_no_offest",
    "byte",
    "float_nan",
    "air_t0_float32_deflate_pred3_cog",
];

use shared::shared;
use values::{computed, same};

/// Float32 values as float64, in order.
fn floats(values: &Values) -> Vec<f64> {
    values
        .array::<f32>()
        .expect("float32 values")
        .iter()
        .map(|&v| f64::from(v))
        .collect()
}

/// Equal to the bit, NaN where NaN.
fn same_floats(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

#[test]
fn every_fixture_reads_as_rasterio_reads_it() {
    let Some(dir) = shared("cog") else { return };
    for name in FILES {
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("expected/{name}.json"))).unwrap(),
        )
        .unwrap();
        let href = dir.join(format!("{name}.tif"));
        let cog = open_cog(&href.to_string_lossy()).unwrap();
        assert_eq!(
            cog.shape(),
            (
                expected["height"].as_u64().unwrap() as usize,
                expected["width"].as_u64().unwrap() as usize
            ),
            "{name}"
        );
        assert_eq!(
            cog.bands() as u64,
            expected["count"].as_u64().unwrap(),
            "{name}"
        );
        let dtype = match expected["dtypes"][0].as_str().unwrap() {
            "uint8" => DType::UInt8,
            "float32" => DType::Float32,
            other => panic!("{other}"),
        };
        assert_eq!(cog.dtype(), dtype, "{name}");
        match &expected["nodata"] {
            Value::Null => assert_eq!(cog.nodata(), None, "{name}"),
            Value::String(s) if s == "nan" => assert!(cog.nodata().unwrap().is_nan(), "{name}"),
            v => assert_eq!(cog.nodata(), v.as_f64(), "{name}"),
        }
        assert_eq!(
            cog.epsg().map(u64::from),
            expected["crs_epsg"].as_u64(),
            "{name}"
        );
        let transform: Vec<f64> = expected["transform_gdal"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        match cog.transform() {
            Some(t) => assert_eq!(t.to_vec(), transform, "{name}"),
            // GDAL's identity transform for files without georeferencing.
            None => assert_eq!(transform, [0.0, 1.0, 0.0, 0.0, 0.0, 1.0], "{name}"),
        }
        let block = &expected["block_shapes"][0];
        assert_eq!(
            cog.block_shape(),
            (
                block[0].as_u64().unwrap() as usize,
                block[1].as_u64().unwrap() as usize
            ),
            "{name}"
        );
        let overviews: Vec<(usize, usize)> = expected["bands"][0]["overviews"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["shape"][0].as_u64().unwrap() as usize,
                    o["shape"][1].as_u64().unwrap() as usize,
                )
            })
            .collect();
        assert_eq!(cog.overviews(), overviews, "{name}");

        let full = cog.read(0).unwrap();
        assert_eq!(full.dims(), ["band", "y", "x"]);
        for (b, band) in expected["bands"].as_array().unwrap().iter().enumerate() {
            let want = npy::read(&dir.join("expected").join(band["npy"].as_str().unwrap()));
            let got = computed(&full.isel("band", b.cast_signed()).unwrap());
            assert_eq!(got.dtype(), want.dtype(), "{name} band {}", b + 1);
            assert!(same(&got, &want), "{name} band {}", b + 1);
            for (level, overview) in band["overviews"].as_array().unwrap().iter().enumerate() {
                let want = npy::read(&dir.join("expected").join(overview["npy"].as_str().unwrap()));
                let got = computed(
                    &cog.read(level + 1)
                        .unwrap()
                        .isel("band", b.cast_signed())
                        .unwrap(),
                );
                assert!(
                    same(&got, &want),
                    "{name} band {} overview {}",
                    b + 1,
                    level + 1
                );
            }
        }
    }
}

#[test]
fn windows_read_only_their_tiles_and_coordinates_are_pixel_centres() {
    let Some(dir) = shared("cog") else { return };
    let href = dir.join("air_t0_float32_deflate_pred3_cog.tif");
    let cog = open_cog(&href.to_string_lossy()).unwrap();
    let whole = floats(&cog.read_window(0, 0..25, 0..53).unwrap());
    let window = floats(&cog.read_window(0, 10..20, 30..50).unwrap());
    let expected: Vec<f64> = (10..20)
        .flat_map(|r| (30..50).map(move |c| (r, c)))
        .map(|(r, c)| whole[r * 53 + c])
        .collect();
    assert!(same_floats(&window, &expected));
    let array = cog.read(0).unwrap();
    let x = computed(&array.coord("x").unwrap())
        .into_array::<f64>()
        .unwrap();
    let y = computed(&array.coord("y").unwrap())
        .into_array::<f64>()
        .unwrap();
    // transform [-161.25, 2.5, 0, 76.25, 0, -2.5]: centres half a pixel in.
    assert_eq!((x[0], x[52]), (-160.0, -30.0));
    assert_eq!((y[0], y[24]), (75.0, 15.0));
    assert_eq!(cog.bounds(), Some([-161.25, 13.75, -28.75, 76.25]));
    let plain = cog.repr().plain().to_owned();
    assert!(
        plain.contains("1 band of 25 x 53 float32, blocks of (16, 16)"),
        "{plain}"
    );
    assert!(plain.contains("crs: EPSG:4326"), "{plain}");
}

#[test]
fn bad_files_and_windows_are_named() {
    let Some(dir) = shared("cog") else { return };
    let missing = dir.join("nope.tif");
    let err = open_cog(&missing.to_string_lossy())
        .unwrap_err()
        .to_string();
    assert_eq!(err, format!("no file at {}", missing.display()));
    let not_tiff = dir.join("PROVENANCE.md");
    let err = open_cog(&not_tiff.to_string_lossy())
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not a readable TIFF"), "{err}");
    let cog = open_cog(&dir.join("byte.tif").to_string_lossy()).unwrap();
    let err = cog.read(1).unwrap_err().to_string();
    assert!(
        err.ends_with("has 0 overviews; there is no level 1"),
        "{err}"
    );
    let err = cog.read_window(0, 0..30, 0..5).unwrap_err().to_string();
    assert!(
        err.starts_with("rows 0..30 and columns 0..5 are outside the 20x20 image"),
        "{err}"
    );
}
