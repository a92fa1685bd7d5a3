//! Tick positions and labels: round numbers for numeric axes (matplotlib's
//! `MaxNLocator` steps), calendar boundaries for time axes (its `AutoDateLocator`, with
//! `AutoDateFormatter`'s labels), and one tick per label for text axes.

use crate::array::calendar::Clock;

/// How an axis's numbers read.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scale {
    /// Plain numbers.
    Number,
    /// Ticks of a clock (nanoseconds for `datetime64`, microseconds for cftime dates).
    Time(Clock),
    /// Positions 0, 1, ... of text labels.
    Category(Vec<String>),
}

/// Tick positions with their labels.
pub(super) type Ticks = Vec<(f64, String)>;

/// Ticks between `lo` and `hi`, at most about `most` of them, with their labels.
pub(super) fn ticks(scale: &Scale, lo: f64, hi: f64, most: usize) -> Vec<(f64, String)> {
    let most = most.max(2);
    match scale {
        Scale::Number => numbers(lo, hi, most),
        Scale::Time(clock) => times(*clock, lo, hi, most),
        Scale::Category(labels) => {
            let every = labels.len().div_ceil(most).max(1);
            labels
                .iter()
                .enumerate()
                .step_by(every)
                .map(|(i, label)| (i as f64, label.clone()))
                .filter(|(x, _)| *x >= lo && *x <= hi)
                .collect()
        }
    }
}

/// The round step (1, 2, 2.5 or 5 times a power of ten) that puts at most `most`
/// ticks on `lo..hi`.
pub(super) fn step(lo: f64, hi: f64, most: usize) -> f64 {
    let raw = (hi - lo).abs() / most as f64;
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// Multiples of a round step inside `lo..=hi`.
pub(super) fn round_values(lo: f64, hi: f64, most: usize) -> (Vec<f64>, f64) {
    let step = step(lo, hi, most);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let values = (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            if v.abs() < step * 1e-9 { 0.0 } else { v }
        })
        .collect();
    (values, step)
}

fn numbers(lo: f64, hi: f64, most: usize) -> Vec<(f64, String)> {
    let (values, step) = round_values(lo, hi, most);
    let labels = number_labels(&values, step);
    values.into_iter().zip(labels).collect()
}

/// Tick values written alike: with the decimals their step needs ("272.5"), or all in
/// scientific notation ("2e+05") when the largest is a million or more (or under
/// 1e-4), with the mantissa digits the step needs ("5.5005e+06" for UTM northings 500 m
/// apart), with matplotlib's minus sign (U+2212).
pub(super) fn number_labels(values: &[f64], step: f64) -> Vec<String> {
    let largest = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let scientific = largest >= 1e6 || (largest > 0.0 && largest < 1e-4);
    values
        .iter()
        .map(|&v| {
            let text = if scientific && v != 0.0 {
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a difference of decimal exponents, at least zero"
                )]
                let digits = (v.abs().log10().floor() - step.log10().floor()).max(0.0) as usize
                    + usize::from(is_quarter(step));
                let text = format!("{v:.digits$e}");
                let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
                let exp: i32 = exp.parse().unwrap_or(0);
                let sign = if exp < 0 { '-' } else { '+' };
                format!("{}e{sign}{:02}", trim(mantissa), exp.abs())
            } else {
                let decimals = (-(step.log10().floor()) as i32).max(0).unsigned_abs() as usize
                    + usize::from(is_quarter(step));
                trim(&format!("{v:.decimals$}"))
            };
            text.replace('-', "\u{2212}")
        })
        .collect()
}

fn is_quarter(step: f64) -> bool {
    let mantissa = step / 10f64.powf(step.log10().floor());
    (mantissa - 2.5).abs() < 1e-9
}

fn trim(text: &str) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text.to_owned()
    }
}

/// Calendar steps from coarse to fine: the unit, how many of it, and the label format.
#[derive(Debug, Clone, Copy)]
enum Unit {
    Years(i64),
    Months(i64),
    Days(i64),
    Seconds(i64),
}

const TIME_STEPS: &[Unit] = &[
    Unit::Seconds(1),
    Unit::Seconds(5),
    Unit::Seconds(15),
    Unit::Seconds(30),
    Unit::Seconds(60),
    Unit::Seconds(5 * 60),
    Unit::Seconds(15 * 60),
    Unit::Seconds(30 * 60),
    Unit::Seconds(3600),
    Unit::Seconds(3 * 3600),
    Unit::Seconds(6 * 3600),
    Unit::Seconds(12 * 3600),
    Unit::Days(1),
    Unit::Days(2),
    Unit::Days(7),
    Unit::Days(14),
    Unit::Months(1),
    Unit::Months(2),
    Unit::Months(3),
    Unit::Months(6),
    Unit::Years(1),
    Unit::Years(2),
    Unit::Years(5),
    Unit::Years(10),
    Unit::Years(20),
    Unit::Years(50),
    Unit::Years(100),
    Unit::Years(200),
    Unit::Years(500),
    Unit::Years(1000),
];

fn times(clock: Clock, lo: f64, hi: f64, most: usize) -> Vec<(f64, String)> {
    let (lo_t, hi_t) = (lo.floor() as i64, hi.ceil() as i64);
    for &unit in TIME_STEPS {
        let ticks = calendar_ticks(clock, unit, lo_t, hi_t, most + 1);
        if let Some(ticks) = ticks
            && ticks.len() <= most
        {
            return ticks
                .into_iter()
                .map(|t| (t as f64, time_label(clock, unit, t)))
                .collect();
        }
    }
    Vec::new()
}

/// The boundaries of `unit` in `lo..=hi`, or none when there would be more than
/// `limit`.
fn calendar_ticks(clock: Clock, unit: Unit, lo: i64, hi: i64, limit: usize) -> Option<Vec<i64>> {
    let per_second = clock.per_second;
    let start = clock.fields(lo);
    let mut out = Vec::new();
    let mut push = |t: i64| {
        if t >= lo && t <= hi {
            out.push(t);
        }
        out.len() <= limit
    };
    match unit {
        Unit::Years(n) => {
            let mut year = start.year.div_euclid(n) * n;
            while clock.midnight(year, 1, 1) <= hi {
                if !push(clock.midnight(year, 1, 1)) {
                    return None;
                }
                year += n;
            }
        }
        Unit::Months(n) => {
            let mut month = (start.year * 12 + i64::from(start.month) - 1).div_euclid(n) * n;
            loop {
                let t = clock.midnight(month.div_euclid(12), (month.rem_euclid(12) + 1) as u32, 1);
                if t > hi {
                    break;
                }
                if !push(t) {
                    return None;
                }
                month += n;
            }
        }
        Unit::Days(n) => {
            let per_day = clock.per_day();
            let mut day = lo.div_euclid(per_day).div_euclid(n) * n;
            while day * per_day <= hi {
                if !push(day * per_day) {
                    return None;
                }
                day += n;
            }
        }
        Unit::Seconds(n) => {
            let every = n * per_second;
            if (hi - lo) / every > i64::try_from(limit).unwrap_or(i64::MAX) {
                return None;
            }
            let mut t = lo.div_euclid(every) * every;
            while t <= hi {
                if !push(t) {
                    return None;
                }
                t += every;
            }
        }
    }
    Some(out)
}

/// matplotlib's `AutoDateFormatter` labels: `%Y`, `%Y-%m`, `%Y-%m-%d`, `%m-%d %H`,
/// `%H:%M`, `%H:%M:%S`.
fn time_label(clock: Clock, unit: Unit, t: i64) -> String {
    let f = clock.fields(t);
    match unit {
        Unit::Years(_) => format!("{:04}", f.year),
        Unit::Months(_) => format!("{:04}-{:02}", f.year, f.month),
        Unit::Days(_) => format!("{:04}-{:02}-{:02}", f.year, f.month, f.day),
        Unit::Seconds(s) if s >= 3600 => format!("{:02}-{:02} {:02}", f.month, f.day, f.hour()),
        Unit::Seconds(s) if s >= 60 => format!("{:02}:{:02}", f.hour(), f.minute()),
        Unit::Seconds(_) => format!("{:02}:{:02}:{:02}", f.hour(), f.minute(), f.second()),
    }
}

#[cfg(test)]
mod tests {
    use super::{Scale, ticks};
    use crate::array::DateTime64;
    use crate::array::calendar::{Calendar, Clock};

    fn labels(t: &[(f64, String)]) -> Vec<&str> {
        t.iter().map(|(_, l)| l.as_str()).collect()
    }

    #[test]
    fn numbers_fall_on_round_steps() {
        assert_eq!(
            labels(&ticks(&Scale::Number, 200.0, 330.0, 8)),
            ["200", "220", "240", "260", "280", "300", "320"]
        );
        assert_eq!(
            labels(&ticks(&Scale::Number, 15.0, 75.0, 6)),
            ["20", "30", "40", "50", "60", "70"]
        );
        assert_eq!(
            labels(&ticks(&Scale::Number, -1.0, 1.0, 8)),
            [
                "−1", "−0.75", "−0.5", "−0.25", "0", "0.25", "0.5", "0.75", "1"
            ]
        );
        assert_eq!(
            labels(&ticks(&Scale::Number, 0.0, 3e6, 4)),
            ["0", "1e+06", "2e+06", "3e+06"]
        );
        assert_eq!(
            labels(&ticks(&Scale::Number, 0.0, 1.2e6, 6)),
            ["0", "2e+05", "4e+05", "6e+05", "8e+05", "1e+06", "1.2e+06"]
        );
        // UTM northings 500 m apart stay apart.
        assert_eq!(
            labels(&ticks(&Scale::Number, 5_499_900.0, 5_501_100.0, 4)),
            ["5.5e+06", "5.5005e+06", "5.501e+06"]
        );
    }

    #[test]
    fn times_fall_on_calendar_boundaries() {
        let ns = |y, m, d| DateTime64::from_ymd(y, m, d).0 as f64;
        let year = ticks(
            &Scale::Time(Clock::NUMPY),
            ns(2013, 1, 1),
            ns(2014, 12, 31),
            6,
        );
        assert_eq!(labels(&year), ["2013-01", "2013-07", "2014-01", "2014-07"]);
        let days = ticks(
            &Scale::Time(Clock::NUMPY),
            ns(2013, 1, 1),
            ns(2013, 1, 5),
            8,
        );
        assert_eq!(
            labels(&days),
            [
                "2013-01-01",
                "2013-01-02",
                "2013-01-03",
                "2013-01-04",
                "2013-01-05"
            ]
        );
        let noleap = Clock::cftime(Calendar::NoLeap);
        let decades = ticks(
            &Scale::Time(noleap),
            noleap.midnight(1850, 1, 1) as f64,
            noleap.midnight(2100, 1, 1) as f64,
            8,
        );
        assert_eq!(
            labels(&decades),
            ["1850", "1900", "1950", "2000", "2050", "2100"]
        );
    }
}
