//! Where stores live: a URL or path turned into a `zarrs` store.

use std::path::PathBuf;
use std::sync::Arc;

use zarrs::filesystem::FilesystemStore;
use zarrs::storage::ReadableListableStorage;

use crate::Error;

/// A store opened from a URL, with the URL kept for messages.
pub(crate) struct Store {
    /// The URL or path as the user gave it.
    pub(crate) url: String,
    pub(crate) storage: ReadableListableStorage,
}

impl Store {
    /// Opens the store at `url`: a local path or a `file://` URL.
    pub(crate) fn open(url: &str) -> Result<Self, Error> {
        let path = local_path(url)?;
        if !path.is_dir() {
            return Err(Error::Storage(format!(
                "no Zarr store at {url}: {} is not a directory",
                path.display()
            )));
        }
        let storage = FilesystemStore::new(&path)
            .map_err(|e| Error::Storage(format!("cannot open the store {url}: {e}")))?;
        Ok(Self {
            url: url.to_owned(),
            storage: Arc::new(storage),
        })
    }
}

/// The local path of `url`: a path, or a `file://` URL.
fn local_path(url: &str) -> Result<PathBuf, Error> {
    match url.split_once("://") {
        None => Ok(PathBuf::from(url)),
        Some(("file", path)) => Ok(PathBuf::from(path)),
        Some((scheme, _)) => Err(Error::Storage(format!(
            "cannot open {url}: `{scheme}://` stores are not supported yet (local paths and file:// are)"
        ))),
    }
}
