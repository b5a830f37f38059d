//! Problems found in a spec, each tied to a YAML path and, through the source map, to a
//! `file:line:col`. All problems of a run are collected and reported together.

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

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
    /// The spec line each problem is on (what [`SpecErrors::render`] quotes), in step with
    /// `located`.
    source_lines: Vec<(usize, String)>,
}

impl SpecErrors {
    /// Locates each diagnostic of the spec `text` read from `file` and sorts them by position.
    pub fn new(file: &str, text: &str, map: &SourceMap, diagnostics: Vec<Diagnostic>) -> Self {
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
        let source_lines = source_lines(text, &located);
        SpecErrors { located, lines, source_lines }
    }

    /// A problem of the file as a whole at `pos` (a YAML syntax error, its size), printed as
    /// `file:line:col message`.
    pub fn at(file: &str, text: &str, pos: Position, message: String) -> Self {
        let located = vec![Located::new(file, pos, "", &message)];
        let source_lines = source_lines(text, &located);
        SpecErrors { lines: vec![format!("{file}:{}:{} {message}", pos.line, pos.col)], located, source_lines }
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

impl SpecErrors {
    /// Every problem as cargo and rustc print theirs: the `file:line:col path: message` line,
    /// then the spec line with a caret under what is wrong and the hint as `help`, then the
    /// count. `color` adds the terminal's colours (ANSI escapes).
    pub fn render(&self, color: bool) -> String {
        let renderer = if color { Renderer::styled() } else { Renderer::plain() };
        let mut out = String::new();
        for ((problem, line), (first, source)) in self.located.iter().zip(&self.lines).zip(&self.source_lines) {
            let title = line.as_str();
            // The problem's line is the last one quoted.
            let line_at = source.rfind('\n').map_or(0, |at| at + 1);
            let span = token_span(&source[line_at..], problem.column);
            let snippet = Snippet::source(source.as_str())
                .line_start(*first)
                .annotation(AnnotationKind::Primary.span(line_at + span.start..line_at + span.end));
            let mut group = Level::ERROR.primary_title(title).element(snippet);
            if let Some(hint) = &problem.hint {
                group = group.element(Level::HELP.message(hint.as_str()));
            }
            out.push_str(&renderer.render(&[group]));
            out.push('\n');
        }
        let n = self.lines.len();
        let summary = format!("invalid spec: {n} problem{} found", if n == 1 { "" } else { "s" });
        out.push_str(&renderer.render(&[Group::with_title(Level::ERROR.primary_title(summary))]));
        out.push('\n');
        out
    }
}

/// What each problem's snippet quotes: its line of `text`, without the line break, and the
/// line before it when its own is blank (a YAML syntax error at the end of a flow or a file)
/// as `(first line number, text)`; empty past the end of the file.
fn source_lines(text: &str, located: &[Located]) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    located
        .iter()
        .map(|l| {
            let at = l.line.saturating_sub(1);
            let line = lines.get(at).copied().unwrap_or("");
            match at.checked_sub(1).and_then(|before| lines.get(before)) {
                Some(before) if line.trim().is_empty() => (l.line - 1, format!("{before}\n{line}")),
                _ => (l.line, line.to_string()),
            }
        })
        .collect()
}

/// The bytes of `line` under the caret: the key, scalar or quoted string starting at `column`
/// (counted in characters from 1, as the source map counts), or the one character there.
fn token_span(line: &str, column: usize) -> std::ops::Range<usize> {
    let start = line.char_indices().nth(column.saturating_sub(1)).map_or(line.len(), |(at, _)| at);
    let rest = &line[start..];
    let len = match rest.chars().next() {
        None => 0,
        Some(space) if space.is_whitespace() => space.len_utf8(),
        Some(quote @ ('"' | '\'')) => rest[1..].find(quote).map_or(rest.len(), |end| end + 2),
        Some(_) => {
            // A plain scalar or key ends at `: `, ` #`, a flow indicator or the line's end.
            let bytes = rest.as_bytes();
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                let next = bytes.get(i + 1).copied();
                let ends = match c {
                    ',' | '[' | ']' | '{' | '}' => i > 0,
                    ':' => next.is_none_or(|b| b == b' ' || b == b'\t'),
                    ' ' | '\t' => next == Some(b'#'),
                    _ => false,
                };
                if ends {
                    end = i;
                    break;
                }
            }
            let token = rest[..end].trim_end();
            if token.is_empty() { rest.chars().next().map_or(0, char::len_utf8) } else { token.len() }
        }
    };
    start..start + len
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

#[cfg(test)]
mod tests {
    use super::*;

    fn under_caret(line: &str, column: usize) -> &str {
        &line[token_span(line, column)]
    }

    #[test]
    fn the_caret_covers_the_token_at_the_column() {
        assert_eq!(under_caret("    orgs: [org1, org3]", 18), "org3");
        assert_eq!(under_caret("    orgs: [org1, org3]", 5), "orgs");
        assert_eq!(under_caret("  replicas: two   # comment", 13), "two");
        assert_eq!(under_caret(r#"  image: "a: b" # x"#, 10), r#""a: b""#);
        assert_eq!(under_caret("  port: 'it''s'", 9), "'it'");
        assert_eq!(under_caret("  url: http://x:80/y", 8), "http://x:80/y");
        assert_eq!(under_caret("  - {name: ä, mspId: X}", 12), "ä");
        assert_eq!(under_caret("  - {name: ä, mspId: X}", 15), "mspId");
        // Past the end of the line, or at a space: one character or nothing.
        assert_eq!(under_caret("key:", 9), "");
        assert_eq!(under_caret("a:  b", 3), " ");
    }

    #[test]
    fn each_problem_quotes_its_line_and_the_summary_counts_them() {
        let text = "name: x\norgs:\n  - name: org1\n    peer: []\n";
        let map = SourceMap::from_yaml(text);
        let errors = SpecErrors::new(
            "n.yaml",
            text,
            &map,
            vec![
                Diagnostic::at_key("orgs[0].peer", "unknown field \"peer\" (expected one of: name, peers)"),
                Diagnostic::at("name", "too short"),
            ],
        );
        let plain = errors.render(false);
        assert_eq!(
            plain,
            "error: n.yaml:1:7 name: too short\n  |\n1 | name: x\n  |       ^\nerror: n.yaml:4:5 orgs[0].peer: unknown field \"peer\" (expected one of: name, peers)\n  |\n4 |     peer: []\n  |     ^^^^\n  |\n  = help: expected one of: name, peers\nerror: invalid spec: 2 problems found\n"
        );
        assert!(!plain.contains('\x1b'));
        let coloured = errors.render(true);
        assert!(coloured.contains("\x1b["), "{coloured:?}");
        // The same words, only with escapes around them.
        let stripped = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap().replace_all(&coloured, "");
        assert_eq!(stripped, plain);
    }

    #[test]
    fn a_problem_on_a_blank_line_also_quotes_the_line_before() {
        let text = "a: [1,\n\n";
        let errors = SpecErrors::at("n.yaml", text, Position { line: 2, col: 1 }, "invalid YAML: unclosed".into());
        assert_eq!(
            errors.render(false),
            "error: n.yaml:2:1 invalid YAML: unclosed\n  |\n1 | a: [1,\n  |       ^\nerror: invalid spec: 1 problem found\n"
        );
    }
}
