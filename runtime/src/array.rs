//! Labeled arrays in the xarray model, built up from dynamically typed storage.
//!
//! [`Values`] holds an in-memory array of any [`DType`] (one `ndarray` array per element
//! type behind an enum); typed access is one call away with [`Values::array`].

mod dtype;
mod values;
mod variable;

pub use dtype::{DType, DateTime64, Element, TimeDelta64};
pub use values::Values;
pub use variable::{Attrs, Selection, Variable};
