//! netCDF files (netCDF-3 classic and 64-bit, netCDF-4/HDF5) opened as lazy datasets,
//! with the CF conventions decoded as for Zarr (xarray's `open_dataset`).
//!
//! Read with Unidata's netCDF-C through the `netcdf` crate (Debian's `libnetcdf-dev`,
//! which the setup installs): the library xarray's default `netcdf4` engine reads with,
//! so every format, filter and quirk it handles is handled the same way here. A
//! pure-Rust reader would drop the system library but would have to re-implement
//! HDF5's B-trees and filters to the same standard; netCDF-C is the reference.
//!
//! netCDF-C is not thread-safe, and the crate serialises every call behind one lock:
//! chunks of one file are read one at a time, each a hyperslab of the variable's own
//! HDF5 chunking.
//!
//! Text comes as xarray reads it: `char` arrays lose their last dimension, each row of
//! characters one byte string (`|S`), decoded to text when `_Encoding` names UTF-8;
//! netCDF-4 strings are text.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use ndarray::ArrayD;
use netcdf::types::{FloatType, IntType, NcVariableType};
use netcdf::{AttributeValue, NcTypeDescriptor};
use serde_json::Value;

use super::decode::{Decode, Decoding, assemble};
use crate::Error;
use crate::array::{Attrs, DType, Data, Dataset, Element, Values, Variable};
use crate::compute::{ChunkSource, Chunks, Lazy};

/// The most a chunk of a variable that netCDF does not chunk itself (netCDF-3, and
/// contiguous netCDF-4) holds, cut along its first dimensions.
const CHUNK_BYTES: usize = 32 << 20;

/// Whether the file at `path` is netCDF: the classic magic (`CDF\x01`, `\x02`, `\x05`)
/// or HDF5's.
pub(crate) fn is_netcdf(path: &Path) -> bool {
    let mut magic = [0_u8; 8];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if file.read_exact(&mut magic).is_err() {
        return false;
    }
    magic.starts_with(b"CDF") || magic == *b"\x89HDF\r\n\x1a\n"
}

/// Opens the netCDF file at `path` as a lazy dataset, decoding as `decode` says.
pub(crate) fn open(path: &str, decode: Decode) -> Result<Dataset, Error> {
    let file = netcdf::open(path).map_err(|e| {
        let why = if Path::new(path).exists() {
            e.to_string()
        } else {
            "no such file".to_owned()
        };
        Error::Storage(format!("cannot open the netCDF file {path}: {why}"))
    })?;
    let file = Arc::new(file);
    let mut variables = Vec::new();
    for var in file.variables() {
        let name = var.name();
        let variable = variable(path, &file, &var, decode)?;
        variables.push((name, variable));
    }
    let attrs: Attrs = file
        .attributes()
        .map(|a| Ok((a.name().to_owned(), json(a.value()?))))
        .collect::<Result<_, netcdf::Error>>()
        .map_err(|e| Error::Storage(format!("cannot read the attributes of {path}: {e}")))?;
    assemble(variables, attrs)
}

/// A lazy variable reading `var`, decoded.
fn variable(
    path: &str,
    file: &Arc<netcdf::File>,
    var: &netcdf::Variable<'_>,
    decode: Decode,
) -> Result<Variable, Error> {
    let name = var.name();
    let bad = |what: String| Error::Storage(format!("cannot read `{name}` in {path}: {what}"));
    let mut dims: Vec<String> = var
        .dimensions()
        .iter()
        .map(netcdf::Dimension::name)
        .collect();
    let mut shape: Vec<usize> = var
        .dimensions()
        .iter()
        .map(netcdf::Dimension::len)
        .collect();
    let (stored, mut text) = match var.vartype() {
        NcVariableType::Char => {
            // The last dimension holds the characters of each element.
            dims.pop();
            let width = shape.pop().unwrap_or(1);
            (DType::Bytes, Text::Chars { width, utf8: false })
        }
        NcVariableType::String => (DType::Str, Text::Strings),
        other => (
            dtype_of(&other).ok_or_else(|| {
                bad(format!(
                    "its type {other:?} is not one rangeo holds yet (numbers and text only)"
                ))
            })?,
            Text::None,
        ),
    };
    let mut attrs = Attrs::new();
    let mut float32_packing = true;
    for attribute in var.attributes() {
        let value = attribute.value().map_err(|e| bad(e.to_string()))?;
        if matches!(attribute.name(), "scale_factor" | "add_offset") {
            float32_packing &=
                matches!(value, AttributeValue::Float(_) | AttributeValue::Floats(_));
        }
        attrs.insert(attribute.name().to_owned(), json(value));
    }
    let mut encoding = Attrs::new();
    let numpy = match text {
        Text::Chars { .. } => "|S1",
        _ => stored.name(),
    };
    encoding.insert("dtype".to_owned(), Value::from(numpy));
    encoding.insert("source".to_owned(), Value::from(path));
    let chunking = var.chunking().map_err(|e| bad(e.to_string()))?;
    if let Some(sizes) = &chunking {
        encoding.insert("chunksizes".to_owned(), Value::from(sizes.clone()));
    }
    let decoding = if text == Text::None {
        let mut decoding = Decoding::new(stored, &mut attrs, &mut encoding, decode).map_err(bad)?;
        // xarray unpacks bytes and shorts with float32 factors to float32.
        if float32_packing && stored.item_size().is_some_and(|s| s <= 2) {
            decoding.unpack_to_float32();
        }
        decoding
    } else {
        Decoding::default()
    };
    if let Text::Chars { utf8, .. } = &mut text
        && let Some(named) = attrs.shift_remove("_Encoding")
    {
        if !named
            .as_str()
            .is_some_and(|e| e.eq_ignore_ascii_case("utf-8"))
        {
            return Err(bad(format!("its text encoding {named} is not UTF-8")));
        }
        *utf8 = true;
        encoding.insert("_Encoding".to_owned(), named);
    }
    let item = match text {
        Text::Chars { width, .. } => width,
        _ => stored.item_size().unwrap_or(8),
    };
    let mut chunk_shape = chunking.unwrap_or_else(|| cut(&shape, item));
    chunk_shape.truncate(shape.len());
    let chunks = Chunks::regular(&shape, &chunk_shape);
    let shown = match text {
        Text::Chars { utf8: true, .. } => DType::Str,
        _ => stored,
    };
    let meta = decoding.apply(super::zarr::zero(shown, shape.len()))?;
    let source = NetcdfSource {
        name: name.clone(),
        path: path.to_owned(),
        file: Arc::clone(file),
        shape: shape.clone(),
        chunks,
        stored,
        text,
        decoding,
        meta,
    };
    let lazy = Lazy::from_source(Arc::new(source));
    let mut variable = Variable::new(dims, Data::Lazy(lazy))?.with_attrs(attrs);
    *variable.encoding_mut() = encoding;
    Ok(variable)
}

/// Chunks for a variable netCDF does not chunk: whole, or cut along its first
/// dimensions to at most `CHUNK_BYTES`.
fn cut(shape: &[usize], item: usize) -> Vec<usize> {
    let mut chunk: Vec<usize> = shape.iter().map(|&n| n.max(1)).collect();
    for axis in 0..chunk.len() {
        let rest: usize = chunk[axis + 1..].iter().product::<usize>() * item;
        if chunk[axis] * rest <= CHUNK_BYTES {
            break;
        }
        chunk[axis] = (CHUNK_BYTES / rest).max(1);
    }
    chunk
}

/// rangeo's dtype for a netCDF type (numbers only).
fn dtype_of(vartype: &NcVariableType) -> Option<DType> {
    Some(match vartype {
        NcVariableType::Int(IntType::I8) => DType::Int8,
        NcVariableType::Int(IntType::I16) => DType::Int16,
        NcVariableType::Int(IntType::I32) => DType::Int32,
        NcVariableType::Int(IntType::I64) => DType::Int64,
        NcVariableType::Int(IntType::U8) => DType::UInt8,
        NcVariableType::Int(IntType::U16) => DType::UInt16,
        NcVariableType::Int(IntType::U32) => DType::UInt32,
        NcVariableType::Int(IntType::U64) => DType::UInt64,
        NcVariableType::Float(FloatType::F32) => DType::Float32,
        NcVariableType::Float(FloatType::F64) => DType::Float64,
        _ => return None,
    })
}

/// A netCDF attribute as JSON: numbers (special floats as zarr's strings), text, and
/// lists of them.
fn json(value: AttributeValue) -> Value {
    fn float(x: f64) -> Value {
        if x.is_finite() {
            Value::from(x)
        } else {
            super::encode::json_number(x, DType::Float64)
        }
    }
    match value {
        AttributeValue::Uchar(x) => Value::from(x),
        AttributeValue::Schar(x) => Value::from(x),
        AttributeValue::Ushort(x) => Value::from(x),
        AttributeValue::Short(x) => Value::from(x),
        AttributeValue::Uint(x) => Value::from(x),
        AttributeValue::Int(x) => Value::from(x),
        AttributeValue::Ulonglong(x) => Value::from(x),
        AttributeValue::Longlong(x) => Value::from(x),
        AttributeValue::Float(x) => float(f64::from(x)),
        AttributeValue::Double(x) => float(x),
        AttributeValue::Str(x) => Value::from(x),
        AttributeValue::Uchars(x) => Value::from(x),
        AttributeValue::Schars(x) => Value::from(x),
        AttributeValue::Ushorts(x) => Value::from(x),
        AttributeValue::Shorts(x) => Value::from(x),
        AttributeValue::Uints(x) => Value::from(x),
        AttributeValue::Ints(x) => Value::from(x),
        AttributeValue::Ulonglongs(x) => Value::from(x),
        AttributeValue::Longlongs(x) => Value::from(x),
        AttributeValue::Floats(x) => x.into_iter().map(|x| float(f64::from(x))).collect(),
        AttributeValue::Doubles(x) => x.into_iter().map(float).collect(),
        AttributeValue::Strs(x) => Value::from(x),
    }
}

/// How a variable holds text, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    None,
    /// `char` arrays whose last dimension, `width` long, holds each element's bytes (as
    /// netCDF-3 and xarray store text); decoded from UTF-8 when `_Encoding` says so.
    Chars {
        width: usize,
        utf8: bool,
    },
    /// netCDF-4 variable-length strings.
    Strings,
}

/// A netCDF variable served chunk by chunk to the lazy engine, decoded as it is read.
struct NetcdfSource {
    name: String,
    path: String,
    file: Arc<netcdf::File>,
    shape: Vec<usize>,
    chunks: Chunks,
    stored: DType,
    text: Text,
    decoding: Decoding,
    meta: Values,
}

impl std::fmt::Debug for NetcdfSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "netCDF variable `{}` in {}", self.name, self.path)
    }
}

impl NetcdfSource {
    fn var(&self) -> Result<netcdf::Variable<'_>, String> {
        self.file
            .variable(&self.name)
            .ok_or_else(|| "the variable is gone from the file".to_owned())
    }

    /// The byte strings at `region` of a `char` variable, `width` characters each.
    fn chars(&self, region: &[std::ops::Range<usize>], width: usize) -> Result<Values, String> {
        let var = self.var()?;
        let mut extents = region.to_vec();
        if var.dimensions().len() > region.len() {
            extents.push(0..width);
        }
        let bytes = var
            .get_raw_values(extents.as_slice())
            .map_err(|e| e.to_string())?;
        let elements = bytes
            .chunks_exact(width.max(1))
            .map(|b| super::decode::trim_nul(b).to_vec())
            .collect();
        let shape: Vec<usize> = region.iter().map(ExactSizeIterator::len).collect();
        let array = ArrayD::from_shape_vec(shape, elements).map_err(|e| e.to_string())?;
        Ok(Values::from_array(array))
    }

    /// The strings at `region` of a netCDF-4 string variable, read one by one.
    fn strings(&self, region: &[std::ops::Range<usize>]) -> Result<Values, String> {
        let var = self.var()?;
        let shape: Vec<usize> = region.iter().map(ExactSizeIterator::len).collect();
        let mut text = Vec::with_capacity(shape.iter().product());
        for at in ndarray::indices(shape.as_slice()) {
            let at: Vec<usize> = (0..region.len()).map(|d| region[d].start + at[d]).collect();
            text.push(var.get_string(at.as_slice()).map_err(|e| e.to_string())?);
        }
        let array = ArrayD::from_shape_vec(shape, text).map_err(|e| e.to_string())?;
        Ok(Values::from_array(array))
    }

    /// The stored values at `region`.
    fn hyperslab<T: NcTypeDescriptor + Copy + Element>(
        &self,
        region: &[std::ops::Range<usize>],
    ) -> Result<Values, String> {
        let var = self.var()?;
        let values: ArrayD<T> = if region.is_empty() {
            var.get(..)
        } else {
            var.get(region)
        }
        .map_err(|e| e.to_string())?;
        Ok(Values::from_array(values))
    }
}

impl ChunkSource for NetcdfSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn shape(&self) -> &[usize] {
        &self.shape
    }

    fn chunks(&self) -> &Chunks {
        &self.chunks
    }

    fn meta(&self) -> Values {
        self.meta.clone()
    }

    fn read(&self, index: &[usize]) -> Result<Values, Error> {
        let region = self.chunks.region(index);
        let raw = match (self.text, self.stored) {
            (Text::Chars { width, utf8 }, _) => self.chars(&region, width).and_then(|bytes| {
                if utf8 {
                    bytes.cast(DType::Str).map_err(|e| e.to_string())
                } else {
                    Ok(bytes)
                }
            }),
            (Text::Strings, _) => self.strings(&region),
            (Text::None, stored) => self.numbers(stored, &region),
        }
        .map_err(|e| {
            Error::Storage(format!(
                "cannot read {region:?} of `{}` in {}: {e}",
                self.name, self.path
            ))
        })?;
        if self.decoding.is_identity() {
            return Ok(raw);
        }
        self.decoding.apply(raw)
    }
}

impl NetcdfSource {
    /// The numbers at `region` of a variable of numbers stored as `stored`.
    fn numbers(&self, stored: DType, region: &[std::ops::Range<usize>]) -> Result<Values, String> {
        match stored {
            DType::Int8 => self.hyperslab::<i8>(region),
            DType::Int16 => self.hyperslab::<i16>(region),
            DType::Int32 => self.hyperslab::<i32>(region),
            DType::Int64 => self.hyperslab::<i64>(region),
            DType::UInt8 => self.hyperslab::<u8>(region),
            DType::UInt16 => self.hyperslab::<u16>(region),
            DType::UInt32 => self.hyperslab::<u32>(region),
            DType::UInt64 => self.hyperslab::<u64>(region),
            DType::Float32 => self.hyperslab::<f32>(region),
            DType::Float64 => self.hyperslab::<f64>(region),
            other => unreachable!("{other} is not read from netCDF as numbers"),
        }
    }
}
