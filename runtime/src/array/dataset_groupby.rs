//! Grouping a whole dataset (`ds.groupby("time.season").mean()`, resampling): each
//! data variable along the grouped dimension is grouped and reduced as an array; the
//! others are repeated for every group, as in xarray.

use super::align::broadcast;
use super::data_array::DataArray;
use super::dataset::Dataset;
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
    /// The coordinate grouped by, and its dimension.
    coord: String,
    dim: String,
    grouping: Grouping,
}

#[derive(Debug, Clone)]
enum Grouping {
    /// By the values of a coordinate or a datetime component ("time.month").
    Key(String),
    /// By periods of a frequency.
    Resample(String),
}

impl Dataset {
    /// Groups by a coordinate's values or a datetime component of it, as
    /// [`DataArray::groupby`](super::DataArray::groupby) does for one array.
    pub fn groupby(&self, key: &str) -> Result<DatasetGroupBy<'_>, Error> {
        let coord = key.split_once('.').map_or(key, |(coord, _)| coord);
        let variable = self.coords().get(coord).ok_or_else(|| {
            Error::Label(format!(
                "cannot group by `{key}`: there is no coordinate `{coord}` ({})",
                self.coords().names().collect::<Vec<_>>().join(", ")
            ))
        })?;
        let [dim] = variable.dims() else {
            return Err(Error::Shape(format!(
                "cannot group by `{key}`: `{coord}` must be 1-D, it has dims {:?}",
                variable.dims()
            )));
        };
        self.get(coord)?.groupby(key)?;
        Ok(DatasetGroupBy {
            dataset: self,
            coord: coord.to_owned(),
            dim: dim.clone(),
            grouping: Grouping::Key(key.to_owned()),
        })
    }

    /// Groups the datetime dimension `dim` into periods of `freq`, as
    /// [`DataArray::resample`](super::DataArray::resample) does for one array.
    pub fn resample(&self, dim: &str, freq: &str) -> Result<DatasetGroupBy<'_>, Error> {
        self.get(dim)?.resample(dim, freq)?;
        Ok(DatasetGroupBy {
            dataset: self,
            coord: dim.to_owned(),
            dim: dim.to_owned(),
            grouping: Grouping::Resample(freq.to_owned()),
        })
    }
}

impl DatasetGroupBy<'_> {
    /// Each group of every variable along the grouped dimension reduced by `how`
    /// (NaN skipped when `skipna`).
    pub fn reduce(&self, how: Reduction, skipna: bool) -> Result<Dataset, Error> {
        let reduced = |array: &DataArray, how: Reduction| match &self.grouping {
            Grouping::Key(key) => array.groupby(key)?.reduce(how, skipna),
            Grouping::Resample(freq) => array.resample(&self.dim, freq)?.reduce(how, skipna),
        };
        // The groups with their labels, which variables without the dimension are
        // repeated over (as xarray does, grouping every variable and joining the groups).
        let groups = reduced(&self.dataset.get(&self.coord)?, Reduction::Count)?;
        let mut out = Dataset::new().assign_attrs(self.dataset.attrs().clone());
        for name in self.dataset.data_vars() {
            let array = self.dataset.get(name)?;
            let result = if array.dims().contains(&self.dim) {
                reduced(&array, how)?
            } else {
                let mut both = broadcast(&[&groups, &array])?;
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
