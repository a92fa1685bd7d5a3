//! Bare reads of a source of numbers (`open_zarr(..).get("t").compute()`): every chunk
//! is written straight into its region of the result, by workers side by side, and a
//! store that can decodes it there. A read through the plan would copy each chunk once
//! more, on the one thread that collects the results.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;
use unsafe_cell_slice::UnsafeCellSlice;

use super::executor::{Control, TaskQueue, panic_text};
use super::lazy::Lazy;
use super::run::filled;
use super::target::ChunkTarget;
use crate::Error;
use crate::array::{Values, with_array};

/// Where a whole read stands among the tasks of one computation.
pub(crate) struct Tally {
    /// Tasks done before this read.
    pub(crate) done: usize,
    /// Tasks of the whole computation.
    pub(crate) total: usize,
}

/// The values of `lazy` when it is a bare read of a source of numbers, `None` otherwise
/// (the plan computes it). `workers` read at once: as many as the budget allows, each
/// holding one chunk being decoded. Reports to `control` like an executor; stops at
/// the first error or when `control` says so.
pub(crate) fn read_whole(
    lazy: &Lazy,
    workers: usize,
    control: &mut dyn Control,
    progress: &Tally,
) -> Result<Option<Values>, Error> {
    let Some(source) = lazy.source() else {
        return Ok(None);
    };
    if !lazy.dtype().is_numeric() || lazy.shape().contains(&0) {
        return Ok(None);
    }
    let mut result = with_array!(lazy.meta(), a => filled(a, lazy.shape()));
    let item = lazy.dtype().item_size().expect("numbers have a size");
    let shape: Vec<u64> = lazy.shape().iter().map(|&n| n as u64).collect();
    let bytes = UnsafeCellSlice::new(result.bytes_mut().expect("a fresh array of numbers"));
    let chunks = lazy.chunks();
    let tasks = chunks.len();
    let workers = workers.clamp(1, tasks);
    let queue = TaskQueue::new(tasks);
    let (done, bytes_read) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let cancel = AtomicBool::new(false);
    let failure: Mutex<Option<Error>> = Mutex::new(None);
    let fail = |error: Error| {
        failure.lock().expect("failure lock").get_or_insert(error);
        cancel.store(true, Ordering::Relaxed);
    };
    let (sender, receiver) = crossbeam_channel::unbounded::<()>();
    crate::session::thread_pool().in_place_scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (shape, queue, done, bytes_read, cancel, fail) =
                (&shape, &queue, &done, &bytes_read, &cancel, &fail);
            scope.spawn(move |_| {
                while let Some(chunk) = queue.take() {
                    if cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let index = chunks.unravel(chunk);
                    let region = chunks.region(&index);
                    let elements = region.iter().map(ExactSizeIterator::len).product::<usize>();
                    // SAFETY: the chunks of one grid are disjoint regions of the
                    // result, and each is written by the one worker that took it.
                    let target = unsafe { ChunkTarget::new(bytes, item, shape, region) }
                        .expect("a chunk lies within its array");
                    let read = || queue.run(|| source.read_into(&index, target));
                    match catch_unwind(AssertUnwindSafe(read)) {
                        Ok(Ok(())) => {
                            done.fetch_add(1, Ordering::Relaxed);
                            bytes_read.fetch_add(elements * item, Ordering::Relaxed);
                        }
                        Ok(Err(error)) => fail(error),
                        Err(payload) => fail(Error::Operation(format!(
                            "chunk {index:?} of `{}` failed: {}",
                            source.name(),
                            panic_text(payload.as_ref())
                        ))),
                    }
                    let _ = sender.send(());
                }
            });
        }
        drop(sender);
        // Workers run on the pool; this thread reports progress until they are done.
        while !matches!(
            receiver.recv_timeout(Duration::from_millis(50)),
            Err(RecvTimeoutError::Disconnected)
        ) {
            let now = progress.done + done.load(Ordering::Relaxed);
            let read = bytes_read.load(Ordering::Relaxed);
            if !control.tick(now, progress.total, read) && !cancel.load(Ordering::Relaxed) {
                fail(Error::Interrupted(format!(
                    "interrupted after {now} of {} tasks; nothing was kept",
                    progress.total
                )));
            }
        }
    });
    match failure.into_inner().expect("failure lock") {
        Some(error) => Err(error),
        None => Ok(Some(result)),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ndarray::{ArrayD, IxDyn};

    use super::super::source::{ChunkSource, InMemory};
    use super::super::{Chunks, Lazy};
    use crate::Error;
    use crate::array::Values;

    fn grid(shape: &[usize]) -> Values {
        let n = shape.iter().product::<usize>();
        Values::from_array(
            ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(|i| i as f32).collect()).unwrap(),
        )
    }

    #[test]
    fn chunks_cut_along_every_axis_land_in_their_regions() {
        // Chunks of 3 x 4 x 5 over 7 x 9 x 11: none is contiguous in the result, and
        // the last along each axis is shorter.
        let values = grid(&[7, 9, 11]);
        let chunks = Chunks::regular(&[7, 9, 11], &[3, 4, 5]);
        let lazy = Lazy::from_values(values.clone(), chunks).unwrap();
        assert_eq!(lazy.compute().unwrap(), values);
    }

    /// A source whose chunk `bad` fails, by an error or by a panic.
    #[derive(Debug)]
    struct Failing {
        inner: InMemory,
        bad: Vec<usize>,
        panics: bool,
    }

    impl ChunkSource for Failing {
        fn name(&self) -> &'static str {
            "failing"
        }
        fn shape(&self) -> &[usize] {
            self.inner.shape()
        }
        fn chunks(&self) -> &Chunks {
            self.inner.chunks()
        }
        fn meta(&self) -> Values {
            self.inner.meta()
        }
        fn read(&self, index: &[usize]) -> Result<Values, Error> {
            match (index == self.bad.as_slice(), self.panics) {
                (true, true) => panic!("a bug in chunk {index:?}"),
                (true, false) => Err(Error::Storage(format!("chunk {index:?} is corrupt"))),
                (false, _) => self.inner.read(index),
            }
        }
    }

    fn failing(panics: bool) -> Lazy {
        let chunks = Chunks::regular(&[6, 4], &[2, 2]);
        let inner = InMemory::new(Arc::new(grid(&[6, 4])), chunks).unwrap();
        Lazy::from_source(Arc::new(Failing {
            inner,
            bad: vec![1, 1],
            panics,
        }))
    }

    #[test]
    fn a_failed_chunk_fails_the_read_and_names_the_chunk() {
        let error = failing(false).compute().unwrap_err().to_string();
        assert!(error.contains("chunk [1, 1] is corrupt"), "{error}");
        let error = failing(true).compute().unwrap_err().to_string();
        assert!(
            error.contains("chunk [1, 1] of `failing` failed: a bug in chunk [1, 1]"),
            "{error}"
        );
    }
}
