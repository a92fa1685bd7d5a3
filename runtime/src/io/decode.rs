//! The CF conventions applied to stored values as they are read (xarray's `decode_cf`):
//! `_Unsigned` integers reinterpreted, `_FillValue` and `missing_value` markers turned
//! into NaN, packed integers unpacked with `scale_factor` and `add_offset`, and times
//! counted in "<unit> since <date>" turned into dates. The attributes decoded move from
//! a variable's attributes to its encoding, so that writing it back can reproduce them.

use base64::Engine;
use serde_json::Value;

use crate::Error;
use crate::array::{
    Attrs, DType, DataArray, Dataset, Numeric, Values, Variable, decode_cf_times, with_numeric,
};

/// Which CF decodings apply when a store is opened (xarray's `decode_cf`,
/// `mask_and_scale` and `decode_times`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decode {
    pub(crate) mask_and_scale: bool,
    pub(crate) times: bool,
}

/// How the stored values of one variable become the values it shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Decoding {
    /// Integers read with the other signedness (`_Unsigned`).
    flip_sign: bool,
    /// Stored values (after `_Unsigned`) that mean "missing".
    missing: Vec<f64>,
    scale: Option<f64>,
    offset: Option<f64>,
    /// The float type of masked or unpacked values.
    float: Option<DType>,
    /// CF time units and calendar.
    time: Option<(String, String)>,
}

/// Attributes whose meaning decoding consumes.
const MASK_AND_SCALE: [&str; 5] = [
    "_Unsigned",
    "_FillValue",
    "missing_value",
    "scale_factor",
    "add_offset",
];

impl Decoding {
    /// The decoding that CF `attrs` ask for on values stored as `stored`, with what it
    /// consumes moved from `attrs` to `encoding`. Errors name the attribute.
    pub(crate) fn new(
        stored: DType,
        attrs: &mut Attrs,
        encoding: &mut Attrs,
        decode: Decode,
    ) -> Result<Self, String> {
        let mut decoding = Self::default();
        // Text and times have no numbers to mask or unpack.
        let real = stored.is_integer() || stored.is_float() || stored == DType::Bool;
        if decode.mask_and_scale && real {
            for name in MASK_AND_SCALE {
                if let Some(value) = attrs.shift_remove(name) {
                    encoding.insert(name.to_owned(), value);
                }
            }
            decoding.mask_and_scale(stored, encoding)?;
            // Kept as a number (NaN as "NaN"), not as the base64 that Zarr v3 stores.
            if let Some(fill) = encoding.get_mut("_FillValue")
                && fill.is_string()
                && let Some(number) = marker(fill, stored)
            {
                *fill = super::encode::json_number(number, stored);
            }
        }
        let is_time = attrs
            .get("units")
            .and_then(Value::as_str)
            .is_some_and(|u| u.contains(" since "));
        if decode.times && is_time && real && stored != DType::Bool {
            let units = attrs.shift_remove("units").expect("checked");
            let calendar = attrs.shift_remove("calendar");
            decoding.time = Some((
                units.as_str().expect("checked").to_owned(),
                calendar
                    .as_ref()
                    .and_then(Value::as_str)
                    .unwrap_or("standard")
                    .to_owned(),
            ));
            encoding.insert("units".to_owned(), units);
            if let Some(calendar) = calendar {
                encoding.insert("calendar".to_owned(), calendar);
            }
        }
        Ok(decoding)
    }

    /// Reads `_Unsigned`, the missing-value markers and the packing from `encoding`.
    fn mask_and_scale(&mut self, stored: DType, encoding: &Attrs) -> Result<(), String> {
        let mut dtype = stored;
        if let Some(flag) = encoding.get("_Unsigned") {
            let unsigned = is_true(flag);
            let flipped = stored.other_sign();
            if stored.is_integer() && stored.is_signed() != unsigned {
                self.flip_sign = true;
                dtype = flipped;
            }
        }
        for name in ["_FillValue", "missing_value"] {
            let Some(value) = encoding.get(name) else {
                continue;
            };
            let values = match value {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            for value in values {
                let number = marker(value, dtype)
                    .ok_or_else(|| format!("cannot read {name} {value} as a {dtype} value"))?;
                // NaN among floats is missing already: masking it would change
                // nothing and cost a pass over every chunk read.
                if !(number.is_nan() && dtype.is_float()) {
                    self.missing.push(number);
                }
            }
        }
        let packing = |name: &str| -> Result<Option<f64>, String> {
            encoding.get(name).map_or(Ok(None), |value| {
                let one = match value {
                    Value::Array(items) if items.len() == 1 => &items[0],
                    other => other,
                };
                one.as_f64()
                    .map(Some)
                    .ok_or_else(|| format!("cannot read {name} {value} as a number"))
            })
        };
        self.scale = packing("scale_factor")?;
        self.offset = packing("add_offset")?;
        // xarray's choice of float type: attributes read from JSON are float64, and
        // packed values unpack to float64; masked small integers become float32.
        self.float = if self.scale.is_some() || self.offset.is_some() {
            Some(DType::Float64)
        } else if self.missing.is_empty() {
            None
        } else if dtype.is_float() {
            Some(dtype)
        } else if dtype.item_size().is_some_and(|size| size <= 2) {
            Some(DType::Float32)
        } else {
            Some(DType::Float64)
        };
        Ok(())
    }

    /// Unpacks to float32 rather than float64, as xarray does for bytes and shorts
    /// whose `scale_factor` / `add_offset` are float32 (netCDF attributes have types).
    pub(crate) fn unpack_to_float32(&mut self) {
        if self.scale.is_some() || self.offset.is_some() {
            self.float = Some(DType::Float32);
        }
    }

    /// Whether reading needs no decoding.
    pub(crate) fn is_identity(&self) -> bool {
        *self == Self::default()
    }

    /// The decoded values of `raw`.
    pub(crate) fn apply(&self, raw: Values) -> Result<Values, Error> {
        let mut values = if self.flip_sign {
            raw.reinterpret_sign()
        } else {
            raw
        };
        if let Some(float) = self.float {
            values = self.unpack(&values, float)?;
        }
        if let Some((units, calendar)) = &self.time {
            values = decode_cf_times(&values, units, calendar)?;
        }
        Ok(values)
    }

    /// Missing markers to NaN, then `value * scale + offset`, in `float`: one pass from
    /// the stored numbers to the floats.
    fn unpack(&self, values: &Values, float: DType) -> Result<Values, Error> {
        // Markers match exactly, as numpy's `==` does.
        #[allow(clippy::float_cmp)]
        let missing = |x: f64| {
            self.missing
                .iter()
                .any(|&m| m == x || (m.is_nan() && x.is_nan()))
        };
        let (scale, offset) = (self.scale, self.offset);
        let unpacked = match float {
            DType::Float32 => {
                // Packed in float32 arithmetic, as numpy unpacks with float32 attributes.
                let (scale, offset) = (scale.map(|s| s as f32), offset.map(|o| o as f32));
                with_numeric!(values, a => Values::Float32(a.mapv(|x| {
                    let x = x.to_f64();
                    if missing(x) {
                        return f32::NAN;
                    }
                    let mut y = x as f32;
                    if let Some(s) = scale {
                        y *= s;
                    }
                    if let Some(o) = offset {
                        y += o;
                    }
                    y
                })), _ => return Err(not_numbers(values)))
            }
            // Only masked (packing unpacks to a wider float): NaN for the markers.
            DType::Float16 => Values::Float16(values.array::<half::f16>()?.mapv(|x| {
                if missing(f64::from(x)) {
                    half::f16::NAN
                } else {
                    x
                }
            })),
            _ => with_numeric!(values, a => Values::Float64(a.mapv(|x| {
                let x = x.to_f64();
                if missing(x) {
                    return f64::NAN;
                }
                x * scale.unwrap_or(1.0) + offset.unwrap_or(0.0)
            })), _ => return Err(not_numbers(values))),
        };
        Ok(unpacked)
    }
}

/// The error for values that CF masking and packing do not apply to.
fn not_numbers(values: &Values) -> Error {
    Error::Operation(format!("cannot mask or unpack {} values", values.dtype()))
}

/// A dataset of decoded `variables` and `attrs`, as xarray assembles one: variables
/// named by their only dimension, and those a `coordinates` attribute lists (a
/// variable's or the dataset's), are coordinates, the rest data variables. Index
/// coordinates are read into memory, as xarray's indexes are; the `coordinates`
/// attributes move to the encoding.
pub(crate) fn assemble(
    mut variables: Vec<(String, Variable)>,
    mut attrs: Attrs,
) -> Result<Dataset, Error> {
    let mut coordinate_names: Vec<String> = Vec::new();
    if let Some(Value::String(names)) = attrs.shift_remove("coordinates") {
        coordinate_names.extend(names.split_whitespace().map(str::to_owned));
    }
    for (_, variable) in &mut variables {
        if let Some(Value::String(names)) = variable.attrs_mut().shift_remove("coordinates") {
            coordinate_names.extend(names.split_whitespace().map(str::to_owned));
            variable
                .encoding_mut()
                .insert("coordinates".to_owned(), Value::String(names));
        }
    }
    let is_coord = |name: &str, variable: &Variable| {
        variable.dims() == [name] || coordinate_names.iter().any(|c| c == name)
    };
    let mut dataset = Dataset::new();
    for (name, variable) in variables.iter().filter(|(n, v)| !is_coord(n, v)) {
        dataset = dataset.assign(name.clone(), DataArray::from_variable(variable.clone()))?;
    }
    for (name, variable) in variables.into_iter().filter(|(n, v)| is_coord(n, v)) {
        let variable = if variable.dims() == [name.as_str()] {
            variable.compute()?
        } else {
            variable
        };
        dataset = dataset.assign_coords(name, variable)?;
    }
    Ok(dataset.assign_attrs(attrs))
}

/// Whether a flag attribute (`_Unsigned`) says yes: `true` or `"true"` in any case.
pub(crate) fn is_true(flag: &Value) -> bool {
    matches!(flag, Value::Bool(true))
        || flag
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

/// A missing-value marker as a number: JSON numbers, the strings zarr uses for
/// special floats ("NaN", "Infinity", "-Infinity"), and the base64 bytes that xarray
/// writes for float fill values in Zarr v3 attributes.
pub(crate) fn marker(value: &Value, dtype: DType) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" | "nan" => Some(f64::NAN),
            "Infinity" | "inf" => Some(f64::INFINITY),
            "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
            encoded => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .ok()?;
                match (dtype, bytes.len()) {
                    (DType::Float32, 4) => {
                        Some(f64::from(f32::from_le_bytes(bytes.try_into().ok()?)))
                    }
                    (_, 8) => Some(f64::from_le_bytes(bytes.try_into().ok()?)),
                    _ => None,
                }
            }
        },
        _ => None,
    }
}

/// An element of numpy's fixed-width bytes (`|S`, netCDF's `char` arrays) without the
/// NUL bytes that pad it, as numpy reads it.
pub(crate) fn trim_nul(element: &[u8]) -> &[u8] {
    let end = element.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &element[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_lose_their_padding_only() {
        assert_eq!(trim_nul(b"ab\0\0"), b"ab");
        assert_eq!(trim_nul(b"a\0b\0"), b"a\0b");
        assert_eq!(trim_nul(b"\0\0"), b"");
    }
}
