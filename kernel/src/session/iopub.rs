//! The iopub broadcaster: one thread owns the XPUB socket; every other thread publishes
//! through a cloneable [`Iopub`], so messages leave in the order they were published.

use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use crossbeam_channel::{RecvTimeoutError, Sender, unbounded};
use jupyter_protocol::{IoPubWelcome, JupyterMessage, JupyterMessageContent, Status};

use crate::wire::{self, Signer};

enum Outgoing {
    Message(Box<JupyterMessage>),
    Stop,
}

/// Publishes messages on iopub.
#[derive(Clone)]
pub struct Iopub {
    tx: Sender<Outgoing>,
    session: String,
}

impl Iopub {
    /// Starts the iopub thread on `socket`.
    pub(super) fn start(
        socket: zmq::Socket,
        signer: Signer,
        session: String,
    ) -> (Self, JoinHandle<()>) {
        let (tx, rx) = unbounded();
        let iopub = Self {
            tx,
            session: session.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("iopub".into())
            .spawn(move || {
                let send = |message: &JupyterMessage| {
                    if let Err(e) = wire::send(&socket, &signer, message) {
                        log::warn!("iopub send failed: {e}");
                    }
                };
                loop {
                    match rx.recv_timeout(Duration::from_millis(5)) {
                        Ok(Outgoing::Message(message)) => send(&message),
                        Ok(Outgoing::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                        Err(RecvTimeoutError::Timeout) => {}
                    }
                    // Subscriptions arrive as frames starting with 1; welcome each (protocol 5.5).
                    while let Ok(frames) = socket.recv_multipart(zmq::DONTWAIT) {
                        if let Some(frame) = frames.first().filter(|f| f.first() == Some(&1)) {
                            let topic = String::from_utf8_lossy(&frame[1..]).into_owned();
                            let mut welcome =
                                wire::message(IoPubWelcome::new(topic.clone()), None, &session);
                            welcome.zmq_identities = vec![Bytes::from(topic)];
                            send(&welcome);
                        }
                    }
                }
            })
            .expect("spawn iopub thread");
        (iopub, thread)
    }

    /// Publishes `content`, as a child of `parent` when given.
    pub fn publish(
        &self,
        content: impl Into<JupyterMessageContent>,
        parent: Option<&JupyterMessage>,
    ) {
        let mut message = wire::message(content, parent, &self.session);
        let topic = format!("kernel.{}.{}", self.session, message.message_type());
        message.zmq_identities = vec![Bytes::from(topic)];
        let _ = self.tx.send(Outgoing::Message(Box::new(message)));
    }

    /// Publishes the kernel's execution state for `parent`.
    pub fn status(&self, status: Status, parent: &JupyterMessage) {
        self.publish(status, Some(parent));
    }

    /// Sends what is queued, then ends the iopub thread.
    pub(super) fn stop(&self) {
        let _ = self.tx.send(Outgoing::Stop);
    }
}
