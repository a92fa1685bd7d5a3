//! Where stores live: a URL or path turned into a `zarrs` store. Local paths and
//! `file://` URLs are read from the file system; `http(s)://`, `s3://`, `gs://` and
//! `az://` (also `abfs://`) through `object_store`, configured as their users expect:
//! from the environment (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SKIP_SIGNATURE`, `GOOGLE_*`, `AZURE_*`, ...) and from options that override it.

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use zarrs::filesystem::FilesystemStore;
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::storage_adapter::async_to_sync::{
    AsyncToSyncBlockOn, AsyncToSyncStorageAdapter,
};
use zarrs::storage::{
    AsyncReadableStorageTraits, ListableStorageTraits, MaybeBytes, MaybeBytesIterator,
    ReadableListableStorage, ReadableStorageTraits, StorageError, StoreKey, StoreKeys,
    StoreKeysPrefixes, StorePrefix,
};
use zarrs_object_store::AsyncObjectStore;
use zarrs_object_store::object_store::{self, ObjectStore, prefix::PrefixStore};

use crate::Error;

/// A store opened from a URL, with the URL kept for messages.
pub(crate) struct Store {
    /// The URL or path as the user gave it.
    pub(crate) url: String,
    pub(crate) storage: ReadableListableStorage,
}

impl Store {
    /// Opens the store at `url`, with `options` (`object_store`'s configuration keys,
    /// such as `aws_endpoint` or `aws_skip_signature`) over the environment's.
    pub(crate) fn open(url: &str, options: &[(String, String)]) -> Result<Self, Error> {
        let storage = match url.split_once("://") {
            None => local(url, &PathBuf::from(url))?,
            Some(("file", path)) => local(url, &PathBuf::from(path))?,
            Some(_) => remote(url, options)?,
        };
        Ok(Self {
            url: url.to_owned(),
            storage,
        })
    }
}

fn local(url: &str, path: &PathBuf) -> Result<ReadableListableStorage, Error> {
    if !path.is_dir() {
        return Err(Error::Storage(format!(
            "no Zarr store at {url}: {} is not a directory",
            path.display()
        )));
    }
    let storage = FilesystemStore::new(path)
        .map_err(|e| Error::Storage(format!("cannot open the store {url}: {e}")))?;
    Ok(Arc::new(storage))
}

/// The environment variables that configure each kind of object store, as
/// `object_store`'s builders read them.
const ENVIRONMENT_PREFIXES: [&str; 3] = ["AWS_", "GOOGLE_", "AZURE_"];

fn remote(url: &str, options: &[(String, String)]) -> Result<ReadableListableStorage, Error> {
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::Storage(format!("cannot read {url} as a URL: {e}")))?;
    let mut settings: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| ENVIRONMENT_PREFIXES.iter().any(|p| k.starts_with(p)))
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    if parsed.scheme() == "http" {
        settings.push(("allow_http".to_owned(), "true".to_owned()));
    }
    settings.extend(options.iter().cloned());
    let (store, path) = object_store::parse_url_opts(&parsed, settings)
        .map_err(|e| Error::Storage(format!("cannot open the store {url}: {e}")))?;
    let store: Box<dyn ObjectStore> = if path.as_ref().is_empty() {
        store
    } else {
        Box::new(PrefixStore::new(store, path))
    };
    let store = Arc::new(AsyncObjectStore::new(store));
    Ok(Arc::new(Remote {
        whole: store.clone(),
        adapter: AsyncToSyncStorageAdapter::new(store, Tokio),
    }))
}

/// An object store read synchronously. zarrs's adapter reads a whole object as a byte
/// range, which costs a HEAD request before each GET; this reads it with one GET, and
/// leaves the rest (ranges for shards, listings) to the adapter.
struct Remote {
    whole: Arc<AsyncObjectStore<Box<dyn ObjectStore>>>,
    adapter: AsyncToSyncStorageAdapter<AsyncObjectStore<Box<dyn ObjectStore>>, Tokio>,
}

impl ReadableStorageTraits for Remote {
    fn get(&self, key: &StoreKey) -> Result<MaybeBytes, StorageError> {
        Tokio.block_on(self.whole.get(key))
    }

    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        self.adapter.get_partial_many(key, byte_ranges)
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.adapter.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.adapter.supports_get_partial()
    }
}

impl ListableStorageTraits for Remote {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.adapter.list()
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        self.adapter.list_prefix(prefix)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        self.adapter.list_dir(prefix)
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        self.adapter.size_prefix(prefix)
    }
}

/// Runs `object_store`'s requests to completion on a small runtime of its own, so that
/// the lazy engine's workers can read remote chunks as they read local ones.
#[derive(Clone, Copy)]
struct Tokio;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("rangeo-io")
        .enable_all()
        .build()
        .expect("a tokio runtime for object storage")
});

impl AsyncToSyncBlockOn for Tokio {
    fn block_on<F: core::future::Future>(&self, future: F) -> F::Output {
        RUNTIME.block_on(future)
    }
}
