//! The air temperature data as `tests/reference/make_air.py` leaves it: the Zarr
//! store's raw, CF-encoded arrays, decoded here (`scale_factor`, CF times) into the
//! `air` array that xarray's `open_zarr(...).air` gives. Shared by the test and the
//! benchmark.

use std::path::{Path, PathBuf};

use rangeo::array::{DType, DataArray, Values, Variable, decode_cf_times};
use serde_json::Value;

/// Where the references are: `RANGEO_AIR` or `build/reference/air`.
pub(crate) fn directory() -> PathBuf {
    std::env::var_os("RANGEO_AIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/reference/air"),
        PathBuf::from,
    )
}

/// The manifest, when the references were made (they need `../shared/data/real`).
pub(crate) fn manifest() -> Option<Value> {
    let text = std::fs::read_to_string(directory().join("manifest.json")).ok()?;
    Some(serde_json::from_str(&text).expect("the manifest is JSON"))
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(directory().join("input").join(format!("{name}.bin"))).expect("an input file")
}

fn raw(manifest: &Value, name: &str) -> (Vec<String>, Values) {
    let spec = &manifest["inputs"][name];
    let dims: Vec<String> = serde_json::from_value(spec["dims"].clone()).unwrap();
    let shape: Vec<usize> = serde_json::from_value(spec["shape"].clone()).unwrap();
    let data = bytes(name);
    let values = match spec["dtype"].as_str().unwrap() {
        "<i2" => {
            let v: Vec<i16> = data
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect();
            Values::from_array(ndarray::ArrayD::from_shape_vec(shape, v).unwrap())
        }
        "<f4" => {
            let v: Vec<f32> = data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            Values::from_array(ndarray::ArrayD::from_shape_vec(shape, v).unwrap())
        }
        other => panic!("no reader for {other}"),
    };
    (dims, values)
}

/// The decoded `air` array with its time, lat and lon coordinates.
pub(crate) fn air(manifest: &Value) -> DataArray {
    let (dims, encoded) = raw(manifest, "air");
    let attrs = manifest["inputs"]["air"]["attrs"].as_object().unwrap();
    let scale = attrs["scale_factor"].as_f64().unwrap();
    let floats = encoded.cast(DType::Float64).unwrap();
    let decoded = Values::from_array(floats.array::<f64>().unwrap().mapv(|x| x * scale));
    let (_, hours) = raw(manifest, "time");
    let time_attrs = &manifest["inputs"]["time"]["attrs"];
    let times = decode_cf_times(
        &hours,
        time_attrs["units"].as_str().unwrap(),
        time_attrs["calendar"].as_str().unwrap_or("standard"),
    )
    .unwrap();
    let kept = attrs
        .iter()
        .filter(|(k, _)| !["scale_factor", "_ARRAY_DIMENSIONS"].contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()));
    DataArray::from_variable(Variable::new(dims, decoded).unwrap())
        .with_name("air")
        .assign_coords("time", times)
        .unwrap()
        .assign_coords("lat", raw(manifest, "lat").1)
        .unwrap()
        .assign_coords("lon", raw(manifest, "lon").1)
        .unwrap()
        .assign_attrs(kept)
}
