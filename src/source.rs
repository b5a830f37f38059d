//! Reading a spec file: YAML parsing, the line and column of every node (serde_yaml keeps no
//! positions), JSON Schema validation, and the typed `NetworkSpec` with all errors collected.

use std::collections::BTreeMap;
use std::path::Path;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostic::{Diagnostic, SpecErrors};
use crate::spec::{self, NetworkSpec};
use crate::validate;

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

    /// Position of the value at `path`, or of its nearest mapped ancestor.
    pub fn value(&self, path: &str) -> Position {
        self.lookup(&self.values, path)
    }

    /// Position of the key of the field at `path`, falling back to its value or an ancestor.
    pub fn key(&self, path: &str) -> Position {
        self.keys.get(path).copied().unwrap_or_else(|| self.value(path))
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
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => Some(field_path(path, &k)),
                None => {
                    let name = match event {
                        Event::Scalar(s, ..) => s.clone(),
                        _ => "?".to_string(),
                    };
                    let at = position(mark);
                    self.map.keys.insert(field_path(path, &name), at);
                    // yaml-rust2 marks a block mapping where its first key ends; a mapping
                    // starts where its first key starts.
                    if let Some(start) = self.map.values.get_mut(path.as_str()) {
                        if (at.line, at.col) < (start.line, start.col) {
                            *start = at;
                        }
                    }
                    *key = Some(name);
                    None
                }
            },
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

/// Parses, schema-checks and semantically validates a spec. `file` names it in messages.
pub fn load_spec(file: &str, text: &str) -> Result<NetworkSpec, SpecErrors> {
    let value: serde_json::Value = serde_yaml::from_str(text).map_err(|e| {
        let at = e.location().map(|l| format!("{}:{}", l.line(), l.column())).unwrap_or_else(|| "1:1".into());
        SpecErrors::single(format!("{file}:{at} invalid YAML: {e}"))
    })?;
    let map = SourceMap::from_yaml(text);

    let schema = spec::json_schema();
    let diagnostics = schema_diagnostics(&schema, &value);
    if !diagnostics.is_empty() {
        return Err(SpecErrors::new(file, &map, diagnostics));
    }
    let mut spec: NetworkSpec = serde_json::from_value(value)
        .map_err(|e| SpecErrors::new(file, &map, vec![Diagnostic::at("", e.to_string())]))?;
    spec.base_dir = (!file.starts_with('<')).then(|| {
        let parent = Path::new(file).parent().unwrap_or(Path::new(""));
        if parent.as_os_str().is_empty() { Path::new(".").to_path_buf() } else { parent.to_path_buf() }
    });
    let diagnostics = validate::validate(&spec, spec.base_dir.as_deref());
    if diagnostics.is_empty() { Ok(spec) } else { Err(SpecErrors::new(file, &map, diagnostics)) }
}

/// Every violation of the spec's JSON Schema, as diagnostics on YAML paths.
fn schema_diagnostics(schema: &serde_json::Value, value: &serde_json::Value) -> Vec<Diagnostic> {
    let validator = jsonschema::validator_for(schema).expect("the spec schema is a valid JSON Schema");
    let mut out = Vec::new();
    for error in validator.iter_errors(value) {
        let segments: Vec<String> = error.instance_path().iter().map(|s| s.to_string()).collect();
        let path = dotted(&segments);
        match error.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = known_fields(schema, &segments);
                for field in unexpected {
                    out.push(Diagnostic::at_key(
                        field_path(&path, field),
                        format!("unknown field \"{field}\" (expected one of: {})", known.join(", ")),
                    ));
                }
            }
            jsonschema::error::ValidationErrorKind::Required { property } => {
                let name = property.as_str().map(str::to_string).unwrap_or_else(|| property.to_string());
                out.push(Diagnostic::at(path, format!("missing required field \"{name}\"")));
            }
            _ => match allowed_values(schema, &segments) {
                Some(allowed) => out
                    .push(Diagnostic::at(path, format!("{} is not one of: {}", error.instance(), allowed.join(", ")))),
                None => out.push(Diagnostic::at(path, error.to_string())),
            },
        }
    }
    out
}

/// JSON pointer segments -> `a.b[0].c`.
fn dotted(segments: &[String]) -> String {
    let mut path = String::new();
    for s in segments {
        if s.parse::<usize>().is_ok() {
            path = index_path(&path, s.parse().unwrap_or_default());
        } else {
            path = field_path(&path, s);
        }
    }
    path
}

/// The field names the schema allows for the object at `segments`, for hints.
fn known_fields(schema: &serde_json::Value, segments: &[String]) -> Vec<String> {
    schema_at(schema, segments)
        .and_then(|node| node.get("properties"))
        .and_then(|p| p.as_object())
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// The values an enum-like schema allows at `segments` (schemars writes documented enums as
/// `oneOf` of `const`s), for messages that name them.
fn allowed_values(schema: &serde_json::Value, segments: &[String]) -> Option<Vec<String>> {
    let node = schema_at(schema, segments)?;
    if let Some(values) = node.get("enum").and_then(|e| e.as_array()) {
        return Some(values.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect());
    }
    let variants = node.get("oneOf")?.as_array()?;
    variants.iter().map(|v| v.get("const").and_then(|c| c.as_str()).map(str::to_string)).collect()
}

/// The schema node describing the value at `segments`.
fn schema_at<'a>(schema: &'a serde_json::Value, segments: &[String]) -> Option<&'a serde_json::Value> {
    let mut node = spec::schema_node(schema, schema);
    for s in segments {
        let next = if s.parse::<usize>().is_ok() {
            node.get("items")
        } else {
            node.get("properties").and_then(|p| p.get(s.as_str())).or_else(|| node.get("additionalProperties"))
        };
        node = spec::schema_node(schema, next?);
    }
    Some(node)
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
    fn falls_back_to_nearest_ancestor() {
        let map = SourceMap::from_yaml(TEXT);
        assert_eq!(map.value("orgs[0].ca"), map.value("orgs[0]"));
        assert_eq!(map.value("nothing.at.all"), Position { line: 1, col: 1 });
    }

    #[test]
    fn dotted_paths_from_pointer_segments() {
        let segs: Vec<String> = ["chaincodes", "1", "orgs", "0"].iter().map(|s| s.to_string()).collect();
        assert_eq!(dotted(&segs), "chaincodes[1].orgs[0]");
    }

    #[test]
    fn reports_yaml_syntax_errors_with_position() {
        let err = load_spec("bad.yaml", "name: [unclosed\n").unwrap_err();
        assert!(err.lines()[0].starts_with("bad.yaml:"), "{}", err.lines()[0]);
        assert!(err.lines()[0].contains("invalid YAML"));
    }

    #[test]
    fn names_the_allowed_values_of_enums() {
        let text = "name: n\nnamespace: ns\nordererOrg: {name: o, mspId: O, orderers: [{name: o0}]}\norgs: []\nchaincodes: [{name: c, version: '1', channel: x, launcher: k8sbuilder}]\n";
        let err = load_spec("n.yaml", text).unwrap_err().to_string();
        assert!(
            err.contains("chaincodes[0].launcher: \"k8sbuilder\" is not one of: ccaas, k8scc, k8s-builder"),
            "{err}"
        );
    }

    #[test]
    fn reports_every_unknown_field_with_known_ones() {
        let text = "name: n\nnamespace: ns\nordererOrg: {name: o, mspId: O, orderers: [{name: o0}], colour: x}\norgs: []\nreplica: 2\n";
        let err = load_spec("n.yaml", text).unwrap_err();
        let all = err.to_string();
        assert!(all.contains("n.yaml:5:1 replica: unknown field \"replica\""), "{all}");
        assert!(
            all.contains(
                "ordererOrg.colour: unknown field \"colour\" (expected one of: mspId, name, orderers, storage)"
            ),
            "{all}"
        );
    }
}
