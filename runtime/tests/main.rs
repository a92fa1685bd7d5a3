//! The runtime's integration tests, one module per subject, in one binary: the
//! workspace links one test executable for them all. Tests that change kernel-wide
//! options other tests read (`memory.rs`) or measure the whole process (`peak_memory.rs`)
//! keep binaries of their own.

mod air_temperature;
mod cog;
mod html;
mod lazy;
mod plot;
mod properties;
mod stac_catalog;
mod stack;
mod support;
mod xarray_reference;
mod zarr;
mod zarr_fresh;
mod zarr_servers;
mod zarr_write;
