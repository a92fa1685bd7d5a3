//! Executors run plans. The default runs tasks on the kernel's thread pool, stage after
//! stage, never starting a task whose projected memory would take the total over the
//! budget. Another engine implements the same trait: a plan is data and a task is a
//! stage and a chunk number, so anything that can call [`Plan::run_task`] can run one.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;

use super::partial::Fields;
use super::plan::{Plan, Task};
use super::task::Inputs;
use crate::Error;
use crate::array::serially;

/// The tasks of one stage (chunk numbers `0..count`), handed to workers one at a time.
/// Tasks side by side run their array operations serially, one per worker; once the
/// last task is taken, the tasks still running spread theirs over the idle workers.
pub(crate) struct TaskQueue {
    next: AtomicUsize,
    count: usize,
    left: Arc<AtomicBool>,
}

impl TaskQueue {
    pub(crate) fn new(count: usize) -> Self {
        Self {
            next: AtomicUsize::new(0),
            count,
            left: Arc::new(AtomicBool::new(true)),
        }
    }

    /// The next task, or `None` when all are taken.
    pub(crate) fn take(&self) -> Option<usize> {
        let task = self.next.fetch_add(1, Ordering::Relaxed);
        if task + 1 >= self.count {
            self.left.store(false, Ordering::Relaxed);
        }
        (task < self.count).then_some(task)
    }

    /// Runs `f`, one task's work, serially while tasks are left for other workers.
    pub(crate) fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        serially(&self.left, f)
    }
}

/// What a run reports to, and takes its limits from.
pub trait Control {
    /// The bytes the run may hold at once.
    fn budget(&self) -> usize;

    /// Progress so far: tasks done of `total`, bytes read from sources. Called after
    /// each task and at least every 100 ms; returning `false` stops the run.
    fn tick(&mut self, done: usize, total: usize, bytes_read: usize) -> bool;
}

/// Runs the tasks of a plan.
pub trait Executor: Send + Sync {
    /// Runs every task of `plan`, handing each chunk of an output stage to `deliver` as
    /// soon as it is made, on the thread that made it (so that writing a chunk to a
    /// store, or into its place in a result, runs in parallel as the computing does).
    /// Stops at the first error, or when `control` says so; either way no task is left
    /// running when it returns.
    fn execute(
        &self,
        plan: &Arc<Plan>,
        control: &mut dyn Control,
        deliver: &Deliver<'_>,
    ) -> Result<(), Error>;
}

/// What receives each chunk of an output stage, on any worker.
pub type Deliver<'a> = dyn Fn(Task, Arc<Fields>) -> Result<(), Error> + Sync + 'a;

/// Runs tasks on the kernel's thread pool ([`crate::session::thread_pool`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadPool;

/// The kept chunks of one stage, in row-major order.
type Store = Arc<Vec<Arc<Fields>>>;

/// What the stages of one run share.
struct Shared {
    plan: Arc<Plan>,
    cancel: AtomicBool,
    bytes_read: AtomicUsize,
}

impl Executor for ThreadPool {
    fn execute(
        &self,
        plan: &Arc<Plan>,
        control: &mut dyn Control,
        deliver: &Deliver<'_>,
    ) -> Result<(), Error> {
        let shared = Shared {
            plan: Arc::clone(plan),
            cancel: AtomicBool::new(false),
            bytes_read: AtomicUsize::new(0),
        };
        let mut stores: Vec<Option<Store>> = vec![None; plan.stages.len()];
        let mut ran = vec![false; plan.stages.len()];
        let mut done = 0;
        for group in 0..plan.groups.len() {
            let kept = run_group(&shared, group, &stores, control, deliver, &mut done)?;
            for (&stage, kept) in plan.groups[group].stages.iter().zip(kept) {
                stores[stage] = kept;
                ran[stage] = true;
            }
            // Kept chunks no stage still to run reads are dropped now.
            for (earlier, store) in stores.iter_mut().enumerate() {
                let read = plan
                    .stages
                    .iter()
                    .enumerate()
                    .any(|(later, s)| !ran[later] && s.inputs.contains(&earlier));
                if !read {
                    *store = None;
                }
            }
        }
        Ok(())
    }
}

/// Runs the tasks of group `group` on as many workers as the budget allows, reporting
/// to `control`; workers hand output chunks to `deliver`. Returns the chunks of each
/// of its stages that a later stage reads.
fn run_group(
    shared: &Shared,
    group: usize,
    stores: &[Option<Store>],
    control: &mut dyn Control,
    deliver: &Deliver<'_>,
    done: &mut usize,
) -> Result<Vec<Option<Store>>, Error> {
    let plan = &shared.plan;
    let pool = crate::session::thread_pool();
    let total = plan.tasks();
    let members = &plan.groups[group].stages;
    let tasks = plan.stages[members[0]].root.chunks().len();
    let available = control
        .budget()
        .saturating_sub(plan.group_resident(&plan.groups[group], true));
    let workers = (available / plan.groups[group].peak.max(1))
        .clamp(1, pool.current_num_threads())
        .min(tasks);
    let keep: Vec<bool> = members
        .iter()
        .map(|&stage| plan.read_from(stage, stage + 1))
        .collect();
    let mut chunks: Vec<Vec<Option<Arc<Fields>>>> = vec![vec![None; tasks]; members.len()];
    let mut failure = None;
    let queue = TaskQueue::new(tasks);
    let (sender, receiver) = crossbeam_channel::unbounded();
    let work = Work {
        shared,
        group,
        stores,
        queue: &queue,
        deliver,
        parallel: workers > 1,
    };
    pool.in_place_scope(|scope| {
        for _ in 0..workers {
            let (work, sender) = (&work, sender.clone());
            scope.spawn(move |_| work.run(&sender));
        }
        drop(sender);
        // Workers run on the pool; this thread keeps their chunks and reports
        // progress until they are done.
        loop {
            match receiver.recv_timeout(Duration::from_millis(50)) {
                Ok((chunk, Ok(fields))) => {
                    *done += members.len();
                    for (k, fields) in fields.into_iter().enumerate() {
                        if keep[k] {
                            chunks[k][chunk] = Some(fields);
                        }
                    }
                }
                Ok((_, Err(error))) => {
                    failure.get_or_insert(error);
                    shared.cancel.store(true, Ordering::Relaxed);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if !control.tick(*done, total, shared.bytes_read.load(Ordering::Relaxed))
                && !shared.cancel.swap(true, Ordering::Relaxed)
            {
                failure.get_or_insert(Error::Interrupted(String::new()));
            }
        }
    });
    match failure {
        Some(Error::Interrupted(_)) => Err(Error::Interrupted(format!(
            "interrupted after {done} of {total} tasks; nothing was kept"
        ))),
        Some(error) => Err(error),
        None => Ok(chunks
            .into_iter()
            .zip(keep)
            .map(|(chunks, keep)| {
                keep.then(|| {
                    Arc::new(
                        chunks
                            .into_iter()
                            .map(|c| c.expect("every task ran"))
                            .collect(),
                    )
                })
            })
            .collect()),
    }
}

/// What a worker sends back for each task: the chunk and, computed, its stages' chunks.
type Done = (usize, Result<Vec<Arc<Fields>>, Error>);

/// What the workers of one group share.
struct Work<'a> {
    shared: &'a Shared,
    group: usize,
    stores: &'a [Option<Store>],
    queue: &'a TaskQueue,
    deliver: &'a Deliver<'a>,
    /// Whether several workers take tasks side by side.
    parallel: bool,
}

impl Work<'_> {
    /// Takes the next chunk of the group until all are taken or the run is cancelled:
    /// computes it, delivers its output stages' chunks and sends it back.
    fn run(&self, sender: &crossbeam_channel::Sender<Done>) {
        let plan = &self.shared.plan;
        let read = |task: Task| {
            let store = self.stores[task.stage].as_ref().expect("earlier stage ran");
            Arc::clone(&store[task.chunk])
        };
        let context = Inputs {
            read: &read,
            cancel: &self.shared.cancel,
            bytes_read: &self.shared.bytes_read,
        };
        while let Some(chunk) = self.queue.take() {
            if self.shared.cancel.load(Ordering::Relaxed) {
                break;
            }
            let run = || {
                let fields = plan.run_group(self.group, chunk, &context)?;
                for (&stage, fields) in plan.groups[self.group].stages.iter().zip(&fields) {
                    if plan.outputs.contains(&stage) {
                        (self.deliver)(Task { stage, chunk }, Arc::clone(fields))?;
                    }
                }
                Ok(fields)
            };
            let run = || {
                if self.parallel {
                    self.queue.run(run)
                } else {
                    run()
                }
            };
            let result = catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|payload| {
                Err(Error::Operation(panic_message(
                    plan,
                    self.group,
                    chunk,
                    payload.as_ref(),
                )))
            });
            if sender.send((chunk, result)).is_err() {
                break;
            }
        }
    }
}

/// The message of a task that panicked (a bug): which step and chunk, and why.
fn panic_message(
    plan: &Plan,
    group: usize,
    chunk: usize,
    payload: &(dyn std::any::Any + Send),
) -> String {
    let why = panic_text(payload);
    let names: Vec<&str> = plan.groups[group]
        .stages
        .iter()
        .map(|&s| plan.stages[s].root.name())
        .collect();
    format!(
        "chunk {chunk} of step `{}` failed: {why}",
        names.join("`, `")
    )
}

/// What a panic said (a bug's description), or "unknown cause".
pub(super) fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("unknown cause")
}
