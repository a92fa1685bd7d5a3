//! State that exists once per kernel and is shared by every cell: the runtime is one
//! shared library, loaded once by the kernel's evaluation process, so its statics live
//! as long as the kernel and every cell sees the same ones.
//!
//! Options work like xarray's `set_options`: set in one cell, they hold for the cells
//! after it.
//!
//! ```
//! use rangeo::prelude::*;
//! set_options(|o| o.display_max_rows = 20);
//! assert_eq!(options().display_max_rows, 20);
//! // Parallel work in every cell runs on the kernel's one pool.
//! let total: u64 = thread_pool().install(|| (1..=4_u64).product());
//! assert_eq!(total, 24);
//! ```

use std::sync::{LazyLock, RwLock};

/// Kernel-wide settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Rows shown in text and HTML reprs before eliding (xarray's `display_max_rows`).
    pub display_max_rows: usize,
    /// Characters per line of text reprs (xarray's `display_width`).
    pub display_width: usize,
    /// Bytes that computing lazy data may hold at once (half the machine's memory by
    /// default). Plans whose tasks cannot fit are refused before they run.
    pub memory_budget: usize,
    /// Bytes of objects read from remote stores (HTTP, S3, GCS, Azure) that the kernel
    /// keeps to read again without the network: 0, the default, keeps none. Shared by
    /// every store; the least recently used go first. See [`crate::io`].
    pub chunk_cache: usize,
    /// Figure width and height in inches (matplotlib's `figure.figsize`), for plots
    /// that do not give their own size.
    pub plot_size: (f64, f64),
    /// Pixels per inch of figures (matplotlib's `figure.dpi`).
    pub plot_dpi: f64,
    /// The format of figures that do not name one.
    pub plot_format: crate::plot::Format,
    /// How long a computation runs before it shows a progress bar: half a second by
    /// default; zero shows one for every computation, as dask's `ProgressBar()` does.
    pub progress_after: std::time::Duration,
}

impl Default for Options {
    /// xarray's display defaults; half the machine's memory as the budget; no chunk
    /// cache; matplotlib's figure size (6.4 x 4.8 inches) at 100 dpi, as PNG; progress
    /// bars after half a second.
    fn default() -> Self {
        Self {
            display_max_rows: 12,
            display_width: 80,
            memory_budget: crate::compute::default_budget(),
            chunk_cache: 0,
            plot_size: (6.4, 4.8),
            plot_dpi: 100.0,
            plot_format: crate::plot::Format::Png,
            progress_after: std::time::Duration::from_millis(500),
        }
    }
}

static OPTIONS: LazyLock<RwLock<Options>> = LazyLock::new(RwLock::default);

/// The current options.
#[must_use]
pub fn options() -> Options {
    OPTIONS.read().expect("options lock").clone()
}

/// Changes options for the rest of the kernel's life.
pub fn set_options(change: impl FnOnce(&mut Options)) {
    change(&mut OPTIONS.write().expect("options lock"));
}

static POOL: LazyLock<rayon::ThreadPool> = LazyLock::new(|| {
    crate::compute::keep_freed_memory();
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("rangeo-worker-{i}"))
        .build()
        .expect("cannot start the runtime's worker threads")
});

/// The kernel's worker threads (one per core), on which the runtime runs parallel
/// work. Created by the first cell that needs it, then shared by all.
#[must_use]
pub fn thread_pool() -> &'static rayon::ThreadPool {
    &POOL
}
