//! The five ZeroMQ sockets of a kernel, bound from a connection file.

use std::path::Path;

use jupyter_protocol::JupyterMessage;
use jupyter_protocol::connection_info::ConnectionInfo;

use super::{Signer, WireError, decode, encode};

/// The sockets named by a connection file. Each is moved to the thread that serves it.
pub struct Sockets {
    /// Requests from front ends (ROUTER).
    pub shell: zmq::Socket,
    /// High-priority requests: interrupt, shutdown, `kernel_info` (ROUTER).
    pub control: zmq::Socket,
    /// Input requests to front ends (ROUTER).
    pub stdin: zmq::Socket,
    /// Broadcast of outputs and status (XPUB, so subscriptions can be welcomed).
    pub iopub: zmq::Socket,
    /// Echo for liveness checks (REP).
    pub heartbeat: zmq::Socket,
}

impl Sockets {
    /// Binds every channel of `info` in `context`.
    pub fn bind(context: &zmq::Context, info: &ConnectionInfo) -> Result<Self, WireError> {
        let bind = |kind, url: String| -> Result<zmq::Socket, WireError> {
            let socket = context.socket(kind)?;
            socket.set_linger(1000)?;
            socket.bind(&url)?;
            Ok(socket)
        };
        let iopub = bind(zmq::XPUB, info.iopub_url())?;
        // Report every subscription, even repeated ones, so each new client is welcomed.
        iopub.set_xpub_verbose(true)?;
        Ok(Self {
            shell: bind(zmq::ROUTER, info.shell_url())?,
            control: bind(zmq::ROUTER, info.control_url())?,
            stdin: bind(zmq::ROUTER, info.stdin_url())?,
            iopub,
            heartbeat: bind(zmq::REP, info.hb_url())?,
        })
    }
}

/// Reads a connection file as Jupyter front ends write it.
pub fn read_connection_file(path: &Path) -> anyhow::Result<ConnectionInfo> {
    use anyhow::Context as _;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read connection file {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("connection file {} is not valid", path.display()))
}

/// Receives and decodes one message. A decoding error leaves the socket usable.
pub fn recv(socket: &zmq::Socket, signer: &Signer) -> Result<JupyterMessage, WireError> {
    let frames = socket.recv_multipart(0)?;
    decode(frames, signer)
}

/// Receives and decodes one message if one is already waiting.
pub fn recv_now(socket: &zmq::Socket, signer: &Signer) -> Result<JupyterMessage, WireError> {
    let frames = socket.recv_multipart(zmq::DONTWAIT)?;
    decode(frames, signer)
}

/// Encodes, signs and sends one message.
pub fn send(
    socket: &zmq::Socket,
    signer: &Signer,
    message: &JupyterMessage,
) -> Result<(), WireError> {
    socket.send_multipart(encode(message, signer), 0)?;
    Ok(())
}
