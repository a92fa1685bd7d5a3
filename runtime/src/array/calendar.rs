//! The CF conventions' calendars: how each numbers days into years, months and days,
//! the clock (calendar and tick size) a time array counts in, and [`CfDateTime`], the
//! calendar-aware datetime that model output on `noleap` or `360_day` calendars needs
//! (what cftime is to xarray).

#![allow(
    clippy::cast_sign_loss,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    reason = "calendar fields (months, days, hours) are small and non-negative by construction"
)]

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A calendar of the CF conventions.
///
/// ```
/// use rangeo::array::Calendar;
/// let noleap: Calendar = "365_day".parse()?;
/// assert_eq!(noleap, Calendar::NoLeap);
/// assert_eq!(noleap.days_in_month(2000, 2), 28);
/// assert_eq!(Calendar::Day360.days_in_month(2000, 2), 30);
/// assert_eq!(Calendar::Julian.days_in_month(1900, 2), 29);
/// assert!("mayan".parse::<Calendar>().is_err());
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Calendar {
    /// `standard` / `gregorian`: Julian before 1582-10-15, Gregorian from then on.
    Standard,
    /// `proleptic_gregorian`: Gregorian rules for every year (numpy's `datetime64`).
    #[default]
    ProlepticGregorian,
    /// `noleap` / `365_day`: every year has 365 days.
    NoLeap,
    /// `all_leap` / `366_day`: every year has 366 days.
    AllLeap,
    /// `360_day`: twelve months of 30 days.
    Day360,
    /// `julian`: a leap year every fourth year.
    Julian,
}

/// Days before each month of a 365-day year.
const CUMULATIVE_DAYS: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

impl Calendar {
    /// The calendar's CF name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::ProlepticGregorian => "proleptic_gregorian",
            Self::NoLeap => "noleap",
            Self::AllLeap => "all_leap",
            Self::Day360 => "360_day",
            Self::Julian => "julian",
        }
    }

    /// The cftime class that holds dates of this calendar, as xarray's reprs name it.
    pub(crate) fn cftime_class(self) -> &'static str {
        match self {
            Self::Standard => "DatetimeGregorian",
            Self::ProlepticGregorian => "DatetimeProlepticGregorian",
            Self::NoLeap => "DatetimeNoLeap",
            Self::AllLeap => "DatetimeAllLeap",
            Self::Day360 => "Datetime360Day",
            Self::Julian => "DatetimeJulian",
        }
    }

    /// Whether cftime numbers a year 0 (astronomical years) on this calendar.
    pub(crate) fn has_year_zero(self) -> bool {
        !matches!(self, Self::Standard | Self::Julian)
    }

    /// Whether `year` has 29 February.
    #[must_use]
    pub fn is_leap_year(self, year: i64) -> bool {
        match self {
            Self::ProlepticGregorian => gregorian_leap(year),
            Self::Standard if year > 1582 => gregorian_leap(year),
            Self::Standard | Self::Julian => year.rem_euclid(4) == 0,
            Self::AllLeap => true,
            Self::NoLeap | Self::Day360 => false,
        }
    }

    /// Days in `month` (1 to 12) of `year`.
    #[must_use]
    pub fn days_in_month(self, year: i64, month: u32) -> u32 {
        match (self, month) {
            (_, 2) if self == Self::Day360 => 30,
            (_, 2) if self.is_leap_year(year) => 29,
            (_, 2) => 28,
            (Self::Day360, _) | (_, 4 | 6 | 9 | 11) => 30,
            _ => 31,
        }
    }

    /// Days from this calendar's 1970-01-01 to a date (month and day from 1).
    pub(crate) fn days_from_date(self, year: i64, month: u32, day: u32) -> i64 {
        let (m, d) = (i64::from(month), i64::from(day));
        match self {
            Self::ProlepticGregorian => days_from_gregorian(year, month, day),
            Self::Standard if (year, month, day) >= (1582, 10, 15) => {
                days_from_gregorian(year, month, day)
            }
            Self::Standard => julian_day_number(year, month, day) - JULIAN_1969_12_19,
            Self::Julian => julian_day_number(year, month, day) - JULIAN_1970_01_01,
            Self::NoLeap => (year - 1970) * 365 + CUMULATIVE_DAYS[(m - 1) as usize] + d - 1,
            Self::AllLeap => {
                let leap = i64::from(m > 2);
                (year - 1970) * 366 + CUMULATIVE_DAYS[(m - 1) as usize] + leap + d - 1
            }
            Self::Day360 => (year - 1970) * 360 + (m - 1) * 30 + d - 1,
        }
    }

    /// The (year, month, day) `days` after this calendar's 1970-01-01.
    pub(crate) fn date_from_days(self, days: i64) -> (i64, u32, u32) {
        match self {
            Self::ProlepticGregorian => gregorian_from_days(days),
            Self::Standard if days >= GREGORIAN_REFORM => gregorian_from_days(days),
            Self::Standard => julian_from_day_number(days + JULIAN_1969_12_19),
            Self::Julian => julian_from_day_number(days + JULIAN_1970_01_01),
            Self::NoLeap | Self::AllLeap => {
                let length = if self == Self::NoLeap { 365 } else { 366 };
                let (year, mut day_of_year) =
                    (1970 + days.div_euclid(length), days.rem_euclid(length));
                if self == Self::AllLeap && day_of_year >= 59 {
                    if day_of_year == 59 {
                        return (year, 2, 29);
                    }
                    day_of_year -= 1;
                }
                let month = CUMULATIVE_DAYS.partition_point(|&c| c <= day_of_year);
                (
                    year,
                    month as u32,
                    (day_of_year - CUMULATIVE_DAYS[month - 1] + 1) as u32,
                )
            }
            Self::Day360 => {
                let (year, day_of_year) = (1970 + days.div_euclid(360), days.rem_euclid(360));
                (
                    year,
                    (day_of_year / 30 + 1) as u32,
                    (day_of_year % 30 + 1) as u32,
                )
            }
        }
    }

    /// The day of the week (Monday = 0) of the day `days` after 1970-01-01, as cftime
    /// counts weeks on this calendar.
    pub(crate) fn day_of_week(self, days: i64) -> u32 {
        // The weekday cftime gives each calendar's 1970-01-01.
        let first = match self {
            Self::Standard | Self::ProlepticGregorian | Self::NoLeap => 3,
            Self::AllLeap => 6,
            Self::Day360 | Self::Julian => 2,
        };
        (days + first).rem_euclid(7) as u32
    }
}

impl FromStr for Calendar {
    type Err = Error;

    /// Reads a CF calendar name, in any case.
    fn from_str(name: &str) -> Result<Self, Error> {
        Ok(match name.trim().to_ascii_lowercase().as_str() {
            "standard" | "gregorian" => Self::Standard,
            "proleptic_gregorian" => Self::ProlepticGregorian,
            "noleap" | "365_day" => Self::NoLeap,
            "all_leap" | "366_day" => Self::AllLeap,
            "360_day" => Self::Day360,
            "julian" => Self::Julian,
            _ => {
                return Err(Error::Operation(format!(
                    "unknown calendar {name:?}; the CF calendars are standard, gregorian, \
                     proleptic_gregorian, noleap, 365_day, all_leap, 366_day, 360_day and julian"
                )));
            }
        })
    }
}

impl fmt::Display for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn gregorian_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_gregorian(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100
        + day_of_year_from_march(month, day);
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
pub(crate) fn gregorian_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    date_from_march(year_of_era + era * 400, day_of_year)
}

/// Days from 1 March to `month`/`day` in a year that starts in March.
fn day_of_year_from_march(month: u32, day: u32) -> i64 {
    let month_from_march = i64::from((month + 9) % 12);
    (153 * month_from_march + 2) / 5 + i64::from(day) - 1
}

/// The date `day_of_year` days after 1 March of `year_from_march`.
fn date_from_march(year_from_march: i64, day_of_year: i64) -> (i64, u32, u32) {
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    (year_from_march + i64::from(month <= 2), month, day)
}

/// A day count on the Julian calendar (four-year cycles from 1 March of year 0).
fn julian_day_number(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let cycle = year.div_euclid(4);
    let year_of_cycle = year - cycle * 4;
    cycle * 1461 + year_of_cycle * 365 + day_of_year_from_march(month, day)
}

fn julian_from_day_number(number: i64) -> (i64, u32, u32) {
    let cycle = number.div_euclid(1461);
    let day_of_cycle = number - cycle * 1461;
    let year_of_cycle = (day_of_cycle - day_of_cycle / 1460) / 365;
    date_from_march(
        cycle * 4 + year_of_cycle,
        day_of_cycle - 365 * year_of_cycle,
    )
}

/// Julian day numbers (as [`julian_day_number`] counts) of Julian 1970-01-01, and of
/// Julian 1969-12-19, the day Gregorian 1970-01-01 falls on.
const JULIAN_1970_01_01: i64 = 719_483;
const JULIAN_1969_12_19: i64 = JULIAN_1970_01_01 - 13;
/// Gregorian 1582-10-15, the first day of the reformed calendar, in days since 1970.
pub(crate) const GREGORIAN_REFORM: i64 = -141_427;

/// How a time array counts: the calendar and the ticks per second (nanoseconds for
/// `datetime64[ns]`, microseconds for cftime-like [`CfDateTime`]s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clock {
    pub(crate) calendar: Calendar,
    pub(crate) per_second: i64,
}

/// A time's calendar fields, and the components (`.dt`'s) derived from them: the one
/// place both time types and the accessor compute them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fields {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    /// Ticks since midnight.
    pub(crate) of_day: i64,
    /// Days since 1970-01-01 of the calendar.
    days: i64,
    clock: Clock,
}

impl Clock {
    /// numpy's `datetime64[ns]`.
    pub(crate) const NUMPY: Self = Self {
        calendar: Calendar::ProlepticGregorian,
        per_second: 1_000_000_000,
    };

    /// cftime's microseconds on `calendar`.
    pub(crate) fn cftime(calendar: Calendar) -> Self {
        Self {
            calendar,
            per_second: 1_000_000,
        }
    }

    pub(crate) fn per_day(self) -> i64 {
        self.per_second * 86_400
    }

    /// Nanoseconds in `ticks` of this clock (the unit of `timedelta64[ns]`).
    pub(crate) fn nanos(self, ticks: i64) -> i64 {
        ticks * (1_000_000_000 / self.per_second)
    }

    /// Ticks in `nanos` nanoseconds, rounded down.
    pub(crate) fn ticks_of_nanos(self, nanos: i64) -> i64 {
        nanos.div_euclid(1_000_000_000 / self.per_second)
    }

    /// Midnight at the start of a date.
    pub(crate) fn midnight(self, year: i64, month: u32, day: u32) -> i64 {
        self.calendar.days_from_date(year, month, day) * self.per_day()
    }

    /// The calendar fields of a time.
    pub(crate) fn fields(self, ticks: i64) -> Fields {
        let days = ticks.div_euclid(self.per_day());
        let (year, month, day) = self.calendar.date_from_days(days);
        Fields {
            year,
            month,
            day,
            of_day: ticks.rem_euclid(self.per_day()),
            days,
            clock: self,
        }
    }
}

impl Fields {
    fn seconds_of_day(self) -> i64 {
        self.of_day / self.clock.per_second
    }

    /// The hour, 0 to 23.
    pub(crate) fn hour(self) -> u32 {
        (self.seconds_of_day() / 3600) as u32
    }

    /// The minute, 0 to 59.
    pub(crate) fn minute(self) -> u32 {
        (self.seconds_of_day() / 60 % 60) as u32
    }

    /// The second, 0 to 59.
    pub(crate) fn second(self) -> u32 {
        (self.seconds_of_day() % 60) as u32
    }

    /// Ticks past the second.
    pub(crate) fn subsecond(self) -> i64 {
        self.of_day % self.clock.per_second
    }

    /// `YYYY-MM-DD{separator}HH:MM:SS`: how numpy (`T`) and cftime (a space) print a
    /// date and time before the fraction of a second.
    pub(crate) fn write_date_time(
        self,
        f: &mut fmt::Formatter<'_>,
        separator: char,
    ) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}{separator}{:02}:{:02}:{:02}",
            self.year,
            self.month,
            self.day,
            self.hour(),
            self.minute(),
            self.second()
        )
    }

    /// The day of the year, from 1.
    pub(crate) fn day_of_year(self) -> u32 {
        (self.days - self.clock.calendar.days_from_date(self.year, 1, 1) + 1) as u32
    }

    /// The day of the week, Monday = 0, as pandas and cftime count.
    pub(crate) fn day_of_week(self) -> u32 {
        self.clock.calendar.day_of_week(self.days)
    }

    /// The number of days in the month.
    pub(crate) fn days_in_month(self) -> u32 {
        self.clock.calendar.days_in_month(self.year, self.month)
    }

    /// The meteorological season: "DJF", "MAM", "JJA" or "SON".
    pub(crate) fn season(self) -> &'static str {
        match self.month {
            12 | 1 | 2 => "DJF",
            3..=5 => "MAM",
            6..=8 => "JJA",
            _ => "SON",
        }
    }
}

/// A point in time on a CF calendar, as cftime holds it: microseconds since midnight
/// of 1970-01-01 on that calendar. `i64::MIN` microseconds is missing (NaT).
///
/// Model output on `noleap`, `360_day` and the other non-Gregorian calendars decodes
/// to these, as it decodes to cftime objects in xarray; they select, group, resample
/// and print like `datetime64` values, in their own calendar.
///
/// ```
/// use rangeo::array::{Calendar, CfDateTime};
/// let t = CfDateTime::from_ymd(Calendar::Day360, 2000, 2, 30)?;
/// assert_eq!((t.month(), t.day(), t.day_of_year()), (2, 30, 60));
/// assert_eq!(t.to_string(), "2000-02-30 00:00:00");
/// assert!(CfDateTime::from_ymd(Calendar::NoLeap, 2000, 2, 29).is_err());
/// let noon = CfDateTime::parse("2001-01-01T12", Calendar::NoLeap)?;
/// assert_eq!(noon.hour(), 12);
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct CfDateTime {
    micros: i64,
    calendar: Calendar,
}

impl CfDateTime {
    /// The time `micros` microseconds after 1970-01-01T00:00:00 of `calendar`.
    #[must_use]
    pub fn from_micros(calendar: Calendar, micros: i64) -> Self {
        Self { micros, calendar }
    }

    /// The missing time on `calendar`.
    #[must_use]
    pub fn nat(calendar: Calendar) -> Self {
        Self::from_micros(calendar, i64::MIN)
    }

    /// Midnight at the start of a date, which must exist on `calendar`.
    pub fn from_ymd(calendar: Calendar, year: i64, month: u32, day: u32) -> Result<Self, Error> {
        if !(1..=12).contains(&month) || day == 0 || day > calendar.days_in_month(year, month) {
            return Err(Error::Label(format!(
                "{year:04}-{month:02}-{day:02} is not a date on the {calendar} calendar"
            )));
        }
        Ok(Self::from_micros(
            calendar,
            Clock::cftime(calendar).midnight(year, month, day),
        ))
    }

    /// Parses an ISO 8601 date or date-time on `calendar`; a partial one ("2001-02")
    /// means its first instant.
    pub fn parse(text: &str, calendar: Calendar) -> Result<Self, Error> {
        let period = super::time::Period::parse_in(text, Clock::cftime(calendar))?;
        Ok(Self::from_micros(calendar, period.start))
    }

    /// Microseconds since 1970-01-01T00:00:00 of the calendar.
    #[must_use]
    pub fn micros(self) -> i64 {
        self.micros
    }

    /// The calendar.
    #[must_use]
    pub fn calendar(self) -> Calendar {
        self.calendar
    }

    /// Whether this is the missing time.
    #[must_use]
    pub fn is_nat(self) -> bool {
        self.micros == i64::MIN
    }

    pub(crate) fn clock(self) -> Clock {
        Clock::cftime(self.calendar)
    }

    pub(crate) fn ticks(self) -> i64 {
        self.micros
    }

    /// cftime's `repr`: `cftime.DatetimeNoLeap(2000, 1, 1, 0, 0, 0, 0, has_year_zero=True)`.
    pub(crate) fn python_repr(self) -> String {
        if self.is_nat() {
            return "NaT".to_owned();
        }
        let f = self.clock().fields(self.micros);
        format!(
            "cftime.{}({}, {}, {}, {}, {}, {}, {}, has_year_zero={})",
            self.calendar.cftime_class(),
            f.year,
            f.month,
            f.day,
            f.hour(),
            f.minute(),
            f.second(),
            f.subsecond(),
            if self.calendar.has_year_zero() {
                "True"
            } else {
                "False"
            }
        )
    }
}

impl fmt::Display for CfDateTime {
    /// As cftime prints a date: "2000-02-30 06:00:00", microseconds when there are any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_nat() {
            return f.write_str("NaT");
        }
        let fields = self.clock().fields(self.micros);
        fields.write_date_time(f, ' ')?;
        let micros = fields.subsecond();
        if micros != 0 {
            write!(f, ".{micros:06}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Calendar; 6] = [
        Calendar::Standard,
        Calendar::ProlepticGregorian,
        Calendar::NoLeap,
        Calendar::AllLeap,
        Calendar::Day360,
        Calendar::Julian,
    ];

    #[test]
    fn dates_round_trip_on_every_calendar() {
        for calendar in ALL {
            assert_eq!(calendar.days_from_date(1970, 1, 1), 0, "{calendar}");
            for days in (-800_000..800_000).step_by(97) {
                let (y, m, d) = calendar.date_from_days(days);
                assert!(
                    d >= 1 && d <= calendar.days_in_month(y, m),
                    "{calendar} {days}"
                );
                assert_eq!(
                    calendar.days_from_date(y, m, d),
                    days,
                    "{calendar} {y}-{m}-{d}"
                );
            }
        }
    }

    #[test]
    fn calendars_agree_with_cftime() {
        // Values from cftime 1.6: day of year and day of week of 2000-03-01.
        let expected = [
            (Calendar::Standard, 61, 2),
            (Calendar::ProlepticGregorian, 61, 2),
            (Calendar::NoLeap, 60, 1),
            (Calendar::AllLeap, 61, 0),
            (Calendar::Day360, 61, 5),
            (Calendar::Julian, 61, 1),
        ];
        for (calendar, day_of_year, day_of_week) in expected {
            let clock = Clock::cftime(calendar);
            let fields = clock.fields(clock.midnight(2000, 3, 1));
            assert_eq!(fields.day_of_year(), day_of_year, "{calendar}");
            assert_eq!(fields.day_of_week(), day_of_week, "{calendar}");
        }
        // The reform: Julian 1582-10-04 is followed by Gregorian 1582-10-15.
        let standard = Calendar::Standard;
        assert_eq!(
            standard.days_from_date(1582, 10, 15) - standard.days_from_date(1582, 10, 4),
            1
        );
        assert_eq!(standard.day_of_week(standard.days_from_date(1500, 3, 1)), 6);
        // Julian 1970-01-01 is Gregorian 1970-01-14.
        assert_eq!(
            Calendar::Julian.date_from_days(-13),
            (1969, 12, 19),
            "the Julian date of Gregorian 1970-01-01"
        );
    }

    #[test]
    fn cftime_reprs() {
        let t = CfDateTime::from_ymd(Calendar::NoLeap, 2000, 3, 1).unwrap();
        assert_eq!(
            t.python_repr(),
            "cftime.DatetimeNoLeap(2000, 3, 1, 0, 0, 0, 0, has_year_zero=True)"
        );
        let julian = CfDateTime::from_ymd(Calendar::Julian, 2000, 1, 2).unwrap();
        assert!(julian.python_repr().ends_with("has_year_zero=False)"));
        let later = CfDateTime::from_micros(Calendar::NoLeap, t.micros() + 45_015_250_000);
        assert_eq!(later.to_string(), "2000-03-01 12:30:15.250000");
        assert_eq!(CfDateTime::nat(Calendar::Day360).to_string(), "NaT");
    }
}
