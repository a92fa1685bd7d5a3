//! The heartbeat: echoes every message back, on its own thread, whatever the kernel does.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

pub(super) fn start(socket: zmq::Socket, shutdown: Arc<AtomicBool>) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("heartbeat".into())
        .spawn(move || {
            let _ = socket.set_rcvtimeo(200);
            while !shutdown.load(Ordering::SeqCst) {
                match socket.recv_multipart(0) {
                    Ok(frames) => {
                        if let Err(e) = socket.send_multipart(frames, 0) {
                            log::warn!("heartbeat echo failed: {e}");
                        }
                    }
                    Err(zmq::Error::EAGAIN) => {}
                    Err(e) => log::warn!("heartbeat receive failed: {e}"),
                }
            }
        })
        .expect("spawn heartbeat thread")
}
