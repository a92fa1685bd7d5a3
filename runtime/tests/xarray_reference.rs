//! rangeo's labeled arrays against xarray. Every case in the reference file names input
//! arrays, one operation and what xarray computed (or that it raised); see
//! `tests/reference/make_arrays.py`, which the test command runs first. This file applies
//! the same operation with rangeo and compares: dims, shape, dtype, name, attributes,
//! every coordinate, and values (float64 to 1e-9 relative, float32 to 1e-6).

use std::collections::BTreeMap;

use rangeo::array::{
    BinaryOp, Boundary, Calendar, CfDateTime, DataArray, Dataset, DateTime64, How, Interp, Join,
    Label, Method, Reduction, Selection, Selector, TimeDelta64, Values, Variable, align, broadcast,
    decode_cf_times, merge,
};
use serde_json::Value;

/// Relative tolerance for float64 results.
const RTOL_F64: f64 = 1e-9;
/// Relative tolerance for float32 results (numpy sums float32 in float32, rangeo in
/// float64 before rounding).
const RTOL_F32: f64 = 1e-6;

struct Reference {
    inputs: BTreeMap<String, DataArray>,
    cases: Vec<Value>,
    document: Value,
}

fn reference() -> Reference {
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
    let document: Value = serde_json::from_str(&text).expect("reference results are JSON");
    let inputs = document["inputs"]
        .as_object()
        .expect("inputs")
        .iter()
        .map(|(name, json)| (name.clone(), data_array(json)))
        .collect();
    let cases = document["cases"]
        .as_array()
        .expect("a list of cases")
        .clone();
    Reference {
        inputs,
        cases,
        document,
    }
}

fn build<T: rangeo::array::Element>(shape: Vec<usize>, data: Vec<T>) -> Values {
    Values::from_array(ndarray::ArrayD::from_shape_vec(shape, data).unwrap())
}

fn values(json: &Value) -> Values {
    let shape: Vec<usize> = serde_json::from_value(json["shape"].clone()).unwrap();
    let data = json["data"].as_array().unwrap();
    let float = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let int = |v: &Value| v.as_i64().unwrap();
    match json["dtype"].as_str().unwrap() {
        "float64" => build(shape, data.iter().map(float).collect()),
        "float32" => build(
            shape,
            data.iter().map(|v| float(v) as f32).collect::<Vec<f32>>(),
        ),
        "int64" => build(shape, data.iter().map(int).collect()),
        "int32" => build(shape, data.iter().map(|v| int(v) as i32).collect()),
        "int16" => build(shape, data.iter().map(|v| int(v) as i16).collect()),
        "bool" => build(shape, data.iter().map(|v| v.as_bool().unwrap()).collect()),
        "datetime64[ns]" => build(shape, data.iter().map(|v| DateTime64(int(v))).collect()),
        "timedelta64[ns]" => build(shape, data.iter().map(|v| TimeDelta64(int(v))).collect()),
        "str" => build(
            shape,
            data.iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect(),
        ),
        "bytes" => build(
            shape,
            data.iter()
                .map(|v| serde_json::from_value::<Vec<u8>>(v.clone()).unwrap())
                .collect(),
        ),
        other => {
            let calendar: Calendar = other
                .strip_prefix("cftime:")
                .unwrap_or_else(|| panic!("no reader for dtype {other} in the reference file"))
                .parse()
                .unwrap();
            let times = data
                .iter()
                .map(|v| CfDateTime::from_micros(calendar, int(v)))
                .collect();
            build(shape, times)
        }
    }
}

fn variable(json: &Value) -> Variable {
    let dims: Vec<String> = serde_json::from_value(json["dims"].clone()).unwrap();
    Variable::new(dims, values(json)).unwrap()
}

fn data_array(json: &Value) -> DataArray {
    let mut da = DataArray::from_variable(variable(json));
    if let Some(name) = json["name"].as_str() {
        da = da.with_name(name);
    }
    for (name, coord) in json["coords"].as_object().unwrap() {
        da = da.assign_coords(name.clone(), variable(coord)).unwrap();
    }
    da.assign_attrs(json["attrs"].as_object().unwrap().clone())
}

fn close(got: f64, expected: f64, rtol: f64) -> bool {
    (got.is_nan() && expected.is_nan())
        || got.total_cmp(&expected).is_eq()
        || (got - expected).abs() <= rtol * expected.abs().max(got.abs())
}

fn assert_values(what: &str, got: &Values, expected: &Values) {
    assert_eq!(got.dtype(), expected.dtype(), "{what}: dtype");
    assert_eq!(got.shape(), expected.shape(), "{what}: shape");
    let rtol = match got {
        Values::Float32(_) => RTOL_F32,
        _ => RTOL_F64,
    };
    if got.dtype().is_float() {
        let (g, e) = (
            got.cast(rangeo::array::DType::Float64).unwrap(),
            expected.cast(rangeo::array::DType::Float64).unwrap(),
        );
        let (g, e) = (g.array::<f64>().unwrap(), e.array::<f64>().unwrap());
        for (a, b) in g.iter().zip(e.iter()) {
            assert!(close(*a, *b, rtol), "{what}: values\n got {g}\nwant {e}");
        }
    } else {
        assert_eq!(got, expected, "{what}: values");
    }
}

fn assert_matches(name: &str, got: &DataArray, expected: &DataArray) {
    assert_eq!(got.dims(), expected.dims(), "{name}: dims");
    assert_eq!(got.name(), expected.name(), "{name}: name");
    assert_values(
        name,
        &got.variable().to_values().unwrap(),
        &expected.variable().to_values().unwrap(),
    );
    let mut got_coords: Vec<&str> = got.coords().names().collect();
    let mut want_coords: Vec<&str> = expected.coords().names().collect();
    got_coords.sort_unstable();
    want_coords.sort_unstable();
    assert_eq!(got_coords, want_coords, "{name}: coordinate names");
    for coord in want_coords {
        let (g, e) = (
            got.coords().get(coord).unwrap(),
            expected.coords().get(coord).unwrap(),
        );
        assert_eq!(g.dims(), e.dims(), "{name}: dims of coordinate {coord}");
        assert_values(
            &format!("{name}: coordinate {coord}"),
            &g.to_values().unwrap(),
            &e.to_values().unwrap(),
        );
    }
    assert_eq!(got.attrs(), expected.attrs(), "{name}: attrs");
}

fn label(json: &Value) -> Label {
    match json {
        Value::String(s) => Label::Str(s.clone()),
        Value::Object(cftime) => {
            let calendar: Calendar = cftime["calendar"].as_str().unwrap().parse().unwrap();
            Label::CfTime(CfDateTime::parse(cftime["date"].as_str().unwrap(), calendar).unwrap())
        }
        v if v.is_i64() => Label::Int(v.as_i64().unwrap()),
        v => Label::Float(v.as_f64().unwrap()),
    }
}

fn reduction(how: &str, args: &Value) -> Reduction {
    let ddof = args["ddof"].as_u64().unwrap_or(0) as usize;
    match how {
        "mean" => Reduction::Mean,
        "sum" => Reduction::Sum,
        "prod" => Reduction::Prod,
        "min" => Reduction::Min,
        "max" => Reduction::Max,
        "std" => Reduction::Std { ddof },
        "var" => Reduction::Var { ddof },
        "median" => Reduction::Median,
        "quantile" => Reduction::Quantile(args["q"].as_f64().unwrap()),
        "count" => Reduction::Count,
        "argmin" => Reduction::ArgMin,
        "argmax" => Reduction::ArgMax,
        "any" => Reduction::Any,
        "all" => Reduction::All,
        other => panic!("unknown reduction {other}"),
    }
}

fn selection(args: &Value) -> Selection {
    if let Some(index) = args["index"].as_i64() {
        Selection::Index(index as isize)
    } else if let Some(list) = args["list"].as_array() {
        Selection::List(list.iter().map(|i| i.as_i64().unwrap() as isize).collect())
    } else {
        let bound = |v: &Value| v.as_i64().map(|i| i as isize);
        let slice = args["slice"].as_array().unwrap();
        Selection::Slice {
            start: bound(&slice[0]),
            stop: bound(&slice[1]),
            step: bound(&slice[2]).unwrap(),
        }
    }
}

fn select(da: &DataArray, dim: &str, args: &Value) -> Result<DataArray, rangeo::Error> {
    let selector = if let Some(range) = args["range"].as_array() {
        let bound = |v: &Value| (!v.is_null()).then(|| label(v));
        Selector::Range {
            start: bound(&range[0]),
            stop: bound(&range[1]),
        }
    } else if let Some(list) = args["list"].as_array() {
        Selector::List(list.iter().map(label).collect())
    } else {
        Selector::Label(label(&args["label"]))
    };
    let method = match args["method"].as_str() {
        None => Method::Exact,
        Some("nearest") => Method::Nearest,
        Some("pad") => Method::Pad,
        Some("backfill") => Method::Backfill,
        Some(other) => panic!("unknown method {other}"),
    };
    match args["tolerance"].as_f64() {
        Some(t) => da.sel_with(dim, selector, method.tolerance(t)),
        None => da.sel_with(dim, selector, method),
    }
}

fn grouped(da: &DataArray, kind: &str, args: &Value) -> Result<DataArray, rangeo::Error> {
    let groups = match kind {
        "groupby" => da.groupby(args["key"].as_str().unwrap())?,
        "groupby_bins" => {
            let edges: Vec<f64> = serde_json::from_value(args["edges"].clone()).unwrap();
            da.groupby_bins(args["coord"].as_str().unwrap(), &edges)?
        }
        "resample" => da.resample("time", args["freq"].as_str().unwrap())?,
        _ => {
            let boundary = match args["boundary"].as_str().unwrap() {
                "trim" => Boundary::Trim,
                "pad" => Boundary::Pad,
                _ => Boundary::Exact,
            };
            let window = args["window"].as_u64().unwrap() as usize;
            da.coarsen(args["dim"].as_str().unwrap(), window, boundary)?
        }
    };
    match args["how"].as_str().unwrap() {
        "anomaly" => groups.binary(BinaryOp::Sub, &groups.mean()?),
        how => groups.reduce(reduction(how, args), true),
    }
}

fn binary(
    inputs: &BTreeMap<String, DataArray>,
    da: &DataArray,
    args: &Value,
) -> Result<Vec<DataArray>, rangeo::Error> {
    let op = match args["op"].as_str().unwrap() {
        "+" => BinaryOp::Add,
        "-" => BinaryOp::Sub,
        "*" => BinaryOp::Mul,
        "/" => BinaryOp::Div,
        "%" => BinaryOp::Rem,
        ">" => BinaryOp::Gt,
        "<=" => BinaryOp::Le,
        "==" => BinaryOp::Eq,
        other => panic!("unknown operator {other}"),
    };
    let other = &args["other"];
    if let Some(name) = other["array"].as_str() {
        return Ok(vec![da.binary(op, &inputs[name])?]);
    }
    if args["reversed"].as_bool() == Some(true) {
        assert_eq!(op, BinaryOp::Sub, "only scalar - array is in the cases");
        return Ok(vec![other.as_f64().unwrap() - da]);
    }
    match other.as_i64() {
        Some(i) => Ok(vec![da.binary(op, i as i32)?]),
        None => Ok(vec![da.binary(op, other.as_f64().unwrap())?]),
    }
}

/// A `{old: new}` object as its pairs, in order.
fn pairs(args: &Value) -> Vec<(String, String)> {
    let object = args.as_object().unwrap();
    object
        .iter()
        .map(|(old, new)| (old.clone(), new.as_str().unwrap().to_owned()))
        .collect()
}

fn reshape(da: &DataArray, kind: &str, args: &Value) -> Result<DataArray, rangeo::Error> {
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    let by = || args["by"].as_i64().unwrap() as isize;
    match kind {
        "expand_dims" => da.expand_dims(&text(args)),
        "squeeze" => {
            let dim = text(args);
            da.isel(&dim, 0..1)?.squeeze(dim)
        }
        "rename" => da.rename(pairs(args).iter().map(|(o, n)| (o.as_str(), n.as_str()))),
        "swap_dims" => da.swap_dims(&text(&args[0]), &text(&args[1])),
        "drop_vars" => da.drop_vars(&[args[0].as_str().unwrap()]),
        "shift" => da.shift(&text(&args["dim"]), by()),
        "roll" => da.roll(&text(&args["dim"]), by()),
        "diff" => da.diff(&text(args)),
        "interp" => {
            let method = if args["method"] == "nearest" {
                Interp::Nearest
            } else {
                Interp::Linear
            };
            let at = args["at"].as_array().unwrap();
            let targets = if args["time"].as_bool() == Some(true) {
                let times: Vec<DateTime64> = at
                    .iter()
                    .map(|t| t.as_str().unwrap().parse().unwrap())
                    .collect();
                Values::from_vec(times)
            } else {
                Values::from_vec(at.iter().map(|x| x.as_f64().unwrap()).collect::<Vec<_>>())
            };
            da.interp(&text(&args["dim"]), targets, method)
        }
        _ => {
            let dim = text(&args["dim"]);
            if args["new"].as_bool().unwrap() {
                DataArray::concat(&[da, &(da * 2.0)], &dim)
            } else {
                let n = da
                    .variable()
                    .axis(&dim)
                    .map(|a| da.shape()[a])?
                    .cast_signed();
                DataArray::concat(&[&da.isel(&dim, 0..2)?, &da.isel(&dim, 3..n)?], &dim)
            }
        }
    }
}

/// The case's operation, done with rangeo.
fn apply(
    inputs: &BTreeMap<String, DataArray>,
    target: &str,
    op: &Value,
) -> Result<Vec<DataArray>, rangeo::Error> {
    let (kind, args) = op.as_object().unwrap().iter().next().unwrap();
    let da = &inputs[target];
    let dim = args["dim"].as_str().unwrap_or_default();
    let one = |r: Result<DataArray, rangeo::Error>| r.map(|da| vec![da]);
    match kind.as_str() {
        "isel" => one(da.isel(dim, selection(args))),
        "sel" => one(select(da, dim, args)),
        "binary" => binary(inputs, da, args),
        "align" => {
            let join = match args["join"].as_str().unwrap() {
                "inner" => Join::Inner,
                "outer" => Join::Outer,
                "left" => Join::Left,
                "right" => Join::Right,
                _ => Join::Exact,
            };
            align(&[da, &inputs[args["other"].as_str().unwrap()]], join)
        }
        "broadcast" => broadcast(&[da, &inputs[args["other"].as_str().unwrap()]]),
        "reduce" => {
            let how = reduction(args["how"].as_str().unwrap(), args);
            let skipna = args["skipna"].as_bool().unwrap_or(true);
            match args["dims"].as_array() {
                Some(dims) => {
                    let dims: Vec<String> = dims
                        .iter()
                        .map(|d| d.as_str().unwrap().to_owned())
                        .collect();
                    one(da.reduce(how, dims, skipna))
                }
                None => one(da.reduce(how, .., skipna)),
            }
        }
        "cumsum" => one(da.cumsum(dim)),
        "unary" => one(match args.as_str().unwrap() {
            "abs" => da.abs(),
            "sqrt" => da.sqrt(),
            "exp" => da.exp(),
            "log" => da.log(),
            "sin" => da.sin(),
            "cos" => da.cos(),
            "radians" => da.radians(),
            "neg" => Ok(-da),
            other => panic!("unknown function {other}"),
        }),
        "where" => {
            let cond = match args["gt"].as_i64() {
                Some(i) => da.gt(i as i32)?,
                None => da.gt(args["gt"].as_f64().unwrap())?,
            };
            match args["other"].as_i64() {
                Some(other) => one(da.where_or(&cond, other as i32)),
                None => one(da.where_(&cond)),
            }
        }
        "fillna" => one(da.fillna(args.as_f64().unwrap())),
        "dropna" => {
            let how = if args["how"] == "any" {
                How::Any
            } else {
                How::All
            };
            one(da.dropna(dim, how))
        }
        "clip" => one(da.clip(args[0].as_f64(), args[1].as_f64())),
        "isnull" => Ok(vec![da.isnull()]),
        "groupby" | "groupby_bins" | "resample" | "coarsen" => one(grouped(da, kind, args)),
        "rolling" => {
            let mut rolling = da.rolling(dim, args["window"].as_u64().unwrap() as usize)?;
            rolling = rolling.center(args["center"].as_bool().unwrap());
            if let Some(min_periods) = args["min_periods"].as_u64() {
                rolling = rolling.min_periods(min_periods as usize);
            }
            one(rolling.reduce(reduction(args["how"].as_str().unwrap(), args)))
        }
        "dt" => one(da.coord("time")?.dt()?.component(args.as_str().unwrap())),
        "expand_dims" | "squeeze" | "rename" | "swap_dims" | "drop_vars" | "shift" | "roll"
        | "diff" | "interp" | "concat" => one(reshape(da, kind, args)),
        other => panic!("unknown operation {other}"),
    }
}

#[test]
fn labeled_arrays_match_xarray() {
    let reference = reference();
    let mut failures = Vec::new();
    let mut errors = 0;
    for case in &reference.cases {
        let name = case["name"].as_str().unwrap();
        let outcome = std::panic::catch_unwind(|| {
            let result = apply(
                &reference.inputs,
                case["target"].as_str().unwrap(),
                &case["op"],
            );
            if let Some(raised) = case.get("error") {
                let message = match result {
                    Ok(_) => panic!("{name}: xarray raised {raised}, rangeo did not"),
                    Err(e) => e.to_string(),
                };
                let dim = case["op"].as_object().unwrap().values().next().unwrap()["dim"].as_str();
                if let Some(dim) = dim {
                    assert!(
                        message.contains(dim),
                        "{name}: the error should name `{dim}`: {message}"
                    );
                }
                return 1;
            }
            let got = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            let expected = match &case["expected"] {
                Value::Array(many) => many.clone(),
                one => vec![one.clone()],
            };
            assert_eq!(got.len(), expected.len(), "{name}: count");
            for (g, e) in got.iter().zip(&expected) {
                assert_matches(name, g, &data_array(e));
            }
            0
        });
        match outcome {
            Ok(e) => errors += e,
            Err(panic) => failures.push(
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default(),
            ),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from xarray:\n\n{}",
        failures.len(),
        reference.cases.len(),
        failures.join("\n\n")
    );
    assert!(
        reference.cases.len() >= 100 && errors >= 8,
        "{} cases, {errors} error cases",
        reference.cases.len()
    );
}

fn dataset(json: &Value) -> Dataset {
    let mut ds = Dataset::new();
    for (name, array) in json["data_vars"].as_object().unwrap() {
        ds = ds.assign(name.clone(), data_array(array)).unwrap();
    }
    for (name, coord) in json["coords"].as_object().unwrap() {
        if !ds.coords().contains(name) {
            ds = ds.assign_coords(name.clone(), variable(coord)).unwrap();
        }
    }
    ds.assign_attrs(json["attrs"].as_object().unwrap().clone())
}

/// A dataset case's operation, done with rangeo.
fn apply_dataset(inputs: &BTreeMap<String, Dataset>, op: &Value) -> Result<Dataset, rangeo::Error> {
    let (kind, args) = op.as_object().unwrap().iter().next().unwrap();
    let a = &inputs["a"];
    let names = || -> Vec<&str> {
        args.as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect()
    };
    match kind.as_str() {
        "merge" => merge(&names().iter().map(|n| &inputs[*n]).collect::<Vec<_>>()),
        "concat" if args == "x" => Dataset::concat(&[&a.isel("x", 0..2)?, &a.isel("x", 2..)?], "x"),
        "concat" => Dataset::concat(&[a, &(a * 2)], args.as_str().unwrap()),
        "set_coords" => a.set_coords(&names()),
        "reset_coords" => a.reset_coords(&names()),
        "drop_vars" => a.drop_vars(&names()),
        "rename" => a.rename(pairs(args).iter().map(|(o, n)| (o.as_str(), n.as_str()))),
        "binary" => {
            let op = match args["op"].as_str().unwrap() {
                "+" => BinaryOp::Add,
                "-" => BinaryOp::Sub,
                _ => BinaryOp::Mul,
            };
            match (&args["other"], args["array"].as_str()) {
                (Value::String(other), None) => a.binary(op, &inputs[other]),
                (Value::String(other), Some(array)) => a.binary(op, &inputs[other].get(array)?),
                (scalar, _) => a.binary(op, scalar.as_f64().unwrap()),
            }
        }
        "mean" => a.mean(args.as_str().unwrap()),
        "groupby" | "resample" => {
            let weather = &inputs["weather"];
            let grouped = if kind == "groupby" {
                weather.groupby(args["key"].as_str().unwrap())?
            } else {
                weather.resample("time", args["freq"].as_str().unwrap())?
            };
            match args["how"].as_str().unwrap() {
                "mean" => grouped.mean(),
                _ => grouped.max(),
            }
        }
        other => panic!("no dataset operation {other}"),
    }
}

#[test]
fn datasets_match_xarray() {
    let reference = reference();
    let document = &reference.document;
    let inputs: BTreeMap<String, Dataset> = document["dataset_inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, json)| (name.clone(), dataset(json)))
        .collect();
    let cases = document["dataset_cases"].as_array().unwrap();
    assert!(cases.len() >= 15, "{} dataset cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let result = apply_dataset(&inputs, &case["op"]);
        if let Some(raised) = case.get("error") {
            assert!(
                result.is_err(),
                "{name}: xarray raised {raised}, rangeo did not"
            );
            continue;
        }
        let got = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = dataset(&case["expected"]);
        assert_eq!(
            got.data_vars().collect::<Vec<_>>(),
            expected.data_vars().collect::<Vec<_>>(),
            "{name}: data variables"
        );
        for var in expected.data_vars() {
            assert_matches(
                &format!("{name}, `{var}`"),
                &got.get(var).unwrap(),
                &expected.get(var).unwrap(),
            );
        }
        let mut got_coords: Vec<&str> = got.coords().names().collect();
        let mut want_coords: Vec<&str> = expected.coords().names().collect();
        got_coords.sort_unstable();
        want_coords.sort_unstable();
        assert_eq!(got_coords, want_coords, "{name}: coordinates");
        assert_eq!(got.attrs(), expected.attrs(), "{name}: attributes");
    }
}

#[test]
fn cf_times_decode_as_xarray_decodes_them() {
    let reference = reference();
    let cases = reference.document["decoded"].as_array().unwrap();
    assert!(cases.len() >= 27, "{} decoding cases", cases.len());
    for case in cases {
        let (units, calendar) = (
            case["units"].as_str().unwrap(),
            case["calendar"].as_str().unwrap(),
        );
        let what = format!("{units:?} on {calendar}");
        let got = decode_cf_times(&values(&case["counts"]), units, calendar)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let expected = values(&case["expected"]);
        // xarray decodes a missing count on the cftime path to the origin date; rangeo
        // gives NaT there, as it does on the datetime64 path (and as xarray does).
        let missing: Vec<bool> = case["counts"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(Value::is_null)
            .collect();
        if let (Values::CfDateTime(g), Values::CfDateTime(e)) = (&got, &expected) {
            for ((g, e), missing) in g.iter().zip(e).zip(&missing) {
                if *missing {
                    assert!(g.is_nat(), "{what}: a missing count gives NaT");
                } else {
                    assert_eq!(g, e, "{what}: {g} against {e}");
                }
            }
        } else {
            assert_values(&what, &got, &expected);
        }
    }
}

#[test]
fn text_reprs_match_xarrays() {
    let reference = reference();
    let document = &reference.document;
    let mut differences = Vec::new();
    for (name, expected) in document["reprs"].as_object().unwrap() {
        let got = if name == "grid dataset" {
            reference.inputs["grid"].to_dataset().to_string()
        } else {
            data_array(&document["repr_inputs"][name]).to_string()
        };
        if got != expected.as_str().unwrap() {
            differences.push(format!(
                "{name}:\n{got}\n--- xarray:\n{}",
                expected.as_str().unwrap()
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
}
