//! `:` commands: a cell that starts with `:` configures the kernel instead of running.

use super::Executed;
use super::deps;
use super::diagnostics::CellError;
use super::evaluator::Evaluator;

/// Every command, with its help line (the completion list comes from here too).
pub(super) const COMMANDS: &[(&str, &str)] = &[
    (
        ":dep",
        "add a crate for later cells, as in Cargo.toml: `:dep regex = \"1\"`",
    ),
    (
        ":vars",
        "list the variables kept between cells, with their types",
    ),
    (":clear", "forget every variable and item defined so far"),
    (
        ":opt",
        "optimisation level for cells (0-3; default 0), `:opt 2` for loop-heavy cells",
    ),
    (":timing", "toggle printing how long each cell takes"),
    (":doc", "show an item's documentation: `:doc std::vec::Vec`"),
    (":help", "this list"),
];

impl Evaluator<'_> {
    /// Runs a `:` command.
    pub(super) fn command(&mut self, line: &str) -> Result<Executed, CellError> {
        let (name, argument) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let argument = argument.trim();
        let text = match name {
            ":dep" => {
                let stderr = self.stderr.clone();
                let added = deps::add(&mut self.compiler, argument, &|line| {
                    let _ = stderr.send(line.to_owned());
                })
                .map_err(|e| CellError::Command(format!("{e:#}")))?;
                self.note(&format!("added {added}"));
                None
            }
            ":vars" => Some(
                self.variables
                    .iter()
                    .map(|(name, v)| format!("{name}: {}", v.ty))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            ":clear" => {
                self.clear()?;
                None
            }
            ":opt" => {
                if !argument.is_empty() {
                    self.compiler.opt_level = match argument.parse() {
                        Ok(level @ 0..=3) => level,
                        _ => {
                            return Err(CellError::Command(format!(
                                "`:opt` takes a level from 0 to 3, not `{argument}`"
                            )));
                        }
                    };
                }
                Some(format!("opt-level {}", self.compiler.opt_level))
            }
            ":timing" => {
                self.timing = !self.timing;
                Some(format!("timing {}", if self.timing { "on" } else { "off" }))
            }
            ":help" => Some(
                COMMANDS
                    .iter()
                    .map(|(name, help)| format!("{name:<8} {help}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            _ => {
                return Err(CellError::Command(format!(
                    "unknown command `{name}`; the commands are {}",
                    COMMANDS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        };
        Ok(Executed {
            text: text.filter(|t| !t.is_empty()),
            timing: None,
        })
    }
}
