//! What rendering produces: Kubernetes objects keyed by their output file name, and the order
//! `kubectl apply` needs them in. An [`Object`] holds its parsed tree, for the stages that read
//! or change it; a [`Document`] is an object as written (checked, serialised, tree dropped), so
//! a large network is not held in memory twice.

use std::collections::BTreeMap;

use anyhow::{Context, Result};

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
        format!("{}-{}.yaml", self.kind.to_lowercase(), self.name)
    }

    /// The object as JSON, for typed checks.
    pub fn to_json(&self) -> Result<serde_json::Value> {
        serde_json::to_value(&self.value).with_context(|| format!("{} {} is not JSON-compatible", self.kind, self.name))
    }

    /// The object as written, its tree dropped.
    pub fn into_document(self) -> Result<Document> {
        let yaml = self.to_yaml()?;
        let Object { api_version, kind, name, namespace, origin, .. } = self;
        Ok(Document { api_version, kind, name, namespace, origin, yaml })
    }
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
        files.sort();
        files.into_iter().map(|(_, f)| f).collect()
    }
}
