//! The evcxr evaluation context: compiles and runs cells, completes and inspects code.
//!
//! evcxr's `CommandContext` is neither `Send` nor cheap to create, so it lives on one
//! engine thread for the life of the kernel and the session talks to it through jobs.
//! It is created in the background at start-up, so the kernel answers `kernel_info`
//! at once while the first compilation warms up.

mod child;
mod completeness;
mod diagnostics;
mod hooks;

pub use child::prepare_evaluation_process;
pub use completeness::{Completeness, is_complete};
pub use diagnostics::CellError;

use std::collections::BTreeMap;
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use evcxr::{CommandContext, EvalCallbacks};

/// The evaluation process's output, line by line, as the relay consumes it.
pub struct Streams {
    /// Lines the cell wrote to stdout (and marker lines).
    pub stdout: Receiver<String>,
    /// Lines the cell wrote to stderr.
    pub stderr: Receiver<String>,
}

/// A successful cell: the mime bundle of its final expression (empty when it has none).
#[derive(Debug, Default)]
pub struct Executed {
    /// Mime type to data, as evcxr produced it.
    pub bundle: BTreeMap<String, String>,
    /// Wall time of the cell when `:timing` is on.
    pub timing: Option<Duration>,
}

/// Reads a line of input for a cell (`prompt`, `password`) from the front end.
pub type InputReader = Box<dyn Fn(&str, bool) -> String + Send>;

/// Completion candidates for a cursor position, in character offsets.
#[derive(Debug, Default)]
pub struct Completions {
    /// Replacement texts.
    pub matches: Vec<String>,
    /// Kind of each match (`function`, `variable`, `magic`, ...).
    pub kinds: Vec<&'static str>,
    /// Start of the replaced range.
    pub cursor_start: usize,
    /// End of the replaced range.
    pub cursor_end: usize,
}

enum Job {
    Execute(String, InputReader, Sender<Result<Executed, CellError>>),
    Complete(String, usize, Sender<Completions>),
    Inspect(String, usize, Sender<Option<(String, String)>>),
    LastSource(Sender<Option<String>>),
}

/// Handle to the engine thread. Cloning shares the same engine.
#[derive(Clone)]
pub struct Engine {
    jobs: Sender<Job>,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    process: Mutex<Option<Arc<Mutex<Child>>>>,
    running: AtomicBool,
    interrupted: AtomicBool,
}

impl Engine {
    /// Starts the engine thread; its output streams are sent on `streams` once ready.
    #[must_use]
    pub fn start(streams: Sender<Streams>) -> Self {
        let (jobs, rx) = unbounded();
        let shared = Arc::new(Shared::default());
        let thread_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("engine".into())
            .spawn(move || run(&rx, &streams, &thread_shared))
            .expect("spawn engine thread");
        Self { jobs, shared }
    }

    /// Compiles and runs a cell.
    pub fn execute(&self, code: &str, input: InputReader) -> Result<Executed, CellError> {
        let (tx, rx) = bounded(1);
        self.send(Job::Execute(code.to_owned(), input, tx));
        rx.recv().unwrap_or_else(|_| {
            Err(CellError::Unavailable(
                "the engine thread has stopped".into(),
            ))
        })
    }

    /// Completion candidates at `cursor` (a character offset) in `code`.
    #[must_use]
    pub fn complete(&self, code: &str, cursor: usize) -> Completions {
        let (tx, rx) = bounded(1);
        self.send(Job::Complete(code.to_owned(), cursor, tx));
        rx.recv().unwrap_or_default()
    }

    /// Hover documentation (plain text, HTML) for the expression before `cursor`.
    #[must_use]
    pub fn inspect(&self, code: &str, cursor: usize) -> Option<(String, String)> {
        let (tx, rx) = bounded(1);
        self.send(Job::Inspect(code.to_owned(), cursor, tx));
        rx.recv().ok().flatten()
    }

    /// The Rust source that evcxr generated for the last cell.
    #[must_use]
    pub fn last_source(&self) -> Option<String> {
        let (tx, rx) = bounded(1);
        self.send(Job::LastSource(tx));
        rx.recv().ok().flatten()
    }

    /// Stops a running cell by ending the evaluation process; evcxr starts a fresh one.
    /// Returns whether a cell was running.
    #[allow(
        clippy::must_use_candidate,
        reason = "interrupting is the point; the flag is only informative"
    )]
    pub fn interrupt(&self) -> bool {
        if !self.shared.running.load(Ordering::SeqCst) {
            return false;
        }
        self.shared.interrupted.store(true, Ordering::SeqCst);
        if let Some(process) = self.shared.process.lock().expect("engine lock").as_ref() {
            let _ = process.lock().expect("process lock").kill();
        }
        true
    }

    /// Whether an interrupt arrived for the running cell.
    #[must_use]
    pub fn interrupt_requested(&self) -> bool {
        self.shared.interrupted.load(Ordering::SeqCst)
    }

    fn send(&self, job: Job) {
        let _ = self.jobs.send(job);
    }
}

fn run(jobs: &Receiver<Job>, streams: &Sender<Streams>, shared: &Shared) {
    let mut context = match start_context() {
        Ok((context, outputs)) => {
            *shared.process.lock().expect("engine lock") = Some(context.process_handle());
            let _ = streams.send(Streams {
                stdout: outputs.stdout,
                stderr: outputs.stderr,
            });
            context
        }
        Err(message) => {
            log::error!("evaluation context failed to start: {message}");
            for job in jobs {
                match job {
                    Job::Execute(_, _, reply) => {
                        let _ = reply.send(Err(CellError::Unavailable(message.clone())));
                    }
                    Job::Complete(_, _, reply) => drop(reply.send(Completions::default())),
                    Job::Inspect(_, _, reply) => drop(reply.send(None)),
                    Job::LastSource(reply) => drop(reply.send(None)),
                }
            }
            return;
        }
    };
    let mut hooked_pid = None;
    let started = std::time::Instant::now();
    if let Err(e) = ensure_hooks(&mut context, &mut hooked_pid) {
        log::error!("{e}");
    }
    log::info!("cell hooks installed in {:.2?}", started.elapsed());
    warm_up(&mut context, jobs);
    for job in jobs {
        match job {
            Job::Execute(code, input, reply) => {
                if let Err(e) = ensure_hooks(&mut context, &mut hooked_pid) {
                    log::error!("{e}");
                }
                let _ = reply.send(execute(&mut context, &code, &input, shared));
            }
            Job::Complete(code, cursor, reply) => {
                let _ = reply.send(complete(&mut context, &code, cursor));
            }
            Job::Inspect(code, cursor, reply) => {
                let pos = byte_offset(&code, cursor);
                let hover = context
                    .hover_at(&code, pos)
                    .ok()
                    .filter(|(plain, _)| !plain.trim().is_empty());
                let _ = reply.send(hover);
            }
            Job::LastSource(reply) => {
                let _ = reply.send(context.last_source().ok());
            }
        }
    }
}

/// Installs the cell hooks in the current evaluation process if it is not the one they
/// were installed in: evcxr starts a fresh process after a crash, an interrupt, `:restart`
/// or `:clear`, and hooks live in the process.
fn ensure_hooks(context: &mut CommandContext, hooked_pid: &mut Option<u32>) -> Result<(), String> {
    let pid = context.process_handle().lock().expect("process lock").id();
    if *hooked_pid != Some(pid) {
        context
            .execute(&hooks::setup())
            .map_err(|e| format!("installing the cell hooks failed: {e}"))?;
        *hooked_pid = Some(pid);
    }
    Ok(())
}

/// rust-analyzer loads the standard library the first time it infers a type, which takes
/// seconds; evcxr asks it for the type of every `let`. When no cell is waiting, a
/// completion request does that work now, so the user's first `let` does not.
fn warm_up(context: &mut CommandContext, jobs: &Receiver<Job>) {
    const CODE: &str = "let rangeo_warm_up: Vec<f64> = Vec::new(); rangeo_warm_up.le";
    if !jobs.is_empty() {
        return;
    }
    let started = std::time::Instant::now();
    let _ = context.completions(CODE, CODE.len());
    log::info!("rust-analyzer warmed up in {:.2?}", started.elapsed());
}

fn start_context() -> Result<(CommandContext, evcxr::EvalContextOutputs), String> {
    let started = std::time::Instant::now();
    let (context, outputs) = CommandContext::new().map_err(|e| e.to_string())?;
    // evcxr's default opt-level (2) is kept: switching to 0 made the first cell after
    // start 1 s slower (the context was just built at 2) and later cells no faster.
    log::info!("evcxr context created in {:.2?}", started.elapsed());
    Ok((context, outputs))
}

fn execute(
    context: &mut CommandContext,
    code: &str,
    input: &InputReader,
    shared: &Shared,
) -> Result<Executed, CellError> {
    let before: Vec<String> = context
        .variables_and_types()
        .map(|(name, _)| name.to_owned())
        .collect();
    shared.interrupted.store(false, Ordering::SeqCst);
    shared.running.store(true, Ordering::SeqCst);
    // evcxr does not export its `InputRequest` type; the closure's type comes from the field.
    let mut callbacks = EvalCallbacks {
        input_reader: &|request| input(&request.prompt, request.is_password),
    };
    let result = context.execute_with_callbacks(code, &mut callbacks);
    shared.running.store(false, Ordering::SeqCst);
    let interrupted = shared.interrupted.swap(false, Ordering::SeqCst);
    match result {
        Ok(outputs) => {
            for phase in &outputs.phases {
                log::debug!("phase {}: {:.2?}", phase.name, phase.duration);
            }
            Ok(Executed {
                bundle: outputs.content_by_mime_type.into_iter().collect(),
                timing: outputs.timing,
            })
        }
        Err(error) => Err(CellError::from_evcxr(error, code, interrupted, before)),
    }
}

fn complete(context: &mut CommandContext, code: &str, cursor: usize) -> Completions {
    let pos = byte_offset(code, cursor);
    let Ok(found) = context.completions(code, pos) else {
        return Completions {
            cursor_start: cursor,
            cursor_end: cursor,
            ..Completions::default()
        };
    };
    let start = char_offset(code, found.start_offset);
    let end = char_offset(code, found.end_offset);
    let mut matches = Vec::new();
    let mut kinds = Vec::new();
    for completion in found.completions {
        if !matches.contains(&completion.code) {
            matches.push(completion.code);
            kinds.push(completion.kind);
        }
    }
    Completions {
        matches,
        kinds,
        cursor_start: start,
        cursor_end: end,
    }
}

/// Byte offset of the `chars`-th character (Jupyter counts cursor positions in characters).
fn byte_offset(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

/// Character offset of byte offset `bytes`.
fn char_offset(text: &str, bytes: usize) -> usize {
    text.get(..bytes.min(text.len()))
        .map_or(0, |s| s.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "let é = 1;";
        assert_eq!(byte_offset(text, 5), 6);
        assert_eq!(char_offset(text, 6), 5);
        assert_eq!(byte_offset(text, 100), text.len());
    }
}
