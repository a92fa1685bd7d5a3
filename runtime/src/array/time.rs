//! Dates and times: building, parsing (including the partial strings pandas accepts,
//! like "2013-05"), printing and the `.dt` components, for `datetime64[ns]` and for the
//! calendar-aware [`CfDateTime`].

#![allow(
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    reason = "calendar fields (months, days, hours) are small and non-negative by construction"
)]

use std::fmt;
use std::str::FromStr;

use super::calendar::{CfDateTime, Clock, Fields};
use super::dtype::{DateTime64, TimeDelta64};
use crate::Error;

/// Nanoseconds in a second, a minute, an hour and a day: the units of `datetime64[ns]`.
pub(crate) const NS_PER_SECOND: i64 = 1_000_000_000;
pub(crate) const NS_PER_MINUTE: i64 = 60 * NS_PER_SECOND;
pub(crate) const NS_PER_HOUR: i64 = 60 * NS_PER_MINUTE;
pub(crate) const NS_PER_DAY: i64 = 24 * NS_PER_HOUR;

/// How finely a date string or an index's values are given, coarsest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Resolution {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    SubSecond,
}

/// The time span a (possibly partial) date string names: "2013-05" is all of May 2013.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    /// The first instant, in ticks of the clock it was read for.
    pub(crate) start: i64,
    /// The last instant (inclusive), one tick before the next period.
    pub(crate) end: i64,
    /// The finest component given.
    pub(crate) resolution: Resolution,
}

impl Period {
    /// Parses "YYYY", "YYYY-MM", "YYYY-MM-DD", then "T" or " " and "HH", "HH:MM",
    /// "HH:MM:SS" or "HH:MM:SS.fffffffff", as pandas reads labels, for `datetime64[ns]`.
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        Self::parse_in(text, Clock::NUMPY)
    }

    /// Parses a date string as [`Period::parse`] does, on `clock`'s calendar and in its
    /// ticks.
    pub(crate) fn parse_in(text: &str, clock: Clock) -> Result<Self, Error> {
        let bad = || {
            let on = if clock == Clock::NUMPY {
                String::new()
            } else {
                format!(" on the {} calendar", clock.calendar)
            };
            Error::Label(format!("cannot read {text:?} as a date{on}"))
        };
        let trimmed = text.trim();
        let (date, time_of_day) = match trimmed.find(['T', ' ']) {
            Some(at) => (&trimmed[..at], Some(&trimmed[at + 1..])),
            None => (trimmed, None),
        };
        let mut parts = date.split('-');
        let number = |part: Option<&str>, digits: usize| -> Result<Option<i64>, Error> {
            match part {
                None => Ok(None),
                Some(p) if p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(Some(p.parse().map_err(|_| bad())?))
                }
                Some(_) => Err(bad()),
            }
        };
        let year = number(parts.next(), 4)?.ok_or_else(bad)?;
        let month = number(parts.next(), 2)?;
        let day = number(parts.next(), 2)?;
        if parts.next().is_some() {
            return Err(bad());
        }
        let (mut hour, mut minute, mut second, mut nanos) = (None, None, None, 0);
        if let Some(time_of_day) = time_of_day {
            if day.is_none() {
                return Err(bad());
            }
            let (hms, fraction) = match time_of_day.split_once('.') {
                Some((hms, fraction)) => (hms, Some(fraction)),
                None => (time_of_day, None),
            };
            let mut fields = hms.split(':');
            hour = number(fields.next(), 2)?;
            minute = number(fields.next(), 2)?;
            second = number(fields.next(), 2)?;
            if fields.next().is_some() || hour.is_none() {
                return Err(bad());
            }
            if let Some(fraction) = fraction {
                if second.is_none()
                    || fraction.is_empty()
                    || fraction.len() > 9
                    || !fraction.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(bad());
                }
                nanos = format!("{fraction:0<9}")
                    .parse::<i64>()
                    .map_err(|_| bad())?;
            }
        }
        let month_number = month.unwrap_or(1);
        let day_number = day.unwrap_or(1);
        let in_range = (1..=12).contains(&month_number)
            && day_number >= 1
            && day_number <= i64::from(clock.calendar.days_in_month(year, month_number as u32))
            && hour.is_none_or(|h| h < 24)
            && minute.is_none_or(|m| m < 60)
            && second.is_none_or(|s| s < 60);
        if !in_range {
            return Err(bad());
        }
        let resolution = if nanos != 0 || time_of_day.is_some_and(|c| c.contains('.')) {
            Resolution::SubSecond
        } else if second.is_some() {
            Resolution::Second
        } else if minute.is_some() {
            Resolution::Minute
        } else if hour.is_some() {
            Resolution::Hour
        } else if day.is_some() {
            Resolution::Day
        } else if month.is_some() {
            Resolution::Month
        } else {
            Resolution::Year
        };
        let seconds = hour.unwrap_or(0) * 3600 + minute.unwrap_or(0) * 60 + second.unwrap_or(0);
        let start = clock.midnight(year, month_number as u32, day_number as u32)
            + seconds * clock.per_second
            + clock.ticks_of_nanos(nanos);
        let next = next_period(clock, resolution, year, month_number as u32, start);
        Ok(Self {
            start,
            end: next - 1,
            resolution,
        })
    }
}

/// The first instant after the period of `resolution` that starts at `start` (in
/// `year` and `month`).
fn next_period(clock: Clock, resolution: Resolution, year: i64, month: u32, start: i64) -> i64 {
    match resolution {
        Resolution::Year => clock.midnight(year + 1, 1, 1),
        Resolution::Month if month == 12 => clock.midnight(year + 1, 1, 1),
        Resolution::Month => clock.midnight(year, month + 1, 1),
        Resolution::Day => start + clock.per_day(),
        Resolution::Hour => start + 3600 * clock.per_second,
        Resolution::Minute => start + 60 * clock.per_second,
        Resolution::Second => start + clock.per_second,
        Resolution::SubSecond => start + 1,
    }
}

/// The finest component that is not zero in any of `times` (ticks of `clock`; NaT
/// skipped): pandas' resolution of a `DatetimeIndex`, which decides whether a partial
/// string selects one label or a span.
pub(crate) fn resolution_of(times: &[i64], clock: Clock) -> Resolution {
    let mut finest = Resolution::Day;
    let second = clock.per_second;
    for &t in times.iter().filter(|&&t| t != i64::MIN) {
        let within_day = t.rem_euclid(clock.per_day());
        let resolution = if within_day % second != 0 {
            return Resolution::SubSecond;
        } else if within_day % (60 * second) != 0 {
            Resolution::Second
        } else if within_day % (3600 * second) != 0 {
            Resolution::Minute
        } else if within_day != 0 {
            Resolution::Hour
        } else {
            Resolution::Day
        };
        finest = finest.max(resolution);
    }
    finest
}

impl DateTime64 {
    /// Midnight at the start of a day of the proleptic Gregorian calendar.
    ///
    /// ```
    /// use rangeo::array::DateTime64;
    /// assert_eq!(DateTime64::from_ymd(1970, 1, 2).0, 86_400_000_000_000);
    /// assert_eq!(DateTime64::from_ymd(2013, 5, 1).to_string(), "2013-05-01T00:00:00");
    /// ```
    #[must_use]
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Self {
        Self(Clock::NUMPY.midnight(year, month, day))
    }

    /// A time of day on a date.
    #[must_use]
    pub fn from_parts(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Self {
        let seconds = i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        Self(Self::from_ymd(year, month, day).0 + seconds * NS_PER_SECOND)
    }

    #[allow(
        clippy::unused_self,
        reason = "the signature CfDateTime has too, for the components shared below"
    )]
    pub(crate) fn clock(self) -> Clock {
        Clock::NUMPY
    }

    pub(crate) fn ticks(self) -> i64 {
        self.0
    }
}

/// The calendar components of a time type (one with `clock()` and `ticks()`), the
/// same for `datetime64` and cftime-like times.
macro_rules! components {
    ($time:ty) => {
        impl $time {
            fn fields(self) -> Fields {
                self.clock().fields(self.ticks())
            }

            /// The year.
            #[must_use]
            pub fn year(self) -> i64 {
                self.fields().year
            }

            /// The month, 1 to 12.
            #[must_use]
            pub fn month(self) -> u32 {
                self.fields().month
            }

            /// The day of the month, from 1.
            #[must_use]
            pub fn day(self) -> u32 {
                self.fields().day
            }

            /// The hour, 0 to 23.
            #[must_use]
            pub fn hour(self) -> u32 {
                self.fields().hour()
            }

            /// The minute, 0 to 59.
            #[must_use]
            pub fn minute(self) -> u32 {
                self.fields().minute()
            }

            /// The second, 0 to 59.
            #[must_use]
            pub fn second(self) -> u32 {
                self.fields().second()
            }

            /// The day of the year, from 1.
            #[must_use]
            pub fn day_of_year(self) -> u32 {
                self.fields().day_of_year()
            }

            /// The day of the week, Monday = 0 as pandas counts.
            #[must_use]
            pub fn day_of_week(self) -> u32 {
                self.fields().day_of_week()
            }

            /// The number of days in the month.
            #[must_use]
            pub fn days_in_month(self) -> u32 {
                self.fields().days_in_month()
            }

            /// The meteorological season: "DJF", "MAM", "JJA" or "SON".
            #[must_use]
            pub fn season(self) -> &'static str {
                self.fields().season()
            }
        }
    };
}

components!(DateTime64);
components!(CfDateTime);

impl FromStr for DateTime64 {
    type Err = Error;

    /// Parses an ISO 8601 date or date-time; a partial one means its first instant.
    ///
    /// ```
    /// use rangeo::array::DateTime64;
    /// let t: DateTime64 = "2013-01-01T06:00".parse()?;
    /// assert_eq!((t.year(), t.month(), t.hour()), (2013, 1, 6));
    /// assert!("2013-13".parse::<DateTime64>().is_err());
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    fn from_str(text: &str) -> Result<Self, Error> {
        Ok(Self(Period::parse(text)?.start))
    }
}

impl fmt::Display for DateTime64 {
    /// ISO 8601 as numpy prints `datetime64[ns]`, fractions only when there are any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_nat() {
            return f.write_str("NaT");
        }
        let fields = self.fields();
        fields.write_date_time(f, 'T')?;
        let nanos = fields.subsecond();
        if nanos != 0 {
            let digits = format!("{nanos:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        Ok(())
    }
}

impl TimeDelta64 {
    /// A duration of whole days.
    #[must_use]
    pub fn days(days: i64) -> Self {
        Self(days * NS_PER_DAY)
    }

    /// A duration of whole hours.
    #[must_use]
    pub fn hours(hours: i64) -> Self {
        Self(hours * NS_PER_HOUR)
    }

    /// A duration of whole seconds.
    #[must_use]
    pub fn seconds(seconds: i64) -> Self {
        Self(seconds * NS_PER_SECOND)
    }
}

impl fmt::Display for TimeDelta64 {
    /// As pandas prints a `Timedelta`: "1 days 06:00:00".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_nat() {
            return f.write_str("NaT");
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        let total = self.0.unsigned_abs();
        let day = NS_PER_DAY.unsigned_abs();
        let second = NS_PER_SECOND.unsigned_abs();
        let (days, within) = (total / day, total % day);
        let seconds = within / second;
        write!(
            f,
            "{sign}{days} days {:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )?;
        let nanos = within % second;
        if nanos != 0 {
            write!(f, ".{}", format!("{nanos:09}").trim_end_matches('0'))?;
        }
        Ok(())
    }
}

impl From<TimeDelta64> for f64 {
    /// Nanoseconds, the unit in which a datetime index measures distances (for
    /// `sel` tolerances).
    fn from(delta: TimeDelta64) -> Self {
        delta.0 as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gregorian_dates_round_trip_over_four_centuries() {
        let gregorian = super::super::calendar::Calendar::ProlepticGregorian;
        assert_eq!(gregorian.date_from_days(0), (1970, 1, 1));
        assert_eq!(gregorian.date_from_days(11_016), (2000, 2, 29));
        assert_eq!(
            gregorian.days_from_date(1900, 3, 1) - gregorian.days_from_date(1900, 2, 28),
            1
        );
    }

    #[test]
    fn partial_strings_on_model_calendars() {
        use super::super::calendar::Calendar;
        let feb = Period::parse_in("2000-02", Clock::cftime(Calendar::Day360)).unwrap();
        assert_eq!(feb.end - feb.start + 1, 30 * 86_400_000_000);
        assert!(Period::parse_in("2000-02-29", Clock::cftime(Calendar::NoLeap)).is_err());
        let year = Period::parse_in("2001", Clock::cftime(Calendar::AllLeap)).unwrap();
        assert_eq!(year.end - year.start + 1, 366 * 86_400_000_000);
    }

    #[test]
    fn partial_strings_name_whole_periods() {
        let may = Period::parse("2013-05").unwrap();
        assert_eq!(DateTime64(may.start).to_string(), "2013-05-01T00:00:00");
        assert_eq!(
            DateTime64(may.end).to_string(),
            "2013-05-31T23:59:59.999999999"
        );
        assert_eq!(may.resolution, Resolution::Month);
        let year = Period::parse("2012").unwrap();
        assert_eq!(DateTime64(year.end).day_of_year(), 366);
        let hour = Period::parse("2013-01-01 06").unwrap();
        assert_eq!(hour.resolution, Resolution::Hour);
        assert_eq!(DateTime64(hour.start).hour(), 6);
        let frac = Period::parse("2013-01-01T00:00:01.5").unwrap();
        assert_eq!(DateTime64(frac.start).to_string(), "2013-01-01T00:00:01.5");
        for bad in [
            "13-01",
            "2013-02-30",
            "2013-01-01T25",
            "2013/01",
            "2013-01T06",
            "",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn components_match_pandas() {
        let t = DateTime64::from_parts(2014, 12, 31, 18, 30, 5);
        assert_eq!((t.year(), t.month(), t.day()), (2014, 12, 31));
        assert_eq!((t.hour(), t.minute(), t.second()), (18, 30, 5));
        assert_eq!(t.day_of_year(), 365);
        assert_eq!(t.day_of_week(), 2, "a Wednesday");
        assert_eq!(t.season(), "DJF");
        let before_epoch = DateTime64::from_parts(1969, 12, 31, 23, 0, 0);
        assert_eq!((before_epoch.day(), before_epoch.hour()), (31, 23));
        assert_eq!(TimeDelta64::hours(30).to_string(), "1 days 06:00:00");
        assert_eq!(
            resolution_of(
                &[
                    DateTime64::from_ymd(2013, 1, 1).0,
                    DateTime64::from_parts(2013, 1, 1, 6, 0, 0).0
                ],
                Clock::NUMPY
            ),
            Resolution::Hour
        );
    }
}
