//! Many files or stores opened as one dataset (xarray's `open_mfdataset`): each opened
//! lazily, then combined along the dimension whose coordinates tell them apart, or
//! along the dimension the caller names.

use std::cmp::Ordering;

use super::open::OpenOptions;
use crate::Error;
use crate::array::{Dataset, Label, merge};

/// The paths `patterns` name, in order: each pattern's matches sorted (a pattern has
/// `*`, `?` or `[`), other paths as given.
pub(crate) fn expand<S: AsRef<str>>(
    patterns: impl IntoIterator<Item = S>,
) -> Result<Vec<String>, Error> {
    let mut paths = Vec::new();
    for pattern in patterns {
        let pattern = pattern.as_ref();
        if !pattern.contains(['*', '?', '[']) || pattern.contains("://") {
            paths.push(pattern.to_owned());
            continue;
        }
        let bad = |e: String| Error::Storage(format!("cannot list {pattern}: {e}"));
        let mut matches: Vec<String> = glob::glob(pattern)
            .map_err(|e| bad(e.to_string()))?
            .map(|path| path.map(|p| p.display().to_string()))
            .collect::<Result<_, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if matches.is_empty() {
            return Err(Error::Storage(format!("no files match {pattern}")));
        }
        matches.sort();
        paths.extend(matches);
    }
    if paths.is_empty() {
        return Err(Error::Storage(
            "open_mfdataset needs at least one path".into(),
        ));
    }
    Ok(paths)
}

/// Opens every path with `options` and combines them: along `concat_dim` in the given
/// order when there is one, else by their coordinates.
pub(crate) fn open(
    options: &OpenOptions,
    paths: &[String],
    concat_dim: Option<&str>,
) -> Result<Dataset, Error> {
    let datasets = paths
        .iter()
        .map(|path| options.open_dataset(path))
        .collect::<Result<Vec<_>, _>>()?;
    match concat_dim {
        Some(dim) => along(&datasets, dim),
        None => by_coords(&datasets, paths),
    }
}

/// xarray's `combine_by_coords` for one dimension: the datasets ordered by their first
/// label along the one indexed dimension whose labels differ between them, and joined
/// along it; datasets whose coordinates all agree are merged (they hold different
/// variables).
fn by_coords(datasets: &[Dataset], paths: &[String]) -> Result<Dataset, Error> {
    let first = &datasets[0];
    let differing: Vec<String> = first
        .sizes()
        .into_iter()
        .map(|(dim, _)| dim)
        .filter(|dim| {
            datasets
                .iter()
                .any(|ds| match (ds.index(dim), first.index(dim)) {
                    (Some(a), Some(b)) => !a.same_labels(b),
                    _ => false,
                })
        })
        .collect();
    let dim = match differing.as_slice() {
        [] => {
            let refs: Vec<&Dataset> = datasets.iter().collect();
            return merge(&refs);
        }
        [dim] => dim.clone(),
        many => {
            return Err(Error::Align(format!(
                "cannot combine {} files by their coordinates: they differ along {} \
                 dimensions ({}); open_mfdataset combines along one (give concat_dim, or \
                 combine the pieces in steps)",
                paths.len(),
                many.len(),
                many.join(", ")
            )));
        }
    };
    let mut order: Vec<usize> = (0..datasets.len()).collect();
    let first_label = |i: usize| -> Result<Label, Error> {
        let index = datasets[i].index(&dim).ok_or_else(|| {
            Error::Align(format!(
                "{} has no `{dim}` coordinate to order it by",
                paths[i]
            ))
        })?;
        if index.is_empty() {
            return Err(Error::Align(format!("{} has no `{dim}` labels", paths[i])));
        }
        Ok(index.label_at(0))
    };
    let labels = (0..datasets.len())
        .map(first_label)
        .collect::<Result<Vec<_>, _>>()?;
    let mut unordered = None;
    order.sort_by(|&a, &b| {
        compare(&labels[a], &labels[b]).unwrap_or_else(|| {
            unordered = Some((a, b));
            Ordering::Equal
        })
    });
    if let Some((a, b)) = unordered {
        return Err(Error::Align(format!(
            "cannot order {} and {} along `{dim}`: their labels {} and {} do not compare",
            paths[a], paths[b], labels[a], labels[b]
        )));
    }
    let ordered: Vec<Dataset> = order.iter().map(|&i| datasets[i].clone()).collect();
    let joined = along(&ordered, &dim)?;
    let index = joined.index(&dim).expect("joined along an index");
    let rising = (1..index.len()).all(|i| index.compare_labels(i - 1, i) == Ordering::Less);
    let falling = (1..index.len()).all(|i| index.compare_labels(i - 1, i) == Ordering::Greater);
    if !rising && !falling {
        return Err(Error::Align(format!(
            "cannot combine {} files along `{dim}`: their `{dim}` labels overlap or repeat, \
             so no order of the files makes one monotonic `{dim}` (as xarray requires)",
            paths.len()
        )));
    }
    Ok(joined)
}

/// Two labels' order, when they compare.
fn compare(a: &Label, b: &Label) -> Option<Ordering> {
    match (a, b) {
        (Label::Int(a), Label::Int(b)) => Some(a.cmp(b)),
        (Label::Time(a), Label::Time(b)) => Some(a.cmp(b)),
        (Label::CfTime(a), Label::CfTime(b)) => Some(a.cmp(b)),
        (Label::Str(a), Label::Str(b)) => Some(a.cmp(b)),
        (Label::Float(a), Label::Float(b)) => a.partial_cmp(b),
        #[allow(clippy::cast_precision_loss, reason = "labels compared, not computed")]
        (Label::Int(a), Label::Float(b)) => (*a as f64).partial_cmp(b),
        #[allow(clippy::cast_precision_loss, reason = "labels compared, not computed")]
        (Label::Float(a), Label::Int(b)) => a.partial_cmp(&(*b as f64)),
        _ => None,
    }
}

/// The datasets joined along `dim`, as xarray's new `open_mfdataset` defaults join them
/// (`data_vars=None`, `compat="override"`): variables along `dim` are concatenated,
/// the others taken from the first dataset; a new `dim` stacks every variable.
fn along(datasets: &[Dataset], dim: &str) -> Result<Dataset, Error> {
    let first = &datasets[0];
    let existing = first.sizes().iter().any(|(d, _)| d == dim);
    let refs: Vec<&Dataset> = datasets.iter().collect();
    if !existing {
        return Dataset::concat(&refs, dim);
    }
    let constant: Vec<&str> = first
        .data_vars()
        .filter(|name| {
            first
                .get(name)
                .is_ok_and(|array| !array.dims().iter().any(|d| d == dim))
        })
        .collect();
    let along: Vec<Dataset> = datasets
        .iter()
        .map(|ds| ds.drop_vars(&constant))
        .collect::<Result<_, _>>()?;
    let along: Vec<&Dataset> = along.iter().collect();
    let joined = Dataset::concat(&along, dim)?;
    // The first dataset's order of variables.
    let mut out = Dataset::new().assign_attrs(first.attrs().clone());
    for name in first.data_vars() {
        let from = if constant.contains(&name) {
            first
        } else {
            &joined
        };
        out = out.assign(name, from.get(name)?)?;
    }
    for (name, coord) in joined.coords().iter() {
        if !out.coords().contains(name) {
            out = out.assign_coords(name, coord.clone())?;
        }
    }
    Ok(out)
}
