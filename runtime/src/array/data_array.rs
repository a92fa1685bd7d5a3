//! `DataArray`: a variable with a name and coordinates, the type a notebook works with.

use std::borrow::Cow;

use super::align::Alignable;
use super::coords::{Coordinates, IntoCoord};
use super::data::Data;
use super::dtype::{DType, Element};
use super::index::{Index, Matching, Method, Selector};
use super::variable::{Attrs, Selection, Variable};
use crate::Error;

/// Labelled, n-dimensional data, like `xarray.DataArray`.
///
/// ```
/// use rangeo::prelude::*;
/// let air = DataArray::new(["time", "lat"], ndarray::arr2(&[[240.0, 242.5], [243.0, 244.0]]))?
///     .with_name("air")
///     .assign_coords("lat", vec![75.0, 72.5])?
///     .assign_attrs([("units", "degK")]);
/// let north = air.sel("lat", 75.0)?;
/// assert_eq!(north.dims(), ["time"]);
/// assert_eq!(north.to_vec::<f64>()?, [240.0, 243.0]);
/// assert_eq!(air.mean("time")?.to_vec::<f64>()?, [241.5, 243.25]);
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DataArray {
    name: Option<String>,
    variable: Variable,
    coords: Coordinates,
}

/// Dimension names for a reduction: one (`"time"`), several (`["lat", "lon"]`), or
/// all of them (`..`).
pub trait Dims {
    /// The names; empty means every dimension.
    fn into_names(self) -> Vec<String>;
}

impl Dims for &str {
    fn into_names(self) -> Vec<String> {
        vec![self.to_owned()]
    }
}

impl Dims for String {
    fn into_names(self) -> Vec<String> {
        vec![self]
    }
}

impl<const N: usize> Dims for [&str; N] {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|d| (*d).to_owned()).collect()
    }
}

impl Dims for &[&str] {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|d| (*d).to_owned()).collect()
    }
}

impl Dims for Vec<String> {
    fn into_names(self) -> Vec<String> {
        self
    }
}

impl Dims for std::ops::RangeFull {
    fn into_names(self) -> Vec<String> {
        Vec::new()
    }
}

impl DataArray {
    /// Data with one name per dimension, no coordinates yet.
    pub fn new<D: Into<String>>(
        dims: impl IntoIterator<Item = D>,
        data: impl Into<Data>,
    ) -> Result<Self, Error> {
        Ok(Self::from_variable(Variable::new(dims, data)?))
    }

    /// An unnamed array around a variable.
    #[must_use]
    pub fn from_variable(variable: Variable) -> Self {
        Self {
            name: None,
            variable,
            coords: Coordinates::default(),
        }
    }

    /// The parts, for the crate's own constructors.
    pub(crate) fn from_parts(
        name: Option<String>,
        variable: Variable,
        coords: Coordinates,
    ) -> Self {
        Self {
            name,
            variable,
            coords,
        }
    }

    /// The same array called `name`.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds (or replaces) coordinate `name`; values given without dimensions lie along
    /// the dimension called `name`.
    pub fn assign_coords(
        mut self,
        name: impl Into<String>,
        coord: impl IntoCoord,
    ) -> Result<Self, Error> {
        let name = name.into();
        let variable = coord.into_coord(&name)?;
        for (dim, size) in variable.sizes() {
            match self.variable.sizes().iter().find(|(d, _)| *d == dim) {
                None => {
                    return Err(Error::Shape(format!(
                        "coordinate `{name}` is along `{dim}`, which is not a dimension of the array ({})",
                        self.dims().join(", ")
                    )));
                }
                Some(&(_, mine)) if mine != size => {
                    return Err(Error::Shape(format!(
                        "coordinate `{name}` has {size} values along `{dim}`, whose size is {mine}"
                    )));
                }
                Some(_) => {}
            }
        }
        self.coords.insert(name, variable)?;
        Ok(self)
    }

    /// Adds attributes (`units`, `long_name`, ...).
    #[must_use]
    pub fn assign_attrs<K, V>(mut self, attrs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<serde_json::Value>,
    {
        let own = self.variable.attrs_mut();
        for (k, v) in attrs {
            own.insert(k.into(), v.into());
        }
        self
    }

    /// The name, if any.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The dimension names, in order.
    #[must_use]
    pub fn dims(&self) -> &[String] {
        self.variable.dims()
    }

    /// Each dimension with its length.
    #[must_use]
    pub fn sizes(&self) -> Vec<(&str, usize)> {
        self.variable.sizes()
    }

    /// The length of each dimension.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        self.variable.shape()
    }

    /// The number of dimensions.
    #[must_use]
    pub fn ndim(&self) -> usize {
        self.variable.ndim()
    }

    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.variable.dtype()
    }

    /// The data.
    #[must_use]
    pub fn data(&self) -> &Data {
        self.variable.data()
    }

    /// The typed values, when the elements are `T`.
    pub fn values<T: Element>(&self) -> Result<Cow<'_, ndarray::ArrayD<T>>, Error> {
        self.variable.values()
    }

    /// All values in order (the last dimension varying fastest), when they are `T`.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>, Error> {
        Ok(self.values::<T>()?.iter().cloned().collect())
    }

    /// The one value of a 0-dimensional array (or of an array with one element).
    pub fn item<T: Element>(&self) -> Result<T, Error> {
        let values = self.values::<T>()?;
        match values.len() {
            1 => Ok(values.iter().next().expect("one value").clone()),
            n => Err(Error::Shape(format!(
                "item() needs exactly one value; this array has {n} (shape {:?})",
                self.shape()
            ))),
        }
    }

    /// The variable: data, dims, attrs and encoding without name or coordinates.
    #[must_use]
    pub fn variable(&self) -> &Variable {
        &self.variable
    }

    /// Attributes.
    #[must_use]
    pub fn attrs(&self) -> &Attrs {
        self.variable.attrs()
    }

    /// How the data are stored on disk.
    #[must_use]
    pub fn encoding(&self) -> &Attrs {
        self.variable.encoding()
    }

    /// The coordinates.
    #[must_use]
    pub fn coords(&self) -> &Coordinates {
        &self.coords
    }

    /// Coordinate `name` as an array, with the coordinates that lie along its
    /// dimensions (xarray's `da["lat"]`).
    pub fn coord(&self, name: &str) -> Result<DataArray, Error> {
        let variable = self.coords.get(name).ok_or_else(|| {
            Error::Label(format!(
                "no coordinate `{name}`; the coordinates are {}",
                self.coords.names().collect::<Vec<_>>().join(", ")
            ))
        })?;
        let coords = self
            .coords
            .filtered(|_, c| c.dims().iter().all(|d| variable.dims().contains(d)));
        Ok(Self::from_parts(
            Some(name.to_owned()),
            variable.clone(),
            coords,
        ))
    }

    /// The index of `dim`, when it has a dimension coordinate.
    #[must_use]
    pub fn index(&self, dim: &str) -> Option<&Index> {
        self.coords.index(dim)
    }

    /// The same coordinates and name around another variable.
    pub(crate) fn with_variable(&self, variable: Variable) -> Self {
        let coords = self
            .coords
            .filtered(|_, c| c.dims().iter().all(|d| variable.dims().contains(d)));
        Self::from_parts(self.name.clone(), variable, coords)
    }

    /// Positions `selection` of `dim`, like xarray's `isel`.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let first = air.isel("lat", 0)?;
    /// assert_eq!(first.dims(), ["lon"]);
    /// assert_eq!(air.isel("lon", 1..3)?.shape(), [2, 2]);
    /// assert_eq!(air.isel("lon", vec![2, 0])?.coord("lon")?.to_vec::<f64>()?, [205.0, 200.0]);
    /// assert!(air.isel("lat", 5).is_err());
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn isel(&self, dim: &str, selection: impl Into<Selection>) -> Result<Self, Error> {
        let selection = selection.into();
        Ok(Self::from_parts(
            self.name.clone(),
            self.variable.isel(dim, selection.clone())?,
            self.coords.isel(dim, &selection)?,
        ))
    }

    /// Labels `selector` of `dim`, like xarray's `sel`: a label drops the dimension,
    /// a range `a..=b` keeps both ends, a list keeps its order. Dates may be partial
    /// ("2013-05" is the month).
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.sel("lat", 70.0)?.sel("lon", 205.0)?.item::<f64>()?, 6.0);
    /// // Ranges include both ends and follow the index's order (descending here).
    /// assert_eq!(air.sel("lat", 80.0..=72.0)?.coord("lat")?.to_vec::<f64>()?, [75.0]);
    /// let error = air.sel("lat", 71.0).unwrap_err().to_string();
    /// assert!(error.contains("71.0 is not in the index of `lat`"));
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn sel(&self, dim: &str, selector: impl Into<Selector>) -> Result<Self, Error> {
        self.sel_with(dim, selector, Method::Exact)
    }

    /// [`sel`](Self::sel) with inexact matching: `Method::Nearest`, `Pad` or
    /// `Backfill`, optionally `.tolerance(..)`.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let near = air.sel_with("lat", 71.0, Method::Nearest)?;
    /// assert_eq!(near.coord("lat")?.item::<f64>()?, 70.0);
    /// assert!(air.sel_with("lat", 71.0, Method::Nearest.tolerance(0.5)).is_err());
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn sel_with(
        &self,
        dim: &str,
        selector: impl Into<Selector>,
        matching: impl Into<Matching>,
    ) -> Result<Self, Error> {
        self.variable.axis(dim)?;
        let selection = self
            .coords
            .selection(dim, &selector.into(), matching.into())?;
        self.isel(dim, selection)
    }

    /// Arrays joined along dimension `dim`, with the coordinates along it joined too
    /// (xarray's `concat`). A `dim` the arrays do not have becomes a new first
    /// dimension, one entry per array.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let halves = [&air.isel("lon", 0..1)?, &air.isel("lon", 1..3)?];
    /// assert_eq!(DataArray::concat(&halves, "lon")?.shape(), [2, 3]);
    /// assert_eq!(DataArray::concat(&[&air, &air], "run")?.dims(), ["run", "lat", "lon"]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn concat(arrays: &[&DataArray], dim: &str) -> Result<DataArray, Error> {
        let first = arrays
            .first()
            .ok_or_else(|| Error::Shape("nothing to concatenate".into()))?;
        if !first.dims().iter().any(|d| d == dim) {
            let expanded = arrays
                .iter()
                .map(|a| a.expand_dims(dim))
                .collect::<Result<Vec<_>, _>>()?;
            return Self::concat(&expanded.iter().collect::<Vec<_>>(), dim);
        }
        let parts: Vec<Variable> = arrays.iter().map(|a| a.variable.clone()).collect();
        let variable = Variable::concat(&parts, dim)?;
        let mut coords = first
            .coords
            .filtered(|_, c| !c.dims().iter().any(|d| d == dim));
        let along = first
            .coords
            .iter()
            .filter(|(_, c)| c.dims().iter().any(|d| d == dim));
        for (name, _) in along {
            // A coordinate that some of the arrays lack is left out.
            let pieces = arrays
                .iter()
                .map(|a| a.coords.get(name).cloned())
                .collect::<Option<Vec<_>>>();
            if let Some(pieces) = pieces {
                let joined = Variable::concat(&pieces, dim)?;
                let index = (joined.dims() == [name])
                    .then(|| Index::new(name, joined.eager()))
                    .transpose()?;
                coords.insert_with_index(name.to_owned(), joined, index);
            }
        }
        Ok(Self::from_parts(first.name.clone(), variable, coords))
    }

    /// Positions `which` of dimension `dim` (`None`: missing), as dimension `new_dim`:
    /// the coordinates along `dim` come along, no longer indexes.
    pub(crate) fn take_along(
        &self,
        dim: &str,
        which: &[Option<usize>],
        new_dim: &str,
    ) -> Result<DataArray, Error> {
        let variable = self
            .variable
            .take(dim, which)?
            .rename_dims(&[(dim, new_dim)]);
        let coords = self.coords.take_along(dim, which, new_dim)?;
        Ok(Self::from_parts(self.name.clone(), variable, coords))
    }

    /// The same array with dimensions in `order`.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.transpose(&["lon", "lat"])?.dims(), ["lon", "lat"]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn transpose<D: AsRef<str>>(&self, order: &[D]) -> Result<Self, Error> {
        Ok(self.with_variable(self.variable.transpose(order)?))
    }
}

impl Alignable for DataArray {
    fn coordinates(&self) -> &Coordinates {
        &self.coords
    }

    fn size_of(&self, dim: &str) -> Option<usize> {
        self.sizes()
            .iter()
            .find(|(d, _)| *d == dim)
            .map(|&(_, s)| s)
    }

    fn reindexed(
        &self,
        dim: &str,
        which: &[Option<usize>],
        coord: &Variable,
        index: &Index,
    ) -> Self {
        Self::from_parts(
            self.name.clone(),
            self.variable.reindexed(dim, which),
            self.coords.reindexed(dim, which, coord, index),
        )
    }
}
