//! STAC: static catalogs walked by their links, STAC API searches paged as
//! pystac-client pages them, and the items found shown as a table and a map layer and
//! saved as GeoJSON or NDJSON; their GeoTIFF / COG assets stacked into a lazy
//! `(time, band, y, x)` datacube ([`ItemCollection::stack`]); their Zarr and netCDF
//! assets opened as datasets ([`open_asset`]). Documents of STAC 0.9 to 1.1 are read, migrated to 1.1.0
//! (the stac crate's types).
//!
//! ```no_run
//! use rangeo::prelude::*;
//! let catalog = open_catalog("catalog.json")?;
//! let items = catalog.all_items()?;
//!
//! let client = Client::open("http://127.0.0.1:7822")?;
//! let found = client
//!     .search(Search::new().bbox([-5.0, 42.0, 8.0, 51.0]).datetime("2019-01-01/2019-06-04"))?
//!     .item_collection()?;
//! let cube = found.stack(Stack::new().assets(["red", "nir"]).epsg(32631).resolution(20.0))?;
//! # Ok::<(), rangeo::Error>(())
//! ```

mod asset;
mod catalog;
mod datetime;
mod fetch;
mod items;
mod migrate;
mod search;
mod stack;

pub use asset::open_asset;
pub use catalog::{Catalog, open_catalog};
pub use items::ItemCollection;
pub use search::{Client, GeoJson, ItemSearch, Search};
pub use stack::{GroupBy, Stack};
