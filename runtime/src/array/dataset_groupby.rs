//! Grouping a whole dataset (`ds.groupby("time.season").mean()`, resampling): each
//! data variable along the grouped dimension is grouped and reduced as an array; the
//! others are repeated for every group, as in xarray.

use super::align::broadcast;
use super::dataset::Dataset;
use super::groupby::Grouping;
use super::reduce::Reduction;
use crate::Error;

/// A dataset split into groups along one dimension, reduced variable by variable.
///
/// ```
/// use rangeo::prelude::*;
/// let time: Vec<DateTime64> = ["2013-01-01", "2013-01-02", "2013-02-01"]
///     .iter()
///     .map(|t| t.parse())
///     .collect::<Result<_, _>>()?;
/// let ds = DataArray::new(["time"], vec![1.0, 3.0, 5.0])?
///     .assign_coords("time", time)?
///     .to_dataset_as("air")
///     .assign("depth", DataArray::new(["z"], vec![10.0])?)?;
/// let monthly = ds.groupby("time.month")?.mean()?;
/// assert_eq!(monthly.get("air")?.to_vec::<f64>()?, [2.0, 5.0]);
/// assert_eq!(monthly.get("depth")?.dims(), ["month", "z"], "repeated for each month");
/// let daily = ds.resample("time", "MS")?.max()?;
/// assert_eq!(daily.get("air")?.to_vec::<f64>()?, [3.0, 5.0]);
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DatasetGroupBy<'a> {
    dataset: &'a Dataset,
    /// The groups, found once on the grouping coordinate.
    groups: Grouping,
}

impl Dataset {
    /// Groups by a coordinate's values or a datetime component of it, as
    /// [`DataArray::groupby`](super::DataArray::groupby) does for one array.
    pub fn groupby(&self, key: &str) -> Result<DatasetGroupBy<'_>, Error> {
        let coord = key.split_once('.').map_or(key, |(coord, _)| coord);
        if !self.coords().contains(coord) {
            return Err(Error::Label(format!(
                "cannot group by `{key}`: there is no coordinate `{coord}` ({})",
                self.coords().names().collect::<Vec<_>>().join(", ")
            )));
        }
        let groups = self.get(coord)?.groupby(key)?.detach();
        Ok(DatasetGroupBy {
            dataset: self,
            groups,
        })
    }

    /// Groups the datetime dimension `dim` into periods of `freq`, as
    /// [`DataArray::resample`](super::DataArray::resample) does for one array.
    pub fn resample(&self, dim: &str, freq: &str) -> Result<DatasetGroupBy<'_>, Error> {
        let groups = self.get(dim)?.resample(dim, freq)?.detach();
        Ok(DatasetGroupBy {
            dataset: self,
            groups,
        })
    }
}

impl DatasetGroupBy<'_> {
    /// Each group of every variable along the grouped dimension reduced by `how`
    /// (NaN skipped when `skipna`); variables without that dimension are repeated
    /// for every group (as xarray does, grouping every variable and joining the
    /// groups).
    pub fn reduce(&self, how: Reduction, skipna: bool) -> Result<Dataset, Error> {
        let template = self.groups.template()?;
        let mut out = Dataset::new().assign_attrs(self.dataset.attrs().clone());
        for name in self.dataset.data_vars() {
            let array = self.dataset.get(name)?;
            let result = if array.dims().iter().any(|d| d == self.groups.dim()) {
                self.groups.over(&array).reduce(how, skipna)?
            } else {
                let mut both = broadcast(&[&template, &array])?;
                both.pop().expect("two broadcast")
            };
            out = out.assign(name, result)?;
        }
        Ok(out)
    }

    /// The mean of each group, skipping NaN.
    pub fn mean(&self) -> Result<Dataset, Error> {
        self.reduce(Reduction::Mean, true)
    }

    /// The sum of each group, skipping NaN.
    pub fn sum(&self) -> Result<Dataset, Error> {
        self.reduce(Reduction::Sum, true)
    }

    /// The minimum of each group, skipping NaN.
    pub fn min(&self) -> Result<Dataset, Error> {
        self.reduce(Reduction::Min, true)
    }

    /// The maximum of each group, skipping NaN.
    pub fn max(&self) -> Result<Dataset, Error> {
        self.reduce(Reduction::Max, true)
    }

    /// The standard deviation of each group (`ddof` 0), skipping NaN.
    pub fn std(&self) -> Result<Dataset, Error> {
        self.reduce(Reduction::Std { ddof: 0 }, true)
    }
}
