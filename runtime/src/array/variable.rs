//! `Variable`: values with named dimensions, attributes and on-disk encoding.

use std::borrow::Cow;

use indexmap::IndexMap;
use ndarray::{Axis, Slice};

use super::data::Data;
use super::math::{BinaryOp, FloatFn};
use super::reduce::Reduction;
use super::values::{Values, with_array};
use super::{DType, Element};
use crate::Error;
use crate::compute::{Elementwise, Lazy};

/// Attributes and encodings: ordered, JSON-valued, as netCDF and Zarr store them.
pub type Attrs = IndexMap<String, serde_json::Value>;

/// An array whose dimensions have names, like `xarray.Variable`.
///
/// ```
/// use rangeo::array::Variable;
/// let t = Variable::new(["time", "lat"], ndarray::arr2(&[[271.5, 272.0], [273.1, 270.9]]))?;
/// assert_eq!(t.dims(), ["time", "lat"]);
/// assert_eq!(t.sizes(), [("time", 2), ("lat", 2)]);
/// let first = t.isel("time", 0)?;
/// assert_eq!(first.dims(), ["lat"]);
/// assert_eq!(first.values::<f64>()?.as_slice(), Some(&[271.5, 272.0][..]));
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    dims: Vec<String>,
    data: Data,
    attrs: Attrs,
    encoding: Attrs,
}

/// Which positions of one dimension to take: an index (the dimension goes away), a
/// slice or a list of indexes (it stays). Negative indexes count from the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// One position.
    Index(isize),
    /// `start..stop` by `step` (`None` ends are open).
    Slice {
        /// First position.
        start: Option<isize>,
        /// Position after the last.
        stop: Option<isize>,
        /// Stride (not 0).
        step: isize,
    },
    /// Positions in this order.
    List(Vec<isize>),
}

impl From<isize> for Selection {
    fn from(index: isize) -> Self {
        Self::Index(index)
    }
}

impl From<i32> for Selection {
    fn from(index: i32) -> Self {
        Self::Index(index as isize)
    }
}

impl From<std::ops::Range<isize>> for Selection {
    fn from(range: std::ops::Range<isize>) -> Self {
        Self::Slice {
            start: Some(range.start),
            stop: Some(range.end),
            step: 1,
        }
    }
}

impl From<std::ops::Range<i32>> for Selection {
    fn from(range: std::ops::Range<i32>) -> Self {
        Self::from(range.start as isize..range.end as isize)
    }
}

impl From<std::ops::Range<usize>> for Selection {
    /// Positions counted with `usize` (lengths, `len()`), as `isel` takes them.
    #[allow(
        clippy::cast_possible_wrap,
        reason = "positions fit in memory addresses"
    )]
    fn from(range: std::ops::Range<usize>) -> Self {
        Self::from(range.start as isize..range.end as isize)
    }
}

impl From<std::ops::RangeFrom<i32>> for Selection {
    /// `start..`: from `start` to the end (negative counts from the end).
    fn from(range: std::ops::RangeFrom<i32>) -> Self {
        Self::Slice {
            start: Some(range.start as isize),
            stop: None,
            step: 1,
        }
    }
}

impl From<std::ops::RangeTo<i32>> for Selection {
    /// `..stop`: from the start to `stop` (negative counts from the end).
    fn from(range: std::ops::RangeTo<i32>) -> Self {
        Self::Slice {
            start: None,
            stop: Some(range.end as isize),
            step: 1,
        }
    }
}

impl From<Vec<isize>> for Selection {
    fn from(list: Vec<isize>) -> Self {
        Self::List(list)
    }
}

impl From<Vec<i32>> for Selection {
    fn from(list: Vec<i32>) -> Self {
        Self::List(list.into_iter().map(|i| i as isize).collect())
    }
}

impl Variable {
    /// Values with one name per dimension.
    pub fn new<D, V>(dims: impl IntoIterator<Item = D>, data: V) -> Result<Self, Error>
    where
        D: Into<String>,
        V: Into<Data>,
    {
        let dims: Vec<String> = dims.into_iter().map(Into::into).collect();
        let data = data.into();
        if dims.len() != data.shape().len() {
            return Err(Error::Shape(format!(
                "{} dimension names {:?} for values of shape {:?}",
                dims.len(),
                dims,
                data.shape()
            )));
        }
        if let Some(dup) = dims
            .iter()
            .enumerate()
            .find_map(|(i, d)| dims[..i].contains(d).then_some(d))
        {
            return Err(Error::Shape(format!(
                "dimension `{dup}` appears twice in {dims:?}"
            )));
        }
        Ok(Self {
            dims,
            data,
            attrs: Attrs::new(),
            encoding: Attrs::new(),
        })
    }

    /// A variable without dimensions holding one value.
    #[must_use]
    pub fn scalar<T: Element>(value: T) -> Self {
        Self::from_values(Vec::new(), Values::scalar(value))
    }

    /// `values` with `dims`, whose count the caller has checked.
    pub(crate) fn from_values(dims: Vec<String>, values: Values) -> Self {
        Self::from_data(dims, Data::Eager(values))
    }

    /// `data` with `dims`, whose count the caller has checked.
    pub(crate) fn from_data(dims: Vec<String>, data: Data) -> Self {
        debug_assert_eq!(dims.len(), data.shape().len());
        Self {
            dims,
            data,
            attrs: Attrs::new(),
            encoding: Attrs::new(),
        }
    }

    /// The same attributes and encoding around new values and dims.
    pub(crate) fn with_values(&self, dims: Vec<String>, values: Values) -> Self {
        self.with_data(dims, Data::Eager(values))
    }

    /// The same attributes and encoding around new data and dims.
    pub(crate) fn with_data(&self, dims: Vec<String>, data: impl Into<Data>) -> Self {
        Self {
            attrs: self.attrs.clone(),
            encoding: self.encoding.clone(),
            ..Self::from_data(dims, data.into())
        }
    }

    /// The dimension names, in order.
    #[must_use]
    pub fn dims(&self) -> &[String] {
        &self.dims
    }

    /// Each dimension with its length.
    #[must_use]
    pub fn sizes(&self) -> Vec<(&str, usize)> {
        self.dims
            .iter()
            .map(String::as_str)
            .zip(self.shape().iter().copied())
            .collect()
    }

    /// The length of each dimension.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        self.data.shape()
    }

    /// The number of dimensions.
    #[must_use]
    pub fn ndim(&self) -> usize {
        self.dims.len()
    }

    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.data.dtype()
    }

    /// The data.
    #[must_use]
    pub fn data(&self) -> &Data {
        &self.data
    }

    /// The plan, when the data is lazy.
    pub(crate) fn lazy(&self) -> Option<&Lazy> {
        self.data.lazy()
    }

    /// The typed values, when the elements are `T` (computed first when lazy);
    /// otherwise an error naming both dtypes.
    pub fn values<T: Element>(&self) -> Result<Cow<'_, ndarray::ArrayD<T>>, Error> {
        match self.to_values()? {
            Cow::Borrowed(values) => values.array().map(Cow::Borrowed),
            Cow::Owned(values) => values.into_array().map(Cow::Owned),
        }
    }

    /// The untyped values in memory (computed first when lazy).
    pub fn to_values(&self) -> Result<Cow<'_, Values>, Error> {
        match &self.data {
            Data::Eager(values) => Ok(Cow::Borrowed(values)),
            Data::Lazy(lazy) => Ok(Cow::Owned(lazy.compute()?)),
        }
    }

    /// The calendar and tick size of time values (from the plan's element type when
    /// lazy).
    pub(crate) fn clock(&self) -> Option<super::calendar::Clock> {
        match &self.data {
            Data::Eager(values) => values.clock(),
            Data::Lazy(lazy) => lazy.meta().clock(),
        }
    }

    /// The untyped values of data that is never lazy (indexes, coordinates).
    pub(crate) fn eager(&self) -> &Values {
        self.data.eager()
    }

    /// The same variable with its data computed into memory (unchanged when it is not
    /// lazy), like xarray's `compute`.
    pub fn compute(&self) -> Result<Self, Error> {
        Ok(self.with_data(self.dims.clone(), self.to_values()?.into_owned()))
    }

    /// The same variable cut into chunks of `sizes` along the dimensions given
    /// (dimensions not given keep their chunks, or stay whole): its data becomes lazy.
    pub fn chunk<'a>(
        &self,
        sizes: impl IntoIterator<Item = (&'a str, usize)>,
    ) -> Result<Self, Error> {
        let mut lengths: Vec<Vec<usize>> = match &self.data {
            Data::Lazy(lazy) => lazy.chunks().lengths().to_vec(),
            Data::Eager(values) => values.shape().iter().map(|&n| vec![n]).collect(),
        };
        for (dim, size) in sizes {
            let axis = self.axis(dim)?;
            lengths[axis] = crate::compute::Chunks::regular(&[self.shape()[axis]], &[size])
                .dim(0)
                .to_vec();
        }
        let chunks = crate::compute::Chunks::from_lengths(self.shape(), lengths)?;
        let lazy = match &self.data {
            Data::Lazy(lazy) => lazy.rechunk(&chunks),
            Data::Eager(values) => Lazy::from_values(values.clone(), chunks)?,
        };
        Ok(self.with_data(self.dims.clone(), lazy))
    }

    /// Attributes (`units`, `long_name`, ...).
    #[must_use]
    pub fn attrs(&self) -> &Attrs {
        &self.attrs
    }

    /// The same variable with `attrs` as its attributes.
    #[must_use]
    pub fn with_attrs(mut self, attrs: Attrs) -> Self {
        self.attrs = attrs;
        self
    }

    /// Attributes, to change.
    pub fn attrs_mut(&mut self) -> &mut Attrs {
        &mut self.attrs
    }

    /// How the values are stored on disk (`_FillValue`, `scale_factor`, `dtype`, ...).
    #[must_use]
    pub fn encoding(&self) -> &Attrs {
        &self.encoding
    }

    /// The encoding, to change.
    pub fn encoding_mut(&mut self) -> &mut Attrs {
        &mut self.encoding
    }

    /// The position of dimension `dim`, or an error listing the dimensions there are.
    pub fn axis(&self, dim: &str) -> Result<usize, Error> {
        self.dims
            .iter()
            .position(|d| d == dim)
            .ok_or_else(|| Error::Dimension {
                dim: dim.to_owned(),
                dims: self.dims.clone(),
            })
    }

    /// Positions `selection` of dimension `dim`, like xarray's `isel`.
    pub fn isel(&self, dim: &str, selection: impl Into<Selection>) -> Result<Self, Error> {
        let axis = self.axis(dim)?;
        let len = self.shape()[axis];
        let position = |i: isize| -> Result<usize, Error> {
            let p = if i < 0 { i + len.cast_signed() } else { i };
            usize::try_from(p)
                .ok()
                .filter(|&p| p < len)
                .ok_or_else(|| Error::Index {
                    dim: dim.to_owned(),
                    index: i,
                    len,
                })
        };
        let mut dims = self.dims.clone();
        let selection = selection.into();
        if let Selection::Slice { step: 0, .. } = selection {
            return Err(Error::Shape(format!("slice step 0 on dimension `{dim}`")));
        }
        if let Data::Lazy(lazy) = &self.data {
            let (positions, drop) = match selection {
                Selection::Index(i) => (vec![position(i)?], true),
                Selection::Slice { start, stop, step } => {
                    (slice_positions(start, stop, step, len), false)
                }
                Selection::List(list) => (
                    list.into_iter()
                        .map(position)
                        .collect::<Result<Vec<_>, _>>()?,
                    false,
                ),
            };
            let mut lazy = lazy.select(axis, positions.into_iter().map(Some).collect());
            if drop {
                dims.remove(axis);
                lazy = lazy.arrange((0..self.ndim()).filter(|&a| a != axis).map(Some).collect());
            }
            return Ok(self.with_data(dims, lazy));
        }
        let values = match selection {
            Selection::Index(i) => {
                let p = position(i)?;
                dims.remove(axis);
                with_array!(self.eager(), a => Values::from_array(a.index_axis(Axis(axis), p).to_owned()))
            }
            Selection::Slice { start, stop, step } => {
                let slice = python_slice(start, stop, step, len);
                with_array!(self.eager(), a => Values::from_array(a.slice_axis(Axis(axis), slice).to_owned()))
            }
            Selection::List(list) => {
                let positions = list
                    .into_iter()
                    .map(position)
                    .collect::<Result<Vec<_>, _>>()?;
                self.eager().select(axis, &positions)
            }
        };
        Ok(self.with_values(dims, values))
    }
}

impl Variable {
    /// The same values with the dimensions in `order` (every dimension, once).
    pub fn transpose<D: AsRef<str>>(&self, order: &[D]) -> Result<Self, Error> {
        let axes = order
            .iter()
            .map(|d| self.axis(d.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut sorted = axes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != self.ndim() || axes.len() != self.ndim() {
            return Err(Error::Shape(format!(
                "transpose needs each of the dimensions {:?} once, got {:?}",
                self.dims,
                order.iter().map(AsRef::as_ref).collect::<Vec<_>>()
            )));
        }
        let dims = axes.iter().map(|&i| self.dims[i].clone()).collect();
        if let Data::Lazy(lazy) = &self.data {
            return Ok(self.with_data(dims, lazy.arrange(axes.into_iter().map(Some).collect())));
        }
        let values = with_array!(self.eager(), a => Values::from_array(
            a.view().permuted_axes(axes.as_slice()).as_standard_layout().into_owned()
        ));
        Ok(self.with_values(dims, values))
    }

    /// Where each of `dims` (a superset of this variable's dimensions) comes from:
    /// one of this variable's axes, or a new axis of length 1.
    fn arrangement(&self, dims: &[String]) -> Vec<Option<usize>> {
        dims.iter()
            .map(|d| self.dims.iter().position(|x| x == d))
            .collect()
    }

    /// The values arranged for `dims` (a superset of this variable's dimensions, in any
    /// order): transposed to their order, with length-1 axes for the dimensions this
    /// variable lacks, ready to broadcast. No copy when nothing moves.
    pub(crate) fn arranged(&self, dims: &[String]) -> Cow<'_, Values> {
        if self.dims == dims {
            return Cow::Borrowed(self.eager());
        }
        let shape: Vec<usize> = self
            .arrangement(dims)
            .iter()
            .map(|a| a.map_or(1, |i| self.shape()[i]))
            .collect();
        Cow::Owned(crate::compute::arrange_block(
            self.eager(),
            &self.arrangement(dims),
            &shape,
        ))
    }

    /// The data arranged for `dims` as [`arranged`](Self::arranged) does, lazily;
    /// values in memory are cut like `like` where they share its lengths.
    fn arranged_lazy(&self, dims: &[String], like: &Lazy) -> Result<Lazy, Error> {
        match &self.data {
            Data::Lazy(lazy) => Ok(lazy.arrange(self.arrangement(dims))),
            Data::Eager(_) => {
                let values = self.arranged(dims).into_owned();
                let lengths = (0..values.ndim())
                    .map(|a| {
                        let len = values.shape()[a];
                        match like.shape().get(a) {
                            Some(&n) if n == len && like.ndim() == values.ndim() => {
                                like.chunks().dim(a).to_vec()
                            }
                            _ => vec![len],
                        }
                    })
                    .collect();
                let chunks = crate::compute::Chunks::from_lengths(values.shape(), lengths)?;
                Lazy::from_values(values, chunks)
            }
        }
    }

    /// The dimensions and sizes of a result combining `self` and `other`: this
    /// variable's dimensions, then the other's new ones (xarray's order). Sizes must
    /// agree.
    pub(crate) fn broadcast_dims(&self, other: &Self) -> Result<Vec<String>, Error> {
        let mut dims = self.dims.clone();
        for (dim, size) in other.sizes() {
            match self.sizes().iter().find(|(d, _)| *d == dim) {
                Some(&(_, mine)) if mine != size => {
                    return Err(Error::Align(format!(
                        "cannot broadcast dimension `{dim}`: it has size {mine} in one operand and {size} in the other"
                    )));
                }
                Some(_) => {}
                None => dims.push(dim.to_owned()),
            }
        }
        Ok(dims)
    }

    /// An element-by-element step over `inputs`, all arranged for `dims`: lazy when any
    /// input is.
    pub(crate) fn elementwise(
        op: Elementwise,
        inputs: &[&Self],
        dims: Vec<String>,
    ) -> Result<Self, Error> {
        // The lazy input with the most dimensions sets the chunks for the others.
        let widest = inputs
            .iter()
            .filter_map(|v| v.lazy().map(|l| (v, l)))
            .max_by_key(|(v, _)| v.ndim());
        if let Some((v, lazy)) = widest {
            let like = lazy.arrange(v.arrangement(&dims));
            let lazies = inputs
                .iter()
                .map(|v| v.arranged_lazy(&dims, &like))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Self::from_data(dims, Lazy::map(op, &lazies)?.into()));
        }
        let arranged = inputs.iter().map(|v| v.arranged(&dims)).collect();
        Ok(Self::from_values(dims, op.apply(arranged)?))
    }

    /// `self op other`, broadcast by dimension name (no attributes: the caller decides).
    pub fn binary(&self, op: BinaryOp, other: &Self) -> Result<Self, Error> {
        let dims = self.broadcast_dims(other)?;
        Self::elementwise(Elementwise::Binary(op), &[self, other], dims)
    }

    /// A one-input element-by-element step, keeping attributes.
    fn unary(&self, op: Elementwise) -> Result<Self, Error> {
        let out = Self::elementwise(op, &[self], self.dims.clone())?;
        Ok(self.with_data(out.dims, out.data))
    }

    /// A float function of every value (integers become float64; float32 stays).
    pub(crate) fn map_float(&self, f: FloatFn) -> Result<Self, Error> {
        self.unary(Elementwise::Float(f))
    }

    /// Absolute values, in the same dtype.
    pub(crate) fn abs(&self) -> Result<Self, Error> {
        self.unary(Elementwise::Abs)
    }

    /// The real parts of complex values (other numbers are their own).
    pub fn real(&self) -> Result<Self, Error> {
        self.unary(Elementwise::Part(false))
    }

    /// The imaginary parts of complex values (zeros for other numbers).
    pub fn imag(&self) -> Result<Self, Error> {
        self.unary(Elementwise::Part(true))
    }

    /// The complex conjugates (other numbers are their own).
    pub fn conj(&self) -> Result<Self, Error> {
        self.unary(Elementwise::Conj)
    }

    /// Whether each value is missing (NaN or NaT); attributes stay, as in xarray.
    #[must_use]
    pub fn isnull(&self) -> Self {
        self.unary(Elementwise::IsNull)
            .expect("every dtype knows its missing values")
    }

    /// The values converted to `dtype` (numpy's `astype`).
    pub fn astype(&self, dtype: DType) -> Result<Self, Error> {
        self.unary(Elementwise::Cast(dtype))
    }

    /// `self` where `cond` holds, `other` elsewhere, all arranged for `dims`.
    pub(crate) fn choose(
        &self,
        cond: &Self,
        other: &Self,
        dims: Vec<String>,
    ) -> Result<Self, Error> {
        let out = Self::elementwise(Elementwise::Choose, &[self, cond, other], dims)?;
        Ok(self.with_data(out.dims, out.data))
    }

    /// Reduces `dims` (all of them when empty), skipping NaN when `skipna`; attributes
    /// are kept, as xarray keeps them.
    pub fn reduce<D: AsRef<str>>(
        &self,
        how: Reduction,
        dims: &[D],
        skipna: bool,
    ) -> Result<Self, Error> {
        let mut axes = dims
            .iter()
            .map(|d| self.axis(d.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if dims.is_empty() {
            axes = (0..self.ndim()).collect();
        }
        axes.sort_unstable();
        axes.dedup();
        if matches!(how, Reduction::ArgMin | Reduction::ArgMax) && axes.len() != 1 {
            return Err(Error::Operation(format!(
                "{} needs exactly one dimension, got {:?}",
                how.name(),
                axes.iter().map(|&i| &self.dims[i]).collect::<Vec<_>>()
            )));
        }
        let data: Data = match &self.data {
            Data::Lazy(lazy) => lazy.reduce(how, &axes, skipna)?.into(),
            Data::Eager(values) => values.reduce(how, &axes, skipna)?.into(),
        };
        let dims = (0..self.ndim())
            .filter(|i| !axes.contains(i))
            .map(|i| self.dims[i].clone())
            .collect();
        let mut out = self.with_data(dims, data);
        out.encoding.clear();
        Ok(out)
    }

    /// The same values with a new dimension `dim` of length 1 at position `axis`.
    pub fn expand_dims(&self, dim: &str, axis: usize) -> Result<Self, Error> {
        if self.dims.iter().any(|d| d == dim) {
            return Err(Error::Shape(format!("dimension `{dim}` already exists")));
        }
        if axis > self.ndim() {
            return Err(Error::Shape(format!(
                "cannot insert `{dim}` at position {axis} of {} dimensions",
                self.ndim()
            )));
        }
        let mut dims = self.dims.clone();
        dims.insert(axis, dim.to_owned());
        if let Data::Lazy(lazy) = &self.data {
            let mut order: Vec<Option<usize>> = (0..self.ndim()).map(Some).collect();
            order.insert(axis, None);
            return Ok(self.with_data(dims, lazy.arrange(order)));
        }
        let values =
            with_array!(self.eager(), a => Values::from_array(a.clone().insert_axis(Axis(axis))));
        Ok(self.with_values(dims, values))
    }

    /// Variables joined along their existing dimension `dim` (the first one's
    /// attributes; dims must match in order).
    pub fn concat(parts: &[Self], dim: &str) -> Result<Self, Error> {
        let first = parts
            .first()
            .ok_or_else(|| Error::Shape("nothing to concatenate".into()))?;
        let axis = first.axis(dim)?;
        if let Some(other) = parts.iter().find(|p| p.dims != first.dims) {
            return Err(Error::Shape(format!(
                "cannot concatenate along `{dim}` variables with dimensions {:?} and {:?}",
                first.dims, other.dims
            )));
        }
        if let Some(like) = parts.iter().find_map(Self::lazy) {
            let lazies = parts
                .iter()
                .map(|p| p.arranged_lazy(&first.dims, like))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(first.with_data(first.dims.clone(), Lazy::concat(&lazies, axis)?));
        }
        let values: Vec<&Values> = parts.iter().map(Self::eager).collect();
        Ok(first.with_values(first.dims.clone(), Values::concat(&values, axis)?))
    }

    /// The same values with each dimension called `old` in `names` called its `new`,
    /// all at once (so two dimensions can swap names).
    pub(crate) fn rename_dims(&self, names: &[(&str, &str)]) -> Self {
        let mut out = self.clone();
        for d in &mut out.dims {
            let new = renamed(names, d);
            if new != d {
                *d = new.to_owned();
            }
        }
        out
    }

    /// Positions `which` along `dim` when the variable has it (`None`: missing
    /// values); unchanged otherwise. What alignment does to every variable.
    pub(crate) fn reindexed(&self, dim: &str, which: &[Option<usize>]) -> Self {
        self.take(dim, which).unwrap_or_else(|_| self.clone())
    }

    /// Positions `which` along `dim` (`None`: missing values).
    pub(crate) fn take(&self, dim: &str, which: &[Option<usize>]) -> Result<Self, Error> {
        let axis = self.axis(dim)?;
        Ok(match &self.data {
            Data::Lazy(lazy) => {
                self.with_data(self.dims.clone(), lazy.select(axis, which.to_vec()))
            }
            Data::Eager(values) => self.with_values(self.dims.clone(), values.take(axis, which)),
        })
    }

    /// Running sums along `dim`.
    pub fn cumsum(&self, dim: &str, skipna: bool) -> Result<Self, Error> {
        let axis = self.axis(dim)?;
        Ok(self.with_values(self.dims.clone(), self.to_values()?.cumsum(axis, skipna)?))
    }
}

/// The positions Python's `start:stop:step` takes from `len` items.
fn slice_positions(
    start: Option<isize>,
    stop: Option<isize>,
    stride: isize,
    len: usize,
) -> Vec<usize> {
    let slice = python_slice(start, stop, stride, len);
    let positions: Vec<usize> = (0..len).collect();
    ndarray::ArrayView1::from(&positions)
        .slice_axis(Axis(0), slice)
        .to_vec()
}

/// The ndarray slice that takes what Python's `start:stop:step` takes from `len` items
/// (ends clamped; with a negative step, from `start` down to just after `stop`).
fn python_slice(start: Option<isize>, stop: Option<isize>, stride: isize, len: usize) -> Slice {
    let len = len.cast_signed();
    let normal = |i: isize| if i < 0 { i + len } else { i };
    if stride > 0 {
        let lo = start.map_or(0, |i| normal(i).clamp(0, len));
        let hi = stop.map_or(len, |i| normal(i).clamp(0, len));
        Slice::new(lo, Some(hi.max(lo)), stride)
    } else {
        // ndarray walks `lo..hi` backwards: Python's `start` is its last element.
        let first = start.map_or(len - 1, |i| normal(i).clamp(-1, len - 1));
        let last = stop.map_or(-1, |i| normal(i).clamp(-1, len - 1));
        let (lo, hi) = (last + 1, first + 1);
        Slice::new(lo, Some(hi.max(lo)), stride)
    }
}

impl<T: Element, D: ndarray::Dimension> From<ndarray::Array<T, D>> for Data {
    fn from(array: ndarray::Array<T, D>) -> Self {
        Self::Eager(Values::from_array(array))
    }
}

impl<T: Element> From<Vec<T>> for Data {
    fn from(values: Vec<T>) -> Self {
        Self::Eager(Values::from_vec(values))
    }
}

/// What `name` is called after `names` (pairs of old and new names) are applied.
pub(crate) fn renamed<'a>(names: &[(&str, &'a str)], name: &'a str) -> &'a str {
    names
        .iter()
        .find(|(old, _)| *old == name)
        .map_or(name, |(_, new)| new)
}

/// Checks that no two of `names` (all of one kind: dimensions, or variables and
/// coordinates) end up with one name once `renames` are applied, as xarray refuses.
pub(crate) fn check_renames<'a>(
    renames: &[(&str, &'a str)],
    names: impl IntoIterator<Item = &'a str>,
) -> Result<(), Error> {
    let mut seen: Vec<&str> = Vec::new();
    for name in names {
        let new = renamed(renames, name);
        if seen.contains(&new) {
            return Err(Error::Label(format!(
                "cannot rename to `{new}`: the new name conflicts with another name \
                 (rename that one too, to swap names)"
            )));
        }
        seen.push(new);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Variable {
        let values = ndarray::Array::from_shape_fn((3, 4), |(i, j)| (10 * i + j) as f64);
        Variable::new(["lat", "lon"], values).unwrap()
    }

    fn floats(v: &Variable) -> Vec<f64> {
        v.values::<f64>().unwrap().iter().copied().collect()
    }

    #[test]
    fn isel_takes_indexes_slices_and_lists_like_numpy() {
        let v = grid();
        assert_eq!(
            floats(&v.isel("lat", -1).unwrap()),
            [20.0, 21.0, 22.0, 23.0]
        );
        let s = v.isel("lon", 1..10).unwrap();
        assert_eq!(s.sizes(), [("lat", 3), ("lon", 3)]);
        let back = v
            .isel(
                "lon",
                Selection::Slice {
                    start: None,
                    stop: None,
                    step: -2,
                },
            )
            .unwrap();
        assert_eq!(floats(&back.isel("lat", 0).unwrap()), [3.0, 1.0]);
        let down = v
            .isel(
                "lon",
                Selection::Slice {
                    start: Some(3),
                    stop: Some(0),
                    step: -1,
                },
            )
            .unwrap();
        assert_eq!(
            floats(&down.isel("lat", 0).unwrap()),
            [3.0, 2.0, 1.0],
            "as Python's [3:0:-1]"
        );
        #[allow(
            clippy::reversed_empty_ranges,
            reason = "an empty selection, on purpose"
        )]
        let empty = v.isel("lon", 3..1).unwrap();
        assert_eq!(empty.shape(), [3, 0]);
        assert_eq!(v.isel("lon", -2..-1).unwrap().shape(), [3, 1]);
        assert_eq!(
            floats(&v.isel("lat", vec![2, 0]).unwrap().isel("lon", 0).unwrap()),
            [20.0, 0.0]
        );
    }

    #[test]
    fn errors_name_the_dimension_and_the_index() {
        let v = grid();
        assert_eq!(
            v.isel("time", 0).unwrap_err().to_string(),
            "no dimension `time`; the dimensions are lat, lon"
        );
        assert_eq!(
            v.isel("lat", 3).unwrap_err().to_string(),
            "index 3 is out of bounds for dimension `lat` of length 3"
        );
        assert!(Variable::new(["x"], grid().data().clone()).is_err());
        assert!(Variable::new(["x", "x"], grid().data().clone()).is_err());
    }
}
