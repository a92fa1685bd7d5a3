//! The kernel's channels served: shell and control requests, iopub broadcast, stdin
//! input requests and the heartbeat, each on its own thread.

mod control;
mod execute;
mod heartbeat;
mod history;
mod iopub;
mod kernel_info;
mod shell;

pub use history::History;
pub use iopub::Iopub;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use jupyter_protocol::connection_info::ConnectionInfo;

use crate::display::Relay;
use crate::engine::Engine;
use crate::wire::{Signer, Sockets};

/// How a kernel is set up beyond its connection file.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where input history is kept across restarts (`None` keeps it in memory only).
    pub history: Option<PathBuf>,
}

/// Serves a connection file until a shutdown request arrives.
pub fn serve(info: &ConnectionInfo, options: &Options) -> anyhow::Result<()> {
    let context = zmq::Context::new();
    let sockets = Sockets::bind(&context, info)?;
    let signer = Signer::new(&info.signature_scheme, &info.key)?;
    let session = uuid::Uuid::new_v4().to_string();
    let shutdown = Arc::new(AtomicBool::new(false));

    let (iopub, iopub_thread) = Iopub::start(sockets.iopub, signer.clone(), session.clone());
    let heartbeat = heartbeat::start(sockets.heartbeat, Arc::clone(&shutdown));
    let (streams_tx, streams_rx) = crossbeam_channel::unbounded();
    let engine = Engine::start(streams_tx);
    let relay = Relay::start(iopub.clone(), streams_rx);
    watch_sigint(engine.clone())?;
    let control = control::start(
        sockets.control,
        signer.clone(),
        iopub.clone(),
        engine.clone(),
        Arc::clone(&shutdown),
    );

    let history = History::open(options.history.clone());
    let shell = shell::Shell {
        socket: sockets.shell,
        stdin: Arc::new(std::sync::Mutex::new(sockets.stdin)),
        signer,
        iopub: iopub.clone(),
        engine,
        relay,
        history,
        shutdown: Arc::clone(&shutdown),
        pending: std::collections::VecDeque::new(),
    };
    shell.run();

    // Every socket must be closed before the context can flush and end.
    shutdown.store(true, Ordering::SeqCst);
    let _ = control.join();
    let _ = heartbeat.join();
    iopub.stop();
    let _ = iopub_thread.join();
    // Queued messages get the sockets' linger time to leave; never hang on a dead peer.
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(3));
        std::process::exit(0);
    });
    drop(context);
    Ok(())
}

/// SIGINT (the `signal` interrupt mode, or Ctrl-C in a terminal) interrupts the running cell.
fn watch_sigint(engine: Engine) -> anyhow::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT])?;
    std::thread::Builder::new()
        .name("sigint".into())
        .spawn(move || {
            for _ in signals.forever() {
                if engine.interrupt() {
                    log::info!("SIGINT: interrupted the running cell");
                }
            }
        })?;
    Ok(())
}
