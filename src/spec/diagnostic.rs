//! Problems found in a spec, each tied to a YAML path and, through the source map, to a
//! `file:line:col`. All problems of a run are collected and reported together.

use std::fmt;

use super::source_map::{Position, SourceMap};

/// Whether a diagnostic points at a mapping key (e.g. an unknown field) or at a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The key of the field at the path.
    Key,
    /// The value at the path.
    Value,
    /// A position of its own (e.g. the second of two equal keys, which the source map does not
    /// keep under the path).
    At(Position),
}

/// One problem in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// YAML path in dotted form, e.g. `chaincodes[1].orgs[0]`; empty for the document root.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// Whether to point at the key or the value of `path`.
    pub anchor: Anchor,
}

impl Diagnostic {
    /// A problem with the value at `path`.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { path: path.into(), message: message.into(), anchor: Anchor::Value }
    }

    /// A problem with the key at `path` (the field name itself).
    pub fn at_key(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { path: path.into(), message: message.into(), anchor: Anchor::Key }
    }
}

/// Every problem found in one spec file, ready to print.
#[derive(Debug)]
pub struct SpecErrors {
    lines: Vec<String>,
}

impl SpecErrors {
    /// Locates each diagnostic in `file` and sorts them by position.
    pub fn new(file: &str, map: &SourceMap, diagnostics: Vec<Diagnostic>) -> Self {
        let mut located: Vec<((usize, usize), String)> = diagnostics
            .into_iter()
            .map(|d| {
                let pos = match d.anchor {
                    Anchor::Key => map.key(&d.path),
                    Anchor::Value => map.value(&d.path),
                    Anchor::At(pos) => pos,
                };
                let path = if d.path.is_empty() { "(root)" } else { d.path.as_str() };
                ((pos.line, pos.col), format!("{file}:{}:{} {path}: {}", pos.line, pos.col, d.message))
            })
            .collect();
        located.sort();
        located.dedup();
        SpecErrors { lines: located.into_iter().map(|(_, line)| line).collect() }
    }

    /// A single problem that has its own position (e.g. a YAML syntax error).
    pub fn single(line: String) -> Self {
        SpecErrors { lines: vec![line] }
    }

    /// The formatted problems, one per line, in file order.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            writeln!(f, "{line}")?;
        }
        let n = self.lines.len();
        write!(f, "{n} problem{} found", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for SpecErrors {}

/// `known: a, b, c` or `known: none` for hints.
pub fn known_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    if names.is_empty() { "known: none".to_string() } else { format!("known: {}", names.join(", ")) }
}
