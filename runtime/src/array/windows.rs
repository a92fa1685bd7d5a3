//! Moving windows (`rolling`) and block reductions (`coarsen`) along one dimension.

use ndarray::{ArrayD, Axis};

use super::data_array::DataArray;
use super::dtype::DType;
use super::groupby::GroupBy;
use super::reduce::{Reduction, reduce_present};
use super::values::Values;
use crate::Error;

/// A moving window along one dimension, waiting for a reduction.
///
/// ```
/// use rangeo::prelude::*;
/// let x = DataArray::new(["time"], vec![1.0, 2.0, 3.0, 4.0])?;
/// let smooth = x.rolling("time", 3)?.center(true).mean()?;
/// assert_eq!(smooth.to_vec::<f64>()?[1..3], [2.0, 3.0]);
/// assert!(smooth.to_vec::<f64>()?[0].is_nan(), "fewer than 3 values at the edge");
/// let partial = x.rolling("time", 3)?.min_periods(1).sum()?;
/// assert_eq!(partial.to_vec::<f64>()?, [1.0, 3.0, 6.0, 9.0]);
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Rolling<'a> {
    array: &'a DataArray,
    dim: String,
    window: usize,
    center: bool,
    min_periods: Option<usize>,
}

/// What `coarsen` does when the window does not divide the dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Boundary {
    /// An error.
    #[default]
    Exact,
    /// The last, incomplete block is dropped.
    Trim,
    /// The last block is padded with missing values.
    Pad,
}

impl DataArray {
    /// A moving window of `window` positions along `dim` (trailing; `.center(true)`
    /// centres it). A result needs `min_periods` values present (default: the window).
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let time: Vec<DateTime64> = ["2013-01-01T00", "2013-01-01T12", "2013-01-02T00", "2013-02-01T00"]
    ///     .iter()
    ///     .map(|t| t.parse())
    ///     .collect::<Result<_, _>>()?;
    /// let air = DataArray::new(["time"], vec![1.0, 3.0, 5.0, 7.0])?.assign_coords("time", time)?;
    /// let smooth = air.rolling("time", 3)?.center(true).mean()?;
    /// assert_eq!(smooth.to_vec::<f64>()?[1], 3.0);
    /// assert!(smooth.to_vec::<f64>()?[0].is_nan(), "a window that does not fit");
    /// let partial = air.rolling("time", 3)?.min_periods(1).sum()?;
    /// assert_eq!(partial.to_vec::<f64>()?[0], 1.0);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn rolling(&self, dim: &str, window: usize) -> Result<Rolling<'_>, Error> {
        self.variable().axis(dim)?;
        if window == 0 {
            return Err(Error::Operation(format!(
                "a rolling window along `{dim}` must be at least 1"
            )));
        }
        Ok(Rolling {
            array: self,
            dim: dim.to_owned(),
            window,
            center: false,
            min_periods: None,
        })
    }

    /// Blocks of `window` positions along `dim`, each reduced to one; the coordinates
    /// along `dim` become their block means.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let time: Vec<DateTime64> = ["2013-01-01T00", "2013-01-01T12", "2013-01-02T00", "2013-02-01T00"]
    ///     .iter()
    ///     .map(|t| t.parse())
    ///     .collect::<Result<_, _>>()?;
    /// let air = DataArray::new(["time"], vec![1.0, 3.0, 5.0, 7.0])?.assign_coords("time", time)?;
    /// let pairs = air.coarsen("time", 2, Boundary::Exact)?.mean()?;
    /// assert_eq!(pairs.to_vec::<f64>()?, [2.0, 6.0]);
    /// assert!(air.coarsen("time", 3, Boundary::Exact).is_err());
    /// assert_eq!(air.coarsen("time", 3, Boundary::Trim)?.mean()?.shape(), [1]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn coarsen(
        &self,
        dim: &str,
        window: usize,
        boundary: Boundary,
    ) -> Result<GroupBy<'_>, Error> {
        let axis = self.variable().axis(dim)?;
        let size = self.shape()[axis];
        if window == 0 {
            return Err(Error::Operation(format!(
                "a coarsen window along `{dim}` must be at least 1"
            )));
        }
        let blocks = match boundary {
            Boundary::Exact if !size.is_multiple_of(window) => {
                return Err(Error::Shape(format!(
                    "cannot coarsen `{dim}` of size {size} by {window} exactly; use Boundary::Trim or Boundary::Pad"
                )));
            }
            Boundary::Pad => size.div_ceil(window),
            _ => size / window,
        };
        let groups: Vec<Vec<usize>> = (0..blocks)
            .map(|b| (b * window..((b + 1) * window).min(size)).collect())
            .collect();
        let labels = match self.coords().get(dim) {
            Some(coord) => Some(block_means(coord.to_values()?.as_ref(), &groups)?),
            None => None,
        };
        Ok(GroupBy::new(self, dim, dim, labels, groups))
    }
}

/// The mean label of each block (times averaged in ticks of their clock).
fn block_means(labels: &Values, groups: &[Vec<usize>]) -> Result<Values, Error> {
    let mean = |xs: &mut dyn Iterator<Item = f64>| {
        let (sum, n) = xs.fold((0.0, 0.0), |(s, n), x| (s + x, n + 1.0));
        sum / n
    };
    if let Some((times, clock)) = labels.times() {
        let means: ndarray::Array1<i64> = groups
            .iter()
            .map(|g| {
                let first = times[[g[0]]];
                let offset = mean(&mut g.iter().map(|&p| (times[[p]] - first) as f64));
                first + offset.round() as i64
            })
            .collect();
        return Ok(clock.values(&means));
    }
    let floats = labels.to_f64()?;
    let means: Vec<f64> = groups
        .iter()
        .map(|g| mean(&mut g.iter().map(|&p| floats[[p]])))
        .collect();
    let out = Values::from_vec(means);
    Ok(if labels.dtype() == DType::Float32 {
        out.cast(DType::Float32)?
    } else {
        out
    })
}

impl Rolling<'_> {
    /// Centres the window on each position instead of ending it there.
    #[must_use]
    pub fn center(mut self, center: bool) -> Self {
        self.center = center;
        self
    }

    /// The number of values a window needs for a result (default: the window).
    #[must_use]
    pub fn min_periods(mut self, min_periods: usize) -> Self {
        self.min_periods = Some(min_periods);
        self
    }

    /// Every window reduced with `how` (mean, sum, min, max, std, var, median, count).
    pub fn reduce(&self, how: Reduction) -> Result<DataArray, Error> {
        if matches!(
            how,
            Reduction::ArgMin | Reduction::ArgMax | Reduction::Quantile(_)
        ) {
            return Err(Error::Operation(format!(
                "rolling {} is not supported",
                how.name()
            )));
        }
        let variable = self.array.variable();
        let axis = variable.axis(&self.dim)?;
        let input = variable.to_values()?;
        let floats = input.to_f64()?;
        let n = floats.shape()[axis];
        let w = self.window;
        let min_periods = self.min_periods.unwrap_or(w).max(1);
        let end_offset = if self.center { (w - 1) / 2 } else { 0 };
        let mut out = ArrayD::<f64>::zeros(floats.raw_dim());
        let mut window = Vec::with_capacity(w);
        for (lane, mut result) in floats
            .lanes(Axis(axis))
            .into_iter()
            .zip(out.lanes_mut(Axis(axis)))
        {
            for i in 0..n {
                let end = (i + end_offset).min(n - 1);
                let start = (i + end_offset + 1).saturating_sub(w);
                window.clear();
                window.extend((start..=end).map(|p| lane[p]).filter(|x| !x.is_nan()));
                result[i] = if window.len() < min_periods {
                    f64::NAN
                } else {
                    reduce_present(how, &mut window)
                };
            }
        }
        let values = if input.dtype() == DType::Float32 && how != Reduction::Count {
            Values::from_array(out).cast(DType::Float32)?
        } else {
            Values::from_array(out)
        };
        let result = variable.with_values(variable.dims().to_vec(), values);
        Ok(self.array.with_variable(result))
    }

    /// The mean of every window.
    pub fn mean(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Mean)
    }

    /// The sum of every window.
    pub fn sum(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Sum)
    }

    /// The minimum of every window.
    pub fn min(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Min)
    }

    /// The maximum of every window.
    pub fn max(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Max)
    }

    /// The standard deviation of every window (`ddof` 0).
    pub fn std(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Std { ddof: 0 })
    }

    /// The median of every window.
    pub fn median(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Median)
    }
}
