//! Reductions split into partial results that combine in any order: what lets a
//! reduction over many chunks run as a tree of small tasks (dask's `reduction`, Cubed's
//! `partial_reduce`). A partial result keeps the reduced axes with length 1, so partial
//! results of neighbouring chunks concatenate along them.

use ndarray::{ArrayD, IxDyn, Zip};

use crate::Error;
use crate::array::{DType, Reduction, Values};

/// The partial result of a reduction over one or more chunks: one array per quantity
/// the reduction carries (a sum and a count for a mean, say).
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
    match how {
        Reduction::Mean => {
            let floats = Values::Float64(block.to_f64()?);
            Ok(vec![
                reduce(Reduction::Sum, &floats)?,
                reduce(Reduction::Count, block)?,
            ])
        }
        Reduction::Var { .. } | Reduction::Std { .. } => {
            let floats = Values::Float64(block.to_f64()?);
            // Without skipna every value counts, so a block of NaN poisons the result.
            let count = if skipna {
                reduce(Reduction::Count, block)?.cast(DType::Float64)?
            } else {
                let n: usize = axes.iter().map(|&a| block.shape()[a]).product();
                Values::Float64(ArrayD::from_elem(IxDyn(&shape), n as f64))
            };
            let mean = reduce(Reduction::Mean, &floats)?;
            let var = reduce(Reduction::Var { ddof: 0 }, &floats)?;
            let mut m2 = var.array::<f64>()? * count.array::<f64>()?;
            // No values: no spread (the mean is NaN and stays so).
            Zip::from(&mut m2)
                .and(count.array::<f64>()?)
                .for_each(|m, &n| {
                    if n == 0.0 {
                        *m = 0.0;
                    }
                });
            Ok(vec![count, mean, Values::Float64(m2)])
        }
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
        Reduction::Sum | Reduction::Prod if block.dtype() == DType::Float32 => {
            // Sum in float64 as eager float32 sums do; the result is cast back at the end.
            Ok(vec![reduce(how, &block.cast(DType::Float64)?)?])
        }
        _ => Ok(vec![reduce(how, block)?]),
    }
}

/// Two partial results of neighbouring blocks along `axis` (the first before the
/// second) combined into one.
pub(crate) fn merge(
    how: Reduction,
    first: &Fields,
    second: &Fields,
    axis: usize,
    skipna: bool,
) -> Result<Fields, Error> {
    let shape = first[0].shape().to_vec();
    let fold = |how: Reduction, a: &Values, b: &Values| -> Result<Values, Error> {
        let joined = Values::concat(&[a, b], axis)?;
        reshape(&joined.reduce(how, &[axis], skipna)?, &shape)
    };
    match how {
        Reduction::Mean => Ok(vec![
            fold(Reduction::Sum, &first[0], &second[0])?,
            fold(Reduction::Sum, &first[1], &second[1])?,
        ]),
        Reduction::Var { .. } | Reduction::Std { .. } => {
            let f = |fields: &Fields, i: usize| fields[i].array::<f64>().cloned();
            let (mut n, mut mean, mut m2) = (f(first, 0)?, f(first, 1)?, f(first, 2)?);
            let (nb, mb, m2b) = (f(second, 0)?, f(second, 1)?, f(second, 2)?);
            // Chan et al.'s update of counts, means and squared deviations.
            Zip::from(&mut n)
                .and(&mut mean)
                .and(&mut m2)
                .and(&nb)
                .and(&mb)
                .and(&m2b)
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
            let values = Values::concat(&[&first[0], &second[0]], axis)?;
            let which = reshape(&values.reduce(how, &[axis], skipna)?, &shape)?;
            // Position 1 of the pair: the second block's extreme wins.
            let second_wins = Values::Bool(which.array::<i64>()?.mapv(|p| p == 1));
            Ok(vec![
                second[0].choose(&second_wins, &first[0])?,
                second[1].choose(&second_wins, &first[1])?,
            ])
        }
        Reduction::Count => Ok(vec![fold(Reduction::Sum, &first[0], &second[0])?]),
        _ => Ok(vec![fold(how, &first[0], &second[0])?]),
    }
}

/// The reduction's result from the partial result over everything, with the reduced
/// `axes` (of length 1) removed; `dtype` is the input's.
pub(crate) fn finish(
    how: Reduction,
    fields: &Fields,
    axes: &[usize],
    dtype: DType,
) -> Result<Values, Error> {
    let shape: Vec<usize> = (0..fields[0].ndim())
        .filter(|i| !axes.contains(i))
        .map(|i| fields[0].shape()[i])
        .collect();
    let float32 = |values: ArrayD<f64>| {
        if dtype == DType::Float32 {
            Values::Float32(values.mapv(|x| x as f32))
        } else {
            Values::Float64(values)
        }
    };
    let out = match how {
        Reduction::Mean => {
            let count = fields[1].cast(DType::Float64)?;
            let mut mean = fields[0].array::<f64>()?.clone();
            Zip::from(&mut mean)
                .and(count.array::<f64>()?)
                .for_each(|s, &n| *s = if n == 0.0 { f64::NAN } else { *s / n });
            float32(mean)
        }
        Reduction::Var { ddof } | Reduction::Std { ddof } => {
            let (n, m2) = (fields[0].array::<f64>()?, fields[2].array::<f64>()?);
            let mut out = m2.clone();
            Zip::from(&mut out).and(n).for_each(|v, &n| {
                *v = if n <= ddof as f64 {
                    f64::NAN
                } else {
                    let var = *v / (n - ddof as f64);
                    if matches!(how, Reduction::Std { .. }) {
                        var.sqrt()
                    } else {
                        var
                    }
                };
            });
            float32(out)
        }
        Reduction::ArgMin | Reduction::ArgMax => fields[1].clone(),
        Reduction::Sum | Reduction::Prod if dtype == DType::Float32 => {
            fields[0].cast(DType::Float32)?
        }
        _ => fields[0].clone(),
    };
    reshape(&out, &shape)
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
