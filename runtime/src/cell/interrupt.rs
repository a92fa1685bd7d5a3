//! Cooperative interrupts: the kernel's interrupt reaches the evaluation process as
//! `SIGINT`, which only raises a flag; runtime code and loops that call
//! [`check_interrupt`] stop there, so the cell ends cleanly and keeps its variables.

use std::sync::Arc;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Raised by `SIGINT` in the evaluation process (see [`super::serve`]).
pub(super) static FLAG: LazyLock<Arc<AtomicBool>> = LazyLock::new(Arc::default);

/// The unwinding payload of an interrupted cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// Stops the running cell if the user asked to interrupt it (the notebook's stop
/// button). Call it in long loops; runtime compute calls it between tasks. The cell
/// ends with an `Interrupted` error and every variable defined before it is kept.
///
/// ```
/// use rangeo::prelude::*;
/// let mut sum = 0_u64;
/// for i in 0..1_000_000 {
///     check_interrupt();
///     sum += i;
/// }
/// assert_eq!(sum, 499_999_500_000);
/// ```
pub fn check_interrupt() {
    if FLAG.swap(false, Ordering::SeqCst) {
        // Not `panic!`: an interrupt is not a bug, so the panic hook must not report it.
        std::panic::resume_unwind(Box::new(Interrupted));
    }
}

/// Whether the user asked to interrupt the running cell, without taking the request:
/// long computations poll it to stop their tasks, then call [`check_interrupt`].
pub(crate) fn requested() -> bool {
    FLAG.load(Ordering::SeqCst)
}

/// Forgets an interrupt that arrived when no cell was running, so it cannot stop the
/// next one.
pub(super) fn clear() {
    FLAG.store(false, Ordering::SeqCst);
}
