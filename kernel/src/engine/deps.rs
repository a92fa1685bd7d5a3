//! `:dep`: crates for later cells, built by cargo once per set of dependencies.
//!
//! The set (with the toolchain's version) names a directory under the user's cache, so
//! every kernel asking for the same crates reuses one build, and cargo's own lock on
//! that directory keeps two kernels from building it at the same time. Cells then get
//! each crate with `--extern`, like the runtime.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::compiler::{Compiler, Extern};

/// Adds the dependency `spec` (a Cargo.toml line: `regex = "1"`, `serde = { version =
/// "1", features = ["derive"] }`, or a bare name for any version) and builds the set;
/// cargo's progress goes to `progress`. Returns the dependency's name.
pub(super) fn add(
    compiler: &mut Compiler,
    spec: &str,
    progress: &dyn Fn(&str),
) -> anyhow::Result<String> {
    let (name, line) = parse(spec)?;
    let mut specs = compiler.dependencies.clone();
    specs.insert(name.clone(), line);
    let dir = cache_dir()?.join(key(&specs, &compiler.runtime().rustc_version));
    let externs = build(&dir, &specs, &compiler.runtime().rustc, progress)?;
    compiler.dependencies = specs;
    compiler.externs = externs;
    compiler.dependency_dirs = vec![dir.join("target/release/deps")];
    Ok(name)
}

/// The dependency's name and its Cargo.toml line.
fn parse(spec: &str) -> anyhow::Result<(String, String)> {
    let spec = spec.trim();
    if spec.is_empty() {
        bail!("`:dep` needs a crate, e.g. `:dep regex = \"1\"`");
    }
    let line = if spec.contains('=') {
        spec.to_owned()
    } else {
        format!("{spec} = \"*\"")
    };
    let table: toml::Table = toml::from_str(&line)
        .with_context(|| format!("`{spec}` is not a Cargo.toml dependency line"))?;
    let mut names = table.keys();
    match (names.next(), names.next()) {
        (Some(name), None) => Ok((name.clone(), line)),
        _ => bail!("`:dep` takes one crate at a time, not `{spec}`"),
    }
}

fn key(specs: &std::collections::BTreeMap<String, String>, rustc_version: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(rustc_version);
    for line in specs.values() {
        hash.update(b"\n");
        hash.update(line);
    }
    hex::encode(&hash.finalize()[..8])
}

fn cache_dir() -> anyhow::Result<PathBuf> {
    Ok(dirs::cache_dir()
        .context("no cache directory for `:dep` builds")?
        .join("rangeo/deps"))
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    filenames: Vec<PathBuf>,
    #[serde(default)]
    success: Option<bool>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

/// Builds the set in `dir`; returns the libraries of the crates asked for.
fn build(
    dir: &Path,
    specs: &std::collections::BTreeMap<String, String>,
    rustc: &Path,
    progress: &dyn Fn(&str),
) -> anyhow::Result<Vec<Extern>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let manifest = format!(
        "[package]\nname = \"rangeo-deps\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[lib]\npath = \"lib.rs\"\n\n[dependencies]\n{}\n",
        specs.values().cloned().collect::<Vec<_>>().join("\n")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    std::fs::write(dir.join("lib.rs"), "")?;
    let mut child = Command::new("cargo")
        .args([
            "build",
            "--release",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(dir)
        .env("RUSTC", rustc)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run cargo")?;
    let stderr = child.stderr.take().expect("piped stderr");
    let stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .filter_map(|l| serde_json::from_str::<Message>(&l).ok())
            .collect::<Vec<_>>()
    });
    let mut errors = Vec::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        progress(&line);
        errors.push(line);
    }
    let status = child.wait()?;
    let messages = reader.join().unwrap_or_default();
    let succeeded = messages
        .iter()
        .any(|m| m.reason == "build-finished" && m.success == Some(true));
    if !status.success() || !succeeded {
        bail!(
            "cargo could not build the dependencies:\n{}",
            errors.join("\n")
        );
    }
    let mut externs = Vec::new();
    for name in specs.keys() {
        let crate_name = name.replace('-', "_");
        let library = messages
            .iter()
            .filter(|m| m.reason == "compiler-artifact")
            .filter_map(|m| Some((m.target.as_ref()?, &m.filenames)))
            .filter(|(t, _)| t.name.replace('-', "_") == crate_name)
            .filter(|(t, _)| {
                t.kind
                    .iter()
                    .any(|k| k.contains("lib") || k == "proc-macro")
            })
            .flat_map(|(_, files)| files.iter())
            .find(|f| f.extension().is_some_and(|e| e == "rlib" || e == "so"))
            .with_context(|| format!("cargo built no library for `{name}`"))?;
        externs.push(Extern {
            name: crate_name,
            path: library.clone(),
        });
    }
    Ok(externs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_lines_are_parsed_like_cargo_toml() {
        assert_eq!(parse("regex = \"1\"").unwrap().0, "regex");
        assert_eq!(parse("evcxr_input").unwrap().1, "evcxr_input = \"*\"");
        let (name, _) = parse("serde = { version = \"1\", features = [\"derive\"] }").unwrap();
        assert_eq!(name, "serde");
        assert!(parse("").is_err());
        assert!(parse("a = \"1\"\nb = \"2\"").is_err());
        assert!(
            parse("regex = ")
                .unwrap_err()
                .to_string()
                .contains("not a Cargo.toml")
        );
    }

    #[test]
    fn the_build_key_changes_with_the_set_and_the_toolchain() {
        let one = std::collections::BTreeMap::from([("a".to_owned(), "a = \"1\"".to_owned())]);
        let two = std::collections::BTreeMap::from([("a".to_owned(), "a = \"2\"".to_owned())]);
        assert_ne!(key(&one, "rustc 1"), key(&two, "rustc 1"));
        assert_ne!(key(&one, "rustc 1"), key(&one, "rustc 2"));
        assert_eq!(key(&one, "rustc 1"), key(&one, "rustc 1"));
    }
}
