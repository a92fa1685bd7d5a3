//! Computing lazy arrays from a cell: plan, check against the budget, run on the
//! kernel's executor with a progress bar, stop on an interrupt, collect the result.

use std::sync::{Arc, LazyLock, Mutex, RwLock};
use std::time::{Duration, Instant};

use ndarray::{ArrayD, IxDyn, Slice};

use super::executor::{Control, Executor, ThreadPool};
use super::lazy::Lazy;
use super::memory::format_bytes;
use super::plan::Plan;
use super::source::Persisted;
use super::whole::{Tally, read_whole};
use crate::Error;
use crate::array::{Element, Values, with_array};
use crate::display::Progress;

static EXECUTOR: LazyLock<RwLock<Arc<dyn Executor>>> =
    LazyLock::new(|| RwLock::new(Arc::new(ThreadPool)));

/// Runs every later computation of the kernel on `executor` (the thread pool by
/// default).
pub fn set_executor(executor: Arc<dyn Executor>) {
    *EXECUTOR.write().expect("executor lock") = executor;
}

fn executor() -> Arc<dyn Executor> {
    Arc::clone(&EXECUTOR.read().expect("executor lock"))
}

/// How a computation is watched: the kernel's budget, the notebook's interrupt, and a
/// progress bar in the notebook once it has run for a while.
pub(crate) struct Watch {
    budget: usize,
    /// How long before the progress bar shows.
    progress_after: Duration,
    label: String,
    started: Instant,
    bar: Option<Progress>,
}

impl Watch {
    /// Watches a computation of `label` with the kernel's budget.
    pub(crate) fn new(label: &str) -> Self {
        let options = crate::session::options();
        Self {
            budget: options.memory_budget,
            progress_after: options.progress_after,
            label: label.to_owned(),
            started: Instant::now(),
            bar: None,
        }
    }
}

impl Control for Watch {
    fn budget(&self) -> usize {
        self.budget
    }

    fn tick(&mut self, done: usize, total: usize, bytes_read: usize) -> bool {
        if self.bar.is_none()
            && crate::cell::serving()
            && self.started.elapsed() >= self.progress_after
        {
            self.bar = Some(Progress::new(
                format!("compute {}", self.label),
                total as u64,
            ));
        }
        if let Some(bar) = &mut self.bar {
            bar.set_detail(format!("{} read", format_bytes(bytes_read)));
            bar.set(done as u64);
        }
        !crate::cell::interrupt_requested()
    }
}

impl Drop for Watch {
    /// The computation is over: its bar ends full, and the buffers its reads reused go.
    fn drop(&mut self) {
        if let Some(bar) = &mut self.bar {
            bar.finish();
        }
        super::SCRATCH.release();
    }
}

/// Computes `outputs` into memory, sharing what they have in common. Bare reads of a
/// source are written straight into their results ([`read_whole`]); the plan computes
/// the rest.
pub(crate) fn compute(outputs: &[Lazy], watch: &mut Watch) -> Result<Vec<Values>, Error> {
    // The whole computation is checked against the budget, bare reads included.
    let plan = Plan::new(outputs, watch.budget, true)?;
    let threads = crate::session::thread_pool().current_num_threads();
    let available = watch.budget.saturating_sub(plan.output_bytes());
    let mut progress = Tally {
        done: 0,
        total: plan.tasks(),
    };
    let mut results: Vec<Option<Values>> = Vec::with_capacity(outputs.len());
    for (lazy, &stage) in outputs.iter().zip(&plan.outputs) {
        let workers = (available / plan.stages[stage].peak.max(1)).min(threads);
        let whole = ended(read_whole(lazy, workers, watch, &progress))?;
        if whole.is_some() {
            progress.done += lazy.chunks().len();
        }
        results.push(whole);
    }
    let rest: Vec<usize> = (0..outputs.len())
        .filter(|&i| results[i].is_none())
        .collect();
    if !rest.is_empty() {
        let planned: Vec<Lazy> = rest.iter().map(|&i| outputs[i].clone()).collect();
        let plan = if planned.len() == outputs.len() {
            plan
        } else {
            Plan::new(&planned, watch.budget, true)?
        };
        let mut control = Continued {
            watch: &mut *watch,
            before: progress,
        };
        // Each output's array, made when its first chunk comes; workers put their
        // chunks in place one at a time.
        let slots: Vec<Mutex<Option<Values>>> = rest.iter().map(|_| Mutex::default()).collect();
        run(&Arc::new(plan), &mut control, &|output, index, block| {
            let lazy = &planned[output];
            if block.is_empty() {
                return Ok(());
            }
            let region = lazy.chunks().region(index);
            let mut slot = slots[output].lock().expect("result lock");
            let result =
                slot.get_or_insert_with(|| with_array!(block, a => filled(a, lazy.shape())));
            with_array!(result, a => place(a, block, &region));
            Ok(())
        })?;
        for (slot, &i) in slots.into_iter().zip(&rest) {
            results[i] = slot.into_inner().expect("result lock");
        }
    }
    Ok(results
        .into_iter()
        .zip(outputs)
        .map(|(r, lazy)| {
            // Only an empty array has no chunk with elements.
            r.unwrap_or_else(|| {
                let axis = lazy.shape().iter().position(|&n| n == 0).expect("empty");
                lazy.meta()
                    .select(axis, &[])
                    .broadcast_to(lazy.shape())
                    .expect("an empty array")
            })
        })
        .collect())
}

/// A run that continues one that began with whole reads: its progress counted on from
/// theirs, out of the whole computation's tasks.
struct Continued<'a> {
    watch: &'a mut Watch,
    before: Tally,
}

impl Control for Continued<'_> {
    fn budget(&self) -> usize {
        self.watch.budget
    }

    fn tick(&mut self, done: usize, _total: usize, bytes_read: usize) -> bool {
        self.watch
            .tick(self.before.done + done, self.before.total, bytes_read)
    }
}

/// Computes `outputs` and keeps their chunks in memory, as lazy arrays cut the same way.
pub(crate) fn persist(outputs: &[Lazy], watch: &mut Watch) -> Result<Vec<Lazy>, Error> {
    let plan = Arc::new(Plan::new(outputs, watch.budget, true)?);
    let blocks: Mutex<Vec<Vec<Option<Arc<Values>>>>> = Mutex::new(
        outputs
            .iter()
            .map(|o| vec![None; o.chunks().len()])
            .collect(),
    );
    run(&plan, watch, &|output, index, block| {
        let flat = outputs[output].chunks().ravel(index);
        blocks.lock().expect("blocks lock")[output][flat] = Some(Arc::new(block.clone()));
        Ok(())
    })?;
    let blocks = blocks.into_inner().expect("blocks lock");
    Ok(outputs
        .iter()
        .zip(blocks)
        .map(|(lazy, blocks)| {
            Lazy::from_source(Arc::new(Persisted {
                name: lazy.name().to_owned(),
                shape: lazy.shape().to_vec(),
                chunks: lazy.chunks().clone(),
                blocks: blocks
                    .into_iter()
                    .map(|b| b.expect("every chunk"))
                    .collect(),
            }))
        })
        .collect())
}

/// Computes `outputs` chunk by chunk, handing each chunk to `deliver` on the worker
/// that made it, and keeping none, so outputs of any size pass through the memory
/// budget (writing a store streams this way, chunks encoded and written in parallel).
pub(crate) fn stream(
    outputs: &[Lazy],
    watch: &mut Watch,
    deliver: &Receive<'_>,
) -> Result<(), Error> {
    let plan = Arc::new(Plan::new(outputs, watch.budget, true)?);
    run(&plan, watch, deliver)
}

/// What receives each output chunk (output number, chunk index, values), on any
/// worker.
pub(crate) type Receive<'a> = dyn Fn(usize, &[usize], &Values) -> Result<(), Error> + Sync + 'a;

/// Runs `plan`, handing each output chunk (output number, chunk index, values) to
/// `deliver`.
fn run(plan: &Arc<Plan>, control: &mut dyn Control, deliver: &Receive<'_>) -> Result<(), Error> {
    ended(executor().execute(plan, control, &|task, fields| {
        for (output, &stage) in plan.outputs.iter().enumerate() {
            if stage == task.stage {
                let root = &plan.stages[stage].root;
                let index = root.chunks().unravel(task.chunk);
                deliver(output, &index, &fields[0])?;
            }
        }
        Ok(())
    }))
}

/// A run's result; an interrupt from the notebook ends the cell as interrupted.
fn ended<T>(result: Result<T, Error>) -> Result<T, Error> {
    if matches!(result, Err(Error::Interrupted(_))) && crate::cell::interrupt_requested() {
        crate::cell::check_interrupt();
    }
    result
}

/// An array of `shape` of `a`'s dtype, to be overwritten: numbers in zeroed memory
/// ([`Values::zeros`]), other dtypes filled with their default.
pub(super) fn filled<T: Element>(_a: &ArrayD<T>, shape: &[usize]) -> Values {
    Values::zeros(T::DTYPE, shape)
        .unwrap_or_else(|| Values::from_array(ArrayD::from_elem(IxDyn(shape), T::default())))
}

/// Copies `block` into `out` at `region`.
fn place<T: Element>(out: &mut ArrayD<T>, block: &Values, region: &[std::ops::Range<usize>]) {
    let block = T::array_of(block).expect("chunks have the array's dtype");
    out.slice_each_axis_mut(|axis| {
        let r = &region[axis.axis.index()];
        Slice::from(r.start..r.end)
    })
    .assign(block);
}

impl Lazy {
    /// Runs the plan and returns the values in memory.
    pub fn compute(&self) -> Result<Values, Error> {
        let mut watch = Watch::new(self.name());
        Ok(compute(std::slice::from_ref(self), &mut watch)?.remove(0))
    }

    /// Runs the plan and keeps the chunks in memory: later plans start from them.
    pub fn persist(&self) -> Result<Lazy, Error> {
        let mut watch = Watch::new(self.name());
        Ok(persist(std::slice::from_ref(self), &mut watch)?.remove(0))
    }
}
