//! # rangeo-kernel
//!
//! A Jupyter kernel (protocol 5.5) that compiles Rust cells against the prebuilt rangeo
//! runtime and runs them.
//!
//! Data flows one way: a front end's request reaches [`session`], [`engine`] compiles the
//! cell and runs it in the evaluation process, and [`display`] relays what the cell emits
//! to iopub. [`wire`] is the protocol on ZeroMQ; [`install`] writes the kernelspec and
//! builds the runtime ([`prebuilt`]).

pub mod display;
pub mod engine;
pub mod install;
pub mod prebuilt;
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
