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
    let (step, origin) = parse_units(units, calendar)?;
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
    Ok(Clock::cftime(calendar).values(&ticks))
}

/// The length of one unit and the origin of CF time `units`, in nanoseconds (the
/// origin since 1970-01-01 of `calendar`).
fn parse_units(units: &str, calendar: Calendar) -> Result<(i128, i128), Error> {
    let bad = || {
        Error::Operation(format!(
            "cannot read {units:?} as CF time units (\"<unit> since <date>\")"
        ))
    };
    let (unit, origin) = units.split_once(" since ").ok_or_else(bad)?;
    let step = UNITS
        .iter()
        .find(|(_, names, _)| names.contains(&unit.trim().to_ascii_lowercase().as_str()))
        .ok_or_else(bad)?
        .2;
    let origin = origin.trim().trim_end_matches('Z').trim_end_matches(" UTC");
    let origin = Period::parse_in(origin, Clock::cftime(calendar)).map_err(|_| bad())?;
    Ok((step.into(), i128::from(origin.start) * 1000))
}

/// CF time units, coarsest first: the name written, the names read, nanoseconds.
const UNITS: [(&str, &[&str], i64); 7] = [
    ("days", &["days", "day", "d"], NS_PER_DAY),
    ("hours", &["hours", "hour", "h"], NS_PER_HOUR),
    ("minutes", &["minutes", "minute", "min"], NS_PER_MINUTE),
    ("seconds", &["seconds", "second", "s"], NS_PER_SECOND),
    (
        "milliseconds",
        &["milliseconds", "millisecond", "ms"],
        1_000_000,
    ),
    (
        "microseconds",
        &["microseconds", "microsecond", "us"],
        1_000,
    ),
    ("nanoseconds", &["nanoseconds", "nanosecond", "ns"], 1),
];

/// Nanoseconds since 1970-01-01 of their calendar for each time (`None` for NaT), and
/// the calendar; an error for values that are not times.
fn nanos_of(times: &Values) -> Result<(ArrayD<Option<i128>>, Calendar), Error> {
    let (ticks, clock) = times.times().ok_or_else(|| {
        Error::Operation(format!(
            "CF time encoding needs datetime64 or cftime values, not {}",
            times.dtype()
        ))
    })?;
    let scale = i128::from(clock.nanos(1));
    let nanos = ticks.mapv(|t| (t != i64::MIN).then(|| i128::from(t) * scale));
    Ok((nanos, clock.calendar))
}

/// The CF units and calendar xarray chooses for `times` when their encoding gives
/// none: the coarsest unit that counts every step between them exactly, since the
/// first time; `proleptic_gregorian` for `datetime64`, the times' own calendar for
/// cftime-like ones.
///
/// ```
/// use rangeo::array::{DateTime64, Values, infer_cf_time_units};
/// let t = Values::from_vec(vec!["2013-01-01".parse::<DateTime64>()?, "2013-01-01T06".parse::<DateTime64>()?]);
/// assert_eq!(
///     infer_cf_time_units(&t)?,
///     ("hours since 2013-01-01 00:00:00".to_owned(), "proleptic_gregorian".to_owned())
/// );
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn infer_cf_time_units(times: &Values) -> Result<(String, String), Error> {
    let (nanos, calendar) = nanos_of(times)?;
    let present: Vec<i128> = nanos.iter().flatten().copied().collect();
    let first = present.first().copied().unwrap_or(0);
    let (unit, _, _) = UNITS
        .iter()
        .find(|(_, _, step)| {
            present
                .iter()
                .all(|t| (t - first).rem_euclid(i128::from(*step)) == 0)
        })
        .expect("nanoseconds count everything");
    let clock = Clock::cftime(calendar);
    let micros = i64::try_from(first.div_euclid(1000)).expect("a time that was an i64");
    let fields = clock.fields(micros);
    let origin = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        fields.year,
        fields.month,
        fields.day,
        fields.hour(),
        fields.minute(),
        fields.second()
    );
    let calendar = if times.dtype() == DType::DateTime64 {
        "proleptic_gregorian"
    } else {
        calendar.name()
    };
    Ok((format!("{unit} since {origin}"), calendar.to_owned()))
}

/// Encodes times as CF numbers, the inverse of [`decode_cf_times`]: `times`
/// (datetime64 or cftime-like) counted in `units` on `calendar`. Counts are `int64`
/// when every time is a whole number of units, `float64` otherwise; NaT becomes NaN.
///
/// ```
/// use rangeo::array::{DateTime64, Values, encode_cf_times};
/// let t = Values::from_vec(vec!["2013-01-01T06".parse::<DateTime64>()?, "2013-01-02".parse::<DateTime64>()?]);
/// let hours = encode_cf_times(&t, "hours since 2013-01-01", "standard")?;
/// assert_eq!(hours.array::<i64>()?.as_slice().unwrap(), [6, 24]);
/// let days = encode_cf_times(&t, "days since 2013-01-01", "standard")?;
/// assert_eq!(days.array::<f64>()?.as_slice().unwrap(), [0.25, 1.0]);
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn encode_cf_times(times: &Values, units: &str, calendar: &str) -> Result<Values, Error> {
    let target: Calendar = calendar.parse()?;
    let (nanos, own) = nanos_of(times)?;
    let differs = |c: Calendar| !matches!(c, Calendar::Standard | Calendar::ProlepticGregorian);
    if own != target && (differs(own) || differs(target)) {
        return Err(Error::Operation(format!(
            "cannot encode times on the {own} calendar as {target} times"
        )));
    }
    let (step, origin) = parse_units(units, target)?;
    let exact = nanos
        .iter()
        .all(|t| t.is_some_and(|t| (t - origin) % step == 0));
    if exact {
        let counts = nanos.mapv(|t| (t.expect("checked") - origin) / step);
        if counts.iter().all(|&c| i64::try_from(c).is_ok()) {
            return Ok(Values::from_array(
                counts.mapv(|c| i64::try_from(c).expect("checked")),
            ));
        }
    }
    Ok(Values::from_array(nanos.mapv(|t| {
        t.map_or(f64::NAN, |t| {
            let offset = t - origin;
            (offset / step) as f64 + (offset % step) as f64 / step as f64
        })
    })))
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
