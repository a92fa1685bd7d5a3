//! CF conventions for time: numbers in "<unit> since <date>" decoded to datetimes.

use ndarray::ArrayD;

use super::calendar::{Calendar, Clock, GREGORIAN_REFORM};
use super::dtype::DType;
use super::time::{NS_PER_DAY, NS_PER_HOUR, NS_PER_MINUTE, NS_PER_SECOND, Period};
use super::values::Values;
use crate::Error;

/// Decodes CF times: `values` counted in `units` ("hours since 1800-01-01", "days since
/// 2000-01-01 12:00:00", ...) on `calendar` (any CF calendar name). As xarray does, the
/// Gregorian calendars give `datetime64[ns]` when every date fits it (from 1678 to
/// 2262, and after the 1582 reform for "standard"), and the other calendars, or
/// dates outside that range, give [`CfDateTime`](super::CfDateTime)s. Missing values
/// (NaN) become NaT.
///
/// ```
/// use rangeo::array::{decode_cf_times, CfDateTime, DateTime64, Values};
/// let hours = Values::from_vec(vec![1_867_128.0_f32, 1_867_134.0]);
/// let times = decode_cf_times(&hours, "hours since 1800-01-01", "standard")?;
/// let times = times.array::<DateTime64>()?;
/// assert_eq!(times[[0]].to_string(), "2013-01-01T00:00:00");
/// assert_eq!(times[[1]].to_string(), "2013-01-01T06:00:00");
///
/// let days = Values::from_vec(vec![59, 365]);
/// let model = decode_cf_times(&days, "days since 2000-01-01", "noleap")?;
/// let model = model.array::<CfDateTime>()?;
/// assert_eq!(model[[0]].to_string(), "2000-03-01 00:00:00");
/// assert_eq!(model[[1]].to_string(), "2001-01-01 00:00:00");
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn decode_cf_times(values: &Values, units: &str, calendar: &str) -> Result<Values, Error> {
    let calendar: Calendar = calendar.parse()?;
    let bad = || {
        Error::Operation(format!(
            "cannot read {units:?} as CF time units (\"<unit> since <date>\")"
        ))
    };
    let (unit, origin) = units.split_once(" since ").ok_or_else(bad)?;
    let step: i128 = match unit.trim().to_ascii_lowercase().as_str() {
        "days" | "day" | "d" => NS_PER_DAY,
        "hours" | "hour" | "h" => NS_PER_HOUR,
        "minutes" | "minute" | "min" => NS_PER_MINUTE,
        "seconds" | "second" | "s" => NS_PER_SECOND,
        "milliseconds" | "millisecond" | "ms" => 1_000_000,
        "microseconds" | "microsecond" | "us" => 1_000,
        "nanoseconds" | "nanosecond" | "ns" => 1,
        _ => return Err(bad()),
    }
    .into();
    let micros = Clock::cftime(calendar);
    let origin = origin.trim().trim_end_matches('Z').trim_end_matches(" UTC");
    let origin = i128::from(Period::parse_in(origin, micros).map_err(|_| bad())?.start) * 1000;
    // Nanoseconds since 1970-01-01 of the calendar, wide enough for any count.
    let nanos: ArrayD<Option<i128>> = if values.dtype().is_integer() {
        let counts = values.cast(DType::Int64)?;
        counts
            .array::<i64>()?
            .mapv(|n| Some(origin + i128::from(n) * step))
    } else {
        values.to_f64()?.mapv(|x| {
            (!x.is_nan()).then(|| {
                // Whole units exactly, the fraction rounded to the nanosecond.
                let whole = x.trunc();
                let fraction = ((x - whole) * step as f64).round() as i128;
                origin + whole as i128 * step + fraction
            })
        })
    };
    let reform = i128::from(GREGORIAN_REFORM) * i128::from(NS_PER_DAY);
    let fits_numpy = |t: &Option<i128>| {
        t.is_none_or(|t| {
            i64::try_from(t).is_ok_and(|t| t != i64::MIN)
                && (calendar == Calendar::ProlepticGregorian || t >= reform)
        })
    };
    let gregorian = matches!(calendar, Calendar::Standard | Calendar::ProlepticGregorian);
    if gregorian && nanos.iter().all(fits_numpy) {
        let ticks = nanos.mapv(|t| t.map_or(i64::MIN, |t| i64::try_from(t).expect("checked")));
        return Ok(Clock::NUMPY.values(&ticks));
    }
    let mut ticks = ArrayD::zeros(nanos.raw_dim());
    for (tick, t) in ticks.iter_mut().zip(&nanos) {
        *tick = match t {
            None => i64::MIN,
            Some(t) => i64::try_from(t.div_euclid(1000)).map_err(|_| {
                Error::Operation(format!(
                    "a time in {units:?} on the {calendar} calendar is beyond any date"
                ))
            })?,
        };
    }
    Ok(micros.values(&ticks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::{CfDateTime, DateTime64};

    #[test]
    fn units_origins_and_missing_values() {
        let days = Values::from_vec(vec![0.5, f64::NAN, -1.0]);
        let times = decode_cf_times(
            &days,
            "days since 2000-01-01 12:00:00",
            "proleptic_gregorian",
        )
        .unwrap();
        let times = times.array::<DateTime64>().unwrap();
        assert_eq!(times[[0]].to_string(), "2000-01-02T00:00:00");
        assert!(times[[1]].is_nat());
        assert_eq!(times[[2]].to_string(), "1999-12-31T12:00:00");
        let seconds = Values::from_vec(vec![90_i32]);
        let t =
            decode_cf_times(&seconds, "seconds since 1970-01-01T00:00:00Z", "standard").unwrap();
        assert_eq!(
            t.array::<DateTime64>().unwrap()[[0]],
            DateTime64(90_000_000_000)
        );
    }

    #[test]
    fn calendars_and_out_of_range_dates_give_cftime() {
        let days = Values::from_vec(vec![0.0, 59.5, 360.0]);
        let day360 = decode_cf_times(&days, "days since 2000-01-01", "360_day").unwrap();
        let text: Vec<String> = day360
            .array::<CfDateTime>()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            text,
            [
                "2000-01-01 00:00:00",
                "2000-02-30 12:00:00",
                "2001-01-01 00:00:00"
            ]
        );
        // Before the reform, "standard" counts Julian days (as cftime does).
        let early = decode_cf_times(&days, "days since 1500-01-01", "standard").unwrap();
        assert_eq!(early.dtype(), DType::CfDateTime);
        let far = decode_cf_times(&days, "days since 2500-01-01", "proleptic_gregorian").unwrap();
        assert_eq!(
            far.array::<CfDateTime>().unwrap()[[2]].to_string(),
            "2500-12-27 00:00:00"
        );
        assert!(decode_cf_times(&days, "fortnights since 1970-01-01", "standard").is_err());
        assert!(decode_cf_times(&days, "days after 1970-01-01", "standard").is_err());
        let error = decode_cf_times(&days, "days since 1970-01-01", "mayan").unwrap_err();
        assert!(error.to_string().contains("mayan"), "{error}");
    }
}
