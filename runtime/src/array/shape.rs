//! Reshaping and relabelling: new and dropped dimensions, renames, swapped dimension
//! coordinates, shifts, rolls, differences and interpolation along a dimension.

use super::coords::Coordinates;
use super::data::Data;
use super::data_array::{DataArray, Dims};
use super::dtype::DType;
use super::index::Index;
use super::math::BinaryOp;
use super::values::Values;
use super::variable::{Selection, Variable, check_renames, renamed};
use crate::Error;

/// How `interp` estimates values between labels.
///
/// ```
/// use rangeo::prelude::*;
/// use rangeo::array::Interp;
/// let t = DataArray::new(["x"], vec![0.0, 10.0, 20.0])?.assign_coords("x", vec![0.0, 1.0, 2.0])?;
/// assert_eq!(t.interp("x", vec![0.25, 1.5], Interp::Linear)?.to_vec::<f64>()?, [2.5, 15.0]);
/// assert_eq!(t.interp("x", vec![0.25], Interp::Nearest)?.to_vec::<f64>()?, [0.0]);
/// assert_eq!(t.diff("x")?.to_vec::<f64>()?, [10.0, 10.0]);
/// assert_eq!(t.roll("x", 1)?.to_vec::<f64>()?, [20.0, 0.0, 10.0]);
/// assert!(t.shift("x", 1)?.to_vec::<f64>()?[0].is_nan());
/// assert_eq!(t.expand_dims("run")?.squeeze("run")?, t);
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interp {
    /// Straight lines between neighbouring labels.
    #[default]
    Linear,
    /// The value at the closest label.
    Nearest,
}

impl DataArray {
    /// A new first dimension `dim` of length 1 (xarray's `expand_dims`).
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.expand_dims("band")?.shape(), [1, 2, 3]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn expand_dims(&self, dim: &str) -> Result<DataArray, Error> {
        let variable = self.variable().expand_dims(dim, 0)?;
        let mut coords = self.coords().clone();
        if let Some(scalar) = coords.get(dim).filter(|c| c.ndim() == 0).cloned() {
            // A scalar coordinate of that name becomes the new dimension's coordinate.
            coords.insert(dim, scalar.expand_dims(dim, 0)?)?;
        }
        Ok(DataArray::from_parts(
            self.name().map(str::to_owned),
            variable,
            coords,
        ))
    }

    /// Dimensions of length 1 dropped (`..` for all of them); their coordinates stay as
    /// scalar coordinates.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.isel("lat", 0..1)?.squeeze("lat")?.dims(), ["lon"]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn squeeze(&self, dims: impl Dims) -> Result<DataArray, Error> {
        let mut dims = dims.into_names();
        if dims.is_empty() {
            dims = self
                .sizes()
                .iter()
                .filter(|(_, n)| *n == 1)
                .map(|(d, _)| (*d).to_owned())
                .collect();
        }
        let mut out = self.clone();
        for dim in &dims {
            let size = out.variable().axis(dim).map(|a| out.shape()[a])?;
            if size != 1 {
                return Err(Error::Shape(format!(
                    "cannot squeeze `{dim}`: its size is {size}, not 1"
                )));
            }
            out = out.isel(dim, 0)?;
        }
        Ok(out)
    }

    /// Dimensions and coordinates renamed, each `(old, new)` pair at once (xarray's
    /// `rename({old: new, ...})`), so two names can swap. A new name that another
    /// dimension or coordinate keeps is refused, as xarray refuses it.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.rename([("lon", "longitude")])?.dims(), ["lat", "longitude"]);
    /// // The transpose as numpy's `.T` means it: positions swap, the names stay put.
    /// let t = air.rename([("lat", "lon"), ("lon", "lat")])?.transpose(&["lat", "lon"])?;
    /// assert_eq!(t.sizes(), [("lat", 3), ("lon", 2)]);
    /// assert!(air.rename([("lat", "lon")]).is_err());
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn rename<'a>(
        &self,
        names: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<DataArray, Error> {
        let names: Vec<(&str, &str)> = names.into_iter().collect();
        for (old, _) in &names {
            if !self.dims().iter().any(|d| d == old) && !self.coords().contains(old) {
                return Err(Error::Label(format!(
                    "cannot rename `{old}`: it is neither a dimension nor a coordinate"
                )));
            }
        }
        check_renames(&names, self.dims().iter().map(String::as_str))?;
        check_renames(&names, self.coords().iter().map(|(name, _)| name))?;
        let mut coords = Coordinates::default();
        for (name, c) in self.coords().iter() {
            coords.insert(renamed(&names, name), c.rename_dims(&names))?;
        }
        Ok(DataArray::from_parts(
            self.name().map(str::to_owned),
            self.variable().rename_dims(&names),
            coords,
        ))
    }

    /// Coordinate `coord`, which lies along dimension `dim`, made the dimension (and its
    /// index) in place of `dim` (xarray's `swap_dims({dim: coord})`).
    pub fn swap_dims(&self, dim: &str, coord: &str) -> Result<DataArray, Error> {
        self.variable().axis(dim)?;
        let along = self
            .coords()
            .get(coord)
            .filter(|c| c.dims() == [dim])
            .ok_or_else(|| {
                Error::Label(format!(
                    "`{coord}` must be a 1-D coordinate along `{dim}` to swap them"
                ))
            })?;
        let mut coords = Coordinates::default();
        for (name, c) in self.coords().iter() {
            let renamed = c.rename_dims(&[(dim, coord)]);
            if name == coord {
                let index = Index::new(coord, along.eager())?;
                coords.insert_with_index(name.to_owned(), renamed, Some(index));
            } else {
                coords.insert_with_index(name.to_owned(), renamed, None);
            }
        }
        let variable = self.variable().rename_dims(&[(dim, coord)]);
        Ok(DataArray::from_parts(
            self.name().map(str::to_owned),
            variable,
            coords,
        ))
    }

    /// Coordinates `names` removed.
    pub fn drop_vars(&self, names: &[&str]) -> Result<DataArray, Error> {
        let mut coords = self.coords().clone();
        for name in names {
            coords.remove(name).ok_or_else(|| {
                Error::Label(format!("cannot drop `{name}`: there is no such coordinate"))
            })?;
        }
        Ok(DataArray::from_parts(
            self.name().map(str::to_owned),
            self.variable().clone(),
            coords,
        ))
    }

    /// Values moved `by` positions along `dim` (forward for positive), the vacated ones
    /// missing; coordinates stay.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let shifted = air.isel("lat", 0)?.shift("lon", 1)?.to_vec::<f64>()?;
    /// assert!(shifted[0].is_nan() && shifted[1..] == [1.0, 2.0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn shift(&self, dim: &str, by: isize) -> Result<DataArray, Error> {
        let axis = self.variable().axis(dim)?;
        let n = self.shape()[axis].cast_signed();
        let which: Vec<Option<usize>> = (0..n)
            .map(|i| {
                let from = i - by;
                (0..n).contains(&from).then(|| from.cast_unsigned())
            })
            .collect();
        Ok(self.with_variable(self.variable().take(dim, &which)?))
    }

    /// Values rotated `by` positions along `dim` (those pushed off one end come back at
    /// the other); coordinates stay, as xarray's default.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.isel("lat", 0)?.roll("lon", 1)?.to_vec::<f64>()?, [3.0, 1.0, 2.0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn roll(&self, dim: &str, by: isize) -> Result<DataArray, Error> {
        let axis = self.variable().axis(dim)?;
        let n = self.shape()[axis].cast_signed();
        if n == 0 {
            return Ok(self.clone());
        }
        let which: Vec<Option<usize>> = (0..n)
            .map(|i| Some((i - by).rem_euclid(n).cast_unsigned()))
            .collect();
        Ok(self.with_variable(self.variable().take(dim, &which)?))
    }

    /// Differences of neighbours along `dim`, `x[i + 1] - x[i]`, labelled by the upper
    /// position (xarray's `diff(dim)`).
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.isel("lat", 0)?.diff("lon")?.to_vec::<f64>()?, [1.0, 1.0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn diff(&self, dim: &str) -> Result<DataArray, Error> {
        let axis = self.variable().axis(dim)?;
        let n = self.shape()[axis].cast_signed();
        let upper = self.isel(
            dim,
            Selection::Slice {
                start: Some(1),
                stop: Some(n),
                step: 1,
            },
        )?;
        let lower = self.isel(
            dim,
            Selection::Slice {
                start: Some(0),
                stop: Some((n - 1).max(0)),
                step: 1,
            },
        )?;
        let values = upper.variable().binary(BinaryOp::Sub, lower.variable())?;
        let mut variable = values;
        variable.attrs_mut().clone_from(self.attrs());
        Ok(upper.with_variable(variable))
    }

    /// Values at `labels` along `dim`, interpolated between the index's labels (numbers
    /// or times); labels outside the index give NaN.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let between = air.isel("lat", 0)?.interp("lon", vec![201.25, 210.0], Interp::Linear)?;
    /// let values = between.to_vec::<f64>()?;
    /// assert_eq!(values[0], 1.5);
    /// assert!(values[1].is_nan(), "outside the labels");
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn interp(
        &self,
        dim: &str,
        labels: impl Into<Data>,
        method: Interp,
    ) -> Result<DataArray, Error> {
        self.variable().axis(dim)?;
        let coord = self
            .coords()
            .get(dim)
            .filter(|_| self.index(dim).is_some())
            .ok_or_else(|| Error::Label(format!("interp needs an index on `{dim}`")))?;
        let targets: Values = labels.into().eager().clone();
        let (xs, ts) = interp_positions(dim, coord.eager(), &targets)?;
        let ascending = xs.windows(2).all(|w| w[0] <= w[1]);
        let descending = xs.windows(2).all(|w| w[0] >= w[1]);
        if !(ascending || descending) {
            return Err(Error::Label(format!(
                "interp needs sorted labels on `{dim}`"
            )));
        }
        // For each target: two positions and the weight of the second.
        let mut lower = Vec::with_capacity(ts.len());
        let mut upper = Vec::with_capacity(ts.len());
        let mut weights = Vec::with_capacity(ts.len());
        for &t in &ts {
            let found = (0..xs.len().saturating_sub(1)).find(|&i| {
                let (a, b) = (xs[i], xs[i + 1]);
                (a <= t && t <= b) || (b <= t && t <= a)
            });
            let single = xs.len() == 1 && xs[0].total_cmp(&t).is_eq();
            match (found, single) {
                (_, true) => {
                    lower.push(Some(0));
                    upper.push(Some(0));
                    weights.push(0.0);
                }
                (Some(i), _) => {
                    let w = if xs[i + 1].total_cmp(&xs[i]).is_eq() {
                        0.0
                    } else {
                        (t - xs[i]) / (xs[i + 1] - xs[i])
                    };
                    let w = if method == Interp::Nearest {
                        if w > 0.5 { 1.0 } else { 0.0 }
                    } else {
                        w
                    };
                    lower.push(Some(i));
                    upper.push(Some(i + 1));
                    weights.push(w);
                }
                (None, _) => {
                    lower.push(None);
                    upper.push(None);
                    weights.push(f64::NAN);
                }
            }
        }
        let floats = self.variable().astype(match self.dtype() {
            DType::Float32 => DType::Float32,
            _ => DType::Float64,
        })?;
        let a = floats.take(dim, &lower)?.astype(DType::Float64)?;
        let b = floats.take(dim, &upper)?.astype(DType::Float64)?;
        let w = Variable::from_values(vec![dim.to_owned()], Values::from_vec(weights));
        // a + (b - a) * w, with exact values where the weight is 0 or 1.
        let values = a.binary(
            BinaryOp::Add,
            &b.binary(BinaryOp::Sub, &a)?.binary(BinaryOp::Mul, &w)?,
        )?;
        let values = if self.dtype() == DType::Float32 {
            values.astype(DType::Float32)?
        } else {
            values
        };
        let variable = self
            .variable()
            .with_data(self.dims().to_vec(), values.data().clone());
        let mut coords = Coordinates::default();
        for (name, c) in self.coords().iter() {
            if name == dim {
                coords.insert(name, Variable::new([dim], targets.clone())?)?;
            } else if !c.dims().iter().any(|d| d == dim) {
                coords.insert_with_index(name.to_owned(), c.clone(), self.index(name).cloned());
            }
        }
        Ok(DataArray::from_parts(
            self.name().map(str::to_owned),
            variable,
            coords,
        ))
    }
}
/// Labels and interpolation targets as numbers on one axis (times in ticks of their
/// clock, which must be the same).
fn interp_positions(
    dim: &str,
    labels: &Values,
    targets: &Values,
) -> Result<(Vec<f64>, Vec<f64>), Error> {
    if let (Some(from), Some(to)) = (labels.clock(), targets.clock())
        && from != to
    {
        return Err(Error::Label(format!(
            "interp on `{dim}` needs targets on the {} calendar of its labels, not {}",
            from.calendar, to.calendar
        )));
    }
    let as_numbers = |v: &Values| -> Result<Vec<f64>, Error> {
        match v.times() {
            Some((ticks, _)) => Ok(ticks.iter().map(|&t| t as f64).collect()),
            None => Ok(v.to_f64()?.iter().copied().collect()),
        }
    };
    Ok((as_numbers(labels)?, as_numbers(targets)?))
}
