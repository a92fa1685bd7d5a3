//! Why a cell failed, rendered as one Jupyter error (ename, evalue, traceback).

use std::fmt::Write as _;

use jupyter_protocol::ErrorOutput;

use crate::display::{PanicReport, UserError};

const RED: &str = "\x1b[1;31m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// One rustc diagnostic, placed in the cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `error` (or `error: internal compiler error`).
    pub level: String,
    /// The error code (`E0308`), if any.
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// Where in the cell it points; spans in generated code are left out.
    pub spans: Vec<CellSpan>,
    /// Notes and help (`help: consider ...`).
    pub notes: Vec<String>,
}

/// A span of a diagnostic in the cell (1-based lines and columns, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellSpan {
    /// First line.
    pub start_line: usize,
    /// First column.
    pub start_column: usize,
    /// Last line.
    pub end_line: usize,
    /// Column after the last character.
    pub end_column: usize,
    /// The text under the span.
    pub label: String,
    /// Whether it is the diagnostic's main span.
    pub primary: bool,
}

/// A failed cell.
#[derive(Debug)]
pub enum CellError {
    /// rustc rejected the cell; every diagnostic of the cell, with the cell's source.
    Compile {
        /// The diagnostics, in rustc's order.
        diagnostics: Vec<Diagnostic>,
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
    /// An interrupt stopped the cell. When it did not stop by itself, its process was
    /// killed and restarted, and `lost` names the variables that went with it.
    Interrupted {
        /// Variables that did not survive (empty when the cell stopped cooperatively).
        lost: Vec<String>,
    },
    /// The evaluation process died (a crash such as a null-pointer dereference, or abort).
    ProcessDied {
        /// How the process ended.
        message: String,
        /// Variables that were defined before and did not survive the restart.
        lost: Vec<String>,
    },
    /// A `:` command failed.
    Command(String),
    /// The evaluation context could not be started (no toolchain, for example).
    Unavailable(String),
}

impl CellError {
    /// The error as Jupyter shows it: a name, a one-line value and a traceback of lines.
    #[must_use]
    pub fn to_output(&self) -> ErrorOutput {
        let (ename, evalue, traceback) = match self {
            Self::Compile {
                diagnostics,
                source,
            } => {
                let summary = diagnostics
                    .first()
                    .map_or_else(|| "compilation failed".to_owned(), |d| d.message.clone());
                let evalue = if diagnostics.len() > 1 {
                    format!("{summary} (and {} more)", diagnostics.len() - 1)
                } else {
                    summary
                };
                let traceback = diagnostics.iter().flat_map(|d| render(d, source)).collect();
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
        "every variable was kept".to_owned()
    } else {
        format!(
            "the evaluation process was restarted and these variables were lost: {}",
            lost.join(", ")
        )
    }
}

/// One diagnostic as rustc would print it, with spans pointing into the cell.
fn render(diagnostic: &Diagnostic, source: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    let level = &diagnostic.level;
    let head = match &diagnostic.code {
        Some(code) => format!(
            "{RED}{level}[{code}]{RESET}{BOLD}: {}{RESET}",
            diagnostic.message
        ),
        None => format!("{RED}{level}{RESET}{BOLD}: {}{RESET}", diagnostic.message),
    };
    out.push(head);
    let width = diagnostic
        .spans
        .iter()
        .map(|s| s.end_line)
        .max()
        .map_or(1, |n| n.to_string().len());
    let pad = " ".repeat(width);
    for span in &diagnostic.spans {
        out.push(format!(
            "{pad}{BLUE}-->{RESET} cell:{}:{}",
            span.start_line, span.start_column
        ));
        out.push(format!("{pad} {BLUE}|{RESET}"));
        let colour = if span.primary { RED } else { BLUE };
        let mark = if span.primary { "^" } else { "-" };
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
                "{pad} {BLUE}|{RESET} {}{colour}{}",
                " ".repeat(from),
                mark.repeat(to.saturating_sub(from).max(1))
            );
            if line_no == span.end_line && !span.label.is_empty() {
                let _ = write!(marks, " {}", span.label);
            }
            marks.push_str(RESET);
            out.push(marks);
        }
    }
    for note in &diagnostic.notes {
        out.push(format!("{pad} {BLUE}={RESET} {note}"));
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
    fn compile_errors_show_the_cell_lines_they_point_at() {
        let diagnostic = Diagnostic {
            level: "error".into(),
            code: Some("E0308".into()),
            message: "mismatched types".into(),
            spans: vec![CellSpan {
                start_line: 2,
                start_column: 14,
                end_line: 2,
                end_column: 19,
                label: "expected `i32`".into(),
                primary: true,
            }],
            notes: vec!["help: try `1`".into()],
        };
        let out = CellError::Compile {
            diagnostics: vec![diagnostic.clone(), diagnostic],
            source: "let a = 1;\nlet b: i32 = \"one\";".into(),
        }
        .to_output();
        assert_eq!(out.evalue, "mismatched types (and 1 more)");
        let text = out.traceback.join("\n");
        assert!(
            text.contains("cell:2:14") && text.contains("let b: i32 = \"one\";"),
            "{text}"
        );
        assert!(
            text.contains("^^^^^ expected `i32`") && text.contains("help: try `1`"),
            "{text}"
        );
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
