//! The memory budget and cancellation: plans that cannot fit are refused before they
//! run, with a message naming the step and a chunking that fits; a cancelled run stops
//! its tasks promptly and keeps nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rangeo::array::{DType, DataArray};
use rangeo::compute::{Control, Distribution, Executor, Lazy, Plan, Random, ThreadPool};
use rangeo::prelude::*;

const MIB: usize = 1 << 20;

fn random(shape: &[usize], chunks: &[usize]) -> DataArray {
    let source = Random::new(shape, chunks, DType::Float64, Distribution::Uniform, 1);
    DataArray::new(["time", "y", "x"], Lazy::from_source(Arc::new(source))).unwrap()
}

#[test]
fn plans_over_the_budget_are_refused_before_running() {
    // 64 MiB chunks against a 100 MiB budget: a mean's task needs the chunk, its
    // float64 copy and the partial sums.
    let big = random(&[64, 512, 256], &[64, 512, 256]);
    let mean = big.mean("time").unwrap();
    let lazy = mean.data().lazy().unwrap();
    let error = Plan::new(std::slice::from_ref(lazy), 100 * MIB, true).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("one task of step `mean`")
            && message.contains("more than the memory budget of 100.00 MiB")
            && message.contains("chunks of [64, 512, 256] float64")
            && message.contains("chunks of about [")
            && message.contains("would fit"),
        "{message}"
    );
    // The suggested chunking does fit.
    let small = random(&[64, 512, 256], &[64, 128, 256])
        .mean("time")
        .unwrap();
    assert!(
        Plan::new(
            std::slice::from_ref(small.data().lazy().unwrap()),
            100 * MIB,
            true
        )
        .is_ok()
    );
    // A result that cannot be held in memory is refused too.
    let whole = (&random(&[256, 512, 256], &[16, 512, 256]) + 1.0)
        .data()
        .lazy()
        .unwrap()
        .clone();
    let message = Plan::new(&[whole], 100 * MIB, true)
        .unwrap_err()
        .to_string();
    assert!(message.starts_with("computing this needs"), "{message}");
    // Through the notebook API, with the kernel's budget.
    set_options(|o| o.memory_budget = 100 * MIB);
    let refused = big.mean("time").unwrap().compute().unwrap_err();
    assert!(
        refused.to_string().starts_with("one task of step `mean`"),
        "{refused}"
    );
    set_options(|o| o.memory_budget = 1 << 30);
    assert!(big.mean("time").unwrap().compute().is_ok());
}

/// Stops the run after `after` ticks, recording when.
struct StopAfter {
    ticks: usize,
    after: usize,
    stopped_at: Option<Instant>,
}

impl Control for StopAfter {
    fn budget(&self) -> usize {
        1 << 30
    }

    fn tick(&mut self, done: usize, total: usize, _bytes: usize) -> bool {
        assert!(done <= total);
        self.ticks += 1;
        if self.ticks >= self.after && self.stopped_at.is_none() {
            self.stopped_at = Some(Instant::now());
        }
        self.stopped_at.is_none()
    }
}

#[test]
fn a_cancelled_run_stops_promptly_and_keeps_nothing() {
    // About 2 GiB of random numbers in 256 chunks: seconds of work on two cores.
    let big = random(&[4096, 256, 256], &[16, 256, 256]);
    let lazy = (&big * 2.0)
        .mean("time")
        .unwrap()
        .data()
        .lazy()
        .unwrap()
        .clone();
    let plan = Arc::new(Plan::new(&[lazy], 1 << 30, true).unwrap());
    let mut control = StopAfter {
        ticks: 0,
        after: 3,
        stopped_at: None,
    };
    let delivered = AtomicUsize::new(0);
    let result = ThreadPool.execute(&plan, &mut control, &|_, _| {
        delivered.fetch_add(1, Ordering::Relaxed);
        Ok(())
    });
    let stopped = control.stopped_at.expect("the run ticked");
    let error = result.unwrap_err();
    assert!(
        error.to_string().starts_with("interrupted after")
            && error.to_string().ends_with("nothing was kept"),
        "{error}"
    );
    assert_eq!(delivered.into_inner(), 0, "no output chunk after a cancel");
    assert!(
        stopped.elapsed() < Duration::from_secs(1),
        "stopped {:?} after the cancel",
        stopped.elapsed()
    );
}
