//! STAC: static catalogs walked by their links, STAC API searches paged as
//! pystac-client pages them, and the items found shown as a table and a map layer and
//! saved as GeoJSON or NDJSON. Documents of STAC 0.9 to 1.1 are read, migrated to 1.1.0
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
//! # Ok::<(), rangeo::Error>(())
//! ```

mod catalog;
mod datetime;
mod fetch;
mod items;
mod migrate;
mod search;

pub use catalog::{Catalog, open_catalog};
pub use items::ItemCollection;
pub use search::{Client, GeoJson, ItemSearch, Search};
