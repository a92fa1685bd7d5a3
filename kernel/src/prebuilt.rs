//! The runtime, built once at install time: `librangeo.so` (the runtime crate as a Rust
//! `dylib`, optimised), the compiled dependencies that cells' generic code needs, and
//! `rangeo-eval`, the evaluation process's small binary.
//!
//! A kernel only reads this directory, so any number of kernels (and restarts) use it
//! at once without building anything. `runtime.json` is written last, by rename, so a
//! build that was interrupted is never taken for a finished one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

/// The file that describes a finished build.
const STAMP: &str = "runtime.json";

/// The evaluation process's whole program (see `rangeo::cell::serve`).
const EVAL_MAIN: &str = "fn main() {\n    rangeo::cell::serve();\n}\n";

/// The environment variable that points a kernel at its prebuilt runtime.
pub const RUNTIME_ENV: &str = "RANGEO_RUNTIME";

/// A finished build of the runtime.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Prebuilt {
    /// The rustc that built it (the toolchain's binary, not rustup's proxy); cells must
    /// be compiled by the same one.
    pub rustc: PathBuf,
    /// `rustc -vV` of that compiler.
    pub rustc_version: String,
    /// The toolchain's library directory (its `libstd-*.so`).
    pub target_libdir: PathBuf,
    /// `librangeo.so`.
    pub dylib: PathBuf,
    /// The runtime's compiled dependencies.
    pub deps: PathBuf,
    /// Directories of the system libraries the runtime links (netCDF-C, HDF5, ...), as
    /// its build scripts found them: programs linked against it need them too.
    #[serde(default)]
    pub native: Vec<PathBuf>,
    /// The evaluation process's binary.
    pub eval: PathBuf,
    /// The runtime's version.
    pub version: String,
}

impl Prebuilt {
    /// Where a kernel looks for the runtime: `$RANGEO_RUNTIME` (which `install` writes
    /// into kernel.json), else the user's data directory.
    #[must_use]
    pub fn default_dir() -> PathBuf {
        std::env::var_os(RUNTIME_ENV).map_or_else(
            || {
                dirs::data_dir()
                    .unwrap_or_else(std::env::temp_dir)
                    .join("rangeo/runtime")
            },
            PathBuf::from,
        )
    }

    /// The runtime built in `dir`.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let stamp = dir.join(STAMP);
        let text = std::fs::read_to_string(&stamp).with_context(|| {
            format!(
                "the rangeo runtime is not built in {} (run `rangeo-kernel install`, which builds it)",
                dir.display()
            )
        })?;
        let built: Self = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a runtime description", stamp.display()))?;
        for path in [&built.rustc, &built.dylib, &built.eval] {
            if !path.exists() {
                bail!(
                    "the rangeo runtime in {} is incomplete: {} is missing (run `rangeo-kernel install` again)",
                    dir.display(),
                    path.display()
                );
            }
        }
        Ok(built)
    }

    /// Checks that the toolchain that built the runtime is still the one installed: an
    /// updated toolchain cannot load code built by the old one.
    pub fn check_toolchain(&self) -> anyhow::Result<()> {
        let now = version(&self.rustc)?;
        if now != self.rustc_version {
            bail!(
                "the Rust toolchain changed since the runtime was built ({} then, {} now); run `rangeo-kernel install` again",
                first_line(&self.rustc_version),
                first_line(&now)
            );
        }
        Ok(())
    }

    /// Builds the runtime from its source (`source` is the `runtime/` crate of a rangeo
    /// checkout) into `dir`, with the rustc and cargo on `PATH`. Cargo's progress goes to
    /// this process's stderr.
    ///
    /// Cargo compiles in `dir/target`, or in `target` when given: a checkout's own target
    /// directory, where its tests then find the runtime's dependencies already compiled.
    /// The library and its dependencies are then used from there, so that directory must
    /// stay as long as the runtime is installed (a `cargo clean` calls for a new install).
    pub fn build(source: &Path, dir: &Path, target: Option<&Path>) -> anyhow::Result<Self> {
        let (source, dir) = (std::path::absolute(source)?, std::path::absolute(dir)?);
        let (source, dir) = (source.as_path(), dir.as_path());
        let manifest = source.join("Cargo.toml");
        if !manifest.is_file() {
            bail!(
                "no runtime source at {} (give the `runtime/` directory of a rangeo checkout)",
                source.display()
            );
        }
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let rustc = toolchain_rustc()?;
        let rustc_version = version(&rustc)?;
        let target_libdir = PathBuf::from(print(&rustc, "target-libdir")?);
        let target = match target {
            Some(target) => std::path::absolute(target)?,
            None => dir.join("target"),
        };
        // `cargo rustc` makes only this build a dylib; `prefer-dynamic` links it against
        // the toolchain's shared libstd, the one the cells and the eval binary use. Run
        // from the source, cargo finds the checkout's configuration (its target CPU).
        // Cargo's JSON messages on stdout say where build scripts found system libraries.
        let output = Command::new("cargo")
            .current_dir(source)
            .arg("rustc")
            .arg("--manifest-path")
            .arg(&manifest)
            .args(["--release", "--lib", "--crate-type", "dylib"])
            .args(["--message-format", "json-render-diagnostics"])
            .arg("--target-dir")
            .arg(&target)
            .args(["--", "-C", "prefer-dynamic"])
            .env("RUSTC", &rustc)
            .stderr(Stdio::inherit())
            .output()
            .context("cannot run cargo")?;
        if !output.status.success() {
            bail!("building the runtime failed ({})", output.status);
        }
        let native = native_paths(&String::from_utf8_lossy(&output.stdout));
        let release = target.join("release");
        let dylib = release.join("librangeo.so");
        let deps = release.join("deps");
        let main = dir.join("eval.rs");
        std::fs::write(&main, EVAL_MAIN)?;
        let eval = dir.join("rangeo-eval");
        let output = Command::new(&rustc)
            .args([
                "--edition",
                "2024",
                "-C",
                "prefer-dynamic",
                "-C",
                "opt-level=2",
            ])
            .arg("--extern")
            .arg(format!("rangeo={}", dylib.display()))
            .arg("-L")
            .arg(format!("dependency={}", deps.display()))
            .args(link_args(&native))
            .arg("-o")
            .arg(&eval)
            .arg(&main)
            .output()
            .context("cannot run rustc")?;
        if !output.status.success() {
            bail!(
                "building the evaluation process failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let built = Self {
            rustc,
            rustc_version,
            target_libdir,
            dylib,
            deps,
            native,
            eval,
            version: env!("CARGO_PKG_VERSION").to_owned(),
        };
        let temporary = dir.join(format!("{STAMP}.{}", std::process::id()));
        std::fs::write(&temporary, serde_json::to_string_pretty(&built)?)?;
        std::fs::rename(&temporary, dir.join(STAMP))?;
        Ok(built)
    }

    /// rustc's arguments that let a program link against the runtime: `-L` for each
    /// directory of its system libraries.
    #[must_use]
    pub fn native_args(&self) -> Vec<std::ffi::OsString> {
        link_args(&self.native)
    }

    /// `LD_LIBRARY_PATH` for the evaluation process: the runtime, then libstd.
    #[must_use]
    pub fn library_path(&self) -> String {
        let runtime = self.dylib.parent().unwrap_or(Path::new("."));
        format!("{}:{}", runtime.display(), self.target_libdir.display())
    }
}

/// rustc's `-L native=DIR` for each directory of system libraries.
fn link_args(dirs: &[PathBuf]) -> Vec<std::ffi::OsString> {
    dirs.iter()
        .flat_map(|dir| {
            let mut arg = std::ffi::OsString::from("native=");
            arg.push(dir);
            ["-L".into(), arg]
        })
        .collect()
}

/// The directories of system libraries that build scripts named (`linked_paths` of
/// cargo's `build-script-executed` messages), each once.
fn native_paths(messages: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for line in messages.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "build-script-executed" {
            continue;
        }
        for linked in message["linked_paths"].as_array().into_iter().flatten() {
            let Some(path) = linked.as_str() else {
                continue;
            };
            // Kinds other than `native=` (or none) are cargo's own directories.
            let dir = match path.split_once('=') {
                Some(("native" | "all", dir)) => dir,
                Some(_) => continue,
                None => path,
            };
            let dir = PathBuf::from(dir);
            if !paths.contains(&dir) {
                paths.push(dir);
            }
        }
    }
    paths
}

/// The toolchain's own rustc (found through `rustc --print sysroot`), so that cells do
/// not go through rustup's proxy on every compile.
fn toolchain_rustc() -> anyhow::Result<PathBuf> {
    let sysroot = PathBuf::from(print(Path::new("rustc"), "sysroot")?);
    let rustc = sysroot.join("bin/rustc");
    if !rustc.is_file() {
        bail!("no rustc in the toolchain at {}", sysroot.display());
    }
    Ok(rustc)
}

fn print(rustc: &Path, what: &str) -> anyhow::Result<String> {
    let output = Command::new(rustc)
        .args(["--print", what])
        .output()
        .with_context(|| format!("cannot run {} (is Rust installed?)", rustc.display()))?;
    if !output.status.success() {
        bail!("`{} --print {what}` failed", rustc.display());
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

fn version(rustc: &Path) -> anyhow::Result<String> {
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .with_context(|| format!("cannot run {}", rustc.display()))?;
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_library_directories_come_from_build_scripts() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","filenames":["/t/libx.rlib"]}"#,
            "\n",
            r#"{"reason":"build-script-executed","linked_paths":["native=/usr/lib/hdf5/serial","/usr/lib/netcdf","dependency=/t/deps"]}"#,
            "\n",
            r#"{"reason":"build-script-executed","linked_paths":["native=/usr/lib/hdf5/serial"]}"#,
            "\nnot json\n",
        );
        assert_eq!(
            native_paths(messages),
            [
                PathBuf::from("/usr/lib/hdf5/serial"),
                PathBuf::from("/usr/lib/netcdf")
            ]
        );
    }

    #[test]
    fn a_missing_build_names_the_directory_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let error = Prebuilt::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains(&dir.path().display().to_string()), "{error}");
        assert!(error.contains("rangeo-kernel install"), "{error}");
    }

    #[test]
    fn a_stamp_pointing_at_missing_files_is_incomplete() {
        let dir = tempfile::tempdir().unwrap();
        let built = Prebuilt {
            rustc: "/nonexistent/rustc".into(),
            rustc_version: "rustc 1.0".into(),
            target_libdir: "/nonexistent".into(),
            dylib: "/nonexistent/librangeo.so".into(),
            deps: "/nonexistent/deps".into(),
            native: Vec::new(),
            eval: "/nonexistent/rangeo-eval".into(),
            version: "0.1.0".into(),
        };
        std::fs::write(
            dir.path().join(STAMP),
            serde_json::to_string(&built).unwrap(),
        )
        .unwrap();
        let error = Prebuilt::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("incomplete"), "{error}");
    }
}
