//! What rendering produces: Kubernetes objects keyed by their output file name, and the order
//! `kubectl apply` needs them in. An [`Object`] holds its parsed tree, for the stages that read
//! or change it; a [`Document`] is an object as written (checked, serialised, tree dropped), so
//! a large network is not held in memory twice.

use std::collections::BTreeMap;

use anyhow::{Context, Result};

use super::node::{Node, Tree};

/// One rendered Kubernetes object.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, for namespaced objects.
    pub namespace: Option<String>,
    /// The object, in the field order the template wrote.
    pub value: serde_yaml::Value,
    /// Which template (and instance) produced it, for error messages.
    pub origin: String,
}

impl Object {
    /// The object as a YAML document.
    pub fn to_yaml(&self) -> Result<String> {
        super::yaml::to_string(&self.value).with_context(|| format!("failed to serialise {} {}", self.kind, self.name))
    }

    /// Its output file name: `<kind>-<name>.yaml`, unique per object of one network.
    pub fn file_name(&self) -> String {
        file_name(&self.kind, &self.name)
    }

    /// The object as JSON, for typed checks.
    pub fn to_json(&self) -> Result<serde_json::Value> {
        json_of(&self.value).with_context(|| format!("{} {} is not JSON-compatible", self.kind, self.name))
    }

    /// The object as written, its tree dropped.
    pub fn into_document(self) -> Result<Document> {
        let mut yaml = self.to_yaml()?;
        // Documents are kept until the tree is: no spare capacity.
        yaml.shrink_to_fit();
        let Object { api_version, kind, name, namespace, origin, .. } = self;
        Ok(Document { api_version, kind, name, namespace, origin, yaml })
    }
}

/// The output file name of the object of kind `kind` named `name`.
fn file_name(kind: &str, name: &str) -> String {
    format!("{}-{name}.yaml", kind.to_lowercase())
}

/// One rendered object read as a tree where its text lies (`super::node`): what `render -o`
/// checks and writes without making a `serde_yaml::Value` of it.
#[derive(Debug, Clone)]
pub struct TreeObject<'t> {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, for namespaced objects.
    pub namespace: Option<String>,
    /// The object, in the field order the template wrote.
    pub tree: Tree<'t>,
}

impl<'t> TreeObject<'t> {
    /// The object of a document; `None` when it lacks `apiVersion`, `kind` or `metadata.name`.
    pub(super) fn of(tree: Tree<'t>) -> Option<Self> {
        let metadata = tree.get("metadata");
        let field = |node: Option<&Tree>| node.and_then(Tree::as_str).map(str::to_string);
        Some(TreeObject {
            api_version: field(tree.get("apiVersion"))?,
            kind: field(tree.get("kind"))?,
            name: field(metadata.and_then(|m| m.get("name")))?,
            namespace: field(metadata.and_then(|m| m.get("namespace"))),
            tree,
        })
    }

    /// Its output file name, as its [`Object`]'s.
    pub fn file_name(&self) -> String {
        file_name(&self.kind, &self.name)
    }

    /// The object as written, when the writer writes it here (`super::yaml::written`).
    pub fn to_yaml(&self) -> Option<String> {
        super::yaml::written(Node::Tree(&self.tree))
    }

    /// The [`Object`] it stands for, its value what serde_yaml reads of the same text.
    pub fn into_object(self, origin: &str) -> Object {
        let TreeObject { api_version, kind, name, namespace, tree } = self;
        Object { api_version, kind, name, namespace, value: tree.to_value(), origin: origin.to_string() }
    }
}

/// `serde_json::to_value(value)`, built directly where the value has the shapes templates
/// print (string keys, integers) instead of through the serializer; any other part (a float, a
/// tag, a key that is not a string) goes through `to_value`, so the result is always the same.
pub fn json_of(value: &serde_yaml::Value) -> serde_json::Result<serde_json::Value> {
    use serde_yaml::Value as Yaml;
    Ok(match value {
        Yaml::Null => serde_json::Value::Null,
        Yaml::Bool(b) => serde_json::Value::Bool(*b),
        Yaml::String(s) => serde_json::Value::String(s.clone()),
        Yaml::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.into(),
            (None, Some(i)) => i.into(),
            (None, None) => serde_json::to_value(value)?,
        },
        Yaml::Sequence(items) => {
            serde_json::Value::Array(items.iter().map(json_of).collect::<serde_json::Result<_>>()?)
        }
        Yaml::Mapping(map) if map.keys().all(Yaml::is_string) => {
            let mut object = serde_json::Map::new();
            for (key, item) in map {
                object.insert(key.as_str().unwrap_or_default().to_string(), json_of(item)?);
            }
            serde_json::Value::Object(object)
        }
        Yaml::Mapping(_) | Yaml::Tagged(_) => serde_json::to_value(value)?,
    })
}

/// One object as written: the YAML document and what identifies it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, for namespaced objects.
    pub namespace: Option<String>,
    /// Which template (and instance) produced it, for error messages.
    pub origin: String,
    /// The YAML document, as written.
    pub yaml: String,
}

impl Document {
    /// The object as JSON, read back from the document.
    pub fn to_json(&self) -> Result<serde_json::Value> {
        serde_yaml::from_str(&self.yaml).with_context(|| format!("{} {} does not read back", self.kind, self.name))
    }
}

/// What [`Rendered::apply_order`] and the files listing a tree need to know of an entry.
pub trait Kinded {
    /// The object's `kind`.
    fn kind(&self) -> &str;
    /// The object's `apiVersion`.
    fn api_version(&self) -> &str;
}

impl Kinded for Object {
    fn kind(&self) -> &str {
        &self.kind
    }
    fn api_version(&self) -> &str {
        &self.api_version
    }
}

impl Kinded for Document {
    fn kind(&self) -> &str {
        &self.kind
    }
    fn api_version(&self) -> &str {
        &self.api_version
    }
}

/// What is kept of an object already written out: its type, for the kustomization's order
/// and the prune command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
}

impl Kinded for Entry {
    fn kind(&self) -> &str {
        &self.kind
    }
    fn api_version(&self) -> &str {
        &self.api_version
    }
}

/// Every object of a network, keyed by output file name (`<kind>-<name>.yaml`): parsed
/// [`Object`]s, [`Document`]s, or whatever a stage keeps of each object.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered<T = Object> {
    /// File name -> object.
    pub objects: BTreeMap<String, T>,
}

impl<T> Default for Rendered<T> {
    fn default() -> Self {
        Rendered { objects: BTreeMap::new() }
    }
}

impl Rendered<Object> {
    /// Every object as written (serialised in parallel).
    pub fn into_documents(self) -> Result<Rendered<Document>> {
        use rayon::prelude::*;
        let objects = self
            .objects
            .into_par_iter()
            .map(|(file, object)| Ok((file, object.into_document()?)))
            .collect::<Result<_>>()?;
        Ok(Rendered { objects })
    }
}

/// Kinds in the order `kubectl apply` needs them (a Namespace before what lives in it).
const KIND_ORDER: &[&str] = &[
    "Namespace",
    "NetworkPolicy",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "Secret",
    "Issuer",
    "Certificate",
    "ConfigMap",
    "PersistentVolumeClaim",
    "Service",
    "StatefulSet",
    "Deployment",
    "Job",
    "PodDisruptionBudget",
    "ServiceMonitor",
];

impl<T: Kinded> Rendered<T> {
    /// File names in apply order: by kind, then by name.
    pub fn apply_order(&self) -> Vec<&str> {
        let rank = |kind: &str| KIND_ORDER.iter().position(|k| *k == kind).unwrap_or(KIND_ORDER.len());
        let mut files: Vec<(usize, &str)> =
            self.objects.iter().map(|(file, o)| (rank(o.kind()), file.as_str())).collect();
        // The map holds them by name: a stable sort by kind alone keeps that order within a kind.
        files.sort_by_key(|&(rank, _)| rank);
        files.into_iter().map(|(_, f)| f).collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_yaml::Value;

    use super::json_of;

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| Value::Number(n.into())),
            any::<u64>().prop_map(|n| Value::Number(n.into())),
            any::<f64>().prop_map(|n| Value::Number(n.into())),
            "[ -~]{0,8}|é…".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let key = prop_oneof![
                8 => "[a-z]{0,6}".prop_map(Value::String),
                1 => any::<i32>().prop_map(|n| Value::Number(n.into())),
                1 => any::<bool>().prop_map(Value::Bool),
                1 => Just(Value::Null),
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Sequence),
                prop::collection::vec((key, inner.clone()), 0..5)
                    .prop_map(|pairs| Value::Mapping(pairs.into_iter().collect())),
                ("![a-z]{1,4}", inner).prop_map(|(tag, value)| {
                    Value::Tagged(Box::new(serde_yaml::value::TaggedValue {
                        tag: serde_yaml::value::Tag::new(tag),
                        value,
                    }))
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn converts_as_serde_json_does(value in value()) {
            match (json_of(&value), serde_json::to_value(&value)) {
                (Ok(ours), Ok(theirs)) => prop_assert_eq!(ours, theirs),
                (ours, theirs) => prop_assert!(ours.is_err() && theirs.is_err(), "{:?} vs {:?}", ours, theirs),
            }
        }
    }
}
