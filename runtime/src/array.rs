//! Labeled arrays in the xarray model, built up from dynamically typed storage.
//!
//! [`Values`] holds an in-memory array of any [`DType`] (one `ndarray` array per element
//! type behind an enum); typed access is one call away with [`Values::array`].

mod aggregate;
mod align;
mod arithmetic;
mod coords;
mod data;
mod data_array;
mod dataset;
mod dtype;
mod index;
mod math;
mod reduce;
mod time;
mod values;
mod variable;

pub use align::{Join, align};
pub use arithmetic::{How, Operand};
pub use coords::{Coordinates, IntoCoord};
pub use data::Data;
pub use data_array::{DataArray, Dims};
pub use dataset::{Dataset, DatasetOperand};
pub use dtype::{DType, DateTime64, Element, TimeDelta64};
pub use index::{Index, Label, Matching, Method, Selector};
pub use math::BinaryOp;
pub use reduce::Reduction;
pub use values::Values;
pub use variable::{Attrs, Selection, Variable};
