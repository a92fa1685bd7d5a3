//! The thread that relays the evaluation process's output to iopub as it happens.

use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, never, select, unbounded};
use jupyter_protocol::{JupyterMessage, StreamContent};

use super::{CellResult, ChildLine, PanicReport, UserError};
use crate::engine::Streams;
use crate::session::Iopub;

/// What the cell reported about itself besides its output.
#[derive(Debug, Default)]
pub struct CellEvents {
    /// The first panic of the cell's main thread.
    pub panic: Option<PanicReport>,
    /// The error that ended the cell through `?`.
    pub user_error: Option<UserError>,
    /// The result the runtime reported for the cell's final expression.
    pub result: Option<CellResult>,
    /// Whether an interrupt stopped the cell (its variables kept).
    pub interrupted: bool,
}

enum Command {
    Begin(Box<JupyterMessage>),
    Finish(Sender<CellEvents>),
}

/// Handle to the relay thread.
pub struct Relay {
    commands: Sender<Command>,
}

impl Relay {
    /// Starts relaying; `streams` delivers the engine's output channels once it is ready.
    #[must_use]
    pub fn start(iopub: Iopub, streams: Receiver<Streams>) -> Self {
        let (commands, rx) = unbounded();
        std::thread::Builder::new()
            .name("relay".into())
            .spawn(move || RelayThread::new(iopub).run(&rx, &streams))
            .expect("spawn relay thread");
        Self { commands }
    }

    /// Attributes everything emitted from now on to `parent`.
    pub fn begin(&self, parent: &JupyterMessage) {
        let _ = self.commands.send(Command::Begin(Box::new(parent.clone())));
    }

    /// Publishes everything the engine has emitted so far and returns the cell's events.
    #[must_use]
    pub fn finish(&self) -> CellEvents {
        let (tx, rx) = unbounded();
        if self.commands.send(Command::Finish(tx)).is_err() {
            return CellEvents::default();
        }
        rx.recv().unwrap_or_default()
    }
}

/// How long a finishing cell waits for stderr lines still in flight.
const STDERR_GRACE: Duration = Duration::from_millis(2);

struct RelayThread {
    iopub: Iopub,
    parent: Option<JupyterMessage>,
    events: CellEvents,
    stdout: String,
    stderr: String,
}

impl RelayThread {
    fn new(iopub: Iopub) -> Self {
        Self {
            iopub,
            parent: None,
            events: CellEvents::default(),
            stdout: String::new(),
            stderr: String::new(),
        }
    }

    fn run(mut self, commands: &Receiver<Command>, ready: &Receiver<Streams>) {
        let (mut out, mut err): (Receiver<String>, Receiver<String>) = (never(), never());
        let mut ready = ready.clone();
        loop {
            select! {
                recv(ready) -> streams => {
                    if let Ok(streams) = streams {
                        out = streams.stdout;
                        err = streams.stderr;
                    }
                    ready = never();
                }
                recv(commands) -> command => match command {
                    Ok(Command::Begin(parent)) => {
                        self.flush_streams();
                        self.parent = Some(*parent);
                        self.events = CellEvents::default();
                    }
                    Ok(Command::Finish(reply)) => {
                        self.drain(&out, &err);
                        // stderr is read on its own thread: give lines the cell wrote just
                        // before it ended a moment to arrive, so they stay in the cell.
                        if let Ok(line) = err.recv_timeout(STDERR_GRACE) {
                            self.stderr_line(&line);
                            self.drain(&out, &err);
                        }
                        self.flush_streams();
                        let _ = reply.send(std::mem::take(&mut self.events));
                    }
                    Err(_) => return,
                },
                recv(out) -> line => match line {
                    Ok(line) => self.stdout_line(line),
                    Err(_) => out = never(),
                },
                recv(err) -> line => match line {
                    Ok(line) => {
                        // Lines the cell printed before this one may be waiting.
                        while let Ok(earlier) = out.try_recv() {
                            self.stdout_line(earlier);
                        }
                        self.stderr_line(&line);
                    }
                    Err(_) => err = never(),
                },
            }
            self.drain(&out, &err);
            self.flush_streams();
        }
    }

    /// Takes every line already waiting, so a burst of output becomes one message.
    fn drain(&mut self, out: &Receiver<String>, err: &Receiver<String>) {
        loop {
            let mut any = false;
            while let Ok(line) = out.try_recv() {
                self.stdout_line(line);
                any = true;
            }
            while let Ok(line) = err.try_recv() {
                self.stderr_line(&line);
                any = true;
            }
            if !any {
                return;
            }
        }
    }

    fn stdout_line(&mut self, line: String) {
        match ChildLine::parse(line) {
            ChildLine::Text(text) => {
                if !self.stderr.is_empty() {
                    // Keep the order in which the cell wrote.
                    self.flush_streams();
                }
                self.stdout.push_str(&text);
                self.stdout.push('\n');
            }
            ChildLine::Display(display) => {
                self.flush_streams();
                self.publish(display);
            }
            ChildLine::Update(update) => {
                self.flush_streams();
                self.publish(update);
            }
            ChildLine::Clear(clear) => {
                self.flush_streams();
                self.publish(clear);
            }
            ChildLine::Result(result) => {
                self.events.result = Some(result);
            }
            ChildLine::Panic(report) => {
                self.events.panic.get_or_insert(report);
            }
            ChildLine::UserError(error) => {
                self.events.user_error.get_or_insert(error);
            }
            ChildLine::Interrupted => self.events.interrupted = true,
        }
    }

    fn stderr_line(&mut self, line: &str) {
        // Keep the order in which the cell wrote.
        self.flush_stdout();
        self.stderr.push_str(line);
        self.stderr.push('\n');
    }

    fn flush_stdout(&mut self) {
        if !self.stdout.is_empty() {
            let text = std::mem::take(&mut self.stdout);
            self.publish(StreamContent::stdout(&text));
        }
    }

    fn flush_streams(&mut self) {
        self.flush_stdout();
        if !self.stderr.is_empty() {
            let text = std::mem::take(&mut self.stderr);
            self.publish(StreamContent::stderr(&text));
        }
    }

    fn publish(&self, content: impl Into<jupyter_protocol::JupyterMessageContent>) {
        match &self.parent {
            Some(parent) => self.iopub.publish(content, Some(parent)),
            None => log::debug!("dropping output emitted outside any cell"),
        }
    }
}
