//! Stage 4, the check: every rendered object against the Kubernetes API, before anything is
//! written. Each object is parsed into its k8s-openapi type (wrong types fail) and validated
//! against that type's JSON Schema with every object closed, so an unknown or misspelled field
//! fails too — a typed parse alone silently drops it. `certmanager`, `gateway` and `prometheus`
//! hold the closed types of the cert-manager, Gateway API and prometheus-operator kinds fabgen
//! renders, so they are checked like built-in kinds.
//!
//! Takes a `crate::render::Rendered`, or one object at a time as it is rendered, and hands
//! nothing on: it passes or lists every problem.

pub mod certmanager;
pub mod gateway;
pub mod prometheus;
mod shape;

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use k8s_openapi::Resource;
use k8s_openapi::api::{apps, batch, core, networking, policy, rbac};
use schemars::JsonSchema;

use crate::render::{Object, Rendered};

type TypedParse = fn(serde_json::Value) -> Result<(), serde_json::Error>;

/// One checkable kind: its typed parse, its closed schema, and its shapes (to tell lists and
/// maps, which the API server drops when empty, from structs, which it keeps).
struct KindCheck {
    parse: TypedParse,
    validator: jsonschema::Validator,
    shapes: shape::Shapes,
    #[cfg(test)]
    schema: serde_json::Value,
}

/// Validators for every kind fabgen renders, compiled once.
pub struct Checker {
    kinds: BTreeMap<(&'static str, &'static str), KindCheck>,
}

fn entry<T>() -> ((&'static str, &'static str), KindCheck)
where
    T: Resource + JsonSchema + serde::de::DeserializeOwned,
{
    entry_for::<T>(T::API_VERSION, T::KIND)
}

fn entry_for<T>(api_version: &'static str, kind: &'static str) -> ((&'static str, &'static str), KindCheck)
where
    T: JsonSchema + serde::de::DeserializeOwned,
{
    let mut schema = serde_json::to_value(schemars::schema_for!(T)).expect("schemas serialise");
    close_objects(&mut schema);
    admit_null_time(&mut schema);
    let validator = jsonschema::validator_for(&schema).expect("k8s-openapi schemas are valid");
    let parse: TypedParse = |v| serde_json::from_value::<T>(v).map(|_| ());
    (
        (api_version, kind),
        KindCheck {
            parse,
            validator,
            shapes: shape::Shapes::new(&schema),
            #[cfg(test)]
            schema,
        },
    )
}

impl Checker {
    /// Compiles the schemas of every supported kind.
    pub fn new() -> Self {
        let kinds = BTreeMap::from([
            entry::<core::v1::Namespace>(),
            entry::<core::v1::ServiceAccount>(),
            entry::<core::v1::ConfigMap>(),
            entry::<core::v1::Secret>(),
            entry::<core::v1::Service>(),
            entry::<core::v1::PersistentVolumeClaim>(),
            entry::<rbac::v1::Role>(),
            entry::<rbac::v1::RoleBinding>(),
            entry::<apps::v1::StatefulSet>(),
            entry::<apps::v1::Deployment>(),
            entry::<batch::v1::Job>(),
            entry::<networking::v1::NetworkPolicy>(),
            entry::<networking::v1::Ingress>(),
            entry::<policy::v1::PodDisruptionBudget>(),
            entry_for::<certmanager::Issuer>("cert-manager.io/v1", "Issuer"),
            entry_for::<certmanager::Certificate>("cert-manager.io/v1", "Certificate"),
            entry_for::<gateway::TlsRoute>("gateway.networking.k8s.io/v1", "TLSRoute"),
            entry_for::<prometheus::ServiceMonitor>("monitoring.coreos.com/v1", "ServiceMonitor"),
        ]);
        Checker { kinds }
    }

    /// Every problem of one object, as `path: message` lines.
    pub fn check_object(&self, object: &Object) -> Result<Vec<String>> {
        let Some(kind) = self.kinds.get(&(object.api_version.as_str(), object.kind.as_str())) else {
            let known: Vec<String> = self.kinds.keys().map(|(a, k)| format!("{a} {k}")).collect();
            bail!(
                "{} {} has a kind fabgen cannot check (known: {})",
                object.api_version,
                object.kind,
                known.join(", ")
            );
        };
        let json = object.to_json()?;
        // Collecting errors walks the object as a valid one is walked, but builds each error:
        // only an object that is not valid is walked twice.
        let mut problems: Vec<String> = if kind.validator.is_valid(&json) {
            Vec::new()
        } else {
            kind.validator
                .iter_errors(&json)
                .map(|e| {
                    let at = e.instance_path().as_str().to_string();
                    format!("{}: {e}", if at.is_empty() { "/" } else { &at })
                })
                .collect()
        };
        if problems.is_empty() {
            kind.shapes.stored_away(&json, &mut problems);
        }
        if problems.is_empty()
            && let Err(e) = (kind.parse)(json)
        {
            problems.push(format!("does not parse as {}: {e}", object.kind));
        }
        Ok(problems)
    }

    /// Every problem of the object written to `file`, as `file (origin): path: message` lines.
    pub fn problems(&self, file: &str, object: &Object) -> Result<Vec<String>> {
        let problems = self.check_object(object)?;
        Ok(problems.into_iter().map(|problem| format!("{file} ({}): {problem}", object.origin)).collect())
    }

    /// Checks every object (in parallel); fails with all problems listed, by file.
    pub fn check(&self, rendered: &Rendered) -> Result<()> {
        use rayon::prelude::*;
        let problems: Vec<Result<Vec<String>>> =
            rendered.objects.par_iter().map(|(file, object)| self.problems(file, object)).collect();
        let mut report = Vec::new();
        for problems in problems {
            report.extend(problems?);
        }
        verdict(report)
    }
}

/// What was kept of each object that passed (`render_each` with a closure returning each
/// object's problems and, when there were none, what to keep of it); fails listing every
/// problem, in file order.
pub fn passed<T>(checked: Rendered<(Vec<String>, Option<T>)>) -> Result<Rendered<T>> {
    let mut report = Vec::new();
    let mut rendered = Rendered::default();
    for (file, (problems, kept)) in checked.objects {
        report.extend(problems);
        if let Some(kept) = kept {
            rendered.objects.insert(file, kept);
        }
    }
    verdict(report)?;
    Ok(rendered)
}

/// Passes when `problems` (from [`Checker::problems`], in file order) is empty, else fails
/// listing them all.
pub fn verdict(problems: Vec<String>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        bail!("rendered output is not valid Kubernetes; nothing was written:\n{}", problems.join("\n"))
    }
}

impl Default for Checker {
    fn default() -> Self {
        Self::new()
    }
}

/// Sets `additionalProperties: false` on every schema object that lists its properties and
/// says nothing about others (k8s-openapi's schemas leave them open).
fn close_objects(node: &mut serde_json::Value) {
    match node {
        serde_json::Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), serde_json::Value::Bool(false));
            }
            for (_, child) in map.iter_mut() {
                close_objects(child);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

/// Lets `metav1.Time` be `null`, as the API server writes an unset one (`creationTimestamp:
/// null`): manifests carry it inside lists kubectl replaces whole (a StatefulSet's
/// `volumeClaimTemplates`), so that they equal what the server stores.
fn admit_null_time(schema: &mut serde_json::Value) {
    if let Some(time) = schema.pointer_mut("/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.Time") {
        time["type"] = serde_json::json!(["string", "null"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(yaml: &str) -> Object {
        let value: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
        Object {
            api_version: value["apiVersion"].as_str().unwrap().into(),
            kind: value["kind"].as_str().unwrap().into(),
            name: value["metadata"]["name"].as_str().unwrap().into(),
            namespace: None,
            value,
            origin: "test".into(),
        }
    }

    const SERVICE: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: n}\nspec:\n  selector: {app: s}\n  ports: [{name: grpc, port: 7051, targetPort: grpc}]\n";

    #[test]
    fn accepts_a_valid_object() {
        assert_eq!(Checker::new().check_object(&object(SERVICE)).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn rejects_unknown_fields_a_typed_parse_would_drop() {
        let bad = SERVICE.replace("targetPort: grpc", "targetPort: grpc, tagetPort: 1");
        let problems = Checker::new().check_object(&object(&bad)).unwrap();
        assert!(problems.iter().any(|p| p.contains("/spec/ports/0") && p.contains("tagetPort")), "{problems:?}");
    }

    #[test]
    fn rejects_empty_lists_and_maps_the_server_drops_but_keeps_empty_structs() {
        let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n, labels: {}}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  egress: []\n";
        let problems = Checker::new().check_object(&object(policy)).unwrap();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("/metadata/labels: an empty map"), "{problems:?}");
        assert!(problems[1].starts_with("/spec/egress: an empty list"), "{problems:?}");
        let kept = policy.replace(", labels: {}", "").replace("  egress: []\n", "");
        assert_eq!(Checker::new().check_object(&object(&kept)).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn accepts_the_null_creation_timestamp_the_server_stores() {
        let sts = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s, namespace: n}\nspec:\n  serviceName: s\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n  volumeClaimTemplates:\n    - apiVersion: v1\n      kind: PersistentVolumeClaim\n      metadata: {name: data, creationTimestamp: null}\n      spec: {accessModes: [ReadWriteOnce], volumeMode: Filesystem, resources: {requests: {storage: 1Gi}}}\n      status: {phase: Pending}\n";
        assert_eq!(Checker::new().check_object(&object(sts)).unwrap(), Vec::<String>::new());
        let wrong = sts.replace("creationTimestamp: null", "creationTimestamp: 5");
        assert!(!Checker::new().check_object(&object(&wrong)).unwrap().is_empty());
    }

    #[test]
    fn rejects_wrong_types() {
        let bad = SERVICE.replace("port: 7051", "port: seven");
        let problems = Checker::new().check_object(&object(&bad)).unwrap();
        assert!(!problems.is_empty());
    }

    #[test]
    fn rejects_kinds_it_cannot_check() {
        let err = Checker::new().check_object(&object("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")).unwrap_err();
        assert!(err.to_string().contains("cannot check"), "{err}");
    }
}
