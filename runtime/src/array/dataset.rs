//! `Dataset`: named data variables sharing dimensions and coordinates, like
//! `xarray.Dataset`.

use std::ops;

use indexmap::IndexMap;

use super::align::{Alignable, Join, align_all};
use super::arithmetic::Operand;
use super::coords::{Coordinates, IntoCoord};
use super::data_array::{DataArray, Dims};
use super::index::{Index, Matching, Method, Selector};
use super::math::BinaryOp;
use super::reduce::Reduction;
use super::values::Values;
use super::variable::{Attrs, Selection, Variable, check_renames, renamed};
use crate::Error;
use crate::error::OrPanic;

/// Data variables with shared dimensions, coordinates and attributes.
///
/// ```
/// use rangeo::prelude::*;
/// let lat = vec![75.0, 72.5];
/// let air = DataArray::new(["time", "lat"], ndarray::arr2(&[[240.0, 250.0], [242.0, 252.0]]))?
///     .assign_coords("lat", lat.clone())?;
/// let ds = Dataset::new()
///     .assign("air", air)?
///     .assign("mask", DataArray::new(["lat"], vec![true, false])?)?;
/// assert_eq!(ds.sizes(), [("time".to_owned(), 2), ("lat".to_owned(), 2)]);
/// let mean = ds.mean("time")?;
/// assert_eq!(mean.get("air")?.to_vec::<f64>()?, [241.0, 251.0]);
/// assert!(ds.get("sst").is_err());
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dataset {
    data_vars: IndexMap<String, Variable>,
    coords: Coordinates,
    attrs: Attrs,
}

impl Dataset {
    /// An empty dataset.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) data variable `name`, with its coordinates. An array whose
    /// index labels differ from the dataset's is first aligned to them (a left join, as
    /// `ds["name"] = da` does); sizes must agree.
    pub fn assign(mut self, name: impl Into<String>, array: DataArray) -> Result<Self, Error> {
        let name = name.into();
        let array = if self.coords.is_empty() {
            array
        } else {
            let alone = Dataset::of(name.clone(), &array);
            let mut aligned = align_all(&[&self, &alone], Join::Left)?;
            aligned.pop().expect("two aligned").get(&name)?
        };
        for (dim, size) in array.sizes() {
            if let Some(mine) = self.size_of(dim).filter(|&s| s != size) {
                return Err(Error::Shape(format!(
                    "`{name}` has size {size} along `{dim}`, where the dataset has {mine}"
                )));
            }
        }
        for (coord, variable) in array.coords().iter() {
            if !self.coords.contains(coord) {
                self.coords.insert_with_index(
                    coord.to_owned(),
                    variable.clone(),
                    array.index(coord).cloned(),
                );
            }
        }
        self.data_vars.insert(name, array.variable().clone());
        Ok(self)
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
            if let Some(mine) = self.size_of(dim).filter(|&s| s != size) {
                return Err(Error::Shape(format!(
                    "coordinate `{name}` has {size} values along `{dim}`, whose size is {mine}"
                )));
            }
        }
        self.coords.insert(name, variable)?;
        Ok(self)
    }

    /// Adds attributes.
    #[must_use]
    pub fn assign_attrs<K, V>(mut self, attrs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<serde_json::Value>,
    {
        for (k, v) in attrs {
            self.attrs.insert(k.into(), v.into());
        }
        self
    }

    /// Data variable `name` as an array with its coordinates (xarray's `ds["name"]`).
    pub fn get(&self, name: &str) -> Result<DataArray, Error> {
        if let Some(variable) = self.data_vars.get(name) {
            let coords = self
                .coords
                .filtered(|_, c| c.dims().iter().all(|d| variable.dims().contains(d)));
            return Ok(DataArray::from_parts(
                Some(name.to_owned()),
                variable.clone(),
                coords,
            ));
        }
        if self.coords.contains(name) {
            return self.coords.to_array(name);
        }
        Err(Error::Label(format!(
            "no variable `{name}`; the data variables are {}",
            self.data_vars
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }

    /// The data variables' names, in order.
    pub fn data_vars(&self) -> impl Iterator<Item = &str> {
        self.data_vars.keys().map(String::as_str)
    }

    /// The coordinates.
    #[must_use]
    pub fn coords(&self) -> &Coordinates {
        &self.coords
    }

    /// Attributes.
    #[must_use]
    pub fn attrs(&self) -> &Attrs {
        &self.attrs
    }

    /// Every dimension with its size, in the order variables first use them.
    #[must_use]
    pub fn sizes(&self) -> Vec<(String, usize)> {
        let mut sizes: Vec<(String, usize)> = Vec::new();
        for variable in self
            .data_vars
            .values()
            .chain(self.coords.iter().map(|(_, v)| v))
        {
            for (dim, size) in variable.sizes() {
                if !sizes.iter().any(|(d, _)| d == dim) {
                    sizes.push((dim.to_owned(), size));
                }
            }
        }
        sizes
    }

    fn size_of(&self, dim: &str) -> Option<usize> {
        self.sizes()
            .into_iter()
            .find(|(d, _)| d == dim)
            .map(|(_, s)| s)
    }

    /// The index of `dim`, when it has a dimension coordinate.
    #[must_use]
    pub fn index(&self, dim: &str) -> Option<&Index> {
        self.coords.index(dim)
    }

    /// Every data variable passed through `f` (which sees it as a named array with its
    /// coordinates); the results make a new dataset with these attributes.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let ds = air.to_dataset();
    /// let kelvin = ds.map(|da| Ok(da + 273.15))?;
    /// assert_eq!(kelvin.get("air")?.isel("lat", 0)?.to_vec::<f64>()?[0], 274.15);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn map(
        &self,
        f: impl Fn(&DataArray) -> Result<DataArray, Error>,
    ) -> Result<Dataset, Error> {
        let mut out = Dataset::new();
        for name in self.data_vars.keys() {
            out = out.assign(name.clone(), f(&self.get(name)?)?)?;
        }
        out.attrs.clone_from(&self.attrs);
        for (name, c) in self.coords.iter() {
            let fits = c
                .dims()
                .iter()
                .all(|d| out.size_of(d).is_some() && out.size_of(d) == self.size_of(d));
            if fits && !out.coords.contains(name) {
                out.coords.insert_with_index(
                    name.to_owned(),
                    c.clone(),
                    self.coords.index(name).cloned(),
                );
            }
        }
        Ok(out)
    }

    /// Every data variable passed through `f`, in order (coordinates and attributes
    /// unchanged).
    pub(crate) fn map_variables(
        &self,
        mut f: impl FnMut(&Variable) -> Result<Variable, Error>,
    ) -> Result<Dataset, Error> {
        let mut out = self.clone();
        for variable in out.data_vars.values_mut() {
            *variable = f(variable)?;
        }
        Ok(out)
    }

    /// Positions `selection` of `dim` in every variable along it.
    pub fn isel(&self, dim: &str, selection: impl Into<Selection>) -> Result<Self, Error> {
        if self.size_of(dim).is_none() {
            return Err(Error::Dimension {
                dim: dim.to_owned(),
                dims: self.sizes().into_iter().map(|(d, _)| d).collect(),
            });
        }
        let selection = selection.into();
        let mut data_vars = IndexMap::new();
        for (name, variable) in &self.data_vars {
            let selected = if variable.dims().iter().any(|d| d == dim) {
                variable.isel(dim, selection.clone())?
            } else {
                variable.clone()
            };
            data_vars.insert(name.clone(), selected);
        }
        Ok(Self {
            data_vars,
            coords: self.coords.isel(dim, &selection)?,
            attrs: self.attrs.clone(),
        })
    }

    /// Labels `selector` of `dim` (see [`DataArray::sel`]).
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let ds = air.to_dataset();
    /// assert_eq!(ds.sel("lat", 75.0)?.get("air")?.dims(), ["lon"]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn sel(&self, dim: &str, selector: impl Into<Selector>) -> Result<Self, Error> {
        self.sel_with(dim, selector, Method::Exact)
    }

    /// [`sel`](Self::sel) with inexact matching.
    pub fn sel_with(
        &self,
        dim: &str,
        selector: impl Into<Selector>,
        matching: impl Into<Matching>,
    ) -> Result<Self, Error> {
        let selection = self
            .coords
            .selection(dim, &selector.into(), matching.into())?;
        self.isel(dim, selection)
    }

    /// Reduces `dims` (`..` for all) in every data variable that has them; variables
    /// whose dtype the reduction does not apply to are dropped, as xarray's
    /// `numeric_only` reductions drop them.
    pub fn reduce(&self, how: Reduction, dims: impl Dims, skipna: bool) -> Result<Dataset, Error> {
        let dims = dims.into_names();
        let all = self.sizes();
        for dim in &dims {
            if !all.iter().any(|(d, _)| d == dim) {
                return Err(Error::Dimension {
                    dim: dim.clone(),
                    dims: all.into_iter().map(|(d, _)| d).collect(),
                });
            }
        }
        let reduced = |d: &String| dims.is_empty() || dims.contains(d);
        let mut out = Dataset {
            attrs: self.attrs.clone(),
            coords: self.coords.filtered(|_, c| !c.dims().iter().any(reduced)),
            ..Dataset::default()
        };
        for (name, variable) in &self.data_vars {
            let mine: Vec<&str> = variable
                .dims()
                .iter()
                .filter(|d| reduced(d))
                .map(String::as_str)
                .collect();
            if mine.is_empty() {
                out.data_vars.insert(name.clone(), variable.clone());
            } else if let Ok(result) = variable.reduce(how, &mine, skipna) {
                out.data_vars.insert(name.clone(), result);
            }
        }
        Ok(out)
    }

    /// The mean over `dims` of every data variable, skipping NaN.
    pub fn mean(&self, dims: impl Dims) -> Result<Dataset, Error> {
        self.reduce(Reduction::Mean, dims, true)
    }

    /// The sum over `dims` of every data variable, skipping NaN.
    pub fn sum(&self, dims: impl Dims) -> Result<Dataset, Error> {
        self.reduce(Reduction::Sum, dims, true)
    }

    /// The minimum over `dims` of every data variable, skipping NaN.
    pub fn min(&self, dims: impl Dims) -> Result<Dataset, Error> {
        self.reduce(Reduction::Min, dims, true)
    }

    /// The maximum over `dims` of every data variable, skipping NaN.
    pub fn max(&self, dims: impl Dims) -> Result<Dataset, Error> {
        self.reduce(Reduction::Max, dims, true)
    }

    /// The standard deviation over `dims` of every data variable (`ddof` 0).
    pub fn std(&self, dims: impl Dims) -> Result<Dataset, Error> {
        self.reduce(Reduction::Std { ddof: 0 }, dims, true)
    }

    /// `self op other` for every data variable: `other` a scalar, an array (aligned and
    /// broadcast against each variable) or a dataset (variables matched by name; those
    /// in one only are dropped). The operators (`&ds - &clim`, `&ds * 2.0`) call this.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let ds = DataArray::new(["x"], vec![1.0, 2.0])?.to_dataset_as("t");
    /// let doubled = &ds * 2.0;
    /// assert_eq!((&doubled - &ds).get("t")?.to_vec::<f64>()?, [1.0, 2.0]);
    /// assert_eq!((10.0 - &ds).get("t")?.to_vec::<f64>()?, [9.0, 8.0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn binary<'a>(
        &self,
        op: BinaryOp,
        other: impl Into<DatasetOperand<'a>>,
    ) -> Result<Dataset, Error> {
        match other.into() {
            DatasetOperand::Dataset(other) => {
                let aligned = align_all(&[self, other], Join::Inner)?;
                let (a, b) = (&aligned[0], &aligned[1]);
                let mut out = Dataset::new();
                for name in a.data_vars.keys().filter(|n| b.data_vars.contains_key(*n)) {
                    out = out.assign(name.clone(), a.get(name)?.binary(op, &b.get(name)?)?)?;
                }
                out.attrs.clone_from(&self.attrs);
                // Both datasets' coordinates stay, even those no variable uses now.
                let mut coords = out.coords.clone();
                for (name, c) in a.coords.iter().chain(b.coords.iter()) {
                    if !coords.contains(name) {
                        let index = a.index(name).or_else(|| b.index(name)).cloned();
                        coords.insert_with_index(name.to_owned(), c.clone(), index);
                    }
                }
                out.with_coords(coords)
            }
            DatasetOperand::Array(array) => self.map(|da| da.binary(op, array)),
            DatasetOperand::Scalar(scalar) => {
                self.map(|da| da.binary(op, Operand::Scalar(scalar.clone())))
            }
        }
    }

    /// `scalar op self` for every data variable.
    fn binary_from_left(&self, op: BinaryOp, scalar: &Values) -> Result<Dataset, Error> {
        self.map(|da| da.binary_from_left(op, scalar))
    }
}

impl Dataset {
    /// Data variables `names` made coordinates (xarray's `set_coords`).
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let ds = DataArray::new(["x"], vec![1.0, 2.0])?
    ///     .to_dataset_as("t")
    ///     .assign("height", DataArray::new(["x"], vec![10, 20])?)?;
    /// let ds = ds.set_coords(&["height"])?;
    /// assert!(ds.coords().contains("height"));
    /// assert_eq!(ds.data_vars().collect::<Vec<_>>(), ["t"]);
    /// let back = ds.reset_coords(&["height"])?;
    /// assert_eq!(back.data_vars().collect::<Vec<_>>(), ["t", "height"]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn set_coords(&self, names: &[&str]) -> Result<Dataset, Error> {
        let mut out = self.clone();
        for name in names {
            let variable = out.data_vars.shift_remove(*name).ok_or_else(|| {
                Error::Label(format!(
                    "cannot make `{name}` a coordinate: it is not a data variable ({})",
                    self.data_vars().collect::<Vec<_>>().join(", ")
                ))
            })?;
            out.coords.insert(*name, variable)?;
        }
        Ok(out)
    }

    /// Coordinates `names` made data variables (xarray's `reset_coords`); the
    /// coordinates of dimensions (the indexes) stay.
    pub fn reset_coords(&self, names: &[&str]) -> Result<Dataset, Error> {
        let mut out = self.clone();
        for name in names {
            if self.index(name).is_some() {
                return Err(Error::Label(format!(
                    "cannot reset `{name}`: it is the index of dimension `{name}`"
                )));
            }
            let variable = out.coords.remove(name).ok_or_else(|| {
                Error::Label(format!(
                    "cannot reset `{name}`: it is not a coordinate ({})",
                    self.coords.names().collect::<Vec<_>>().join(", ")
                ))
            })?;
            out.data_vars.insert((*name).to_owned(), variable);
        }
        Ok(out)
    }

    /// Without the data variables and coordinates `names`.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let ds = air.to_dataset().assign("mask", air.isnull())?;
    /// assert_eq!(ds.drop_vars(&["mask"])?.data_vars().collect::<Vec<_>>(), ["air"]);
    /// assert!(ds.drop_vars(&["sst"]).is_err());
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn drop_vars(&self, names: &[&str]) -> Result<Dataset, Error> {
        let mut out = self.clone();
        for name in names {
            if out.data_vars.shift_remove(*name).is_none() && out.coords.remove(name).is_none() {
                return Err(Error::Label(format!(
                    "cannot drop `{name}`: there is no such variable or coordinate"
                )));
            }
        }
        Ok(out)
    }

    /// Variables, coordinates and dimensions renamed everywhere, each `(old, new)`
    /// pair at once (xarray's `rename({old: new, ...})`). A new name that another
    /// variable, coordinate or dimension keeps is refused.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let ds = air.to_dataset().rename([("lat", "latitude"), ("air", "tas")])?;
    /// assert_eq!(ds.get("tas")?.dims(), ["latitude", "lon"]);
    /// assert!(ds.rename([("tas", "lon")]).is_err());
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn rename<'a>(
        &self,
        names: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Dataset, Error> {
        let names: Vec<(&str, &str)> = names.into_iter().collect();
        for (old, _) in &names {
            let known = self.size_of(old).is_some()
                || self.data_vars.contains_key(*old)
                || self.coords.contains(old);
            if !known {
                return Err(Error::Label(format!(
                    "cannot rename `{old}`: it is not a variable, coordinate or dimension"
                )));
            }
        }
        let sizes = self.sizes();
        check_renames(&names, sizes.iter().map(|(d, _)| d.as_str()))?;
        let variables = self.data_vars.keys().map(String::as_str);
        check_renames(&names, variables.chain(self.coords.iter().map(|(n, _)| n)))?;
        let data_vars = self
            .data_vars
            .iter()
            .map(|(name, v)| (renamed(&names, name).to_owned(), v.rename_dims(&names)))
            .collect();
        let mut coords = Coordinates::default();
        for (name, c) in self.coords.iter() {
            coords.insert(renamed(&names, name), c.rename_dims(&names))?;
        }
        Ok(Dataset {
            data_vars,
            coords,
            attrs: self.attrs.clone(),
        })
    }

    /// A dataset of one variable, `array` called `name`.
    fn of(name: String, array: &DataArray) -> Self {
        Dataset {
            coords: array.coords().clone(),
            data_vars: IndexMap::from([(name, array.variable().clone())]),
            attrs: Attrs::new(),
        }
    }

    /// Data variable `name`, without its coordinates.
    pub(crate) fn data_var(&self, name: &str) -> Option<&Variable> {
        self.data_vars.get(name)
    }

    /// This dataset with `coords` in place of its coordinates (whose sizes must agree
    /// with the data variables').
    pub(crate) fn with_coords(mut self, coords: Coordinates) -> Result<Dataset, Error> {
        for (name, coord) in coords.iter() {
            for (dim, size) in coord.sizes() {
                let data_size = self.data_vars.values().find_map(|v| {
                    v.sizes()
                        .into_iter()
                        .find(|(d, _)| *d == dim)
                        .map(|(_, s)| s)
                });
                if let Some(mine) = data_size.filter(|&s| s != size) {
                    return Err(Error::Shape(format!(
                        "coordinate `{name}` has {size} values along `{dim}`, whose size is {mine}"
                    )));
                }
            }
        }
        self.coords = coords;
        Ok(self)
    }
}

impl DataArray {
    /// A dataset holding this array (xarray's `to_dataset`; an unnamed array is called
    /// "data").
    #[must_use]
    pub fn to_dataset(&self) -> Dataset {
        Dataset::of(self.name().unwrap_or("data").to_owned(), self)
    }

    /// A dataset holding this array as variable `name` (xarray's `to_dataset(name=)`).
    #[must_use]
    pub fn to_dataset_as(&self, name: &str) -> Dataset {
        Dataset::of(name.to_owned(), self)
    }
}

/// The right-hand side of a dataset operation.
#[derive(Debug, Clone)]
pub enum DatasetOperand<'a> {
    /// Another dataset.
    Dataset(&'a Dataset),
    /// An array, applied to every variable.
    Array(&'a DataArray),
    /// A scalar.
    Scalar(Values),
}

impl<'a> From<&'a Dataset> for DatasetOperand<'a> {
    fn from(dataset: &'a Dataset) -> Self {
        Self::Dataset(dataset)
    }
}

impl<'a> From<&'a DataArray> for DatasetOperand<'a> {
    fn from(array: &'a DataArray) -> Self {
        Self::Array(array)
    }
}

macro_rules! dataset_operators {
    ($($trait:ident $method:ident $op:ident),*) => {$(
        impl<'a, R: Into<DatasetOperand<'a>>> ops::$trait<R> for &Dataset {
            type Output = Dataset;
            /// # Panics
            /// When the operands cannot be aligned or their dtypes do not combine; the
            /// message says why (a cell reports it as its error).
            #[track_caller]
            fn $method(self, other: R) -> Dataset {
                self.binary(BinaryOp::$op, other).or_panic()
            }
        }
        impl<'a, R: Into<DatasetOperand<'a>>> ops::$trait<R> for Dataset {
            type Output = Dataset;
            #[track_caller]
            fn $method(self, other: R) -> Dataset {
                ops::$trait::$method(&self, other)
            }
        }
        dataset_scalar_operators!($trait $method $op f64 i32);
    )*};
}

macro_rules! dataset_scalar_operators {
    ($trait:ident $method:ident $op:ident $($t:ty)*) => {$(
        impl ops::$trait<&Dataset> for $t {
            type Output = Dataset;
            #[track_caller]
            fn $method(self, dataset: &Dataset) -> Dataset {
                dataset
                    .binary_from_left(BinaryOp::$op, &Values::scalar(self))
                    .or_panic()
            }
        }
    )*};
}

dataset_operators!(Add add Add, Sub sub Sub, Mul mul Mul, Div div Div, Rem rem Rem);

macro_rules! dataset_scalars {
    ($($t:ty),*) => {$(
        impl From<$t> for DatasetOperand<'_> {
            fn from(x: $t) -> Self {
                Self::Scalar(Values::scalar(x))
            }
        }
    )*};
}

dataset_scalars!(f64, i32);

impl Alignable for Dataset {
    fn coordinates(&self) -> &Coordinates {
        &self.coords
    }

    fn size_of(&self, dim: &str) -> Option<usize> {
        Dataset::size_of(self, dim)
    }

    fn reindexed(
        &self,
        dim: &str,
        which: &[Option<usize>],
        coord: &Variable,
        index: &Index,
    ) -> Self {
        Dataset {
            data_vars: self
                .data_vars
                .iter()
                .map(|(k, v)| (k.clone(), v.reindexed(dim, which)))
                .collect(),
            coords: self.coords.reindexed(dim, which, coord, index),
            attrs: self.attrs.clone(),
        }
    }
}
