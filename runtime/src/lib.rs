//! # rangeo
//!
//! The runtime that every cell of the "Rust (rangeo)" Jupyter kernel sees through
//! `use rangeo::prelude::*;`: labeled arrays in the xarray model, lazy chunked compute,
//! Zarr / netCDF / STAC readers and rich notebook output.
//!
//! The crate is being built issue by issue; today it carries its identity and the prelude
//! that the kernel imports into every cell.
//!
//! ```
//! assert!(!rangeo::VERSION.is_empty());
//! ```

/// The version of the runtime, as the kernel reports it in its banner.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a notebook cell needs, imported with `use rangeo::prelude::*;`.
pub mod prelude {
    pub use crate::VERSION as RANGEO_VERSION;
}
