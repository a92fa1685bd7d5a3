//! STAC assets opened as datasets: Zarr stores and netCDF files that items and
//! collections point at (ERA5, CMIP6, Daymet on the Planetary Computer, ...), opened as
//! xarray opens them from `xarray:open_kwargs` and `xarray:storage_options` (the
//! xarray-assets extension), so a search leads straight to lazy data.

use serde_json::{Map, Value};

use crate::Error;
use crate::array::Dataset;
use crate::io::OpenOptions;

/// Opens a STAC asset as a lazy [`Dataset`]: a Zarr store (media type
/// `application/vnd+zarr` or `application/vnd.zarr`, or an href ending in `.zarr`) as
/// `open_zarr` does, a netCDF file (`application/netcdf`, `application/x-netcdf`, or
/// `.nc`) as `open_dataset` does. The xarray-assets extension's `xarray:open_kwargs`
/// give `decode_cf`, `mask_and_scale` and `decode_times` (and `engine`, `consolidated`
/// and `chunks`, which rangeo decides itself), and `xarray:storage_options` the store's
/// settings (fsspec's `anon` is `object_store`'s `aws_skip_signature`).
///
/// ```no_run
/// use rangeo::prelude::*;
/// let catalog = open_catalog("https://example.org/stac/era5/collection.json")?;
/// let collection = catalog.collection().expect("a collection");
/// let ds = open_asset(&collection.assets["zarr-https"])?;
/// # Ok::<(), rangeo::Error>(())
/// ```
pub fn open_asset(asset: &stac::Asset) -> Result<Dataset, Error> {
    let href = asset.href.as_str();
    let media = asset.r#type.as_deref().unwrap_or_default();
    let extension = std::path::Path::new(href.trim_end_matches('/'))
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let zarr = media.contains("zarr") || (media.is_empty() && extension == "zarr");
    let netcdf = media.contains("netcdf")
        || (media.is_empty() && ["nc", "nc4", "netcdf"].contains(&extension.as_str()));
    if !zarr && !netcdf {
        let kind = if media.is_empty() {
            "no media type".to_owned()
        } else {
            format!("media type `{media}`")
        };
        return Err(Error::Stac(format!(
            "cannot open asset {href} ({kind}) as a Dataset: it is neither Zarr nor netCDF; stack GeoTIFFs with `ItemCollection::stack` or read one with `open_cog`"
        )));
    }
    let options = options(asset)?;
    let opened = if zarr {
        options.open_zarr(href)
    } else {
        options.open_dataset(href)
    };
    opened.map_err(|e| {
        let message = e.to_string();
        if message.contains(href) {
            e
        } else {
            Error::Stac(format!("cannot open asset {href}: {message}"))
        }
    })
}

/// The asset's `xarray:open_kwargs` and `xarray:storage_options` as rangeo's options.
fn options(asset: &stac::Asset) -> Result<OpenOptions, Error> {
    let empty = Map::new();
    let field = |key: &str| {
        asset
            .additional_fields
            .get(key)
            .and_then(Value::as_object)
            .unwrap_or(&empty)
    };
    let bad = |what: String| Err(Error::Stac(format!("asset {}: {what}", asset.href)));
    let mut options = OpenOptions::new();
    for (key, value) in field("xarray:open_kwargs") {
        let flag = || value.as_bool();
        options = match (key.as_str(), flag()) {
            ("decode_cf", Some(on)) => options.decode_cf(on),
            ("mask_and_scale", Some(on)) => options.mask_and_scale(on),
            ("decode_times", Some(on)) => options.decode_times(on),
            ("decode_cf" | "mask_and_scale" | "decode_times", None) => {
                return bad(format!(
                    "xarray:open_kwargs `{key}` must be true or false, not {value}"
                ));
            }
            // rangeo finds consolidated metadata itself, reads the stored chunks lazily
            // and picks the engine from the media type.
            ("consolidated" | "chunks" | "engine", _) => options,
            _ => {
                return bad(format!(
                    "xarray:open_kwargs `{key}` is not an option rangeo knows"
                ));
            }
        };
    }
    for (key, value) in field("xarray:storage_options") {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => {
                return bad(format!(
                    "xarray:storage_options `{key}` must be a string, number or boolean"
                ));
            }
        };
        options = match key.as_str() {
            "anon" => options.storage_option("aws_skip_signature", &text),
            "account_name" => options.storage_option("azure_storage_account_name", &text),
            _ => options.storage_option(key, &text),
        };
    }
    Ok(options)
}
