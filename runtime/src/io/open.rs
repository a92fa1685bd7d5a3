//! Opening datasets: Zarr stores by URL, netCDF files by path, and many of either
//! combined along a dimension (`open_mfdataset`), all lazily and CF-decoded, with one
//! set of options ([`OpenOptions`]) as xarray has one set of keyword arguments.

use std::path::Path;

use super::decode::Decode;
use super::{multi, netcdf, zarr};
use crate::Error;
use crate::array::Dataset;

/// How `open_zarr`, `open_dataset` and `open_mfdataset` decode what they read, as
/// xarray's keyword arguments of the same names: everything on by default.
///
/// ```no_run
/// use rangeo::prelude::*;
/// // The stored integers, as `xr.open_zarr(url, mask_and_scale=False)` gives them.
/// let raw = OpenOptions::new().mask_and_scale(false).open_zarr("air_temperature.zarr")?;
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOptions {
    decode: Decode,
    storage: Vec<(String, String)>,
    concat_dim: Option<String>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            decode: Decode {
                mask_and_scale: true,
                times: true,
            },
            storage: Vec::new(),
            concat_dim: None,
        }
    }
}

impl OpenOptions {
    /// CF decoding on.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Every CF decoding on or off (xarray's `decode_cf`).
    #[must_use]
    pub fn decode_cf(self, on: bool) -> Self {
        self.mask_and_scale(on).decode_times(on)
    }

    /// Missing-value markers to NaN and packed integers unpacked (`mask_and_scale`).
    #[must_use]
    pub fn mask_and_scale(mut self, on: bool) -> Self {
        self.decode.mask_and_scale = on;
        self
    }

    /// CF times to dates (`decode_times`).
    #[must_use]
    pub fn decode_times(mut self, on: bool) -> Self {
        self.decode.times = on;
        self
    }

    /// A setting of the object store, as `object_store` names them (fsspec's
    /// `storage_options`): `aws_endpoint`, `aws_region`, `aws_access_key_id`,
    /// `aws_skip_signature` for anonymous access, `allow_http`, ... Settings given here
    /// win over the environment's (`AWS_ENDPOINT_URL`, `AWS_REGION`, ...).
    ///
    /// ```no_run
    /// use rangeo::prelude::*;
    /// let ds = OpenOptions::new()
    ///     .storage_option("aws_endpoint", "http://127.0.0.1:9000")
    ///     .storage_option("aws_skip_signature", "true")
    ///     .open_zarr("s3://era5/surface.zarr")?;
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    #[must_use]
    pub fn storage_option(mut self, key: &str, value: &str) -> Self {
        self.storage.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The dimension `open_mfdataset` joins along, in the order the paths are given
    /// (xarray's `combine="nested"` with `concat_dim`); a new dimension stacks the
    /// datasets. Without it, they are ordered and joined by their coordinates.
    #[must_use]
    pub fn concat_dim(mut self, dim: &str) -> Self {
        self.concat_dim = Some(dim.to_owned());
        self
    }

    /// Opens many files or stores as one lazy dataset: see [`open_mfdataset`].
    pub fn open_mfdataset<S: AsRef<str>>(
        &self,
        paths: impl IntoIterator<Item = S>,
    ) -> Result<Dataset, Error> {
        let paths = multi::expand(paths)?;
        multi::open(self, &paths, self.concat_dim.as_deref())
    }

    /// Opens the Zarr group at `url` as a lazy dataset: see [`open_zarr`].
    pub fn open_zarr(&self, url: &str) -> Result<Dataset, Error> {
        zarr::open_group(url, &self.storage, self.decode)
    }

    /// Opens a netCDF file or a Zarr store as a lazy dataset: see [`open_dataset`].
    pub fn open_dataset(&self, path: &str) -> Result<Dataset, Error> {
        let local = path.strip_prefix("file://").unwrap_or(path);
        if path.contains("://") && !path.starts_with("file://") || Path::new(local).is_dir() {
            return self.open_zarr(path);
        }
        if !Path::new(local).exists() {
            return Err(Error::Storage(format!(
                "cannot open {path}: there is no such file or directory"
            )));
        }
        if !netcdf::is_netcdf(Path::new(local)) {
            return Err(Error::Storage(format!(
                "cannot open {path}: it is neither a netCDF file (netCDF-3 or netCDF-4/HDF5) \
                 nor a Zarr store"
            )));
        }
        netcdf::open(local, self.decode)
    }
}

/// Opens the Zarr group at `url` (a local path, or a `file://`, `http(s)://`, `s3://`,
/// `gs://`, `az://` or `memory://` URL) as a lazy dataset, as `xarray.open_zarr` does:
/// one variable per array, dimension names from `dimension_names` (v3) or
/// `_ARRAY_DIMENSIONS` (v2), 1-D arrays named after their dimension as indexes (read at
/// once), the CF conventions decoded. Chunks are read when a computation needs them, in
/// parallel.
///
/// Consolidated metadata is used when the store has it: `.zmetadata` (v2) or
/// `consolidated_metadata` in the root `zarr.json` (v3).
///
/// ```no_run
/// use rangeo::prelude::*;
/// let ds = open_zarr("air_temperature.zarr")?;
/// let january = ds.get("air")?.sel("time", "2013-01")?.mean("time")?.compute()?;
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn open_zarr(url: &str) -> Result<Dataset, Error> {
    OpenOptions::new().open_zarr(url)
}

/// Opens a netCDF file (netCDF-3 or netCDF-4/HDF5) or a Zarr store as a lazy dataset,
/// as `xarray.open_dataset` does, choosing by what is there: a directory or a URL is a
/// Zarr store, a file is read as netCDF. The CF conventions are decoded the same way for
/// both; netCDF variables are read chunk by chunk (in their own HDF5 chunks) when a
/// computation needs them.
///
/// ```no_run
/// use rangeo::prelude::*;
/// let ds = open_dataset("air_temperature.nc")?;
/// let mean = ds.get("air")?.mean("time")?.compute()?;
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn open_dataset(path: &str) -> Result<Dataset, Error> {
    OpenOptions::new().open_dataset(path)
}

/// Opens many netCDF files or Zarr stores as one lazy dataset, as
/// `xarray.open_mfdataset` does: `paths` are paths, URLs or glob patterns
/// (`"era5/*.nc"`, matches in sorted order), each opened with [`open_dataset`], then
/// ordered by their labels along the one dimension whose coordinates differ between
/// them and joined along it (the variables along it concatenated, the others taken
/// from the first, as xarray's new defaults do); pieces with the same coordinates and
/// different variables are merged. [`OpenOptions::concat_dim`] joins along a named
/// dimension in the given order instead.
///
/// ```no_run
/// use rangeo::prelude::*;
/// let ds = open_mfdataset(["era5/t2m_2019.nc", "era5/t2m_2020.nc"])?;
/// let years = open_mfdataset(["era5/*.nc"])?;
/// let runs = OpenOptions::new().concat_dim("member").open_mfdataset(["run1.zarr", "run2.zarr"])?;
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn open_mfdataset<S: AsRef<str>>(paths: impl IntoIterator<Item = S>) -> Result<Dataset, Error> {
    OpenOptions::new().open_mfdataset(paths)
}
