//! Reading datasets from storage: Zarr stores (v2 and v3, with `zarrs`) opened as lazy
//! datasets whose chunks are read only when a computation needs them, with the CF
//! conventions decoded on the way in (as xarray's `open_zarr` does).
//!
//! ```no_run
//! use rangeo::prelude::*;
//! let ds = open_zarr("air_temperature.zarr")?;
//! let air = ds.get("air")?;
//! let mean = air.mean("time")?.compute()?;
//! # Ok::<(), rangeo::Error>(())
//! ```

mod decode;
mod encode;
mod netcdf;
mod open;
mod store;
mod zarr;

pub use open::{OpenOptions, open_dataset, open_zarr};
pub use zarr::{WriteMode, WriteOptions, open_zarr_array};
