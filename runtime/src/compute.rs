//! Lazy chunked compute: arrays larger than memory, worked on chunk by chunk, in
//! parallel, within a memory budget.
//!
//! A lazy array ([`Lazy`]) is a plan: steps from sources ([`ChunkSource`]) through
//! element-by-element operations, selections, rechunks, concatenations and reductions.
//! Building it computes nothing. Computing it ([`Plan`]) fuses chains of steps into one
//! task per output chunk (so intermediates never exist whole), projects every task's
//! peak memory and refuses a plan that cannot fit the kernel's budget before anything
//! runs, then runs the tasks on an [`Executor`] (the kernel's thread pool by default)
//! with a progress bar, stopping promptly on an interrupt.
//!
//! Labeled arrays use this through their data: `.chunk(...)` makes a `DataArray`
//! lazy, every operation on it extends the plan, `.compute()` runs it.
//!
//! ```
//! use rangeo::prelude::*;
//! let air = DataArray::new(["time", "x"], ndarray::Array2::from_shape_fn((100, 8), |(t, x)| (t * x) as f64))?
//!     .chunk([("time", 10)])?;
//! let anomaly = &air - &air.mean("time")?;
//! // Nothing has run yet: 10 chunks, 2 stages (the mean, then the anomaly).
//! assert_eq!(anomaly.data().lazy().unwrap().chunks().len(), 10);
//! let eager = anomaly.compute()?;
//! assert!(eager.values::<f64>()?.sum().abs() < 1e-9);
//! # Ok::<(), rangeo::Error>(())
//! ```

mod chunks;
mod elementwise;
mod executor;
mod groups;
mod lazy;
mod memory;
mod partial;
mod plan;
mod run;
mod scratch;
mod source;
mod target;
mod task;
mod whole;

pub use chunks::Chunks;
pub use executor::{Control, Deliver, Executor, ThreadPool};
pub use lazy::Lazy;
pub use memory::format_bytes;
pub use partial::Fields;
pub use plan::{Plan, Task};
pub use run::set_executor;
pub use source::{ChunkSource, Distribution, InMemory, Random};
pub use target::ChunkTarget;
pub use task::Inputs;

pub(crate) use elementwise::Elementwise;
pub(crate) use groups::Groups;
pub(crate) use lazy::arrange_block;
pub(crate) use memory::{default_budget, keep_freed_memory};
pub(crate) use run::{Watch, compute, persist, stream};
pub(crate) use scratch::SCRATCH;
pub(crate) use source::{copy_chunk, put, slice};
pub(crate) use target::runs;
