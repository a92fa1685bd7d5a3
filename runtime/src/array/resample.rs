//! pandas-style resampling frequencies ("6h", "D", "MS", "QS-DEC", "YE", ...) and the
//! periods they cut a time axis into.

use std::str::FromStr;

use super::calendar::Clock;
use super::time::{NS_PER_DAY, NS_PER_HOUR, NS_PER_MINUTE};
use crate::Error;

/// A resampling frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Frequency {
    /// A fixed step in nanoseconds from midnight of the first day (pandas'
    /// `origin="start_day"`), labelled by period start.
    Fixed(i64),
    /// Runs of `months` calendar months, the first starting in month `anchor`
    /// (0 = January) of a year; labelled by the first day (`end` off) or the last day.
    Months { months: i64, anchor: i64, end: bool },
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

impl FromStr for Frequency {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let bad = |why: &str| {
            Error::Operation(format!(
                "cannot read {text:?} as a frequency ({why}); use e.g. \"6h\", \"D\", \"MS\", \"ME\", \"QS-DEC\", \"YS\""
            ))
        };
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        let n: i64 = if digits == 0 {
            1
        } else {
            text[..digits].parse().map_err(|_| bad("count"))?
        };
        if n == 0 {
            return Err(bad("a count of 0"));
        }
        let (unit, anchor) = match text[digits..].split_once('-') {
            Some((unit, anchor)) => (unit, Some(anchor)),
            None => (&text[digits..], None),
        };
        let month_of = |name: &str| {
            MONTHS
                .iter()
                .position(|m| m.eq_ignore_ascii_case(name))
                .map(|m| i64::try_from(m).expect("twelve months"))
                .ok_or_else(|| bad("an unknown month anchor"))
        };
        let fixed = |step: i64| {
            if anchor.is_some() {
                Err(bad("an anchor on a fixed step"))
            } else {
                Ok(Self::Fixed(n * step))
            }
        };
        match unit {
            "min" | "T" => fixed(NS_PER_MINUTE),
            "h" | "H" => fixed(NS_PER_HOUR),
            "D" => fixed(NS_PER_DAY),
            "MS" | "ME" | "M" => Ok(Self::Months {
                months: n,
                anchor: 0,
                end: unit != "MS",
            }),
            "QS" => {
                let start = anchor.map_or(Ok(0), month_of)?;
                Ok(Self::Months {
                    months: 3 * n,
                    anchor: start % 3,
                    end: false,
                })
            }
            "QE" | "Q" => {
                let last = anchor.map_or(Ok(11), month_of)?;
                Ok(Self::Months {
                    months: 3 * n,
                    anchor: (last + 1) % 3,
                    end: true,
                })
            }
            "YS" | "AS" => {
                let start = anchor.map_or(Ok(0), month_of)?;
                Ok(Self::Months {
                    months: 12 * n,
                    anchor: start,
                    end: false,
                })
            }
            "YE" | "Y" | "A" => {
                let last = anchor.map_or(Ok(11), month_of)?;
                Ok(Self::Months {
                    months: 12 * n,
                    anchor: (last + 1) % 12,
                    end: true,
                })
            }
            _ => Err(bad("an unknown unit")),
        }
    }
}

/// Months since January of year 0 of a time.
fn month_number(clock: Clock, t: i64) -> i64 {
    let fields = clock.fields(t);
    fields.year * 12 + i64::from(fields.month) - 1
}

/// The year and month (from 1) of a month number.
fn year_month(month: i64) -> (i64, u32) {
    (month.div_euclid(12), (month.rem_euclid(12) + 1) as u32)
}

impl Frequency {
    /// The periods from the first to the last time (ticks of `clock`, NaT as
    /// `i64::MIN`): each period's label, and the positions of the times in it (NaT in
    /// none).
    pub(crate) fn bins(self, times: &[i64], clock: Clock) -> (Vec<i64>, Vec<Vec<usize>>) {
        let present = || times.iter().copied().filter(|&t| t != i64::MIN);
        let (Some(first), Some(last)) = (present().min(), present().max()) else {
            return (Vec::new(), Vec::new());
        };
        let (origin, step) = match self {
            Self::Fixed(step) => (
                first - first.rem_euclid(clock.per_day()),
                clock.ticks_of_nanos(step).max(1),
            ),
            Self::Months { months, anchor, .. } => {
                let m = month_number(clock, first);
                (m - (m - anchor).rem_euclid(months), months)
            }
        };
        let period = |t: i64| match self {
            Self::Fixed(_) => (t - origin).div_euclid(step),
            Self::Months { .. } => (month_number(clock, t) - origin).div_euclid(step),
        };
        let count = usize::try_from(period(last) + 1).expect("periods after the first");
        let mut groups = vec![Vec::new(); count];
        for (position, &t) in times.iter().enumerate().filter(|(_, t)| **t != i64::MIN) {
            groups[usize::try_from(period(t)).expect("after the first")].push(position);
        }
        let labels = (0..i64::try_from(count).expect("periods fit in i64"))
            .map(|p| match self {
                Self::Fixed(_) => origin + p * step,
                Self::Months { end: false, .. } => {
                    let (year, month) = year_month(origin + p * step);
                    clock.midnight(year, month, 1)
                }
                Self::Months { end: true, .. } => {
                    let (year, month) = year_month(origin + p * step + step - 1);
                    clock.midnight(year, month, clock.calendar.days_in_month(year, month))
                }
            })
            .collect();
        (labels, groups)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::{Calendar, CfDateTime, DateTime64};

    fn t(text: &str) -> i64 {
        text.parse::<DateTime64>().unwrap().0
    }

    #[test]
    fn frequencies_read_like_pandas() {
        assert_eq!(
            "6h".parse::<Frequency>().unwrap(),
            Frequency::Fixed(6 * NS_PER_HOUR)
        );
        assert_eq!(
            "QS-DEC".parse::<Frequency>().unwrap(),
            Frequency::Months {
                months: 3,
                anchor: 2,
                end: false
            }
        );
        assert_eq!(
            "YE".parse::<Frequency>().unwrap(),
            Frequency::Months {
                months: 12,
                anchor: 0,
                end: true
            }
        );
        assert!("0D".parse::<Frequency>().is_err());
        assert!("3X".parse::<Frequency>().is_err());
        assert!("QS-FOO".parse::<Frequency>().is_err());
    }

    #[test]
    fn periods_cover_first_to_last_with_empty_ones() {
        let times = [t("2013-01-30T06"), t("2013-01-31T18"), t("2013-03-02")];
        let (labels, groups) = "ME"
            .parse::<Frequency>()
            .unwrap()
            .bins(&times, Clock::NUMPY);
        assert_eq!(labels, [t("2013-01-31"), t("2013-02-28"), t("2013-03-31")]);
        assert_eq!(groups, [vec![0, 1], vec![], vec![2]]);
        let (labels, _) = "QS-DEC"
            .parse::<Frequency>()
            .unwrap()
            .bins(&times, Clock::NUMPY);
        assert_eq!(labels, [t("2012-12-01"), t("2013-03-01")]);
        let (labels, groups) = "1D"
            .parse::<Frequency>()
            .unwrap()
            .bins(&times[..2], Clock::NUMPY);
        assert_eq!(labels, [t("2013-01-30"), t("2013-01-31")]);
        assert_eq!(groups, [vec![0], vec![1]]);
        let day360 = Clock::cftime(Calendar::Day360);
        let model = |text: &str| CfDateTime::parse(text, Calendar::Day360).unwrap().micros();
        let times = [
            model("2000-02-29"),
            model("2000-02-30"),
            model("2000-03-01"),
        ];
        let (labels, groups) = "ME".parse::<Frequency>().unwrap().bins(&times, day360);
        assert_eq!(labels, [model("2000-02-30"), model("2000-03-30")]);
        assert_eq!(groups, [vec![0, 1], vec![2]]);
    }
}
