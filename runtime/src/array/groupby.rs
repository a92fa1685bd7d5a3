//! Grouping: `groupby` on a coordinate or a date component, `groupby_bins`, and
//! `resample` on time, each with reductions, `map`, and arithmetic against a grouped
//! result (the climatology / anomaly idiom).

use std::collections::BTreeMap;

use super::arithmetic::combined;
use super::data_array::DataArray;
use super::index::Label;
use super::math::BinaryOp;
use super::reduce::Reduction;
use super::resample::Frequency;
use super::values::Values;
use super::variable::{Selection, Variable};
use crate::Error;
use crate::compute::Groups;
use crate::error::OrPanic;

/// An array split into groups along one dimension, waiting for what to do with each.
///
/// ```
/// use rangeo::prelude::*;
/// let times: Vec<DateTime64> = ["2013-01-01", "2013-01-02", "2013-02-01", "2014-01-01"]
///     .iter().map(|t| t.parse()).collect::<Result<_, _>>()?;
/// let air = DataArray::new(["time"], vec![1.0, 3.0, 10.0, 5.0])?.assign_coords("time", times)?;
/// let climatology = air.groupby("time.month")?.mean()?;
/// assert_eq!(climatology.dims(), ["month"]);
/// assert_eq!(climatology.to_vec::<f64>()?, [3.0, 10.0]);
/// let anomaly = &air.groupby("time.month")? - &climatology;
/// assert_eq!(anomaly.to_vec::<f64>()?, [-2.0, 0.0, 0.0, 2.0]);
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct GroupBy<'a> {
    array: &'a DataArray,
    /// The dimension split into groups.
    dim: String,
    /// The name of the dimension that results have one entry per group along.
    name: String,
    /// One label per group, in result order (none for blocks of a dimension without
    /// a coordinate).
    labels: Option<Values>,
    /// Each group's positions along `dim`.
    groups: Vec<Vec<usize>>,
}

impl DataArray {
    /// Groups along the dimension of coordinate `key`, by its values; `"time.month"`
    /// (or year, day, hour, dayofyear, season, ...) groups by a date component.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let time: Vec<DateTime64> = ["2013-01-01T00", "2013-01-01T12", "2013-01-02T00", "2013-02-01T00"]
    ///     .iter()
    ///     .map(|t| t.parse())
    ///     .collect::<Result<_, _>>()?;
    /// let air = DataArray::new(["time"], vec![1.0, 3.0, 5.0, 7.0])?.assign_coords("time", time)?;
    /// let monthly = air.groupby("time.month")?.mean()?;
    /// assert_eq!(monthly.dims(), ["month"]);
    /// assert_eq!(monthly.to_vec::<f64>()?, [3.0, 7.0]);
    /// // The anomaly against the monthly climatology.
    /// let anomaly = &air.groupby("time.month")? - &monthly;
    /// assert_eq!(anomaly.to_vec::<f64>()?, [-2.0, 0.0, 2.0, 0.0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn groupby(&self, key: &str) -> Result<GroupBy<'_>, Error> {
        let (coord, component) = match key.split_once('.') {
            Some((coord, component)) => (coord, Some(component)),
            None => (key, None),
        };
        let mut by = self.coord(coord)?;
        if let Some(component) = component {
            by = by.dt()?.component(component)?;
        }
        let [dim] = by.dims() else {
            return Err(Error::Shape(format!(
                "groupby needs a 1-D coordinate; `{coord}` has dimensions {:?}",
                by.dims()
            )));
        };
        let name = component.unwrap_or(coord).to_owned();
        let mut groups: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
        let values = by.variable().to_values()?.into_owned();
        for (position, key) in group_keys(&values)?.into_iter().enumerate() {
            if let Some(key) = key {
                groups.entry(key).or_default().push(position);
            }
        }
        let firsts: Vec<Option<usize>> = groups.values().map(|g| Some(g[0])).collect();
        Ok(GroupBy {
            array: self,
            dim: dim.clone(),
            name,
            labels: Some(values.take(0, &firsts)),
            groups: groups.into_values().collect(),
        })
    }

    /// Groups along the dimension of coordinate `coord` by which of the intervals
    /// `(edges[i], edges[i + 1]]` its values fall in (values outside all are left out).
    /// Groups are labelled "(a, b]" and the result dimension is `<coord>_bins`.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, f64::NAN, 6.0]]))?
    ///     .assign_coords("lat", vec![75.0, 70.0])?
    ///     .assign_coords("lon", vec![200.0, 202.5, 205.0])?
    ///     .with_name("air");
    /// let bands = air.groupby_bins("lon", &[199.0, 201.0, 206.0])?.mean()?;
    /// assert_eq!(bands.coord("lon_bins")?.to_vec::<String>()?, ["(199.0, 201.0]", "(201.0, 206.0]"]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn groupby_bins(&self, coord: &str, edges: &[f64]) -> Result<GroupBy<'_>, Error> {
        let by = self.coord(coord)?;
        let [dim] = by.dims() else {
            return Err(Error::Shape(format!(
                "groupby_bins needs a 1-D coordinate; `{coord}` is not"
            )));
        };
        if edges.len() < 2 || edges.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::Operation(format!(
                "bin edges must increase and be at least two; got {edges:?}"
            )));
        }
        let values = by.variable().to_values()?.to_f64()?;
        let mut groups = vec![Vec::new(); edges.len() - 1];
        for (position, &x) in values.iter().enumerate() {
            if let Some(bin) = edges.windows(2).position(|w| w[0] < x && x <= w[1]) {
                groups[bin].push(position);
            }
        }
        let labels = edges
            .windows(2)
            .map(|w| format!("({}, {}]", python_float(w[0]), python_float(w[1])))
            .collect();
        Ok(GroupBy {
            array: self,
            dim: dim.clone(),
            name: format!("{coord}_bins"),
            labels: Some(Values::from_vec::<String>(labels)),
            groups,
        })
    }

    /// Groups the datetime dimension `dim` into periods of `freq`, pandas' frequency
    /// strings: "6h", "D", "7D", "MS" / "ME", "QS-DEC" / "QE", "YS" / "YE". Every period
    /// from the first to the last time is a group, empty or not; the result keeps `dim`,
    /// labelled by period (start for "S" anchors and fixed steps, end for "E").
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let time: Vec<DateTime64> = ["2013-01-01T00", "2013-01-01T12", "2013-01-02T00", "2013-02-01T00"]
    ///     .iter()
    ///     .map(|t| t.parse())
    ///     .collect::<Result<_, _>>()?;
    /// let air = DataArray::new(["time"], vec![1.0, 3.0, 5.0, 7.0])?.assign_coords("time", time)?;
    /// let daily = air.resample("time", "D")?.mean()?;
    /// assert_eq!(daily.shape(), [32], "every day from the first to the last");
    /// assert_eq!(daily.isel("time", 0)?.item::<f64>()?, 2.0);
    /// assert!(daily.isel("time", 2)?.item::<f64>()?.is_nan(), "an empty day");
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn resample(&self, dim: &str, freq: &str) -> Result<GroupBy<'_>, Error> {
        let frequency: Frequency = freq.parse()?;
        let coord = self.coord(dim)?;
        let (times, clock) = coord.variable().eager().times().ok_or_else(|| {
            Error::Operation(format!(
                "resample needs datetime labels; `{dim}` holds {}",
                coord.dtype()
            ))
        })?;
        let times = times.into_raw_vec_and_offset().0;
        if times.windows(2).any(|w| w[1] < w[0]) {
            // pandas bins sorted times only; xarray refuses the rest the same way.
            return Err(Error::Label(format!(
                "resample needs `{dim}` in increasing order, and it is not: sort it first \
                 (`isel` with the sorted positions)"
            )));
        }
        let (labels, groups) = frequency.bins(&times, clock);
        Ok(GroupBy {
            array: self,
            dim: dim.to_owned(),
            name: dim.to_owned(),
            labels: Some(clock.values(&ndarray::Array1::from(labels))),
            groups,
        })
    }
}

/// A group label that sorts as pandas sorts unique values.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey {
    Int(i64),
    Float(u64),
    Str(String),
}

/// Each position's group key (`None` for NaN and NaT, which belong to no group).
fn group_keys(values: &Values) -> Result<Vec<Option<GroupKey>>, Error> {
    Ok(match values {
        Values::Str(a) => a.iter().map(|s| Some(GroupKey::Str(s.clone()))).collect(),
        Values::DateTime64(_) | Values::CfDateTime(_) => {
            let (ticks, _) = values.times().expect("times");
            ticks
                .iter()
                .map(|&t| (t != i64::MIN).then_some(GroupKey::Int(t)))
                .collect()
        }
        Values::Float16(_) | Values::Float32(_) | Values::Float64(_) => values
            .to_f64()?
            .iter()
            .map(|&x| (!x.is_nan()).then(|| GroupKey::Float(sortable_bits(x))))
            .collect(),
        other => other
            .cast(super::DType::Int64)?
            .array::<i64>()?
            .iter()
            .map(|&i| Some(GroupKey::Int(i)))
            .collect(),
    })
}

/// Bits of a float that order as the floats do.
fn sortable_bits(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// A float as Python prints it ("10.0", "2.5").
fn python_float(x: f64) -> String {
    format!("{x:?}")
}

impl<'a> GroupBy<'a> {
    /// Groups of `array` along `dim` with their labels; results lie along `name`.
    pub(crate) fn new(
        array: &'a DataArray,
        dim: &str,
        name: &str,
        labels: Option<Values>,
        groups: Vec<Vec<usize>>,
    ) -> Self {
        Self {
            array,
            dim: dim.to_owned(),
            name: name.to_owned(),
            labels,
            groups,
        }
    }
}

/// A grouping detached from the array it was found on, to apply to other arrays along
/// the same dimension (every variable of a dataset) without finding it again.
#[derive(Debug, Clone)]
pub(crate) struct Grouping {
    dim: String,
    name: String,
    labels: Option<Values>,
    groups: Vec<Vec<usize>>,
}

impl GroupBy<'_> {
    /// The grouping without the array.
    pub(crate) fn detach(self) -> Grouping {
        Grouping {
            dim: self.dim,
            name: self.name,
            labels: self.labels,
            groups: self.groups,
        }
    }
}

impl Grouping {
    /// The dimension split into groups.
    pub(crate) fn dim(&self) -> &str {
        &self.dim
    }

    /// The same groups of `array`, which lies along the same dimension.
    pub(crate) fn over<'a>(&self, array: &'a DataArray) -> GroupBy<'a> {
        GroupBy::new(
            array,
            &self.dim,
            &self.name,
            self.labels.clone(),
            self.groups.clone(),
        )
    }

    /// An array with one element per group along the result dimension, labelled as
    /// results are: what values without the grouped dimension are broadcast against.
    pub(crate) fn template(&self) -> Result<DataArray, Error> {
        let flags = DataArray::new([self.name.as_str()], vec![false; self.groups.len()])?;
        match &self.labels {
            Some(labels) => flags.assign_coords(self.name.clone(), labels.clone()),
            None => Ok(flags),
        }
    }
}

impl GroupBy<'_> {
    /// The group labels, in result order.
    #[must_use]
    pub fn labels(&self) -> Option<&Values> {
        self.labels.as_ref()
    }

    /// The result with the group labels as the coordinate of the grouping dimension.
    fn labelled(&self, result: DataArray) -> Result<DataArray, Error> {
        match &self.labels {
            Some(labels) => result.assign_coords(self.name.clone(), labels.clone()),
            None => Ok(result),
        }
    }

    /// The number of groups.
    #[must_use]
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there are no groups.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    fn group(&self, g: usize) -> Result<DataArray, Error> {
        let positions: Vec<isize> = self.groups[g].iter().map(|&p| p.cast_signed()).collect();
        self.array.isel(&self.dim, Selection::List(positions))
    }

    /// Every group reduced over the grouped dimension with `how`; results lie along a
    /// dimension named for the grouping, where the grouped dimension was.
    pub fn reduce(&self, how: Reduction, skipna: bool) -> Result<DataArray, Error> {
        let axis = self.array.variable().axis(&self.dim)?;
        if self.groups.iter().all(Vec::is_empty) {
            // As xarray refuses to group nothing, lazy data and eager data alike.
            return Err(Error::Shape(format!(
                "cannot reduce groups by `{}`: there are none (`{}` has {} positions, none \
                 of them labelled)",
                self.name,
                self.dim,
                self.array.shape()[axis]
            )));
        }
        let coords = self
            .array
            .coords()
            .filtered(|name, c| name != self.dim && !c.dims().contains(&self.dim));
        if let Some(lazy) = self.array.variable().lazy() {
            // Every chunk read once, whatever the number of groups.
            let mut of = vec![usize::MAX; self.array.shape()[axis]];
            for (g, positions) in self.groups.iter().enumerate() {
                for &p in positions {
                    of[p] = g;
                }
            }
            let groups = Groups {
                of: of.into(),
                count: self.groups.len(),
            };
            if let Some(reduced) = lazy.reduce_groups(how, axis, groups, skipna)? {
                let mut dims = self.array.dims().to_vec();
                dims[axis].clone_from(&self.name);
                let mut variable = self.array.variable().with_data(dims, reduced);
                variable.encoding_mut().clear();
                return self.labelled(DataArray::from_parts(
                    self.array.name().map(str::to_owned),
                    variable,
                    coords,
                ));
            }
        }
        let mut parts = Vec::with_capacity(self.groups.len());
        for g in (0..self.groups.len()).filter(|&g| !self.groups[g].is_empty()) {
            let reduced = self.group(g)?.reduce(how, self.dim.as_str(), skipna)?;
            parts.push(reduced.variable().expand_dims(&self.name, axis)?);
        }
        let mut variable = Variable::concat(&parts, &self.name)?;
        if parts.len() < self.groups.len() {
            // Empty groups (periods without data) are missing values, as xarray
            // reindexes them.
            let mut next = 0..;
            let which: Vec<Option<usize>> = self
                .groups
                .iter()
                .map(|g| if g.is_empty() { None } else { next.next() })
                .collect();
            variable = variable.take(&self.name, &which)?;
        }
        self.labelled(DataArray::from_parts(
            self.array.name().map(str::to_owned),
            variable,
            coords,
        ))
    }

    /// Each group's mean.
    pub fn mean(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Mean, true)
    }

    /// Each group's sum.
    pub fn sum(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Sum, true)
    }

    /// Each group's minimum.
    pub fn min(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Min, true)
    }

    /// Each group's maximum.
    pub fn max(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Max, true)
    }

    /// Each group's standard deviation (`ddof` 0).
    pub fn std(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Std { ddof: 0 }, true)
    }

    /// Each group's median.
    pub fn median(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Median, true)
    }

    /// The number of values present in each group.
    pub fn count(&self) -> Result<DataArray, Error> {
        self.reduce(Reduction::Count, true)
    }

    /// `f` applied to every group. Results that keep the grouped dimension are put back
    /// together along it in group order (xarray's `map` of a transformation); results
    /// without it are stacked along a new dimension named for the grouping.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let time: Vec<DateTime64> = ["2013-01-01T00", "2013-01-01T12", "2013-01-02T00", "2013-02-01T00"]
    ///     .iter()
    ///     .map(|t| t.parse())
    ///     .collect::<Result<_, _>>()?;
    /// let air = DataArray::new(["time"], vec![1.0, 3.0, 5.0, 7.0])?.assign_coords("time", time)?;
    /// let centred = air.groupby("time.month")?.map(|g| Ok(g - &g.mean("time")?))?;
    /// assert_eq!(centred.to_vec::<f64>()?, [-2.0, 0.0, 2.0, 0.0]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn map(
        &self,
        f: impl Fn(&DataArray) -> Result<DataArray, Error>,
    ) -> Result<DataArray, Error> {
        let results = (0..self.groups.len())
            .map(|g| f(&self.group(g)?))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(first) = results.first() else {
            return Err(Error::Shape("map over no groups".into()));
        };
        if first.dims().contains(&self.dim) {
            let order: Vec<usize> = self.groups.iter().flatten().copied().collect();
            let joined = DataArray::concat(&results.iter().collect::<Vec<_>>(), &self.dim)?;
            let mut back = vec![0_isize; order.len()];
            for (i, &p) in order.iter().enumerate() {
                back[p] = i.cast_signed();
            }
            return joined.isel(&self.dim, Selection::List(back));
        }
        let axis = first
            .dims()
            .len()
            .min(self.array.variable().axis(&self.dim)?);
        let parts = results
            .iter()
            .map(|r| r.variable().expand_dims(&self.name, axis))
            .collect::<Result<Vec<_>, _>>()?;
        let variable = Variable::concat(&parts, &self.name)?;
        self.labelled(first.with_variable(variable))
    }

    /// `group op other` for every group, where `other` has one entry per group along
    /// the grouping's dimension (a climatology); the result has the original shape and
    /// a coordinate saying which group each position was in.
    pub fn binary(&self, op: BinaryOp, other: &DataArray) -> Result<DataArray, Error> {
        let index = other.index(&self.name).ok_or_else(|| {
            Error::Align(format!(
                "the grouped operand needs an index on `{}`, one entry per group",
                self.name
            ))
        })?;
        let n = self
            .array
            .variable()
            .axis(&self.dim)
            .map(|a| self.array.shape()[a])?;
        let mut which = vec![None; n];
        for (g, positions) in self.groups.iter().enumerate() {
            let labels = self.labels.as_ref().ok_or_else(|| {
                Error::Align(format!("blocks of `{}` have no labels to match", self.dim))
            })?;
            let label = label_at(labels, g);
            let at = index
                .position(label.clone(), super::index::Method::Exact)
                .map_err(|_| {
                    Error::Align(format!(
                        "group {label} has no entry in the other operand's `{}`",
                        self.name
                    ))
                })?;
            for &p in positions {
                which[p] = Some(at);
            }
        }
        if let Some(result) = self.binary_in_place(op, other, &which)? {
            return Ok(result);
        }
        let expanded = other.take_along(&self.name, &which, &self.dim)?;
        self.array.binary(op, &expanded)
    }

    /// [`binary`](Self::binary) without building the expanded operand, when the other
    /// operand is laid out like the array (the climatology of an anomaly) and their
    /// other indexes agree; `None` otherwise.
    fn binary_in_place(
        &self,
        op: BinaryOp,
        other: &DataArray,
        which: &[Option<usize>],
    ) -> Result<Option<DataArray>, Error> {
        let Some(which) = which.iter().copied().collect::<Option<Vec<usize>>>() else {
            return Ok(None);
        };
        if self.array.is_lazy() || other.is_lazy() {
            // Lazy operands take the general path, which plans instead of computing.
            return Ok(None);
        }
        let renamed: Vec<&str> = other
            .dims()
            .iter()
            .map(|d| {
                if *d == self.name {
                    self.dim.as_str()
                } else {
                    d.as_str()
                }
            })
            .collect();
        if renamed != self.array.dims() {
            return Ok(None);
        }
        let same_indexes = self
            .array
            .dims()
            .iter()
            .filter(|d| **d != self.dim)
            .all(|d| match (self.array.index(d), other.index(d)) {
                (Some(a), Some(b)) => a.same_labels(b),
                (None, None) => true,
                _ => false,
            });
        let axis = self.array.variable().axis(&self.dim)?;
        let values = self.array.variable().to_values()?;
        let Some(values) = same_indexes
            .then(|| {
                values.binary_gathered(
                    op,
                    other.variable().to_values().ok()?.as_ref(),
                    axis,
                    &which,
                )
            })
            .flatten()
        else {
            return Ok(None);
        };
        // As the general path: the other's coordinates along the groups taken to each
        // position, then the rules of every binary operation.
        let positions: Vec<Option<usize>> = which.iter().map(|&w| Some(w)).collect();
        let coords = other
            .coords()
            .take_along(&self.name, &positions, &self.dim)?;
        let variable = Variable::from_values(self.array.dims().to_vec(), values);
        Ok(Some(combined(
            self.array,
            other.name(),
            other.attrs(),
            &coords,
            variable,
        )))
    }
}

/// Label `i` of 1-D `values`.
fn label_at(values: &Values, i: usize) -> Label {
    match values {
        Values::Str(a) => Label::Str(a[[i]].clone()),
        Values::DateTime64(a) => Label::Time(a[[i]]),
        Values::CfDateTime(a) => Label::CfTime(a[[i]]),
        Values::Float16(_) | Values::Float32(_) | Values::Float64(_) => {
            Label::Float(values.to_f64().expect("floats")[[i]])
        }
        other => Label::Int(
            other
                .cast(super::DType::Int64)
                .expect("integers")
                .array::<i64>()
                .expect("int64")[[i]],
        ),
    }
}

macro_rules! grouped_operators {
    ($($trait:ident $method:ident $op:ident),*) => {$(
        impl std::ops::$trait<&DataArray> for &GroupBy<'_> {
            type Output = DataArray;
            /// # Panics
            /// When `other` does not have one entry per group; the message says which
            /// group is missing.
            #[track_caller]
            fn $method(self, other: &DataArray) -> DataArray {
                self.binary(BinaryOp::$op, other).or_panic()
            }
        }
        impl std::ops::$trait<&DataArray> for GroupBy<'_> {
            type Output = DataArray;
            #[track_caller]
            fn $method(self, other: &DataArray) -> DataArray {
                std::ops::$trait::$method(&self, other)
            }
        }
    )*};
}

grouped_operators!(Add add Add, Sub sub Sub, Mul mul Mul, Div div Div);
