//! Combining datasets: `merge` (variables side by side, aligned with an outer join)
//! and `Dataset::concat` (variables joined end to end along a dimension), with
//! xarray's default rules.

use super::align::{Join, align_all};
use super::coords::Coordinates;
use super::data_array::DataArray;
use super::dataset::Dataset;
use super::math::BinaryOp;
use super::variable::Variable;
use crate::Error;

/// The variables of all `datasets` in one dataset, as `xarray.merge` does by default:
/// indexes aligned with an outer join (missing values where a dataset lacks a label),
/// a variable in several datasets combined where they do not conflict (where both
/// have a value, the values must be equal), the first dataset's attributes.
///
/// ```
/// use rangeo::prelude::*;
/// let t = DataArray::new(["x"], vec![1.0, 2.0])?.assign_coords("x", vec![1, 2])?;
/// let u = DataArray::new(["x"], vec![10.0, 30.0])?.assign_coords("x", vec![1, 3])?;
/// let both = merge(&[&t.to_dataset_as("t"), &u.to_dataset_as("u")])?;
/// assert_eq!(both.get("x")?.to_vec::<i32>()?, [1, 2, 3]);
/// let u = both.get("u")?.to_vec::<f64>()?;
/// assert!(u[1].is_nan() && u[2] == 30.0);
///
/// let other = DataArray::new(["x"], vec![9.0])?.assign_coords("x", vec![1])?;
/// let error = merge(&[&t.to_dataset_as("t"), &other.to_dataset_as("t")]).unwrap_err();
/// assert!(error.to_string().contains("conflicting values for `t`"));
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn merge(datasets: &[&Dataset]) -> Result<Dataset, Error> {
    let aligned = align_all(datasets, Join::Outer)?;
    let mut out = Dataset::new();
    if let Some(first) = aligned.first() {
        out = out.assign_attrs(first.attrs().clone());
    }
    let mut coords = Coordinates::default();
    for dataset in &aligned {
        for (name, coord) in dataset.coords().iter() {
            let merged = match coords.get(name) {
                Some(mine) => combine(name, mine, coord)?,
                None => coord.clone(),
            };
            let index = dataset.index(name).cloned();
            coords.insert_with_index(name.to_owned(), merged, index);
        }
    }
    for dataset in &aligned {
        for name in dataset.data_vars() {
            let theirs = dataset.get(name)?;
            let array = match out.data_var(name) {
                Some(mine) => {
                    let merged = combine(name, mine, theirs.variable())?;
                    theirs.with_variable(merged)
                }
                None => theirs,
            };
            out = out.assign(name, array)?;
        }
    }
    out.with_coords(coords)
}

/// Two versions of variable `name` as one: equal where both have values, the first's
/// values where it has them and the second's elsewhere.
fn combine(name: &str, first: &Variable, second: &Variable) -> Result<Variable, Error> {
    if first == second {
        return Ok(first.clone());
    }
    let conflict = || {
        Error::Align(format!(
            "conflicting values for `{name}` in the datasets to merge; \
             the values differ where both have one"
        ))
    };
    if first.sizes() != second.sizes() {
        return Err(conflict());
    }
    let (a, b) = (first.to_values()?, second.to_values()?);
    let (a, b) = (a.as_ref(), b.as_ref());
    let (a_missing, b_missing) = (a.is_null(), b.is_null());
    let agree = a
        .binary(BinaryOp::Eq, b)?
        .binary(BinaryOp::Or, &a_missing)?
        .binary(BinaryOp::Or, &b_missing)?;
    if agree.array::<bool>()?.iter().any(|ok| !ok) {
        return Err(conflict());
    }
    Ok(first.with_values(first.dims().to_vec(), b.choose(&a_missing, a)?))
}

impl Dataset {
    /// `datasets` joined end to end along `dim`, an existing dimension or a new one
    /// (xarray's `concat` with its default `data_vars="all"`: every data variable is
    /// joined, those without `dim` repeated along it). Coordinates along `dim` are
    /// joined; the others come from the first dataset.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let t = DataArray::new(["time"], vec![1.0, 2.0, 3.0])?.assign_coords("time", vec![0, 1, 2])?;
    /// let ds = t.to_dataset_as("t");
    /// let whole = Dataset::concat(&[&ds.isel("time", 0..1)?, &ds.isel("time", 1..3)?], "time")?;
    /// assert_eq!(whole, ds);
    /// let runs = Dataset::concat(&[&ds, &ds], "run")?;
    /// assert_eq!(runs.get("t")?.dims(), ["run", "time"]);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn concat(datasets: &[&Dataset], dim: &str) -> Result<Dataset, Error> {
        let first = datasets
            .first()
            .ok_or_else(|| Error::Shape("nothing to concatenate".into()))?;
        let existing = first.sizes().iter().any(|(d, _)| d == dim);
        let mut out = Dataset::new().assign_attrs(first.attrs().clone());
        for name in first.data_vars() {
            let parts = datasets
                .iter()
                .map(|ds| {
                    let array = ds.get(name).map_err(|_| {
                        Error::Label(format!(
                            "cannot concatenate along `{dim}`: `{name}` is not in every dataset"
                        ))
                    })?;
                    match ds.sizes().into_iter().find(|(d, _)| d == dim) {
                        Some((_, n)) if existing && !array.dims().iter().any(|d| d == dim) => {
                            repeated(&array, dim, n)
                        }
                        _ => Ok(array),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            let parts: Vec<&DataArray> = parts.iter().collect();
            out = out.assign(name, DataArray::concat(&parts, dim)?)?;
        }
        let mut coords = out.coords().clone();
        for (name, coord) in first.coords().iter() {
            if !coords.contains(name) && !coord.dims().iter().any(|d| d == dim) {
                coords.insert_with_index(
                    name.to_owned(),
                    coord.clone(),
                    first.index(name).cloned(),
                );
            }
        }
        out.with_coords(coords)
    }
}

/// `array` repeated `n` times along a new leading dimension `dim`.
fn repeated(array: &DataArray, dim: &str, n: usize) -> Result<DataArray, Error> {
    let expanded = array.expand_dims(dim)?;
    let variable = expanded.variable().take(dim, &vec![Some(0); n])?;
    Ok(expanded.with_variable(variable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_fills_missing_values_and_keeps_the_first_attributes() {
        let a = DataArray::new(["x"], vec![1.0, f64::NAN])
            .unwrap()
            .assign_coords("x", vec![1, 2])
            .unwrap()
            .to_dataset_as("t")
            .assign_attrs([("title", "A")]);
        let b = DataArray::new(["x"], vec![2.0, 3.0])
            .unwrap()
            .assign_coords("x", vec![2, 3])
            .unwrap()
            .to_dataset_as("t")
            .assign_attrs([("title", "B")]);
        let merged = merge(&[&a, &b]).unwrap();
        assert_eq!(
            merged.get("t").unwrap().to_vec::<f64>().unwrap(),
            [1.0, 2.0, 3.0]
        );
        assert_eq!(merged.attrs()["title"], "A");
    }

    #[test]
    fn variables_without_the_dimension_repeat_along_it() {
        let ds = DataArray::new(["x"], vec![1.0, 2.0, 3.0])
            .unwrap()
            .to_dataset_as("t")
            .assign("s", DataArray::new(["y"], vec![5, 6]).unwrap())
            .unwrap();
        let parts = [&ds.isel("x", 0..2).unwrap(), &ds.isel("x", 2..3).unwrap()];
        let joined = Dataset::concat(&parts, "x").unwrap();
        let s = joined.get("s").unwrap();
        assert_eq!(s.dims(), ["x", "y"]);
        assert_eq!(s.to_vec::<i32>().unwrap(), [5, 6, 5, 6, 5, 6]);
        let missing = Dataset::concat(
            &[
                &ds,
                &DataArray::new(["x"], vec![0.0]).unwrap().to_dataset_as("t"),
            ],
            "x",
        );
        assert!(
            missing
                .unwrap_err()
                .to_string()
                .contains("`s` is not in every dataset")
        );
    }
}
