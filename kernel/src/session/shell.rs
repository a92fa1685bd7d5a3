//! The shell channel: one request at a time, each wrapped in busy / idle on iopub.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use jupyter_protocol::{
    CommClose, CommInfoReply, CompleteReply, HistoryReply, InspectReply, IsCompleteReply,
    JupyterMessage, JupyterMessageContent, Media, MediaType, Status,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{History, Iopub, control, kernel_info};
use crate::display::Relay;
use crate::engine::{Completeness, Engine, is_complete};
use crate::wire::{self, Signer};

/// The shell loop and what it needs to answer requests.
pub(super) struct Shell {
    pub(super) socket: zmq::Socket,
    pub(super) stdin: Arc<Mutex<zmq::Socket>>,
    pub(super) signer: Signer,
    pub(super) iopub: Iopub,
    pub(super) engine: Engine,
    pub(super) relay: Relay,
    pub(super) history: History,
    pub(super) shutdown: Arc<AtomicBool>,
    /// Requests taken off the socket early (while aborting after an error), served next.
    pub(super) pending: VecDeque<JupyterMessage>,
}

/// State carried from one execution to the next.
pub(super) struct Counter {
    /// The count the next history-storing execution gets (starts at 1).
    pub(super) next: usize,
}

impl Shell {
    /// Serves requests until shutdown.
    pub(super) fn run(mut self) {
        let mut counter = Counter { next: 1 };
        let _ = self.socket.set_rcvtimeo(100);
        while !self.shutdown.load(Ordering::SeqCst) {
            if let Some(message) = self.pending.pop_front() {
                self.handle(&message, &mut counter);
                continue;
            }
            match wire::recv(&self.socket, &self.signer) {
                Ok(message) => self.handle(&message, &mut counter),
                Err(wire::WireError::Zmq(zmq::Error::EAGAIN)) => {}
                Err(e) => log::warn!("shell: dropped a message: {e}"),
            }
        }
    }

    fn handle(&mut self, message: &JupyterMessage, counter: &mut Counter) {
        self.iopub.status(Status::busy(), message);
        let reply = match &message.content {
            JupyterMessageContent::ExecuteRequest(request) => {
                Some(self.execute(message, request, counter))
            }
            JupyterMessageContent::KernelInfoRequest(_) => Some(kernel_info::reply()),
            JupyterMessageContent::IsCompleteRequest(request) => Some(
                match is_complete(&request.code) {
                    Completeness::Complete => IsCompleteReply::complete(),
                    Completeness::Incomplete(indent) => IsCompleteReply::incomplete(indent),
                    Completeness::Invalid => IsCompleteReply::invalid(),
                }
                .into(),
            ),
            JupyterMessageContent::CompleteRequest(request) => {
                let found = self.engine.complete(&request.code, request.cursor_pos);
                let types: Vec<Value> = found
                    .matches
                    .iter()
                    .zip(&found.kinds)
                    .map(|(text, kind)| json!({"start": found.cursor_start, "end": found.cursor_end, "text": text, "type": kind}))
                    .collect();
                let mut metadata = serde_json::Map::new();
                metadata.insert("_jupyter_types_experimental".into(), Value::Array(types));
                Some(
                    CompleteReply {
                        matches: found.matches,
                        cursor_start: found.cursor_start,
                        cursor_end: found.cursor_end,
                        metadata,
                        ..CompleteReply::default()
                    }
                    .into(),
                )
            }
            JupyterMessageContent::InspectRequest(request) => {
                let hover = self.engine.inspect(&request.code, request.cursor_pos);
                let reply = match hover {
                    Some((plain, html)) => InspectReply {
                        found: true,
                        data: Media::new(vec![MediaType::Plain(plain), MediaType::Html(html)]),
                        ..InspectReply::default()
                    },
                    None => InspectReply::default(),
                };
                Some(reply.into())
            }
            JupyterMessageContent::UnknownMessage(unknown)
                if unknown.msg_type == "history_request" =>
            {
                Some(self.history_reply(&unknown.content))
            }
            JupyterMessageContent::CommInfoRequest(_) => Some(CommInfoReply::default().into()),
            JupyterMessageContent::CommOpen(open) => {
                // No comm targets are registered: close the comm so the front end knows.
                log::info!(
                    "comm_open for unknown target `{}`: closing it",
                    open.target_name
                );
                self.iopub.publish(
                    CommClose {
                        comm_id: open.comm_id.clone(),
                        data: serde_json::Map::new(),
                    },
                    Some(message),
                );
                None
            }
            JupyterMessageContent::CommMsg(_) | JupyterMessageContent::CommClose(_) => None,
            JupyterMessageContent::ShutdownRequest(request) => {
                Some(control::shut_down(request, &self.engine, &self.shutdown))
            }
            other => {
                log::warn!("shell: ignoring unsupported `{}`", other.message_type());
                None
            }
        };
        if let Some(content) = reply {
            self.reply(message, content);
        }
        self.iopub.status(Status::idle(), message);
    }

    pub(super) fn reply(&self, parent: &JupyterMessage, content: JupyterMessageContent) {
        let reply = wire::message(content, Some(parent), &parent.header.session);
        if let Err(e) = wire::send(&self.socket, &self.signer, &reply) {
            log::warn!("shell: reply failed: {e}");
        }
    }

    fn history_reply(&self, content: &Value) -> JupyterMessageContent {
        let query: HistoryQuery = match serde_json::from_value(content.clone()) {
            Ok(query) => query,
            Err(e) => {
                log::warn!("history_request not understood: {e}");
                return HistoryReply::default().into();
            }
        };
        let history = match query.hist_access_type.as_str() {
            "tail" => self.history.tail(query.n.unwrap_or(10), query.output),
            "range" => self.history.range(
                query.session.unwrap_or(0),
                query.start.unwrap_or(0),
                query.stop.unwrap_or(0),
                query.output,
            ),
            "search" => self.history.search(
                query.pattern.as_deref().unwrap_or("*"),
                query.unique,
                query.n,
                query.output,
            ),
            other => {
                log::warn!("history_request: unknown hist_access_type `{other}`");
                Vec::new()
            }
        };
        HistoryReply::new(history).into()
    }
}

/// A history request as clients send it: every field but the access type may be absent,
/// which the typed request of jupyter-protocol does not allow.
#[derive(Deserialize)]
struct HistoryQuery {
    hist_access_type: String,
    #[serde(default)]
    output: bool,
    session: Option<i64>,
    start: Option<usize>,
    stop: Option<usize>,
    n: Option<usize>,
    pattern: Option<String>,
    #[serde(default)]
    unique: bool,
}
