//! rangeo's labeled arrays against xarray: every case in the reference file is an input,
//! an operation and the result xarray computed (see `tests/reference/make_arrays.py`,
//! which the test command runs first).

use rangeo::array::{Selection, Values, Variable};
use serde_json::Value;

/// Relative tolerance for float64 results.
const RTOL: f64 = 1e-9;

fn cases() -> Vec<Value> {
    let path = std::env::var_os("RANGEO_REFERENCE").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/reference/arrays.json"),
        std::path::PathBuf::from,
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the xarray reference results {} ({e}); make them with \
             `.venv/bin/python tests/reference/make_arrays.py` (scripts/test.sh does)",
            path.display()
        )
    });
    let reference: Value = serde_json::from_str(&text).expect("reference results are JSON");
    reference["cases"]
        .as_array()
        .expect("a list of cases")
        .clone()
}

fn variable(json: &Value) -> Variable {
    let dims: Vec<String> = serde_json::from_value(json["dims"].clone()).unwrap();
    let shape: Vec<usize> = serde_json::from_value(json["shape"].clone()).unwrap();
    assert_eq!(json["dtype"], "float64", "only float64 inputs so far");
    let data: Vec<f64> = json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap_or(f64::NAN))
        .collect();
    let values = ndarray::ArrayD::from_shape_vec(shape, data).unwrap();
    Variable::new(dims, Values::from_array(values)).unwrap()
}

fn assert_matches(name: &str, got: &Variable, expected: &Variable) {
    assert_eq!(got.dims(), expected.dims(), "{name}: dims");
    assert_eq!(got.shape(), expected.shape(), "{name}: shape");
    let (got, expected) = (
        got.values::<f64>().unwrap(),
        expected.values::<f64>().unwrap(),
    );
    for (g, e) in got.iter().zip(expected) {
        let same = (g.is_nan() && e.is_nan()) || (g - e).abs() <= RTOL * e.abs();
        assert!(same, "{name}: {got} != {expected}");
    }
}

fn isel(input: &Variable, op: &Value) -> Variable {
    let dim = op["dim"].as_str().unwrap();
    let selection = if let Some(index) = op["index"].as_i64() {
        Selection::Index(index as isize)
    } else if let Some(list) = op["list"].as_array() {
        Selection::List(list.iter().map(|i| i.as_i64().unwrap() as isize).collect())
    } else {
        let bound = |v: &Value| v.as_i64().map(|i| i as isize);
        let slice = op["slice"].as_array().unwrap();
        Selection::Slice {
            start: bound(&slice[0]),
            stop: bound(&slice[1]),
            step: bound(&slice[2]).unwrap(),
        }
    };
    input.isel(dim, selection).unwrap()
}

#[test]
fn isel_matches_xarray() {
    let mut checked = 0;
    for case in cases() {
        let Some(op) = case["op"].get("isel") else {
            continue;
        };
        let name = case["name"].as_str().unwrap();
        let got = isel(&variable(&case["input"]), op);
        assert_matches(name, &got, &variable(&case["expected"]));
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} isel cases");
}
