//! What compiled cells call: the contract between the kernel's generated code and the
//! runtime.
//!
//! The kernel compiles each cell into a small shared library that links against this
//! crate as a Rust `dylib`, so every cell of a kernel shares one copy of the runtime and
//! its state (thread pool, caches, the variables below). The evaluation process
//! ([`serve`]) loads each cell and calls its entry point, which looks like this:
//!
//! ```
//! # use rangeo::prelude::*;
//! # rangeo::cell::keep("total", 1_i64);
//! // variables of earlier cells are taken out of the store...
//! let mut total: i64 = rangeo::cell::take("total");
//! rangeo::cell::run(|| {
//!     // ...the cell's statements run inside `run`, which reports a panic, an `Err`
//!     // returned through `?` or an interrupt as the cell's error...
//!     total += 41;
//!     let label = format!("total = {total}");
//!     // ...its new variables are kept, and its final expression is shown.
//!     rangeo::cell::keep("label", label);
//!     rangeo::cell::show!(total);
//!     Ok(())
//! });
//! // Whatever happened, the variables it borrowed go back.
//! rangeo::cell::put_back("total", total);
//! # assert_eq!(rangeo::cell::take::<i64>("total"), 42);
//! ```
//!
//! Nothing here is meant to be called by hand in a notebook; user-facing items are in
//! the [`prelude`](crate::prelude).

mod interrupt;
mod serve;
mod show;
mod store;

pub use interrupt::{Interrupted, check_interrupt};
pub use serve::serve;
pub use show::{Show, ShowAny, ShowDebug, ShowRepr, show};
pub use store::{forget, keep, put_back, take};

pub(crate) use interrupt::requested as interrupt_requested;
pub(crate) use serve::serving;
pub(crate) use store::names;

use std::fmt::Display;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::protocol;

/// The error a cell returns through `?`: any error converts into it, through its
/// `Display` text.
///
/// It deliberately does not implement `Display` itself, so the blanket conversion does
/// not overlap with `From<T> for T`.
#[derive(Debug)]
pub struct CellError {
    message: String,
}

impl<E: Display> From<E> for CellError {
    fn from(error: E) -> Self {
        Self {
            message: error.to_string(),
        }
    }
}

/// What the body of a cell returns.
pub type Result = std::result::Result<(), CellError>;

/// Runs a cell's statements. A panic (already reported by the panic hook that [`serve`]
/// installed), an interrupt or an `Err` ends the body; each is reported on stdout, and
/// `run` returns so that the variables the body borrowed can be put back.
pub fn run(body: impl FnOnce() -> Result) {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Err(error)) => protocol::emit(&protocol::user_error_line(&error.message)),
        Err(payload) if payload.is::<Interrupted>() => {
            protocol::emit(&format!("{}{{}}", protocol::INTERRUPTED));
        }
        // Success, or a panic, which the panic hook has reported.
        Ok(Ok(())) | Err(_) => {}
    }
}
