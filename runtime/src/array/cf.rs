//! CF conventions for time: numbers in "<unit> since <date>" decoded to datetimes.

use super::dtype::{DType, DateTime64};
use super::time::{NS_PER_DAY, NS_PER_HOUR, NS_PER_MINUTE, NS_PER_SECOND, Period};
use super::values::Values;
use crate::Error;

/// The calendars whose dates are numpy's proleptic Gregorian `datetime64`.
const GREGORIAN: [&str; 3] = ["standard", "gregorian", "proleptic_gregorian"];

/// Decodes CF times: `values` counted in `units` ("hours since 1800-01-01", "days since
/// 2000-01-01 12:00:00", ...) on `calendar`, to `datetime64[ns]`. Missing values (NaN)
/// become NaT.
///
/// ```
/// use rangeo::array::{decode_cf_times, DateTime64, Values};
/// let hours = Values::from_vec(vec![1_867_128.0_f32, 1_867_134.0]);
/// let times = decode_cf_times(&hours, "hours since 1800-01-01", "standard")?;
/// let times = times.array::<DateTime64>()?;
/// assert_eq!(times[[0]].to_string(), "2013-01-01T00:00:00");
/// assert_eq!(times[[1]].to_string(), "2013-01-01T06:00:00");
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn decode_cf_times(values: &Values, units: &str, calendar: &str) -> Result<Values, Error> {
    let calendar = calendar.trim().to_ascii_lowercase();
    if !GREGORIAN.contains(&calendar.as_str()) {
        return Err(Error::Operation(format!(
            "calendar {calendar:?} is not decoded yet; only {} are",
            GREGORIAN.join(", ")
        )));
    }
    let bad = || {
        Error::Operation(format!(
            "cannot read {units:?} as CF time units (\"<unit> since <date>\")"
        ))
    };
    let (unit, origin) = units.split_once(" since ").ok_or_else(bad)?;
    let step: i64 = match unit.trim().to_ascii_lowercase().as_str() {
        "days" | "day" | "d" => NS_PER_DAY,
        "hours" | "hour" | "h" => NS_PER_HOUR,
        "minutes" | "minute" | "min" => NS_PER_MINUTE,
        "seconds" | "second" | "s" => NS_PER_SECOND,
        "milliseconds" | "millisecond" | "ms" => 1_000_000,
        "microseconds" | "microsecond" | "us" => 1_000,
        "nanoseconds" | "nanosecond" | "ns" => 1,
        _ => return Err(bad()),
    };
    let origin = origin.trim().trim_end_matches('Z').trim_end_matches(" UTC");
    let origin = Period::parse(origin).map_err(|_| bad())?.start.0;
    if values.dtype().is_integer() {
        let counts = values.cast(DType::Int64)?;
        let counts = counts.array::<i64>()?;
        return Ok(Values::from_array(
            counts.mapv(|n| DateTime64(origin + n * step)),
        ));
    }
    let counts = values.to_f64()?;
    Ok(Values::from_array(counts.mapv(|x| {
        if x.is_nan() {
            DateTime64::NAT
        } else {
            // Whole units exactly, the fraction rounded to the nanosecond.
            let whole = x.trunc();
            let fraction = ((x - whole) * step as f64).round() as i64;
            DateTime64(origin + whole as i64 * step + fraction)
        }
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(decode_cf_times(&seconds, "fortnights since 1970-01-01", "standard").is_err());
        assert!(decode_cf_times(&seconds, "days after 1970-01-01", "standard").is_err());
        let error = decode_cf_times(&seconds, "days since 1970-01-01", "noleap").unwrap_err();
        assert!(error.to_string().contains("noleap"), "{error}");
    }
}
