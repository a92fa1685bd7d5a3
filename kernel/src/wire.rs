//! The Jupyter wire protocol over ZeroMQ: the connection file, message framing, HMAC
//! signing and the five sockets.
//!
//! Framing and signing are pure functions over byte frames so they can be tested without
//! sockets; [`Sockets`] binds the five channels a connection file names.

mod frames;
mod signing;
mod sockets;

pub use frames::{DELIMITER, PROTOCOL_VERSION, WireError, decode, encode, message};
pub use signing::Signer;
pub use sockets::{Sockets, read_connection_file, recv, recv_now, send};
