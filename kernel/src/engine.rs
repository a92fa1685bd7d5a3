//! The engine: compiles cells against the prebuilt runtime and runs them in the
//! evaluation process; completes and inspects code.
//!
//! Cells are evaluated on one engine thread (`evaluator`); completion and inspection
//! use rust-analyzer through evcxr on a thread of their own (`analysis`), so neither
//! waits for the other.

mod analysis;
mod cell;
mod codegen;
mod commands;
mod compiler;
mod completeness;
mod deps;
mod diagnostics;
mod evaluator;
mod process;

pub use completeness::{Completeness, is_complete};
pub use diagnostics::{CellError, CellSpan, Diagnostic};

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};

use crate::prebuilt::Prebuilt;

/// The evaluation process's output, line by line, as the relay consumes it.
pub struct Streams {
    /// Lines the cell wrote to stdout (and marker lines).
    pub stdout: Receiver<String>,
    /// Lines the cell wrote to stderr, and compile progress.
    pub stderr: Receiver<String>,
}

/// A cell that ran (it may still have failed by panicking or returning `Err`, which the
/// relay saw).
#[derive(Debug, Default)]
pub struct Executed {
    /// Text a `:` command answered with, shown as the cell's result.
    pub text: Option<String>,
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
    CellLine(String, Sender<Option<usize>>),
}

/// Handle to the engine. Cloning shares the same engine.
#[derive(Clone)]
pub struct Engine {
    jobs: Sender<Job>,
    analysis: analysis::Analysis,
    shared: Arc<Shared>,
}

/// What the session's threads share with the engine thread.
#[derive(Debug, Default)]
struct Shared {
    /// The evaluation process's id (0 while there is none).
    pid: AtomicU32,
    /// Whether a cell is running.
    running: AtomicBool,
    /// Whether an interrupt arrived for the running cell.
    interrupted: AtomicBool,
    /// Declarations of the stored variables, for completion.
    declarations: Mutex<String>,
}

impl Engine {
    /// Starts the engine with the prebuilt runtime that `$RANGEO_RUNTIME` (or the default
    /// directory) holds; its output streams are sent on `streams`.
    #[must_use]
    pub fn start(streams: Sender<Streams>) -> Self {
        let (jobs, rx) = unbounded();
        let shared = Arc::new(Shared::default());
        let thread_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("engine".into())
            .spawn(move || run(&rx, &streams, &thread_shared))
            .expect("spawn engine thread");
        Self {
            jobs,
            analysis: analysis::Analysis::start(),
            shared,
        }
    }

    /// Compiles and runs a cell.
    pub fn execute(&self, code: &str, input: InputReader) -> Result<Executed, CellError> {
        let (tx, rx) = bounded(1);
        let _ = self.jobs.send(Job::Execute(code.to_owned(), input, tx));
        rx.recv().unwrap_or_else(|_| {
            Err(CellError::Unavailable(
                "the engine thread has stopped".into(),
            ))
        })
    }

    /// The line of the last cell that a panic location (`cell_N.rs:LINE:COL`) is in.
    #[must_use]
    pub fn cell_line(&self, location: &str) -> Option<usize> {
        let (tx, rx) = bounded(1);
        let _ = self.jobs.send(Job::CellLine(location.to_owned(), tx));
        rx.recv().ok().flatten()
    }

    /// Completion candidates at `cursor` (a character offset) in `code`.
    #[must_use]
    pub fn complete(&self, code: &str, cursor: usize) -> Completions {
        let before: String = code.chars().take(cursor).collect();
        let word = before.trim_start();
        if word.starts_with(':') && !word.contains(char::is_whitespace) {
            let matches: Vec<String> = commands::COMMANDS
                .iter()
                .map(|(name, _)| (*name).to_owned())
                .filter(|name| name.starts_with(word))
                .collect();
            return Completions {
                kinds: vec!["magic"; matches.len()],
                matches,
                cursor_start: cursor - word.chars().count(),
                cursor_end: cursor,
            };
        }
        let declarations = self
            .shared
            .declarations
            .lock()
            .expect("engine lock")
            .clone();
        self.analysis.complete(&declarations, code, cursor)
    }

    /// Hover documentation (plain text, HTML) for the expression before `cursor`.
    #[must_use]
    pub fn inspect(&self, code: &str, cursor: usize) -> Option<(String, String)> {
        let declarations = self
            .shared
            .declarations
            .lock()
            .expect("engine lock")
            .clone();
        self.analysis.inspect(&declarations, code, cursor)
    }

    /// Asks the running cell to stop: `SIGINT` to the evaluation process, which runtime
    /// code notices at its next `check_interrupt`. The engine kills the process if the
    /// cell has not stopped a few seconds later. Returns whether a cell was running.
    #[allow(
        clippy::must_use_candidate,
        reason = "interrupting is the point; the flag is only informative"
    )]
    pub fn interrupt(&self) -> bool {
        if !self.shared.running.load(Ordering::SeqCst) {
            return false;
        }
        self.shared.interrupted.store(true, Ordering::SeqCst);
        let pid = self.shared.pid.load(Ordering::SeqCst);
        if pid != 0 {
            // SAFETY: kill(2) with a valid signal has no memory-safety preconditions.
            unsafe {
                libc::kill(pid.cast_signed(), libc::SIGINT);
            }
        }
        true
    }

    /// Whether an interrupt arrived for the running cell.
    #[must_use]
    pub fn interrupt_requested(&self) -> bool {
        self.shared.interrupted.load(Ordering::SeqCst)
    }
}

fn run(jobs: &Receiver<Job>, streams: &Sender<Streams>, shared: &Shared) {
    let (out_tx, out_rx) = unbounded();
    let (err_tx, err_rx) = unbounded();
    let _ = streams.send(Streams {
        stdout: out_rx,
        stderr: err_rx,
    });
    let mut evaluator = match start(out_tx, err_tx, shared) {
        Ok(evaluator) => evaluator,
        Err(message) => {
            log::error!("the engine cannot start: {message}");
            for job in jobs {
                match job {
                    Job::Execute(_, _, reply) => {
                        let _ = reply.send(Err(CellError::Unavailable(message.clone())));
                    }
                    Job::CellLine(_, reply) => drop(reply.send(None)),
                }
            }
            return;
        }
    };
    for job in jobs {
        match job {
            Job::Execute(code, input, reply) => {
                let result = evaluator.execute(&code, &input);
                *shared.declarations.lock().expect("engine lock") = evaluator.declarations();
                let _ = reply.send(result);
            }
            Job::CellLine(location, reply) => {
                let _ = reply.send(evaluator.cell_line(&location));
            }
        }
    }
}

fn start(
    out: Sender<String>,
    err: Sender<String>,
    shared: &Shared,
) -> Result<evaluator::Evaluator<'_>, String> {
    let started = std::time::Instant::now();
    let dir = Prebuilt::default_dir();
    let runtime = Prebuilt::load(&dir).map_err(|e| format!("{e:#}"))?;
    let evaluator =
        evaluator::Evaluator::new(runtime, out, err, shared).map_err(|e| format!("{e:#}"))?;
    log::info!("engine ready in {:.2?}", started.elapsed());
    Ok(evaluator)
}
