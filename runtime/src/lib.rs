//! # rangeo
//!
//! The runtime that every cell of the "Rust (rangeo)" Jupyter kernel sees through
//! `use rangeo::prelude::*;`: labeled arrays in the xarray model, lazy chunked compute,
//! Zarr / netCDF / STAC readers and rich notebook output.
//!
//! The crate is being built issue by issue. Today it carries [`array`] (labeled arrays:
//! `Variable`, `DataArray`, `Dataset` with xarray's semantics), [`display`] (the mime
//! bundles, displays and progress bars through which values show themselves in a
//! notebook), [`plot`] (xarray's plots, as PNG or SVG), [`io`] (Zarr, netCDF and STAC),
//! [`session`] (kernel-wide options and the worker pool), [`galaxy`] (a Galaxy tool's
//! staged inputs and collected outputs) and [`cell`] (what the kernel's compiled cells
//! call).
//!
//! ```
//! use rangeo::prelude::*;
//! let bundle = MimeBundle::text("hello").with("text/html", "<b>hello</b>");
//! assert_eq!(bundle.plain(), "hello");
//! ```

pub mod array;
pub mod cell;
pub mod compute;
pub mod display;
mod error;
pub mod galaxy;
pub mod io;
pub mod plot;
pub mod session;

pub use error::Error;
/// The n-dimensional arrays under rangeo's labeled arrays, for building and reading
/// values (`ndarray::arr2`, `ndarray::Array::linspace`, ...) in cells without `:dep`.
pub use ndarray;
/// The line protocol between the kernel and the evaluation process, and the mime
/// bundle it carries (a crate of its own, so the kernel builds without the runtime).
pub use rangeo_protocol as protocol;

/// The version of the runtime, as the kernel reports it in its banner.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a notebook cell needs, imported with `use rangeo::prelude::*;`.
pub mod prelude {
    pub use crate::VERSION as RANGEO_VERSION;
    pub use crate::array::{
        BinaryOp, Boundary, Calendar, CfDateTime, DType, DataArray, Dataset, DateTime64, How,
        Interp, Join, Method, Reduction, Selection, TimeDelta64, Variable, align, broadcast, merge,
    };
    pub use crate::cell::check_interrupt;
    pub use crate::display::{DisplayHandle, MimeBundle, Progress, Repr, clear_output, display};
    pub use crate::galaxy::{GalaxyInputs, galaxy_output};
    pub use crate::io::stac::{
        Catalog, Client, GroupBy, ItemCollection, ItemSearch, Search, Stack, open_asset,
        open_catalog,
    };
    pub use crate::io::{
        Cog, OpenOptions, Resampling, WriteMode, WriteOptions, open_cog, open_dataset,
        open_mfdataset, open_zarr, open_zarr_array,
    };
    pub use crate::ndarray;
    pub use crate::plot::{Colormap, Figure, Format, Kind, Plot};
    pub use crate::session::{Options, options, set_options, thread_pool};
}
