//! `execute_request`: the cell's whole life on the wire, from `execute_input` to the reply.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use jupyter_protocol::{
    ExecuteInput, ExecuteReply, ExecuteRequest, ExecuteResult, ExecutionCount, InputRequest,
    JupyterMessage, JupyterMessageContent, Media, MediaType, Payload, ReplyError, ReplyStatus,
    StreamContent, Transient,
};

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
            let cell_line = self.engine.cell_line(&report.location);
            return Err(CellError::Panic { report, cell_line });
        }
        if let Some(error) = events.user_error {
            return Err(CellError::User(error));
        }
        if events.interrupted {
            return Err(CellError::Interrupted { lost: Vec::new() });
        }
        if let Some(timing) = executed.timing {
            let took = format!("Took {}ms\n", timing.as_millis());
            self.iopub
                .publish(StreamContent::stdout(&took), Some(message));
        }
        Ok(Outcome {
            result: events
                .result
                .or_else(|| executed.text.map(CellResult::text)),
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
