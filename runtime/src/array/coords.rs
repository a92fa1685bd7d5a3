//! `Coordinates`: the labelled variables alongside data, and the indexes of the
//! dimension coordinates among them.

use indexmap::IndexMap;

use super::data::Data;
use super::data_array::DataArray;
use super::dtype::Element;
use super::index::{Index, Label, Matching, Positions, Selector};
use super::values::Values;
use super::variable::{Selection, Variable};
use crate::Error;

/// Coordinate variables by name, with an [`Index`] for every dimension coordinate (a
/// 1-D coordinate named as its dimension), as xarray's `Coordinates`.
///
/// ```
/// use rangeo::array::{Coordinates, Variable};
/// let mut coords = Coordinates::default();
/// coords.insert("lat", vec![75.0, 72.5])?;
/// coords.insert("station", Variable::new(["lat"], vec!["a".to_owned(), "b".to_owned()])?)?;
/// assert!(coords.index("lat").is_some() && coords.index("station").is_none());
/// assert_eq!(coords.names().collect::<Vec<_>>(), ["lat", "station"]);
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Coordinates {
    variables: IndexMap<String, Variable>,
    indexes: IndexMap<String, Index>,
}

/// What can become a coordinate: a [`Variable`] (any dimensions), or 1-D values, which
/// lie along the dimension of the coordinate's name.
pub trait IntoCoord {
    /// The coordinate variable called `name`.
    fn into_coord(self, name: &str) -> Result<Variable, Error>;
}

impl IntoCoord for Variable {
    fn into_coord(self, _: &str) -> Result<Variable, Error> {
        Ok(self)
    }
}

impl IntoCoord for Values {
    fn into_coord(self, name: &str) -> Result<Variable, Error> {
        Variable::new([name], self)
    }
}

impl IntoCoord for Data {
    fn into_coord(self, name: &str) -> Result<Variable, Error> {
        Variable::new([name], self)
    }
}

impl<T: Element> IntoCoord for Vec<T> {
    fn into_coord(self, name: &str) -> Result<Variable, Error> {
        Variable::new([name], self)
    }
}

impl<T: Element, D: ndarray::Dimension> IntoCoord for ndarray::Array<T, D> {
    fn into_coord(self, name: &str) -> Result<Variable, Error> {
        Variable::new([name], self)
    }
}

impl Coordinates {
    /// Adds or replaces coordinate `name`; a 1-D coordinate along a dimension of the
    /// same name becomes that dimension's index.
    pub fn insert(&mut self, name: impl Into<String>, coord: impl IntoCoord) -> Result<(), Error> {
        let name = name.into();
        let variable = coord.into_coord(&name)?;
        self.indexes.shift_remove(&name);
        if variable.dims() == [name.as_str()] {
            self.indexes
                .insert(name.clone(), Index::new(name.clone(), variable.eager())?);
        }
        self.variables.insert(name, variable);
        Ok(())
    }

    /// Adds a variable already known to be a valid coordinate, with its index.
    pub(crate) fn insert_with_index(
        &mut self,
        name: String,
        variable: Variable,
        index: Option<Index>,
    ) {
        match index {
            Some(index) => self.indexes.insert(name.clone(), index),
            None => self.indexes.shift_remove(&name),
        };
        self.variables.insert(name, variable);
    }

    /// The coordinate variable called `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Variable> {
        self.variables.get(name)
    }

    /// The index of dimension `dim`, when it has a dimension coordinate.
    #[must_use]
    pub fn index(&self, dim: &str) -> Option<&Index> {
        self.indexes.get(dim)
    }

    /// Coordinate names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.variables.keys().map(String::as_str)
    }

    /// Coordinates with their names, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Variable)> {
        self.variables.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of coordinates.
    #[must_use]
    pub fn len(&self) -> usize {
        self.variables.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.variables.is_empty()
    }

    /// Whether `name` is one of them.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.variables.contains_key(name)
    }

    /// Removes coordinate `name` (and its index), returning it.
    pub fn remove(&mut self, name: &str) -> Option<Variable> {
        self.indexes.shift_remove(name);
        self.variables.shift_remove(name)
    }

    /// Only the coordinates for which `keep` holds.
    pub(crate) fn filtered(&self, keep: impl Fn(&str, &Variable) -> bool) -> Self {
        let mut out = Self::default();
        for (name, variable) in &self.variables {
            if keep(name, variable) {
                out.insert_with_index(
                    name.clone(),
                    variable.clone(),
                    self.indexes.get(name).cloned(),
                );
            }
        }
        out
    }

    /// Coordinate `name` as an array, with the coordinates that lie along its
    /// dimensions.
    pub(crate) fn to_array(&self, name: &str) -> Result<DataArray, Error> {
        let variable = self.get(name).ok_or_else(|| {
            Error::Label(format!(
                "no coordinate `{name}`; the coordinates are {}",
                self.names().collect::<Vec<_>>().join(", ")
            ))
        })?;
        let coords = self.filtered(|_, c| c.dims().iter().all(|d| variable.dims().contains(d)));
        Ok(DataArray::from_parts(
            Some(name.to_owned()),
            variable.clone(),
            coords,
        ))
    }

    /// The positions of `dim` that `selector` names: looked up in its index, or taken
    /// as positions when it has none.
    pub(crate) fn selection(
        &self,
        dim: &str,
        selector: &Selector,
        matching: Matching,
    ) -> Result<Selection, Error> {
        let Some(index) = self.index(dim) else {
            return positional(dim, selector);
        };
        Ok(match index.locate(selector, matching)? {
            Positions::One(p) => Selection::Index(p.cast_signed()),
            Positions::Run(start, stop) => Selection::Slice {
                start: Some(start.cast_signed()),
                stop: Some(stop.cast_signed()),
                step: 1,
            },
            Positions::List(list) => {
                Selection::List(list.into_iter().map(usize::cast_signed).collect())
            }
        })
    }

    /// Every coordinate reindexed along `dim` (see [`Variable::reindexed`]), with
    /// `coord` and `index` as the new dimension coordinate.
    pub(crate) fn reindexed(
        &self,
        dim: &str,
        which: &[Option<usize>],
        coord: &Variable,
        index: &Index,
    ) -> Self {
        let mut out = Self::default();
        for (name, c) in &self.variables {
            if name == dim {
                out.insert_with_index(name.clone(), coord.clone(), Some(index.clone()));
            } else {
                out.insert_with_index(
                    name.clone(),
                    c.reindexed(dim, which),
                    self.indexes.get(name).cloned(),
                );
            }
        }
        out
    }

    /// Positions `which` of `dim` in every coordinate along it, as dimension `new_dim`
    /// (no longer indexes); the others unchanged.
    pub(crate) fn take_along(
        &self,
        dim: &str,
        which: &[Option<usize>],
        new_dim: &str,
    ) -> Result<Self, Error> {
        let mut out = Self::default();
        for (name, c) in &self.variables {
            if c.dims().iter().any(|d| d == dim) {
                out.insert_with_index(
                    name.clone(),
                    c.take(dim, which)?.rename_dims(&[(dim, new_dim)]),
                    None,
                );
            } else {
                out.insert_with_index(name.clone(), c.clone(), self.indexes.get(name).cloned());
            }
        }
        Ok(out)
    }

    /// Positions `selection` of `dim` in every coordinate along it; a dimension
    /// coordinate selected at one position stays as a scalar coordinate.
    pub(crate) fn isel(&self, dim: &str, selection: &Selection) -> Result<Self, Error> {
        let mut out = Self::default();
        for (name, variable) in &self.variables {
            if !variable.dims().iter().any(|d| d == dim) {
                out.insert_with_index(
                    name.clone(),
                    variable.clone(),
                    self.indexes.get(name).cloned(),
                );
                continue;
            }
            let selected = variable.isel(dim, selection.clone())?;
            let index = if selected.dims() == [name.as_str()] {
                Some(Index::new(name.clone(), selected.eager())?)
            } else {
                None
            };
            out.insert_with_index(name.clone(), selected, index);
        }
        Ok(out)
    }
}

/// A selector on a dimension without an index: integer labels are positions, and a
/// range is a slice as in `isel` (xarray falls back to positions the same way).
fn positional(dim: &str, selector: &Selector) -> Result<Selection, Error> {
    let position = |label: &Label| match label {
        Label::Int(i) => Ok(*i as isize),
        other => Err(Error::Label(format!(
            "`{dim}` has no index, so only integer positions select from it, not {other}"
        ))),
    };
    Ok(match selector {
        Selector::Label(label) => Selection::Index(position(label)?),
        Selector::List(labels) => {
            Selection::List(labels.iter().map(position).collect::<Result<_, _>>()?)
        }
        Selector::Range { start, stop } => Selection::Slice {
            start: start.as_ref().map(position).transpose()?,
            stop: stop.as_ref().map(position).transpose()?,
            step: 1,
        },
    })
}
