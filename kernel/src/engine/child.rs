//! Runs inside evcxr's evaluation process (this same binary, started with
//! `EVCXR_IS_RUNTIME`), before evcxr takes it over.
//!
//! evcxr reports an `Err` that ends a cell through `?` by printing the error to stderr and
//! then a private `EVCXR_ERROR_OCCURRED` line to stdout, which it consumes itself; the
//! kernel would only see some stderr text. So stdout and stderr are passed through pipes
//! that one thread pumps to the real descriptors: everything is forwarded at once, and
//! before `EVCXR_ERROR_OCCURRED` the pump writes a [`USER_ERROR`] line carrying the stderr
//! text the cell wrote since its last stdout line. The kernel turns that into the cell's
//! error. Forwarding immediately (never holding data back) means a crash loses nothing
//! that had left the pump.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use serde_json::json;

use rangeo::display::protocol::USER_ERROR;

/// evcxr's line for "the cell returned an error through `?`".
const EVCXR_ERROR_OCCURRED: &[u8] = b"EVCXR_ERROR_OCCURRED";

/// Installs the pump when this process is evcxr's evaluation process; does nothing in
/// the kernel itself. Must run before any other thread starts.
pub fn prepare_evaluation_process() {
    if std::env::var_os("EVCXR_IS_RUNTIME").is_none() {
        return;
    }
    if let Err(e) = interpose() {
        // stderr is still the real one here: say why error reporting is degraded.
        let message = format!(
            "rangeo: cannot watch the cell's output ({e}); `?` errors will show as stderr only\n"
        );
        let _ = write_all(2, message.as_bytes());
    }
}

fn interpose() -> io::Result<()> {
    let real_out = dup(1)?;
    let real_err = dup(2)?;
    let (out_read, out_write) = pipe()?;
    let (err_read, err_write) = pipe()?;
    dup2(&out_write, 1)?;
    dup2(&err_write, 2)?;
    drop((out_write, err_write));
    std::thread::Builder::new()
        .name("rangeo-pump".into())
        .spawn(move || Pump::default().run(&out_read, &err_read, &real_out, &real_err))?;
    Ok(())
}

#[derive(Default)]
struct Pump {
    /// Bytes of the stdout line in progress.
    line: Vec<u8>,
    /// stderr text since the last complete stdout line.
    recent_err: Vec<u8>,
}

impl Pump {
    fn run(mut self, out: &OwnedFd, err: &OwnedFd, real_out: &OwnedFd, real_err: &OwnedFd) {
        let mut buf = vec![0u8; 64 * 1024];
        let mut fds = [poll_fd(out), poll_fd(err)];
        loop {
            for fd in &mut fds {
                fd.revents = 0;
            }
            // SAFETY: `fds` is a valid array of pollfd for the duration of the call.
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
            if ready < 0 {
                if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return;
            }
            // stderr first: what the cell wrote before a stdout line is already in its pipe.
            if fds[1].revents != 0 {
                match read(err, &mut buf) {
                    Ok(0) | Err(_) => fds[1].fd = -1,
                    Ok(n) => {
                        self.recent_err.extend_from_slice(&buf[..n]);
                        let _ = write_all(real_err.as_raw_fd(), &buf[..n]);
                    }
                }
            }
            if fds[0].revents != 0 {
                self.drain_stderr(err, real_err, &mut buf);
                match read(out, &mut buf) {
                    Ok(0) | Err(_) => {
                        let _ = write_all(real_out.as_raw_fd(), &self.line);
                        return;
                    }
                    Ok(n) => self.stdout(&buf[..n], real_out.as_raw_fd()),
                }
            }
        }
    }

    fn drain_stderr(&mut self, err: &OwnedFd, real_err: &OwnedFd, buf: &mut [u8]) {
        let mut fd = [poll_fd(err)];
        // SAFETY: as above; a zero timeout only asks what is ready now.
        while unsafe { libc::poll(fd.as_mut_ptr(), 1, 0) } > 0 && fd[0].revents & libc::POLLIN != 0
        {
            match read(err, buf) {
                Ok(n) if n > 0 => {
                    self.recent_err.extend_from_slice(&buf[..n]);
                    let _ = write_all(real_err.as_raw_fd(), &buf[..n]);
                }
                _ => return,
            }
        }
    }

    fn stdout(&mut self, bytes: &[u8], real_out: RawFd) {
        for &byte in bytes {
            self.line.push(byte);
            if byte != b'\n' {
                continue;
            }
            if self.line.strip_suffix(b"\n") == Some(EVCXR_ERROR_OCCURRED) {
                let message = String::from_utf8_lossy(&self.recent_err)
                    .trim_end()
                    .to_owned();
                let marker = format!("{USER_ERROR}{}\n", json!({ "message": message }));
                let _ = write_all(real_out, marker.as_bytes());
            }
            let _ = write_all(real_out, &self.line);
            self.line.clear();
            self.recent_err.clear();
        }
    }
}

fn poll_fd(fd: &OwnedFd) -> libc::pollfd {
    libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    }
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe() writes.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe() succeeded, so both descriptors are open and owned by us alone.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn dup(fd: RawFd) -> io::Result<OwnedFd> {
    // SAFETY: dup() on a descriptor number has no memory-safety preconditions.
    let new = unsafe { libc::dup(fd) };
    if new < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: dup() returned a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

fn dup2(from: &OwnedFd, to: RawFd) -> io::Result<()> {
    // SAFETY: both are valid descriptor numbers; `to` is replaced atomically.
    if unsafe { libc::dup2(from.as_raw_fd(), to) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn read(fd: &OwnedFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for writes of its length.
    let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
}

fn write_all(fd: RawFd, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        // SAFETY: `bytes` is valid for reads of its length.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        match usize::try_from(n) {
            Ok(n) => bytes = &bytes[n..],
            Err(_) if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(io::Error::last_os_error()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_line_is_preceded_by_a_marker_with_the_stderr_text() {
        let (read_end, write_end) = pipe().unwrap();
        let mut pump = Pump::default();
        pump.recent_err
            .extend_from_slice(b"invalid digit found in string\n");
        pump.stdout(b"EVCXR_ERROR_OCCURRED\nnext", write_end.as_raw_fd());
        drop(write_end);
        let mut out = vec![0u8; 4096];
        let n = read(&read_end, &mut out).unwrap();
        let text = String::from_utf8_lossy(&out[..n]);
        assert_eq!(
            text,
            "RANGEO_USER_ERROR {\"message\":\"invalid digit found in string\"}\nEVCXR_ERROR_OCCURRED\n"
        );
        assert_eq!(pump.line, b"next");
        assert!(pump.recent_err.is_empty());
    }

    #[test]
    fn plain_lines_pass_through_and_reset_the_stderr_window() {
        let (read_end, write_end) = pipe().unwrap();
        let mut pump = Pump::default();
        pump.recent_err.extend_from_slice(b"warning\n");
        pump.stdout(b"hello\n", write_end.as_raw_fd());
        drop(write_end);
        let mut out = vec![0u8; 64];
        let n = read(&read_end, &mut out).unwrap();
        assert_eq!(&out[..n], b"hello\n");
        assert!(pump.recent_err.is_empty());
    }
}
