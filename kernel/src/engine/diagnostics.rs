//! Why a cell failed, rendered as one Jupyter error (ename, evalue, traceback).

use std::fmt::Write as _;

use evcxr::CompilationError;
use jupyter_protocol::ErrorOutput;

use crate::display::{PanicReport, UserError};

const RED: &str = "\x1b[1;31m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// A failed cell.
#[derive(Debug)]
pub enum CellError {
    /// rustc rejected the cell; every diagnostic of the cell, with the cell's source.
    Compile {
        /// The diagnostics, in rustc's order.
        errors: Vec<CompilationError>,
        /// The cell as the user wrote it.
        source: String,
    },
    /// The cell panicked on its main thread.
    Panic {
        /// What the panic hook reported.
        report: PanicReport,
        /// Where in the cell, when the panic's line could be found in it (1-based).
        cell_line: Option<usize>,
    },
    /// The cell returned an error through `?`.
    User(UserError),
    /// An interrupt stopped the cell; the evaluation process was restarted.
    Interrupted {
        /// Variables that were defined before and did not survive the restart.
        lost: Vec<String>,
    },
    /// The evaluation process died (a crash such as a null-pointer dereference, or abort).
    ProcessDied {
        /// What evcxr saw of the process's end.
        message: String,
        /// Variables that were defined before and did not survive the restart.
        lost: Vec<String>,
    },
    /// A type was redefined and the variables that used it had to be dropped.
    VariablesLost(Vec<String>),
    /// A `:` command or other evcxr-level request failed.
    Command(String),
    /// The evaluation context could not be started (no toolchain, for example).
    Unavailable(String),
}

impl CellError {
    /// Classifies an evcxr error. `before` are the variables that existed before the cell.
    #[must_use]
    pub fn from_evcxr(
        error: evcxr::Error,
        source: &str,
        interrupted: bool,
        before: Vec<String>,
    ) -> Self {
        match error {
            evcxr::Error::CompilationErrors(errors) => Self::Compile {
                errors,
                source: source.to_owned(),
            },
            evcxr::Error::SubprocessTerminated(_) if interrupted => {
                Self::Interrupted { lost: before }
            }
            evcxr::Error::SubprocessTerminated(message) => Self::ProcessDied {
                message,
                lost: before,
            },
            evcxr::Error::TypeRedefinedVariablesLost(lost) => Self::VariablesLost(lost),
            evcxr::Error::Message(message) => Self::Command(message),
        }
    }

    /// The error as Jupyter shows it: a name, a one-line value and a traceback of lines.
    #[must_use]
    pub fn to_output(&self) -> ErrorOutput {
        let (ename, evalue, traceback) = match self {
            Self::Compile { errors, source } => {
                let summary = errors.first().map_or_else(
                    || "compilation failed".to_owned(),
                    CompilationError::message,
                );
                let evalue = if errors.len() > 1 {
                    format!("{summary} (and {} more)", errors.len() - 1)
                } else {
                    summary
                };
                let traceback = errors
                    .iter()
                    .flat_map(|e| render_compile_error(e, source))
                    .collect();
                ("CompilationError", evalue, traceback)
            }
            Self::Panic { report, cell_line } => {
                let place = cell_line.map_or_else(
                    || report.location.clone(),
                    |line| format!("cell line {line}"),
                );
                let evalue = report.message.clone();
                let traceback = vec![
                    format!("{RED}panicked{RESET} at {place}:"),
                    report.message.clone(),
                ];
                ("Panic", evalue, traceback)
            }
            Self::User(error) => {
                let traceback = vec![format!("{RED}Error{RESET}: {}", error.message)];
                ("Error", error.message.clone(), traceback)
            }
            Self::Interrupted { lost } => {
                let evalue = format!("the cell was stopped; {}", lost_note(lost));
                (
                    "Interrupted",
                    evalue.clone(),
                    vec![format!("{RED}Interrupted{RESET}: {evalue}")],
                )
            }
            Self::ProcessDied { message, lost } => {
                let evalue = format!(
                    "the evaluation process died ({}); {}",
                    last_line(message),
                    lost_note(lost)
                );
                let mut traceback: Vec<String> = message.lines().map(str::to_owned).collect();
                traceback.push(format!("{RED}ProcessDied{RESET}: {evalue}"));
                ("ProcessDied", evalue, traceback)
            }
            Self::VariablesLost(lost) => {
                let evalue = format!(
                    "a type was redefined, so these variables were dropped: {}",
                    lost.join(", ")
                );
                ("VariablesLost", evalue.clone(), vec![evalue])
            }
            Self::Command(message) => (
                "Error",
                last_line(message).to_owned(),
                message.lines().map(str::to_owned).collect(),
            ),
            Self::Unavailable(message) => {
                let evalue = format!(
                    "the Rust evaluation context is not available: {}",
                    last_line(message)
                );
                (
                    "EngineUnavailable",
                    evalue,
                    message.lines().map(str::to_owned).collect(),
                )
            }
        };
        ErrorOutput {
            ename: ename.to_owned(),
            evalue,
            traceback,
        }
    }
}

fn last_line(message: &str) -> &str {
    message.trim().lines().last().unwrap_or("")
}

fn lost_note(lost: &[String]) -> String {
    if lost.is_empty() {
        "no variables were defined, so nothing was lost".to_owned()
    } else {
        format!(
            "the evaluation process was restarted and these variables were lost: {}",
            lost.join(", ")
        )
    }
}

/// One diagnostic as rustc would print it, with spans pointing into the cell.
fn render_compile_error(error: &CompilationError, source: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    let level = error.level();
    let head = match error.code() {
        Some(code) => format!(
            "{RED}{level}[{code}]{RESET}{BOLD}: {}{RESET}",
            error.message()
        ),
        None => format!("{RED}{level}{RESET}{BOLD}: {}{RESET}", error.message()),
    };
    out.push(head);
    let spanned: Vec<_> = error
        .spanned_messages()
        .iter()
        .filter(|m| m.span.is_some())
        .collect();
    let width = spanned
        .iter()
        .filter_map(|m| m.span.map(|s| s.end_line))
        .max()
        .map_or(1, |n| n.to_string().len());
    let pad = " ".repeat(width);
    for message in &spanned {
        let span = message.span.expect("filtered on spans");
        out.push(format!(
            "{pad}{BLUE}-->{RESET} cell:{}:{}",
            span.start_line, span.start_column
        ));
        out.push(format!("{pad} {BLUE}|{RESET}"));
        for line_no in span.start_line..=span.end_line {
            let text = lines.get(line_no - 1).copied().unwrap_or("");
            out.push(format!("{BLUE}{line_no:>width$} |{RESET} {text}"));
            let (from, to) = underline(
                span.start_line,
                span.start_column,
                span.end_line,
                span.end_column,
                line_no,
                text,
            );
            let mut marks = format!(
                "{pad} {BLUE}|{RESET} {}{RED}{}",
                " ".repeat(from),
                "^".repeat(to.saturating_sub(from).max(1))
            );
            if line_no == span.end_line && !message.label.is_empty() {
                let _ = write!(marks, " {}", message.label);
            }
            marks.push_str(RESET);
            out.push(marks);
        }
    }
    for help in error.help() {
        out.push(format!("{pad} {BLUE}={RESET} {BOLD}help{RESET}: {help}"));
    }
    out.push(String::new());
    out
}

/// Columns (0-based, in characters) to underline on `line_no` for a 1-based span.
fn underline(
    start_line: usize,
    start_col: usize,
    end_line: usize,
    end_col: usize,
    line_no: usize,
    text: &str,
) -> (usize, usize) {
    let len = text.chars().count();
    let from = if line_no == start_line {
        start_col.saturating_sub(1)
    } else {
        text.len() - text.trim_start().len()
    };
    let to = if line_no == end_line {
        end_col.saturating_sub(1)
    } else {
        len
    };
    (from.min(len), to.min(len.max(from + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underline_spans_one_and_several_lines() {
        assert_eq!(underline(1, 5, 1, 8, 1, "let x = 1;"), (4, 7));
        assert_eq!(underline(1, 5, 2, 3, 1, "let x = {"), (4, 9));
        assert_eq!(underline(1, 5, 2, 3, 2, "  1}"), (2, 2));
    }

    #[test]
    fn interrupt_names_the_lost_variables() {
        let out = CellError::Interrupted {
            lost: vec!["a".into(), "b".into()],
        }
        .to_output();
        assert_eq!(out.ename, "Interrupted");
        assert!(out.evalue.contains("lost: a, b"), "{}", out.evalue);
    }

    #[test]
    fn panic_reports_message_and_cell_line() {
        let report = PanicReport {
            message: "boom".into(),
            location: "src/lib.rs:40:5".into(),
        };
        let out = CellError::Panic {
            report,
            cell_line: Some(2),
        }
        .to_output();
        assert_eq!(out.evalue, "boom");
        assert!(out.traceback[0].contains("cell line 2"));
    }
}
