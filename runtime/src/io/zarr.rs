//! Zarr groups (v2 and v3) opened as lazy datasets, and single Zarr arrays as lazy
//! arrays. Metadata, codecs and chunk keys are `zarrs`'s; this module maps them onto
//! rangeo's variables and reads chunks when the lazy engine asks for them.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use base64::Engine as _;
use base64::prelude::BASE64_STANDARD;
use ndarray::ArrayD;
use serde_json::Value;
use zarrs::array::data_type::{self as zdt, NumpyTimeUnit};
use zarrs::array::{Array, ArrayBytes, ArrayMetadata, ArrayMetadataV2, ElementOwned};
use zarrs::group::Group;
use zarrs::metadata::v2::{DataTypeMetadataV2, FillValueMetadataV2};
use zarrs::storage::{ReadableListableStorageTraits, StoreKey};

mod blosc;
mod direct;
mod fixed_bytes;
mod write;

use super::decode::{Decode, Decoding, assemble};
use direct::Direct;
use fixed_bytes::FixedBytesDataType;

use super::store::Store;
use crate::Error;
use crate::array::{
    Attrs, DType, Data, DataArray, Dataset, DateTime64, Element, TimeDelta64, Values, Variable,
};
use crate::compute::{ChunkSource, ChunkTarget, Chunks, Lazy, copy_chunk, slice};

pub use write::{WriteMode, WriteOptions};

/// A Zarr array in some store.
type ZarrArray = Array<dyn ReadableListableStorageTraits>;

/// Opens the Zarr group at `url` as a lazy dataset (see [`open_zarr`](super::open_zarr)),
/// with `storage` settings, decoding as `decode` says.
pub(super) fn open_group(
    url: &str,
    storage: &[(String, String)],
    decode: Decode,
) -> Result<Dataset, Error> {
    let store = Store::open(url, storage)?;
    let arrays = group_arrays(&store)?;
    let mut variables = Vec::with_capacity(arrays.len());
    for array in arrays {
        let name = array_name(&array);
        let variable = variable(&store, &name, array, Some(decode), true)?;
        variables.push((name, variable));
    }
    assemble(variables, group_attributes(&store)?)
}

/// Opens the single Zarr array at `url` as a lazy array of its stored values (no CF
/// decoding, as `zarr.open_array` reads it): dimensions named by the array's
/// `dimension_names` / `_ARRAY_DIMENSIONS`, or `dim_0`, `dim_1`, ... as xarray names
/// unnamed dimensions.
///
/// ```no_run
/// use rangeo::prelude::*;
/// let image = open_zarr_array("astronaut.zarr")?;
/// assert_eq!(image.shape(), [512, 512, 3]);
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn open_zarr_array(url: &str) -> Result<DataArray, Error> {
    let store = Store::open(url, &[])?;
    let array = open_array(&store, "/")
        .map_err(|e| Error::Storage(format!("cannot open the Zarr array at {url}: {e}")))?;
    let name = array_name(&array);
    let variable = variable(&store, &name, array, None, false)?;
    Ok(DataArray::from_variable(variable).with_name(name))
}

/// The arrays directly in the store's root group, from consolidated metadata when
/// there is some.
fn group_arrays(store: &Store) -> Result<Vec<ZarrArray>, Error> {
    let url = &store.url;
    if let Some(consolidated) = get_json(store, ".zmetadata")? {
        return consolidated_v2(store, &consolidated);
    }
    let group = Group::open(store.storage.clone(), "/").map_err(|e| {
        Error::Storage(format!(
            "no Zarr group at {url} (no zarr.json, .zgroup or .zmetadata could be read): {e}"
        ))
    })?;
    let paths = group
        .child_array_paths()
        .map_err(|e| Error::Storage(format!("cannot list the arrays of {url}: {e}")))?;
    let mut arrays = paths
        .iter()
        .map(|path| {
            open_array(store, path.as_str()).map_err(|e| {
                let name = path.as_str().trim_start_matches('/');
                Error::Storage(format!("cannot open the Zarr array `{name}` in {url}: {e}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    arrays.sort_by_key(array_name);
    Ok(arrays)
}

/// Opens the array at `path` (`"/"` for a store that is one array).
fn open_array(store: &Store, path: &str) -> Result<ZarrArray, String> {
    let opened = Array::open(store.storage.clone(), path);
    let Err(refused) = opened else {
        return opened.map_err(|e| e.to_string());
    };
    // Retried only with a fill value that zarrs takes where it refused one.
    let prefix = match path.trim_matches('/') {
        "" => String::new(),
        name => format!("{name}/"),
    };
    let metadata = get_json(store, &format!("{prefix}.zarray"))
        .ok()
        .flatten()
        .and_then(|json| serde_json::from_value::<ArrayMetadataV2>(json).ok());
    let Some((mut metadata, fill)) =
        metadata.and_then(|m| fill_zarrs_takes(&m).map(|fill| (m, fill)))
    else {
        return Err(refused.to_string());
    };
    metadata.fill_value = fill;
    if let Ok(Some(Value::Object(attrs))) = get_json(store, &format!("{prefix}.zattrs")) {
        metadata.attributes = attrs;
    }
    Array::new_with_metadata(store.storage.clone(), path, ArrayMetadata::V2(metadata))
        .map_err(|e| e.to_string())
}

/// A fill value for zarrs where zarr-python reads one that zarrs refuses: fixed-width
/// text (`<U4`) and bytes (`|S1`) that zarr-python 2 wrote with a number as its fill
/// value, which it reads as the number written out (numpy's `np.array(0, "<U4")` is
/// `"0"`); and text, bytes and complex numbers with none (`null`, as xarray writes
/// them), read as "", b"" and 0. `None` for other arrays.
fn fill_zarrs_takes(metadata: &ArrayMetadataV2) -> Option<FillValueMetadataV2> {
    let DataTypeMetadataV2::Simple(dtype) = &metadata.dtype else {
        return None;
    };
    let kind = dtype.get(1..2)?;
    match &metadata.fill_value {
        FillValueMetadataV2::Number(n) if kind == "U" => {
            Some(FillValueMetadataV2::String(n.to_string()))
        }
        FillValueMetadataV2::Number(n) if kind == "S" => Some(FillValueMetadataV2::String(
            BASE64_STANDARD.encode(n.to_string()),
        )),
        FillValueMetadataV2::Null if kind == "U" || kind == "S" => {
            Some(FillValueMetadataV2::String(String::new()))
        }
        FillValueMetadataV2::Null if kind == "c" => Some(FillValueMetadataV2::Array(vec![
            FillValueMetadataV2::Number(0.into()),
            FillValueMetadataV2::Number(0.into()),
        ])),
        _ => None,
    }
}

/// The arrays listed in a v2 `.zmetadata` document.
fn consolidated_v2(store: &Store, consolidated: &Value) -> Result<Vec<ZarrArray>, Error> {
    let url = &store.url;
    let bad = |what: String| Error::Storage(format!("bad consolidated metadata in {url}: {what}"));
    let metadata = consolidated["metadata"]
        .as_object()
        .ok_or_else(|| bad("no `metadata` object".to_owned()))?;
    let mut names: Vec<&str> = metadata
        .keys()
        .filter_map(|key| key.strip_suffix("/.zarray"))
        .filter(|name| !name.contains('/'))
        .collect();
    names.sort_unstable();
    names
        .into_iter()
        .map(|name| {
            let mut array: ArrayMetadataV2 =
                serde_json::from_value(metadata[&format!("{name}/.zarray")].clone())
                    .map_err(|e| bad(format!("{name}/.zarray: {e}")))?;
            if let Some(Value::Object(attrs)) = metadata.get(&format!("{name}/.zattrs")) {
                array.attributes.clone_from(attrs);
            }
            if let Some(fill) = fill_zarrs_takes(&array) {
                array.fill_value = fill;
            }
            Array::new_with_metadata(
                store.storage.clone(),
                &format!("/{name}"),
                ArrayMetadata::V2(array),
            )
            .map_err(|e| {
                Error::Storage(format!("cannot open the Zarr array `{name}` in {url}: {e}"))
            })
        })
        .collect()
}

/// The root group's attributes.
fn group_attributes(store: &Store) -> Result<Attrs, Error> {
    let attributes = if let Some(consolidated) = get_json(store, ".zmetadata")? {
        consolidated["metadata"][".zattrs"].clone()
    } else if let Some(group) = get_json(store, "zarr.json")? {
        group["attributes"].clone()
    } else {
        get_json(store, ".zattrs")?.unwrap_or(Value::Null)
    };
    Ok(match attributes {
        Value::Object(map) => map.into_iter().collect(),
        _ => Attrs::new(),
    })
}

/// The JSON document at `key`, if the store has one.
fn get_json(store: &Store, key: &str) -> Result<Option<Value>, Error> {
    let url = &store.url;
    let key = StoreKey::new(key).expect("a valid key");
    let Some(bytes) = store
        .storage
        .get(&key)
        .map_err(|e| Error::Storage(format!("cannot read {key} in {url}: {e}")))?
    else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| Error::Storage(format!("{key} in {url} is not valid JSON: {e}")))
}

/// The array's name: the last part of its path.
fn array_name(array: &ZarrArray) -> String {
    let path = array.path().as_str();
    path.rsplit('/').next().unwrap_or(path).to_owned()
}

/// A lazy variable reading `array`. With `decode`, the CF conventions are decoded
/// (and the v2 fill value is the missing-value marker, as xarray reads v2 stores);
/// `named` requires dimension names in the metadata.
fn variable(
    store: &Store,
    name: &str,
    array: ZarrArray,
    decode: Option<Decode>,
    named: bool,
) -> Result<Variable, Error> {
    let url = &store.url;
    let stored = dtype_of(&array).map_err(|zarr_type| {
        Error::Storage(format!(
            "the Zarr array `{name}` in {url} has data type {zarr_type}, which rangeo cannot hold yet"
        ))
    })?;
    let metadata = serde_json::to_value(array.metadata()).unwrap_or(Value::Null);
    let v2 = metadata["zarr_format"] == 2;
    let mut attrs: Attrs = array
        .attributes()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let listed = attrs.shift_remove("_ARRAY_DIMENSIONS");
    let dims = dimension_names(&array, listed.as_ref()).ok_or_else(|| {
        Error::Storage(format!(
            "the Zarr array `{name}` in {url} has no dimension names: neither `dimension_names` \
             (Zarr v3) nor the `_ARRAY_DIMENSIONS` attribute (Zarr v2, as xarray writes it); \
             open it alone with open_zarr_array"
        ))
    });
    let dims = match dims {
        Ok(dims) => dims,
        Err(_) if !named => (0..array.dimensionality())
            .map(|d| format!("dim_{d}"))
            .collect(),
        Err(e) => return Err(e),
    };
    let mut encoding = Attrs::new();
    // numpy's name: fixed-width text as `<U{width}`, fixed-width bytes as `|S{width}`.
    let dtype = match array.data_type().fixed_size() {
        Some(size) if stored == DType::Str => format!("<U{}", size / 4),
        Some(size) if stored == DType::Bytes => format!("|S{size}"),
        _ => stored.to_string(),
    };
    encoding.insert("dtype".to_owned(), Value::String(dtype));
    let decoding = match decode {
        Some(decode) => {
            if v2
                && !metadata["fill_value"].is_null()
                && (stored.is_integer() || stored.is_float() || stored == DType::Bool)
            {
                attrs.insert("_FillValue".to_owned(), metadata["fill_value"].clone());
            }
            Decoding::new(stored, &mut attrs, &mut encoding, decode)
                .map_err(|e| Error::Storage(format!("cannot decode `{name}` in {url}: {e}")))?
        }
        None => Decoding::default(),
    };
    let source = ZarrSource::new(url, name, array, decoding, store.root.as_deref())?;
    encoding.insert("chunks".to_owned(), Value::from(source.chunks.max_shape()));
    let lazy = Lazy::from_source(Arc::new(source));
    let mut variable = Variable::new(dims, Data::Lazy(lazy))?.with_attrs(attrs);
    *variable.encoding_mut() = encoding;
    Ok(variable)
}

/// Dimension names from v3 `dimension_names` or v2 `_ARRAY_DIMENSIONS`.
fn dimension_names(array: &ZarrArray, listed: Option<&Value>) -> Option<Vec<String>> {
    if array.dimensionality() == 0 {
        // A scalar needs none (xarray writes none for it in v3).
        return Some(Vec::new());
    }
    if let Some(names) = array.dimension_names() {
        return names.iter().cloned().collect();
    }
    serde_json::from_value(listed?.clone()).ok()
}

/// rangeo's dtype for a Zarr data type, or the Zarr type's name.
fn dtype_of(array: &ZarrArray) -> Result<DType, String> {
    let t = array.data_type();
    Ok(if t.is::<zdt::BoolDataType>() {
        DType::Bool
    } else if t.is::<zdt::Int8DataType>() {
        DType::Int8
    } else if t.is::<zdt::Int16DataType>() {
        DType::Int16
    } else if t.is::<zdt::Int32DataType>() {
        DType::Int32
    } else if t.is::<zdt::Int64DataType>() {
        DType::Int64
    } else if t.is::<zdt::UInt8DataType>() {
        DType::UInt8
    } else if t.is::<zdt::UInt16DataType>() {
        DType::UInt16
    } else if t.is::<zdt::UInt32DataType>() {
        DType::UInt32
    } else if t.is::<zdt::UInt64DataType>() {
        DType::UInt64
    } else if t.is::<zdt::Float16DataType>() {
        DType::Float16
    } else if t.is::<zdt::Float32DataType>() {
        DType::Float32
    } else if t.is::<zdt::Float64DataType>() {
        DType::Float64
    } else if t.is::<zdt::Complex64DataType>() {
        DType::Complex64
    } else if t.is::<zdt::Complex128DataType>() {
        DType::Complex128
    } else if t.is::<zdt::BytesDataType>() || t.is::<FixedBytesDataType>() || vlen_bytes_v2(array) {
        DType::Bytes
    } else if t.is::<zdt::StringDataType>() || t.is::<zdt::FixedLengthUTF32DataType>() {
        DType::Str
    } else if t.is::<zdt::NumpyDateTime64DataType>() {
        time_unit(array).ok_or_else(|| t.to_string())?;
        DType::DateTime64
    } else if t.is::<zdt::NumpyTimeDelta64DataType>() {
        match time_unit(array) {
            Some(TimeUnit::Months(_)) | None => return Err(t.to_string()),
            Some(_) => DType::TimeDelta64,
        }
    } else {
        return Err(t.to_string());
    })
}

/// Whether `array` holds variable-length bytes as zarr-python writes them in Zarr v2:
/// objects (`|O`, which zarrs reads as text) encoded by the `vlen-bytes` filter.
fn vlen_bytes_v2(array: &ZarrArray) -> bool {
    let ArrayMetadata::V2(metadata) = array.metadata() else {
        return false;
    };
    metadata
        .filters
        .iter()
        .flatten()
        .any(|filter| filter.id() == "vlen-bytes")
}

/// What one count of a numpy time unit is: a number of nanoseconds, of calendar
/// months (`Y`, `M`, whose length varies), or a fraction of a nanosecond (`ps`, `fs`,
/// `as`: `scale` counts make `per_nano` units of a nanosecond).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeUnit {
    Nanos(i64),
    Months(i64),
    Fraction { scale: i64, per_nano: i64 },
}

/// The unit of a `numpy.datetime64` or `numpy.timedelta64` array (times its scale
/// factor); `None` for the generic unit.
fn time_unit(array: &ZarrArray) -> Option<TimeUnit> {
    let t = array.data_type();
    let (unit, scale) = if let Some(time) = t.downcast_ref::<zdt::NumpyDateTime64DataType>() {
        (time.unit, time.scale_factor.get())
    } else {
        let time = t.downcast_ref::<zdt::NumpyTimeDelta64DataType>()?;
        (time.unit, time.scale_factor.get())
    };
    let scale = i64::from(scale);
    let nanos: i64 = match unit {
        NumpyTimeUnit::Year => return Some(TimeUnit::Months(12 * scale)),
        NumpyTimeUnit::Month => return Some(TimeUnit::Months(scale)),
        NumpyTimeUnit::Week => 7 * 86_400_000_000_000,
        NumpyTimeUnit::Day => 86_400_000_000_000,
        NumpyTimeUnit::Hour => 3_600_000_000_000,
        NumpyTimeUnit::Minute => 60_000_000_000,
        NumpyTimeUnit::Second => 1_000_000_000,
        NumpyTimeUnit::Millisecond => 1_000_000,
        NumpyTimeUnit::Microsecond => 1_000,
        NumpyTimeUnit::Nanosecond => 1,
        NumpyTimeUnit::Picosecond => {
            return Some(TimeUnit::Fraction {
                scale,
                per_nano: 1_000,
            });
        }
        NumpyTimeUnit::Femtosecond => {
            return Some(TimeUnit::Fraction {
                scale,
                per_nano: 1_000_000,
            });
        }
        NumpyTimeUnit::Attosecond => {
            return Some(TimeUnit::Fraction {
                scale,
                per_nano: 1_000_000_000,
            });
        }
        NumpyTimeUnit::Generic => return None,
    };
    nanos.checked_mul(scale).map(TimeUnit::Nanos)
}

/// Counts of `unit` since 1970-01-01 as nanoseconds (NaT, `i64::MIN`, kept), for
/// `datetime64[ns]` and `timedelta64[ns]`; units finer than a nanosecond rounded down,
/// as numpy's `astype("m8[ns]")` (and so xarray) rounds them.
fn to_nanos(count: i64, unit: TimeUnit) -> i64 {
    match unit {
        _ if count == i64::MIN => count,
        TimeUnit::Nanos(per) => count.saturating_mul(per),
        TimeUnit::Fraction { scale, per_nano } => {
            let nanos = (i128::from(count) * i128::from(scale)).div_euclid(i128::from(per_nano));
            i64::try_from(nanos).unwrap_or(if nanos < 0 { i64::MIN } else { i64::MAX })
        }
        TimeUnit::Months(per) => {
            let months = count.saturating_mul(per);
            let month = u32::try_from(months.rem_euclid(12)).expect("0 to 11") + 1;
            DateTime64::from_ymd(1970 + months.div_euclid(12), month, 1).0
        }
    }
}

/// One element of `dtype` (zero, empty text, the epoch) in an array of `ndim` dimensions:
/// what a lazy array of that dtype shows before it is computed.
pub(super) fn zero(dtype: DType, ndim: usize) -> Values {
    let shape = vec![1; ndim];
    match dtype {
        DType::Str => Values::from_array(ArrayD::from_elem(shape, String::new())),
        DType::Bytes => Values::from_array(ArrayD::from_elem(shape, Vec::<u8>::new())),
        DType::DateTime64 => Values::from_array(ArrayD::from_elem(shape, DateTime64(0))),
        DType::TimeDelta64 => Values::from_array(ArrayD::from_elem(shape, TimeDelta64(0))),
        numeric => Values::from_array(ArrayD::<u8>::zeros(shape))
            .cast(numeric)
            .expect("numbers and booleans cast from bytes"),
    }
}

/// A Zarr array served chunk by chunk to the lazy engine, decoded as it is read.
struct ZarrSource {
    /// What errors and progress bars call it: the array's name.
    name: String,
    url: String,
    /// `zarrs`'s arrays are not `RefUnwindSafe` (they cache behind locks); a chunk read
    /// that panics leaves nothing half-done that a later read could see.
    array: AssertUnwindSafe<ZarrArray>,
    shape: Vec<usize>,
    chunks: Chunks,
    stored: DType,
    decoding: Decoding,
    meta: Values,
    /// How rangeo decodes the chunks itself, for the usual codec chains.
    direct: Option<Direct>,
}

impl std::fmt::Debug for ZarrSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Zarr array `{}` in {}", self.name, self.url)
    }
}

impl ZarrSource {
    fn new(
        url: &str,
        name: &str,
        array: ZarrArray,
        decoding: Decoding,
        root: Option<&std::path::Path>,
    ) -> Result<Self, Error> {
        let stored = dtype_of(&array).expect("checked by the caller");
        let direct = Direct::of(&array, stored, root);
        let shape: Vec<usize> = array
            .shape()
            .iter()
            .map(|&n| usize::try_from(n).expect("array sizes fit in memory addresses"))
            .collect();
        let grid = array.chunk_grid_shape().to_vec();
        let mut lengths = Vec::with_capacity(grid.len());
        for (axis, &count) in grid.iter().enumerate() {
            let mut along = Vec::new();
            for i in 0..count {
                let mut index = vec![0; grid.len()];
                index[axis] = i;
                let subset = array.chunk_subset_bounded(&index).map_err(|e| {
                    Error::Storage(format!(
                        "cannot read the chunk grid of `{name}` in {url}: {e}"
                    ))
                })?;
                along.push(usize::try_from(subset.shape()[axis]).expect("chunk sizes fit"));
            }
            lengths.push(along);
        }
        let chunks = Chunks::from_lengths(&shape, lengths)?;
        let meta = decoding.apply(zero(stored, shape.len()))?;
        Ok(Self {
            name: name.to_owned(),
            url: url.to_owned(),
            array: AssertUnwindSafe(array),
            shape,
            chunks,
            stored,
            decoding,
            meta,
            direct,
        })
    }
}

/// The stored values of chunk `index` of `array` (of dtype `stored`), whole: the chunk
/// grid's shape, also at the array's far edges.
pub(super) fn read_chunk(
    array: &ZarrArray,
    stored: DType,
    index: &[usize],
) -> Result<Values, String> {
    fn typed<T: ElementOwned + Element>(array: &ZarrArray, at: &[u64]) -> Result<Values, String> {
        let chunk: ArrayD<T> = array.retrieve_chunk(at).map_err(|e| e.to_string())?;
        Ok(Values::from_array(chunk))
    }
    let at: Vec<u64> = index.iter().map(|&i| i as u64).collect();
    match stored {
        DType::Str if array.data_type().is::<zdt::FixedLengthUTF32DataType>() => {
            // numpy's `<U` strings: NUL-padded.
            let chunk: ArrayD<Vec<char>> = array.retrieve_chunk(&at).map_err(|e| e.to_string())?;
            Ok(Values::from_array(chunk.mapv(|chars| {
                chars
                    .into_iter()
                    .take_while(|&c| c != '\0')
                    .collect::<String>()
            })))
        }
        DType::Str => match array.metadata() {
            // zarr-python fills a missing chunk of v2 text whose fill value is a number
            // with that number written out.
            ArrayMetadata::V2(ArrayMetadataV2 {
                fill_value: FillValueMetadataV2::Number(n),
                ..
            }) => {
                let text: Option<ArrayD<String>> = array
                    .retrieve_chunk_if_exists(&at)
                    .map_err(|e| e.to_string())?;
                let shape = array.chunk_shape_usize(&at).map_err(|e| e.to_string())?;
                Ok(Values::from_array(text.unwrap_or_else(|| {
                    ArrayD::from_elem(shape, n.to_string())
                })))
            }
            _ => typed::<String>(array, &at),
        },
        DType::Bytes => {
            let raw: ArrayBytes<'static> = array.retrieve_chunk(&at).map_err(|e| e.to_string())?;
            let elements: Vec<Vec<u8>> = if let Some(t) =
                array.data_type().downcast_ref::<FixedBytesDataType>()
            {
                // numpy's `|S` strings: NUL-padded.
                let bytes = raw.into_fixed().map_err(|e| e.to_string())?;
                bytes
                    .chunks_exact(t.length())
                    .map(|b| super::decode::trim_nul(b).to_vec())
                    .collect()
            } else {
                // Variable-length: one run of bytes per element.
                let (bytes, offsets) = raw.into_variable().map_err(|e| e.to_string())?.into_parts();
                offsets
                    .windows(2)
                    .map(|w| bytes[w[0]..w[1]].to_vec())
                    .collect()
            };
            let shape = array.chunk_shape_usize(&at).map_err(|e| e.to_string())?;
            Ok(Values::from_array(
                ArrayD::from_shape_vec(shape, elements).map_err(|e| e.to_string())?,
            ))
        }
        DType::DateTime64 | DType::TimeDelta64 => {
            let raw: ArrayBytes<'static> = array.retrieve_chunk(&at).map_err(|e| e.to_string())?;
            let bytes = raw.into_fixed().map_err(|e| e.to_string())?;
            let unit = time_unit(array).expect("checked by dtype_of");
            let counts: Vec<i64> = bytes
                .chunks_exact(8)
                .map(|b| to_nanos(i64::from_le_bytes(b.try_into().expect("eight bytes")), unit))
                .collect();
            let shape = array.chunk_shape_usize(&at).map_err(|e| e.to_string())?;
            let counts = ArrayD::from_shape_vec(shape, counts).map_err(|e| e.to_string())?;
            Ok(if stored == DType::DateTime64 {
                Values::from_array(counts.mapv(DateTime64))
            } else {
                Values::from_array(counts.mapv(TimeDelta64))
            })
        }
        DType::Bool => typed::<bool>(array, &at),
        DType::Int8 => typed::<i8>(array, &at),
        DType::Int16 => typed::<i16>(array, &at),
        DType::Int32 => typed::<i32>(array, &at),
        DType::Int64 => typed::<i64>(array, &at),
        DType::UInt8 => typed::<u8>(array, &at),
        DType::UInt16 => typed::<u16>(array, &at),
        DType::UInt32 => typed::<u32>(array, &at),
        DType::UInt64 => typed::<u64>(array, &at),
        DType::Float16 => typed::<half::f16>(array, &at),
        DType::Float32 => typed::<f32>(array, &at),
        DType::Float64 => typed::<f64>(array, &at),
        DType::Complex64 => typed::<num_complex::Complex32>(array, &at),
        DType::Complex128 => typed::<num_complex::Complex64>(array, &at),
        DType::CfDateTime => unreachable!("cftime dates are not read from Zarr"),
    }
}

impl ZarrSource {
    /// The error of chunk `index`, naming its key, the array and the store.
    fn chunk_error(&self, index: &[usize], e: impl std::fmt::Display) -> Error {
        let key = self
            .array
            .chunk_key(&index.iter().map(|&i| i as u64).collect::<Vec<_>>());
        Error::Storage(format!(
            "cannot read chunk {index:?} (key `{key}`) of `{}` in {}: {e}",
            self.name, self.url
        ))
    }
}

impl ChunkSource for ZarrSource {
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
        let shape = self.chunks.shape_of(index);
        let direct = self
            .direct
            .as_ref()
            .map(|d| d.read(&self.array, index, &shape));
        let raw = match direct.transpose() {
            Ok(Some(Some(raw))) => raw,
            Err(e) => return Err(self.chunk_error(index, e)),
            // Other codec chains, and missing chunks (the fill value), through zarrs.
            Ok(_) => self.read_zarrs(index)?,
        };
        if self.decoding.is_identity() {
            return Ok(raw);
        }
        self.decoding.apply(raw)
    }

    fn read_into(&self, index: &[usize], target: ChunkTarget<'_>) -> Result<(), Error> {
        let in_place = self.decoding.is_identity()
            && self.stored.is_numeric()
            && self.stored.item_size() == Some(self.array.data_type().fixed_size().unwrap_or(0));
        if !in_place {
            return copy_chunk(self, index, target);
        }
        let at: Vec<u64> = index.iter().map(|&i| i as u64).collect();
        let subset = self
            .array
            .chunk_subset_bounded(&at)
            .map_err(|e| self.chunk_error(index, e))?;
        // The target's lifetime shortened to this call, as zarrs' in-place decoding
        // borrows it.
        let mut view = target;
        if let Some(direct) = &self.direct {
            let shape = self.chunks.shape_of(index);
            let read = direct
                .read_into(&self.array, index, &shape, &mut view)
                .map_err(|e| self.chunk_error(index, e))?;
            if read {
                return Ok(());
            }
            // A missing chunk: zarrs fills it below.
        }
        self.array
            .retrieve_array_subset_into(&subset, (&mut view.view()).into())
            .map_err(|e| self.chunk_error(index, e))
    }
}

impl ZarrSource {
    /// Chunk `index` read and decoded by zarrs.
    fn read_zarrs(&self, index: &[usize]) -> Result<Values, Error> {
        // Whole chunks are read with one request each (a remote store then needs no
        // range requests), then cut to the array at its far edges.
        read_chunk(&self.array, self.stored, index)
            .map(|chunk| {
                let lengths = self.chunks.shape_of(index);
                if chunk.shape() == lengths.as_slice() {
                    chunk
                } else {
                    slice(&chunk, &lengths.iter().map(|&n| 0..n).collect::<Vec<_>>())
                }
            })
            .map_err(|e| self.chunk_error(index, e))
    }
}
