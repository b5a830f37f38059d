//! Where each node of a spec stands in its file: the line and column of every value and key
//! by dotted YAML path (serde_yaml keeps no positions), and the path syntax itself
//! (`chaincodes[1].orgs[0]`) that diagnostics use.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column in the spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Line, starting at 1.
    pub line: usize,
    /// Column, starting at 1.
    pub col: usize,
}

/// Where every node of a YAML document starts, by dotted YAML path.
#[derive(Debug, Default)]
pub struct SourceMap {
    values: BTreeMap<String, Position>,
    keys: BTreeMap<String, Position>,
    duplicates: Vec<DuplicateKey>,
}

/// A key that appears twice in one mapping. YAML forbids it, and a reader keeps one of the two
/// silently (serde keeps the last), so the spec is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// Path of the repeated field.
    pub path: String,
    /// The key as written.
    pub key: String,
    /// Where the key first appears.
    pub first: Position,
    /// Where it appears again.
    pub again: Position,
}

impl SourceMap {
    /// Maps every node of the first document in `text`. Text that does not parse maps nothing.
    pub fn from_yaml(text: &str) -> Self {
        let mut builder = MapBuilder::default();
        let mut parser = Parser::new_from_str(text);
        // A syntax error is reported by serde_yaml with its own position; keep what was mapped.
        let _ = parser.load(&mut builder, false);
        builder.map
    }

    /// Every repeated key, in file order.
    pub fn duplicates(&self) -> &[DuplicateKey] {
        &self.duplicates
    }

    /// Position of the value at `path`, or of its nearest mapped ancestor.
    pub fn value(&self, path: &str) -> Position {
        self.lookup(&self.values, path)
    }

    /// Position of the key of the field at `path`, falling back to its value, or, for a field
    /// the spec leaves out, to the key of the nearest ancestor written (where it would go).
    pub fn key(&self, path: &str) -> Position {
        if let Some(pos) = self.keys.get(path).or_else(|| self.values.get(path)) {
            return *pos;
        }
        let mut current = path;
        while !current.is_empty() {
            current = parent_path(current);
            if let Some(pos) = self.keys.get(current) {
                return *pos;
            }
        }
        self.value(path)
    }

    fn lookup(&self, table: &BTreeMap<String, Position>, path: &str) -> Position {
        let mut current = path;
        loop {
            if let Some(pos) = table.get(current) {
                return *pos;
            }
            if current.is_empty() {
                return Position { line: 1, col: 1 };
            }
            current = parent_path(current);
        }
    }
}

/// `a.b[2]` -> `a.b`, `a.b` -> `a`, `a` -> ``.
fn parent_path(path: &str) -> &str {
    match path.rfind(['.', '[']) {
        Some(i) => &path[..i],
        None => "",
    }
}

/// Joins a field name onto a dotted path.
pub fn field_path(parent: &str, field: &str) -> String {
    if parent.is_empty() { field.to_string() } else { format!("{parent}.{field}") }
}

/// Joins a sequence index onto a dotted path.
pub fn index_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

#[derive(Default)]
struct MapBuilder {
    map: SourceMap,
    stack: Vec<Frame>,
}

fn position(mark: Marker) -> Position {
    // yaml-rust2 lines are 1-based and columns 0-based.
    Position { line: mark.line(), col: mark.col() + 1 }
}

impl MapBuilder {
    /// Path of a node that starts now, or `None` when the node is a mapping key.
    fn node_path(&mut self, event: &Event, mark: Marker) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = index_path(path, *next);
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { path, key }) => {
                match key.take() {
                    Some(k) => Some(field_path(path, &k)),
                    None => {
                        let name = match event {
                            Event::Scalar(s, ..) => s.clone(),
                            _ => "?".to_string(),
                        };
                        let at = position(mark);
                        let field = field_path(path, &name);
                        let repeated = matches!(event, Event::Scalar(..)) && self.map.keys.contains_key(&field);
                        if repeated {
                            let first = self.map.keys[&field];
                            self.map.duplicates.push(DuplicateKey { path: field, key: name.clone(), first, again: at });
                        } else {
                            self.map.keys.insert(field, at);
                        }
                        // yaml-rust2 marks a block mapping where its first key ends; a mapping
                        // starts where its first key starts.
                        if let Some(start) = self.map.values.get_mut(path.as_str())
                            && (at.line, at.col) < (start.line, start.col)
                        {
                            *start = at;
                        }
                        // A repeated key's value is mapped apart (under a name no spec path
                        // has), so what it holds is not taken for repetitions of the first's.
                        let n = self.map.duplicates.len();
                        *key = Some(if repeated { format!("{name}\u{0}{n}") } else { name });
                        None
                    }
                }
            }
        }
    }
}

impl MarkedEventReceiver for MapBuilder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(..) | Event::Alias(..) | Event::MappingStart(..) | Event::SequenceStart(..) => {
                let Some(path) = self.node_path(&event, mark) else { return };
                self.map.values.entry(path.clone()).or_insert(position(mark));
                match event {
                    Event::MappingStart(..) => self.stack.push(Frame::Map { path, key: None }),
                    Event::SequenceStart(..) => self.stack.push(Frame::Seq { path, next: 0 }),
                    _ => {}
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name: net\norgs:\n  - name: org1\n    peers:\n      - name: peer0\n  - name: org2\n";

    #[test]
    fn maps_values_and_keys_to_one_based_positions() {
        let map = SourceMap::from_yaml(TEXT);
        assert_eq!(map.value("name"), Position { line: 1, col: 7 });
        assert_eq!(map.key("name"), Position { line: 1, col: 1 });
        assert_eq!(map.value("orgs[0].peers[0].name"), Position { line: 5, col: 15 });
        assert_eq!(map.key("orgs[1].name"), Position { line: 6, col: 5 });
    }

    #[test]
    fn finds_keys_repeated_in_one_mapping_at_any_depth() {
        let text = "name: a\norgs:\n  - name: org1\n    peers: []\n    peers: [x]\n  - name: org2\nname: b\norgs:\n  - name: org3\n";
        let map = SourceMap::from_yaml(text);
        let found: Vec<(&str, usize, usize)> =
            map.duplicates().iter().map(|d| (d.path.as_str(), d.first.line, d.again.line)).collect();
        // The second `orgs` is one repetition; what it holds is not another.
        assert_eq!(found, vec![("orgs[0].peers", 4, 5), ("name", 1, 7), ("orgs", 2, 8)]);
        assert_eq!(map.duplicates()[0].again, Position { line: 5, col: 5 });
        // The same key in different mappings is no repetition.
        assert!(SourceMap::from_yaml(TEXT).duplicates().is_empty());
    }

    #[test]
    fn falls_back_to_nearest_ancestor() {
        let map = SourceMap::from_yaml(TEXT);
        assert_eq!(map.value("orgs[0].ca"), map.value("orgs[0]"));
        assert_eq!(map.value("nothing.at.all"), Position { line: 1, col: 1 });
    }
}
