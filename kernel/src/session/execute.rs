//! `execute_request`: the cell's whole life on the wire, from `execute_input` to the reply.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use jupyter_protocol::{
    ExecuteInput, ExecuteReply, ExecuteRequest, ExecuteResult, ExecutionCount, InputRequest,
    JupyterMessage, JupyterMessageContent, Media, MediaType, Payload, ReplyError, ReplyStatus,
    StreamContent, Transient,
};
use rangeo::display::MimeBundle;
use serde_json::Value;

use super::shell::{Counter, Shell};
use crate::display::CellResult;
use crate::engine::{CellError, Engine, InputReader};
use crate::wire::{self, Signer};

/// What a cell that did not fail leaves behind.
struct Outcome {
    /// The cell's result, when it has one worth showing.
    result: Option<CellResult>,
    /// Reply payloads (the pager, for `:doc`).
    payload: Vec<Payload>,
}

impl Shell {
    /// Runs a cell and returns the `execute_reply` content.
    pub(super) fn execute(
        &mut self,
        message: &JupyterMessage,
        request: &ExecuteRequest,
        counter: &mut Counter,
    ) -> JupyterMessageContent {
        let silent = request.silent;
        let store = request.store_history && !silent;
        let execution_count = ExecutionCount::new(counter.next);
        if !silent {
            let input = ExecuteInput {
                code: request.code.clone(),
                execution_count,
            };
            self.iopub.publish(input, Some(message));
        }
        let outcome = match request.code.trim().strip_prefix(":doc ") {
            Some(query) => Ok(self.page_doc(query.trim())),
            None => self.run_cell(message, request),
        };
        if store {
            let output = outcome.as_ref().ok().and_then(|o| o.result.as_ref());
            self.history.record(
                counter.next,
                &request.code,
                output.map_or("", CellResult::plain),
            );
            counter.next += 1;
        }
        let mut reply = ExecuteReply {
            status: ReplyStatus::Ok,
            execution_count,
            user_expressions: Some(std::collections::HashMap::new()),
            ..ExecuteReply::default()
        };
        match outcome {
            Ok(Outcome { result, payload }) => {
                if let Some(CellResult { data, metadata }) = result.filter(|_| !silent) {
                    let result = ExecuteResult {
                        execution_count,
                        data,
                        metadata,
                        transient: Some(Transient::default()),
                    };
                    self.iopub.publish(result, Some(message));
                }
                reply.payload = payload;
            }
            Err(error) => {
                let output = error.to_output();
                self.iopub.publish(output.clone(), Some(message));
                if request.stop_on_error {
                    self.abort_queued();
                }
                reply.status = ReplyStatus::Error;
                reply.error = Some(Box::new(ReplyError {
                    ename: output.ename,
                    evalue: output.evalue,
                    traceback: output.traceback,
                }));
            }
        }
        reply.into()
    }

    /// Compiles and runs the cell. A cell that ran can still have failed: by panicking or
    /// by returning `Err` through `?`.
    fn run_cell(
        &mut self,
        message: &JupyterMessage,
        request: &ExecuteRequest,
    ) -> Result<Outcome, CellError> {
        self.relay.begin(message);
        let reader = self.input_reader(message, request.allow_stdin);
        let result = self.engine.execute(&request.code, reader);
        let events = self.relay.finish();
        let executed = result?;
        if let Some(report) = events.panic {
            let cell_line = self
                .engine
                .last_source()
                .and_then(|source| cell_line(&report.location, &source, &request.code));
            return Err(CellError::Panic { report, cell_line });
        }
        if let Some(error) = events.user_error {
            return Err(CellError::User(error));
        }
        if let Some(timing) = executed.timing {
            let took = format!("Took {}ms\n", timing.as_millis());
            self.iopub
                .publish(StreamContent::stdout(&took), Some(message));
        }
        Ok(Outcome {
            result: events.result.or_else(|| evcxr_result(executed.bundle)),
            payload: Vec::new(),
        })
    }

    /// `:doc ITEM` shows the item's documentation in the pager, as `ITEM?` does in IPython.
    fn page_doc(&self, query: &str) -> Outcome {
        let (plain, html) = self
            .engine
            .inspect(query, query.chars().count())
            .unwrap_or_else(|| {
                (
                    format!("no documentation found for `{query}`"),
                    String::new(),
                )
            });
        let mut data = vec![MediaType::Plain(plain)];
        if !html.is_empty() {
            data.push(MediaType::Html(html));
        }
        Outcome {
            result: None,
            payload: vec![Payload::Page {
                data: Media::new(data),
                start: 0,
            }],
        }
    }

    /// After a failed cell, requests already queued behind it are answered `aborted`
    /// (`stop_on_error`); other requests taken off the socket are kept to serve next.
    fn abort_queued(&mut self) {
        while let Ok(queued) = wire::recv_now(&self.socket, &self.signer) {
            if let JupyterMessageContent::ExecuteRequest(_) = queued.content {
                self.iopub.status(jupyter_protocol::Status::busy(), &queued);
                let reply = ExecuteReply {
                    status: ReplyStatus::Aborted,
                    ..ExecuteReply::default()
                };
                self.reply(&queued, reply.into());
                self.iopub.status(jupyter_protocol::Status::idle(), &queued);
            } else {
                self.pending.push_back(queued);
            }
        }
    }

    /// Reads input for the cell through `input_request` on stdin, when the front end allows.
    fn input_reader(&self, parent: &JupyterMessage, allow_stdin: bool) -> InputReader {
        let parent = parent.clone();
        if !allow_stdin {
            let iopub = self.iopub.clone();
            return Box::new(move |_prompt: &str, _password: bool| {
                let note = "the cell asked for input, but this front end does not accept input (allow_stdin is false)\n";
                iopub.publish(StreamContent::stderr(note), Some(&parent));
                String::new()
            });
        }
        let stdin = Arc::clone(&self.stdin);
        let signer = self.signer.clone();
        let engine = self.engine.clone();
        let shutdown = Arc::clone(&self.shutdown);
        Box::new(move |prompt: &str, password: bool| {
            let socket = stdin.lock().expect("stdin lock");
            read_input(
                &socket, &signer, &parent, prompt, password, &engine, &shutdown,
            )
        })
    }
}

fn read_input(
    socket: &zmq::Socket,
    signer: &Signer,
    parent: &JupyterMessage,
    prompt: &str,
    password: bool,
    engine: &Engine,
    shutdown: &std::sync::atomic::AtomicBool,
) -> String {
    let request = wire::message(
        InputRequest {
            prompt: prompt.to_owned(),
            password,
        },
        Some(parent),
        &parent.header.session,
    );
    if let Err(e) = wire::send(socket, signer, &request) {
        log::warn!("input_request failed: {e}");
        return String::new();
    }
    let _ = socket.set_rcvtimeo(200);
    while !shutdown.load(Ordering::SeqCst) && !engine.interrupt_requested() {
        match wire::recv(socket, signer) {
            Ok(reply) => {
                if let JupyterMessageContent::InputReply(reply) = reply.content {
                    return reply.value;
                }
            }
            Err(wire::WireError::Zmq(zmq::Error::EAGAIN)) => {}
            Err(e) => log::warn!("stdin: dropped a message: {e}"),
        }
    }
    String::new()
}

/// evcxr's bundle for a cell's final expression (its `Debug` text, or what an
/// `evcxr_display` method printed) as the cell's result, read the way the runtime's
/// bundles are. A unit result is not shown, as Python does not show `None`.
fn evcxr_result(bundle: BTreeMap<String, String>) -> Option<CellResult> {
    if bundle.is_empty()
        || (bundle.len() == 1 && bundle.get("text/plain").is_some_and(|t| t == "()"))
    {
        return None;
    }
    let bundle = bundle
        .into_iter()
        .fold(MimeBundle::default(), |bundle, (mime, data)| {
            // evcxr carries every form as text; JSON forms are JSON values on the wire.
            let value = if mime.ends_with("json") {
                serde_json::from_str(&data).unwrap_or(Value::String(data))
            } else {
                Value::String(data)
            };
            bundle.with(&mime, value)
        });
    let json = serde_json::to_value(&bundle).expect("bundles are JSON");
    serde_json::from_value(json)
        .inspect_err(|e| log::warn!("the cell's result is not valid Jupyter output: {e}"))
        .ok()
}

/// The 1-based line of the cell where a panic at `location` (`src/lib.rs:LINE:COL` of the
/// generated crate) happened, when that line's text occurs exactly once in the cell.
fn cell_line(location: &str, generated: &str, cell: &str) -> Option<usize> {
    let mut parts = location.rsplitn(3, ':');
    let (_col, line, file) = (parts.next()?, parts.next()?, parts.next()?);
    if !file.ends_with("lib.rs") {
        return None;
    }
    let text = generated
        .lines()
        .nth(line.parse::<usize>().ok()?.checked_sub(1)?)?
        .trim();
    if text.is_empty() {
        return None;
    }
    let mut hits = cell.lines().enumerate().filter(|(_, l)| l.trim() == text);
    let (index, _) = hits.next()?;
    hits.next().is_none().then_some(index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_location_maps_to_the_cell_line() {
        let generated = "fn run() {\nlet a = 1;\npanic!(\"boom\");\n}";
        let cell = "let a = 1;\n  panic!(\"boom\");";
        assert_eq!(cell_line("src/lib.rs:3:1", generated, cell), Some(2));
        assert_eq!(cell_line("/rustc/lib.rs:3:1", "x", cell), None);
        assert_eq!(cell_line("src/other.rs:3:1", generated, cell), None);
    }

    #[test]
    fn unit_results_are_not_shown() {
        let bundle = BTreeMap::from([("text/plain".to_owned(), "()".to_owned())]);
        assert!(evcxr_result(bundle).is_none());
        assert!(evcxr_result(BTreeMap::new()).is_none());
    }

    #[test]
    fn evcxr_results_always_have_text_plain_and_json_forms_are_json() {
        let bundle = BTreeMap::from([
            ("text/html".to_owned(), "<b>x</b>".to_owned()),
            ("application/json".to_owned(), r#"{"a": 1}"#.to_owned()),
        ]);
        let result = evcxr_result(bundle).unwrap();
        assert_eq!(result.plain(), "<application/json, text/html>");
        assert!(
            result
                .data
                .content
                .contains(&MediaType::Html("<b>x</b>".into()))
        );
        assert!(
            result
                .data
                .content
                .contains(&MediaType::Json(serde_json::json!({"a": 1})))
        );
    }
}
