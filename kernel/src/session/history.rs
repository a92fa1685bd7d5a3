//! Input history, kept across kernel restarts in one JSON-lines file per user.
//!
//! Each kernel start takes the next session number under a file lock, so kernels running
//! side by side never share one; each entry is appended with a single write.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use jupyter_protocol::HistoryEntry;
use serde::{Deserialize, Serialize};

/// One stored line of history.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    session: usize,
    line: usize,
    input: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    output: String,
}

/// The history of this kernel's session and those before it.
pub struct History {
    path: Option<PathBuf>,
    session: usize,
    records: Vec<Record>,
}

impl History {
    /// Loads the history at `path` and starts a new session in it.
    #[must_use]
    pub fn open(path: Option<PathBuf>) -> Self {
        let mut records = Vec::new();
        let mut session = 1;
        if let Some(path) = &path {
            match Self::load_and_claim(path) {
                Ok((loaded, claimed)) => (records, session) = (loaded, claimed),
                Err(e) => log::warn!(
                    "history at {} unavailable, keeping it in memory: {e}",
                    path.display()
                ),
            }
        }
        Self {
            path,
            session,
            records,
        }
    }

    fn load_and_claim(path: &PathBuf) -> std::io::Result<(Vec<Record>, usize)> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)?;
        file.lock()?;
        let mut records = Vec::new();
        let mut last_session = 0;
        for line in BufReader::new(&file).lines() {
            let line = line?;
            if let Ok(record) = serde_json::from_str::<Record>(&line) {
                last_session = last_session.max(record.session);
                if !record.input.is_empty() || record.line > 0 {
                    records.push(record);
                }
            }
        }
        let session = last_session + 1;
        // A marker line claims the session number before the lock is released.
        let marker = Record {
            session,
            line: 0,
            input: String::new(),
            output: String::new(),
        };
        writeln!(
            file,
            "{}",
            serde_json::to_string(&marker).expect("records serialise")
        )?;
        file.unlock()?;
        Ok((records, session))
    }

    /// This kernel's session number.
    #[must_use]
    pub fn session(&self) -> usize {
        self.session
    }

    /// Stores execution `line` of this session.
    pub fn record(&mut self, line: usize, input: &str, output: &str) {
        let record = Record {
            session: self.session,
            line,
            input: input.to_owned(),
            output: output.to_owned(),
        };
        if let Some(path) = &self.path {
            let text = format!(
                "{}\n",
                serde_json::to_string(&record).expect("records serialise")
            );
            let written = OpenOptions::new()
                .append(true)
                .open(path)
                .and_then(|mut f: File| f.write_all(text.as_bytes()));
            if let Err(e) = written {
                log::warn!("could not append to history {}: {e}", path.display());
            }
        }
        self.records.push(record);
    }

    /// The last `n` entries across sessions.
    #[must_use]
    pub fn tail(&self, n: usize, output: bool) -> Vec<HistoryEntry> {
        let skip = self.records.len().saturating_sub(n);
        self.records[skip..]
            .iter()
            .map(|r| entry(r, output))
            .collect()
    }

    /// Lines `start..stop` of `session` (0 is this session, negative counts back from it;
    /// a `stop` of 0 means to the end).
    #[must_use]
    pub fn range(
        &self,
        session: i64,
        start: usize,
        stop: usize,
        output: bool,
    ) -> Vec<HistoryEntry> {
        let session = usize::try_from(session)
            .ok()
            .filter(|&s| s > 0)
            .unwrap_or_else(|| self.session.saturating_sub(session.unsigned_abs() as usize));
        self.records
            .iter()
            .filter(|r| r.session == session && r.line >= start && (stop == 0 || r.line < stop))
            .map(|r| entry(r, output))
            .collect()
    }

    /// The last `n` entries (all when `None`) whose input matches the glob `pattern`,
    /// each input once when `unique`, oldest first.
    #[must_use]
    pub fn search(
        &self,
        pattern: &str,
        unique: bool,
        n: Option<usize>,
        output: bool,
    ) -> Vec<HistoryEntry> {
        let pattern: Vec<char> = pattern.chars().collect();
        let mut found: Vec<&Record> = Vec::new();
        for record in self.records.iter().rev() {
            if n.is_some_and(|n| found.len() >= n) {
                break;
            }
            let input: Vec<char> = record.input.chars().collect();
            if glob(&pattern, &input) && !(unique && found.iter().any(|f| f.input == record.input))
            {
                found.push(record);
            }
        }
        found.iter().rev().map(|r| entry(r, output)).collect()
    }
}

fn entry(record: &Record, output: bool) -> HistoryEntry {
    if output {
        HistoryEntry::InputOutput(
            record.session,
            record.line,
            (record.input.clone(), record.output.clone()),
        )
    } else {
        HistoryEntry::Input(record.session, record.line, record.input.clone())
    }
}

/// Glob matching as IPython's history search does it: `*`, `?` and `[...]`.
fn glob(pattern: &[char], text: &[char]) -> bool {
    match pattern.first() {
        None => text.is_empty(),
        Some('*') => (0..=text.len()).any(|i| glob(&pattern[1..], &text[i..])),
        Some('?') => !text.is_empty() && glob(&pattern[1..], &text[1..]),
        Some('[') => match (pattern.iter().position(|&c| c == ']'), text.first()) {
            (Some(end), Some(c)) if end > 1 => {
                pattern[1..end].contains(c) && glob(&pattern[end + 1..], &text[1..])
            }
            _ => false,
        },
        Some(c) => text.first() == Some(c) && glob(&pattern[1..], &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(entries: &[HistoryEntry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| match e {
                HistoryEntry::Input(_, _, i) | HistoryEntry::InputOutput(_, _, (i, _)) => i.clone(),
            })
            .collect()
    }

    #[test]
    fn sessions_persist_and_number_upwards() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.jsonl");
        let mut first = History::open(Some(path.clone()));
        assert_eq!(first.session(), 1);
        first.record(1, "let a = 1;", "");
        first.record(2, "a + 1", "2");
        let second = History::open(Some(path.clone()));
        assert_eq!(second.session(), 2);
        assert_eq!(inputs(&second.tail(2, false)), ["let a = 1;", "a + 1"]);
        assert_eq!(inputs(&second.range(-1, 2, 3, true)), ["a + 1"]);
        assert!(
            matches!(&second.range(1, 2, 0, true)[0], HistoryEntry::InputOutput(1, 2, (_, o)) if o == "2")
        );
    }

    #[test]
    fn search_globs_with_unique_and_n() {
        let mut h = History::open(None);
        for (i, code) in ["1 + 2", "x", "1 + 2", "1 + 3", "1 + 2"].iter().enumerate() {
            h.record(i + 1, code, "");
        }
        assert_eq!(inputs(&h.search("1 + ?", false, None, false)).len(), 4);
        assert_eq!(
            inputs(&h.search("1*", true, None, false)),
            ["1 + 3", "1 + 2"]
        );
        assert_eq!(
            inputs(&h.search("1 + [23]", false, Some(3), false)),
            ["1 + 2", "1 + 3", "1 + 2"]
        );
    }
}
