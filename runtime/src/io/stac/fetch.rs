//! Reading STAC documents by href: local paths and `file://` URLs from the file system,
//! `http(s)://`, `s3://`, `gs://` and `az://` through the same object stores as Zarr, so
//! that a catalog is reachable wherever a store is (and configured the same way).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::Value;

use crate::Error;
use crate::io::store::{Store, store_key};

/// The JSON document at `href`, or an error naming the href and what went wrong.
pub(crate) fn read_json(href: &str) -> Result<Value, Error> {
    let bytes = read_bytes(href)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::Stac(format!("{href} is not valid JSON: {e}")))
}

/// The bytes of the document at `href`.
pub(crate) fn read_bytes(href: &str) -> Result<Vec<u8>, Error> {
    match href.split_once("://") {
        None => read_file(href, href),
        Some(("file", path)) => read_file(href, path),
        Some(_) => {
            let url = url::Url::parse(href)
                .map_err(|e| Error::Stac(format!("cannot read {href} as a URL: {e}")))?;
            let root = format!("{}{}", &url[..url::Position::BeforePath], "/");
            let key = url.path().trim_start_matches('/');
            let store = store_for(&root)?;
            store
                .storage
                .get(&store_key(key))
                .map_err(|e| Error::Stac(format!("cannot read {href}: {e}")))?
                .map(|bytes| bytes.to_vec())
                .ok_or_else(|| Error::Stac(format!("no STAC document at {href}")))
        }
    }
}

fn read_file(href: &str, path: &str) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Stac(format!("no STAC document at {href}")),
        _ => Error::Stac(format!("cannot read {href}: {e}")),
    })
}

/// One store per origin (scheme, host and port), shared by every document read there.
fn store_for(root: &str) -> Result<Arc<Store>, Error> {
    static STORES: LazyLock<Mutex<HashMap<String, Arc<Store>>>> = LazyLock::new(Mutex::default);
    if let Some(store) = STORES.lock().expect("stores").get(root) {
        return Ok(store.clone());
    }
    let store = Arc::new(Store::open(root, &[])?);
    STORES
        .lock()
        .expect("stores")
        .insert(root.to_owned(), store.clone());
    Ok(store)
}

/// `href` resolved against the document at `base` (a path or a URL), as a browser
/// resolves links: absolute hrefs stay as they are.
pub(crate) fn resolve(href: &str, base: &str) -> Result<String, Error> {
    stac::href::make_absolute(href, base)
        .map(std::borrow::Cow::into_owned)
        .map_err(|e| Error::Stac(format!("cannot resolve {href} against {base}: {e}")))
}

/// A local path made absolute, so that the hrefs resolved against it are too.
pub(crate) fn absolute(href: &str) -> String {
    if href.contains("://") || href.starts_with('/') {
        return href.to_owned();
    }
    std::path::absolute(href).map_or_else(
        |_| href.to_owned(),
        |path| path.to_string_lossy().into_owned(),
    )
}
