//! The `.dt` accessor: date components of a datetime array as arrays, and the
//! "time.month"-style virtual coordinates that `groupby` accepts.

use super::calendar::{Calendar, Clock, Fields};
use super::data_array::DataArray;
use super::values::Values;
use super::variable::Variable;
use crate::Error;

/// Date components of a datetime array (xarray's `da.dt`), on the array's calendar
/// (`datetime64` or cftime-like [`CfDateTime`](super::CfDateTime)s).
///
/// ```
/// use rangeo::prelude::*;
/// let t = DataArray::new(["time"], vec![DateTime64::from_ymd(2013, 12, 31), DateTime64::from_ymd(2014, 3, 1)])?;
/// assert_eq!(t.dt()?.month().to_vec::<i64>()?, [12, 3]);
/// assert_eq!(t.dt()?.season().to_vec::<String>()?, ["DJF", "MAM"]);
/// assert_eq!(t.dt()?.dayofyear().to_vec::<i64>()?, [365, 60]);
///
/// let model = DataArray::new(["time"], vec![CfDateTime::from_ymd(Calendar::Day360, 2000, 2, 30)?])?;
/// assert_eq!(model.dt()?.dayofyear().to_vec::<i64>()?, [60]);
/// assert_eq!(model.dt()?.days_in_month().to_vec::<i64>()?, [30]);
/// assert_eq!(model.dt()?.calendar(), Calendar::Day360);
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DatetimeAccessor<'a> {
    array: &'a DataArray,
    ticks: ndarray::ArrayD<i64>,
    clock: Clock,
}

impl DataArray {
    /// Date components, for datetime arrays.
    pub fn dt(&self) -> Result<DatetimeAccessor<'_>, Error> {
        let (ticks, clock) = self.variable().to_values()?.times().ok_or_else(|| {
            Error::Operation(format!(
                "the .dt accessor needs datetime values; `{}` holds {}",
                self.name().unwrap_or("this array"),
                self.dtype()
            ))
        })?;
        Ok(DatetimeAccessor {
            array: self,
            ticks,
            clock,
        })
    }
}

/// The component names `groupby("time.<component>")` and [`DatetimeAccessor::component`]
/// know.
pub const COMPONENTS: [&str; 10] = [
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "dayofyear",
    "dayofweek",
    "days_in_month",
    "season",
];

impl DatetimeAccessor<'_> {
    fn integers(&self, name: &str, f: impl Fn(Fields) -> i64) -> DataArray {
        // NaT has no components; numpy gives -1 for them, as here.
        let values = self.ticks.mapv(|t| {
            if t == i64::MIN {
                -1
            } else {
                f(self.clock.fields(t))
            }
        });
        self.wrap(name, Values::from_array(values))
    }

    /// The calendar the times are on.
    #[must_use]
    pub fn calendar(&self) -> Calendar {
        self.clock.calendar
    }

    fn wrap(&self, name: &str, values: Values) -> DataArray {
        let variable = Variable::from_values(self.array.dims().to_vec(), values);
        self.array.with_variable(variable).with_name(name)
    }

    /// The year.
    #[must_use]
    pub fn year(&self) -> DataArray {
        self.integers("year", |f| f.year)
    }

    /// The month, 1 to 12.
    #[must_use]
    pub fn month(&self) -> DataArray {
        self.integers("month", |f| i64::from(f.month))
    }

    /// The day of the month.
    #[must_use]
    pub fn day(&self) -> DataArray {
        self.integers("day", |f| i64::from(f.day))
    }

    /// The hour.
    #[must_use]
    pub fn hour(&self) -> DataArray {
        self.integers("hour", |f| i64::from(f.hour()))
    }

    /// The minute.
    #[must_use]
    pub fn minute(&self) -> DataArray {
        self.integers("minute", |f| i64::from(f.minute()))
    }

    /// The second.
    #[must_use]
    pub fn second(&self) -> DataArray {
        self.integers("second", |f| i64::from(f.second()))
    }

    /// The day of the year, from 1.
    #[must_use]
    pub fn dayofyear(&self) -> DataArray {
        self.integers("dayofyear", |f| i64::from(f.day_of_year()))
    }

    /// The day of the week, Monday = 0.
    #[must_use]
    pub fn dayofweek(&self) -> DataArray {
        self.integers("dayofweek", |f| i64::from(f.day_of_week()))
    }

    /// The number of days in the month.
    #[must_use]
    pub fn days_in_month(&self) -> DataArray {
        self.integers("days_in_month", |f| i64::from(f.days_in_month()))
    }

    /// The meteorological season ("DJF", "MAM", "JJA", "SON").
    #[must_use]
    pub fn season(&self) -> DataArray {
        let values = self.ticks.mapv(|t| {
            if t == i64::MIN {
                "nan".to_owned()
            } else {
                self.clock.fields(t).season().to_owned()
            }
        });
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
            "days_in_month" => self.days_in_month(),
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
