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

/// One problem, located: what `validate --format json` prints for editors and CI annotations.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Located {
    /// The spec file as named on the command line.
    pub file: String,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// YAML path (`chaincodes[1].orgs[0]`); empty for the document or the file as a whole.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What would be accepted, when the message says (`known: org1, org2`).
    pub hint: Option<String>,
}

impl Located {
    fn new(file: &str, pos: Position, path: &str, message: &str) -> Self {
        // Messages end their list of what is accepted in parentheses: `(known: a, b)`,
        // `(expected one of: ...)`.
        let hint = ["(known: ", "(expected one of: "]
            .iter()
            .find_map(|open| message.rfind(open).map(|at| &message[at + 1..]))
            .and_then(|rest| rest.strip_suffix(')'))
            .map(str::to_string);
        Located {
            line: pos.line,
            column: pos.col,
            file: file.to_string(),
            path: path.to_string(),
            message: message.to_string(),
            hint,
        }
    }

    fn line_text(&self) -> String {
        let path = if self.path.is_empty() { "(root)" } else { self.path.as_str() };
        format!("{}:{}:{} {path}: {}", self.file, self.line, self.column, self.message)
    }
}

/// Every problem found in one spec file, ready to print.
#[derive(Debug)]
pub struct SpecErrors {
    located: Vec<Located>,
    lines: Vec<String>,
}

impl SpecErrors {
    /// Locates each diagnostic in `file` and sorts them by position.
    pub fn new(file: &str, map: &SourceMap, diagnostics: Vec<Diagnostic>) -> Self {
        let mut located: Vec<Located> = diagnostics
            .into_iter()
            .map(|d| {
                let pos = match d.anchor {
                    Anchor::Key => map.key(&d.path),
                    Anchor::Value => map.value(&d.path),
                    Anchor::At(pos) => pos,
                };
                Located::new(file, pos, &d.path, &d.message)
            })
            .collect();
        located.sort_by(|a, b| (a.line, a.column, &a.path, &a.message).cmp(&(b.line, b.column, &b.path, &b.message)));
        located.dedup();
        let lines = located.iter().map(Located::line_text).collect();
        SpecErrors { located, lines }
    }

    /// A problem of the file as a whole at `pos` (a YAML syntax error, its size), printed as
    /// `file:line:col message`.
    pub fn at(file: &str, pos: Position, message: String) -> Self {
        let located = Located::new(file, pos, "", &message);
        SpecErrors { lines: vec![format!("{file}:{}:{} {message}", pos.line, pos.col)], located: vec![located] }
    }

    /// The formatted problems, one per line, in file order.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The problems with their parts, in file order.
    pub fn located(&self) -> &[Located] {
        &self.located
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
