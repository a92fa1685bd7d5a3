//! Whether a cell is ready to run, for `is_complete_request` (the console's "press Enter
//! again" logic): unclosed brackets, strings and comments, or a trailing operator, mean
//! more input is coming; a closing bracket that matches nothing means the code is invalid.

/// The verdict on a piece of code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completeness {
    /// Ready to run.
    Complete,
    /// More lines are expected; the indent to offer on the next line.
    Incomplete(String),
    /// No continuation can make it valid.
    Invalid,
}

/// Judges `code` lexically, the way a console must: fast and without compiling.
#[must_use]
pub fn is_complete(code: &str) -> Completeness {
    let mut lexer = Lexer {
        chars: code.chars().collect(),
        pos: 0,
        brackets: Vec::new(),
        line_start: true,
    };
    match lexer.run() {
        Err(Verdict::Invalid) => Completeness::Invalid,
        Err(Verdict::Open) => Completeness::Incomplete(lexer.indent()),
        Ok(last) if !lexer.brackets.is_empty() || ends_with_operator(&last) => {
            Completeness::Incomplete(lexer.indent())
        }
        Ok(_) => Completeness::Complete,
    }
}

enum Verdict {
    /// Inside a string, character or comment at the end of input.
    Open,
    /// A closing bracket that matches nothing, or a character Rust never allows.
    Invalid,
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    brackets: Vec<char>,
    line_start: bool,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn indent(&self) -> String {
        " ".repeat(4 * self.brackets.len().max(1))
    }

    /// Lexes to the end; returns the last significant token text (operators only).
    fn run(&mut self) -> Result<String, Verdict> {
        let mut last = String::new();
        while let Some(c) = self.peek(0) {
            if self.line_start && c == ':' && self.brackets.is_empty() {
                // A command such as `:dep`: the rest of the line is its argument.
                self.skip_line();
                last.clear();
                continue;
            }
            if c == '\n' {
                self.line_start = true;
                self.pos += 1;
                continue;
            }
            if c.is_whitespace() {
                self.pos += 1;
                continue;
            }
            self.line_start = false;
            match c {
                '/' if self.peek(1) == Some('/') => self.skip_line(),
                '/' if self.peek(1) == Some('*') => self.block_comment()?,
                '"' => {
                    self.pos += 1;
                    self.string(0)?;
                    last.clear();
                }
                'r' | 'b' | 'c' if self.raw_or_byte_string()? => last.clear(),
                '\'' => {
                    self.quote()?;
                    last.clear();
                }
                '(' | '[' | '{' => {
                    self.brackets.push(c);
                    self.pos += 1;
                    last.clear();
                }
                ')' | ']' | '}' => {
                    let open = match c {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    if self.brackets.pop() != Some(open) {
                        return Err(Verdict::Invalid);
                    }
                    self.pos += 1;
                    last.clear();
                }
                '`' | '\\' => return Err(Verdict::Invalid),
                c if c.is_alphanumeric() || c == '_' => {
                    while self
                        .peek(0)
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    {
                        self.pos += 1;
                    }
                    last.clear();
                }
                c if c.is_ascii_punctuation() => {
                    if last.is_empty() || !self.chars[self.pos - 1].is_ascii_punctuation() {
                        last.clear();
                    }
                    last.push(c);
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
        Ok(last)
    }

    fn skip_line(&mut self) {
        while self.peek(0).is_some_and(|c| c != '\n') {
            self.pos += 1;
        }
    }

    fn block_comment(&mut self) -> Result<(), Verdict> {
        let mut depth = 0usize;
        while let Some(c) = self.peek(0) {
            if c == '/' && self.peek(1) == Some('*') {
                depth += 1;
                self.pos += 2;
            } else if c == '*' && self.peek(1) == Some('/') {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return Ok(());
                }
            } else {
                self.pos += 1;
            }
        }
        Err(Verdict::Open)
    }

    /// Consumes a string body up to `"` followed by `hashes` `#`s; escapes only when not raw.
    fn string(&mut self, hashes: usize) -> Result<(), Verdict> {
        let raw = hashes > 0;
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            if c == '\\' && !raw {
                self.pos += 1;
            } else if c == '"' && (0..hashes).all(|i| self.peek(i) == Some('#')) {
                self.pos += hashes;
                return Ok(());
            }
        }
        Err(Verdict::Open)
    }

    /// At `r`, `b`, `c`: lexes `r"…"`, `r#"…"#`, `b"…"`, `br"…"`, `c"…"`, `b'x'` if present.
    fn raw_or_byte_string(&mut self) -> Result<bool, Verdict> {
        let prev_ident = self.pos > 0 && self.chars[self.pos - 1].is_alphanumeric();
        if prev_ident {
            return Ok(false);
        }
        let mut i = 1;
        if matches!(self.peek(0), Some('b' | 'c')) && self.peek(1) == Some('r') {
            i = 2;
        }
        let raw = self.peek(i - 1) == Some('r');
        if self.peek(0) == Some('b') && self.peek(1) == Some('\'') {
            self.pos += 1;
            self.quote()?;
            return Ok(true);
        }
        let mut hashes = 0;
        while raw && self.peek(i + hashes) == Some('#') {
            hashes += 1;
        }
        if self.peek(i + hashes) != Some('"') {
            return Ok(false);
        }
        self.pos += i + hashes + 1;
        if raw && hashes == 0 {
            // A raw string without hashes: no escapes, ends at the first quote.
            while let Some(c) = self.peek(0) {
                self.pos += 1;
                if c == '"' {
                    return Ok(true);
                }
            }
            return Err(Verdict::Open);
        }
        self.string(hashes)?;
        Ok(true)
    }

    /// At `'`: a character literal, or a lifetime / label (left alone).
    fn quote(&mut self) -> Result<(), Verdict> {
        match (self.peek(1), self.peek(2)) {
            (Some('\\'), _) => {
                self.pos += 2;
                while let Some(c) = self.peek(0) {
                    self.pos += 1;
                    if c == '\'' {
                        return Ok(());
                    }
                    if c == '\n' {
                        return Err(Verdict::Invalid);
                    }
                }
                Err(Verdict::Open)
            }
            (Some(_), Some('\'')) => {
                self.pos += 3;
                Ok(())
            }
            (None, _) => Err(Verdict::Open),
            _ => {
                self.pos += 1;
                Ok(())
            }
        }
    }
}

/// A trailing binary operator, assignment, comma or path separator needs an operand.
fn ends_with_operator(last: &str) -> bool {
    const OPERATORS: &[&str] = &[
        "=", "+", "-", "*", "/", "%", "&&", "||", "&", "|", "^", "<<", ">>", ",", ".", "::", "->",
        "=>", "+=", "-=", "*=", "/=", "%=", "==", "!=", "<=", ">=", "<",
    ];
    OPERATORS.contains(&last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incomplete(code: &str) -> bool {
        matches!(is_complete(code), Completeness::Incomplete(_))
    }

    #[test]
    fn complete_code() {
        for code in [
            "let x = 1;",
            "println!(\"{}\", x);",
            "fn f() {}\nf()",
            ":dep rand = \"0.8\"",
            "'a: loop { break 'a; }",
            "let c = '}';",
            "let s = r#\"}\"#;",
            "x..",
            "let v = vec![1, 2];",
            "// just a comment",
            "let b = b'{';",
            "fn f<'a>(x: &'a str) {}",
        ] {
            assert_eq!(is_complete(code), Completeness::Complete, "{code}");
        }
    }

    #[test]
    fn incomplete_code() {
        for code in [
            "fn f() {",
            "let x = (1,",
            "let s = \"abc",
            "/* open",
            "let x =",
            "let r = r#\"x\"",
            "foo(1,\n2",
            "let y = a +",
            "vec![1, 2]\n    .",
        ] {
            assert!(incomplete(code), "{code}");
        }
    }

    #[test]
    fn indent_follows_nesting() {
        assert_eq!(
            is_complete("fn f() {\n    if x {"),
            Completeness::Incomplete("        ".into())
        );
    }

    #[test]
    fn invalid_code() {
        for code in ["fn f( ]", "let x = );", "}", "`garbage`", "let c = '\\n\n"] {
            assert_eq!(is_complete(code), Completeness::Invalid, "{code}");
        }
    }
}
