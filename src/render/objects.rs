//! What rendering produces: Kubernetes objects keyed by their output file name, and the order
//! `kubectl apply` needs them in.

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
        serde_yaml::to_string(&self.value).with_context(|| format!("failed to serialise {} {}", self.kind, self.name))
    }

    /// Its output file name: `<kind>-<name>.yaml`, unique per object of one network.
    pub fn file_name(&self) -> String {
        format!("{}-{}.yaml", self.kind.to_lowercase(), self.name)
    }

    /// The object as JSON, for typed checks.
    pub fn to_json(&self) -> Result<serde_json::Value> {
        serde_json::to_value(&self.value).with_context(|| format!("{} {} is not JSON-compatible", self.kind, self.name))
    }
}

/// Every object of a network, keyed by output file name (`<kind>-<name>.yaml`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// File name -> object.
    pub objects: BTreeMap<String, Object>,
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
];

impl Rendered {
    /// File names in apply order: by kind, then by name.
    pub fn apply_order(&self) -> Vec<&str> {
        let rank = |kind: &str| KIND_ORDER.iter().position(|k| *k == kind).unwrap_or(KIND_ORDER.len());
        let mut files: Vec<(usize, &str)> =
            self.objects.iter().map(|(file, o)| (rank(&o.kind), file.as_str())).collect();
        files.sort();
        files.into_iter().map(|(_, f)| f).collect()
    }
}
