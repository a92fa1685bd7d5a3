//! Alignment: making objects share the same labels along every indexed dimension
//! before they are combined, with xarray's joins.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::coords::Coordinates;
use super::data_array::DataArray;
use super::index::Index;
use super::values::Values;
use super::variable::Variable;
use crate::Error;

/// How the labels of several objects along one dimension combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Join {
    /// Labels in every object, in the first object's order (arithmetic's default).
    #[default]
    Inner,
    /// Labels in any object, sorted; missing values become NaN.
    Outer,
    /// The first object's labels.
    Left,
    /// The last object's labels.
    Right,
    /// Labels must already be equal, else an error.
    Exact,
}

/// An object that can be aligned: coordinates, dimension sizes, and a way to take
/// positions along a dimension with gaps.
pub(crate) trait Alignable: Sized {
    /// The coordinates, with their indexes.
    fn coordinates(&self) -> &Coordinates;
    /// The size of `dim`, if the object has it.
    fn size_of(&self, dim: &str) -> Option<usize>;
    /// The object with positions `positions` of `dim` (`None`: missing values) and
    /// `coord` / `index` as the new dimension coordinate.
    fn reindexed(
        &self,
        dim: &str,
        positions: &[Option<usize>],
        coord: &Variable,
        index: &Index,
    ) -> Self;
}

/// A label that can be hashed: integers and times exactly, floats by bits (with -0.0 as
/// 0.0), text as is. NaN never matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Int(i64),
    Float(u64),
    Str(String),
    Missing(usize),
}

fn keys(index: &Index, floats: bool) -> Vec<Key> {
    use super::index::Label;
    (0..index.len())
        .map(|i| match index.label_at(i) {
            Label::Int(x) if floats => Key::Float((x as f64).to_bits()),
            Label::Int(x) => Key::Int(x),
            Label::Float(x) if x.is_nan() => Key::Missing(i),
            Label::Float(x) => Key::Float((x + 0.0).to_bits()),
            Label::Time(t) if t.is_nat() => Key::Missing(i),
            Label::Time(t) => Key::Int(t.0),
            Label::CfTime(t) if t.is_nat() => Key::Missing(i),
            Label::CfTime(t) => Key::Int(t.micros()),
            Label::Str(s) => Key::Str(s),
        })
        .collect()
}

/// The arrays with the same labels along every indexed dimension, combined by `join`
/// (xarray's `align`).
///
/// ```
/// use rangeo::prelude::*;
/// let a = DataArray::new(["x"], vec![1.0, 2.0])?.assign_coords("x", vec![1, 2])?;
/// let b = DataArray::new(["x"], vec![5.0])?.assign_coords("x", vec![3])?;
/// let both = align(&[&a, &b], Join::Outer)?;
/// assert_eq!(both[1].coord("x")?.to_vec::<i32>()?, [1, 2, 3]);
/// assert!(both[1].to_vec::<f64>()?[0].is_nan());
/// assert!(align(&[&a, &b], Join::Exact).is_err());
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn align(arrays: &[&DataArray], join: Join) -> Result<Vec<DataArray>, Error> {
    Ok(align_all(arrays, join)?
        .into_iter()
        .map(Cow::into_owned)
        .collect())
}

/// The arrays aligned (outer join) and broadcast against each other: each gets every
/// dimension of any of them, in the order they first appear (xarray's `broadcast`).
///
/// ```
/// use rangeo::prelude::*;
/// let lat = DataArray::new(["lat"], vec![10.0, 20.0])?;
/// let lon = DataArray::new(["lon"], vec![1.0, 2.0, 3.0])?;
/// let both = broadcast(&[&lat, &lon])?;
/// assert_eq!(both[0].sizes(), [("lat", 2), ("lon", 3)]);
/// assert_eq!(both[1].to_vec::<f64>()?, [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn broadcast(arrays: &[&DataArray]) -> Result<Vec<DataArray>, Error> {
    let aligned = align_all(arrays, Join::Outer)?;
    let mut sizes: Vec<(String, usize)> = Vec::new();
    for array in &aligned {
        for (dim, size) in array.sizes() {
            match sizes.iter().find(|(d, _)| d == dim) {
                Some((_, known)) if *known != size => {
                    return Err(Error::Align(format!(
                        "cannot broadcast dimension `{dim}`: sizes {known} and {size}"
                    )));
                }
                Some(_) => {}
                None => sizes.push((dim.to_owned(), size)),
            }
        }
    }
    let dims: Vec<String> = sizes.iter().map(|(d, _)| d.clone()).collect();
    let shape: Vec<usize> = sizes.iter().map(|(_, n)| *n).collect();
    let mut coords = Coordinates::default();
    for array in &aligned {
        for (name, c) in array.coords().iter() {
            if !coords.contains(name) {
                coords.insert_with_index(name.to_owned(), c.clone(), array.index(name).cloned());
            }
        }
    }
    aligned
        .iter()
        .map(|array| {
            let values = array.variable().arranged(&dims).broadcast_to(&shape)?;
            let variable = array.variable().with_values(dims.clone(), values);
            Ok(DataArray::from_parts(
                array.name().map(str::to_owned),
                variable,
                coords.clone(),
            ))
        })
        .collect()
}

/// Aligns `objects` along every dimension that has an index in any of them.
/// Objects that need no change are borrowed, not copied.
pub(crate) fn align_all<'a, T: Alignable + Clone>(
    objects: &[&'a T],
    join: Join,
) -> Result<Vec<Cow<'a, T>>, Error> {
    let mut out: Vec<Cow<'a, T>> = objects.iter().map(|o| Cow::Borrowed(*o)).collect();
    let mut dims: Vec<String> = Vec::new();
    for object in objects {
        for name in object.coordinates().names() {
            if object.coordinates().index(name).is_some() && !dims.iter().any(|d| d == name) {
                dims.push(name.to_owned());
            }
        }
    }
    for dim in &dims {
        let changed = align_dim(
            &out.iter().map(AsRef::as_ref).collect::<Vec<_>>(),
            dim,
            join,
        )?;
        for (slot, new) in out.iter_mut().zip(changed) {
            if let Some(new) = new {
                *slot = Cow::Owned(new);
            }
        }
    }
    Ok(out)
}

/// Aligns `objects` along `dim`: each object reindexed, or `None` when it already fits.
fn align_dim<T: Alignable>(objects: &[&T], dim: &str, join: Join) -> Result<Vec<Option<T>>, Error> {
    let indexed: Vec<usize> = (0..objects.len())
        .filter(|&i| objects[i].coordinates().index(dim).is_some())
        .collect();
    let index_of = |i: usize| objects[i].coordinates().index(dim).expect("indexed");
    let coord_of = |i: usize| {
        objects[i]
            .coordinates()
            .get(dim)
            .expect("an index has a coordinate")
    };
    let all_equal = indexed
        .windows(2)
        .all(|w| index_of(w[0]).same_labels(index_of(w[1])));
    let unindexed_sizes = || {
        (0..objects.len())
            .filter(|i| !indexed.contains(i))
            .filter_map(|i| objects[i].size_of(dim))
    };
    if all_equal {
        let size = index_of(indexed[0]).len();
        if let Some(other) = unindexed_sizes().find(|&s| s != size) {
            return Err(conflicting_sizes(dim, size, other));
        }
        return Ok(objects.iter().map(|_| None).collect());
    }
    if join == Join::Exact {
        return Err(Error::Align(format!(
            "cannot align with join=\"exact\": the labels of `{dim}` differ ({})",
            indexed
                .iter()
                .map(|&i| format!("{} labels", index_of(i).len()))
                .collect::<Vec<_>>()
                .join(" vs ")
        )));
    }
    let floats = indexed.iter().any(|&i| index_of(i).is_float())
        && !indexed.iter().all(|&i| index_of(i).is_float());
    let key_sets: Vec<Vec<Key>> = indexed.iter().map(|&i| keys(index_of(i), floats)).collect();
    let parts: Vec<&Values> = indexed.iter().map(|&i| coord_of(i).eager()).collect();
    let all = Values::concat(&parts, 0)?;
    let offsets: Vec<usize> = key_sets
        .iter()
        .scan(0, |start, k| {
            let at = *start;
            *start += k.len();
            Some(at)
        })
        .collect();
    let chosen = joined_positions(&key_sets, &offsets, join, dim, &all)?;
    let positions: Vec<Option<usize>> = chosen.iter().map(|&p| Some(p)).collect();
    let coord = coord_of(indexed[0]).with_values(vec![dim.to_owned()], all.take(0, &positions));
    let index = Index::new(dim, coord.eager())?;
    let all_keys: Vec<&Key> = key_sets.iter().flatten().collect();
    let target: Vec<&Key> = chosen.iter().map(|&p| all_keys[p]).collect();
    if let Some(other) = unindexed_sizes().find(|&s| s != target.len()) {
        return Err(conflicting_sizes(dim, target.len(), other));
    }
    let mut out = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        let Some(slot) = indexed.iter().position(|&j| j == i) else {
            out.push(None);
            continue;
        };
        let lookup: HashMap<&Key, usize> = key_sets[slot]
            .iter()
            .enumerate()
            .rev()
            .map(|(p, k)| (k, p))
            .collect();
        let positions: Vec<Option<usize>> = target.iter().map(|k| lookup.get(k).copied()).collect();
        let unchanged = positions.len() == key_sets[slot].len()
            && positions.iter().enumerate().all(|(p, q)| *q == Some(p));
        out.push((!unchanged).then(|| object.reindexed(dim, &positions, &coord, &index)));
    }
    Ok(out)
}

/// Positions into the concatenated labels of all objects (`all`, each object's keys
/// starting at its offset) that make up the joined index.
fn joined_positions(
    key_sets: &[Vec<Key>],
    offsets: &[usize],
    join: Join,
    dim: &str,
    all: &Values,
) -> Result<Vec<usize>, Error> {
    Ok(match join {
        Join::Inner => {
            let others: Vec<HashSet<&Key>> =
                key_sets[1..].iter().map(|k| k.iter().collect()).collect();
            (0..key_sets[0].len())
                .filter(|&p| others.iter().all(|set| set.contains(&key_sets[0][p])))
                .collect()
        }
        Join::Left => (0..key_sets[0].len()).collect(),
        Join::Right => {
            let last = key_sets.len() - 1;
            (0..key_sets[last].len())
                .map(|p| offsets[last] + p)
                .collect()
        }
        Join::Outer | Join::Exact => {
            let mut seen = HashSet::new();
            let mut unique: Vec<usize> = key_sets
                .iter()
                .flatten()
                .enumerate()
                .filter(|(_, k)| seen.insert(*k))
                .map(|(p, _)| p)
                .collect();
            let joined_index = Index::new(dim, all)?;
            unique.sort_by(|&a, &b| joined_index.compare_labels(a, b));
            unique
        }
    })
}

fn conflicting_sizes(dim: &str, indexed: usize, other: usize) -> Error {
    Error::Align(format!(
        "cannot align along dimension `{dim}`: it has {indexed} labels but size {other} in an object without an index on it"
    ))
}
