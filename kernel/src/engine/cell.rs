//! A cell's source, split the way the generated crate needs it: items go to the crate's
//! top level (and stay for later cells), statements run in the cell's function, and the
//! final expression is shown as the cell's result.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Block, Item as SynItem, Pat, Stmt};

/// A piece of the cell, verbatim, with where it starts in the cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Chunk {
    /// The source text.
    pub text: String,
    /// 1-based line of its first character in the cell.
    pub line: usize,
    /// 0-based column (in characters) of its first character.
    pub column: usize,
}

/// An item (`fn`, `struct`, `use`, `impl`, ...). A later item with the same key replaces
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Item {
    /// What a redefinition has in common with this item (`type Point`, `fn area`, the
    /// text of a `use`).
    pub key: String,
    /// The name of the type it defines, when it defines one.
    pub type_name: Option<String>,
    /// The item's source.
    pub chunk: Chunk,
}

/// A variable bound by a top-level `let`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Binding {
    /// Its name.
    pub name: String,
    /// Whether it was declared `mut`.
    pub mutable: bool,
}

/// A cell, split.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Parsed {
    /// Items, in order.
    pub items: Vec<Item>,
    /// Statements, in order.
    pub statements: Vec<Chunk>,
    /// The final expression (no trailing `;`).
    pub result: Option<Chunk>,
    /// Variables its top-level `let`s bind, in order (a name bound twice appears once).
    pub bindings: Vec<Binding>,
}

/// Splits `code`. Code that does not parse becomes one statement chunk, so that rustc
/// reports the syntax error with its own (better) message.
pub(super) fn parse(code: &str) -> Parsed {
    let parsed = split(code).unwrap_or_else(|| Parsed {
        statements: vec![Chunk {
            text: code.to_owned(),
            line: 1,
            column: 0,
        }],
        ..Parsed::default()
    });
    proc_macro2::extra::invalidate_current_thread_spans();
    parsed
}

fn split(code: &str) -> Option<Parsed> {
    let stmts = syn::parse::Parser::parse_str(Block::parse_within, code).ok()?;
    let mut parsed = Parsed::default();
    let count = stmts.len();
    for (index, stmt) in stmts.into_iter().enumerate() {
        let chunk = chunk(code, stmt.span())?;
        match stmt {
            Stmt::Item(item) => parsed.items.push(Item {
                key: item_key(&item),
                type_name: type_name(&item),
                chunk,
            }),
            Stmt::Local(local) => {
                bindings(&local.pat, &mut parsed.bindings);
                parsed.statements.push(chunk);
            }
            Stmt::Expr(_, None)
            | Stmt::Macro(syn::StmtMacro {
                semi_token: None, ..
            }) if index + 1 == count => {
                parsed.result = Some(chunk);
            }
            Stmt::Expr(..) | Stmt::Macro(_) => parsed.statements.push(chunk),
        }
    }
    Some(parsed)
}

/// The chunk of `code` that `span` covers.
fn chunk(code: &str, span: Span) -> Option<Chunk> {
    let range = span.byte_range();
    let text = code.get(range.clone())?.to_owned();
    let start = span.start();
    Some(Chunk {
        text,
        line: start.line,
        column: start.column,
    })
}

fn item_key(item: &SynItem) -> String {
    let tokens = |t: &dyn ToTokens| t.to_token_stream().to_string();
    match item {
        SynItem::Fn(f) => format!("fn {}", f.sig.ident),
        SynItem::Const(c) => format!("value {}", c.ident),
        SynItem::Static(s) => format!("value {}", s.ident),
        SynItem::Mod(m) => format!("mod {}", m.ident),
        SynItem::Macro(m) => m.ident.as_ref().map_or_else(
            || format!("other {}", tokens(m)),
            |name| format!("macro {name}"),
        ),
        SynItem::ExternCrate(e) => format!("extern crate {}", e.ident),
        SynItem::Impl(i) => {
            let of = i
                .trait_
                .as_ref()
                .map(|(_, path, _)| format!("{} for ", tokens(path)))
                .unwrap_or_default();
            format!("impl{} {of}{}", tokens(&i.generics), tokens(&i.self_ty))
        }
        other => match type_name(other) {
            Some(name) => format!("type {name}"),
            None => format!("other {}", tokens(other)),
        },
    }
}

fn type_name(item: &SynItem) -> Option<String> {
    let ident = match item {
        SynItem::Struct(s) => &s.ident,
        SynItem::Enum(e) => &e.ident,
        SynItem::Union(u) => &u.ident,
        SynItem::Type(t) => &t.ident,
        SynItem::Trait(t) => &t.ident,
        SynItem::TraitAlias(t) => &t.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// Adds the variables `pat` binds.
fn bindings(pat: &Pat, out: &mut Vec<Binding>) {
    match pat {
        Pat::Ident(p) => {
            let name = p.ident.to_string();
            out.retain(|b| b.name != name);
            out.push(Binding {
                name,
                mutable: p.mutability.is_some(),
            });
            if let Some((_, sub)) = &p.subpat {
                bindings(sub, out);
            }
        }
        Pat::Tuple(t) => t.elems.iter().for_each(|p| bindings(p, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| bindings(p, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| bindings(&f.pat, out)),
        Pat::Slice(s) => s.elems.iter().for_each(|p| bindings(p, out)),
        Pat::Reference(r) => bindings(&r.pat, out),
        Pat::Type(t) => bindings(&t.pat, out),
        Pat::Paren(p) => bindings(&p.pat, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(parsed: &Parsed) -> Vec<(&str, bool)> {
        parsed
            .bindings
            .iter()
            .map(|b| (b.name.as_str(), b.mutable))
            .collect()
    }

    #[test]
    fn items_statements_and_the_final_expression() {
        let code = "use std::fmt;\nfn add(a: i32) -> i32 { a + 1 }\nlet x = add(1);\n  x * 2";
        let parsed = parse(code);
        let keys: Vec<_> = parsed.items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["other use std :: fmt ;", "fn add"]);
        assert_eq!(parsed.statements[0].text, "let x = add(1);");
        assert_eq!(parsed.statements[0].line, 3);
        let result = parsed.result.unwrap();
        assert_eq!(
            (result.text.as_str(), result.line, result.column),
            ("x * 2", 4, 2)
        );
    }

    #[test]
    fn let_patterns_bind_every_name_once() {
        let parsed =
            parse("let (a, mut b) = (1, 2);\nlet Some(c) = Some(3) else { panic!() };\nlet a = 5;");
        assert_eq!(names(&parsed), [("b", true), ("c", false), ("a", false)]);
        assert!(parsed.result.is_none());
    }

    #[test]
    fn a_trailing_macro_without_semicolon_is_the_result() {
        let parsed = parse("println!(\"a\");\nformat!(\"{}\", 1)");
        assert_eq!(parsed.statements.len(), 1);
        assert_eq!(parsed.result.unwrap().text, "format!(\"{}\", 1)");
    }

    #[test]
    fn types_and_impls_have_keys_that_redefinitions_share() {
        let parsed = parse(
            "#[derive(Debug)]\nstruct P { x: f64 }\nimpl std::fmt::Display for P { fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result { Ok(()) } }",
        );
        assert_eq!(parsed.items[0].key, "type P");
        assert_eq!(parsed.items[0].type_name.as_deref(), Some("P"));
        assert!(parsed.items[0].chunk.text.starts_with("#[derive(Debug)]"));
        assert_eq!(parsed.items[1].key, "impl std :: fmt :: Display for P");
    }

    #[test]
    fn code_that_does_not_parse_is_one_statement() {
        let parsed = parse("let x = );");
        assert_eq!(parsed.statements.len(), 1);
        assert_eq!(parsed.statements[0].text, "let x = );");
    }
}
