//! Reductions over some axes of [`Values`]: numpy's (and its `nan*` variants') results
//! and dtypes. Every reduction sees one contiguous row of the reduced elements per output
//! element, so each is a plain function of a slice, and rows run on the worker pool.

use std::borrow::Cow;

use ndarray::{ArrayD, Axis, IxDyn, Zip};
use num_complex::Complex64;
use rayon::prelude::*;

use super::calendar::CfDateTime;
use super::dtype::{DType, DateTime64, Element, TimeDelta64};
use super::math::{Numeric, parallel, with_numeric};
use super::values::Values;
use super::values::calendar_of;
use crate::Error;

/// What to compute over the reduced dimensions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reduction {
    /// The arithmetic mean.
    Mean,
    /// The sum (integers sum to int64 / uint64).
    Sum,
    /// The product.
    Prod,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
    /// The variance with `ddof` delta degrees of freedom.
    Var {
        /// Delta degrees of freedom: the divisor is `n - ddof`.
        ddof: usize,
    },
    /// The standard deviation with `ddof` delta degrees of freedom.
    Std {
        /// Delta degrees of freedom: the divisor is `n - ddof`.
        ddof: usize,
    },
    /// The median.
    Median,
    /// The `q` quantile (0 to 1), interpolated linearly as numpy's default.
    Quantile(f64),
    /// The number of values that are not missing.
    Count,
    /// The position of the smallest value.
    ArgMin,
    /// The position of the largest value.
    ArgMax,
    /// Whether any value is true (non-zero).
    Any,
    /// Whether all values are true (non-zero).
    All,
}

impl Reduction {
    /// The name as xarray's method.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Mean => "mean",
            Self::Sum => "sum",
            Self::Prod => "prod",
            Self::Min => "min",
            Self::Max => "max",
            Self::Var { .. } => "var",
            Self::Std { .. } => "std",
            Self::Median => "median",
            Self::Quantile(_) => "quantile",
            Self::Count => "count",
            Self::ArgMin => "argmin",
            Self::ArgMax => "argmax",
            Self::Any => "any",
            Self::All => "all",
        }
    }
}

/// The array as blocks `(outer, mid, inner)` in standard order, with the reduced
/// elements along `mid`, and the output shape (`outer` then `inner` dimensions, in the
/// input's order). Consecutive reduced axes keep their place: no copy for a
/// standard-layout array, a copy in standard order for any other layout (a transposed
/// view, a block concatenated along an inner axis), so callers that put groups at the
/// reduced axis's place find them there whatever the layout. Reduced axes apart from
/// each other are moved last (`inner` is then 1).
struct Blocks<'a, T: Clone> {
    data: Cow<'a, [T]>,
    outer: usize,
    mid: usize,
    inner: usize,
    out_shape: Vec<usize>,
}

fn blocks<'a, T: Clone>(a: &'a ArrayD<T>, axes: &[usize]) -> Blocks<'a, T> {
    let shape = a.shape();
    let kept: Vec<usize> = (0..a.ndim()).filter(|i| !axes.contains(i)).collect();
    let out_shape: Vec<usize> = kept.iter().map(|&i| shape[i]).collect();
    let consecutive = axes.windows(2).all(|w| w[1] == w[0] + 1);
    if let (true, Some(&first)) = (consecutive, axes.first()) {
        let last = first + axes.len();
        let data = match a.as_slice() {
            Some(slice) => Cow::Borrowed(slice),
            None => Cow::Owned(
                a.as_standard_layout()
                    .into_owned()
                    .into_raw_vec_and_offset()
                    .0,
            ),
        };
        return Blocks {
            data,
            outer: shape[..first].iter().product(),
            mid: shape[first..last].iter().product(),
            inner: shape[last..].iter().product(),
            out_shape,
        };
    }
    let order: Vec<usize> = kept.iter().chain(axes).copied().collect();
    let permuted = a.view().permuted_axes(IxDyn(&order));
    let data = permuted
        .as_standard_layout()
        .into_owned()
        .into_raw_vec_and_offset()
        .0;
    Blocks {
        data: Cow::Owned(data),
        outer: out_shape.iter().product(),
        mid: axes.iter().map(|&i| shape[i]).product(),
        inner: 1,
        out_shape,
    }
}

/// Applies `f` to every row of reduced elements and shapes the results.
fn reduce_rows<T, U>(a: &ArrayD<T>, axes: &[usize], f: impl Fn(&[T]) -> U + Sync) -> ArrayD<U>
where
    T: Clone + Send + Sync,
    U: Send,
{
    let Blocks {
        data,
        outer,
        mid,
        inner,
        out_shape,
    } = blocks(a, axes);
    let row = |k: usize, buffer: &mut Vec<T>| -> U {
        let (o, i) = (k / inner, k % inner);
        if inner == 1 {
            return f(&data[o * mid..(o + 1) * mid]);
        }
        buffer.clear();
        buffer.extend((0..mid).map(|m| data[(o * mid + m) * inner + i].clone()));
        f(buffer)
    };
    let n = outer * inner;
    let outputs: Vec<U> = if parallel(n * mid) {
        (0..n)
            .into_par_iter()
            .map_init(|| Vec::with_capacity(mid), |buffer, k| row(k, buffer))
            .collect()
    } else {
        let mut buffer = Vec::with_capacity(mid);
        (0..n).map(|k| row(k, &mut buffer)).collect()
    };
    ArrayD::from_shape_vec(IxDyn(&out_shape), outputs).expect("one output per row")
}

/// Minima and maxima of floats, streamed along the reduced axes with one accumulator per
/// output element: contiguous inner loops and no copy of the input. NaN is skipped with
/// `skipna` and wins without it, as in numpy.
fn extremes<T: Numeric>(
    a: &ArrayD<T>,
    axes: &[usize],
    how: Reduction,
    skipna: bool,
) -> ArrayD<f64> {
    let Blocks {
        data,
        outer,
        mid,
        inner,
        out_shape,
    } = blocks(a, axes);
    // Tasks: one block of inner positions of one outer index each.
    let chunk = inner.clamp(1, 4096);
    let tasks: Vec<(usize, usize)> = (0..outer)
        .flat_map(|o| (0..inner).step_by(chunk).map(move |i| (o, i)))
        .collect();
    let task = |&(o, start): &(usize, usize)| -> Vec<f64> {
        let len = chunk.min(inner - start);
        let mut best = vec![f64::NAN; len];
        let mut seen = vec![false; len];
        let mut poisoned = vec![false; len];
        for m in 0..mid {
            let lane = &data[(o * mid + m) * inner + start..][..len];
            for (j, x) in lane.iter().enumerate() {
                let x = x.to_f64();
                if x.is_nan() {
                    if !skipna {
                        best[j] = f64::NAN;
                        poisoned[j] = true;
                    }
                    continue;
                }
                let better = match how {
                    Reduction::Min => x < best[j],
                    _ => x > best[j],
                };
                if !poisoned[j] && (!seen[j] || better) {
                    best[j] = x;
                    seen[j] = true;
                }
            }
        }
        best
    };
    let parts: Vec<Vec<f64>> = if parallel(outer * inner * mid) {
        tasks.par_iter().map(task).collect()
    } else {
        tasks.iter().map(task).collect()
    };
    let out: Vec<f64> = parts.into_iter().flatten().collect();
    ArrayD::from_shape_vec(IxDyn(&out_shape), out).expect("one output per element")
}

/// Sums, means and variances of floats from their moments (`moments`).
fn from_moments(
    values: &Values,
    axes: &[usize],
    how: Reduction,
    skipna: bool,
) -> Option<ArrayD<f64>> {
    let squares = matches!(how, Reduction::Var { .. } | Reduction::Std { .. });
    let [count, total, m2] = moments(values, axes, None, skipna, squares)?;
    Some(match how {
        Reduction::Sum => total,
        Reduction::Mean => means(&count, &total),
        _ => spreads(how, &count, &m2),
    })
}

/// Means from counts and sums: NaN where there are no values.
pub(crate) fn means(count: &ArrayD<f64>, total: &ArrayD<f64>) -> ArrayD<f64> {
    Zip::from(count)
        .and(total)
        .map_collect(|&n, &t| if n == 0.0 { f64::NAN } else { t / n })
}

/// Variances (or, for `Std`, standard deviations) from counts and sums of squared
/// deviations from the mean.
pub(crate) fn spreads(how: Reduction, count: &ArrayD<f64>, m2: &ArrayD<f64>) -> ArrayD<f64> {
    let (Reduction::Var { ddof } | Reduction::Std { ddof }) = how else {
        unreachable!("{} is not a spread", how.name())
    };
    Zip::from(count)
        .and(m2)
        .map_collect(|&n, &q| spread(how, q, n, ddof))
}

/// Counts, sums and (with `squares`) sums of squared deviations from the mean of the
/// values along `axes`, as float64, in one streamed pass per quantity and without
/// copying the input: what chunked means and variances combine. `None` for values that
/// are not numbers. Without `skipna`, NaN counts and poisons the sums.
///
/// With `groups` (one reduced axis, and the group of each position along it, or
/// `count` or more for none) there is one result per group: the arrays have the input's
/// shape with the axis `count` long. Without, they have the kept axes' shape.
pub(crate) fn moments(
    values: &Values,
    axes: &[usize],
    groups: Option<(&[usize], usize)>,
    skipna: bool,
    squares: bool,
) -> Option<[ArrayD<f64>; 3]> {
    fn run<T: Numeric>(
        a: &ArrayD<T>,
        axes: &[usize],
        groups: Option<(&[usize], usize)>,
        skipna: bool,
        squares: bool,
    ) -> [ArrayD<f64>; 3] {
        let Blocks {
            data,
            outer,
            mid,
            inner,
            mut out_shape,
        } = blocks(a, axes);
        // Without groups, every position is in group 0 (runs of one position take the
        // contiguous path below, which reads no groups).
        let every: Vec<usize>;
        let (of, count) = match groups {
            Some(groups) => groups,
            None if inner == 1 => (&[][..], 1),
            None => {
                every = vec![0; mid];
                (&every[..], 1)
            }
        };
        if groups.is_some() {
            out_shape.insert(axes[0], count);
        }
        if inner == 1 && groups.is_none() {
            return run_moments(&data, outer, mid, (skipna, squares), &out_shape);
        }
        // Tasks: one block of inner positions of one outer index each, accumulating
        // `len` positions for each group.
        let piece = inner.clamp(1, 4096);
        let tasks: Vec<(usize, usize)> = (0..outer)
            .flat_map(|o| (0..inner).step_by(piece).map(move |i| (o, i)))
            .collect();
        let task = |&(o, start): &(usize, usize)| -> [Vec<f64>; 3] {
            let len = piece.min(inner - start);
            let lane = |m: usize| &data[(o * mid + m) * inner + start..][..len];
            lane_moments(lane, (of, count), len, skipna, squares)
        };
        let parts: Vec<[Vec<f64>; 3]> = if parallel(outer * inner * mid) {
            tasks.par_iter().map(task).collect()
        } else {
            tasks.iter().map(task).collect()
        };
        // Each task's values of group g go to (outer, g, inner positions).
        let field = |k: usize| {
            let mut values = vec![0.0; outer * count * inner];
            for (&(o, start), part) in tasks.iter().zip(&parts) {
                let len = piece.min(inner - start);
                for g in 0..count {
                    let to = (o * count + g) * inner + start;
                    values[to..to + len].copy_from_slice(&part[k][g * len..(g + 1) * len]);
                }
            }
            ArrayD::from_shape_vec(IxDyn(&out_shape), values).expect("one per output")
        };
        [field(0), field(1), field(2)]
    }
    with_numeric!(values, a => Some(run(a, axes, groups, skipna, squares)), _ => match values {
        Values::Bool(_) => Some(run(values.cast(DType::UInt8).ok()?.array::<u8>().ok()?, axes, groups, skipna, squares)),
        _ => None,
    })
}

/// [`moments`] when the reduced axes are the last ones: one contiguous run of `mid`
/// values per output (`outer` of them), each reduced straight into its place.
fn run_moments<T: Numeric>(
    data: &[T],
    outer: usize,
    mid: usize,
    (skipna, squares): (bool, bool),
    shape: &[usize],
) -> [ArrayD<f64>; 3] {
    let one = |o: usize| {
        let run = &data[o * mid..][..mid];
        let (n, total) = sum_count(run, |x| x, skipna);
        let m2 = if squares {
            let mean = total / n;
            sum_count(run, |x| (x - mean) * (x - mean), skipna).1
        } else {
            0.0
        };
        (n, total, m2)
    };
    let moments: Vec<(f64, f64, f64)> = if parallel(outer * mid) {
        (0..outer).into_par_iter().map(one).collect()
    } else {
        (0..outer).map(one).collect()
    };
    let field = |k: fn(&(f64, f64, f64)) -> f64| {
        ArrayD::from_shape_vec(IxDyn(shape), moments.iter().map(k).collect())
            .expect("one per output")
    };
    [field(|m| m.0), field(|m| m.1), field(|m| m.2)]
}

/// Counts, sums and (with `squares`) squared deviations from the mean of lanes of
/// `len` values, per group: lane `m` (of position `m` along the reduced axis, in group
/// `groups.0[m]` of `groups.1`) is `lane(m)`. Each result holds `len` values per group.
fn lane_moments<'a, T: Numeric>(
    lane: impl Fn(usize) -> &'a [T],
    (of, count): (&[usize], usize),
    len: usize,
    skipna: bool,
    squares: bool,
) -> [Vec<f64>; 3] {
    let at = |g: usize| g * len..(g + 1) * len;
    let fresh = || vec![0.0; count * len];
    let (mut n, mut total, mut m2) = (fresh(), fresh(), fresh());
    let members = || of.iter().enumerate().filter(|(_, g)| **g < count);
    // Most data has no missing values: plain sums tell, and only NaN sums take
    // the second pass that skips them.
    for (m, &g) in members() {
        n[g * len] += 1.0;
        for (t, &x) in total[at(g)].iter_mut().zip(lane(m)) {
            *t += x.to_f64();
        }
    }
    let missing = skipna && total.iter().any(|t| t.is_nan());
    if missing {
        n.fill(0.0);
        total.fill(0.0);
        for (m, &g) in members() {
            for ((c, t), &x) in n[at(g)].iter_mut().zip(&mut total[at(g)]).zip(lane(m)) {
                let x = x.to_f64();
                if !x.is_nan() {
                    *c += 1.0;
                    *t += x;
                }
            }
        }
    } else {
        for g in 0..count {
            let members = n[g * len];
            n[at(g)].fill(members);
        }
    }
    if squares {
        for (m, &g) in members() {
            let (counts, sums) = (&n[at(g)], &total[at(g)]);
            for (((q, &c), &t), &x) in m2[at(g)].iter_mut().zip(counts).zip(sums).zip(lane(m)) {
                let d = x.to_f64() - t / c;
                if !(missing && d.is_nan()) {
                    *q += d * d;
                }
            }
        }
    }
    [n, total, m2]
}

/// How many of `f` of the values are not NaN (or all, without `skipna`), and their
/// sum. Sums are pairwise over blocks, as numpy sums contiguous values, so rounding
/// error grows with the logarithm of the length rather than the length.
fn sum_count<T: Numeric>(values: &[T], f: impl Fn(f64) -> f64 + Copy, skipna: bool) -> (f64, f64) {
    // Most data has no missing values: the plain sum tells, and only a NaN sum takes
    // the second pass that skips them.
    let total = pairwise(values, &|block| [0.0, block_sum(block, f)])[1];
    if !(skipna && total.is_nan()) {
        return (values.len() as f64, total);
    }
    let [n, total] = pairwise(values, &|block| block_sum_present(block, f));
    (n, total)
}

/// Values summed per block, the blocks' results added in a balanced tree.
fn pairwise<T>(values: &[T], block: &impl Fn(&[T]) -> [f64; 2]) -> [f64; 2] {
    const BLOCK: usize = 512;
    if values.len() <= BLOCK {
        return block(values);
    }
    let (left, right) = values.split_at((values.len() / 2).div_ceil(BLOCK) * BLOCK);
    let ([n, a], [m, b]) = (pairwise(left, block), pairwise(right, block));
    [n + m, a + b]
}

/// The sum of `f` of a block: eight running sums, so the loop vectorises.
fn block_sum<T: Numeric>(values: &[T], f: impl Fn(f64) -> f64) -> f64 {
    const LANES: usize = 8;
    let mut total = [0.0; LANES];
    let mut lanes = values.chunks_exact(LANES);
    for lane in &mut lanes {
        for (t, &x) in total.iter_mut().zip(lane) {
            *t += f(x.to_f64());
        }
    }
    total.iter().sum::<f64>()
        + lanes
            .remainder()
            .iter()
            .map(|&x| f(x.to_f64()))
            .sum::<f64>()
}

/// How many of `f` of a block are not NaN, and their sum.
fn block_sum_present<T: Numeric>(values: &[T], f: impl Fn(f64) -> f64) -> [f64; 2] {
    const LANES: usize = 8;
    let (mut n, mut total) = ([0.0; LANES], [0.0; LANES]);
    let mut add = |k: usize, x: T| {
        let y = f(x.to_f64());
        let keep = !y.is_nan();
        n[k] += if keep { 1.0 } else { 0.0 };
        total[k] += if keep { y } else { 0.0 };
    };
    let mut lanes = values.chunks_exact(LANES);
    for lane in &mut lanes {
        for (k, &x) in lane.iter().enumerate() {
            add(k, x);
        }
    }
    for (k, &x) in lanes.remainder().iter().enumerate() {
        add(k, x);
    }
    [n.iter().sum(), total.iter().sum()]
}

/// The non-missing values of a row, as floats (all of them, NaN included, when
/// `skipna` is off).
fn present(row: &[f64], skipna: bool) -> impl Iterator<Item = f64> + '_ {
    row.iter().copied().filter(move |x| !skipna || !x.is_nan())
}

/// Mean, variance and friends of one row of floats.
fn float_row(how: Reduction, row: &[f64], skipna: bool) -> f64 {
    match how {
        Reduction::Mean => {
            let (sum, n) = present(row, skipna).fold((0.0, 0_usize), |(s, n), x| (s + x, n + 1));
            if n == 0 { f64::NAN } else { sum / n as f64 }
        }
        Reduction::Var { ddof } | Reduction::Std { ddof } => {
            let n = present(row, skipna).count();
            let mean = present(row, skipna).sum::<f64>() / n as f64;
            let squares: f64 = present(row, skipna).map(|x| (x - mean) * (x - mean)).sum();
            spread(how, squares, n as f64, ddof)
        }
        Reduction::Median => quantile(row, 0.5, skipna),
        Reduction::Quantile(q) => quantile(row, q, skipna),
        _ => unreachable!("{} is not a float reduction", how.name()),
    }
}

/// The variance (or, for `Std`, the standard deviation) from the sum of squared
/// deviations of `n` values: NaN when `n - ddof` is not positive, as numpy.
fn spread(how: Reduction, squares: f64, n: f64, ddof: usize) -> f64 {
    let ddof = ddof as f64;
    if n <= ddof {
        return f64::NAN;
    }
    let var = squares / (n - ddof);
    if matches!(how, Reduction::Std { .. }) {
        var.sqrt()
    } else {
        var
    }
}

/// A float reduction of values that are all present (no NaN), for moving windows.
pub(crate) fn reduce_present(how: Reduction, row: &mut [f64]) -> f64 {
    match how {
        Reduction::Sum => row.iter().sum(),
        Reduction::Prod => row.iter().product(),
        Reduction::Min => row.iter().copied().fold(f64::INFINITY, f64::min),
        Reduction::Max => row.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Reduction::Count => row.len() as f64,
        Reduction::Any => f64::from(u8::from(row.iter().any(|&x| x != 0.0))),
        Reduction::All => f64::from(u8::from(row.iter().all(|&x| x != 0.0))),
        _ => float_row(how, row, false),
    }
}

/// numpy's `quantile` with the default "linear" method.
fn quantile(row: &[f64], q: f64, skipna: bool) -> f64 {
    /// Rows this long or shorter (a time series of a pixel, mostly) are ordered on the
    /// stack, not in an allocation of their own.
    const ON_STACK: usize = 64;
    if !skipna && row.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let present = row.iter().copied().filter(|x| !x.is_nan());
    let (mut small, mut large) = ([0.0; ON_STACK], Vec::new());
    let values: &mut [f64] = if row.len() <= ON_STACK {
        let mut n = 0;
        for (slot, x) in small.iter_mut().zip(present) {
            *slot = x;
            n += 1;
        }
        &mut small[..n]
    } else {
        large.extend(present);
        &mut large
    };
    if values.is_empty() {
        return f64::NAN;
    }
    let position = q * (values.len() - 1) as f64;
    #[allow(
        clippy::cast_sign_loss,
        reason = "q in 0..=1 makes the position non-negative"
    )]
    let (below, t) = (position.floor() as usize, position.fract());
    // The two order statistics around the position, without sorting the rest.
    let (_, &mut a, above) = values.select_nth_unstable_by(below, f64::total_cmp);
    let b = above.iter().copied().min_by(f64::total_cmp).unwrap_or(a);
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// The sum or product of a row, from `start`.
fn total<T: Numeric>(row: &[T], skipna: bool, product: bool, start: T) -> T {
    row.iter()
        .filter(|x| !skipna || !x.is_nan())
        .fold(
            start,
            |acc, &x| if product { acc.mul(x) } else { acc.add(x) },
        )
}

/// A position or count as numpy's int64.
fn int64(n: usize) -> i64 {
    i64::try_from(n).expect("in-memory counts fit in i64")
}

/// The first extreme of a row, skipping NaN (`None` when there are only NaNs, or a
/// NaN with `skipna` off).
/// The smallest or largest element of each row of text or bytes (none is missing), or
/// its position.
fn ordered<T: Element + PartialOrd + Send + Sync>(
    a: &ArrayD<T>,
    axes: &[usize],
    position: bool,
    smallest: bool,
) -> Values {
    fn pick<T: PartialOrd>(r: &[T], smallest: bool) -> Option<(usize, &T)> {
        extreme(&r.iter().collect::<Vec<_>>(), |_| false, false, smallest)
    }
    if position {
        Values::Int64(reduce_rows(a, axes, |r| {
            pick(r, smallest).map_or(-1, |(i, _)| int64(i))
        }))
    } else {
        Values::from_array(reduce_rows(a, axes, |r| {
            pick(r, smallest)
                .map(|(_, x)| x.clone())
                .unwrap_or_default()
        }))
    }
}

fn extreme<T: Copy + PartialOrd>(
    row: &[T],
    missing: impl Fn(T) -> bool,
    skipna: bool,
    smallest: bool,
) -> Option<(usize, T)> {
    let mut best: Option<(usize, T)> = None;
    for (i, &x) in row.iter().enumerate() {
        if missing(x) {
            if skipna {
                continue;
            }
            return Some((i, x));
        }
        let better = best.is_none_or(|(_, b)| if smallest { x < b } else { x > b });
        if better {
            best = Some((i, x));
        }
    }
    best
}

impl Values {
    /// Reduces the given axes (each at most once; empty for none).
    pub(crate) fn reduce(
        &self,
        how: Reduction,
        axes: &[usize],
        skipna: bool,
    ) -> Result<Values, Error> {
        let dtype = self.dtype();
        let unsupported =
            || Error::Operation(format!("{} is not defined for {dtype} values", how.name()));
        if dtype.is_complex() && how != Reduction::Count {
            return self
                .reduce_complex(how, axes, skipna)
                .ok_or_else(unsupported);
        }
        match how {
            Reduction::Count if dtype.is_float() => {
                // Counted in the moments' streamed pass, without a mask of the nulls.
                let [count, _, _] =
                    moments(self, axes, None, true, false).ok_or_else(unsupported)?;
                #[allow(clippy::cast_possible_truncation)] // whole numbers, exactly
                Ok(Values::Int64(count.mapv(|n| n as i64)))
            }
            Reduction::Count => {
                let nulls = self.is_null();
                let Values::Bool(nulls) = nulls else {
                    unreachable!("is_null gives booleans")
                };
                Ok(Values::Int64(reduce_rows(&nulls, axes, |row| {
                    int64(row.iter().filter(|&&null| !null).count())
                })))
            }
            Reduction::Any | Reduction::All => {
                let truth = match self {
                    Values::Bool(a) => a.clone(),
                    Values::Str(_)
                    | Values::Bytes(_)
                    | Values::DateTime64(_)
                    | Values::CfDateTime(_) => {
                        return Err(unsupported());
                    }
                    other => other.cast(DType::Bool)?.into_array::<bool>()?,
                };
                let any = how == Reduction::Any;
                Ok(Values::Bool(reduce_rows(&truth, axes, |row| {
                    if any {
                        row.iter().any(|&x| x)
                    } else {
                        row.iter().all(|&x| x)
                    }
                })))
            }
            Reduction::Sum
            | Reduction::Mean
            | Reduction::Min
            | Reduction::Max
            | Reduction::Var { .. }
            | Reduction::Std { .. }
                if dtype.is_float() =>
            {
                let out = match (self, how) {
                    (Values::Float16(a), Reduction::Min | Reduction::Max) => {
                        extremes(a, axes, how, skipna)
                    }
                    (Values::Float32(a), Reduction::Min | Reduction::Max) => {
                        extremes(a, axes, how, skipna)
                    }
                    (Values::Float64(a), Reduction::Min | Reduction::Max) => {
                        extremes(a, axes, how, skipna)
                    }
                    _ => from_moments(self, axes, how, skipna).expect("floats have moments"),
                };
                Values::Float64(out).into_dtype(dtype)
            }
            Reduction::Min | Reduction::Max | Reduction::ArgMin | Reduction::ArgMax => self
                .reduce_extreme(how, axes, skipna)
                .ok_or_else(unsupported),
            Reduction::Sum | Reduction::Prod => {
                self.reduce_sum(how, axes, skipna).ok_or_else(unsupported)
            }
            _ => {
                if !(dtype.is_numeric() || dtype == DType::Bool) {
                    return Err(unsupported());
                }
                let out = reduce_rows(&self.to_f64()?, axes, |row| float_row(how, row, skipna));
                let keeps_dtype = !matches!(how, Reduction::Quantile(_));
                Ok(
                    if matches!(dtype, DType::Float16 | DType::Float32) && keeps_dtype {
                        Values::Float64(out).into_dtype(dtype)?
                    } else {
                        Values::Float64(out)
                    },
                )
            }
        }
    }

    fn reduce_sum(&self, how: Reduction, axes: &[usize], skipna: bool) -> Option<Values> {
        let product = how == Reduction::Prod;
        Some(match self {
            Values::Float16(a) => {
                let a = a.mapv(f64::from);
                Values::Float16(reduce_rows(&a, axes, |r| {
                    half::f16::from_f64(total(r, skipna, product, f64::from(u8::from(product))))
                }))
            }
            Values::Float32(a) => {
                let a = a.mapv(f64::from);
                Values::Float32(reduce_rows(&a, axes, |r| {
                    total(r, skipna, product, f64::from(u8::from(product))) as f32
                }))
            }
            Values::Float64(a) => Values::Float64(reduce_rows(a, axes, |r| {
                total(r, skipna, product, f64::from(u8::from(product)))
            })),
            Values::UInt8(_) | Values::UInt16(_) | Values::UInt32(_) | Values::UInt64(_) => {
                let a = self.cast(DType::UInt64).ok()?;
                Values::UInt64(reduce_rows(a.array::<u64>().ok()?, axes, |r| {
                    total(r, false, product, u64::from(product))
                }))
            }
            Values::TimeDelta64(a) if !product => Values::TimeDelta64(reduce_rows(a, axes, |r| {
                TimeDelta64(r.iter().filter(|x| !x.is_nat()).map(|x| x.0).sum())
            })),
            Values::Str(_)
            | Values::Bytes(_)
            | Values::DateTime64(_)
            | Values::TimeDelta64(_)
            | Values::CfDateTime(_) => return None,
            other => {
                let a = other.cast(DType::Int64).ok()?;
                Values::Int64(reduce_rows(a.array::<i64>().ok()?, axes, |r| {
                    total(r, false, product, i64::from(product))
                }))
            }
        })
    }

    /// Sums, means and products of complex numbers (in double precision, in the
    /// input's dtype), skipping elements with a NaN part when `skipna`; `None` for the
    /// reductions that need an order, which complex numbers lack.
    fn reduce_complex(&self, how: Reduction, axes: &[usize], skipna: bool) -> Option<Values> {
        let wide = self.as_dtype(DType::Complex128).ok()?;
        let a = wide.array::<Complex64>().ok()?;
        let out = reduce_rows(a, axes, |row| {
            let present = row
                .iter()
                .filter(|z| !skipna || !(z.re.is_nan() || z.im.is_nan()));
            match how {
                Reduction::Sum => present.sum(),
                Reduction::Prod => present.product(),
                _ => {
                    let (sum, n) = present.fold((Complex64::new(0.0, 0.0), 0_u32), |(s, n), z| {
                        (s + z, n + 1)
                    });
                    sum / f64::from(n)
                }
            }
        });
        matches!(how, Reduction::Sum | Reduction::Prod | Reduction::Mean)
            .then(|| Values::Complex128(out).into_dtype(self.dtype()).ok())
            .flatten()
    }

    fn reduce_extreme(&self, how: Reduction, axes: &[usize], skipna: bool) -> Option<Values> {
        let smallest = matches!(how, Reduction::Min | Reduction::ArgMin);
        let position = matches!(how, Reduction::ArgMin | Reduction::ArgMax);
        if position && axes.len() != 1 {
            return None;
        }
        macro_rules! pick {
            ($a:expr, $missing:expr, $nan:expr) => {{
                if position {
                    Values::Int64(reduce_rows($a, axes, |r| {
                        extreme(r, $missing, skipna, smallest).map_or(-1, |(i, _)| int64(i))
                    }))
                } else {
                    Values::from_array(reduce_rows($a, axes, |r| {
                        extreme(r, $missing, skipna, smallest).map_or($nan, |(_, x)| x)
                    }))
                }
            }};
        }
        Some(match self {
            Values::DateTime64(a) => pick!(a, DateTime64::is_nat, DateTime64::NAT),
            Values::TimeDelta64(a) => pick!(a, TimeDelta64::is_nat, TimeDelta64::NAT),
            Values::CfDateTime(a) => pick!(a, CfDateTime::is_nat, CfDateTime::nat(calendar_of(a))),
            Values::Str(a) => ordered(a, axes, position, smallest),
            Values::Bytes(a) => ordered(a, axes, position, smallest),
            Values::Bool(a) => pick!(a, |_| false, false),
            other => with_numeric!(other, a => {
                pick!(a, Numeric::is_nan, Numeric::from_f64(f64::NAN))
            }, _ => return None),
        })
    }

    /// Cumulative sums along one axis (NaN counted as 0 when `skipna`, as `nancumsum`).
    pub(crate) fn cumsum(&self, axis: usize, skipna: bool) -> Result<Values, Error> {
        fn running<T: Numeric>(a: &ArrayD<T>, axis: usize, skipna: bool, zero: T) -> ArrayD<T> {
            let mut out = a.clone();
            for mut lane in out.lanes_mut(Axis(axis)) {
                let mut total = zero;
                for x in &mut lane {
                    if !(skipna && x.is_nan()) {
                        total = total.add(*x);
                    }
                    *x = total;
                }
            }
            out
        }
        Ok(match self {
            Values::Float16(a) => Values::Float16(running(a, axis, skipna, half::f16::ZERO)),
            Values::Float32(a) => Values::Float32(running(a, axis, skipna, 0.0)),
            Values::Float64(a) => Values::Float64(running(a, axis, skipna, 0.0)),
            Values::UInt8(_) | Values::UInt16(_) | Values::UInt32(_) | Values::UInt64(_) => {
                Values::UInt64(running(
                    self.cast(DType::UInt64)?.array::<u64>()?,
                    axis,
                    false,
                    0,
                ))
            }
            Values::Bool(_)
            | Values::Int8(_)
            | Values::Int16(_)
            | Values::Int32(_)
            | Values::Int64(_) => Values::Int64(running(
                self.cast(DType::Int64)?.array::<i64>()?,
                axis,
                false,
                0,
            )),
            other => {
                return Err(Error::Operation(format!(
                    "cumsum is not defined for {} values",
                    other.dtype()
                )));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Values {
        Values::from_array(ndarray::arr2(&[[1.0, f64::NAN, 3.0], [4.0, 5.0, 6.0]]))
    }

    fn floats(v: &Values) -> Vec<f64> {
        v.array::<f64>().unwrap().iter().copied().collect()
    }

    #[test]
    fn long_sums_are_as_accurate_as_numpys_pairwise_sums() {
        // 2^20 tenths: numpy gives 104857.60000000002 (2e-16 relative error); eight
        // running sums are off by 2e-12, one by 2e-11. With every third value missing,
        // numpy's nansum gives 69904.99999999999 and the exact sum is 69905.
        let tenths = Values::from_vec(vec![0.1_f64; 1 << 20]);
        let sum = floats(&tenths.reduce(Reduction::Sum, &[0], true).unwrap())[0];
        assert!((sum - 104_857.6).abs() <= 1e-14 * 104_857.6, "{sum}");
        let gaps: Vec<f64> = (0..1 << 20)
            .map(|i| if i % 3 == 0 { f64::NAN } else { 0.1 })
            .collect();
        let gaps = Values::from_vec(gaps);
        let sum = floats(&gaps.reduce(Reduction::Sum, &[0], true).unwrap())[0];
        assert!((sum - 69_905.0).abs() <= 1e-14 * 69_905.0, "{sum}");
        let mean = floats(&gaps.reduce(Reduction::Mean, &[0], true).unwrap())[0];
        assert!((mean - 0.1).abs() <= 1e-14 * 0.1, "{mean}");
    }

    #[test]
    fn float_reductions_skip_nan_like_numpys_nan_functions() {
        let g = grid();
        assert_eq!(
            floats(&g.reduce(Reduction::Mean, &[1], true).unwrap()),
            [2.0, 5.0]
        );
        assert!(floats(&g.reduce(Reduction::Mean, &[1], false).unwrap())[0].is_nan());
        assert_eq!(
            floats(&g.reduce(Reduction::Sum, &[0, 1], true).unwrap()),
            [19.0]
        );
        assert_eq!(
            floats(&g.reduce(Reduction::Max, &[0], true).unwrap()),
            [4.0, 5.0, 6.0]
        );
        assert_eq!(
            floats(&g.reduce(Reduction::Var { ddof: 1 }, &[1], true).unwrap()),
            [2.0, 1.0]
        );
        assert_eq!(
            floats(&g.reduce(Reduction::Median, &[0, 1], true).unwrap()),
            [4.0]
        );
        assert_eq!(
            floats(&g.reduce(Reduction::Quantile(0.25), &[1], true).unwrap()),
            [1.5, 4.5]
        );
        let argmax = g.reduce(Reduction::ArgMax, &[1], true).unwrap();
        assert_eq!(argmax.array::<i64>().unwrap().as_slice(), Some(&[2, 2][..]));
        let count = g.reduce(Reduction::Count, &[0], true).unwrap();
        assert_eq!(
            count.array::<i64>().unwrap().as_slice(),
            Some(&[2, 1, 2][..])
        );
        assert!(g.reduce(Reduction::ArgMin, &[0, 1], true).is_err());
    }

    #[test]
    fn integer_reductions_keep_numpys_dtypes() {
        let ints = Values::from_vec(vec![3_i16, -1, 2]);
        assert_eq!(
            ints.reduce(Reduction::Sum, &[0], true).unwrap(),
            Values::scalar(4_i64)
        );
        assert_eq!(
            ints.reduce(Reduction::Min, &[0], true).unwrap(),
            Values::scalar(-1_i16)
        );
        assert_eq!(
            ints.reduce(Reduction::Mean, &[0], true).unwrap().dtype(),
            DType::Float64
        );
        assert_eq!(
            ints.reduce(Reduction::All, &[0], true).unwrap(),
            Values::scalar(true)
        );
        let cum = ints.cumsum(0, true).unwrap();
        assert_eq!(cum.array::<i64>().unwrap().as_slice(), Some(&[3, 2, 4][..]));
        let text = Values::from_vec(vec!["b".to_owned(), "a".to_owned()]);
        assert_eq!(
            text.reduce(Reduction::Min, &[0], true).unwrap(),
            Values::scalar("a".to_owned())
        );
        assert_eq!(
            text.reduce(Reduction::Mean, &[0], true)
                .unwrap_err()
                .to_string(),
            "mean is not defined for str values"
        );
    }
}
