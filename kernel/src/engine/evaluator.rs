//! A kernel's evaluation state: the items and variables cells have defined, the
//! compiler and the evaluation process; runs one cell at a time.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, Sender, bounded};
use rangeo_protocol::{FORGET, RUN};

use super::cell::{self, Item, Parsed};
use super::codegen::{self, Generated, Glue, Loaded, Plan};
use super::compiler::{self, Compiled, Compiler, RawDiagnostic};
use super::diagnostics::{CellError, CellSpan, Diagnostic};
use super::process::{Done, EvalProcess, Event};
use super::{Executed, InputReader, Shared};
use crate::prebuilt::Prebuilt;

/// How long an interrupted cell may take to stop by itself before its process is killed.
const INTERRUPT_GRACE: Duration = Duration::from_secs(3);

/// After this long, a compiling cell says so in the notebook.
const COMPILE_NOTICE_AFTER: Duration = Duration::from_secs(1);

/// Start of the name of a kernel's cells directory, followed by the kernel's pid.
const CELLS_PREFIX: &str = "rangeo-cells-";

/// How many times a cell is recompiled after adjusting how it keeps its variables.
const ATTEMPTS: usize = 4;

/// A stored variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Variable {
    /// Its type, as Rust source.
    pub ty: String,
    /// Whether it was declared `mut`.
    pub mutable: bool,
}

/// The evaluation state of one kernel.
pub(super) struct Evaluator<'a> {
    pub(super) compiler: Compiler,
    process: Option<EvalProcess>,
    /// Items of earlier cells, in definition order.
    items: Vec<Item>,
    /// Stored variables.
    pub(super) variables: BTreeMap<String, Variable>,
    /// Cells compiled so far.
    count: usize,
    /// The last cell's crate, for mapping panic locations.
    last: Option<(usize, Generated)>,
    /// Whether `:timing` is on.
    pub(super) timing: bool,
    stdout: Sender<String>,
    pub(super) stderr: Sender<String>,
    shared: &'a Shared,
    /// Keeps the cells' directory for the life of the kernel.
    _dir: tempfile::TempDir,
}

/// Changes a failed compile asks for, found on the glue lines.
#[derive(Debug, Default)]
struct Fixes {
    /// Variables whose type cannot be written here (dropped).
    untakeable: Vec<String>,
    /// New variables that cannot be kept (they borrow).
    unkeepable: Vec<String>,
    /// Earlier variables the cell moves away.
    consumed: Vec<String>,
}

impl Fixes {
    fn is_empty(&self) -> bool {
        self.untakeable.is_empty() && self.unkeepable.is_empty() && self.consumed.is_empty()
    }
}

impl<'a> Evaluator<'a> {
    /// Starts the evaluation process for the prebuilt runtime.
    pub(super) fn new(
        runtime: Prebuilt,
        stdout: Sender<String>,
        stderr: Sender<String>,
        shared: &'a Shared,
    ) -> anyhow::Result<Self> {
        runtime.check_toolchain()?;
        sweep_cell_dirs();
        let dir = tempfile::Builder::new()
            .prefix(&format!("{CELLS_PREFIX}{}-", std::process::id()))
            .tempdir()?;
        let compiler = Compiler::new(runtime, dir.path().to_path_buf());
        let mut evaluator = Self {
            compiler,
            process: None,
            items: Vec::new(),
            variables: BTreeMap::new(),
            count: 0,
            last: None,
            timing: false,
            stdout,
            stderr,
            shared,
            _dir: dir,
        };
        evaluator.ensure_process()?;
        Ok(evaluator)
    }

    /// Runs a cell or a `:` command.
    pub(super) fn execute(
        &mut self,
        code: &str,
        input: &InputReader,
    ) -> Result<Executed, CellError> {
        let started = Instant::now();
        let trimmed = code.trim();
        let mut executed = if trimmed.starts_with(':') {
            self.command(trimmed)?
        } else {
            self.run_cell(code, input)?
        };
        if self.timing {
            executed.timing = Some(started.elapsed());
        }
        Ok(executed)
    }

    /// `let` declarations of the stored variables, for completion.
    pub(super) fn declarations(&self) -> String {
        let mut out = String::new();
        for (name, v) in &self.variables {
            let mutable = if v.mutable { "mut " } else { "" };
            let _ = writeln!(out, "let {mutable}{name}: {} = unimplemented!();", v.ty);
        }
        out
    }

    /// The line of the last cell that `location` (`cell_N.rs:LINE:COL`) is in.
    pub(super) fn cell_line(&self, location: &str) -> Option<usize> {
        let (n, generated) = self.last.as_ref()?;
        let mut parts = location.rsplitn(3, ':');
        let (_column, line, file) = (parts.next()?, parts.next()?, parts.next()?);
        if file != format!("cell_{n}.rs") {
            return None;
        }
        generated.cell_line(line.parse().ok()?)
    }

    /// Forgets every variable and item.
    pub(super) fn clear(&mut self) -> Result<(), CellError> {
        for name in std::mem::take(&mut self.variables).into_keys() {
            self.send(&format!("{FORGET}{name}"))?;
            self.wait(None)?;
        }
        self.items.clear();
        Ok(())
    }

    fn run_cell(&mut self, code: &str, input: &InputReader) -> Result<Executed, CellError> {
        let parsed = cell::parse(code);
        let redefined = self.redefined_types(&parsed);
        let used = identifiers(code);
        // Variables whose type this cell redefines cannot be taken as the new type.
        let stale: Vec<String> = self
            .variables
            .iter()
            .filter(|(_, v)| identifiers(&v.ty).iter().any(|id| redefined.contains(id)))
            .map(|(name, _)| name.clone())
            .collect();
        let mut loaded: Vec<String> = self
            .variables
            .keys()
            .filter(|name| used.contains(name.as_str()) && !stale.contains(name))
            .cloned()
            .collect();
        let mut kept: Vec<String> = parsed.bindings.iter().map(|b| b.name.clone()).collect();
        let mut consumed = BTreeSet::new();
        let mut dropped: Vec<String> = stale.clone();
        let mut unkeepable = Vec::new();
        self.count += 1;
        let n = self.count;
        let mut attempts = 0;
        let (generated, compiled) = loop {
            attempts += 1;
            let generated = self.generate(&parsed, &loaded, &kept, &consumed);
            let fixes = match self.compile(n, &generated, !kept.is_empty()) {
                Ok(compiled) => break (generated, compiled),
                Err(errors) => {
                    let fixes = glue_fixes(&errors, &generated);
                    if fixes.is_empty() || attempts == ATTEMPTS {
                        return Err(CellError::Compile {
                            diagnostics: errors
                                .iter()
                                .filter(|e| !is_glue_only(e, &generated))
                                .map(|e| to_cell(e, &generated))
                                .collect(),
                            source: code.to_owned(),
                        });
                    }
                    fixes
                }
            };
            loaded.retain(|name| !fixes.untakeable.contains(name));
            dropped.extend(fixes.untakeable);
            kept.retain(|name| !fixes.unkeepable.contains(name));
            unkeepable.extend(fixes.unkeepable);
            consumed.extend(fixes.consumed);
        };
        let kept_types = compiled
            .mir
            .as_deref()
            .map(compiler::kept_types)
            .unwrap_or_default();
        let outcome = self.run(&compiled, input);
        self.last = Some((n, generated));
        // Items are committed once they compiled, whatever the cell then did.
        self.commit_items(&parsed);
        let done = match outcome {
            Ok(done) => done,
            Err(error) => {
                self.variables.clear();
                return Err(error);
            }
        };
        self.update_variables(&parsed, &kept, &kept_types, &done, &dropped)?;
        for name in unkeepable {
            self.note(&format!(
                "note: `{name}` borrows from a value that does not outlive the cell, so it is not kept after it"
            ));
        }
        if !dropped.is_empty() {
            self.note(&format!(
                "note: dropped {} because the cell redefined a type they use, or their type cannot be named here",
                dropped.join(", ")
            ));
        }
        Ok(Executed::default())
    }

    /// Names of types this cell defines differently from an earlier cell.
    fn redefined_types(&self, parsed: &Parsed) -> BTreeSet<String> {
        parsed
            .items
            .iter()
            .filter(|new| {
                self.items
                    .iter()
                    .any(|old| old.key == new.key && old.chunk.text != new.chunk.text)
            })
            .filter_map(|item| item.type_name.clone())
            .collect()
    }

    fn generate(
        &self,
        parsed: &Parsed,
        loaded: &[String],
        kept: &[String],
        consumed: &BTreeSet<String>,
    ) -> Generated {
        let plan = Plan {
            earlier: self
                .items
                .iter()
                .filter(|old| parsed.items.iter().all(|new| new.key != old.key))
                .collect(),
            cell: Some(parsed),
            loaded: loaded
                .iter()
                .map(|name| {
                    let v = &self.variables[name];
                    Loaded {
                        name,
                        ty: &v.ty,
                        mutable: v.mutable,
                        consumed: consumed.contains(name),
                    }
                })
                .collect(),
            kept: kept.iter().map(String::as_str).collect(),
        };
        codegen::generate(&plan)
    }

    fn compile(
        &self,
        n: usize,
        generated: &Generated,
        mir: bool,
    ) -> Result<Compiled, Vec<RawDiagnostic>> {
        let (done, waiting) = bounded::<()>(0);
        let stderr = self.stderr.clone();
        std::thread::spawn(move || {
            if waiting.recv_timeout(COMPILE_NOTICE_AFTER) == Err(RecvTimeoutError::Timeout) {
                let _ = stderr.send("compiling the cell…".to_owned());
            }
        });
        let result = self.compiler.compile(n, &generated.source, mir);
        drop(done);
        result
    }

    /// Runs a compiled cell and waits for it to end.
    fn run(&mut self, compiled: &Compiled, input: &InputReader) -> Result<Done, CellError> {
        self.send(&format!("{RUN}{}", compiled.library.display()))?;
        self.wait(Some(input))
    }

    fn send(&mut self, line: &str) -> Result<(), CellError> {
        self.ensure_process()
            .map_err(|e| CellError::Unavailable(format!("{e:#}")))?;
        let process = self.process.as_mut().expect("just started");
        process.send(line).map_err(|e| {
            CellError::Unavailable(format!("the evaluation process does not listen: {e}"))
        })
    }

    /// Waits for the command sent to end, answering input requests; handles interrupts
    /// and the process dying.
    fn wait(&mut self, input: Option<&InputReader>) -> Result<Done, CellError> {
        let shared = self.shared;
        shared.interrupted.store(false, Ordering::SeqCst);
        shared.running.store(true, Ordering::SeqCst);
        let result = self.wait_running(input);
        shared.running.store(false, Ordering::SeqCst);
        shared.interrupted.store(false, Ordering::SeqCst);
        result
    }

    fn wait_running(&mut self, input: Option<&InputReader>) -> Result<Done, CellError> {
        let mut interrupted_at: Option<Instant> = None;
        let mut killed = false;
        loop {
            if interrupted_at.is_none() && self.shared.interrupted.load(Ordering::SeqCst) {
                interrupted_at = Some(Instant::now());
            }
            let process = self.process.as_mut().expect("a process is running");
            let event = match process.events().recv_timeout(Duration::from_millis(50)) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => {
                    if !killed && interrupted_at.is_some_and(|t| t.elapsed() > INTERRUPT_GRACE) {
                        log::info!("the cell did not stop by itself; killing its process");
                        process.kill();
                        killed = true;
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => Event::Exited,
            };
            match event {
                Event::Done(done) => return Ok(done),
                Event::Input { prompt, password } => {
                    let answer = input
                        .map(|read| read(&prompt, password))
                        .unwrap_or_default();
                    let _ = process.send(&answer);
                }
                Event::Exited => {
                    let how = process.end();
                    self.process = None;
                    self.shared.pid.store(0, Ordering::SeqCst);
                    let lost: Vec<String> =
                        std::mem::take(&mut self.variables).into_keys().collect();
                    return Err(if killed || interrupted_at.is_some() {
                        CellError::Interrupted { lost }
                    } else {
                        CellError::ProcessDied { message: how, lost }
                    });
                }
            }
        }
    }

    fn ensure_process(&mut self) -> anyhow::Result<()> {
        if self.process.is_none() {
            let process = EvalProcess::spawn(
                self.compiler.runtime(),
                self.stdout.clone(),
                self.stderr.clone(),
            )?;
            self.shared.pid.store(process.id(), Ordering::SeqCst);
            self.process = Some(process);
        }
        Ok(())
    }

    fn commit_items(&mut self, parsed: &Parsed) {
        for item in &parsed.items {
            match self.items.iter_mut().find(|old| old.key == item.key) {
                Some(old) => *old = item.clone(),
                None => self.items.push(item.clone()),
            }
        }
    }

    /// Brings the variable table in line with the store after a cell.
    fn update_variables(
        &mut self,
        parsed: &Parsed,
        kept: &[String],
        kept_types: &[(String, String)],
        done: &Done,
        dropped: &[String],
    ) -> Result<(), CellError> {
        let mut forget = Vec::new();
        for name in kept {
            if done.variables.contains(name) && kept_types.iter().all(|(n, _)| n != name) {
                self.note(&format!(
                    "note: `{name}` is not kept after the cell: rustc did not report its type"
                ));
                forget.push(name.clone());
            }
        }
        for (name, ty) in kept_types {
            if !done.variables.contains(name) {
                continue;
            }
            if compiler::nameable(ty) {
                let mutable = parsed.bindings.iter().any(|b| &b.name == name && b.mutable);
                self.variables.insert(
                    name.clone(),
                    Variable {
                        ty: ty.clone(),
                        mutable,
                    },
                );
            } else {
                self.note(&format!(
                    "note: `{name}` is not kept after the cell: its type ({ty}) cannot be written in Rust (a closure, or something holding one); box it as a trait object to keep it, e.g. `let f: Box<dyn Fn(f64) -> f64> = Box::new(...)`"
                ));
                forget.push(name.clone());
            }
        }
        forget.extend(dropped.iter().cloned());
        for name in &forget {
            self.variables.remove(name);
            if done.variables.contains(name) {
                self.send(&format!("{FORGET}{name}"))?;
                self.wait(None)?;
            }
        }
        // Whatever the cell moved away, or did not get to define, is gone.
        self.variables
            .retain(|name, _| done.variables.contains(name));
        Ok(())
    }

    /// A line for the cell's stderr.
    pub(super) fn note(&self, text: &str) {
        let _ = self.stderr.send(text.to_owned());
    }
}

/// Removes the cells directories of kernels that are gone (a kernel killed by its front
/// end has no chance to remove its own).
fn sweep_cell_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(CELLS_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: kill with signal 0 only checks whether the process exists.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// What the errors on glue lines ask to change; empty when an error is in the cell's own
/// code (or cannot be fixed by keeping variables differently).
fn glue_fixes(errors: &[RawDiagnostic], generated: &Generated) -> Fixes {
    let mut fixes = Fixes::default();
    // Keeping `s` is refused while a borrow of it is kept too; once the borrow is not
    // kept, `s` can be, so such moves wait for a round without other fixes.
    let mut moves_of_borrowed = Vec::new();
    for error in errors {
        let Some(primary) = error.primary() else {
            return Fixes::default();
        };
        let on_glue = |glue: Glue| {
            error
                .spans
                .iter()
                .find_map(|s| generated.glue(s.line_start).filter(|(g, _)| *g == glue))
                .map(|(_, name)| name.to_owned())
        };
        match generated.glue(primary.line_start) {
            Some((Glue::Take, name)) => fixes.untakeable.push(name.to_owned()),
            Some((Glue::PutBack, name)) => fixes.consumed.push(name.to_owned()),
            Some((Glue::Keep, name)) if error.code() == Some("E0505") => {
                moves_of_borrowed.push(name.to_owned());
            }
            Some((Glue::Keep, name)) => fixes.unkeepable.push(name.to_owned()),
            None => match on_glue(Glue::Keep) {
                // A borrow that would have to outlive the cell to be kept.
                Some(name) if is_borrow_error(error) => fixes.unkeepable.push(name),
                _ => return Fixes::default(),
            },
        }
    }
    if fixes.is_empty() {
        fixes.unkeepable = moves_of_borrowed;
    }
    fixes
}

fn is_borrow_error(error: &RawDiagnostic) -> bool {
    matches!(
        error.code(),
        Some("E0597" | "E0505" | "E0515" | "E0716" | "E0521" | "E0373")
    )
}

/// Whether an error only concerns glue (it is then explained by a note, not shown).
fn is_glue_only(error: &RawDiagnostic, generated: &Generated) -> bool {
    error
        .primary()
        .is_some_and(|p| generated.glue(p.line_start).is_some())
}

/// A diagnostic in the cell's coordinates: spans outside the cell are left out.
fn to_cell(error: &RawDiagnostic, generated: &Generated) -> Diagnostic {
    let spans = error
        .spans
        .iter()
        .filter_map(|s| {
            let start = generated.cell_line(s.line_start)?;
            let end = generated.cell_line(s.line_end)?;
            Some(CellSpan {
                start_line: start,
                start_column: s.column_start,
                end_line: end,
                end_column: s.column_end,
                label: s.label.clone().unwrap_or_default(),
                primary: s.is_primary,
            })
        })
        .collect();
    let notes = error
        .children
        .iter()
        .map(|child| {
            let suggestion = child
                .spans
                .iter()
                .find_map(|s| s.suggested_replacement.as_deref())
                .filter(|s| !s.trim().is_empty())
                .map(|s| format!(": `{}`", s.trim()))
                .unwrap_or_default();
            format!("{}: {}{suggestion}", child.level, child.message)
        })
        .collect();
    Diagnostic {
        level: error.level.clone(),
        code: error.code().map(str::to_owned),
        message: error.message.clone(),
        spans,
        notes,
    }
}

/// The identifiers in `text` (words of letters, digits and `_`), wherever they are:
/// `println!("{x}")` uses `x` from inside a string.
fn identifiers(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        })
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::compiler::{Code, RawSpan};

    fn error(code: &str, spans: &[(usize, bool)]) -> RawDiagnostic {
        RawDiagnostic {
            level: "error".into(),
            message: "m".into(),
            code: Some(Code { code: code.into() }),
            spans: spans
                .iter()
                .map(|&(line, is_primary)| RawSpan {
                    file_name: "cell_1.rs".into(),
                    line_start: line,
                    line_end: line,
                    column_start: 1,
                    column_end: 2,
                    is_primary,
                    label: None,
                    suggested_replacement: None,
                })
                .collect(),
            children: Vec::new(),
        }
    }

    #[test]
    fn errors_on_glue_lines_say_how_to_keep_variables() {
        let cell = cell::parse("let s = String::new();\nlet r = &s;\ndrop(v);");
        let plan = Plan {
            cell: Some(&cell),
            loaded: vec![Loaded {
                name: "v",
                ty: "Vec<u8>",
                mutable: false,
                consumed: false,
            }],
            kept: vec!["s", "r"],
            ..Plan::default()
        };
        let generated = codegen::generate(&plan);
        let line = |text: &str| {
            generated
                .source
                .lines()
                .position(|l| l.contains(text))
                .unwrap()
                + 1
        };
        let (keep_s, keep_r) = (line("keep(\"s\""), line("keep(\"r\""));
        let (put_back, user) = (line("put_back("), line("let r = &s;"));
        // `r` borrows `s`: E0597 in the user's line with a span on r's keep line, and
        // E0505 for moving `s` while borrowed. Only `r` is dropped in the first round.
        let fixes = glue_fixes(
            &[
                error("E0505", &[(keep_s, true)]),
                error("E0597", &[(user, true), (keep_r, false)]),
                error("E0382", &[(put_back, true)]),
            ],
            &generated,
        );
        assert_eq!(fixes.unkeepable, ["r"]);
        assert_eq!(fixes.consumed, ["v"]);
        // An error in the user's own code is theirs, even with a span on glue.
        assert!(
            glue_fixes(
                &[error("E0308", &[(user, true), (keep_s, false)])],
                &generated
            )
            .is_empty()
        );
    }

    #[test]
    fn identifiers_include_names_in_format_strings() {
        let ids = identifiers("println!(\"{total} {}\", x_1 + 2);");
        assert!(ids.contains("total") && ids.contains("x_1") && ids.contains("println"));
        assert!(!ids.contains("2"));
    }
}
