//! Reductions of a [`DataArray`] over one, several or all of its dimensions, NaN
//! skipped for floats and attributes kept, as in xarray.

use super::data_array::{DataArray, Dims};
use super::dtype::DType;
use super::math::BinaryOp;
use super::reduce::Reduction;
use crate::Error;

impl DataArray {
    /// Reduces `dims` (`..` for all) with `how`; `skipna` ignores NaN and NaT. The
    /// coordinates along reduced dimensions go; name and attributes stay.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let t = DataArray::new(["time", "lat"], ndarray::arr2(&[[1.0, f64::NAN], [3.0, 4.0]]))?;
    /// assert_eq!(t.reduce(Reduction::Mean, "time", true)?.to_vec::<f64>()?, [2.0, 4.0]);
    /// assert!(t.reduce(Reduction::Mean, "time", false)?.values::<f64>()?[1].is_nan());
    /// assert_eq!(t.sum(..)?.item::<f64>()?, 8.0);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn reduce(
        &self,
        how: Reduction,
        dims: impl Dims,
        skipna: bool,
    ) -> Result<DataArray, Error> {
        let dims = dims.into_names();
        Ok(self.with_variable(self.variable().reduce(how, &dims, skipna)?))
    }

    /// The mean over `dims`, skipping NaN.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.mean("lon")?.to_vec::<f64>()?, [2.0, 5.0], "NaN skipped");
    /// assert_eq!(air.mean(["lat", "lon"])?.item::<f64>()?, 3.2);
    /// assert_eq!(air.mean(..)?.item::<f64>()?, 3.2);
    /// assert!(air.mean("time").is_err());
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn mean(&self, dims: impl Dims) -> Result<DataArray, Error> {
        self.reduce(Reduction::Mean, dims, true)
    }

    /// The sum over `dims`, skipping NaN.
    pub fn sum(&self, dims: impl Dims) -> Result<DataArray, Error> {
        self.reduce(Reduction::Sum, dims, true)
    }

    /// The product over `dims`, skipping NaN.
    pub fn prod(&self, dims: impl Dims) -> Result<DataArray, Error> {
        self.reduce(Reduction::Prod, dims, true)
    }

    /// The minimum over `dims`, skipping NaN.
    pub fn min(&self, dims: impl Dims) -> Result<DataArray, Error> {
        self.reduce(Reduction::Min, dims, true)
    }

    /// The maximum over `dims`, skipping NaN.
    pub fn max(&self, dims: impl Dims) -> Result<DataArray, Error> {
        self.reduce(Reduction::Max, dims, true)
    }

    /// The standard deviation over `dims` (divisor `n`, numpy's default `ddof=0`);
    /// other `ddof` through [`reduce`](Self::reduce) with `Reduction::Std { ddof }`.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.std("lon")?.to_vec::<f64>()?[1], 1.0);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn std(&self, dims: impl Dims) -> Result<DataArray, Error> {
        self.reduce(Reduction::Std { ddof: 0 }, dims, true)
    }

    /// The variance over `dims` (divisor `n`).
    pub fn var(&self, dims: impl Dims) -> Result<DataArray, Error> {
        self.reduce(Reduction::Var { ddof: 0 }, dims, true)
    }

    /// The median over `dims`, skipping NaN.
    pub fn median(&self, dims: impl Dims) -> Result<DataArray, Error> {
        self.reduce(Reduction::Median, dims, true)
    }

    /// The `q` quantile (0 to 1) over `dims`, linearly interpolated, skipping NaN.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.quantile(0.5, "lon")?.to_vec::<f64>()?, [2.0, 5.0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn quantile(&self, q: f64, dims: impl Dims) -> Result<DataArray, Error> {
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::Operation(format!("quantile {q} is outside 0 to 1")));
        }
        self.reduce(Reduction::Quantile(q), dims, true)
    }

    /// The number of values that are not missing, over `dims`.
    pub fn count(&self, dims: impl Dims) -> Result<DataArray, Error> {
        self.reduce(Reduction::Count, dims, true)
    }

    /// The position of the smallest value along `dim`, skipping NaN.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.argmin("lon")?.to_vec::<i64>()?, [0, 0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn argmin(&self, dim: &str) -> Result<DataArray, Error> {
        self.reduce(Reduction::ArgMin, dim, true)
    }

    /// The position of the largest value along `dim`, skipping NaN.
    pub fn argmax(&self, dim: &str) -> Result<DataArray, Error> {
        self.reduce(Reduction::ArgMax, dim, true)
    }

    /// Whether any value over `dims` is true (non-zero).
    pub fn any(&self, dims: impl Dims) -> Result<DataArray, Error> {
        self.reduce(Reduction::Any, dims, true)
    }

    /// Whether every value over `dims` is true (non-zero).
    pub fn all(&self, dims: impl Dims) -> Result<DataArray, Error> {
        self.reduce(Reduction::All, dims, true)
    }

    /// Running sums along `dim`, NaN counted as 0 (the shape stays).
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// assert_eq!(air.isel("lat", 0)?.cumsum("lon")?.to_vec::<f64>()?, [1.0, 3.0, 6.0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn cumsum(&self, dim: &str) -> Result<DataArray, Error> {
        Ok(self.with_variable(self.variable().cumsum(dim, true)?))
    }
}

/// An array with weights, for weighted reductions (xarray's `da.weighted(w)`).
///
/// ```
/// use rangeo::prelude::*;
/// let lat = DataArray::new(["lat"], vec![0.0, 60.0])?.assign_coords("lat", vec![0.0, 60.0])?;
/// let t = DataArray::new(["lat"], vec![300.0, 260.0])?.assign_coords("lat", vec![0.0, 60.0])?;
/// let weights = lat.radians()?.cos()?;
/// let area_mean = t.weighted(&weights).mean("lat")?;
/// assert!((area_mean.item::<f64>()? - (300.0 + 0.5 * 260.0) / 1.5).abs() < 1e-12);
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Weighted<'a> {
    array: &'a DataArray,
    weights: &'a DataArray,
}

impl DataArray {
    /// These values with `weights` (aligned and broadcast like an operand), for
    /// weighted sums and means.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// // The cos(latitude) area mean.
    /// let weights = air.coord("lat")?.radians()?.cos()?;
    /// let area_mean = air.weighted(&weights).mean("lat")?;
    /// assert_eq!(area_mean.dims(), ["lon"]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    #[must_use]
    pub fn weighted<'a>(&'a self, weights: &'a DataArray) -> Weighted<'a> {
        Weighted {
            array: self,
            weights,
        }
    }
}

impl Weighted<'_> {
    /// The sum of weights times values over `dims`, missing values skipped.
    pub fn sum(&self, dims: impl Dims) -> Result<DataArray, Error> {
        if self.weights.isnull().any(..)?.item::<bool>()? {
            return Err(Error::Operation(
                "weights must not contain missing values; fill them first (fillna(0.0))".into(),
            ));
        }
        let (plain, weighted) = self.split(dims.into_names());
        // Values summed over `plain` first: the weights are the same along it.
        let values = if plain.is_empty() {
            self.array.fillna(0.0)?
        } else {
            self.array.sum(plain)?
        };
        let products = values.binary(BinaryOp::Mul, self.weights)?;
        let sum = summed(products, weighted)?;
        Ok(sum.with_variable(
            sum.variable()
                .clone()
                .with_attrs(self.array.attrs().clone()),
        ))
    }

    /// The weighted mean over `dims`: the weighted sum divided by the sum of the
    /// weights where values are present.
    pub fn mean(&self, dims: impl Dims) -> Result<DataArray, Error> {
        let dims = dims.into_names();
        let total = self.sum(dims.clone())?;
        let (plain, weighted) = self.split(dims);
        // How many values are present along `plain`, in the weights' float type.
        let present = if plain.is_empty() {
            self.array.notnull()
        } else {
            let float = if self.weights.dtype().is_float() {
                self.weights.dtype()
            } else {
                DType::Float64
            };
            self.array.count(plain)?.astype(float)?
        };
        let weight = summed(present.binary(BinaryOp::Mul, self.weights)?, weighted)?;
        let mean = total.binary(BinaryOp::Div, &weight.where_(&weight.not_equal(0.0)?)?)?;
        Ok(mean.with_variable(
            mean.variable()
                .clone()
                .with_attrs(self.array.attrs().clone()),
        ))
    }

    /// `dims` (all of the array's when empty) split into those the weights do not
    /// vary along and those they do. Sums over the first need no weights: a cos(lat)
    /// area mean sums each row of longitudes, then weights the row sums, rather than
    /// multiplying every value by its weight (xarray's `dot` is the same sum of
    /// products, in another order).
    fn split(&self, dims: Vec<String>) -> (Vec<String>, Vec<String>) {
        let dims = if dims.is_empty() {
            self.array.dims().to_vec()
        } else {
            dims
        };
        dims.into_iter()
            .partition(|d| !self.weights.dims().contains(d))
    }
}

/// `array` summed over `dims`, or as it is when there are none (an empty list would
/// mean every dimension).
fn summed(array: DataArray, dims: Vec<String>) -> Result<DataArray, Error> {
    if dims.is_empty() {
        Ok(array)
    } else {
        array.sum(dims)
    }
}
