//! The knobs every object of a chart shares (extra labels and annotations, Service
//! annotations), put into an object read either way (`Shares`: a value or a tree) before it
//! becomes its Helm template (`super::helm`).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_yaml::{Mapping, Value};

use crate::render::knobs::{Knob, KnobKind, Knobs, TOKEN_PREFIX};
use crate::render::node::{Node, Tree};
use crate::render::{Object, TreeObject};

/// The string at `path` below `node`, if there is one.
pub(super) fn string_at<'a>(node: Node<'a>, path: &[&str]) -> Option<&'a str> {
    use crate::render::node::View;
    let mut node = node;
    for key in path {
        let View::Map(entries) = node.view() else { return None };
        node = entries.get(key)?;
    }
    match node.view() {
        View::Str(s) => Some(s),
        _ => None,
    }
}

/// Values path of the knobs shared by a component's objects.
fn component_path(object: Node) -> Option<Vec<String>> {
    let label = |name: &str| string_at(object, &["metadata", "labels", name]);
    let section = match label("app.kubernetes.io/component")? {
        "peer" => vec!["peers".to_string()],
        "orderer" => vec!["orderers".to_string()],
        "ca" => vec!["cas".to_string()],
        "chaincode" => vec!["chaincodes".to_string(), label("fabgen.io/chaincode")?.to_string()],
        _ => return None,
    };
    Some(section)
}

/// An object the shared knobs go into: its kind, the whole of it, and the mappings they are
/// merged into (its metadata, and its pod template's).
pub(super) trait Shares {
    type Map: KnobMap;
    fn kind(&self) -> &str;
    fn root(&self) -> Node<'_>;
    fn metadata(&mut self) -> Option<&mut Self::Map>;
    fn pod_metadata(&mut self) -> Option<&mut Self::Map>;
}

/// A mapping a shared knob is merged into: a `serde_yaml::Mapping` or a tree's entries.
pub(super) trait KnobMap {
    fn entry(&self, key: &str) -> Option<Node<'_>>;
    /// Sets `key` (in its place, or last) to the string `value`.
    fn set(&mut self, key: &str, value: String);
    /// Adds `key` last, with no value (null).
    fn add_null(&mut self, key: String);
}

impl KnobMap for Mapping {
    fn entry(&self, key: &str) -> Option<Node<'_>> {
        self.get(key).map(Node::Yaml)
    }
    fn set(&mut self, key: &str, value: String) {
        self.insert(Value::String(key.to_string()), Value::String(value));
    }
    fn add_null(&mut self, key: String) {
        self.insert(Value::String(key), Value::Null);
    }
}

type Entries<'t> = Vec<(std::borrow::Cow<'t, str>, Tree<'t>)>;

impl KnobMap for Entries<'_> {
    fn entry(&self, key: &str) -> Option<Node<'_>> {
        self.iter().find(|(k, _)| k == key).map(|(_, v)| Node::Tree(v))
    }
    fn set(&mut self, key: &str, value: String) {
        match self.iter_mut().find(|(k, _)| k == key) {
            Some((_, slot)) => *slot = Tree::Str(value.into()),
            None => self.push((key.to_string().into(), Tree::Str(value.into()))),
        }
    }
    fn add_null(&mut self, key: String) {
        self.push((key.into(), Tree::Null));
    }
}

fn mapping_at<'v>(value: &'v mut Value, path: &[&str]) -> Option<&'v mut Mapping> {
    path.iter().try_fold(value, |value, key| value.get_mut(*key))?.as_mapping_mut()
}

fn entries_at<'v, 't>(tree: &'v mut Tree<'t>, path: &[&str]) -> Option<&'v mut Entries<'t>> {
    match path.iter().try_fold(tree, |tree, key| tree.get_mut(key))? {
        Tree::Map(entries) => Some(entries),
        _ => None,
    }
}

impl Shares for Object {
    type Map = Mapping;
    fn kind(&self) -> &str {
        &self.kind
    }
    fn root(&self) -> Node<'_> {
        Node::Yaml(&self.value)
    }
    fn metadata(&mut self) -> Option<&mut Mapping> {
        mapping_at(&mut self.value, &["metadata"])
    }
    fn pod_metadata(&mut self) -> Option<&mut Mapping> {
        mapping_at(&mut self.value, &["spec", "template", "metadata"])
    }
}

impl<'t> Shares for TreeObject<'t> {
    type Map = Entries<'t>;
    fn kind(&self) -> &str {
        &self.kind
    }
    fn root(&self) -> Node<'_> {
        Node::Tree(&self.tree)
    }
    fn metadata(&mut self) -> Option<&mut Entries<'t>> {
        entries_at(&mut self.tree, &["metadata"])
    }
    fn pod_metadata(&mut self) -> Option<&mut Entries<'t>> {
        entries_at(&mut self.tree, &["spec", "template", "metadata"])
    }
}

fn path(prefix: &[String], rest: &[&str]) -> Vec<String> {
    prefix.iter().cloned().chain(rest.iter().map(|s| s.to_string())).collect()
}

pub(super) fn global(name: &str) -> Vec<String> {
    vec!["global".to_string(), name.to_string()]
}

/// Extra labels and annotations on every object and pod, annotations on every Service: knobs
/// no template needs to spell out. (Scheduling is the templates' `m.scheduling`, whose
/// defaults the spec's `placement` gives.)
pub(super) fn add_shared_knobs(object: &mut impl Shares, knobs: &Knobs) -> BTreeMap<String, Arc<Knob>> {
    let mut shared = BTreeMap::new();
    let section = component_path(object.root());
    let is_service = object.kind() == "Service";
    let is_job = object.kind() == "Job";
    let Some(metadata) = object.metadata() else { return shared };
    merge_knob(metadata, "labels", vec![global("labels")], knobs, &mut shared);
    let mut annotation_sources = vec![global("annotations")];
    if let (true, Some(section)) = (is_service, &section) {
        annotation_sources.insert(0, path(section, &["service", "annotations"]));
    }
    merge_knob(metadata, "annotations", annotation_sources, knobs, &mut shared);
    // A Job's pod template is immutable and its name digests it (crate::render), so values
    // may not change it: Jobs take everything from the spec.
    if is_job {
        return shared;
    }
    if let Some(meta) = object.pod_metadata() {
        merge_knob(meta, "labels", vec![global("labels")], knobs, &mut shared);
    }
    shared
}

/// Replaces `map[key]` by a token merging it with `sources`, or, when absent, adds an
/// optional `key` that appears only if some source is non-empty.
/// These knobs are the object's own (their base is its labels or annotations), so they are
/// kept in `shared` for its template only, not recorded with the network's knobs.
fn merge_knob(
    map: &mut impl KnobMap,
    key: &str,
    sources: Vec<Vec<String>>,
    knobs: &Knobs,
    shared: &mut BTreeMap<String, Arc<Knob>>,
) {
    match map.entry(key) {
        Some(existing) => {
            let base = match existing {
                Node::Yaml(value) => sorted_json(value),
                Node::Tree(tree) => sorted_tree_json(tree),
            };
            let knob = Knob { path: Vec::new(), kind: KnobKind::Merge { base, extra: sources } };
            let token = share(knob, knobs, shared);
            map.set(key, token);
        }
        None => {
            let knob = Knob { path: Vec::new(), kind: KnobKind::OptionalMerge { key: key.to_string(), sources } };
            let token = share(knob, knobs, shared);
            map.add_null(token);
        }
    }
}

/// `value` as compact JSON with its mapping keys sorted (what `serde_json::to_value` then
/// `to_string` give): directly for a flat mapping of string keys (labels, annotations).
fn sorted_json(value: &Value) -> String {
    let flat = |(k, v): (&Value, &Value)| {
        k.is_string() && !matches!(v, Value::Mapping(_) | Value::Sequence(_) | Value::Tagged(_))
    };
    match value.as_mapping() {
        Some(map) if map.iter().all(flat) => {
            let sorted: BTreeMap<&str, &Value> = map.iter().map(|(k, v)| (k.as_str().unwrap_or_default(), v)).collect();
            serde_json::to_string(&sorted).expect("labels and annotations are JSON")
        }
        _ => serde_json::to_string(&serde_json::to_value(value).expect("mappings are JSON")).unwrap(),
    }
}

/// [`sorted_json`] of the value a tree stands for: directly for a flat mapping.
fn sorted_tree_json(tree: &Tree) -> String {
    let flat = match tree {
        Tree::Map(entries) => entries.iter().map(|(k, v)| Some((k.as_ref(), Scalar::of(v)?))).collect(),
        _ => None,
    };
    match flat {
        Some(sorted) => {
            let sorted: BTreeMap<&str, Scalar> = sorted;
            serde_json::to_string(&sorted).expect("labels and annotations are JSON")
        }
        None => sorted_json(&tree.to_value()),
    }
}

/// A tree's scalar, as JSON writes the value it stands for.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Str(&'a str),
}

impl<'a> Scalar<'a> {
    fn of(tree: &'a Tree) -> Option<Self> {
        Some(match tree {
            Tree::Null => Scalar::Null,
            Tree::Bool(b) => Scalar::Bool(*b),
            Tree::Int(n) => Scalar::Int(*n),
            Tree::Str(s) => Scalar::Str(s),
            Tree::Seq(_) | Tree::Map(_) => return None,
        })
    }
}

/// Keeps one of an object's own knobs in `shared`; returns its token.
fn share(knob: Knob, knobs: &Knobs, shared: &mut BTreeMap<String, Arc<Knob>>) -> String {
    let token = knobs.unrecorded_token(&knob);
    let key = token[TOKEN_PREFIX.len()..].to_string();
    let knob = Arc::new(knob);
    if let Some(other) = shared.insert(key, Arc::clone(&knob)) {
        assert_eq!(other, knob, "two knobs share the token {token}");
    }
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_json_is_what_serde_json_makes_of_the_value() {
        for yaml in [
            "{b: '1', a: x, c: {z: 1, y: [2, {q: 1, p: 2}]}}",
            "{app.kubernetes.io/name: peer, fabgen.io/org: org1, 'a\"b': \"it's\"}",
            "{}",
            "{1: a, true: b}",
            "{z: ~, b: true, a: -12, é: 'x', 'Z': ''}",
            "[a, {b: 1}]",
            "plain",
        ] {
            let value: Value = serde_yaml::from_str(yaml).unwrap();
            let expected = serde_json::to_string(&serde_json::to_value(&value).unwrap()).unwrap();
            assert_eq!(sorted_json(&value), expected, "{yaml}");
            if let Some(tree) = Tree::owned(value) {
                assert_eq!(sorted_tree_json(&tree), expected, "{yaml}");
            }
        }
    }
}
