//! Comparing a dataset with what xarray decoded from a store, as
//! `tests/reference/describe.py` describes it: sizes, attributes, and per variable
//! dims, dtype, attributes, values and the CF encoding.

use rangeo::array::{CfDateTime, DType, DataArray, Dataset, DateTime64, Values};
use serde_json::Value;

/// Values as JSON as describe.py writes them: floats with null for NaN, times as ISO
/// strings to the second, text as strings, bytes as lists of byte values, complex
/// numbers as [real, imaginary].
pub(crate) fn plain(values: &Values) -> Value {
    match values.dtype() {
        DType::DateTime64 => values
            .array::<DateTime64>()
            .unwrap()
            .iter()
            .map(|t| Value::from(t.to_string()[..19].to_owned()))
            .collect(),
        DType::CfDateTime => values
            .array::<CfDateTime>()
            .unwrap()
            .iter()
            .map(|t| Value::from(t.to_string().replace(' ', "T")[..19].to_owned()))
            .collect(),
        DType::Str => listed(&values.array::<String>().unwrap().view()),
        DType::Bytes => listed(&values.array::<Vec<u8>>().unwrap().view()),
        DType::Complex64 | DType::Complex128 => {
            let z = values.cast(DType::Complex128).unwrap();
            let z = z.array::<rangeo::array::Complex64>().unwrap();
            let mut shape = z.shape().to_vec();
            shape.push(2);
            let pairs = ndarray::ArrayD::from_shape_vec(
                shape,
                z.iter().flat_map(|c| [c.re, c.im]).collect(),
            )
            .unwrap();
            nested(&pairs.view())
        }
        _ => nested(
            &values
                .cast(DType::Float64)
                .unwrap()
                .array::<f64>()
                .unwrap()
                .view(),
        ),
    }
}

/// Strings or bytes as nested JSON lists.
fn listed<T: Clone + Into<Value>>(a: &ndarray::ArrayViewD<'_, T>) -> Value {
    if a.ndim() == 0 {
        return a[[]].clone().into();
    }
    a.outer_iter().map(|row| listed(&row)).collect()
}

/// The dtype as numpy names it: `<U5` for text of width 5, `|S5` for bytes.
fn numpy_dtype(dtype: DType, values: &Values) -> String {
    let width = |lengths: Vec<usize>| lengths.into_iter().max().unwrap_or(0).max(1);
    match dtype {
        DType::Str => {
            let text = values.array::<String>().unwrap();
            format!(
                "<U{}",
                width(text.iter().map(|s| s.chars().count()).collect())
            )
        }
        DType::Bytes => {
            let bytes = values.array::<Vec<u8>>().unwrap();
            format!("|S{}", width(bytes.iter().map(Vec::len).collect()))
        }
        _ => dtype.to_string(),
    }
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

/// Attributes as a JSON object.
fn object<'a>(attrs: impl IntoIterator<Item = (&'a String, &'a Value)>) -> Value {
    Value::Object(
        attrs
            .into_iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// A number in an encoding, as JSON holds it: a number, or a string ("NaN", "-1").
fn number(value: &Value) -> Option<f64> {
    value.as_f64().or_else(|| match value.as_str()? {
        "NaN" => Some(f64::NAN),
        text => text.parse().ok(),
    })
}

/// `ds` described as describe.py describes what xarray reads (with no encoding).
pub(crate) fn describe(ds: &Dataset) -> Value {
    let variable = |array: DataArray| {
        let values = array
            .compute()
            .unwrap()
            .variable()
            .to_values()
            .unwrap()
            .into_owned();
        serde_json::json!({
            "dims": array.dims(),
            "dtype": numpy_dtype(array.dtype(), &values),
            "attrs": object(array.attrs()),
            "encoding": {},
            "values": plain(&values),
        })
    };
    let section = |names: Vec<&str>| -> Value {
        Value::Object(
            names
                .into_iter()
                .map(|n| (n.to_owned(), variable(ds.get(n).unwrap())))
                .collect(),
        )
    };
    serde_json::json!({
        "sizes": ds
            .sizes()
            .into_iter()
            .map(|(d, n)| (d, Value::from(n)))
            .collect::<serde_json::Map<String, Value>>(),
        "attrs": object(ds.attrs()),
        "data_vars": section(ds.data_vars().collect()),
        "coords": section(ds.coords().names().collect()),
    })
}

/// Panics (naming `label` and what differs) unless `ds` holds what `spec` describes.
/// With `encoding`, the CF encoding xarray reports must be the one `ds` carries.
pub(crate) fn check(label: &str, ds: &Dataset, spec: &Value, encoding: bool) {
    check_within(label, ds, spec, encoding, 0.0);
}

/// [`check`] without the encoding, numbers equal within `tolerance` (absolute).
pub(crate) fn check_close(label: &str, ds: &Dataset, spec: &Value, tolerance: f64) {
    check_within(label, ds, spec, false, tolerance);
}

fn check_within(label: &str, ds: &Dataset, spec: &Value, encoding: bool, tolerance: f64) {
    let mut sizes = ds.sizes();
    sizes.sort();
    let mut want: Vec<(String, usize)> = spec["sizes"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(d, n)| (d.clone(), usize::try_from(n.as_u64().unwrap()).unwrap()))
        .collect();
    want.sort();
    assert_eq!(sizes, want, "{label}: sizes");
    assert_eq!(object(ds.attrs()), spec["attrs"], "{label}: attrs");
    for section in ["data_vars", "coords"] {
        let names: Vec<&str> = if section == "data_vars" {
            ds.data_vars().collect()
        } else {
            ds.coords().names().collect()
        };
        let described = spec[section].as_object().unwrap();
        let mut listed: Vec<&str> = described.keys().map(String::as_str).collect();
        let mut held = names.clone();
        listed.sort_unstable();
        held.sort_unstable();
        assert_eq!(held, listed, "{label}: {section}");
        for (name, var) in described {
            let label = format!("{label}: {name}");
            let array = ds.get(name).unwrap_or_else(|e| panic!("{label}: {e}"));
            check_variable(&label, &array, var, encoding, tolerance);
        }
    }
}

fn check_variable(label: &str, array: &DataArray, var: &Value, encoding: bool, tolerance: f64) {
    let dims: Vec<String> = serde_json::from_value(var["dims"].clone()).unwrap();
    assert_eq!(array.dims(), dims, "{label}: dims");
    assert_eq!(object(array.attrs()), var["attrs"], "{label}: attrs");
    let values = array
        .compute()
        .unwrap_or_else(|e| panic!("{label}: {e}"))
        .variable()
        .to_values()
        .unwrap()
        .into_owned();
    assert_eq!(
        numpy_dtype(array.dtype(), &values),
        var["dtype"],
        "{label}: dtype"
    );
    let got = plain(&values);
    assert!(
        close(&got, &var["values"], tolerance),
        "{label}: values {got} against {}",
        var["values"]
    );
    if !encoding {
        return;
    }
    let held = array.encoding();
    for (key, want) in var["encoding"].as_object().unwrap() {
        if want.is_null() {
            continue;
        }
        let got = held
            .get(key)
            .unwrap_or_else(|| panic!("{label}: no {key} in the encoding {held:?}"));
        match (number(got), number(want)) {
            (Some(a), Some(b)) => assert!(
                a.total_cmp(&b).is_eq() || (a.is_nan() && b.is_nan()),
                "{label}: encoding {key} {got} against xarray's {want}"
            ),
            _ => assert_eq!(got, want, "{label}: encoding {key}"),
        }
    }
}

/// Whether two described values are equal, numbers within `tolerance`.
fn close(got: &Value, want: &Value, tolerance: f64) -> bool {
    match (got, want) {
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(x, y, tolerance))
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            x.total_cmp(&y).is_eq() || (x - y).abs() <= tolerance
        }
        _ => got == want,
    }
}
