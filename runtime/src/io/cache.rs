//! The kernel's cache of objects read from remote stores (HTTP, S3, GCS, Azure): chunks
//! and metadata as the server sent them, still encoded, shared by every store the
//! kernel opens, the least recently used dropped first. Off unless
//! [`Options::chunk_cache`](crate::session::Options::chunk_cache) gives it a size: a
//! notebook that computes on the same remote data again then reads it from memory
//! instead of the network.
//!
//! What this kernel writes replaces what the cache holds; what others write to a store
//! is not seen while its old objects are cached (as with fsspec's caches). Setting the
//! size to 0 empties it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex};

use zarrs::storage::{Bytes, MaybeBytes, StorageError};

/// An object: the store's URL and the key in it.
type Key = (String, String);

#[derive(Default)]
struct Lru {
    /// Each object with the tick it was last used at.
    objects: HashMap<Key, (Bytes, u64)>,
    /// Objects by the tick they were last used at: the first is dropped first.
    order: BTreeMap<u64, Key>,
    bytes: usize,
    tick: u64,
}

static CACHE: LazyLock<Mutex<Lru>> = LazyLock::new(Mutex::default);

impl Lru {
    fn touch(&mut self, key: &Key) -> Option<Bytes> {
        self.tick += 1;
        let (bytes, used) = self.objects.get_mut(key)?;
        self.order.remove(used);
        *used = self.tick;
        self.order.insert(self.tick, key.clone());
        Some(bytes.clone())
    }

    fn remove(&mut self, key: &Key) {
        if let Some((bytes, used)) = self.objects.remove(key) {
            self.order.remove(&used);
            self.bytes -= bytes.len();
        }
    }

    /// Drops the least recently used objects until `room` more bytes fit in `limit`.
    fn shrink(&mut self, limit: usize, room: usize) {
        while self.bytes + room > limit {
            let Some((_, key)) = self.order.pop_first() else {
                break;
            };
            let (bytes, _) = self.objects.remove(&key).expect("ordered objects are held");
            self.bytes -= bytes.len();
        }
    }

    fn insert(&mut self, key: Key, bytes: Bytes, limit: usize) {
        self.remove(&key);
        if bytes.len() > limit {
            return;
        }
        self.shrink(limit, bytes.len());
        self.tick += 1;
        self.bytes += bytes.len();
        self.order.insert(self.tick, key.clone());
        self.objects.insert(key, (bytes, self.tick));
    }
}

fn limit() -> usize {
    crate::session::options().chunk_cache
}

/// Object `key` of the store at `url`: from the cache, or read by `read` (and kept,
/// when the cache is on).
pub(super) fn get(
    url: &str,
    key: &str,
    read: impl FnOnce() -> Result<MaybeBytes, StorageError>,
) -> Result<MaybeBytes, StorageError> {
    let limit = limit();
    let at = (url.to_owned(), key.to_owned());
    {
        let mut cache = CACHE.lock().expect("cache lock");
        if limit == 0 {
            cache.shrink(0, 0);
        } else if let Some(bytes) = cache.touch(&at) {
            return Ok(Some(bytes));
        }
    }
    let read = read()?;
    if let Some(bytes) = &read
        && limit > 0
    {
        CACHE
            .lock()
            .expect("cache lock")
            .insert(at, bytes.clone(), limit);
    }
    Ok(read)
}

/// Forgets object `key` of the store at `url`, or every object under it when
/// `prefix`: this kernel wrote or deleted it.
pub(super) fn forget(url: &str, key: &str, prefix: bool) {
    let mut cache = CACHE.lock().expect("cache lock");
    if !prefix {
        cache.remove(&(url.to_owned(), key.to_owned()));
        return;
    }
    let stale: Vec<Key> = cache
        .objects
        .keys()
        .filter(|(u, k)| u == url && k.starts_with(key))
        .cloned()
        .collect();
    for key in &stale {
        cache.remove(key);
    }
}

/// The bytes the cache holds.
#[must_use]
pub fn chunk_cache_bytes() -> usize {
    CACHE.lock().expect("cache lock").bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Key {
        ("s3://bucket/store.zarr".to_owned(), k.to_owned())
    }

    #[test]
    fn the_least_recently_used_objects_go_first() {
        let mut lru = Lru::default();
        lru.insert(key("a"), Bytes::from(vec![0; 40]), 100);
        lru.insert(key("b"), Bytes::from(vec![1; 40]), 100);
        assert!(lru.touch(&key("a")).is_some());
        // 40 + 40 + 30 > 100: "b", used longest ago, goes.
        lru.insert(key("c"), Bytes::from(vec![2; 30]), 100);
        assert!(lru.touch(&key("b")).is_none());
        assert_eq!(lru.touch(&key("a")).unwrap()[0], 0);
        assert_eq!(lru.bytes, 70);
        // An object larger than the cache is not kept, and evicts nothing.
        lru.insert(key("d"), Bytes::from(vec![3; 101]), 100);
        assert!(lru.touch(&key("d")).is_none());
        assert_eq!(lru.bytes, 70);
        // Replacing an object counts its new size only.
        lru.insert(key("a"), Bytes::from(vec![4; 10]), 100);
        assert_eq!(lru.bytes, 40);
        lru.shrink(0, 0);
        assert_eq!((lru.bytes, lru.objects.len(), lru.order.len()), (0, 0, 0));
    }
}
