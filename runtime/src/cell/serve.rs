//! The evaluation process's main loop.

use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ThreadId;

use crate::protocol;

use super::interrupt;

/// Set once [`serve`] runs: output then reaches a notebook.
static SERVING: AtomicBool = AtomicBool::new(false);

/// Whether this process is a kernel's evaluation process (so displays reach a notebook).
pub(crate) fn serving() -> bool {
    SERVING.load(Ordering::Relaxed)
}

/// The entry point a compiled cell exports.
const ENTRY: &[u8] = b"rangeo_cell";

/// Runs commands from the kernel (see [`crate::protocol`]) until stdin closes.
///
/// This is the whole `main` of the evaluation process, a small binary the kernel builds
/// next to the runtime at install time.
pub fn serve() {
    SERVING.store(true, Ordering::Relaxed);
    install_panic_hook(std::thread::current().id());
    if let Err(e) =
        signal_hook::flag::register(signal_hook::consts::SIGINT, interrupt::FLAG.clone())
    {
        protocol::emit(&protocol::done_line(
            Some(&format!("cannot watch for interrupts: {e}")),
            &[],
        ));
        return;
    }
    // Cells stay loaded for the life of the process: stored values point into them
    // (their drop glue and vtables).
    let mut cells = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        // Not holding stdin's lock between commands: a cell reads its input from it.
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end_matches(['\n', '\r']);
        let failed = if let Some(path) = command.strip_prefix(protocol::RUN) {
            interrupt::clear();
            run_cell(path, &mut cells).err()
        } else if let Some(name) = command.strip_prefix(protocol::FORGET) {
            super::forget(name);
            None
        } else {
            Some(format!("unknown command `{command}`"))
        };
        let _ = std::io::stderr().flush();
        protocol::emit(&protocol::done_line(failed.as_deref(), &super::names()));
    }
}

fn run_cell(path: &str, cells: &mut Vec<libloading::Library>) -> Result<(), String> {
    // SAFETY: the kernel compiled this library for this process (same toolchain, same
    // runtime); loading it runs no initialisers beyond Rust's own.
    let library = unsafe { libloading::Library::new(path) }.map_err(|e| {
        format!(
            "cannot load {path}: {}",
            std::error::Error::source(&e).map_or_else(|| e.to_string(), ToString::to_string)
        )
    })?;
    // SAFETY: every cell exports `rangeo_cell` as `extern "C-unwind" fn()`.
    let entry = unsafe { library.get::<extern "C-unwind" fn()>(ENTRY) }
        .map_err(|e| format!("{path} has no cell entry point: {e}"))?;
    let entry = *entry;
    cells.push(library);
    // The cell's statements run under `run`; this catches what happens around them
    // (taking and putting back variables), which the panic hook has reported.
    let _ = std::panic::catch_unwind(|| entry());
    let _ = std::io::stdout().flush();
    Ok(())
}

/// Reports a panic of the main thread (the cell's) as one marker line rather than stderr
/// text, so the kernel answers with one error. Panics of threads a cell spawned print as
/// usual and do not fail the cell.
fn install_panic_hook(main: ThreadId) {
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload_as_str().unwrap_or("Box<dyn Any>").to_owned();
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let thread = std::thread::current();
        if thread.id() == main {
            protocol::emit(&protocol::panic_line(&message, &location));
        } else {
            let name = thread.name().unwrap_or("<unnamed>");
            let _ = writeln!(
                std::io::stderr(),
                "thread '{name}' panicked at {location}:\n{message}"
            );
        }
    }));
}
