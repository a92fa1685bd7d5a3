//! `Variable`: values with named dimensions, attributes and on-disk encoding.

use indexmap::IndexMap;
use ndarray::{Axis, Slice};

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
/// assert_eq!(first.values().array::<f64>()?.as_slice(), Some(&[271.5, 272.0][..]));
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    dims: Vec<String>,
    values: Values,
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
    pub fn new<D, V>(dims: impl IntoIterator<Item = D>, values: V) -> Result<Self, Error>
    where
        D: Into<String>,
        V: Into<Values>,
    {
        let dims: Vec<String> = dims.into_iter().map(Into::into).collect();
        let values = values.into();
        if dims.len() != values.ndim() {
            return Err(Error::Shape(format!(
                "{} dimension names {:?} for values of shape {:?}",
                dims.len(),
                dims,
                values.shape()
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
            values,
            attrs: Attrs::new(),
            encoding: Attrs::new(),
        })
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
            .zip(self.values.shape().iter().copied())
            .collect()
    }

    /// The length of each dimension.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        self.values.shape()
    }

    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.values.dtype()
    }

    /// The values.
    #[must_use]
    pub fn values(&self) -> &Values {
        &self.values
    }

    /// The typed values, when the elements are `T`.
    pub fn array<T: Element>(&self) -> Result<&ndarray::ArrayD<T>, Error> {
        self.values.array()
    }

    /// Attributes (`units`, `long_name`, ...).
    #[must_use]
    pub fn attrs(&self) -> &Attrs {
        &self.attrs
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
                with_array!(&self.values, a => Values::from_array(a.index_axis(Axis(axis), p).to_owned()))
            }
            Selection::Slice { start, stop, step } => {
                if step == 0 {
                    return Err(Error::Shape(format!("slice step 0 on dimension `{dim}`")));
                }
                let slice = python_slice(start, stop, step, len);
                with_array!(&self.values, a => Values::from_array(a.slice_axis(Axis(axis), slice).to_owned()))
            }
            Selection::List(list) => {
                let positions = list
                    .into_iter()
                    .map(position)
                    .collect::<Result<Vec<_>, _>>()?;
                with_array!(&self.values, a => Values::from_array(a.select(Axis(axis), &positions)))
            }
        };
        Ok(Self {
            dims,
            values,
            attrs: self.attrs.clone(),
            encoding: self.encoding.clone(),
        })
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

impl<T: Element, D: ndarray::Dimension> From<ndarray::Array<T, D>> for Values {
    fn from(array: ndarray::Array<T, D>) -> Self {
        Self::from_array(array)
    }
}

impl<T: Element> From<Vec<T>> for Values {
    fn from(values: Vec<T>) -> Self {
        Self::from_vec(values)
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
        v.array::<f64>().unwrap().iter().copied().collect()
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
        assert!(Variable::new(["x"], grid().values().clone()).is_err());
        assert!(Variable::new(["x", "x"], grid().values().clone()).is_err());
    }
}
