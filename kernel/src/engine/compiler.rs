//! Compiles a cell's crate with rustc, directly.
//!
//! The mechanism was chosen by measuring on the 2-core development machine (numbers from
//! `bench/kernel.py` and timed rustc runs, November 2026):
//!
//! - **evcxr as it is** (cargo per cell, the runtime a `:dep` statically linked into each
//!   cell): 6.6 s to start (rust-analyzer loads std before the first cell), 29 s to the
//!   first runtime-using result (cargo builds the runtime in every new kernel), 0.41 s per
//!   runtime-using cell and 0.38 s per `1 + 1`. Each cell also gets its own copy of the
//!   runtime's statics, so no state could be shared between cells.
//! - **evcxr with its knobs**: opt-level 0, the mold linker and calling the toolchain's
//!   binaries instead of rustup's proxies changed per-cell time by less than run-to-run
//!   noise: the time is cargo's (manifests, lock file, fingerprints of every dependency)
//!   and rust-analyzer's, not code generation.
//! - **rustc directly against the runtime as a prebuilt `dylib`** (this module): one
//!   `librangeo.so` built at install time; a cell is one file that rustc compiles and
//!   links against it in 0.13-0.16 s, however large the runtime grows, and all cells
//!   share one copy of the runtime and its state. Measured through the kernel: 0.3 s to
//!   start, 0.8 s to the first runtime-using result, 0.19 s per runtime-using cell.
//! - **cell opt-level**: 0.11 s at 0, 0.19 s at 1, 0.59 s at 2 for a small cell. Cells are
//!   glue around optimised runtime code, so 0 is the default; `:opt` raises it.
//! - `-C codegen-units=1`, stripping symbols and shared generics made no measurable
//!   difference at this size.
//!
//! Variable types come from the MIR written by the same compile (see [`kept_types`]),
//! so no second compile and no rust-analyzer is needed to run a cell.
//!
//! Every cell crate has the same crate name and metadata, so a type defined by a cell
//! (re-emitted in later cells' crates) has the same `TypeId` in each, and stored values
//! of it can be taken back.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use serde::Deserialize;

use crate::prebuilt::Prebuilt;

use super::codegen::KEEP_PREFIX;

/// The crate name of every cell.
const CRATE_NAME: &str = "rangeo_cell";

/// A crate a cell may use besides the runtime (from `:dep`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Extern {
    /// Its name in `use` paths.
    pub name: String,
    /// Its compiled library.
    pub path: PathBuf,
}

/// Compiles cells of one kernel.
#[derive(Debug)]
pub(super) struct Compiler {
    runtime: Prebuilt,
    /// Where the cells' sources and libraries go.
    dir: PathBuf,
    /// `-C opt-level` for cells.
    pub opt_level: u8,
    /// `:dep` lines, by crate.
    pub dependencies: std::collections::BTreeMap<String, String>,
    /// Crates added with `:dep`.
    pub externs: Vec<Extern>,
    /// Directories where those crates' dependencies are.
    pub dependency_dirs: Vec<PathBuf>,
}

/// A compiled cell.
#[derive(Debug)]
pub(super) struct Compiled {
    /// The shared library to run.
    pub library: PathBuf,
    /// rustc's MIR of the crate, when asked for.
    pub mir: Option<String>,
}

/// One rustc diagnostic, in the generated crate's coordinates.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub(super) struct RawDiagnostic {
    /// `error`, `warning`, `note`, `help`, ...
    pub level: String,
    /// The message.
    pub message: String,
    /// The error code (`E0308`).
    #[serde(default)]
    pub code: Option<Code>,
    /// Where it points.
    #[serde(default)]
    pub spans: Vec<RawSpan>,
    /// Notes and help.
    #[serde(default)]
    pub children: Vec<RawDiagnostic>,
}

/// A diagnostic's code.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub(super) struct Code {
    /// `E0308` and the like.
    pub code: String,
}

/// A span of a diagnostic (1-based lines and columns, in characters).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[allow(clippy::struct_field_names, reason = "rustc's JSON field names")]
pub(super) struct RawSpan {
    /// The file it is in.
    pub file_name: String,
    /// First line.
    pub line_start: usize,
    /// Last line.
    pub line_end: usize,
    /// First column.
    pub column_start: usize,
    /// Column after the last.
    pub column_end: usize,
    /// Whether it is the diagnostic's main span.
    pub is_primary: bool,
    /// The text rustc puts under the span.
    #[serde(default)]
    pub label: Option<String>,
    /// A fix rustc suggests.
    #[serde(default)]
    pub suggested_replacement: Option<String>,
}

impl RawDiagnostic {
    /// The main span, when it is in the cell's crate.
    pub(super) fn primary(&self) -> Option<&RawSpan> {
        self.spans
            .iter()
            .find(|s| s.is_primary && s.file_name.starts_with("cell_"))
    }

    /// The error code, if any.
    pub(super) fn code(&self) -> Option<&str> {
        self.code.as_ref().map(|c| c.code.as_str())
    }
}

impl Compiler {
    /// A compiler for cells of the prebuilt runtime, writing into `dir`.
    pub(super) fn new(runtime: Prebuilt, dir: PathBuf) -> Self {
        Self {
            runtime,
            dir,
            opt_level: 0,
            dependencies: std::collections::BTreeMap::new(),
            externs: Vec::new(),
            dependency_dirs: Vec::new(),
        }
    }

    /// The runtime the cells link against.
    pub(super) fn runtime(&self) -> &Prebuilt {
        &self.runtime
    }

    /// Compiles cell number `n`; with `mir`, also returns its MIR (for the types of the
    /// values it keeps).
    pub(super) fn compile(
        &self,
        n: usize,
        source: &str,
        mir: bool,
    ) -> Result<Compiled, Vec<RawDiagnostic>> {
        let file = self.dir.join(format!("cell_{n}.rs"));
        let library = self.dir.join(format!("libcell_{n}.so"));
        let mir_file = self.dir.join(format!("cell_{n}.mir"));
        if let Err(e) = std::fs::write(&file, source) {
            return Err(vec![failure(format!(
                "cannot write {}: {e}",
                file.display()
            ))]);
        }
        let mut emit = format!("link={}", library.display());
        if mir {
            let _ = write!(emit, ",mir={}", mir_file.display());
        }
        let mut command = Command::new(&self.runtime.rustc);
        command
            .current_dir(&self.dir)
            .args(["--edition", "2024", "--crate-type", "cdylib"])
            .args(["--crate-name", CRATE_NAME, "-C", "metadata=rangeo-cell"])
            .args([
                "-C",
                "prefer-dynamic",
                "-C",
                "debuginfo=0",
                "-A",
                "warnings",
            ])
            .arg("-C")
            .arg(format!("opt-level={}", self.opt_level))
            .arg("--error-format=json")
            .arg(format!("--emit={emit}"))
            .arg("--extern")
            .arg(format!("rangeo={}", self.runtime.dylib.display()))
            .arg("-L")
            .arg(format!("dependency={}", self.runtime.deps.display()))
            .args(self.runtime.native_args());
        for dir in &self.dependency_dirs {
            command
                .arg("-L")
                .arg(format!("dependency={}", dir.display()));
        }
        for ext in &self.externs {
            command
                .arg("--extern")
                .arg(format!("{}={}", ext.name, ext.path.display()));
        }
        command.arg(file.file_name().expect("a file name"));
        let started = Instant::now();
        let output = match command.output() {
            Ok(output) => output,
            Err(e) => {
                return Err(vec![failure(format!(
                    "cannot run {}: {e}",
                    self.runtime.rustc.display()
                ))]);
            }
        };
        log::debug!("rustc cell {n}: {:.0?}", started.elapsed());
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let mut errors: Vec<RawDiagnostic> = stderr
                .lines()
                .filter_map(|l| serde_json::from_str::<RawDiagnostic>(l).ok())
                .filter(|d| {
                    d.level.starts_with("error") && !d.message.starts_with("aborting due to")
                })
                .collect();
            if errors.is_empty() {
                errors.push(failure(format!("rustc failed: {stderr}")));
            }
            return Err(errors);
        }
        let mir = mir.then(|| std::fs::read_to_string(&mir_file).unwrap_or_default());
        let _ = std::fs::remove_file(&mir_file);
        Ok(Compiled { library, mir })
    }
}

fn failure(message: String) -> RawDiagnostic {
    RawDiagnostic {
        level: "error".into(),
        message,
        code: None,
        spans: Vec::new(),
        children: Vec::new(),
    }
}

/// The types of the values a cell keeps, read from its MIR: `debug __rangeo_keep_x =>
/// _7;` names the local, and `let _7: std::vec::Vec<f64>;` gives its type with full,
/// public paths. Returns (variable, type) pairs.
pub(super) fn kept_types(mir: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    // Locals are per function; MIR prints each function as `fn ... {` up to a `}` line.
    for body in mir.split("\n}\n") {
        for line in body.lines() {
            let Some(rest) = line.trim().strip_prefix("debug ") else {
                continue;
            };
            let Some((name, local)) = rest.split_once(" => ") else {
                continue;
            };
            let Some(var) = name.strip_prefix(KEEP_PREFIX) else {
                continue;
            };
            let local = local.trim_end_matches(';');
            // A zero-sized value (a closure that captures nothing, a unit struct) has no
            // local: `debug x => const ZeroSized: Type;`.
            if let Some(ty) = local.strip_prefix("const ZeroSized: ") {
                found.push((var.to_owned(), ty.to_owned()));
                continue;
            }
            let decl = [format!("let {local}: "), format!("let mut {local}: ")];
            if let Some(ty) = body.lines().find_map(|l| {
                let l = l.trim();
                decl.iter()
                    .find_map(|d| l.strip_prefix(d.as_str()))
                    .map(|t| t.trim_end_matches(';').to_owned())
            }) {
                found.push((var.to_owned(), ty));
            }
        }
    }
    found
}

/// Whether a type, as MIR prints it, can be written in a later cell: closures, futures
/// and other compiler-made types cannot.
pub(super) fn nameable(ty: &str) -> bool {
    !ty.contains('{') && !ty.contains("impl ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIR: &str = "fn rangeo_cell() -> () {
    let mut _0: ();
    let _1: std::vec::Vec<f64>;
    scope 1 {
        debug x => _1;
    }
}

fn rangeo_cell::{closure#0}(_1: {closure@cell_1.rs:4:25: 4:27}) -> Result<(), CellError> {
    let mut _0: std::result::Result<(), rangeo::cell::CellError>;
    let _10: std::collections::HashMap<std::string::String, i32>;
    let mut _11: &str;
    let _12: std::iter::Map<std::ops::Range<i32>, {closure@cell_1.rs:5:9: 5:12}>;
    scope 1 {
        debug __rangeo_keep_counts => _10;
        debug __rangeo_keep_name => _11;
        debug __rangeo_keep_it => _12;
        debug __rangeo_keep_unit => const ZeroSized: Marker;
    }
}
";

    #[test]
    fn kept_types_come_from_the_mir_locals() {
        let types = kept_types(MIR);
        assert_eq!(
            types,
            [
                (
                    "counts".into(),
                    "std::collections::HashMap<std::string::String, i32>".into()
                ),
                ("name".into(), "&str".into()),
                (
                    "it".into(),
                    "std::iter::Map<std::ops::Range<i32>, {closure@cell_1.rs:5:9: 5:12}>".into()
                ),
                ("unit".into(), "Marker".into()),
            ]
        );
        assert!(nameable(&types[0].1) && nameable(&types[1].1));
        assert!(!nameable(&types[2].1));
    }

    #[test]
    fn diagnostics_parse_from_rustc_json() {
        let line = r#"{"$message_type":"diagnostic","message":"mismatched types","code":{"code":"E0308","explanation":null},"level":"error","spans":[{"file_name":"cell_3.rs","byte_start":1,"byte_end":2,"line_start":5,"line_end":5,"column_start":14,"column_end":19,"is_primary":true,"text":[],"label":"expected `i32`, found `&str`","suggested_replacement":null,"suggestion_applicability":null,"expansion":null}],"children":[],"rendered":"x"}"#;
        let d: RawDiagnostic = serde_json::from_str(line).unwrap();
        assert_eq!(d.code(), Some("E0308"));
        assert_eq!(d.primary().unwrap().line_start, 5);
    }
}
