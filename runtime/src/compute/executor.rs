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
    /// soon as it is made. Stops at the first error, or when `control` says so; either
    /// way no task is left running when it returns.
    fn execute(
        &self,
        plan: &Arc<Plan>,
        control: &mut dyn Control,
        deliver: &mut dyn FnMut(Task, Arc<Fields>) -> Result<(), Error>,
    ) -> Result<(), Error>;
}

/// Runs tasks on the kernel's thread pool ([`crate::session::thread_pool`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadPool;

/// What a worker sends back: a chunk of each stage of the group, or that it stopped.
enum Message {
    Done(usize, Result<Vec<Arc<Fields>>, Error>),
    Finished,
}

/// The kept chunks of one stage, in row-major order.
type Store = Arc<Vec<Arc<Fields>>>;

/// What the stages of one run share.
struct Shared {
    plan: Arc<Plan>,
    cancel: Arc<AtomicBool>,
    bytes_read: Arc<AtomicUsize>,
}

impl Executor for ThreadPool {
    fn execute(
        &self,
        plan: &Arc<Plan>,
        control: &mut dyn Control,
        deliver: &mut dyn FnMut(Task, Arc<Fields>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let shared = Shared {
            plan: Arc::clone(plan),
            cancel: Arc::new(AtomicBool::new(false)),
            bytes_read: Arc::new(AtomicUsize::new(0)),
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
/// to `control` and handing output chunks to `deliver`; returns the chunks of each of
/// its stages that a later stage reads.
fn run_group(
    shared: &Shared,
    group: usize,
    stores: &[Option<Store>],
    control: &mut dyn Control,
    deliver: &mut dyn FnMut(Task, Arc<Fields>) -> Result<(), Error>,
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
    let receiver = spawn_workers(shared, group, tasks, workers, stores);
    let keep: Vec<bool> = members
        .iter()
        .map(|&stage| plan.read_from(stage, stage + 1))
        .collect();
    let mut chunks: Vec<Vec<Option<Arc<Fields>>>> = vec![vec![None; tasks]; members.len()];
    let mut failure = None;
    let mut finished = 0;
    while finished < workers {
        match receiver.recv_timeout(Duration::from_millis(50)) {
            Ok(Message::Done(chunk, Ok(fields))) => {
                *done += members.len();
                for (k, (&stage, fields)) in members.iter().zip(fields).enumerate() {
                    if plan.outputs.contains(&stage)
                        && let Err(error) = deliver(Task { stage, chunk }, Arc::clone(&fields))
                    {
                        failure.get_or_insert(error);
                        shared.cancel.store(true, Ordering::Relaxed);
                    }
                    if keep[k] {
                        chunks[k][chunk] = Some(fields);
                    }
                }
            }
            Ok(Message::Done(_, Err(error))) => {
                failure.get_or_insert(error);
                shared.cancel.store(true, Ordering::Relaxed);
            }
            Ok(Message::Finished) => finished += 1,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if !control.tick(*done, total, shared.bytes_read.load(Ordering::Relaxed))
            && !shared.cancel.swap(true, Ordering::Relaxed)
        {
            failure.get_or_insert(Error::Interrupted(String::new()));
        }
    }
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

/// Starts `workers` workers on the pool, each taking the next chunk of group `group`
/// until all `tasks` are taken or the run is cancelled; they report on the channel
/// returned.
fn spawn_workers(
    shared: &Shared,
    group: usize,
    tasks: usize,
    workers: usize,
    stores: &[Option<Store>],
) -> crossbeam_channel::Receiver<Message> {
    let plan = &shared.plan;
    let pool = crate::session::thread_pool();
    let queue = Arc::new(TaskQueue::new(tasks));
    let (sender, receiver) = crossbeam_channel::unbounded();
    let inputs: Arc<Vec<Option<Store>>> = Arc::new(stores.to_vec());
    for _ in 0..workers {
        let (plan, queue, sender, inputs, cancel, bytes_read) = (
            Arc::clone(plan),
            Arc::clone(&queue),
            sender.clone(),
            Arc::clone(&inputs),
            Arc::clone(&shared.cancel),
            Arc::clone(&shared.bytes_read),
        );
        pool.spawn(move || {
            let read = |task: Task| {
                let store = inputs[task.stage].as_ref().expect("earlier stage ran");
                Arc::clone(&store[task.chunk])
            };
            let context = Inputs {
                read: &read,
                cancel: &cancel,
                bytes_read: &bytes_read,
            };
            while let Some(chunk) = queue.take() {
                if cancel.load(Ordering::Relaxed) {
                    break;
                }
                let run = || plan.run_group(group, chunk, &context);
                let run = || if workers > 1 { queue.run(run) } else { run() };
                let result = catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|payload| {
                    Err(Error::Operation(panic_message(
                        &plan,
                        group,
                        chunk,
                        payload.as_ref(),
                    )))
                });
                if sender.send(Message::Done(chunk, result)).is_err() {
                    break;
                }
            }
            let _ = sender.send(Message::Finished);
        });
    }
    receiver
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
