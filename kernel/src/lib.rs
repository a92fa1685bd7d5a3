//! # rangeo-kernel
//!
//! A Jupyter kernel (protocol 5.5) that compiles and runs Rust cells through evcxr.
//!
//! Data flows one way: a front end's request reaches [`session`], [`engine`] compiles and
//! runs the cell in evcxr's child process, and [`display`] relays what the cell emits to
//! iopub. [`wire`] is the protocol on ZeroMQ; [`install`] writes the kernelspec.

pub mod display;
pub mod engine;
pub mod install;
pub mod session;
pub mod wire;

use std::path::PathBuf;

/// Where rangeo keeps per-user state (history): `$RANGEO_DATA_DIR`, else the platform's
/// user data directory.
#[must_use]
pub fn data_dir() -> Option<PathBuf> {
    std::env::var_os("RANGEO_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("rangeo")))
}
