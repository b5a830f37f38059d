//! What the API server does not store: empty lists and maps. A kind's schema is compiled once
//! into [`Shapes`] (per node: its items, its fields, its open value, whether it is a Go map;
//! `$ref`s followed), and every object is walked against them, so the walk looks each key up
//! in one small table instead of following references through the schema's JSON.

use std::collections::HashMap;

use serde_json::Value;

use crate::render::node::{Node, View};

/// The compiled schema of one kind. Node 0 stands for a schema that says nothing (no items,
/// no fields): what the walk meets below a node the schema does not describe.
pub(super) struct Shapes {
    nodes: Vec<Shape>,
}

/// What a plain value's numbers are: a float is never read as an integer by serde, while JSON
/// Schema counts `2.0` as one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Numbers {
    /// Integers only (or no number at all).
    Integers,
    /// At least one float.
    SomeFloats,
}

/// One schema node, `$ref`s followed.
#[derive(Default)]
struct Shape {
    /// `items`: the shape of a list's entries.
    items: usize,
    /// `properties`: each field's shape.
    fields: foldhash::HashMap<String, usize>,
    /// `additionalProperties`, when it is a schema: the shape of other keys' values.
    open: Option<usize>,
    /// A Go map (`map[string]…`): open to any key, listing none.
    map: bool,
}

impl Shapes {
    /// Compiles `root`, the schema of a kind (its definitions under `$defs`).
    pub(super) fn new(root: &Value) -> Self {
        let mut builder = Builder { root, nodes: vec![Shape::default()], seen: HashMap::new() };
        builder.compile(root);
        Shapes { nodes: builder.nodes }
    }

    /// Finds the empty lists and maps of `value`, which the API server does not store (Go's
    /// `omitempty`, or a nil slice or map after the round trip through etcd): a manifest with
    /// one differs from the stored object on every `kubectl apply` and in every GitOps diff.
    /// Empty structs (`emptyDir: {}`, `podSelector: {}`) are stored and stay.
    pub(super) fn stored_away(&self, value: &Value, problems: &mut Vec<String>) {
        self.walk(value, 1, &Place::Root, problems);
    }

    /// Whether `value`, as rendered, is plain (what JSON holds unchanged: every key a string,
    /// no tag, every number finite) and has no empty list or map that [`Shapes::stored_away`]
    /// would report: the same walk, answering only yes or no, on the YAML value itself; and if
    /// so, whether its numbers are all integers.
    pub(super) fn plain_and_stored(&self, value: Node) -> Option<Numbers> {
        let mut numbers = Numbers::Integers;
        self.keeps(value, 1, &mut numbers).then_some(numbers)
    }

    fn keeps(&self, value: Node, node: usize, numbers: &mut Numbers) -> bool {
        let shape = &self.nodes[node];
        match value.view() {
            View::Null | View::Bool(_) | View::Str(_) | View::Int(_) | View::UInt(_) => true,
            View::Float(f) => {
                *numbers = Numbers::SomeFloats;
                f.is_finite()
            }
            View::Seq(items) => !items.is_empty() && items.iter().all(|item| self.keeps(item, shape.items, numbers)),
            View::Map(map) if map.is_empty() => !shape.map,
            View::Map(map) => map.iter().all(|(key, item)| {
                let Some(key) = key else { return false };
                let child = shape.fields.get(key).copied().or(shape.open).unwrap_or(0);
                self.keeps(item, child, numbers)
            }),
            View::Tagged => false,
        }
    }

    fn walk(&self, value: &Value, node: usize, at: &Place, problems: &mut Vec<String>) {
        let shape = &self.nodes[node];
        let mut report = |what: &str| {
            problems.push(format!(
                "{at}: an empty {what}, which the API server does not store: omit it, or a second apply sees a change"
            ))
        };
        match value {
            Value::Array(items) if items.is_empty() => report("list"),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, shape.items, &Place::Index(at, i), problems);
                }
            }
            Value::Object(map) if map.is_empty() && shape.map => report("map"),
            Value::Object(map) => {
                for (key, item) in map {
                    let child = shape.fields.get(key).copied().or(shape.open).unwrap_or(0);
                    self.walk(item, child, &Place::Key(at, key), problems);
                }
            }
            _ => {}
        }
    }
}

/// Compiles schema nodes, each resolved node once (by address: the schema is not copied).
struct Builder<'a> {
    root: &'a Value,
    nodes: Vec<Shape>,
    seen: HashMap<*const Value, usize>,
}

impl<'a> Builder<'a> {
    fn compile(&mut self, schema: &'a Value) -> usize {
        let schema = resolve(schema, self.root);
        if let Some(&id) = self.seen.get(&(schema as *const Value)) {
            return id;
        }
        let id = self.nodes.len();
        self.nodes.push(Shape::default());
        self.seen.insert(schema, id);
        let items = schema.get("items").map_or(0, |items| self.compile(items));
        let fields = match schema.get("properties") {
            Some(Value::Object(properties)) => properties.iter().map(|(k, v)| (k.clone(), self.compile(v))).collect(),
            _ => foldhash::HashMap::default(),
        };
        let open = schema.get("additionalProperties").filter(|a| a.is_object()).map(|a| self.compile(a));
        let map = schema.get("properties").is_none() && open.is_some();
        self.nodes[id] = Shape { items, fields, open, map };
        id
    }
}

/// The schema `node` stands for, its `$ref` followed within `root`.
pub(super) fn resolve<'a>(mut node: &'a Value, root: &'a Value) -> &'a Value {
    while let Some(pointer) = node.get("$ref").and_then(|r| r.as_str()).and_then(|r| r.strip_prefix('#')) {
        match root.pointer(pointer) {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

/// Where a node sits in an object: its parent's place and its own key or index, written out
/// (`/spec/template/spec/volumes/0`) only for a node with a problem.
#[derive(Clone, Copy)]
enum Place<'a> {
    Root,
    Key(&'a Place<'a>, &'a str),
    Index(&'a Place<'a>, usize),
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Root => Ok(()),
            Place::Key(parent, key) => write!(f, "{parent}/{key}"),
            Place::Index(parent, i) => write!(f, "{parent}/{i}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The walk as it was before compiling: the schema's JSON followed at every node.
    fn reference(value: &Value, schema: &Value, root: &Value, at: String, problems: &mut Vec<String>) {
        let schema = resolve(schema, root);
        let is_map =
            schema.get("properties").is_none() && schema.get("additionalProperties").is_some_and(Value::is_object);
        match value {
            Value::Array(items) if items.is_empty() => problems.push(format!("{at} list")),
            Value::Array(items) => {
                let item = schema.get("items").unwrap_or(&Value::Null);
                for (i, v) in items.iter().enumerate() {
                    reference(v, item, root, format!("{at}/{i}"), problems);
                }
            }
            Value::Object(map) if map.is_empty() && is_map => problems.push(format!("{at} map")),
            Value::Object(map) => {
                for (key, v) in map {
                    let child = schema
                        .get("properties")
                        .and_then(|p| p.get(key))
                        .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()))
                        .unwrap_or(&Value::Null);
                    reference(v, child, root, format!("{at}/{key}"), problems);
                }
            }
            _ => {}
        }
    }

    fn compiled(value: &Value, shapes: &Shapes) -> Vec<String> {
        let mut problems = Vec::new();
        shapes.stored_away(value, &mut problems);
        let said = ", which the API server does not store: omit it, or a second apply sees a change";
        problems.into_iter().map(|p| p.replace(said, "").replace(": an empty", "")).collect()
    }

    #[test]
    fn finds_what_following_the_schema_finds_including_through_cycles() {
        let root = json!({
            "$defs": {
                "Node": {"properties": {"children": {"items": {"$ref": "#/$defs/Node"}}, "labels": {"additionalProperties": {"type": "string"}}, "spec": {"$ref": "#/$defs/Empty"}}},
                "Empty": {"properties": {}}
            },
            "properties": {"root": {"$ref": "#/$defs/Node"}, "anything": {}, "extra": {"additionalProperties": {"$ref": "#/$defs/Node"}}}
        });
        let value = json!({
            "root": {"children": [{"labels": {}, "children": [], "spec": {}}, {"children": [{"labels": {"a": "b"}, "unknown": {"x": []}}]}], "spec": {}},
            "anything": {"a": [], "b": {}},
            "extra": {"k": {"labels": {}}, "empty": {}}
        });
        let mut expected = Vec::new();
        reference(&value, &root, &root, String::new(), &mut expected);
        assert_eq!(compiled(&value, &Shapes::new(&root)), expected);
        assert_eq!(expected.len(), 5, "{expected:?}");
    }

    /// A value with every field the schema lists, down to `depth`: lists and maps empty or
    /// holding one entry by turns (`turn`), fields the schema leaves open filled with `{}`.
    fn fill(schema: &Value, root: &Value, depth: usize, turn: &mut usize) -> Value {
        let schema = resolve(schema, root);
        *turn += 1;
        let empty = turn.is_multiple_of(3);
        if depth == 0 {
            return json!({});
        }
        if let Some(items) = schema.get("items") {
            return if empty { json!([]) } else { json!([fill(items, root, depth - 1, turn)]) };
        }
        if let Some(Value::Object(properties)) = schema.get("properties") {
            return properties.iter().map(|(k, v)| (k.clone(), fill(v, root, depth - 1, turn))).collect();
        }
        match schema.get("additionalProperties").filter(|a| a.is_object()) {
            Some(_) if empty => json!({}),
            Some(open) => json!({ "key": fill(open, root, depth - 1, turn) }),
            None => json!({}),
        }
    }

    #[test]
    fn finds_what_following_the_schema_finds_in_every_kind_fabgen_checks() {
        let mut found = 0;
        for (kind, check) in super::super::Checker::new().kinds {
            let root = &check.schema;
            let mut turn = 0;
            let value = fill(root, root, 7, &mut turn);
            let mut expected = Vec::new();
            reference(&value, root, root, String::new(), &mut expected);
            assert_eq!(compiled(&value, &check.shapes), expected, "{kind:?}");
            assert_eq!(
                check.shapes.plain_and_stored(Node::Yaml(&serde_yaml::to_value(&value).unwrap())).is_some(),
                expected.is_empty(),
                "{kind:?}"
            );
            found += expected.len();
        }
        assert!(found > 100, "only {found} empty lists and maps");
    }
}
