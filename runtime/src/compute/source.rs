//! Where lazy data comes from: anything that can hand over one chunk at a time. An
//! in-memory array and reproducible random fields live here; Zarr stores implement the
//! same trait.

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use ndarray::{ArrayD, IxDyn, Slice};

use super::chunks::Chunks;
use super::target::ChunkTarget;
use crate::Error;
use crate::array::{DType, Values};

/// A chunked array that can be read one chunk at a time: the leaves of every plan.
///
/// Implementations are plain descriptions of where the data is (an array in memory, a
/// Zarr array at a URL, a random field with a seed), so a plan that reads them can be
/// shipped to another engine.
pub trait ChunkSource: Send + Sync + fmt::Debug + std::panic::RefUnwindSafe {
    /// A short name for reprs, progress bars and errors (`"air"`, `"random"`).
    fn name(&self) -> &str;

    /// The shape of the whole array.
    fn shape(&self) -> &[usize];

    /// How the source is cut: reading any other block costs whole chunks.
    fn chunks(&self) -> &Chunks;

    /// One value of the element type (with its calendar, for dates): what plans infer
    /// result types from before any chunk is read.
    fn meta(&self) -> Values;

    /// Reads chunk `index` of [`chunks`](Self::chunks).
    fn read(&self, index: &[usize]) -> Result<Values, Error>;

    /// Whether reading part of a chunk costs only that part (an array in memory, a
    /// generated field). Tasks then read the parts of a chunk they work on one at a
    /// time; otherwise (a compressed store) they read the whole chunk once and cut it.
    fn reads_parts(&self) -> bool {
        false
    }

    /// Reads the block `part` (ranges counted from the chunk's start) of chunk `index`.
    fn read_part(&self, index: &[usize], part: &[Range<usize>]) -> Result<Values, Error> {
        Ok(slice(&self.read(index)?, part))
    }

    /// Writes chunk `index` into `target`, its region of a result of numbers (native-
    /// endian bytes): how a bare read fills its result, chunks side by side. The
    /// default reads the chunk and copies it in; a store that can decode in place
    /// overrides it and saves the copy.
    fn read_into(&self, index: &[usize], target: ChunkTarget<'_>) -> Result<(), Error> {
        copy_chunk(self, index, target)
    }

    /// A fingerprint of the values served, when it is cheap to know (a few values in
    /// memory): sources with one fingerprint are one step of a plan, so a constant
    /// written twice (the `true` of two `notnull()`s) makes one step. `None`, the
    /// default: each source is a step of its own.
    fn fingerprint(&self) -> Option<u64> {
        None
    }

    /// Bytes that reading chunk `index` holds before decoding (compressed bytes for a
    /// store; nothing extra for memory), for memory projections.
    fn stored_bytes(&self, index: &[usize]) -> usize {
        let _ = index;
        0
    }
}

/// Reads chunk `index` of `source` and copies it into `target`: what
/// [`ChunkSource::read_into`] does unless a source decodes in place.
pub(crate) fn copy_chunk<S: ChunkSource + ?Sized>(
    source: &S,
    index: &[usize],
    mut target: ChunkTarget<'_>,
) -> Result<(), Error> {
    let chunk = source.read(index)?;
    let bytes = chunk.to_bytes().ok_or_else(|| {
        Error::Operation(format!(
            "{} gave {} for an array of numbers",
            source.name(),
            chunk.dtype()
        ))
    })?;
    target.copy_from_slice(&bytes).map_err(|e| {
        Error::Shape(format!(
            "{} gave a chunk of shape {:?} at {index:?}: {e}",
            source.name(),
            chunk.shape()
        ))
    })
}

/// An array in memory, served in chunks: what `.chunk(...)` makes of eager data.
#[derive(Debug)]
pub struct InMemory {
    values: Arc<Values>,
    chunks: Chunks,
}

impl InMemory {
    /// Serves `values` cut as `chunks`.
    pub fn new(values: Arc<Values>, chunks: Chunks) -> Result<Self, Error> {
        let fits = chunks.ndim() == values.ndim()
            && (0..chunks.ndim()).all(|d| chunks.dim(d).iter().sum::<usize>() == values.shape()[d]);
        if !fits {
            return Err(Error::Shape(format!(
                "chunks {:?} do not cover the shape {:?}",
                chunks.lengths(),
                values.shape()
            )));
        }
        Ok(Self { values, chunks })
    }
}

impl ChunkSource for InMemory {
    fn name(&self) -> &'static str {
        "array"
    }

    fn shape(&self) -> &[usize] {
        self.values.shape()
    }

    fn chunks(&self) -> &Chunks {
        &self.chunks
    }

    fn meta(&self) -> Values {
        meta_of(&self.values)
    }

    fn read(&self, index: &[usize]) -> Result<Values, Error> {
        Ok(slice(&self.values, &self.chunks.region(index)))
    }

    fn reads_parts(&self) -> bool {
        true
    }

    fn read_part(&self, index: &[usize], part: &[Range<usize>]) -> Result<Values, Error> {
        Ok(slice(
            &self.values,
            &within(&self.chunks.region(index), part),
        ))
    }

    fn fingerprint(&self) -> Option<u64> {
        // Debug output tells every value apart (the dtype too), and costs little for
        // the scalars and coordinate-sized arrays that operations bring in.
        (self.values.len() <= 64).then(|| {
            let mut hasher = DefaultHasher::new();
            format!("{:?}", self.values).hash(&mut hasher);
            hasher.finish()
        })
    }
}

/// Chunks computed earlier and kept in memory (what `persist` returns), in row-major
/// order of the grid.
#[derive(Debug)]
pub(crate) struct Persisted {
    pub(crate) name: String,
    pub(crate) shape: Vec<usize>,
    pub(crate) chunks: Chunks,
    pub(crate) blocks: Vec<Arc<Values>>,
}

impl ChunkSource for Persisted {
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
        meta_of(&self.blocks[0])
    }

    fn read(&self, index: &[usize]) -> Result<Values, Error> {
        Ok(Values::clone(&self.blocks[self.chunks.ravel(index)]))
    }

    fn reads_parts(&self) -> bool {
        true
    }

    fn read_part(&self, index: &[usize], part: &[Range<usize>]) -> Result<Values, Error> {
        Ok(slice(&self.blocks[self.chunks.ravel(index)], part))
    }
}

/// Which distribution a [`Random`] field draws from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Uniform on `[0, 1)`.
    Uniform,
    /// Normal with this mean and standard deviation.
    Normal {
        /// The mean.
        mean: f64,
        /// The standard deviation.
        std: f64,
    },
}

/// A reproducible random field, generated chunk by chunk: every element depends only on
/// the seed and its position, so any chunking gives the same values. It is how tests and
/// benchmarks make arrays larger than memory.
///
/// ```
/// use rangeo::compute::{ChunkSource, Chunks, Distribution, Random};
/// let field = Random::new(&[6, 4], &[4, 4], DType::Float64, Distribution::Uniform, 7);
/// let other = Random::new(&[6, 4], &[2, 2], DType::Float64, Distribution::Uniform, 7);
/// let (a, b) = (field.read(&[1, 0])?, other.read(&[2, 0])?);
/// assert_eq!(a.array::<f64>()?[[0, 0]], b.array::<f64>()?[[0, 0]]);
/// # use rangeo::array::DType;
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Random {
    shape: Vec<usize>,
    chunks: Chunks,
    dtype: DType,
    distribution: Distribution,
    seed: u64,
}

impl Random {
    /// A field of `shape` cut into chunks of `chunk_shape`, as float64 or float32.
    #[must_use]
    pub fn new(
        shape: &[usize],
        chunk_shape: &[usize],
        dtype: DType,
        distribution: Distribution,
        seed: u64,
    ) -> Self {
        Self {
            shape: shape.to_vec(),
            chunks: Chunks::regular(shape, chunk_shape),
            dtype: if dtype == DType::Float32 {
                DType::Float32
            } else {
                DType::Float64
            },
            distribution,
            seed,
        }
    }

    /// The hash that element `flat` (its position in the whole field) draws from:
    /// output `flat + 1` of `SplitMix64` seeded with the seed. (Counting from 1 keeps
    /// element 0 of seed 0 away from `mix(0)`, which is 0.)
    fn bits(&self, flat: u64) -> u64 {
        mix(self
            .seed
            .wrapping_add(flat.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15)))
    }

    /// Element `flat` as a float64.
    fn value(&self, flat: u64) -> f64 {
        let bits = self.bits(flat);
        match self.distribution {
            Distribution::Uniform => unit(bits),
            Distribution::Normal { mean, std } => {
                // Box-Muller on two independent uniforms.
                let u1 = 1.0 - unit(bits);
                let u2 = unit(mix(bits));
                mean + std * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
            }
        }
    }

    /// Elements `flats` as float32, appended to `out`. Uniform values take 24 bits
    /// each (as numpy draws float32, so none rounds up to 1), two from one hash: the
    /// hash of `flat / 2` gives its top half to the even element and its bottom half
    /// to the odd one. Normal values are rounded from float64.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        reason = "24-bit integers, and float32 output"
    )]
    fn row32(&self, flats: Range<u64>, out: &mut Vec<f32>) {
        if let Distribution::Normal { .. } = self.distribution {
            out.extend(flats.map(|flat| self.value(flat) as f32));
            return;
        }
        // Through i32, which converts to float in one instruction.
        let unit = |bits: u64| ((bits & 0xFF_FFFF) as i32) as f32 * (1.0 / (1_u32 << 24) as f32);
        let (start, end) = (flats.start, flats.end);
        let first = out.len();
        out.resize(first + (end - start) as usize, 0.0);
        let row = &mut out[first..];
        let skip = usize::from(start % 2 == 1 && !row.is_empty());
        if skip == 1 {
            row[0] = unit(self.bits(start / 2) >> 8);
        }
        let mut pairs = row[skip..].chunks_exact_mut(2);
        let mut pair = start.div_ceil(2);
        for two in &mut pairs {
            let bits = self.bits(pair);
            two[0] = unit(bits >> 40);
            two[1] = unit(bits >> 8);
            pair += 1;
        }
        if let [x] = pairs.into_remainder() {
            *x = unit(self.bits(pair) >> 40);
        }
    }

    /// The values at `region` of the whole field.
    fn block(&self, region: &[Range<usize>]) -> Values {
        match self.dtype {
            DType::Float32 => {
                Values::from_array(self.generate(region, |flats, out| self.row32(flats, out)))
            }
            // One loop per distribution: with the choice inside the loop, the
            // compiler computes the normal draw (a log and a cosine) for uniform
            // fields too and throws it away, ten times the work.
            _ => Values::from_array(match self.distribution {
                Distribution::Uniform => self.generate(region, |flats, out| {
                    out.extend(flats.map(|flat| unit(self.bits(flat))));
                }),
                Distribution::Normal { .. } => self.generate(region, |flats, out| {
                    out.extend(flats.map(|flat| self.value(flat)));
                }),
            }),
        }
    }

    /// The block at `region`, row by row along the last axis (where positions are
    /// consecutive): `row` appends the elements at a range of positions.
    fn generate<T>(
        &self,
        region: &[Range<usize>],
        row_of: impl Fn(Range<u64>, &mut Vec<T>),
    ) -> ArrayD<T> {
        let shape: Vec<usize> = region.iter().map(ExactSizeIterator::len).collect();
        let ndim = shape.len();
        let strides: Vec<u64> = (0..ndim)
            .map(|d| self.shape[d + 1..].iter().product::<usize>() as u64)
            .collect();
        let row = shape.last().copied().unwrap_or(1) as u64;
        let count: usize = shape.iter().product();
        let mut values = Vec::with_capacity(count);
        let mut at = vec![0; ndim.saturating_sub(1)];
        for _ in 0..count.checked_div(row as usize).unwrap_or(0) {
            let base: u64 = (0..ndim)
                .map(|d| (region[d].start + at.get(d).copied().unwrap_or(0)) as u64 * strides[d])
                .sum();
            row_of(base..base + row, &mut values);
            for d in (0..at.len()).rev() {
                at[d] += 1;
                if at[d] < shape[d] {
                    break;
                }
                at[d] = 0;
            }
        }
        ArrayD::from_shape_vec(IxDyn(&shape), values).expect("one value per element")
    }
}

/// The top 53 bits of a hash as a float64 uniform on `[0, 1)`.
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1_u64 << 53) as f64)
}

/// `SplitMix64`'s finaliser: a well-mixed 64-bit hash of `x`.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl ChunkSource for Random {
    fn name(&self) -> &'static str {
        "random"
    }

    fn shape(&self) -> &[usize] {
        &self.shape
    }

    fn chunks(&self) -> &Chunks {
        &self.chunks
    }

    fn meta(&self) -> Values {
        let one = ArrayD::from_elem(IxDyn(&vec![1; self.shape.len()]), 0.0);
        match self.dtype {
            DType::Float32 => Values::from_array(one.mapv(|x: f64| x as f32)),
            _ => Values::from_array(one),
        }
    }

    fn read(&self, index: &[usize]) -> Result<Values, Error> {
        Ok(self.block(&self.chunks.region(index)))
    }

    fn reads_parts(&self) -> bool {
        true
    }

    fn read_part(&self, index: &[usize], part: &[Range<usize>]) -> Result<Values, Error> {
        Ok(self.block(&within(&self.chunks.region(index), part)))
    }
}

/// One element of `values` shaped as a length-1 array of the same rank: the type a plan
/// carries (dask's `meta`).
pub(crate) fn meta_of(values: &Values) -> Values {
    let ones = vec![0..1; values.ndim()];
    if values.is_empty() {
        // No element to show: the dtype's missing value or zero, on every empty axis.
        let mut grown = values.clone();
        for axis in 0..values.ndim() {
            if grown.shape()[axis] == 0 {
                grown = grown.take(axis, &[None]);
            }
        }
        return slice(&grown.cast(values.dtype()).unwrap_or(grown), &ones);
    }
    slice(values, &ones)
}

/// The ranges `part` of a chunk at `region`, as ranges of the whole array.
pub(crate) fn within(region: &[Range<usize>], part: &[Range<usize>]) -> Vec<Range<usize>> {
    region
        .iter()
        .zip(part)
        .map(|(r, p)| r.start + p.start..r.start + p.end)
        .collect()
}

/// The block of `values` at `region`, copied (numbers row by row into zeroed memory:
/// ndarray's `to_owned` of a strided view goes element by element).
pub(crate) fn slice(values: &Values, region: &[Range<usize>]) -> Values {
    let shape: Vec<usize> = region.iter().map(ExactSizeIterator::len).collect();
    if let Some(mut out) = Values::zeros(values.dtype(), &shape) {
        let whole: Vec<Range<usize>> = shape.iter().map(|&n| 0..n).collect();
        copy_block(&mut out, &whole, values, region);
        return out;
    }
    crate::array::with_array!(values, a => {
        let view = a.slice_each_axis(|axis| {
            let r = &region[axis.axis.index()];
            Slice::from(r.start..r.end)
        });
        Values::from_array(view.to_owned())
    })
}

/// The block of `from` at `within` written over `values` at `region` (the same dtype
/// and block shape), without copying it first.
pub(crate) fn copy_block(
    values: &mut Values,
    region: &[Range<usize>],
    from: &Values,
    within: &[Range<usize>],
) {
    crate::array::with_array!(values, a => {
        let mut view = a.slice_each_axis_mut(|axis| {
            let r = &region[axis.axis.index()];
            Slice::from(r.start..r.end)
        });
        let source = from.array().expect("a block of the same dtype");
        view.assign(&source.slice_each_axis(|axis| {
            let r = &within[axis.axis.index()];
            Slice::from(r.start..r.end)
        }));
    });
}

/// `block` written over `values` at `region` (the same dtype).
pub(crate) fn put(values: &mut Values, region: &[Range<usize>], block: &Values) {
    crate::array::with_array!(values, a => {
        let mut view = a.slice_each_axis_mut(|axis| {
            let r = &region[axis.axis.index()];
            Slice::from(r.start..r.end)
        });
        view.assign(block.array().expect("a block of the same dtype"));
    });
}
