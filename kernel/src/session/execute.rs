//! `execute_request`: the cell's whole life on the wire, from `execute_input` to the reply.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use jupyter_protocol::{
    ErrorOutput, ExecuteInput, ExecuteReply, ExecuteRequest, ExecuteResult, ExecutionCount,
    InputRequest, JupyterMessage, JupyterMessageContent, Media, MediaType, Payload, ReplyError,
    ReplyStatus, StreamContent, Transient,
};

use super::shell::{Counter, Shell};
use crate::display::{CellEvents, CellResult};
use crate::engine::{CellError, Engine, Executed, InputReader};
use crate::wire::{self, Signer};

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
        let count = counter.next;
        if !silent {
            let input = ExecuteInput {
                code: request.code.clone(),
                execution_count: ExecutionCount::new(count),
            };
            self.iopub.publish(input, Some(message));
        }
        if let Some(query) = request.code.trim().strip_prefix(":doc ") {
            return self.page_doc(query.trim(), count, store, counter, &request.code);
        }
        self.relay.begin(message);
        let reader = self.input_reader(message, request.allow_stdin);
        let result = self.engine.execute(&request.code, reader);
        let events = self.relay.finish();
        let result = self.with_events(result, events, &request.code);
        if store {
            counter.next += 1;
        }
        match result {
            Ok((executed, reported)) => {
                if let Some(timing) = executed.timing {
                    self.iopub.publish(
                        StreamContent::stdout(&format!("Took {}ms\n", timing.as_millis())),
                        Some(message),
                    );
                }
                let (data, metadata) = match reported {
                    Some(CellResult { data, metadata }) => (data, metadata),
                    None => (media(executed.bundle), serde_json::Map::new()),
                };
                let text = data
                    .content
                    .iter()
                    .find_map(|m| match m {
                        MediaType::Plain(text) => Some(text.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                if !data.content.is_empty() && !silent {
                    let result = ExecuteResult {
                        execution_count: ExecutionCount::new(count),
                        data,
                        metadata,
                        transient: Some(Transient::default()),
                    };
                    self.iopub.publish(result, Some(message));
                }
                if store {
                    self.history.record(count, &request.code, &text);
                }
                ExecuteReply {
                    status: ReplyStatus::Ok,
                    execution_count: ExecutionCount::new(count),
                    user_expressions: Some(std::collections::HashMap::new()),
                    ..ExecuteReply::default()
                }
                .into()
            }
            Err(error) => {
                let ErrorOutput {
                    ename,
                    evalue,
                    traceback,
                } = error.to_output();
                let output = ErrorOutput {
                    ename: ename.clone(),
                    evalue: evalue.clone(),
                    traceback: traceback.clone(),
                };
                self.iopub.publish(output, Some(message));
                if store {
                    self.history.record(count, &request.code, "");
                }
                if request.stop_on_error {
                    self.abort_queued();
                }
                ExecuteReply {
                    status: ReplyStatus::Error,
                    execution_count: ExecutionCount::new(count),
                    user_expressions: Some(std::collections::HashMap::new()),
                    error: Some(Box::new(ReplyError {
                        ename,
                        evalue,
                        traceback,
                    })),
                    ..ExecuteReply::default()
                }
                .into()
            }
        }
    }

    /// `:doc ITEM` shows the item's documentation in the pager, as `ITEM?` does in IPython.
    fn page_doc(
        &mut self,
        query: &str,
        count: usize,
        store: bool,
        counter: &mut Counter,
        code: &str,
    ) -> JupyterMessageContent {
        let found = self.engine.inspect(query, query.chars().count());
        let (plain, html) = found.unwrap_or_else(|| {
            (
                format!("no documentation found for `{query}`"),
                String::new(),
            )
        });
        let mut data = vec![MediaType::Plain(plain)];
        if !html.is_empty() {
            data.push(MediaType::Html(html));
        }
        if store {
            counter.next += 1;
            self.history.record(count, code, "");
        }
        ExecuteReply {
            status: ReplyStatus::Ok,
            execution_count: ExecutionCount::new(count),
            payload: vec![Payload::Page {
                data: Media::new(data),
                start: 0,
            }],
            user_expressions: Some(std::collections::HashMap::new()),
            ..ExecuteReply::default()
        }
        .into()
    }

    /// A cell that compiled and ran can still have failed: by panicking or returning `Err`.
    fn with_events(
        &self,
        result: Result<Executed, CellError>,
        events: CellEvents,
        code: &str,
    ) -> Result<(Executed, Option<CellResult>), CellError> {
        let executed = result?;
        if let Some(report) = events.panic {
            let cell_line = self
                .engine
                .last_source()
                .and_then(|source| cell_line(&report.location, &source, code));
            return Err(CellError::Panic { report, cell_line });
        }
        if let Some(error) = events.user_error {
            return Err(CellError::User(error));
        }
        Ok((executed, events.result))
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

/// evcxr's bundle as Jupyter media; `text/plain` is always present. A unit result is
/// not shown, as Python does not show `None`.
fn media(mut bundle: BTreeMap<String, String>) -> Media {
    if bundle.len() == 1 && bundle.get("text/plain").is_some_and(|t| t == "()") {
        bundle.clear();
    }
    let fallback = (!bundle.is_empty() && !bundle.contains_key("text/plain")).then(|| {
        let kinds: Vec<&str> = bundle.keys().map(String::as_str).collect();
        MediaType::Plain(format!("<{}>", kinds.join(", ")))
    });
    let mut content: Vec<MediaType> = bundle
        .into_iter()
        .map(|(mime, data)| match mime.as_str() {
            "text/plain" => MediaType::Plain(data),
            "text/html" => MediaType::Html(data),
            "text/markdown" => MediaType::Markdown(data),
            "text/latex" => MediaType::Latex(data),
            "image/svg+xml" => MediaType::Svg(data),
            "image/png" => MediaType::Png(data),
            "image/jpeg" => MediaType::Jpeg(data),
            _ if mime.ends_with("json") => match serde_json::from_str(&data) {
                Ok(value) => MediaType::Other((mime, value)),
                Err(_) => MediaType::Other((mime, serde_json::Value::String(data))),
            },
            _ => MediaType::Other((mime, serde_json::Value::String(data))),
        })
        .collect();
    content.extend(fallback);
    Media::new(content)
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
        assert!(media(bundle).content.is_empty());
        assert!(media(BTreeMap::new()).content.is_empty());
    }

    #[test]
    fn media_always_has_text_plain() {
        let mut bundle = BTreeMap::new();
        bundle.insert("text/html".to_owned(), "<b>x</b>".to_owned());
        let media = media(bundle);
        assert!(
            media
                .content
                .contains(&MediaType::Plain("<text/html>".into()))
        );
    }
}
