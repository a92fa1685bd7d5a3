//! Writes the kernelspec that front ends use to start the kernel, and builds the runtime
//! it runs cells against.
//!
//! The kernelspec's files come from `kernelspec/` in the source tree, embedded in the
//! binary so that an installed binary can always (re)install itself. The runtime is
//! built (see [`crate::prebuilt`]) beside the kernelspec, in `share/rangeo/runtime` of
//! the same prefix, and kernel.json points the kernel at it.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde_json::{Map, Value, json};

use crate::prebuilt::{Prebuilt, RUNTIME_ENV};

/// The runtime crate of the checkout this binary was built from.
const RUNTIME_SOURCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime");

const KERNEL_JSON: &str = include_str!("../../kernelspec/kernel.json");
const LOGO_32: &[u8] = include_bytes!("../../kernelspec/logo-32x32.png");
const LOGO_64: &[u8] = include_bytes!("../../kernelspec/logo-64x64.png");
const LOGO_SVG: &[u8] = include_bytes!("../../kernelspec/logo-svg.svg");

/// Which Jupyter data directory receives the kernelspec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The user's Jupyter data directory (`~/.local/share/jupyter` on Linux).
    User,
    /// The active Python environment (`$VIRTUAL_ENV`, `$CONDA_PREFIX`, or `python3`'s `sys.prefix`).
    SysPrefix,
    /// `PREFIX/share/jupyter`, as for a system-wide install (`/usr/local`).
    Prefix(PathBuf),
}

/// The directory `kernels/NAME` for `location`.
pub fn kernel_dir(location: &Location, name: &str) -> anyhow::Result<PathBuf> {
    let data = match location {
        Location::User => user_data_dir()?,
        Location::SysPrefix => sys_prefix()?.join("share/jupyter"),
        Location::Prefix(prefix) => prefix.join("share/jupyter"),
    };
    Ok(data.join("kernels").join(name))
}

/// Where the runtime for `location` is built: `share/rangeo/runtime` beside
/// `share/jupyter`.
pub fn runtime_dir(location: &Location) -> anyhow::Result<PathBuf> {
    Ok(match location {
        Location::User => Prebuilt::default_dir(),
        Location::SysPrefix => sys_prefix()?.join("share/rangeo/runtime"),
        Location::Prefix(prefix) => prefix.join("share/rangeo/runtime"),
    })
}

/// What to install.
#[derive(Debug, Clone)]
pub struct Options {
    /// The kernelspec's name.
    pub name: String,
    /// Where to build the runtime (default: [`runtime_dir`] of the location).
    pub runtime_dir: Option<PathBuf>,
    /// The runtime crate to build (default: the checkout this binary came from).
    pub runtime_source: Option<PathBuf>,
    /// The cargo target directory to compile in (default: `target/` inside the runtime
    /// directory); see [`Prebuilt::build`].
    pub cargo_target_dir: Option<PathBuf>,
}

/// Builds the runtime and writes the kernelspec for the running binary; returns the
/// kernelspec's directory.
pub fn install(location: &Location, options: &Options) -> anyhow::Result<PathBuf> {
    let name = options.name.as_str();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        bail!("kernel name `{name}` must be ASCII letters, digits, `.`, `_` or `-`");
    }
    let exe = std::env::current_exe().context("cannot locate the rangeo-kernel binary")?;
    let dir = kernel_dir(location, name)?;
    let runtime = match &options.runtime_dir {
        Some(dir) => dir.clone(),
        None => runtime_dir(location)?,
    };
    let source = options
        .runtime_source
        .clone()
        .unwrap_or_else(|| PathBuf::from(RUNTIME_SOURCE));
    log::info!(
        "building the runtime from {} into {}",
        source.display(),
        runtime.display()
    );
    Prebuilt::build(&source, &runtime, options.cargo_target_dir.as_deref())?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut env = toolchain_env();
    let runtime = std::path::absolute(&runtime)?;
    env.insert(RUNTIME_ENV.into(), json!(runtime.display().to_string()));
    let spec = kernel_json(&exe, &env)?;
    write(
        &dir.join("kernel.json"),
        serde_json::to_string_pretty(&spec)?.as_bytes(),
    )?;
    write(&dir.join("logo-32x32.png"), LOGO_32)?;
    write(&dir.join("logo-64x64.png"), LOGO_64)?;
    write(&dir.join("logo-svg.svg"), LOGO_SVG)?;
    Ok(dir)
}

/// Removes the kernelspec; returns its directory.
pub fn uninstall(location: &Location, name: &str) -> anyhow::Result<PathBuf> {
    let dir = kernel_dir(location, name)?;
    if !dir.join("kernel.json").exists() {
        bail!("no kernelspec at {}", dir.display());
    }
    std::fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    Ok(dir)
}

/// The kernel.json: the template with the binary's absolute path and the toolchain's
/// environment, so spawners without a login shell (JupyterHub) find cargo and rustc.
fn kernel_json(exe: &Path, env: &Map<String, Value>) -> anyhow::Result<Value> {
    let mut spec: Value =
        serde_json::from_str(KERNEL_JSON).context("kernelspec/kernel.json is not valid JSON")?;
    let exe = exe.to_str().context("the binary's path is not UTF-8")?;
    if let Some(argv) = spec["argv"].as_array_mut() {
        for arg in argv.iter_mut() {
            if arg == "{rangeo_kernel}" {
                *arg = json!(exe);
            }
        }
    }
    spec["env"] = Value::Object(env.clone());
    Ok(spec)
}

/// `PATH` with the directories of the cargo and rustc in use first, plus `CARGO_HOME`
/// and `RUSTUP_HOME` when set.
fn toolchain_env() -> Map<String, Value> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for tool in ["cargo", "rustc"] {
        if let Some(dir) = find_on_path(tool).and_then(|p| p.parent().map(Path::to_path_buf))
            && !dirs.contains(&dir)
        {
            dirs.push(dir);
        }
    }
    let mut env = Map::new();
    let mut path: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    path.push("${PATH}".to_owned());
    env.insert("PATH".into(), json!(path.join(":")));
    for var in ["CARGO_HOME", "RUSTUP_HOME"] {
        if let Ok(value) = std::env::var(var) {
            env.insert(var.into(), json!(value));
        }
    }
    env
}

fn find_on_path(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(tool))
                .find(|p| p.is_file())
        })
        .or_else(|| {
            dirs::home_dir()
                .map(|h| h.join(".cargo/bin").join(tool))
                .filter(|p| p.is_file())
        })
}

fn user_data_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("JUPYTER_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let home = dirs::home_dir().context("no home directory")?;
    Ok(if cfg!(target_os = "macos") {
        home.join("Library/Jupyter")
    } else {
        dirs::data_dir()
            .unwrap_or_else(|| home.join(".local/share"))
            .join("jupyter")
    })
}

fn sys_prefix() -> anyhow::Result<PathBuf> {
    for var in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
        if let Some(prefix) = std::env::var_os(var) {
            return Ok(PathBuf::from(prefix));
        }
    }
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .context("--sys-prefix needs an active Python environment or python3 on PATH")?;
    Ok(PathBuf::from(String::from_utf8(out.stdout)?.trim()))
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_json_has_absolute_binary_and_message_interrupts() {
        let mut env = Map::new();
        env.insert("PATH".into(), json!("/opt/cargo/bin:${PATH}"));
        let spec = kernel_json(Path::new("/opt/rangeo/bin/rangeo-kernel"), &env).unwrap();
        assert_eq!(spec["argv"][0], "/opt/rangeo/bin/rangeo-kernel");
        assert!(
            spec["argv"]
                .as_array()
                .unwrap()
                .contains(&json!("{connection_file}"))
        );
        assert_eq!(spec["interrupt_mode"], "message");
        assert_eq!(spec["language"], "rust");
        assert_eq!(spec["env"]["PATH"], "/opt/cargo/bin:${PATH}");
    }

    #[test]
    fn prefix_locations_follow_jupyter_layout() {
        let dir = kernel_dir(&Location::Prefix("/usr/local".into()), "rangeo").unwrap();
        assert_eq!(
            dir,
            PathBuf::from("/usr/local/share/jupyter/kernels/rangeo")
        );
    }

    #[test]
    fn bad_names_are_refused() {
        let options = Options {
            name: "a/b".into(),
            runtime_dir: None,
            runtime_source: None,
            cargo_target_dir: None,
        };
        assert!(install(&Location::Prefix("/nonexistent".into()), &options).is_err());
    }
}
