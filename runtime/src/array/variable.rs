//! `Variable`: values with named dimensions, attributes and on-disk encoding.

use std::borrow::Cow;

use indexmap::IndexMap;
use ndarray::{Axis, Slice};

use super::data::Data;
use super::math::BinaryOp;
use super::reduce::Reduction;
use super::values::{Values, with_array};
use super::{DType, Element};
use crate::Error;

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
        debug_assert_eq!(dims.len(), values.ndim());
        Self {
            dims,
            data: Data::Eager(values),
            attrs: Attrs::new(),
            encoding: Attrs::new(),
        }
    }

    /// The same attributes and encoding around new values and dims.
    pub(crate) fn with_values(&self, dims: Vec<String>, values: Values) -> Self {
        Self {
            attrs: self.attrs.clone(),
            encoding: self.encoding.clone(),
            ..Self::from_values(dims, values)
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

    /// The typed values, when the elements are `T`; otherwise an error naming both
    /// dtypes.
    pub fn values<T: Element>(&self) -> Result<Cow<'_, ndarray::ArrayD<T>>, Error> {
        self.data.eager().array().map(Cow::Borrowed)
    }

    /// The untyped values, in memory.
    pub fn to_values(&self) -> Result<Cow<'_, Values>, Error> {
        Ok(Cow::Borrowed(self.data.eager()))
    }

    /// The untyped values in memory.
    pub(crate) fn eager(&self) -> &Values {
        self.data.eager()
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
        let values = match selection.into() {
            Selection::Index(i) => {
                let p = position(i)?;
                dims.remove(axis);
                with_array!(self.eager(), a => Values::from_array(a.index_axis(Axis(axis), p).to_owned()))
            }
            Selection::Slice { start, stop, step } => {
                if step == 0 {
                    return Err(Error::Shape(format!("slice step 0 on dimension `{dim}`")));
                }
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
        let values = with_array!(self.eager(), a => Values::from_array(
            a.view().permuted_axes(axes.as_slice()).as_standard_layout().into_owned()
        ));
        Ok(self.with_values(dims, values))
    }

    /// The values arranged for `dims` (a superset of this variable's dimensions, in any
    /// order): transposed to their order, with length-1 axes for the dimensions this
    /// variable lacks, ready to broadcast. No copy when nothing moves.
    pub(crate) fn arranged(&self, dims: &[String]) -> Cow<'_, Values> {
        if self.dims == dims {
            return Cow::Borrowed(self.eager());
        }
        let present: Vec<usize> = dims
            .iter()
            .filter_map(|d| self.dims.iter().position(|x| x == d))
            .collect();
        let shape: Vec<usize> = dims
            .iter()
            .map(|d| {
                self.dims
                    .iter()
                    .position(|x| x == d)
                    .map_or(1, |i| self.shape()[i])
            })
            .collect();
        Cow::Owned(with_array!(self.eager(), a => {
            let moved = a.view().permuted_axes(present.as_slice());
            let standard = moved.as_standard_layout();
            Values::from_array(standard.into_owned().into_shape_with_order(shape).expect("same length"))
        }))
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

    /// `self op other`, broadcast by dimension name (no attributes: the caller decides).
    pub fn binary(&self, op: BinaryOp, other: &Self) -> Result<Self, Error> {
        let dims = self.broadcast_dims(other)?;
        let values = self.arranged(&dims).binary(op, &other.arranged(&dims))?;
        Ok(Self::from_values(dims, values))
    }

    /// A float function of every value (integers become float64; float32 stays).
    pub(crate) fn map_float(&self, f: impl Fn(f64) -> f64 + Sync + Send) -> Result<Self, Error> {
        Ok(self.with_values(self.dims.clone(), self.eager().map_float(f)?))
    }

    /// Whether each value is missing (NaN or NaT); attributes stay, as in xarray.
    #[must_use]
    pub fn isnull(&self) -> Self {
        let mut out = Self::from_values(self.dims.clone(), self.eager().is_null());
        out.attrs.clone_from(&self.attrs);
        out
    }

    /// The values converted to `dtype` (numpy's `astype`).
    pub fn astype(&self, dtype: DType) -> Result<Self, Error> {
        Ok(self.with_values(self.dims.clone(), self.eager().cast(dtype)?))
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
        let values = self.eager().reduce(how, &axes, skipna)?;
        let dims = (0..self.ndim())
            .filter(|i| !axes.contains(i))
            .map(|i| self.dims[i].clone())
            .collect();
        let mut out = self.with_values(dims, values);
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
        let values: Vec<&Values> = parts.iter().map(Self::eager).collect();
        Ok(first.with_values(first.dims.clone(), Values::concat(&values, axis)?))
    }

    /// The same values with dimension `old` called `new`.
    pub(crate) fn rename_dim(&self, old: &str, new: &str) -> Self {
        let mut out = self.clone();
        for d in &mut out.dims {
            if d == old {
                new.clone_into(d);
            }
        }
        out
    }

    /// Positions `which` along `dim` when the variable has it (`None`: missing
    /// values); unchanged otherwise. What alignment does to every variable.
    pub(crate) fn reindexed(&self, dim: &str, which: &[Option<usize>]) -> Self {
        match self.axis(dim) {
            Ok(axis) => self.with_values(self.dims.clone(), self.eager().take(axis, which)),
            Err(_) => self.clone(),
        }
    }

    /// Positions `which` along `dim` (`None`: missing values).
    pub(crate) fn take(&self, dim: &str, which: &[Option<usize>]) -> Result<Self, Error> {
        let axis = self.axis(dim)?;
        Ok(self.with_values(self.dims.clone(), self.eager().take(axis, which)))
    }

    /// Running sums along `dim`.
    pub fn cumsum(&self, dim: &str, skipna: bool) -> Result<Self, Error> {
        let axis = self.axis(dim)?;
        Ok(self.with_values(self.dims.clone(), self.eager().cumsum(axis, skipna)?))
    }
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
