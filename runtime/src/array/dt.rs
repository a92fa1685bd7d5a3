//! The `.dt` accessor: date components of a datetime array as arrays, and the
//! "time.month"-style virtual coordinates that `groupby` accepts.

use super::data_array::DataArray;
use super::dtype::DateTime64;
use super::values::Values;
use super::variable::Variable;
use crate::Error;

/// Date components of a datetime array (xarray's `da.dt`).
///
/// ```
/// use rangeo::prelude::*;
/// let t = DataArray::new(["time"], vec![DateTime64::from_ymd(2013, 12, 31), DateTime64::from_ymd(2014, 3, 1)])?;
/// assert_eq!(t.dt()?.month().to_vec::<i64>()?, [12, 3]);
/// assert_eq!(t.dt()?.season().to_vec::<String>()?, ["DJF", "MAM"]);
/// assert_eq!(t.dt()?.dayofyear().to_vec::<i64>()?, [365, 60]);
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DatetimeAccessor<'a> {
    array: &'a DataArray,
    times: &'a ndarray::ArrayD<DateTime64>,
}

impl DataArray {
    /// Date components, for datetime arrays.
    pub fn dt(&self) -> Result<DatetimeAccessor<'_>, Error> {
        let times = self.variable().eager().array::<DateTime64>().map_err(|_| {
            Error::Operation(format!(
                "the .dt accessor needs datetime values; `{}` holds {}",
                self.name().unwrap_or("this array"),
                self.dtype()
            ))
        })?;
        Ok(DatetimeAccessor { array: self, times })
    }
}

/// The component names `groupby("time.<component>")` and [`DatetimeAccessor::component`]
/// know.
pub const COMPONENTS: [&str; 9] = [
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "dayofyear",
    "dayofweek",
    "season",
];

impl DatetimeAccessor<'_> {
    fn integers(&self, name: &str, f: impl Fn(DateTime64) -> i64) -> DataArray {
        // NaT has no components; numpy gives -1 for them, as here.
        let values = self.times.mapv(|t| if t.is_nat() { -1 } else { f(t) });
        self.wrap(name, Values::from_array(values))
    }

    fn wrap(&self, name: &str, values: Values) -> DataArray {
        let variable = Variable::from_values(self.array.dims().to_vec(), values);
        self.array.with_variable(variable).with_name(name)
    }

    /// The year.
    #[must_use]
    pub fn year(&self) -> DataArray {
        self.integers("year", DateTime64::year)
    }

    /// The month, 1 to 12.
    #[must_use]
    pub fn month(&self) -> DataArray {
        self.integers("month", |t| i64::from(t.month()))
    }

    /// The day of the month.
    #[must_use]
    pub fn day(&self) -> DataArray {
        self.integers("day", |t| i64::from(t.day()))
    }

    /// The hour.
    #[must_use]
    pub fn hour(&self) -> DataArray {
        self.integers("hour", |t| i64::from(t.hour()))
    }

    /// The minute.
    #[must_use]
    pub fn minute(&self) -> DataArray {
        self.integers("minute", |t| i64::from(t.minute()))
    }

    /// The second.
    #[must_use]
    pub fn second(&self) -> DataArray {
        self.integers("second", |t| i64::from(t.second()))
    }

    /// The day of the year, from 1.
    #[must_use]
    pub fn dayofyear(&self) -> DataArray {
        self.integers("dayofyear", |t| i64::from(t.day_of_year()))
    }

    /// The day of the week, Monday = 0.
    #[must_use]
    pub fn dayofweek(&self) -> DataArray {
        self.integers("dayofweek", |t| i64::from(t.day_of_week()))
    }

    /// The meteorological season ("DJF", "MAM", "JJA", "SON").
    #[must_use]
    pub fn season(&self) -> DataArray {
        let values = self.times.mapv(|t| t.season().to_owned());
        self.wrap("season", Values::from_array(values))
    }

    /// A component by name (one of [`COMPONENTS`]).
    pub fn component(&self, name: &str) -> Result<DataArray, Error> {
        Ok(match name {
            "year" => self.year(),
            "month" => self.month(),
            "day" => self.day(),
            "hour" => self.hour(),
            "minute" => self.minute(),
            "second" => self.second(),
            "dayofyear" => self.dayofyear(),
            "dayofweek" => self.dayofweek(),
            "season" => self.season(),
            other => {
                return Err(Error::Label(format!(
                    "no datetime component `{other}`; the components are {}",
                    COMPONENTS.join(", ")
                )));
            }
        })
    }
}
