//! The evaluation process: the prebuilt `rangeo-eval` binary, which loads and runs the
//! compiled cells (see `rangeo::cell::serve` and `rangeo::protocol`).

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ChildStdin, Command, Stdio};

use crossbeam_channel::{Receiver, Sender, unbounded};
use rangeo_protocol::{DONE, INPUT_REQUEST, PASSWORD_REQUEST};
use serde::Deserialize;

use crate::prebuilt::Prebuilt;

/// What the process tells the engine (everything else it prints goes to the relay).
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Event {
    /// The command ended.
    Done(Done),
    /// The cell asks for a line of input.
    Input {
        /// The prompt.
        prompt: String,
        /// Whether the answer is a password.
        password: bool,
    },
    /// stdout closed: the process is gone.
    Exited,
}

/// The end of a command.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
pub(super) struct Done {
    /// Why the command could not run, if it could not.
    #[serde(default)]
    pub failed: Option<String>,
    /// The variables stored after it.
    #[serde(default)]
    pub variables: Vec<String>,
}

/// A running evaluation process.
pub(super) struct EvalProcess {
    child: Child,
    stdin: ChildStdin,
    events: Receiver<Event>,
}

impl EvalProcess {
    /// Starts the process; its output lines go to `stdout` and `stderr`.
    pub(super) fn spawn(
        runtime: &Prebuilt,
        stdout: Sender<String>,
        stderr: Sender<String>,
    ) -> std::io::Result<Self> {
        let mut child = Command::new(&runtime.eval)
            .env("LD_LIBRARY_PATH", runtime.library_path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped stdin");
        let out = child.stdout.take().expect("piped stdout");
        let err = child.stderr.take().expect("piped stderr");
        let (events, rx) = unbounded();
        std::thread::Builder::new()
            .name("eval-stdout".into())
            .spawn(move || read_stdout(out, &stdout, &events))?;
        std::thread::Builder::new()
            .name("eval-stderr".into())
            .spawn(move || read_lines(err, |line| drop(stderr.send(line))))?;
        log::info!("evaluation process {} started", child.id());
        Ok(Self {
            child,
            stdin,
            events: rx,
        })
    }

    /// Its process id.
    pub(super) fn id(&self) -> u32 {
        self.child.id()
    }

    /// Sends one line (a command, or a line of input for the cell).
    pub(super) fn send(&mut self, line: &str) -> std::io::Result<()> {
        self.stdin.write_all(line.as_bytes())?;
        self.stdin.write_all(b"\n")?;
        self.stdin.flush()
    }

    /// What the process reports.
    pub(super) fn events(&self) -> &Receiver<Event> {
        &self.events
    }

    /// Ends the process at once.
    pub(super) fn kill(&mut self) {
        let _ = self.child.kill();
    }

    /// Waits for the process to end; says how it ended.
    pub(super) fn end(&mut self) -> String {
        match self.child.wait() {
            Ok(status) => match (status.code(), status.signal()) {
                (_, Some(signal)) => format!("killed by signal {signal} ({})", signal_name(signal)),
                (Some(code), _) => format!("exited with status {code}"),
                _ => status.to_string(),
            },
            Err(e) => format!("cannot tell how it ended: {e}"),
        }
    }
}

impl Drop for EvalProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_stdout(out: impl Read, relay: &Sender<String>, events: &Sender<Event>) {
    read_lines(out, |line| {
        let event = if let Some(json) = line.strip_prefix(DONE) {
            Some(Event::Done(serde_json::from_str(json).unwrap_or_else(
                |e| Done {
                    failed: Some(format!("unreadable end of command ({e}): {json}")),
                    variables: Vec::new(),
                },
            )))
        } else if let Some(prompt) = line.strip_prefix(PASSWORD_REQUEST) {
            Some(Event::Input {
                prompt: prompt.to_owned(),
                password: true,
            })
        } else {
            line.strip_prefix(INPUT_REQUEST).map(|prompt| Event::Input {
                prompt: prompt.to_owned(),
                password: false,
            })
        };
        match event {
            Some(event) => drop(events.send(event)),
            None => drop(relay.send(line)),
        }
    });
    let _ = events.send(Event::Exited);
}

/// Calls `each` with every line (without its newline); invalid UTF-8 is replaced.
fn read_lines(from: impl Read, mut each: impl FnMut(String)) {
    let mut reader = BufReader::new(from);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                if buf.ends_with(b"\n") {
                    buf.pop();
                }
                each(String::from_utf8_lossy(&buf).into_owned());
            }
        }
    }
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGSEGV => "segmentation fault",
        libc::SIGABRT => "aborted",
        libc::SIGBUS => "bus error",
        libc::SIGILL => "illegal instruction",
        libc::SIGFPE => "arithmetic error",
        libc::SIGKILL => "killed",
        _ => "signal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_become_events_and_other_lines_go_to_the_relay() {
        let (relay, lines) = unbounded();
        let (events, rx) = unbounded();
        let out = "hello\nEVCXR_INPUT_REQUEST:Name? \nRANGEO_DONE {\"variables\":[\"x\"]}\n";
        read_stdout(out.as_bytes(), &relay, &events);
        assert_eq!(lines.try_iter().collect::<Vec<_>>(), ["hello"]);
        let got: Vec<Event> = rx.try_iter().collect();
        assert_eq!(
            got,
            [
                Event::Input {
                    prompt: "Name? ".into(),
                    password: false
                },
                Event::Done(Done {
                    failed: None,
                    variables: vec!["x".into()]
                }),
                Event::Exited,
            ]
        );
    }
}
