//! Where stores live: a URL or path turned into a `zarrs` store. Local paths and
//! `file://` URLs are read from the file system; `http(s)://`, `s3://`, `gs://` and
//! `az://` (also `abfs://`) through `object_store`, configured as their users expect:
//! from the environment (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SKIP_SIGNATURE`, `GOOGLE_*`, `AZURE_*`, ...) and from options that override it;
//! `memory://name` is a store in this process's memory, for tests and scratch work.
//!
//! Writes replace whole objects: a local file is written beside its key and renamed
//! over it, an object store's PUT is atomic, so a reader never sees half a chunk.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use zarrs::filesystem::FilesystemStore;
use zarrs::storage::byte_range::{ByteRange, ByteRangeIterator, extract_byte_ranges};
use zarrs::storage::storage_adapter::async_to_sync::{
    AsyncToSyncBlockOn, AsyncToSyncStorageAdapter,
};
use zarrs::storage::{
    Bytes, ListableStorageTraits, MaybeBytes, MaybeBytesIterator, OffsetBytesIterator,
    ReadableListableStorage, ReadableStorageTraits, StorageError, StoreKey, StoreKeys,
    StoreKeysPrefixes, StorePrefix, WritableStorageTraits,
};
use zarrs_object_store::AsyncObjectStore;
use zarrs_object_store::object_store::memory::InMemory;
use zarrs_object_store::object_store::{self, ObjectStore, ObjectStoreExt, prefix::PrefixStore};

use super::cache;
use crate::Error;

/// A store opened from a URL, with the URL kept for messages.
pub(crate) struct Store {
    /// The URL or path as the user gave it.
    pub(crate) url: String,
    pub(crate) storage: ReadableListableStorage,
    /// The directory of a store of local files, whose keys are files under it.
    pub(crate) root: Option<PathBuf>,
    /// Where writes go, or why there are none.
    writes: Result<Arc<dyn WritableStorageTraits>, String>,
}

impl Store {
    /// Opens the store at `url` to read, with `options` (`object_store`'s configuration
    /// keys, such as `aws_endpoint` or `aws_skip_signature`) over the environment's.
    pub(crate) fn open(url: &str, options: &[(String, String)]) -> Result<Self, Error> {
        Self::connect(url, options, false)
    }

    /// Opens the store at `url` to read and write, making a local directory when
    /// there is none.
    pub(crate) fn create(url: &str, options: &[(String, String)]) -> Result<Self, Error> {
        Self::connect(url, options, true)
    }

    fn connect(url: &str, options: &[(String, String)], create: bool) -> Result<Self, Error> {
        let root = match url.split_once("://") {
            None => Some(Path::new(url)),
            Some(("file", path)) => Some(Path::new(path)),
            Some(_) => None,
        };
        let (storage, writes) = match root {
            Some(path) => local(url, path, create)?,
            None => remote(url, options)?,
        };
        Ok(Self {
            url: url.to_owned(),
            storage,
            root: root.map(Path::to_path_buf),
            writes,
        })
    }

    /// The store's writer: an error for read-only stores.
    pub(crate) fn writable(&self) -> Result<Arc<dyn WritableStorageTraits>, Error> {
        self.writes
            .clone()
            .map_err(|why| Error::Storage(format!("cannot write to {}: {why}", self.url)))
    }

    /// Stores `bytes` at `key`, whole.
    pub(crate) fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), Error> {
        let writes = self.writable()?;
        writes
            .set(&store_key(key), Bytes::from(bytes))
            .map_err(|e| Error::Storage(format!("cannot write {key} in {}: {e}", self.url)))
    }

    /// Deletes everything under `prefix` (`""`: the whole store).
    pub(crate) fn delete_prefix(&self, prefix: &str) -> Result<(), Error> {
        let writes = self.writable()?;
        let prefix = StorePrefix::new(prefix)
            .map_err(|e| Error::Storage(format!("cannot delete {prefix} in {}: {e}", self.url)))?;
        writes
            .erase_prefix(&prefix)
            .map_err(|e| Error::Storage(format!("cannot delete {prefix} in {}: {e}", self.url)))
    }
}

/// A store key from a path inside the store.
pub(crate) fn store_key(key: &str) -> StoreKey {
    StoreKey::new(key).unwrap_or_else(|e| panic!("{key:?} is a valid store key: {e}"))
}

/// What a store reads, and where it writes (or why it does not).
type Connected = (
    ReadableListableStorage,
    Result<Arc<dyn WritableStorageTraits>, String>,
);

fn local(url: &str, path: &Path, create: bool) -> Result<Connected, Error> {
    if create && !path.exists() {
        std::fs::create_dir_all(path)
            .map_err(|e| Error::Storage(format!("cannot make the store {url}: {e}")))?;
    }
    if !path.is_dir() {
        return Err(Error::Storage(format!(
            "no Zarr store at {url}: {} is not a directory",
            path.display()
        )));
    }
    let storage = Arc::new(
        FilesystemStore::new(path)
            .map_err(|e| Error::Storage(format!("cannot open the store {url}: {e}")))?,
    );
    let files = Files {
        root: path.to_path_buf(),
        store: storage.clone(),
    };
    Ok((storage, Ok(Arc::new(files))))
}

/// Local files written whole: each to a temporary file beside it, then renamed over
/// it (`FilesystemStore` truncates and writes in place, which a crash can tear).
struct Files {
    root: PathBuf,
    store: Arc<FilesystemStore>,
}

/// Makes the temporary names of concurrent writes distinct.
static WRITES: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to the local file `path` whole or not at all: to a temporary file
/// beside it, then renamed over it, so a crash or a full disk never leaves half a file.
pub(crate) fn write_whole(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let n = WRITES.fetch_add(1, Ordering::Relaxed);
    let temporary = dir.join(format!(".{name}.{}.{n}.partial", std::process::id()));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(bytes))
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

impl WritableStorageTraits for Files {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        let path = self.root.join(key.as_str());
        let dir = path.parent().expect("a key names a file under the root");
        std::fs::create_dir_all(dir)?;
        Ok(write_whole(&path, &value)?)
    }

    fn set_partial_many(
        &self,
        key: &StoreKey,
        _offset_values: OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        Err(StorageError::Other(format!(
            "{key} is written whole, never in part"
        )))
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.store.erase(key)
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        if !prefix.as_str().is_empty() {
            return self.store.erase_prefix(prefix);
        }
        // The whole store: its contents, not the directory the user named.
        for entry in std::fs::read_dir(&self.root)? {
            let path = entry?.path();
            if path.is_dir() {
                std::fs::remove_dir_all(path)?;
            } else {
                std::fs::remove_file(path)?;
            }
        }
        Ok(())
    }

    fn supports_set_partial(&self) -> bool {
        false
    }
}

/// The in-memory stores of this process, by name.
static MEMORY: LazyLock<Mutex<HashMap<String, Arc<InMemory>>>> = LazyLock::new(Mutex::default);

/// The environment variables that configure each kind of object store, as
/// `object_store`'s builders read them.
const ENVIRONMENT_PREFIXES: [&str; 3] = ["AWS_", "GOOGLE_", "AZURE_"];

fn remote(url: &str, options: &[(String, String)]) -> Result<Connected, Error> {
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::Storage(format!("cannot read {url} as a URL: {e}")))?;
    let read_only = matches!(parsed.scheme(), "http" | "https");
    let store: Arc<dyn ObjectStore> = if parsed.scheme() == "memory" {
        let name = format!("{}{}", parsed.host_str().unwrap_or(""), parsed.path());
        MEMORY
            .lock()
            .expect("memory stores")
            .entry(name)
            .or_default()
            .clone()
    } else {
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
        if path.as_ref().is_empty() {
            store.into()
        } else {
            Arc::new(PrefixStore::new(store, path))
        }
    };
    let remote = Arc::new(Remote {
        cached_as: (parsed.scheme() != "memory").then(|| url.to_owned()),
        objects: store.clone(),
        adapter: AsyncToSyncStorageAdapter::new(Arc::new(AsyncObjectStore::new(store)), Tokio),
    });
    let writes: Result<Arc<dyn WritableStorageTraits>, String> = if read_only {
        Err("HTTP stores are read-only; write to a local path or to s3://, gs:// or az://".into())
    } else {
        Ok(remote.clone())
    };
    Ok((remote, writes))
}

/// An object store read synchronously. zarrs's adapter asks for an object's size (a
/// HEAD request) before every read; this reads whole objects and ranges whose ends are
/// known without it, and leaves the rest (ranges from the end, listings) to the
/// adapter.
struct Remote {
    /// The store's URL, which the kernel's cache keeps its objects under (`None`: a
    /// store in memory, never cached).
    cached_as: Option<String>,
    objects: Arc<dyn ObjectStore>,
    adapter: AsyncToSyncStorageAdapter<AsyncObjectStore<Arc<dyn ObjectStore>>, Tokio>,
}

impl Remote {
    /// Drops what the kernel's cache holds of `key` (every key under it when
    /// `prefix`): this kernel changed it. (After the change, so that a read racing
    /// with it leaves nothing stale behind.)
    fn forget(&self, key: &str, prefix: bool) {
        if let Some(url) = &self.cached_as {
            cache::forget(url, key, prefix);
        }
    }
}

impl ReadableStorageTraits for Remote {
    fn get(&self, key: &StoreKey) -> Result<MaybeBytes, StorageError> {
        let read = || {
            Tokio.block_on(async {
                match self.objects.get(&object_path(key)).await {
                    Ok(found) => Ok(Some(found.bytes().await.map_err(|e| storage_error(&e))?)),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(storage_error(&e)),
                }
            })
        };
        match &self.cached_as {
            Some(url) => cache::get(url, key.as_str(), read),
            None => read(),
        }
    }

    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        let ranges: Vec<ByteRange> = byte_ranges.collect();
        let bounded: Option<Vec<std::ops::Range<u64>>> = ranges
            .iter()
            .map(|r| match *r {
                ByteRange::FromStart(start, Some(length)) => Some(start..start + length),
                _ => None,
            })
            .collect();
        let parts = match bounded {
            // object_store merges ranges less than a megabyte apart into one request
            // and sends the others concurrently.
            Some(bounded) => {
                match Tokio.block_on(self.objects.get_ranges(&object_path(key), &bounded)) {
                    Ok(parts) => Ok(Some(parts)),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(storage_error(&e)),
                }
            }
            None => self
                .adapter
                .get_partial_many(key, Box::new(ranges.clone().into_iter()))
                .and_then(|parts| {
                    parts
                        .map(Iterator::collect::<Result<Vec<_>, _>>)
                        .transpose()
                }),
        };
        let parts = match parts {
            // A plain HTTP server may answer a range with the whole object (tornado does
            // for a range covering all of it), which object_store refuses (its error
            // reads so): the object is read whole and the ranges cut from it.
            Err(e) if e.to_string().contains("Range request not supported") => {
                let Some(whole) = self.get(key)? else {
                    return Ok(None);
                };
                Some(
                    extract_byte_ranges(&whole, ranges.into_iter())?
                        .into_iter()
                        .map(Bytes::from)
                        .collect(),
                )
            }
            parts => parts?,
        };
        Ok(parts.map(|p| Box::new(p.into_iter().map(Ok)) as _))
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.adapter.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.adapter.supports_get_partial()
    }
}

impl WritableStorageTraits for Remote {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        let done = self.adapter.set(key, value);
        self.forget(key.as_str(), false);
        done
    }

    fn set_partial_many(
        &self,
        key: &StoreKey,
        offset_values: OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        let done = self.adapter.set_partial_many(key, offset_values);
        self.forget(key.as_str(), false);
        done
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        let done = self.adapter.erase(key);
        self.forget(key.as_str(), false);
        done
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        let done = self.adapter.erase_prefix(prefix);
        self.forget(prefix.as_str(), true);
        done
    }

    fn supports_set_partial(&self) -> bool {
        false
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

/// The object store's path of `key`.
fn object_path(key: &StoreKey) -> object_store::path::Path {
    object_store::path::Path::from(key.as_str())
}

/// An object store's error as a storage error, its message kept.
fn storage_error(e: &object_store::Error) -> StorageError {
    StorageError::Other(e.to_string())
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

/// Runs `future` on the runtime that object storage and STAC API requests share (from
/// a thread that is not one of its own).
pub(crate) fn block_on<F: core::future::Future>(future: F) -> F::Output {
    RUNTIME.block_on(future)
}

impl AsyncToSyncBlockOn for Tokio {
    fn block_on<F: core::future::Future>(&self, future: F) -> F::Output {
        RUNTIME.block_on(future)
    }
}
