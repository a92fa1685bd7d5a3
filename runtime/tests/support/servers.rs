//! Servers the tests start on 127.0.0.1 from `tests/servers`, with the test
//! environment's Python.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A server script of `tests/servers` run with the test environment's Python
/// (`RANGEO_PYTHON` or `.venv/bin/python`), stopped on drop.
pub(crate) struct Server(pub(crate) Child);

impl Server {
    pub(crate) fn start(script: &str, args: &[&std::ffi::OsStr]) -> Self {
        let python = std::env::var_os("RANGEO_PYTHON")
            .map_or_else(|| root().join(".venv/bin/python"), PathBuf::from);
        let child = Command::new(&python)
            .arg(root().join("tests/servers").join(script))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {script} with {}: {e} (scripts/test.sh makes .venv)",
                    python.display()
                )
            });
        Self(child)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An HTTP server on 127.0.0.1 serving `directory`, and its port; stopped on drop.
pub(crate) fn http_server(directory: &Path) -> (Server, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Server::start(
        "static_http.py",
        &[directory.as_os_str(), port.to_string().as_ref()],
    );
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the HTTP server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
}
