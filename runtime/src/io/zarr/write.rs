//! Datasets written to Zarr stores, as xarray's `to_zarr` writes them: v3 (bytes +
//! zstd) or v2 (blosc lz4), with consolidated metadata, the CF conventions encoded,
//! dimension names, and the modes xarray has (create, overwrite, add variables, append
//! along a dimension, write a region).
//!
//! Lazy data streams from the lazy engine chunk by chunk within the memory budget;
//! each output chunk is exactly one Zarr chunk, written whole. Metadata goes last:
//! array documents once their chunks are in, the group (and its consolidated
//! metadata) after every array, so an interrupted write never leaves a store that
//! claims data it does not have.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use base64::Engine;
use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use zarrs::array::{Array, ArrayBytes, ArrayMetadata, ArrayMetadataV2};
use zarrs::storage::WritableStorageTraits;

use super::{
    ZarrArray, array_name, dimension_names, get_json, group_arrays, group_attributes, read_chunk,
    variable as read_variable,
};
use crate::Error;
use crate::array::{Attrs, DType, Data, DataArray, Dataset, Values, Variable};
use crate::compute::{Chunks, Lazy, Watch, put, stream};
use crate::io::decode::Decode;
use crate::io::encode::{Encoded, json_number};
use crate::io::store::Store;

/// What `to_zarr` does with a store that is already there (xarray's `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteMode {
    /// Make a new store, and refuse to touch one that exists (`mode="w-"`).
    #[default]
    Create,
    /// Replace whatever the store holds (`mode="w"`).
    Overwrite,
    /// Add variables to a store, replacing those of the same name (`mode="a"`); with
    /// [`WriteOptions::append_dim`], extend them along that dimension instead.
    Append,
}

/// How `to_zarr` writes, as xarray's keyword arguments of the same names: Zarr v3,
/// consolidated, into a new store by default.
///
/// ```no_run
/// use rangeo::prelude::*;
/// let ds = open_zarr("air_temperature.zarr")?;
/// // A new store in Zarr v2 (consolidated), as older readers need.
/// WriteOptions::new().zarr_format(2).to_zarr(&ds, "air_v2.zarr")?;
/// // The next year, appended along time.
/// let more = ds.isel("time", 0..10)?;
/// WriteOptions::new().append_dim("time").to_zarr(&more, "air_v2.zarr")?;
/// // Ten time steps rewritten in place.
/// WriteOptions::new().region("time", 0..10).to_zarr(&more, "air_v2.zarr")?;
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WriteOptions {
    format: u8,
    mode: WriteMode,
    append_dim: Option<String>,
    region: Vec<(String, Range<usize>)>,
    consolidated: bool,
    storage: Vec<(String, String)>,
    encoding: IndexMap<String, Attrs>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            format: 3,
            mode: WriteMode::Create,
            append_dim: None,
            region: Vec::new(),
            consolidated: true,
            storage: Vec::new(),
            encoding: IndexMap::new(),
        }
    }
}

impl WriteOptions {
    /// Zarr v3, consolidated, into a new store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The Zarr format of a new store: 2 or 3 (`zarr_format`). Appending and region
    /// writes keep the store's own.
    #[must_use]
    pub fn zarr_format(mut self, format: u8) -> Self {
        self.format = format;
        self
    }

    /// What to do with a store that exists (`mode`).
    #[must_use]
    pub fn mode(mut self, mode: WriteMode) -> Self {
        self.mode = mode;
        self
    }

    /// Extend the store's variables along `dim` (`append_dim`): the store must have
    /// them, with the same other dimensions; they keep the store's encoding.
    #[must_use]
    pub fn append_dim(mut self, dim: &str) -> Self {
        self.mode = WriteMode::Append;
        self.append_dim = Some(dim.to_owned());
        self
    }

    /// Write into positions `range` of `dim` of the store's arrays (`region`), which
    /// must exist; the range must start and end on chunk boundaries (or the array's
    /// end), so that every chunk is written whole. Variables without any region
    /// dimension are left as the store has them.
    #[must_use]
    pub fn region(mut self, dim: &str, range: Range<usize>) -> Self {
        self.region.push((dim.to_owned(), range));
        self
    }

    /// Whether to write consolidated metadata (`.zmetadata` in v2, inline in the root
    /// `zarr.json` in v3), on by default as in xarray.
    #[must_use]
    pub fn consolidated(mut self, on: bool) -> Self {
        self.consolidated = on;
        self
    }

    /// A setting of the object store, as in [`OpenOptions::storage_option`](super::OpenOptions::storage_option).
    #[must_use]
    pub fn storage_option(mut self, key: &str, value: &str) -> Self {
        self.storage.push((key.to_owned(), value.to_owned()));
        self
    }

    /// How variable `name` is stored, over its own `encoding` (xarray's `encoding=`):
    /// `dtype`, `_FillValue`, `scale_factor`, `add_offset`, `units`, `calendar`,
    /// `chunks`.
    ///
    /// ```no_run
    /// use rangeo::prelude::*;
    /// # let ds = open_zarr("air_temperature.zarr")?;
    /// WriteOptions::new()
    ///     .encoding("air", [("dtype", "int16".into()), ("scale_factor", 0.01.into()), ("_FillValue", (-32767).into())])
    ///     .to_zarr(&ds, "packed.zarr")?;
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    #[must_use]
    pub fn encoding<'a>(
        mut self,
        name: &str,
        settings: impl IntoIterator<Item = (&'a str, Value)>,
    ) -> Self {
        let entry = self.encoding.entry(name.to_owned()).or_default();
        entry.extend(settings.into_iter().map(|(k, v)| (k.to_owned(), v)));
        self
    }

    /// Writes `dataset` to the Zarr store at `url` (a local path, `file://`, `s3://`,
    /// `gs://`, `az://` or `memory://`): see [`Dataset::to_zarr`].
    pub fn to_zarr(&self, dataset: &Dataset, url: &str) -> Result<(), Error> {
        if !matches!(self.format, 2 | 3) {
            return Err(Error::Storage(format!(
                "cannot write Zarr format {} to {url}: the formats are 2 and 3",
                self.format
            )));
        }
        let store = Store::create(url, &self.storage)?;
        store.writable()?;
        let existing = Existing::read(&store)?;
        self.check_mode(&store, existing.as_ref())?;
        let format = existing.as_ref().map_or(self.format, |e| e.format);
        let (variables, listed) = self.variables(dataset, format)?;
        let targets = variables
            .into_iter()
            .map(|(name, variable)| {
                Target::new(&store, &name, variable, existing.as_ref(), self, format)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        // Everything is checked: from here on the store changes.
        if self.mode == WriteMode::Overwrite {
            store.delete_prefix("")?;
        }
        let lazies: Vec<Lazy> = targets.iter().map(|t| t.data.clone()).collect();
        let mut watch = Watch::new(&format!("to_zarr {url}"));
        stream(&lazies, &mut watch, &|output, index, block| {
            targets[output].write_chunk(&store, index, block)
        })?;
        let mut documents = match (&existing, self.mode) {
            (Some(existing), WriteMode::Append | WriteMode::Create) => existing.documents.clone(),
            _ => IndexMap::new(),
        };
        for target in &targets {
            for (key, document) in &target.documents {
                store.put(key, to_json(document))?;
                documents.insert(key.clone(), document.clone());
            }
        }
        let attrs = group_attrs(dataset, &listed, existing.as_ref(), self);
        write_group(&store, format, attrs, &documents, self.consolidated)
    }

    /// Refuses what the mode does not allow, before anything is written.
    fn check_mode(&self, store: &Store, existing: Option<&Existing>) -> Result<(), Error> {
        let url = &store.url;
        match (self.mode, existing) {
            (WriteMode::Create, Some(_)) if self.region.is_empty() => Err(Error::Storage(format!(
                "a Zarr store already exists at {url}; write with WriteMode::Overwrite to \
                 replace it, or WriteMode::Append (or append_dim) to add to it"
            ))),
            (WriteMode::Overwrite, _) if !self.region.is_empty() || self.append_dim.is_some() => {
                Err(Error::Storage(format!(
                    "cannot overwrite {url} and append to it or write a region of it at once"
                )))
            }
            (_, None) if !self.region.is_empty() => Err(Error::Storage(format!(
                "cannot write a region of {url}: there is no Zarr store there yet; write the \
                 whole dataset first"
            ))),
            _ if !self.region.is_empty() && self.append_dim.is_some() => Err(Error::Storage(
                format!("cannot append to {url} and write a region of it at once"),
            )),
            _ => Ok(()),
        }
    }

    /// The variables to write, named, with the encoding the options give them and
    /// xarray's `coordinates` attribute for non-index coordinates; and the names of
    /// the coordinates some variable lists. A region write takes only the variables
    /// with a region dimension.
    fn variables(&self, dataset: &Dataset, format: u8) -> Result<(Named, Vec<String>), Error> {
        let mut variables: Vec<(String, Variable)> = Vec::new();
        let mut listed: Vec<String> = Vec::new();
        let extra_coords: Vec<(&str, &Variable)> = dataset
            .coords()
            .iter()
            .filter(|(name, v)| v.dims() != [*name])
            .collect();
        for name in dataset.data_vars() {
            let mut variable = dataset.data_var(name).expect("listed").clone();
            let attached: Vec<&str> = extra_coords
                .iter()
                .filter(|(_, c)| c.dims().iter().all(|d| variable.dims().contains(d)))
                .map(|(n, _)| *n)
                .collect();
            if !attached.is_empty() {
                variable
                    .attrs_mut()
                    .insert("coordinates".to_owned(), Value::from(attached.join(" ")));
                listed.extend(attached.iter().map(|&n| n.to_owned()));
            }
            variables.push((name.to_owned(), variable));
        }
        for (name, coord) in dataset.coords().iter() {
            variables.push((name.to_owned(), coord.clone()));
        }
        for (dim, _) in &self.region {
            if !dataset.sizes().iter().any(|(d, _)| d == dim) {
                return Err(Error::Storage(format!(
                    "cannot write a region along `{dim}`: the dataset has no dimension `{dim}`"
                )));
            }
        }
        if !self.region.is_empty() {
            variables.retain(|(_, v)| self.region.iter().any(|(d, _)| v.dims().contains(d)));
        }
        for (name, variable) in &mut variables {
            if let Some(settings) = self.encoding.get(name.as_str()) {
                variable
                    .encoding_mut()
                    .extend(settings.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            if name.contains('/') || name.is_empty() {
                return Err(Error::Storage(format!(
                    "cannot write a variable named {name:?} to Zarr v{format}: array names \
                     are not empty and hold no '/'"
                )));
            }
        }
        for name in self.encoding.keys() {
            if !variables.iter().any(|(n, _)| n == name) {
                return Err(Error::Storage(format!(
                    "an encoding is given for `{name}`, which the dataset does not have"
                )));
            }
        }
        Ok((variables, listed))
    }
}

/// Variables by name, in the order they are written.
type Named = Vec<(String, Variable)>;

/// What a store holds already: its format, attributes, arrays (by name) and the
/// metadata documents of each (by key), for appending and consolidating.
struct Existing {
    format: u8,
    attrs: Attrs,
    arrays: IndexMap<String, Arc<ZarrArray>>,
    documents: IndexMap<String, Value>,
}

impl Existing {
    /// The group at the root of `store`, if there is one.
    fn read(store: &Store) -> Result<Option<Self>, Error> {
        let (format, consolidated) = if let Some(group) = get_json(store, "zarr.json")? {
            (3, group["consolidated_metadata"]["metadata"].clone())
        } else if let Some(consolidated) = get_json(store, ".zmetadata")? {
            (2, consolidated["metadata"].clone())
        } else if get_json(store, ".zgroup")?.is_some() {
            (2, Value::Null)
        } else {
            return Ok(None);
        };
        let mut arrays = IndexMap::new();
        let mut documents = IndexMap::new();
        for array in group_arrays(store)? {
            let name = array_name(&array);
            let keys = if format == 3 {
                vec![(format!("{name}/zarr.json"), name.clone())]
            } else {
                [".zarray", ".zattrs"]
                    .map(|file| (format!("{name}/{file}"), format!("{name}/{file}")))
                    .to_vec()
            };
            for (key, entry) in keys {
                // As the store has it: what zarrs would write back can differ in form.
                let document = match consolidated.get(&entry) {
                    Some(document) => document.clone(),
                    None => get_json(store, &key)?.unwrap_or_else(|| json!({})),
                };
                documents.insert(key, document);
            }
            arrays.insert(name, Arc::new(array));
        }
        Ok(Some(Self {
            format,
            attrs: group_attributes(store)?,
            arrays,
            documents,
        }))
    }

    /// The metadata documents of array `name`, by key.
    fn documents_of(&self, name: &str) -> Vec<(String, Value)> {
        self.documents
            .iter()
            .filter(|(key, _)| key.rsplit_once('/').is_some_and(|(n, _)| n == name))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// One array being written: its encoding, where the data goes, the data cut into the
/// array's chunks, and the metadata to write once the chunks are in.
struct Target {
    name: String,
    encoded: Encoded,
    /// Writes chunks, encoded with the array's codecs.
    array: Array<dyn WritableStorageTraits>,
    /// The stored array, when the data covers some of its chunks only in part (the
    /// first chunk of an append): those are read and merged.
    stored: Option<Arc<ZarrArray>>,
    /// Where the data starts in the array, along each axis.
    offset: Vec<usize>,
    /// The array's shape once written.
    shape: Vec<usize>,
    chunk_shape: Vec<usize>,
    /// The value that pads chunks at the array's far edges: the Zarr fill value.
    pad: f64,
    /// The data, in chunks that each fall in one Zarr chunk.
    data: Lazy,
    /// The array's metadata documents, by key.
    documents: Vec<(String, Value)>,
}

/// Where a variable's data goes in its array: the array's shape, the data's offset,
/// and the stored array the data goes into (for appends and regions).
struct Placement<'a> {
    shape: Vec<usize>,
    offset: Vec<usize>,
    stored: Option<&'a Arc<ZarrArray>>,
}

impl Target {
    fn new(
        store: &Store,
        name: &str,
        mut variable: Variable,
        existing: Option<&Existing>,
        options: &WriteOptions,
        format: u8,
    ) -> Result<Self, Error> {
        let old = existing.and_then(|e| e.arrays.get(name));
        let placement = placement(store, name, &variable, old, options)?;
        let documents = if let Some(stored) = placement.stored {
            // Appended and region-written data take the store's encoding and chunks.
            let copy = Array::new_with_metadata(
                store.storage.clone(),
                stored.path().as_str(),
                stored.metadata().clone(),
            )
            .map_err(|e| Error::Storage(format!("cannot read `{name}` in {}: {e}", store.url)))?;
            let decoded = read_variable(store, name, copy, Some(DECODE), true)?;
            variable.encoding_mut().clone_from(decoded.encoding());
            let mut documents = existing.expect("a stored array").documents_of(name);
            documents[0].1["shape"] = json!(placement.shape);
            documents
        } else {
            Vec::new()
        };
        let encoded = Encoded::new(name, &variable)?;
        let (documents, chunk_shape) = if placement.stored.is_some() {
            let chunk_shape = chunk_shape_of(&documents[0].1);
            (documents, chunk_shape)
        } else {
            let explicit = options.encoding.get(name).and_then(|e| e.get("chunks"));
            let chunk_shape = choose_chunks(&variable, encoded.encoding.stored, explicit);
            let documents = new_documents(name, &variable, &encoded, &chunk_shape, format);
            (documents, chunk_shape)
        };
        let pad = fill_of(&documents[0].1);
        let array = zarr_array(store, name, &documents)?;
        let lengths: Vec<Vec<usize>> = (0..variable.ndim())
            .map(|axis| {
                aligned(
                    placement.offset[axis],
                    variable.shape()[axis],
                    chunk_shape[axis],
                )
            })
            .collect();
        let chunks = Chunks::from_lengths(variable.shape(), lengths)?;
        let data = match variable.data() {
            Data::Lazy(lazy) => lazy.rechunk(&chunks),
            Data::Eager(values) => Lazy::from_values(values.clone(), chunks)?,
        };
        Ok(Self {
            name: name.to_owned(),
            encoded,
            array,
            stored: placement.stored.cloned(),
            offset: placement.offset,
            shape: placement.shape,
            chunk_shape,
            pad,
            data,
            documents,
        })
    }

    /// Encodes chunk `index` of the data and stores it as the one Zarr chunk it falls
    /// in: padded with the fill value at the array's far edges, or merged into the
    /// chunk already stored when it covers only part of it.
    fn write_chunk(&self, store: &Store, index: &[usize], block: &Values) -> Result<(), Error> {
        if block.is_empty() {
            return Ok(());
        }
        let url = &store.url;
        let region = self.data.chunks().region(index);
        let encoding = &self.encoded.encoding;
        let values = encoding.apply(&self.name, block)?;
        let start: Vec<usize> = region
            .iter()
            .zip(&self.offset)
            .map(|(r, o)| r.start + o)
            .collect();
        let at: Vec<usize> = start
            .iter()
            .zip(&self.chunk_shape)
            .map(|(s, c)| s / c)
            .collect();
        let within: Vec<Range<usize>> = (0..at.len())
            .map(|axis| {
                let first = start[axis] % self.chunk_shape[axis];
                first..first + region[axis].len()
            })
            .collect();
        let whole = (0..at.len()).all(|axis| {
            let end = ((at[axis] + 1) * self.chunk_shape[axis]).min(self.shape[axis]);
            within[axis].start == 0 && start[axis] + region[axis].len() == end
        });
        let full = values.shape() == self.chunk_shape.as_slice();
        let chunk = if whole && full {
            // The block is the whole chunk: stored as it is, without a copy.
            values
        } else {
            let mut chunk = match &self.stored {
                Some(stored) if !whole => {
                    read_chunk(stored, encoding.stored, &at).map_err(|e| {
                        Error::Storage(format!(
                            "cannot read chunk {at:?} of `{}` in {url} to add to it: {e}",
                            self.name
                        ))
                    })?
                }
                _ => filled(encoding.stored, &self.chunk_shape, self.pad)?,
            };
            put(&mut chunk, &within, &values);
            Cow::Owned(chunk)
        };
        store_chunk(&self.array, &at, chunk).map_err(|e| {
            let at: Vec<u64> = at.iter().map(|&i| i as u64).collect();
            Error::Storage(format!(
                "cannot write chunk {at:?} (key `{}`) of `{}` in {url}: {e}",
                self.array.chunk_key(&at),
                self.name
            ))
        })
    }
}

/// Full CF decoding, as the store's variables are read for their encoding.
const DECODE: Decode = Decode {
    mask_and_scale: true,
    times: true,
};

/// Where `variable` goes: into a new array of its own shape, or into the store's array
/// `old` of the same name (when adding to a store), whose dimensions it must have, and
/// whose sizes it must match but along `append_dim` (where it goes after the stored
/// data) and the region's dimensions (where it goes at the region).
fn placement<'a>(
    store: &Store,
    name: &str,
    variable: &Variable,
    old: Option<&'a Arc<ZarrArray>>,
    options: &WriteOptions,
) -> Result<Placement<'a>, Error> {
    let url = &store.url;
    let dims = variable.dims();
    let appending = options
        .append_dim
        .as_deref()
        .filter(|d| dims.iter().any(|x| x == d));
    let in_region = options.region.iter().any(|(dim, _)| dims.contains(dim));
    let adding = options.mode == WriteMode::Append || !options.region.is_empty();
    let Some(old) = old.filter(|_| adding) else {
        if in_region {
            return Err(Error::Storage(format!(
                "cannot write a region of `{name}` in {url}: the store has no array `{name}`"
            )));
        }
        return Ok(Placement {
            shape: variable.shape().to_vec(),
            offset: vec![0; dims.len()],
            stored: None,
        });
    };
    let stored_dims =
        dimension_names(old, old.attributes().get("_ARRAY_DIMENSIONS")).unwrap_or_default();
    if stored_dims != dims {
        return Err(Error::Storage(format!(
            "cannot write `{name}` with dimensions ({}) into {url}, whose `{name}` has \
             dimensions ({})",
            dims.join(", "),
            stored_dims.join(", ")
        )));
    }
    if let Some(width) = text_width(variable)
        && let Some(size) = old.data_type().fixed_size()
    {
        let (held, unit, numpy) = if variable.dtype() == DType::Str {
            (size / 4, "characters", "<U")
        } else {
            (size, "bytes", "|S")
        };
        if width > held {
            // As xarray refuses it: the store's fixed width cannot hold the new text.
            return Err(Error::Storage(format!(
                "cannot write `{name}` into {url}: its text is {width} {unit} wide, and the \
                 store's `{name}` ({numpy}{held}) holds {held}"
            )));
        }
    }
    let old_shape: Vec<usize> = old.shape().iter().map(|&n| n as usize).collect();
    let mut placement = Placement {
        shape: old_shape.clone(),
        offset: vec![0; dims.len()],
        stored: Some(old),
    };
    for (axis, dim) in dims.iter().enumerate() {
        let n = variable.shape()[axis];
        if Some(dim.as_str()) == appending {
            placement.offset[axis] = old_shape[axis];
            placement.shape[axis] = old_shape[axis] + n;
        } else if let Some((_, range)) = options.region.iter().find(|(d, _)| d == dim) {
            if range.len() != n || range.end > old_shape[axis] {
                return Err(Error::Storage(format!(
                    "cannot write `{name}` to region {dim}={range:?} of {url}: the data has \
                     {n} elements along `{dim}`, and the store's `{name}` has {}",
                    old_shape[axis]
                )));
            }
            placement.offset[axis] = range.start;
        } else if old_shape[axis] != n {
            return Err(Error::Storage(format!(
                "cannot write `{name}` into {url}: its `{dim}` has {n} elements, the store's \
                 has {}; write with WriteMode::Overwrite to replace the store",
                old_shape[axis]
            )));
        }
    }
    Ok(placement)
}

/// Lengths of the pieces of `n` elements starting at position `offset` of an array
/// chunked by `c`, cut where the array's chunks are cut.
fn aligned(offset: usize, n: usize, c: usize) -> Vec<usize> {
    let mut lengths = Vec::new();
    let mut at = offset;
    while at < offset + n {
        let end = ((at / c + 1) * c).min(offset + n);
        lengths.push(end - at);
        at = end;
    }
    if lengths.is_empty() {
        lengths.push(0);
    }
    lengths
}

/// Largest chunk a new array gets when nothing says otherwise.
const AUTO_CHUNK_BYTES: usize = 16 << 20;

/// The chunk shape of a new array: the one given in the write's encoding, else the lazy
/// data's when its chunks are regular (all but the last the same), else the
/// variable's encoding's (the chunks it was read in), else the whole array, halved
/// along its longest side until a chunk holds at most 16 MiB.
fn choose_chunks(variable: &Variable, stored: DType, explicit: Option<&Value>) -> Vec<usize> {
    let shape = variable.shape();
    let from_json = |value: &Value| -> Option<Vec<usize>> {
        let sizes: Vec<usize> = serde_json::from_value(value.clone()).ok()?;
        (sizes.len() == shape.len()).then(|| {
            sizes
                .iter()
                .zip(shape)
                .map(|(&c, &n)| c.clamp(1, n.max(1)))
                .collect()
        })
    };
    if let Some(sizes) = explicit.and_then(from_json) {
        return sizes;
    }
    if let Some(lazy) = variable.data().lazy() {
        let regular = lazy.chunks().lengths().iter().all(|lengths| {
            lengths.split_last().is_none_or(|(last, rest)| {
                rest.iter().all(|&l| l == lengths[0]) && *last <= lengths[0]
            })
        });
        if regular {
            return lazy
                .chunks()
                .max_shape()
                .iter()
                .map(|&c| c.max(1))
                .collect();
        }
    }
    if let Some(sizes) = variable.encoding().get("chunks").and_then(from_json) {
        return sizes;
    }
    let item = stored.item_size().unwrap_or(8);
    let mut chunk: Vec<usize> = shape.iter().map(|&n| n.max(1)).collect();
    while chunk.iter().product::<usize>() * item > AUTO_CHUNK_BYTES {
        let longest = (0..chunk.len())
            .max_by_key(|&a| (chunk[a], usize::MAX - a))
            .expect("an axis");
        chunk[longest] = chunk[longest].div_ceil(2);
    }
    chunk
}

/// The chunk shape in an array's metadata document (v3 `chunk_grid`, v2 `chunks`).
fn chunk_shape_of(document: &Value) -> Vec<usize> {
    let sizes = if document["zarr_format"] == 3 {
        &document["chunk_grid"]["configuration"]["chunk_shape"]
    } else {
        &document["chunks"]
    };
    serde_json::from_value(sizes.clone()).unwrap_or_default()
}

/// The fill value in an array's metadata document, as a number (0 when it has none).
fn fill_of(document: &Value) -> f64 {
    match &document["fill_value"] {
        Value::Bool(b) => f64::from(u8::from(*b)),
        other => crate::io::decode::marker(other, DType::Float64).unwrap_or(0.0),
    }
}

/// The metadata documents of a new array, as xarray and zarr-python write them: v3
/// with bytes and zstd, `dimension_names`, the fill value and `_FillValue` (base64
/// for floats) as attributes; v2 with blosc lz4, `_FillValue` as the fill value and
/// the dimension names in `_ARRAY_DIMENSIONS`.
fn new_documents(
    name: &str,
    variable: &Variable,
    encoded: &Encoded,
    chunk_shape: &[usize],
    format: u8,
) -> Vec<(String, Value)> {
    let stored = encoded.encoding.stored;
    let mut attrs: Map<String, Value> = encoded.attrs.clone().into_iter().collect();
    let fill = attrs.shift_remove("_FillValue");
    // Text is stored as numpy's fixed-width `<U` (UTF-32) and bytes as `|S`, as wide
    // as the longest element, as xarray stores them.
    let width = text_width(variable).map(|w| w.max(1));
    if format == 3 {
        let fill_value = match (&fill, encoded.encoding.fill) {
            (Some(_), Some(value)) => json_number(value, stored),
            _ if stored == DType::Bool => Value::Bool(false),
            _ if matches!(stored, DType::Str | DType::Bytes) => json!(""),
            _ if stored.is_complex() => json!([0.0, 0.0]),
            _ => json!(0),
        };
        if let Some(value) = encoded.encoding.fill {
            attrs.insert("_FillValue".to_owned(), fill_attribute(value, stored));
        }
        let mut codecs = vec![json!({"name": "bytes", "configuration": {"endian": "little"}})];
        if stored.item_size() == Some(1) || stored == DType::Bytes {
            codecs[0] = json!({"name": "bytes"});
        }
        codecs.push(json!({"name": "zstd", "configuration": {"level": 0, "checksum": false}}));
        let data_type = match width {
            Some(width) if stored == DType::Bytes => json!({
                "name": "null_terminated_bytes",
                "configuration": {"length_bytes": width},
            }),
            Some(width) => json!({
                "name": "fixed_length_utf32",
                "configuration": {"length_bytes": 4 * width},
            }),
            None => json!(stored.name()),
        };
        let document = json!({
            "shape": variable.shape(),
            "data_type": data_type,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunk_shape}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": fill_value,
            "codecs": codecs,
            "attributes": attrs,
            "dimension_names": variable.dims(),
            "zarr_format": 3,
            "node_type": "array",
            "storage_transformers": [],
        });
        return vec![(format!("{name}/zarr.json"), document)];
    }
    attrs.insert("_ARRAY_DIMENSIONS".to_owned(), json!(variable.dims()));
    let fill_value = encoded
        .encoding
        .fill
        .map_or(Value::Null, |value| json_number(value, stored));
    let array = json!({
        "shape": variable.shape(),
        "chunks": chunk_shape,
        "dtype": match width {
            Some(w) if stored == DType::Bytes => format!("|S{w}"),
            Some(w) => format!("<U{w}"),
            None => numpy_type(stored).to_owned(),
        },
        "fill_value": fill_value,
        "order": "C",
        "filters": null,
        "dimension_separator": ".",
        "compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0},
        "zarr_format": 2,
    });
    vec![
        (format!("{name}/.zarray"), array),
        (format!("{name}/.zattrs"), Value::Object(attrs)),
    ]
}

/// `_FillValue` as xarray writes it in Zarr v3 attributes: integers as numbers, floats
/// as the base64 of the little-endian bytes of a float64 (JSON has no NaN; xarray reads
/// eight bytes whatever the float type).
fn fill_attribute(value: f64, stored: DType) -> Value {
    if stored.is_float() {
        Value::from(base64::engine::general_purpose::STANDARD.encode(value.to_le_bytes()))
    } else {
        json_number(value, stored)
    }
}

/// The numpy type string of a v2 `.zarray` (`<i2`, `|u1`, `|b1`, ...).
fn numpy_type(stored: DType) -> &'static str {
    match stored {
        DType::Bool => "|b1",
        DType::Int8 => "|i1",
        DType::Int16 => "<i2",
        DType::Int32 => "<i4",
        DType::Int64 => "<i8",
        DType::UInt8 => "|u1",
        DType::UInt16 => "<u2",
        DType::UInt32 => "<u4",
        DType::UInt64 => "<u8",
        DType::Float16 => "<f2",
        DType::Float32 => "<f4",
        DType::Float64 => "<f8",
        DType::Complex64 => "<c8",
        DType::Complex128 => "<c16",
        other => unreachable!("{other} is not written to Zarr as a number"),
    }
}

/// The `zarrs` array that encodes and writes chunks of the array `documents` describe.
fn zarr_array(
    store: &Store,
    name: &str,
    documents: &[(String, Value)],
) -> Result<Array<dyn WritableStorageTraits>, Error> {
    let bad = |e: String| {
        Error::Storage(format!(
            "cannot write `{name}` in {}: its metadata is not valid Zarr: {e}",
            store.url
        ))
    };
    let metadata = if let [(_, array), (_, attrs)] = documents {
        let mut array = array.clone();
        array["attributes"] = attrs.clone();
        let mut metadata: ArrayMetadataV2 =
            serde_json::from_value(array).map_err(|e| bad(e.to_string()))?;
        if let Some(fill) = super::fill_zarrs_takes(&metadata) {
            metadata.fill_value = fill;
        }
        ArrayMetadata::V2(metadata)
    } else {
        ArrayMetadata::V3(
            serde_json::from_value(documents[0].1.clone()).map_err(|e| bad(e.to_string()))?,
        )
    };
    Array::new_with_metadata(store.writable()?, &format!("/{name}"), metadata)
        .map_err(|e| bad(e.to_string()))
}

/// The characters of the longest string of a text variable, or the bytes of the
/// longest element of a bytes variable (`None` for other variables).
fn text_width(variable: &Variable) -> Option<usize> {
    matches!(variable.dtype(), DType::Str | DType::Bytes)
        .then(|| variable.to_values().map_or(1, |v| v.text_width()))
}

/// A chunk of `shape` in `stored` filled with `fill` (empty strings for text and
/// bytes).
fn filled(stored: DType, shape: &[usize], fill: f64) -> Result<Values, Error> {
    match stored {
        DType::Str => {
            return Ok(Values::Str(ndarray::ArrayD::from_elem(
                shape,
                String::new(),
            )));
        }
        DType::Bytes => return Ok(Values::Bytes(ndarray::ArrayD::from_elem(shape, Vec::new()))),
        _ => {}
    }
    let values = Values::Float64(ndarray::ArrayD::from_elem(shape, fill));
    if stored == DType::Bool {
        return values.binary(crate::array::BinaryOp::Ne, &Values::scalar(0.0));
    }
    values.cast(stored)
}

/// Encodes `chunk` (the stored values of a whole chunk) and stores it at `at`; a
/// chunk of nothing but the fill value is deleted instead, as zarr-python does.
fn store_chunk(
    array: &Array<dyn WritableStorageTraits>,
    at: &[usize],
    chunk: Cow<'_, Values>,
) -> Result<(), zarrs::array::ArrayError> {
    fn elements<T: Clone>(a: ndarray::ArrayD<T>) -> Vec<T> {
        if a.is_standard_layout() {
            a.into_raw_vec_and_offset().0
        } else {
            a.iter().cloned().collect()
        }
    }
    let at: Vec<u64> = at.iter().map(|&i| i as u64).collect();
    if let Some(bytes) = chunk.to_bytes() {
        // Numbers: their native-endian bytes, borrowed, encoded by the codecs.
        return array.store_chunk(&at, ArrayBytes::new_flen(bytes));
    }
    match chunk.into_owned() {
        Values::Bool(a) => array.store_chunk(&at, elements(a)),
        Values::Int8(a) => array.store_chunk(&at, elements(a)),
        Values::Int16(a) => array.store_chunk(&at, elements(a)),
        Values::Int32(a) => array.store_chunk(&at, elements(a)),
        Values::Int64(a) => array.store_chunk(&at, elements(a)),
        Values::UInt8(a) => array.store_chunk(&at, elements(a)),
        Values::UInt16(a) => array.store_chunk(&at, elements(a)),
        Values::UInt32(a) => array.store_chunk(&at, elements(a)),
        Values::UInt64(a) => array.store_chunk(&at, elements(a)),
        Values::Float16(a) => array.store_chunk(&at, elements(a)),
        Values::Float32(a) => array.store_chunk(&at, elements(a)),
        Values::Float64(a) => array.store_chunk(&at, elements(a)),
        Values::Complex64(a) => array.store_chunk(&at, elements(a)),
        Values::Complex128(a) => array.store_chunk(&at, elements(a)),
        Values::Str(a) => {
            let width = array.data_type().fixed_size().unwrap_or(0) / 4;
            array.store_chunk(&at, ArrayBytes::new_flen(utf32(&a, width)?))
        }
        Values::Bytes(a) => {
            let width = array.data_type().fixed_size().unwrap_or(0);
            array.store_chunk(&at, ArrayBytes::new_flen(padded(&a, width)?))
        }
        other => unreachable!("{} is not written to Zarr", other.dtype()),
    }
}

/// Text as numpy's `<U{width}` holds it: each string in UTF-32 (little-endian), padded
/// with NUL to `width` characters; a longer string is an error.
fn utf32(
    text: &ndarray::ArrayD<String>,
    width: usize,
) -> Result<Vec<u8>, zarrs::array::ArrayError> {
    let mut bytes = Vec::with_capacity(text.len() * width * 4);
    for s in text {
        let start = bytes.len();
        for c in s.chars() {
            bytes.extend_from_slice(&u32::from(c).to_le_bytes());
        }
        if bytes.len() - start > width * 4 {
            return Err(zarrs::array::ArrayError::Other(format!(
                "the text {s:?} is longer than the {width} characters the array stores"
            )));
        }
        bytes.resize(start + width * 4, 0);
    }
    Ok(bytes)
}

/// Bytes as numpy's `|S{width}` holds them: each element padded with NUL to `width`
/// bytes; a longer element is an error.
fn padded(
    elements: &ndarray::ArrayD<Vec<u8>>,
    width: usize,
) -> Result<Vec<u8>, zarrs::array::ArrayError> {
    let mut bytes = Vec::with_capacity(elements.len() * width);
    for element in elements {
        if element.len() > width {
            return Err(zarrs::array::ArrayError::Other(format!(
                "the bytes {} are longer than the {width} bytes the array stores",
                crate::array::repr::python_bytes(element)
            )));
        }
        bytes.extend_from_slice(element);
        bytes.resize(bytes.len() + width - element.len(), 0);
    }
    Ok(bytes)
}

/// A metadata document as zarr-python writes it: indented JSON.
fn to_json(document: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(document).expect("metadata is JSON")
}

/// The group's attributes after the write: the dataset's (with xarray's `coordinates`
/// for coordinates no variable lists), over the store's when adding to it.
fn group_attrs(
    dataset: &Dataset,
    listed: &[String],
    existing: Option<&Existing>,
    options: &WriteOptions,
) -> Attrs {
    if !options.region.is_empty() {
        return existing.map(|e| e.attrs.clone()).unwrap_or_default();
    }
    let mut attrs = match (options.mode, existing) {
        (WriteMode::Append, Some(existing)) => existing.attrs.clone(),
        _ => Attrs::new(),
    };
    attrs.extend(dataset.attrs().iter().map(|(k, v)| (k.clone(), v.clone())));
    let unlisted: Vec<&str> = dataset
        .coords()
        .iter()
        .filter(|(name, v)| v.dims() != [*name] && !listed.iter().any(|l| l == name))
        .map(|(name, _)| name)
        .collect();
    if !unlisted.is_empty() {
        attrs.insert("coordinates".to_owned(), Value::from(unlisted.join(" ")));
    }
    attrs
}

/// Writes the root group's metadata, last: its document and attributes, and the
/// consolidated metadata of every array in `documents`.
fn write_group(
    store: &Store,
    format: u8,
    attrs: Attrs,
    documents: &IndexMap<String, Value>,
    consolidated: bool,
) -> Result<(), Error> {
    let attrs = Value::Object(attrs.into_iter().collect());
    if format == 3 {
        let mut group = json!({"attributes": attrs, "zarr_format": 3, "node_type": "group"});
        if consolidated {
            let metadata: Map<String, Value> = documents
                .iter()
                .map(|(key, doc)| (key.trim_end_matches("/zarr.json").to_owned(), doc.clone()))
                .collect();
            group["consolidated_metadata"] =
                json!({"kind": "inline", "must_understand": false, "metadata": metadata});
        }
        return store.put("zarr.json", to_json(&group));
    }
    let group = json!({"zarr_format": 2});
    store.put(".zgroup", to_json(&group))?;
    store.put(".zattrs", to_json(&attrs))?;
    if consolidated {
        let mut metadata = Map::new();
        metadata.insert(".zgroup".to_owned(), group);
        metadata.insert(".zattrs".to_owned(), attrs);
        metadata.extend(documents.iter().map(|(k, v)| (k.clone(), v.clone())));
        let document = json!({"metadata": metadata, "zarr_consolidated_format": 1});
        store.put(".zmetadata", to_json(&document))?;
    }
    Ok(())
}

impl Dataset {
    /// Writes the dataset to a new Zarr v3 store at `url` (a local path, `file://`,
    /// `s3://`, `gs://`, `az://` or `memory://`), as `ds.to_zarr(url)` does in xarray:
    /// every variable an array (coordinates too), the CF conventions encoded (the
    /// variables' `encoding` first, so a dataset read from a store is written back as it
    /// was stored), consolidated metadata. Lazy variables are computed chunk by chunk
    /// and each chunk written as it is made. A store that exists is refused: see
    /// [`WriteOptions`] to overwrite it, append to it or write a region.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let ds = Dataset::new()
    ///     .assign("t", DataArray::new(["x"], vec![1.5, f64::NAN, 3.0])?)?
    ///     .assign_attrs([("title", "demo")]);
    /// ds.to_zarr("memory://doc/to_zarr.zarr")?;
    /// let back = open_zarr("memory://doc/to_zarr.zarr")?.compute()?;
    /// assert_eq!(back.get("t")?.to_vec::<f64>()?[2], 3.0);
    /// assert!(ds.to_zarr("memory://doc/to_zarr.zarr").is_err()); // already there
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn to_zarr(&self, url: &str) -> Result<(), Error> {
        WriteOptions::new().to_zarr(self, url)
    }
}

impl DataArray {
    /// Writes the array (named by its name, or `data`) and its coordinates to a new
    /// Zarr v3 store at `url`: see [`Dataset::to_zarr`].
    pub fn to_zarr(&self, url: &str) -> Result<(), Error> {
        self.to_dataset().to_zarr(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_cut_where_the_array_is() {
        assert_eq!(aligned(0, 10, 4), [4, 4, 2]);
        assert_eq!(aligned(6, 10, 4), [2, 4, 4]);
        assert_eq!(aligned(3, 1, 4), [1]);
        assert_eq!(aligned(0, 0, 4), [0]);
    }

    #[test]
    fn new_arrays_are_chunked_at_most_16_mib() {
        let big =
            Variable::new(["time", "y"], ndarray::Array2::<f64>::zeros((4096, 1024))).unwrap();
        let chunks = choose_chunks(&big, DType::Float64, None);
        assert!(
            chunks.iter().product::<usize>() * 8 <= AUTO_CHUNK_BYTES,
            "{chunks:?}"
        );
        assert_eq!(chunks, [2048, 1024]);
        let small = Variable::new(["x"], vec![1.0, 2.0]).unwrap();
        assert_eq!(choose_chunks(&small, DType::Float64, None), [2]);
        assert_eq!(
            choose_chunks(&small, DType::Float64, Some(&json!([1]))),
            [1]
        );
    }
}
