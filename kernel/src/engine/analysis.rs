//! Completion and inspection, through rust-analyzer as evcxr drives it.
//!
//! evcxr's context lives on a thread of its own (it is neither `Send` nor cheap to
//! create: loading the standard library's sources takes seconds), created in the
//! background at start-up so that cells never wait for it. It only analyses code; cells
//! are compiled and run by the evaluator. The variables of earlier cells reach it as
//! `let` declarations put before the code being completed.

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use evcxr::CommandContext;

use super::Completions;

enum Job {
    Complete(String, usize, Sender<Completions>),
    Inspect(String, usize, Sender<Option<(String, String)>>),
}

/// Handle to the analysis thread.
#[derive(Clone)]
pub(super) struct Analysis {
    jobs: Sender<Job>,
}

impl Analysis {
    /// Starts the thread; rust-analyzer loads in the background.
    pub(super) fn start() -> Self {
        let (jobs, rx) = unbounded();
        std::thread::Builder::new()
            .name("analysis".into())
            .spawn(move || run(&rx))
            .expect("spawn analysis thread");
        Self { jobs }
    }

    /// Completions at `cursor` (characters) in `code`, after `declarations`.
    pub(super) fn complete(&self, declarations: &str, code: &str, cursor: usize) -> Completions {
        let (tx, rx) = bounded(1);
        let shift = declarations.chars().count();
        let _ = self.jobs.send(Job::Complete(
            format!("{declarations}{code}"),
            cursor + shift,
            tx,
        ));
        let mut found = rx.recv().unwrap_or_default();
        found.cursor_start = found.cursor_start.saturating_sub(shift);
        found.cursor_end = found.cursor_end.saturating_sub(shift);
        if found.matches.is_empty() {
            found.cursor_start = cursor;
            found.cursor_end = cursor;
        }
        found
    }

    /// Documentation (plain text, HTML) for the expression before `cursor` in `code`.
    pub(super) fn inspect(
        &self,
        declarations: &str,
        code: &str,
        cursor: usize,
    ) -> Option<(String, String)> {
        let (tx, rx) = bounded(1);
        let shift = declarations.chars().count();
        let _ = self.jobs.send(Job::Inspect(
            format!("{declarations}{code}"),
            cursor + shift,
            tx,
        ));
        rx.recv().ok().flatten()
    }
}

fn run(jobs: &Receiver<Job>) {
    // Loading rust-analyzer takes seconds of CPU; at a lower priority it does not slow
    // the cells a user runs meanwhile (the processes it starts inherit the priority).
    // SAFETY: setpriority on the calling thread's id has no memory-safety preconditions.
    unsafe {
        let thread = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, thread.cast_unsigned(), 10);
    }
    let started = std::time::Instant::now();
    let mut context = match CommandContext::new() {
        Ok((context, _outputs)) => context,
        Err(e) => {
            log::error!("completion is not available: {e}");
            for job in jobs {
                match job {
                    Job::Complete(_, _, reply) => drop(reply.send(Completions::default())),
                    Job::Inspect(_, _, reply) => drop(reply.send(None)),
                }
            }
            return;
        }
    };
    log::info!("rust-analyzer ready in {:.2?}", started.elapsed());
    for job in jobs {
        match job {
            Job::Complete(code, cursor, reply) => {
                let _ = reply.send(complete(&mut context, &code, cursor));
            }
            Job::Inspect(code, cursor, reply) => {
                let hover = context
                    .hover_at(&code, byte_offset(&code, cursor))
                    .ok()
                    .filter(|(plain, _)| !plain.trim().is_empty());
                let _ = reply.send(hover);
            }
        }
    }
}

fn complete(context: &mut CommandContext, code: &str, cursor: usize) -> Completions {
    let Ok(found) = context.completions(code, byte_offset(code, cursor)) else {
        return Completions::default();
    };
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
        cursor_start: char_offset(code, found.start_offset),
        cursor_end: char_offset(code, found.end_offset),
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
