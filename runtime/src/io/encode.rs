//! The CF conventions applied to values as they are written (xarray's
//! `encode_cf_variable`), the inverse of [`super::decode`]: times counted in
//! "<unit> since <date>", floats packed with `scale_factor` and `add_offset`, NaN
//! written as `_FillValue`, and unsigned integers stored signed with `_Unsigned`. What
//! a variable's `encoding` says wins (so a store read and written back keeps its
//! on-disk form); what it leaves out is chosen as xarray chooses it.

use std::borrow::Cow;

use serde_json::Value;

use crate::Error;
use crate::array::{Attrs, DType, Values, Variable, encode_cf_times, infer_cf_time_units};

/// How the values of one variable become the values stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Encoding {
    /// The stored dtype.
    pub(crate) stored: DType,
    /// CF time units and calendar.
    time: Option<(String, String)>,
    scale: Option<f64>,
    offset: Option<f64>,
    /// The stored value that NaN (and NaT) become.
    pub(crate) fill: Option<f64>,
    /// Unsigned values stored in the signed type of the same width (`_Unsigned`).
    unsigned: bool,
}

/// A variable's encoding, and the attributes to store with it (its own and the CF
/// attributes the encoding needs, `_FillValue` among them).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Encoded {
    pub(crate) encoding: Encoding,
    pub(crate) attrs: Attrs,
}

/// The CF attributes that encoding writes and decoding reads.
const CF_ATTRIBUTES: [&str; 7] = [
    "_FillValue",
    "missing_value",
    "scale_factor",
    "add_offset",
    "_Unsigned",
    "units",
    "calendar",
];

impl Encoded {
    /// How `variable` (called `name` in messages) is written: its `encoding` first,
    /// xarray's defaults for the rest.
    pub(crate) fn new(name: &str, variable: &Variable) -> Result<Self, Error> {
        let settings = settings(name, variable)?;
        let time = time_units(name, variable, &settings)?;
        let scale = number(name, &settings, "scale_factor")?;
        let offset = number(name, &settings, "add_offset")?;
        let stored = stored_dtype(name, variable, &settings, time.as_ref(), scale.or(offset))?;
        let unsigned = settings
            .get("_Unsigned")
            .is_some_and(super::decode::is_true)
            && stored.is_signed();
        let fill =
            match settings.get("_FillValue") {
                Some(Value::Null) => None,
                Some(value) => Some(super::decode::marker(value, stored).ok_or_else(|| {
                    bad(name, format!("cannot read _FillValue {value} as a number"))
                })?),
                // xarray marks missing floats with NaN (and NaT in float times).
                None if stored.is_float() => Some(f64::NAN),
                None => None,
            };
        let mut attrs = variable.attrs().clone();
        attrs.retain(|key, _| !settings.contains_key(key));
        for key in ["missing_value", "scale_factor", "add_offset", "_Unsigned"] {
            if let Some(value) = settings.get(key).filter(|v| !v.is_null()) {
                attrs.insert(key.to_owned(), value.clone());
            }
        }
        if let Some((units, calendar)) = &time {
            attrs.insert("units".to_owned(), Value::from(units.as_str()));
            attrs.insert("calendar".to_owned(), Value::from(calendar.as_str()));
        }
        if let Some(fill) = fill {
            attrs.insert("_FillValue".to_owned(), json_number(fill, stored));
        }
        Ok(Self {
            encoding: Encoding {
                stored,
                time,
                scale,
                offset,
                fill,
                unsigned,
            },
            attrs,
        })
    }
}

/// An error encoding `name`.
fn bad(name: &str, what: impl std::fmt::Display) -> Error {
    Error::Storage(format!("cannot encode `{name}`: {what}"))
}

/// What says how `variable` is stored: its encoding, and the CF attributes it carries
/// itself (a key in both is refused, as xarray refuses it).
fn settings(name: &str, variable: &Variable) -> Result<Attrs, Error> {
    let mut settings = variable.encoding().clone();
    for key in CF_ATTRIBUTES {
        let Some(value) = variable.attrs().get(key) else {
            continue;
        };
        if settings.contains_key(key) {
            return Err(bad(
                name,
                format!("`{key}` is both an attribute and in the encoding; keep one"),
            ));
        }
        // Units of values that are not times are an attribute like any other.
        if key != "units" || variable.dtype().is_time() {
            settings.insert(key.to_owned(), value.clone());
        }
    }
    Ok(settings)
}

/// The number `settings` give for `key`, if any.
fn number(name: &str, settings: &Attrs, key: &str) -> Result<Option<f64>, Error> {
    match settings.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => super::decode::marker(value, DType::Float64)
            .map(Some)
            .ok_or_else(|| bad(name, format!("cannot read {key} {value} as a number"))),
    }
}

/// The CF units and calendar of a time variable: the settings', else xarray's choice.
fn time_units(
    name: &str,
    variable: &Variable,
    settings: &Attrs,
) -> Result<Option<(String, String)>, Error> {
    if !variable.dtype().is_time() {
        return Ok(None);
    }
    let units = settings.get("units").and_then(Value::as_str);
    let calendar = settings.get("calendar").and_then(Value::as_str);
    if let (Some(units), Some(calendar)) = (units, calendar) {
        return Ok(Some((units.to_owned(), calendar.to_owned())));
    }
    let times = variable
        .to_values()
        .map_err(|e| bad(name, format!("cannot read the times: {e}")))?;
    let (inferred_units, inferred_calendar) = infer_cf_time_units(&times)?;
    Ok(Some((
        units.map_or(inferred_units, str::to_owned),
        calendar.map_or(inferred_calendar, str::to_owned),
    )))
}

/// The stored dtype: the settings' `dtype`; for times, int64 when every time is a whole
/// number of units, float64 otherwise; float64 for packing; else the variable's own.
fn stored_dtype(
    name: &str,
    variable: &Variable,
    settings: &Attrs,
    time: Option<&(String, String)>,
    packing: Option<f64>,
) -> Result<DType, Error> {
    let dtype = variable.dtype();
    let stored = match (settings.get("dtype"), time) {
        // Text in any of numpy's forms (`<U5`, `object`) is written as text.
        (Some(Value::String(named)), _) if dtype == DType::Str && is_text(named) => DType::Str,
        // Bytes likewise (`|S5`, `object`).
        (Some(Value::String(named)), _) if dtype == DType::Bytes && is_bytes(named) => DType::Bytes,
        (Some(Value::String(named)), _) => named
            .parse::<DType>()
            .map_err(|_| bad(name, format!("unknown dtype {named:?} in its encoding")))?,
        (Some(other), _) => return Err(bad(name, format!("cannot read dtype {other} as a dtype"))),
        (None, Some((units, calendar))) => {
            let times = variable
                .to_values()
                .map_err(|e| bad(name, format!("cannot read the times: {e}")))?;
            encode_cf_times(&times, units, calendar)?.dtype()
        }
        (None, None) if packing.is_some() => DType::Float64,
        (None, None) => dtype,
    };
    let unwritable = |d: DType| d == DType::TimeDelta64;
    let strings = |d: DType| matches!(d, DType::Str | DType::Bytes);
    let text = (strings(dtype) || strings(stored)) && dtype != stored;
    if unwritable(dtype) || unwritable(stored) || stored.is_time() || text {
        return Err(bad(
            name,
            format!("rangeo cannot write {dtype} values stored as {stored} yet"),
        ));
    }
    Ok(stored)
}

/// Whether `named` is a numpy name for text: `<U5`, `>U5`, `object`, `str`.
fn is_text(named: &str) -> bool {
    matches!(named, "object" | "str" | "|O") || named.get(1..2) == Some("U")
}

/// Whether `named` is a numpy name for bytes: `|S5`, `object`, `bytes`.
fn is_bytes(named: &str) -> bool {
    matches!(named, "object" | "bytes" | "|O") || named.get(1..2) == Some("S")
}

/// `value` as JSON in the stored type: an integer for integer types, zarr's strings
/// for the special floats.
pub(crate) fn json_number(value: f64, stored: DType) -> Value {
    if value.is_nan() {
        Value::from("NaN")
    } else if value.is_infinite() {
        Value::from(if value > 0.0 { "Infinity" } else { "-Infinity" })
    } else if stored.is_integer() && value.fract() == 0.0 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        if value < 0.0 {
            Value::from(value as i64)
        } else {
            Value::from(value as u64)
        }
    } else {
        Value::from(value)
    }
}

impl Encoding {
    /// The stored values of `values`. `name` is for messages.
    pub(crate) fn apply<'a>(
        &self,
        name: &str,
        values: &'a Values,
    ) -> Result<Cow<'a, Values>, Error> {
        let mut values = match &self.time {
            Some((units, calendar)) => Cow::Owned(encode_cf_times(values, units, calendar)?),
            None => Cow::Borrowed(values),
        };
        if self.scale.is_some() || self.offset.is_some() {
            let (scale, offset) = (self.scale.unwrap_or(1.0), self.offset.unwrap_or(0.0));
            values = Cow::Owned(Values::Float64(
                values.to_f64()?.mapv(|x| (x - offset) / scale),
            ));
        }
        let target = if self.unsigned {
            self.stored.other_sign()
        } else {
            self.stored
        };
        // NaN stays NaN: only another fill value needs a pass over the values.
        if let Some(fill) = self.fill.filter(|fill| !fill.is_nan())
            && values.dtype().is_float()
        {
            values = Cow::Owned(Values::Float64(
                values.to_f64()?.mapv(|x| if x.is_nan() { fill } else { x }),
            ));
        }
        let stored = if target.is_integer() && values.dtype().is_float() {
            Cow::Owned(round_into(name, &values, target)?)
        } else if values.dtype() == target {
            values
        } else {
            Cow::Owned(values.cast(target)?)
        };
        Ok(if self.unsigned {
            Cow::Owned(stored.into_owned().reinterpret_sign())
        } else {
            stored
        })
    }
}

/// Float values rounded into the integer type `target`, refusing NaN and values out of
/// its range (a packing that no longer fits the data).
fn round_into(name: &str, values: &Values, target: DType) -> Result<Values, Error> {
    let floats = values.to_f64()?;
    let (low, high) = target.integer_range().expect("an integer type");
    if let Some(bad) = floats
        .iter()
        .find(|x| x.is_nan() || x.round() < low || x.round() > high)
    {
        let why = if bad.is_nan() {
            format!("it has NaN and no _FillValue to store it as in {target}")
        } else {
            format!(
                "{bad} is outside the range of {target} once encoded; change its encoding \
                 (dtype, scale_factor, add_offset) or drop it"
            )
        };
        return Err(Error::Storage(format!("cannot encode `{name}`: {why}")));
    }
    Values::Float64(floats.mapv(f64::round)).cast(target)
}
