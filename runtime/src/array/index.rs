//! Indexes: the lookup from labels to positions along a dimension that `sel` and
//! alignment use, with pandas' rules for sorted (ascending or descending) and unsorted
//! labels, inexact matches and partial date strings.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{RangeFrom, RangeFull, RangeInclusive, RangeToInclusive};

use super::calendar::{CfDateTime, Clock};
use super::dtype::{DType, DateTime64};
use super::time::{Period, resolution_of};
use super::values::Values;
use crate::Error;

/// The labels of a dimension coordinate, kept for lookups.
///
/// ```
/// use rangeo::array::{Index, Method, Values};
/// let lat = Index::new("lat", &Values::from_vec(vec![75.0, 72.5, 70.0]))?;
/// assert_eq!(lat.position(72.5, Method::Exact)?, 1);
/// assert_eq!(lat.position(71.0, Method::Nearest)?, 2);
/// assert!(lat.position(71.0, Method::Nearest.tolerance(0.5)).is_err());
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    dim: String,
    labels: Labels,
    order: Order,
}

/// An index's labels in the type lookups compare them as.
#[derive(Debug, Clone, PartialEq)]
enum Labels {
    Int(Vec<i64>),
    Float(Vec<f64>),
    /// Ticks of the clock (NaT is `i64::MIN`).
    Time(Vec<i64>, Clock),
    Str(Vec<String>),
}

/// Whether labels are sorted, which decides how they are searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Ascending,
    Descending,
    Unordered,
}

/// One label, as `sel` takes it: a number, a time, or text (which a datetime index
/// reads as a possibly partial date, "2013-05").
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A point in time.
    Time(DateTime64),
    /// A point in time on a CF calendar.
    CfTime(CfDateTime),
    /// Text, or a date string on a datetime index.
    Str(String),
}

/// What `sel` takes from one dimension: a label (the dimension goes away), an inclusive
/// range of labels (`a..=b`, `a..`, `..=b`, `..`), or a list of labels.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    /// One label.
    Label(Label),
    /// Every label from `start` to `stop`, both included, in index order.
    Range {
        /// The first label (`None`: from the start).
        start: Option<Label>,
        /// The last label (`None`: to the end).
        stop: Option<Label>,
    },
    /// These labels, in this order.
    List(Vec<Label>),
}

/// How a label that is not in the index is matched, as pandas' `method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Only exact matches.
    Exact,
    /// The closest label.
    Nearest,
    /// The label before it in index order (pandas' `ffill`).
    Pad,
    /// The label after it in index order (pandas' `bfill`).
    Backfill,
}

/// A [`Method`] with the largest distance a match may have (in index units;
/// nanoseconds for times, which `TimeDelta64` converts to).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matching {
    method: Method,
    tolerance: Option<f64>,
}

impl Method {
    /// This method, accepting only matches within `tolerance` of the label.
    #[must_use]
    pub fn tolerance(self, tolerance: impl Into<f64>) -> Matching {
        Matching {
            method: self,
            tolerance: Some(tolerance.into()),
        }
    }
}

impl From<Method> for Matching {
    fn from(method: Method) -> Self {
        Self {
            method,
            tolerance: None,
        }
    }
}

macro_rules! labels {
    ($($t:ty => |$x:ident| $make:expr),* $(,)?) => {$(
        impl From<$t> for Label {
            fn from($x: $t) -> Self { $make }
        }
        impl From<$t> for Selector {
            fn from(label: $t) -> Self { Self::Label(label.into()) }
        }
        impl From<RangeInclusive<$t>> for Selector {
            fn from(range: RangeInclusive<$t>) -> Self {
                let (start, stop) = range.into_inner();
                Self::Range { start: Some(start.into()), stop: Some(stop.into()) }
            }
        }
        impl From<RangeFrom<$t>> for Selector {
            fn from(range: RangeFrom<$t>) -> Self {
                Self::Range { start: Some(range.start.into()), stop: None }
            }
        }
        impl From<RangeToInclusive<$t>> for Selector {
            fn from(range: RangeToInclusive<$t>) -> Self {
                Self::Range { start: None, stop: Some(range.end.into()) }
            }
        }
        impl From<Vec<$t>> for Selector {
            fn from(list: Vec<$t>) -> Self { Self::List(list.into_iter().map(Into::into).collect()) }
        }
        impl<const N: usize> From<[$t; N]> for Selector {
            fn from(list: [$t; N]) -> Self { Self::List(list.into_iter().map(Into::into).collect()) }
        }
    )*};
}

labels! {
    i32 => |x| Label::Int(i64::from(x)),
    i64 => |x| Label::Int(x),
    f32 => |x| Label::Float(f64::from(x)),
    f64 => |x| Label::Float(x),
    DateTime64 => |x| Label::Time(x),
    CfDateTime => |x| Label::CfTime(x),
    &str => |x| Label::Str(x.to_owned()),
    String => |x| Label::Str(x),
}

impl From<RangeFull> for Selector {
    fn from(_: RangeFull) -> Self {
        Self::Range {
            start: None,
            stop: None,
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(x) => write!(f, "{x}"),
            Self::Float(x) => write!(f, "{x:?}"),
            Self::Time(x) => write!(f, "{x}"),
            Self::CfTime(x) => write!(f, "{x}"),
            Self::Str(x) => write!(f, "{x:?}"),
        }
    }
}

/// Where a selector's labels are: one position (the dimension goes), a run of
/// positions, or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Positions {
    One(usize),
    Run(usize, usize),
    List(Vec<usize>),
}

impl Positions {
    fn is_empty(&self) -> bool {
        match self {
            Self::One(_) => false,
            Self::Run(start, stop) => start >= stop,
            Self::List(list) => list.is_empty(),
        }
    }
}

/// A label in the type an index compares: numbers as floats, except integers on an
/// integer index.
#[derive(Debug, Clone, Copy)]
enum Key<'a> {
    Int(i64),
    Num(f64),
    Time(i64),
    Str(&'a str),
}

impl Index {
    /// The index of dimension `dim` over 1-D `labels`.
    pub fn new(dim: impl Into<String>, labels: &Values) -> Result<Self, Error> {
        let dim = dim.into();
        if labels.ndim() != 1 {
            return Err(Error::Shape(format!(
                "an index needs 1-D labels; `{dim}` has shape {:?}",
                labels.shape()
            )));
        }
        let labels = match labels {
            Values::Bytes(_) => {
                return Err(Error::Operation(format!(
                    "`{dim}` holds bytes, which rangeo does not index yet; decode them to \
                     text first (`.astype(DType::Str)`)"
                )));
            }
            Values::Float16(_) | Values::Float32(_) | Values::Float64(_) => {
                Labels::Float(labels.to_f64()?.into_raw_vec_and_offset().0)
            }
            Values::DateTime64(_) | Values::CfDateTime(_) => {
                let (ticks, clock) = labels.times().expect("times");
                Labels::Time(ticks.into_raw_vec_and_offset().0, clock)
            }
            Values::TimeDelta64(a) => Labels::Int(a.iter().map(|t| t.0).collect()),
            Values::Str(a) => Labels::Str(a.iter().cloned().collect()),
            Values::UInt64(a) if a.iter().any(|&x| i64::try_from(x).is_err()) => {
                Labels::Float(labels.to_f64()?.into_raw_vec_and_offset().0)
            }
            other => Labels::Int(
                other
                    .cast(DType::Int64)?
                    .array::<i64>()?
                    .iter()
                    .copied()
                    .collect(),
            ),
        };
        let mut index = Self {
            dim,
            labels,
            order: Order::Unordered,
        };
        index.order = index.find_order();
        Ok(index)
    }

    /// The dimension the index labels.
    #[must_use]
    pub fn dim(&self) -> &str {
        &self.dim
    }

    /// The number of labels.
    #[must_use]
    pub fn len(&self) -> usize {
        match &self.labels {
            Labels::Int(v) | Labels::Time(v, _) => v.len(),
            Labels::Float(v) => v.len(),
            Labels::Str(v) => v.len(),
        }
    }

    /// Whether there are no labels.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether both indexes have the same labels in the same order.
    pub(crate) fn same_labels(&self, other: &Index) -> bool {
        self.labels == other.labels
    }

    /// Whether the labels are floats.
    pub(crate) fn is_float(&self) -> bool {
        matches!(self.labels, Labels::Float(_))
    }

    /// The order of the labels at positions `i` and `j`, total (NaN last), for sorting.
    pub(crate) fn compare_labels(&self, i: usize, j: usize) -> Ordering {
        match &self.labels {
            Labels::Float(v) => v[i].total_cmp(&v[j]),
            _ => self.compare_positions(i, j).unwrap_or(Ordering::Equal),
        }
    }

    fn find_order(&self) -> Order {
        let n = self.len();
        let all = |want: Ordering| {
            (1..n).all(|i| {
                self.compare_positions(i - 1, i)
                    .is_some_and(|o| o == want || o == Ordering::Equal)
            })
        };
        if all(Ordering::Less) {
            Order::Ascending
        } else if all(Ordering::Greater) {
            Order::Descending
        } else {
            Order::Unordered
        }
    }

    fn compare_positions(&self, i: usize, j: usize) -> Option<Ordering> {
        match &self.labels {
            Labels::Int(v) => Some(v[i].cmp(&v[j])),
            Labels::Float(v) => v[i].partial_cmp(&v[j]),
            Labels::Time(v, _) => (v[i] != i64::MIN && v[j] != i64::MIN).then(|| v[i].cmp(&v[j])),
            Labels::Str(v) => Some(v[i].cmp(&v[j])),
        }
    }

    /// How the label at position `i` compares with `key`.
    fn compare(&self, i: usize, key: Key<'_>) -> Option<Ordering> {
        match (&self.labels, key) {
            (Labels::Int(v), Key::Int(k)) => Some(v[i].cmp(&k)),
            (Labels::Int(v), Key::Num(k)) => (v[i] as f64).partial_cmp(&k),
            (Labels::Float(v), Key::Num(k)) => v[i].partial_cmp(&k),
            (Labels::Time(v, _), Key::Time(k)) => (v[i] != i64::MIN).then(|| v[i].cmp(&k)),
            (Labels::Str(v), Key::Str(k)) => Some(v[i].as_str().cmp(k)),
            _ => None,
        }
    }

    /// How far the label at position `i` is from `key`.
    fn distance(&self, i: usize, key: Key<'_>) -> f64 {
        match (&self.labels, key) {
            (Labels::Int(v), Key::Int(k)) => (v[i] as f64 - k as f64).abs(),
            (Labels::Int(v), Key::Num(k)) => (v[i] as f64 - k).abs(),
            (Labels::Float(v), Key::Num(k)) => (v[i] - k).abs(),
            (Labels::Time(v, clock), Key::Time(k)) => clock.nanos(v[i] - k).unsigned_abs() as f64,
            _ => f64::NAN,
        }
    }

    /// One line saying what the index holds: `float index, 25 labels, descending`.
    pub(crate) fn summary(&self) -> String {
        let order = match self.order {
            Order::Ascending => "ascending",
            Order::Descending => "descending",
            Order::Unordered => "unordered",
        };
        let n = self.len();
        let labels = if n == 1 { "label" } else { "labels" };
        format!("{} index, {n} {labels}, {order}", self.kind())
    }

    fn kind(&self) -> &'static str {
        match &self.labels {
            Labels::Int(_) => "integer",
            Labels::Float(_) => "float",
            Labels::Time(_, clock) if *clock == Clock::NUMPY => "datetime",
            Labels::Time(..) => "cftime",
            Labels::Str(_) => "string",
        }
    }

    /// The label as a key this index compares, or an error saying why it cannot be.
    fn key<'a>(&self, label: &'a Label) -> Result<Key<'a>, Error> {
        Ok(match (&self.labels, label) {
            (Labels::Int(_), Label::Int(i)) => Key::Int(*i),
            (Labels::Int(_) | Labels::Float(_), Label::Float(x)) => Key::Num(*x),
            (Labels::Float(_), Label::Int(i)) => Key::Num(*i as f64),
            (Labels::Time(_, clock), Label::Time(t)) if *clock == Clock::NUMPY => Key::Time(t.0),
            (Labels::Time(_, clock), Label::CfTime(t)) if *clock == t.clock() => {
                Key::Time(t.micros())
            }
            (Labels::Time(_, clock), Label::Str(s)) => Key::Time(self.period(s, *clock)?.start),
            (Labels::Str(_), Label::Str(s)) => Key::Str(s),
            _ => {
                return Err(Error::Label(format!(
                    "cannot look up {label} in the {} index of `{}`",
                    self.kind(),
                    self.dim
                )));
            }
        })
    }

    /// The span a date string names, on this index's calendar.
    fn period(&self, text: &str, clock: Clock) -> Result<Period, Error> {
        Period::parse_in(text, clock).map_err(|e| {
            Error::Label(format!(
                "{e}, to look up in the {} index of `{}`",
                self.kind(),
                self.dim
            ))
        })
    }

    /// The first position whose label is at (`strict` off) or past `key` in index order.
    fn first_from(&self, key: Key<'_>, strict: bool) -> usize {
        let n = self.len();
        let before = |o: Option<Ordering>| match (self.order, o) {
            (Order::Descending, Some(Ordering::Greater))
            | (Order::Ascending, Some(Ordering::Less)) => true,
            (_, Some(Ordering::Equal)) => strict,
            _ => false,
        };
        partition_point(n, |i| before(self.compare(i, key)))
    }

    /// The position of `label`, matched by `matching`.
    pub fn position(
        &self,
        label: impl Into<Label>,
        matching: impl Into<Matching>,
    ) -> Result<usize, Error> {
        self.position_of(&label.into(), matching.into())
    }

    fn position_of(&self, label: &Label, matching: Matching) -> Result<usize, Error> {
        let key = self.key(label)?;
        let n = self.len();
        if matching.method == Method::Nearest && matches!(self.labels, Labels::Str(_)) {
            return Err(Error::Label(format!(
                "Nearest matching needs distances, which the string labels of `{}` do not have",
                self.dim
            )));
        }
        if self.order == Order::Unordered {
            if matching.method != Method::Exact {
                return Err(Error::Label(format!(
                    "the index of `{}` is not sorted, so {:?} matching cannot be used; sort it first",
                    self.dim, matching.method
                )));
            }
            return (0..n)
                .find(|&i| self.compare(i, key) == Some(Ordering::Equal))
                .ok_or_else(|| self.missing(label));
        }
        let at = self.first_from(key, false);
        let exact = (at < n && self.compare(at, key) == Some(Ordering::Equal)).then_some(at);
        let pad = || self.first_from(key, true).checked_sub(1);
        let backfill = || (at < n).then_some(at);
        let found = exact.or_else(|| match matching.method {
            Method::Exact => None,
            Method::Pad => pad(),
            Method::Backfill => backfill(),
            Method::Nearest => match (pad(), backfill()) {
                (Some(left), Some(right)) => {
                    let (dl, dr) = (self.distance(left, key), self.distance(right, key));
                    let left_wins = if self.order == Order::Ascending {
                        dl < dr
                    } else {
                        dl <= dr
                    };
                    Some(if left_wins { left } else { right })
                }
                (one, other) => one.or(other),
            },
        });
        match (found, matching.tolerance) {
            (Some(p), Some(tolerance)) if self.distance(p, key) > tolerance => {
                Err(Error::Label(format!(
                    "no label of `{}` within {tolerance} of {label}: the closest {:?} match is {}",
                    self.dim,
                    matching.method,
                    self.label_at(p)
                )))
            }
            (Some(p), _) => Ok(p),
            (None, _) => Err(self.missing(label)),
        }
    }

    fn missing(&self, label: &Label) -> Error {
        let hint = if matches!(self.labels, Labels::Str(_)) || self.order == Order::Unordered {
            ""
        } else {
            "; sel_with(.., Method::Nearest) takes the closest"
        };
        Error::Label(format!(
            "{label} is not in the index of `{}` ({}){hint}",
            self.dim,
            self.describe()
        ))
    }

    /// "25 float labels from 75.0 to 15.0, descending".
    fn describe(&self) -> String {
        let n = self.len();
        let order = match self.order {
            Order::Ascending => "ascending",
            Order::Descending => "descending",
            Order::Unordered => "unsorted",
        };
        if n == 0 {
            return format!("no {} labels", self.kind());
        }
        format!(
            "{n} {} labels from {} to {}, {order}",
            self.kind(),
            self.label_at(0),
            self.label_at(n - 1)
        )
    }

    fn key_text(&self, key: Key<'_>) -> String {
        match (key, &self.labels) {
            (Key::Int(i), _) => i.to_string(),
            (Key::Num(x), _) => format!("{x:?}"),
            (Key::Time(t), Labels::Time(_, clock)) => time_label(t, *clock).to_string(),
            (Key::Time(t), _) => t.to_string(),
            (Key::Str(s), _) => format!("{s:?}"),
        }
    }

    /// The label at position `i`.
    #[must_use]
    pub fn label_at(&self, i: usize) -> Label {
        match &self.labels {
            Labels::Int(v) => Label::Int(v[i]),
            Labels::Float(v) => Label::Float(v[i]),
            Labels::Time(v, clock) => time_label(v[i], *clock),
            Labels::Str(v) => Label::Str(v[i].clone()),
        }
    }

    /// Where `selector`'s labels are.
    pub(crate) fn locate(
        &self,
        selector: &Selector,
        matching: Matching,
    ) -> Result<Positions, Error> {
        match selector {
            Selector::Label(Label::Str(text)) if matches!(self.labels, Labels::Time(..)) => {
                let Labels::Time(times, clock) = &self.labels else {
                    unreachable!()
                };
                let period = self.period(text, *clock)?;
                // pandas picks one label when the string is as fine as the index;
                // xarray's CFTimeIndex always selects the span.
                if *clock == Clock::NUMPY && period.resolution >= resolution_of(times, *clock) {
                    return self
                        .position_of(&time_label(period.start, *clock), matching)
                        .map(Positions::One);
                }
                let positions =
                    self.locate_range(Some(Key::Time(period.start)), Some(Key::Time(period.end)))?;
                if positions.is_empty() {
                    return Err(self.missing(&Label::Str(text.clone())));
                }
                Ok(positions)
            }
            Selector::Label(label) => self.position_of(label, matching).map(Positions::One),
            Selector::List(labels) => labels
                .iter()
                .map(|l| self.position_of(l, matching))
                .collect::<Result<_, _>>()
                .map(Positions::List),
            Selector::Range { start, stop } => {
                if matching.method != Method::Exact {
                    return Err(Error::Label(format!(
                        "{:?} matching does not apply to a range of labels of `{}`",
                        matching.method, self.dim
                    )));
                }
                self.locate_range(
                    self.bound(start.as_ref(), true)?,
                    self.bound(stop.as_ref(), false)?,
                )
            }
        }
    }

    /// A range's bound as a key: a partial date's first instant for a start, its last
    /// for a stop (the other way round on a descending index).
    fn bound<'a>(
        &self,
        label: Option<&'a Label>,
        is_start: bool,
    ) -> Result<Option<Key<'a>>, Error> {
        let Some(label) = label else { return Ok(None) };
        if let (Labels::Time(_, clock), Label::Str(text)) = (&self.labels, label) {
            let period = self.period(text, *clock)?;
            let first = is_start != (self.order == Order::Descending);
            return Ok(Some(Key::Time(if first {
                period.start
            } else {
                period.end
            })));
        }
        self.key(label).map(Some)
    }

    /// The positions from `start` to `stop`, both included, in index order.
    fn locate_range(
        &self,
        start: Option<Key<'_>>,
        stop: Option<Key<'_>>,
    ) -> Result<Positions, Error> {
        let n = self.len();
        if self.order == Order::Unordered {
            if let (Labels::Time(..), Some(Key::Time(lo)), Some(Key::Time(hi))) =
                (&self.labels, start, stop)
            {
                let inside = (0..n).filter(|&i| {
                    self.compare(i, Key::Time(lo)) != Some(Ordering::Less)
                        && self.compare(i, Key::Time(hi)) != Some(Ordering::Greater)
                });
                return Ok(Positions::List(inside.collect()));
            }
            let exact = |key: Key<'_>| {
                (0..n).find(|&i| self.compare(i, key) == Some(Ordering::Equal)).ok_or_else(|| {
                    Error::Label(format!(
                        "the index of `{}` is not sorted, so a range needs labels that are in it; {} is not",
                        self.dim,
                        self.key_text(key)
                    ))
                })
            };
            let lo = start.map(exact).transpose()?.unwrap_or(0);
            let hi = stop.map(exact).transpose()?.map_or(n, |i| i + 1);
            return Ok(Positions::Run(lo, hi.max(lo)));
        }
        let lo = start.map_or(0, |k| self.first_from(k, false));
        let hi = stop.map_or(n, |k| self.first_from(k, true));
        Ok(Positions::Run(lo, hi.max(lo)))
    }
}

/// A time label from ticks of `clock`.
fn time_label(ticks: i64, clock: Clock) -> Label {
    if clock == Clock::NUMPY {
        Label::Time(DateTime64(ticks))
    } else {
        Label::CfTime(CfDateTime::from_micros(clock.calendar, ticks))
    }
}

/// The first `i` in `0..n` for which `before(i)` is false, `before` being true then
/// false along `0..n`.
fn partition_point(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lat() -> Index {
        Index::new("lat", &Values::from_vec(vec![75.0_f32, 72.5, 70.0, 67.5])).unwrap()
    }

    fn exact() -> Matching {
        Method::Exact.into()
    }

    #[test]
    fn descending_ranges_run_in_index_order() {
        let lat = lat();
        assert_eq!(
            lat.locate(&(72.5..=67.5).into(), exact()).unwrap(),
            Positions::Run(1, 4)
        );
        assert_eq!(
            lat.locate(&(71.0..=68.0).into(), exact()).unwrap(),
            Positions::Run(2, 3)
        );
        assert_eq!(
            lat.locate(&(60.0..=70.0).into(), exact()).unwrap(),
            Positions::Run(4, 4),
            "empty"
        );
        assert_eq!(
            lat.locate(&(..=72.5).into(), exact()).unwrap(),
            Positions::Run(0, 2)
        );
    }

    #[test]
    fn inexact_matches_follow_pandas() {
        let lat = lat();
        assert_eq!(
            lat.position(71.0, Method::Pad).unwrap(),
            1,
            "pad goes to the earlier label"
        );
        assert_eq!(lat.position(71.0, Method::Backfill).unwrap(), 2);
        assert_eq!(
            lat.position(71.25, Method::Nearest).unwrap(),
            1,
            "a tie picks the earlier label when descending"
        );
        assert!(lat.position(80.0, Method::Pad).is_err());
        let up = Index::new("x", &Values::from_vec(vec![0_i64, 10, 20])).unwrap();
        assert_eq!(
            up.position(5, Method::Nearest).unwrap(),
            1,
            "a tie picks the later label when ascending"
        );
        assert_eq!(up.position(25.5, Method::Pad).unwrap(), 2);
        assert_eq!(up.position(10.0, Method::Exact).unwrap(), 1);
    }

    #[test]
    fn partial_dates_select_spans_coarser_than_the_index() {
        let six_hourly: Vec<DateTime64> = (0..8)
            .map(|i| DateTime64(DateTime64::from_ymd(2013, 4, 30).0 + i * 6 * 3_600_000_000_000))
            .collect();
        let time = Index::new("time", &Values::from_vec(six_hourly)).unwrap();
        assert_eq!(
            time.locate(&"2013-05-01".into(), exact()).unwrap(),
            Positions::Run(4, 8)
        );
        assert_eq!(
            time.locate(&"2013-05-01T06".into(), exact()).unwrap(),
            Positions::One(5)
        );
        assert_eq!(
            time.locate(&("2013-04-30T12"..="2013-05").into(), exact())
                .unwrap(),
            Positions::Run(2, 8)
        );
        assert!(time.locate(&"2013-06".into(), exact()).is_err());
    }

    #[test]
    fn errors_say_which_label_and_which_index() {
        let error = lat().position(71.0, Method::Exact).unwrap_err();
        assert_eq!(
            error.to_string(),
            "71.0 is not in the index of `lat` (4 float labels from 75.0 to 67.5, descending); \
             sel_with(.., Method::Nearest) takes the closest"
        );
        let error = lat()
            .position(71.0, Method::Nearest.tolerance(0.5))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "no label of `lat` within 0.5 of 71.0: the closest Nearest match is 70.0"
        );
        assert_eq!(
            lat()
                .position("north", Method::Exact)
                .unwrap_err()
                .to_string(),
            "cannot look up \"north\" in the float index of `lat`"
        );
        let names = Index::new(
            "station",
            &Values::from_vec(vec!["b".to_owned(), "a".to_owned()]),
        )
        .unwrap();
        assert!(names.position("a", Method::Nearest).is_err());
        assert_eq!(
            names.locate(&("b"..="a").into(), exact()).unwrap(),
            Positions::Run(0, 2)
        );
    }
}
