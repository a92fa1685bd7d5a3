//! Datasets in storage: Zarr stores (v2 and v3, with `zarrs`, over `object_store`'s
//! local, HTTP, S3, GCS and Azure stores) and netCDF files (with netCDF-C) opened as lazy
//! datasets whose chunks are read only when a computation needs them, with the CF
//! conventions decoded on the way in (as xarray's `open_zarr`, `open_dataset` and
//! `open_mfdataset` do); datasets written to Zarr with the CF conventions encoded
//! (`to_zarr`); GeoTIFFs and COGs read tile by tile ([`open_cog`]); STAC catalogs,
//! API searches and items stacked into datacubes ([`stac`]).
//!
//! ```no_run
//! use rangeo::prelude::*;
//! let ds = open_zarr("air_temperature.zarr")?;
//! let air = ds.get("air")?;
//! let mean = air.mean("time")?.compute()?;
//! # Ok::<(), rangeo::Error>(())
//! ```

mod cache;
mod cog;
mod crs;
mod decode;
mod encode;
mod inflate;
mod multi;
mod netcdf;
mod open;
pub mod stac;
pub(crate) mod store;
mod warp;
mod zarr;

pub use cache::chunk_cache_bytes;
pub use cog::{Cog, open_cog};
pub use open::{OpenOptions, open_dataset, open_mfdataset, open_zarr};
pub use warp::Resampling;
pub use zarr::{WriteMode, WriteOptions, open_zarr_array};
