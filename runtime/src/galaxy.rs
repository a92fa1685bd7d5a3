//! Galaxy interactive tools: what Galaxy staged for the notebook, and where it collects
//! what the notebook makes. The tool (`galaxy/rangeo.xml`) writes the job's parameters
//! to `galaxy_inputs.json` beside the notebook, each dataset as its path. When the tool
//! ends, every file under `outputs/` goes back to the history.
//!
//! ```no_run
//! use rangeo::prelude::*;
//! let inputs = GalaxyInputs::open()?;
//! for path in inputs.paths("data")? {
//!     let ds = open_dataset(&path)?;
//!     // ...
//! }
//! std::fs::write(galaxy_output("summary.txt")?, "done").unwrap();
//! # Ok::<(), rangeo::Error>(())
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::Error;
use crate::display::html::escape;
use crate::display::{MimeBundle, Repr};

/// The file Galaxy writes the job's parameters to, in the notebook's directory.
const STAGED: &str = "galaxy_inputs.json";

/// The directory whose files Galaxy collects into the history.
const OUTPUTS: &str = "outputs";

/// A Galaxy job's parameters as staged in `galaxy_inputs.json`: datasets as paths,
/// conditionals and sections as nested objects.
#[derive(Debug, Clone)]
pub struct GalaxyInputs {
    file: PathBuf,
    params: Map<String, Value>,
}

impl GalaxyInputs {
    /// Reads `galaxy_inputs.json` from the working directory, where the tool starts the
    /// notebook's kernel.
    pub fn open() -> Result<Self, Error> {
        Self::read(STAGED)
    }

    /// Reads staged parameters from the file at `path`.
    pub fn read(path: impl AsRef<Path>) -> Result<Self, Error> {
        let file = path.as_ref().to_path_buf();
        let text = std::fs::read_to_string(&file).map_err(|e| {
            Error::Storage(format!(
                "cannot read {}: {e} (Galaxy writes it when the rangeo tool starts; \
                 outside Galaxy, write it yourself)",
                file.display()
            ))
        })?;
        let params = match serde_json::from_str(&text) {
            Ok(Value::Object(params)) => params,
            Ok(_) => {
                return Err(Error::Storage(format!(
                    "{} holds no JSON object of parameters",
                    file.display()
                )));
            }
            Err(e) => {
                return Err(Error::Storage(format!(
                    "{} is not valid JSON: {e}",
                    file.display()
                )));
            }
        };
        Ok(Self { file, params })
    }

    /// Parameter `name`; one inside a conditional or section by its path, `"mode.notebook"`.
    pub fn get(&self, name: &str) -> Result<&Value, Error> {
        let mut level = &self.params;
        let mut parts = name.split('.').peekable();
        while let Some(part) = parts.next() {
            let Some(value) = level.get(part) else {
                let known: Vec<&str> = level.keys().map(String::as_str).collect();
                return Err(Error::Label(format!(
                    "no parameter `{name}` in {}; there are: {}",
                    self.file.display(),
                    known.join(", ")
                )));
            };
            match (value, parts.peek()) {
                (_, None) => return Ok(value),
                (Value::Object(inner), Some(_)) => level = inner,
                (_, Some(_)) => {
                    return Err(Error::Label(format!(
                        "parameter `{part}` of {} has no parameters inside it, so no `{name}`",
                        self.file.display()
                    )));
                }
            }
        }
        unreachable!("a name has at least one part")
    }

    /// The path of dataset parameter `name` (a string, as `open_dataset` and the other
    /// readers take it).
    pub fn path(&self, name: &str) -> Result<String, Error> {
        match self.paths(name)?.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Error::Label(format!(
                "no dataset was chosen for `{name}` in {}",
                self.file.display()
            ))),
            many => Err(Error::Label(format!(
                "{} datasets were chosen for `{name}`; `paths` gives them all",
                many.len()
            ))),
        }
    }

    /// The paths of dataset parameter `name`, which may take several (none when the
    /// parameter is optional and none was chosen).
    pub fn paths(&self, name: &str) -> Result<Vec<String>, Error> {
        let not_a_path = |v: &Value| {
            Error::Operation(format!(
                "parameter `{name}` of {} is {v}, not a dataset's path",
                self.file.display()
            ))
        };
        match self.get(name)? {
            Value::Null => Ok(Vec::new()),
            Value::String(path) => Ok(vec![path.clone()]),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| not_a_path(v)))
                .collect(),
            other => Err(not_a_path(other)),
        }
    }
}

impl Repr for GalaxyInputs {
    fn repr(&self) -> MimeBundle {
        let mut rows = Vec::new();
        flatten("", &self.params, &mut rows);
        let mut plain = format!("GalaxyInputs: {}", self.file.display());
        let mut html = format!(
            "<div class=\"rg-galaxy\"><b>GalaxyInputs</b>: {}<table>",
            escape(&self.file.display().to_string())
        );
        for (name, value) in rows {
            let _ = write!(plain, "\n  {name}: {value}");
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&name),
                escape(&value)
            );
        }
        html.push_str("</table></div>");
        MimeBundle::text(plain).with("text/html", html)
    }
}

/// Every parameter under `params`, nested ones by their dotted path, as (name, value).
fn flatten(prefix: &str, params: &Map<String, Value>, rows: &mut Vec<(String, String)>) {
    for (key, value) in params {
        let name = format!("{prefix}{key}");
        match value {
            Value::Object(inner) => flatten(&format!("{name}."), inner, rows),
            Value::String(s) => rows.push((name, s.clone())),
            Value::Array(items) if items.iter().all(Value::is_string) => {
                let items: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                rows.push((name, items.join(", ")));
            }
            other => rows.push((name, other.to_string())),
        }
    }
}

/// Where to write the output file `name` so that Galaxy collects it into the history:
/// `outputs/name`, the directory made when missing. Galaxy names the dataset after the
/// file, and takes its datatype from the extension (`ndvi.nc`, `plot.png`).
pub fn galaxy_output(name: &str) -> Result<PathBuf, Error> {
    let plain = Path::new(name)
        .file_name()
        .is_some_and(|f| f == name && name != "..");
    if !plain {
        return Err(Error::Label(format!(
            "`{name}` is not a file name: Galaxy collects files directly under {OUTPUTS}/"
        )));
    }
    std::fs::create_dir_all(OUTPUTS)
        .map_err(|e| Error::Storage(format!("cannot make {OUTPUTS}/: {e}")))?;
    Ok(Path::new(OUTPUTS).join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(json: &str) -> (tempfile::TempDir, GalaxyInputs) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(STAGED);
        std::fs::write(&file, json).unwrap();
        let inputs = GalaxyInputs::read(&file).unwrap();
        (dir, inputs)
    }

    /// As Galaxy writes `<inputs data_style="paths">`: a conditional, an optional
    /// multiple dataset parameter, a number.
    const JOB: &str = r#"{"mode": {"mode_select": "execute", "notebook": "/galaxy/files/dataset_7.dat"},
        "data": ["/galaxy/files/dataset_1.dat", "/galaxy/files/dataset_2.dat"],
        "none": null, "level": 3}"#;

    #[test]
    fn datasets_are_paths_and_nested_parameters_are_reached_by_their_path() {
        let (_dir, inputs) = staged(JOB);
        assert_eq!(
            inputs.path("mode.notebook").unwrap(),
            "/galaxy/files/dataset_7.dat"
        );
        assert_eq!(inputs.paths("data").unwrap().len(), 2);
        assert!(inputs.paths("none").unwrap().is_empty());
        assert_eq!(inputs.get("level").unwrap(), &Value::from(3));
        assert_eq!(inputs.get("mode.mode_select").unwrap(), "execute");
        let plain = inputs.repr().plain().to_owned();
        assert!(
            plain.contains("mode.notebook: /galaxy/files/dataset_7.dat"),
            "{plain}"
        );
    }

    #[test]
    fn wrong_names_and_kinds_are_named() {
        let (_dir, inputs) = staged(JOB);
        let message = |e: Error| e.to_string();
        let unknown = message(inputs.get("mode.nope").unwrap_err());
        assert!(
            unknown.contains("no parameter `mode.nope`")
                && unknown.contains("mode_select, notebook"),
            "{unknown}"
        );
        let flat = message(inputs.get("level.x").unwrap_err());
        assert!(flat.contains("`level`"), "{flat}");
        let many = message(inputs.path("data").unwrap_err());
        assert!(
            many.contains("2 datasets") && many.contains("`paths`"),
            "{many}"
        );
        let none = message(inputs.path("none").unwrap_err());
        assert!(none.contains("no dataset was chosen for `none`"), "{none}");
        let number = message(inputs.paths("level").unwrap_err());
        assert!(number.contains("is 3, not a dataset's path"), "{number}");
    }

    #[test]
    fn missing_or_malformed_files_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = GalaxyInputs::read(dir.path().join(STAGED))
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("galaxy_inputs.json") && missing.contains("Galaxy writes it"),
            "{missing}"
        );
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{not json").unwrap();
        let invalid = GalaxyInputs::read(&bad).unwrap_err().to_string();
        assert!(invalid.contains("not valid JSON"), "{invalid}");
        std::fs::write(&bad, "[1, 2]").unwrap();
        let list = GalaxyInputs::read(&bad).unwrap_err().to_string();
        assert!(list.contains("no JSON object"), "{list}");
    }

    #[test]
    fn outputs_are_plain_file_names() {
        for bad in ["", "..", "a/b.nc", "/tmp/x.nc", "../x.nc"] {
            let error = galaxy_output(bad).unwrap_err().to_string();
            assert!(error.contains("is not a file name"), "{bad}: {error}");
        }
    }
}
