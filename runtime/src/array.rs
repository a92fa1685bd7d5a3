//! Labeled arrays in the xarray model, built up from dynamically typed storage.
//!
//! [`Values`] holds an in-memory array of any [`DType`] (one `ndarray` array per element
//! type behind an enum); typed access is one call away with [`Values::array`].

mod aggregate;
mod align;
mod arithmetic;
mod buffer;
pub(crate) mod calendar;
mod cf;
mod chunked;
mod combine;
mod coords;
mod data;
mod data_array;
mod dataset;
mod dataset_groupby;
mod dt;
mod dtype;
mod groupby;
mod index;
mod math;
mod reduce;
pub(crate) mod repr;
mod resample;
mod shape;
mod time;
mod values;
mod variable;
mod windows;

pub use aggregate::Weighted;
pub use align::{Join, align, broadcast};
pub use arithmetic::{How, Operand};
pub use calendar::{Calendar, CfDateTime};
pub use cf::{decode_cf_times, encode_cf_times, infer_cf_time_units};
pub use combine::merge;
pub use coords::{Coordinates, IntoCoord};
pub use data::Data;
pub use data_array::{DataArray, Dims};
pub use dataset::{Dataset, DatasetOperand};
pub use dataset_groupby::DatasetGroupBy;
pub use dt::{COMPONENTS, DatetimeAccessor};
pub use dtype::{DType, DateTime64, Element, TimeDelta64};
pub use groupby::GroupBy;
/// The element type of float16 arrays.
pub use half::f16;
pub use index::{Index, Label, Matching, Method, Selector};
pub use math::BinaryOp;
pub(crate) use math::{FloatFn, Numeric, in_pieces, parallel, serially, with_numeric};
/// The element types of complex64 and complex128 arrays.
pub use num_complex::{Complex32, Complex64};
pub use reduce::Reduction;
pub(crate) use reduce::{means, moments, spreads};
pub(crate) use repr::python_tuple;
pub use shape::Interp;
pub use values::Values;
pub(crate) use values::with_array;
pub use variable::{Attrs, Selection, Variable};
pub use windows::{Boundary, Rolling};
