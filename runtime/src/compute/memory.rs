//! Memory: how much a kernel may use for computing, and how sizes read.

/// The default memory budget: half of the memory the kernel may use (the machine's, or
/// its container's limit when lower), leaving the rest to the notebook server, the
/// operating system and the values cells keep.
pub(crate) fn default_budget() -> usize {
    let limit = CGROUP_LIMITS
        .iter()
        .filter_map(|path| cgroup_limit(&std::fs::read_to_string(path).ok()?))
        .min();
    limit.map_or(physical_memory(), |l| l.min(physical_memory())) / 2
}

/// Where a container's memory limit is written: cgroup v2, then v1. A JupyterHub on
/// Kubernetes sets it from the singleuser memory limit; the machine's memory, which
/// sysconf reports inside the container too, can be many times more. (dask reads the
/// same files for its workers' limits.)
const CGROUP_LIMITS: [&str; 2] = [
    "/sys/fs/cgroup/memory.max",
    "/sys/fs/cgroup/memory/memory.limit_in_bytes",
];

/// The limit in a cgroup memory file: bytes, or none for `max` (v2) and for v1's
/// "unlimited" (a number near `i64::MAX`, rounded down to a page).
fn cgroup_limit(text: &str) -> Option<usize> {
    let bytes: u64 = text.trim().parse().ok()?;
    (bytes < 1 << 60).then(|| usize::try_from(bytes).ok())?
}

/// The machine's memory in bytes (4 GiB when it cannot be read).
fn physical_memory() -> usize {
    // SAFETY: sysconf only reads system configuration.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    match (usize::try_from(pages), usize::try_from(size)) {
        (Ok(pages), Ok(size)) if pages > 0 && size > 0 => pages.saturating_mul(size),
        _ => 4 << 30,
    }
}

/// Tells the C allocator to keep up to 64 MiB of freed memory for reuse, and to map
/// directly from the system only blocks of 32 MiB and more. Tasks allocate and free
/// blocks of kilobytes to megabytes thousands of times a second; by default glibc
/// hands freed memory back and takes it again, page fault by page fault. Without these
/// settings the monthly climatology of `bench/lazy.py` takes 35% longer and the anomaly
/// std 17% longer.
pub(crate) fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator settings; it is called before the worker
    // threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
}

/// Bytes as dask prints them: `1.50 GiB`, `12.00 MiB`, `512 B`.
///
/// ```
/// use rangeo::compute::format_bytes;
/// assert_eq!(format_bytes(1536 << 20), "1.50 GiB");
/// assert_eq!(format_bytes(512), "512 B");
/// ```
#[must_use]
pub fn format_bytes(n: usize) -> String {
    let mut value = n as f64;
    for unit in ["B", "kiB", "MiB", "GiB", "TiB"] {
        if value < 1024.0 || unit == "TiB" {
            return if unit == "B" {
                format!("{n} B")
            } else {
                format!("{value:.2} {unit}")
            };
        }
        value /= 1024.0;
    }
    unreachable!("the last unit returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_limits_are_read_and_unlimited_ones_ignored() {
        assert_eq!(cgroup_limit("8589934592\n"), Some(8 << 30));
        assert_eq!(cgroup_limit("max\n"), None);
        assert_eq!(cgroup_limit("9223372036854771712\n"), None);
        assert_eq!(cgroup_limit(""), None);
        assert!(default_budget() <= physical_memory() / 2);
    }
}
