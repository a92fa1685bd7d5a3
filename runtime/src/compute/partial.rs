//! Reductions split into partial results that combine in any order: what lets a
//! reduction over many chunks run as a tree of small tasks (dask's `reduction`, Cubed's
//! `partial_reduce`). A partial result keeps the reduced axes with length 1, so partial
//! results of neighbouring chunks concatenate along them.

use std::borrow::Cow;
use std::ops::Range;

use ndarray::{ArrayD, IxDyn, Zip};

use crate::Error;
use crate::array::{BinaryOp, DType, Reduction, Values, means, moments, spreads};

/// A computed chunk: one array, or for the partial steps of a reduction one per
/// quantity the reduction carries (a sum and a count for a mean, say).
pub type Fields = Vec<Values>;

/// Whether `how` splits into partial results; the others (median, quantiles) need all
/// the reduced values of an output element in one chunk.
pub(crate) fn is_tree(how: Reduction) -> bool {
    !matches!(how, Reduction::Median | Reduction::Quantile(_))
}

/// The partial result of `how` over `block`'s `axes`; `offset` is the block's first
/// position along the reduced axis (for argmin / argmax, which reduce one axis).
pub(crate) fn partial(
    how: Reduction,
    block: &Values,
    axes: &[usize],
    skipna: bool,
    offset: usize,
) -> Result<Fields, Error> {
    let shape = kept(block.shape(), axes);
    let reduce = |how: Reduction, values: &Values| -> Result<Values, Error> {
        reshape(&values.reduce(how, axes, skipna)?, &shape)
    };
    let moments = || -> Result<Fields, Error> {
        let fields = moment_fields(how, block, axes, None, skipna)?;
        fields
            .into_iter()
            .map(|f| reshape(&f, &shape))
            .collect::<Result<Fields, _>>()
    };
    match how {
        Reduction::Mean if block.dtype().is_complex() => {
            // A complex sum and a count: complex numbers have no float moments.
            let sum = reduce(Reduction::Sum, &*block.as_dtype(DType::Complex128)?)?;
            let count = reduce(Reduction::Count, block)?.cast(DType::Float64)?;
            Ok(vec![sum, count])
        }
        _ if from_moments(how, block.dtype().is_float()) => moments(),
        Reduction::ArgMin | Reduction::ArgMax => {
            let extreme = if how == Reduction::ArgMin {
                Reduction::Min
            } else {
                Reduction::Max
            };
            let position = reduce(how, block)?;
            let shift = i64::try_from(offset).expect("positions fit in i64");
            let index = position
                .array::<i64>()?
                .mapv(|p| if p < 0 { p } else { p + shift });
            Ok(vec![reduce(extreme, block)?, Values::Int64(index)])
        }
        Reduction::Prod if matches!(block.dtype(), DType::Float16 | DType::Float32) => {
            // In float64 as eager float16 / float32 products are; the result is cast
            // back at the end.
            Ok(vec![reduce(how, &block.cast(DType::Float64)?)?])
        }
        _ => Ok(vec![reduce(how, block)?]),
    }
}

/// Whether the partial results of `how` over float (or other) values are moments:
/// counts, sums and squared deviations, all zero where there are no values.
fn from_moments(how: Reduction, float: bool) -> bool {
    matches!(
        how,
        Reduction::Mean | Reduction::Var { .. } | Reduction::Std { .. }
    ) || (how == Reduction::Sum && float)
}

/// The partial result of a mean (sum, count), variance (count, mean, squared
/// deviations) or float sum (sum) over `block`'s `axes`, from one streamed pass (per
/// group along the one axis, with `groups`).
fn moment_fields(
    how: Reduction,
    block: &Values,
    axes: &[usize],
    groups: Option<(&[usize], usize)>,
    skipna: bool,
) -> Result<Fields, Error> {
    let squares = matches!(how, Reduction::Var { .. } | Reduction::Std { .. });
    let [count, total, m2] = moments(block, axes, groups, skipna, squares).ok_or_else(|| {
        Error::Operation(format!(
            "{} is not defined for {} values",
            how.name(),
            block.dtype()
        ))
    })?;
    Ok(match how {
        Reduction::Mean => vec![Values::Float64(total), Values::Float64(count)],
        Reduction::Sum => vec![Values::Float64(total)],
        _ => {
            let mut mean = total;
            Zip::from(&mut mean).and(&count).for_each(|t, &n| *t /= n);
            vec![
                Values::Float64(count),
                Values::Float64(mean),
                Values::Float64(m2),
            ]
        }
    })
}

/// Two partial results of neighbouring blocks (the first before the second) combined
/// into one, element by element.
pub(crate) fn merge(
    how: Reduction,
    first: Fields,
    second: &[Values],
    skipna: bool,
) -> Result<Fields, Error> {
    let shape = first[0].shape().to_vec();
    // The pair stacked along a new last axis, reduced over it.
    let pair = |a: &Values, b: &Values| -> Result<Values, Error> {
        let mut stacked = shape.clone();
        stacked.push(1);
        Values::concat(
            &[&reshape(a, &stacked)?, &reshape(b, &stacked)?],
            shape.len(),
        )
    };
    let fold = |how: Reduction, a: &Values, b: &Values| -> Result<Values, Error> {
        reshape(&pair(a, b)?.reduce(how, &[shape.len()], skipna)?, &shape)
    };
    // Sums written over the first's fields.
    let add = |first: Fields| {
        first
            .into_iter()
            .zip(second)
            .map(|(a, b)| Values::binary_reusing(BinaryOp::Add, Cow::Owned(a), Cow::Borrowed(b)))
            .collect()
    };
    match how {
        Reduction::Mean | Reduction::Sum | Reduction::Count => add(first),
        Reduction::Var { .. } | Reduction::Std { .. } => {
            let [n, mean, m2] = <[Values; 3]>::try_from(first).expect("three fields");
            let f = |values: Values| values.into_array::<f64>();
            let (mut n, mut mean, mut m2) = (f(n)?, f(mean)?, f(m2)?);
            let g = |i: usize| second[i].array::<f64>();
            let (nb, mb, m2b) = (g(0)?, g(1)?, g(2)?);
            // Chan et al.'s update of counts, means and squared deviations.
            Zip::from(&mut n)
                .and(&mut mean)
                .and(&mut m2)
                .and(nb)
                .and(mb)
                .and(m2b)
                .for_each(|n, mean, m2, &nb, &mb, &m2b| {
                    if nb == 0.0 && *n > 0.0 {
                        return;
                    }
                    if *n == 0.0 {
                        (*n, *mean, *m2) = (nb, mb, m2b);
                        return;
                    }
                    let total = *n + nb;
                    let delta = mb - *mean;
                    *mean += delta * nb / total;
                    *m2 += m2b + delta * delta * *n * nb / total;
                    *n = total;
                });
            Ok(vec![
                Values::Float64(n),
                Values::Float64(mean),
                Values::Float64(m2),
            ])
        }
        Reduction::ArgMin | Reduction::ArgMax => {
            let which = reshape(
                &pair(&first[0], &second[0])?.reduce(how, &[shape.len()], skipna)?,
                &shape,
            )?;
            // Position 1 of the pair: the second block's extreme wins.
            let second_wins = Values::Bool(which.array::<i64>()?.mapv(|p| p == 1));
            Ok(vec![
                second[0].choose(&second_wins, &first[0])?,
                second[1].choose(&second_wins, &first[1])?,
            ])
        }
        Reduction::Prod => Ok(vec![first[0].binary(BinaryOp::Mul, &second[0])?]),
        _ => Ok(vec![fold(how, &first[0], &second[0])?]),
    }
}

/// Partial results per group: the fields of each group of `ids` (in order) along
/// `axis`, then how many positions each group had (0 for a group absent from the block,
/// whose fields are placeholders). `groups` gives each position's group (`usize::MAX`,
/// or a group not in `ids`: none).
pub(crate) fn partial_groups(
    how: Reduction,
    block: &Values,
    axis: usize,
    skipna: bool,
    groups: &[usize],
    ids: &[usize],
) -> Result<Fields, Error> {
    let count = ids.len();
    let local: Vec<usize> = groups
        .iter()
        .map(|g| ids.binary_search(g).unwrap_or(usize::MAX))
        .collect();
    let groups = local.as_slice();
    let mut shape = vec![1; block.ndim()];
    shape[axis] = count;
    let mut present = vec![0.0; count];
    for &g in groups.iter().filter(|&&g| g < count) {
        present[g] += 1.0;
    }
    let present = reshape(&Values::from_vec::<f64>(present), &shape)?;
    if from_moments(how, block.dtype().is_float()) && !block.dtype().is_complex() {
        let mut fields = moment_fields(how, block, &[axis], Some((groups, count)), skipna)?;
        fields.push(present);
        return Ok(fields);
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (position, &g) in groups.iter().enumerate() {
        if g < count {
            members[g].push(position);
        }
    }
    let placeholder = partial(how, &block.select(axis, &[0]), &[axis], skipna, 0)?;
    let parts = members
        .iter()
        .map(|m| {
            if m.is_empty() {
                Ok(placeholder.clone())
            } else {
                partial(how, &block.select(axis, m), &[axis], skipna, 0)
            }
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let mut fields = (0..placeholder.len())
        .map(|i| Values::concat(&parts.iter().map(|p| &p[i]).collect::<Vec<_>>(), axis))
        .collect::<Result<Fields, _>>()?;
    fields.push(present);
    Ok(fields)
}

/// Partial results per group carrying groups `from` (in order along `axis`) made to
/// carry groups `to`: a group of `to` not in `from` gets no positions (zero fields), and
/// a group of `from` not in `to` must have none. `None` when `from` is `to`.
pub(crate) fn regroup(
    fields: &[Values],
    axis: usize,
    from: &[usize],
    to: &[usize],
) -> Result<Option<Fields>, Error> {
    if from == to {
        return Ok(None);
    }
    let which: Vec<Option<usize>> = to.iter().map(|g| from.binary_search(g).ok()).collect();
    let at: Vec<usize> = which.iter().map(|w| w.unwrap_or(from.len())).collect();
    fields
        .iter()
        .map(|field| {
            if which.iter().all(Option::is_some) {
                return Ok(field.select(axis, &at));
            }
            // One more position, with nothing in it, for the groups `from` lacks.
            let mut shape = field.shape().to_vec();
            shape[axis] = 1;
            let empty =
                Values::zeros(field.dtype(), &shape).unwrap_or_else(|| field.select(axis, &[0]));
            Ok(Values::concat(&[field, &empty], axis)?.select(axis, &at))
        })
        .collect::<Result<Fields, Error>>()
        .map(Some)
}

/// [`merge`] for partial results per group: where a group is absent from one side,
/// the other side's fields as they are. Moments of an absent group are zeros, which
/// merge as they are.
pub(crate) fn merge_groups(
    how: Reduction,
    mut first: Fields,
    second: &[Values],
    skipna: bool,
) -> Result<Fields, Error> {
    let k = first.len() - 1;
    let first_present = first.pop().expect("a presence field");
    let present = Values::binary_reusing(
        BinaryOp::Add,
        Cow::Owned(first_present.clone()),
        Cow::Borrowed(&second[k]),
    )?;
    let b = &second[..k];
    // Sums from moments are float64; integer sums stay integers.
    let mut out = if from_moments(how, first[0].dtype() == DType::Float64) {
        merge(how, first, b, skipna)?
    } else {
        let merged = merge(how, first.clone(), b, skipna)?;
        let zero = Values::scalar(0.0);
        let only_second = first_present.binary(BinaryOp::Eq, &zero)?;
        let only_first = second[k].binary(BinaryOp::Eq, &zero)?;
        merged
            .iter()
            .zip(first.iter().zip(b))
            .map(|(m, (x, y))| x.choose(&only_first, &y.choose(&only_second, m)?))
            .collect::<Result<Fields, _>>()?
    };
    out.push(present);
    Ok(out)
}

/// The reduction's result from the partial result over everything, with the reduced
/// `axes` (of length 1) removed; `dtype` is the input's.
pub(crate) fn finish(
    how: Reduction,
    fields: &[Values],
    axes: &[usize],
    dtype: DType,
) -> Result<Values, Error> {
    let shape: Vec<usize> = (0..fields[0].ndim())
        .filter(|i| !axes.contains(i))
        .map(|i| fields[0].shape()[i])
        .collect();
    // Float16 and float32 inputs give results of their dtype, computed in float64.
    let narrow = matches!(dtype, DType::Float16 | DType::Float32);
    let in_dtype = |values: ArrayD<f64>| {
        let values = Values::Float64(values);
        if narrow {
            values.into_dtype(dtype)
        } else {
            Ok(values)
        }
    };
    let out = match how {
        Reduction::Mean if fields[0].dtype().is_complex() => {
            fields[0].binary(BinaryOp::Div, &fields[1])?.cast(dtype)?
        }
        Reduction::Mean => {
            let count = fields[1].cast(DType::Float64)?;
            in_dtype(means(count.array::<f64>()?, fields[0].array::<f64>()?))?
        }
        Reduction::Var { .. } | Reduction::Std { .. } => in_dtype(spreads(
            how,
            fields[0].array::<f64>()?,
            fields[2].array::<f64>()?,
        ))?,
        Reduction::ArgMin | Reduction::ArgMax => fields[1].clone(),
        Reduction::Sum | Reduction::Prod if narrow => fields[0].cast(dtype)?,
        _ => fields[0].clone(),
    };
    reshape(&out, &shape)
}

/// [`finish`] for partial results per group carrying groups `ids`: groups `results`
/// lie along `axis`, and a group no block had is missing.
pub(crate) fn finish_groups(
    how: Reduction,
    fields: &[Values],
    axis: usize,
    dtype: DType,
    ids: &[usize],
    results: Range<usize>,
) -> Result<Values, Error> {
    let k = fields.len() - 1;
    let values = finish(how, &fields[..k], &[], dtype)?;
    let present = fields[k].array::<f64>()?;
    let mut which: Vec<Option<usize>> = vec![None; results.len()];
    for (local, (&g, &n)) in ids.iter().zip(present.iter()).enumerate() {
        if n > 0.0 {
            which[g - results.start] = Some(local);
        }
    }
    let all = ids.len() == which.len() && which.iter().enumerate().all(|(g, w)| *w == Some(g));
    Ok(if all {
        values
    } else {
        values.take(axis, &which)
    })
}

/// `shape` with the reduced `axes` of length 1.
fn kept(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    shape
        .iter()
        .enumerate()
        .map(|(i, &n)| if axes.contains(&i) { 1 } else { n })
        .collect()
}

/// The same elements with another shape of the same size.
pub(crate) fn reshape(values: &Values, shape: &[usize]) -> Result<Values, Error> {
    crate::array::with_array!(values, a => {
        let standard = a.as_standard_layout();
        standard
            .into_owned()
            .into_shape_with_order(IxDyn(shape))
            .map(Values::from_array)
            .map_err(|e| Error::Shape(format!("cannot reshape {:?} to {shape:?}: {e}", a.shape())))
    })
}
