//! The Rust source of a cell's crate, and the map from its lines back to the cell.
//!
//! ```text
//! use rangeo::prelude::*;
//! <items of earlier cells and of this one>
//! #[unsafe(no_mangle)]
//! pub extern "C-unwind" fn rangeo_cell() {
//!     let mut total: i64 = ::rangeo::cell::take("total");    // variables the cell uses
//!     ::rangeo::cell::run(|| {
//!         <the cell's statements>
//!         ::rangeo::cell::show!(
//!         <the final expression>
//!         );
//!         let __rangeo_keep_x = ::core::hint::black_box(x);   // its new variables
//!         ::rangeo::cell::keep("x", __rangeo_keep_x);
//!         Ok(())
//!     });
//!     ::rangeo::cell::put_back("total", total);
//! }
//! ```
//!
//! The statements run in a closure that borrows the variables, so a panic, an `Err` or
//! an interrupt leaves them in place to be put back. Each piece of the cell starts on a
//! line of its own, indented to its original column, so rustc's line and column numbers
//! map straight back to the cell. The `black_box` gives each kept value a local of its
//! own, whose full type rustc's MIR output names (see [`super::compiler`]).

use std::collections::HashMap;

use super::cell::{Chunk, Item, Parsed};

/// The symbol every cell exports (see `rangeo::cell::serve`).
pub(super) const ENTRY: &str = "rangeo_cell";

/// Prefix of the local that holds a kept value.
pub(super) const KEEP_PREFIX: &str = "__rangeo_keep_";

/// What a glue line does with a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Glue {
    /// Takes an earlier variable out of the store.
    Take,
    /// Keeps a variable the cell defined.
    Keep,
    /// Returns an earlier variable to the store.
    PutBack,
}

/// An earlier variable the cell uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Loaded<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its type, as Rust source.
    pub ty: &'a str,
    /// Whether it was declared `mut`.
    pub mutable: bool,
    /// Whether the cell moves it away, so it is not put back.
    pub consumed: bool,
}

/// What goes into a cell's crate.
#[derive(Debug, Default)]
pub(super) struct Plan<'a> {
    /// Items kept from earlier cells (those this cell does not redefine).
    pub earlier: Vec<&'a Item>,
    /// The cell itself.
    pub cell: Option<&'a Parsed>,
    /// Earlier variables the cell uses.
    pub loaded: Vec<Loaded<'a>>,
    /// New variables to keep after the cell.
    pub kept: Vec<&'a str>,
}

/// A generated crate.
#[derive(Debug, Default)]
pub(super) struct Generated {
    /// Its source.
    pub source: String,
    /// For each line (0-based index = line - 1): the cell line it holds, if any.
    origin: Vec<Option<usize>>,
    /// Glue lines (1-based) and the variable each handles.
    glue: HashMap<usize, (Glue, String)>,
}

impl Generated {
    /// The cell line (1-based) that generated line `line` (1-based) holds.
    pub(super) fn cell_line(&self, line: usize) -> Option<usize> {
        self.origin.get(line.checked_sub(1)?).copied().flatten()
    }

    /// The glue at generated line `line` (1-based).
    pub(super) fn glue(&self, line: usize) -> Option<(Glue, &str)> {
        self.glue.get(&line).map(|(g, name)| (*g, name.as_str()))
    }

    fn line(&mut self, text: &str) {
        self.source.push_str(text);
        self.source.push('\n');
        self.origin.push(None);
    }

    fn glue_line(&mut self, text: &str, glue: Glue, name: &str) {
        self.line(text);
        self.glue.insert(self.origin.len(), (glue, name.to_owned()));
    }

    /// Copies a chunk of the current cell, indented to its column.
    fn cell_chunk(&mut self, chunk: &Chunk) {
        self.source.push_str(&" ".repeat(chunk.column));
        for (i, text) in chunk.text.split('\n').enumerate() {
            if i > 0 {
                self.source.push('\n');
            }
            self.source.push_str(text);
            self.origin.push(Some(chunk.line + i));
        }
        self.source.push('\n');
    }

    /// Copies a chunk of an earlier cell (its errors have no place in this cell).
    fn earlier_chunk(&mut self, chunk: &Chunk) {
        for text in chunk.text.split('\n') {
            self.line(text);
        }
    }
}

/// Writes the crate for `plan`.
pub(super) fn generate(plan: &Plan<'_>) -> Generated {
    let mut out = Generated::default();
    out.line("use rangeo::prelude::*;");
    for item in &plan.earlier {
        out.earlier_chunk(&item.chunk);
    }
    if let Some(cell) = plan.cell {
        for item in &cell.items {
            out.cell_chunk(&item.chunk);
        }
    }
    out.line("#[unsafe(no_mangle)]");
    out.line(&format!("pub extern \"C-unwind\" fn {ENTRY}() {{"));
    for var in &plan.loaded {
        let mutable = if var.mutable { "mut " } else { "" };
        out.glue_line(
            &format!(
                "let {mutable}{}: {} = ::rangeo::cell::take({:?});",
                var.name, var.ty, var.name
            ),
            Glue::Take,
            var.name,
        );
    }
    out.line("::rangeo::cell::run(|| {");
    if let Some(cell) = plan.cell {
        for statement in &cell.statements {
            out.cell_chunk(statement);
        }
        if let Some(result) = &cell.result {
            out.line("::rangeo::cell::show!(");
            out.cell_chunk(result);
            out.line(");");
        }
    }
    for name in &plan.kept {
        out.glue_line(
            &format!(
                "let {KEEP_PREFIX}{name} = ::core::hint::black_box({name}); ::rangeo::cell::keep({name:?}, {KEEP_PREFIX}{name});"
            ),
            Glue::Keep,
            name,
        );
    }
    out.line("Ok(())");
    out.line("});");
    for var in plan.loaded.iter().filter(|v| !v.consumed) {
        out.glue_line(
            &format!("::rangeo::cell::put_back({:?}, {});", var.name, var.name),
            Glue::PutBack,
            var.name,
        );
    }
    out.line("}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cell::parse;

    #[test]
    fn cell_lines_map_back_and_glue_lines_are_known() {
        let earlier = parse("fn double(x: i64) -> i64 { 2 * x }");
        let cell = parse("let y = double(total);\n  y + 1");
        let plan = Plan {
            earlier: earlier.items.iter().collect(),
            cell: Some(&cell),
            loaded: vec![Loaded {
                name: "total",
                ty: "i64",
                mutable: true,
                consumed: false,
            }],
            kept: vec!["y"],
        };
        let generated = generate(&plan);
        let lines: Vec<&str> = generated.source.lines().collect();
        let at = |text: &str| lines.iter().position(|l| l.contains(text)).unwrap() + 1;
        assert_eq!(generated.cell_line(at("let y = double")), Some(1));
        assert_eq!(lines[at("y + 1") - 1], "  y + 1", "columns are kept");
        assert_eq!(generated.cell_line(at("y + 1")), Some(2));
        assert_eq!(
            generated.cell_line(at("fn double")),
            None,
            "earlier items are not the cell's"
        );
        assert_eq!(
            generated.glue(at("take(\"total\")")),
            Some((Glue::Take, "total"))
        );
        assert!(lines[at("take(") - 1].starts_with("let mut total: i64"));
        assert_eq!(generated.glue(at("keep(\"y\"")), Some((Glue::Keep, "y")));
        assert_eq!(
            generated.glue(at("put_back(")),
            Some((Glue::PutBack, "total"))
        );
    }

    #[test]
    fn consumed_variables_are_not_put_back() {
        let cell = parse("drop(v);");
        let plan = Plan {
            cell: Some(&cell),
            loaded: vec![Loaded {
                name: "v",
                ty: "Vec<u8>",
                mutable: false,
                consumed: true,
            }],
            ..Plan::default()
        };
        assert!(!generate(&plan).source.contains("put_back"));
    }
}
