//! The control channel, on its own thread so that interrupt and shutdown are answered
//! while a cell runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use jupyter_protocol::{
    InterruptReply, JupyterMessage, JupyterMessageContent, ShutdownReply, ShutdownRequest, Status,
};

use super::{Iopub, kernel_info};
use crate::engine::Engine;
use crate::wire::{self, Signer};

pub(super) fn start(
    socket: zmq::Socket,
    signer: Signer,
    iopub: Iopub,
    engine: Engine,
    shutdown: Arc<AtomicBool>,
) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("control".into())
        .spawn(move || {
            let _ = socket.set_rcvtimeo(100);
            while !shutdown.load(Ordering::SeqCst) {
                let message = match wire::recv(&socket, &signer) {
                    Ok(message) => message,
                    Err(wire::WireError::Zmq(zmq::Error::EAGAIN)) => continue,
                    Err(e) => {
                        log::warn!("control: dropped a message: {e}");
                        continue;
                    }
                };
                iopub.status(Status::busy(), &message);
                let reply = handle(&message, &engine, &shutdown);
                if let Some(content) = reply {
                    let reply = wire::message(content, Some(&message), &message.header.session);
                    if let Err(e) = wire::send(&socket, &signer, &reply) {
                        log::warn!("control: reply failed: {e}");
                    }
                }
                iopub.status(Status::idle(), &message);
            }
        })
        .expect("spawn control thread")
}

fn handle(
    message: &JupyterMessage,
    engine: &Engine,
    shutdown: &AtomicBool,
) -> Option<JupyterMessageContent> {
    match &message.content {
        JupyterMessageContent::KernelInfoRequest(_) => Some(kernel_info::reply()),
        JupyterMessageContent::InterruptRequest(_) => {
            if engine.interrupt() {
                log::info!("interrupt_request: stopped the running cell");
            }
            Some(InterruptReply::new().into())
        }
        JupyterMessageContent::ShutdownRequest(request) => {
            Some(shut_down(request, engine, shutdown))
        }
        other => {
            log::warn!("control: ignoring unsupported `{}`", other.message_type());
            None
        }
    }
}

/// Answers a shutdown request (on control, or on shell as older clients send it): stops
/// any running cell and tells every loop to end once the reply is out.
pub(super) fn shut_down(
    request: &ShutdownRequest,
    engine: &Engine,
    shutdown: &AtomicBool,
) -> JupyterMessageContent {
    shutdown.store(true, Ordering::SeqCst);
    engine.interrupt();
    ShutdownReply {
        restart: request.restart,
        ..ShutdownReply::default()
    }
    .into()
}
