//! Stage 4, the check: every rendered object against the Kubernetes API, before anything is
//! written. Each object is parsed into its k8s-openapi type (wrong types fail) and validated
//! against that type's JSON Schema with every object closed, so an unknown or misspelled field
//! fails too — a typed parse alone silently drops it. `certmanager`, `gateway` and `prometheus`
//! hold the closed types of the cert-manager, Gateway API and prometheus-operator kinds fabgen
//! renders, so they are checked like built-in kinds. The checks read the rendered
//! `serde_yaml::Value` itself (`instance`); only an object that fails is copied to JSON, to
//! say what is wrong with it as jsonschema and serde say it of JSON. An object the schema made
//! as strict as the typed parse admits (`strict`) is not parsed: every object of the examples
//! but those with base64 data.
//!
//! Takes a `crate::render::Rendered`, or one object at a time as it is rendered, and hands
//! nothing on: it passes or lists every problem.

pub mod certmanager;
pub mod gateway;
mod instance;
pub mod prometheus;
mod shape;
mod strict;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use anyhow::{Result, bail};
use k8s_openapi::Resource;
use k8s_openapi::api::{apps, batch, core, networking, policy, rbac};
use schemars::JsonSchema;

use crate::render::node::{Node, Tree};
use crate::render::{Object, Rendered};

type TypedParse = fn(serde_json::Value) -> Result<(), serde_json::Error>;
type TypedRead = fn(&serde_yaml::Value) -> Result<(), serde_yaml::Error>;

/// One checkable kind: its closed schema, compiled to walk the rendered YAML value itself
/// (`instance`), once as it is and once as strict as the typed read (`strict`), and, the first
/// time an object fails, to walk its JSON copy and say why; its typed parse from either; and
/// its shapes (to tell lists and maps, which the API server drops when empty, from structs,
/// which it keeps).
struct KindCheck {
    schema: serde_json::Value,
    /// The schema as it is, compiled the first time an object the strict one refuses needs it
    /// (most kinds never do: compiling it for each up front was half the checker's start).
    fast: OnceLock<jsonschema::Validator<instance::Yaml>>,
    strict: jsonschema::Validator<instance::Yaml>,
    validator: OnceLock<jsonschema::Validator>,
    read: TypedRead,
    parse: TypedParse,
    shapes: shape::Shapes,
}

impl KindCheck {
    /// Whether `value` passes every check, walking it where it stands (`instance`); `false`
    /// says only that [`Checker::check_object`] must find the problems the JSON way. A value
    /// the strict schema admits needs no typed read; any other is read.
    fn passes(&self, value: &serde_yaml::Value) -> bool {
        let node = Node::Yaml(value);
        match self.shapes.plain_and_stored(node) {
            None => false,
            Some(numbers) => {
                self.passes_strictly(node, numbers) || (self.fast().is_valid(node) && (self.read)(value).is_ok())
            }
        }
    }

    /// Whether `value` passes every check without a typed read: plain, stored, integers only,
    /// and the strict schema admits it. `false` says only that the typed read must decide.
    fn passes_unread(&self, value: Node) -> bool {
        self.shapes.plain_and_stored(value).is_some_and(|numbers| self.passes_strictly(value, numbers))
    }

    /// Whether a plain and stored `value` passes without a typed read: integers only, and the
    /// strict schema admits it.
    fn passes_strictly(&self, value: Node, numbers: shape::Numbers) -> bool {
        numbers == shape::Numbers::Integers && self.strict.is_valid(value)
    }

    /// Every problem of `object`, found on its JSON copy: what the walk in [`KindCheck::passes`]
    /// found wrong, said as jsonschema, the shapes and serde say it of JSON.
    fn problems(&self, object: &Object) -> Result<Vec<String>> {
        let json = object.to_json()?;
        // Collecting errors walks the object as a valid one is walked, but builds each error:
        // only an object that is not valid is walked twice.
        let validator = self.validator();
        let mut problems: Vec<String> = if validator.is_valid(&json) {
            Vec::new()
        } else {
            validator
                .iter_errors(&json)
                .map(|e| {
                    let at = e.instance_path().as_str().to_string();
                    format!("{}: {e}", if at.is_empty() { "/" } else { &at })
                })
                .collect()
        };
        if problems.is_empty() {
            self.shapes.stored_away(&json, &mut problems);
        }
        if problems.is_empty()
            && let Err(e) = (self.parse)(json)
        {
            problems.push(format!("does not parse as {}: {e}", object.kind));
        }
        Ok(problems)
    }

    /// The validator of JSON copies, compiled the first time an object fails.
    fn validator(&self) -> &jsonschema::Validator {
        self.validator.get_or_init(|| jsonschema::validator_for(&self.schema).expect("k8s-openapi schemas are valid"))
    }

    /// The schema as it is, walking values where they stand.
    fn fast(&self) -> &jsonschema::Validator<instance::Yaml> {
        self.fast.get_or_init(|| {
            jsonschema::options_for::<instance::Yaml>().build(&self.schema).expect("k8s-openapi schemas are valid")
        })
    }
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
    let strict = jsonschema::options_for::<instance::Yaml>()
        .build(&strict::schema(&schema, api_version, kind))
        .expect("strict schemas are valid");
    let read: TypedRead = |v| T::deserialize(v).map(|_| ());
    let parse: TypedParse = |v| serde_json::from_value::<T>(v).map(|_| ());
    let shapes = shape::Shapes::new(&schema);
    (
        (api_version, kind),
        KindCheck { schema, fast: OnceLock::new(), strict, validator: OnceLock::new(), read, parse, shapes },
    )
}

impl Checker {
    /// This process's checker: the schemas compile once, the first time any command needs them,
    /// and stay until the process ends (dropping every kind's compiled schemas took about 5 ms
    /// at the end of each render).
    pub fn shared() -> &'static Checker {
        static SHARED: OnceLock<Checker> = OnceLock::new();
        SHARED.get_or_init(Checker::new)
    }

    /// Starts compiling this process's checker on the thread pool, for a command that will
    /// check objects but first reads its spec on this thread: the schemas compile on the core
    /// reading the spec leaves idle, and [`Checker::shared`] waits for them only if it is
    /// called before they are ready.
    pub fn prepare() {
        rayon::spawn(|| {
            Checker::shared();
        });
    }

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
        let kind = self.kind(object)?;
        if kind.passes(&object.value) {
            return Ok(Vec::new());
        }
        kind.problems(object)
    }

    /// How `object`'s kind is checked, or why it cannot be.
    fn kind<'a>(&'a self, object: &'a Object) -> Result<&'a KindCheck> {
        let Some(kind) = self.kinds.get(&(object.api_version.as_str(), object.kind.as_str())) else {
            let known: Vec<String> = self.kinds.keys().map(|(a, k)| format!("{a} {k}")).collect();
            bail!(
                "{} {} has a kind fabgen cannot check (known: {})",
                object.api_version,
                object.kind,
                known.join(", ")
            );
        };
        Ok(kind)
    }

    /// Whether a document read as a tree (`render::node`) passes every check without its
    /// typed read: what the strict schema admits (`strict`). `false` says only that it must be
    /// checked as an [`Object`] ([`Checker::check_object`]), which says why when it fails.
    pub fn passes_unread(&self, api_version: &str, kind: &str, tree: &Tree) -> bool {
        self.kinds.get(&(api_version, kind)).is_some_and(|check| check.passes_unread(Node::Tree(tree)))
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
    // In file order, as the map holds them.
    let objects = checked
        .objects
        .into_iter()
        .filter_map(|(file, (problems, kept))| {
            report.extend(problems);
            Some((file, kept?))
        })
        .collect();
    verdict(report)?;
    Ok(Rendered { objects })
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

    /// Every object of every example, rendered as `render` renders it, with its example.
    fn every_example_object() -> Vec<(std::path::PathBuf, Object)> {
        use crate::render::{Knobs, Mode, TemplateSet};
        let mut objects = Vec::new();
        let values = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("values");
        let mut examples: Vec<_> = std::fs::read_dir(values).unwrap().map(|e| e.unwrap().path()).collect();
        examples.sort();
        for path in examples.iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
            let spec = crate::spec::SpecSource::read(path).unwrap().load().unwrap();
            let (network, _) = crate::model::resolve(&spec).unwrap();
            let knobs = Knobs::new(Mode::Manifests, &network.values);
            let rendered = crate::render::render(&TemplateSet::embedded(), &network, &knobs).unwrap();
            objects.extend(rendered.objects.into_values().map(|object| (path.clone(), object)));
        }
        objects
    }

    /// One object of each kind from each template of each example.
    fn example_objects() -> Vec<Object> {
        let mut seen = std::collections::BTreeSet::new();
        let mut objects = Vec::new();
        for (path, object) in every_example_object() {
            let template = object.origin.split(' ').next().unwrap_or_default().to_string();
            if seen.insert((path, object.kind.clone(), template)) {
                objects.push(object);
            }
        }
        objects
    }

    /// Variants of `value`, each one change away: a leaf of another type, a list or map
    /// emptied, an unknown key added, a key removed, at every node.
    fn mutants(value: &serde_yaml::Value) -> Vec<serde_yaml::Value> {
        use serde_yaml::Value as Y;
        let mut out = match value {
            Y::String(_) => vec![Y::Number(5.into()), Y::String("%".into())],
            // Past the widths serde reads (i32, i64), and floats, whole or not.
            Y::Number(_) => vec![
                Y::String("x".into()),
                Y::Bool(true),
                Y::Number((-1).into()),
                Y::Number((i64::from(i32::MAX) + 1).into()),
                Y::Number((i64::from(i32::MIN) - 1).into()),
                Y::Number(u64::MAX.into()),
                Y::Number(2.0.into()),
                Y::Number(0.5.into()),
            ],
            Y::Bool(_) => vec![Y::String("yes".into())],
            // A Time where the server writes `null`.
            Y::Null => vec![Y::String("x".into()), Y::String("2024-01-01T00:00:00Z".into())],
            Y::Sequence(_) => vec![Y::Sequence(Vec::new()), Y::String("x".into())],
            Y::Mapping(map) => {
                let mut unknown = map.clone();
                unknown.insert("fabgenUnknown".into(), Y::Number(1.into()));
                vec![Y::Mapping(serde_yaml::Mapping::new()), Y::Mapping(unknown), Y::Null]
            }
            Y::Tagged(_) => Vec::new(),
        };
        match value {
            Y::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    for m in mutants(item) {
                        let mut changed = items.clone();
                        changed[i] = m;
                        out.push(Y::Sequence(changed));
                    }
                }
            }
            Y::Mapping(map) => {
                for (key, item) in map {
                    let mut removed = map.clone();
                    removed.shift_remove(key);
                    out.push(Y::Mapping(removed));
                    for m in mutants(item) {
                        let mut changed = map.clone();
                        changed.insert(key.clone(), m);
                        out.push(Y::Mapping(changed));
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// The walk over the rendered value passes exactly what the JSON way passes, on every kind
    /// of object the examples render and on hundreds of variants of each (so the fast way
    /// never lets through what the JSON way refuses, and the examples never need the JSON way).
    #[test]
    fn the_walk_over_the_yaml_value_passes_exactly_what_the_json_way_passes() {
        let checker = Checker::new();
        let (mut passed, mut refused, mut trees) = (0, 0, 0);
        let objects = example_objects();
        assert!(objects.len() > 100, "only {} objects", objects.len());
        for object in objects {
            let kind = checker.kind(&object).unwrap();
            assert!(kind.passes(&object.value), "{} {} does not pass the walk", object.kind, object.name);
            assert_eq!(kind.problems(&object).unwrap(), Vec::<String>::new(), "{}", object.origin);
            let all = mutants(&object.value);
            for value in all.iter().step_by(all.len() / 300 + 1) {
                let variant = Object { value: value.clone(), ..object.clone() };
                let fast = kind.passes(value);
                let problems = kind.problems(&variant).unwrap();
                // Read as a tree, it passes unread only what passes.
                if let Some(tree) = Tree::owned(value.clone())
                    && checker.passes_unread(&object.api_version, &object.kind, &tree)
                {
                    assert!(problems.is_empty(), "{} {}: {problems:?}", object.kind, object.name);
                    trees += 1;
                }
                assert_eq!(
                    fast,
                    problems.is_empty(),
                    "{} {}: {problems:?}\n{}",
                    object.kind,
                    object.name,
                    serde_yaml::to_string(value).unwrap()
                );
                if fast { passed += 1 } else { refused += 1 }
            }
        }
        assert!(passed > 1000 && refused > 1000, "{passed} variants passed, {refused} refused");
        assert!(trees > 1000, "only {trees} variants passed as trees");
    }

    /// The strings [`Shaped`] picks from: edges of the typed read (a time, base64, a quantity)
    /// and what the custom kinds' patterns ask (TLSRoute's parent, backend and hostnames,
    /// ServiceMonitor's path and interval, a nested PersistentVolumeClaim's type).
    const STRINGS: [&str; 14] = [
        "x",
        "",
        "2024-01-01T00:00:00Z",
        "aGk=",
        "%%",
        "v1",
        "1Gi",
        "Gateway",
        "gateway.networking.k8s.io",
        "Service",
        "/x",
        "30s",
        "peer0.example.com",
        "PersistentVolumeClaim",
    ];

    /// Random values shaped by a kind's schema: each field there or not, lists and maps of
    /// zero to two entries, and leaves mostly of the schema's type, at the edges serde cares
    /// about (integers past 32 and 64 bits, whole floats, times, base64, a wrong `apiVersion`),
    /// sometimes of another type or null. A fixed xorshift: deterministic.
    struct Shaped<'a> {
        root: &'a serde_json::Value,
        next: Box<dyn FnMut(usize) -> usize>,
    }

    impl Shaped<'_> {
        fn below(&mut self, n: usize) -> usize {
            (self.next)(n)
        }

        fn value(&mut self, schema: &serde_json::Value, depth: usize) -> serde_yaml::Value {
            use serde_yaml::Value as Y;
            let schema = super::shape::resolve(schema, self.root);
            if self.below(100) == 0 {
                return self.leaf("any");
            }
            for choice in ["anyOf", "oneOf"] {
                if let Some(serde_json::Value::Array(branches)) = schema.get(choice) {
                    let branch = &branches[self.below(branches.len())];
                    return self.value(branch, depth);
                }
            }
            if let Some(value) = schema.get("const").or_else(|| {
                schema.get("enum").and_then(|e| e.as_array()).and_then(|e| e.get(self.below(e.len().max(1))))
            }) {
                return serde_yaml::to_value(value).unwrap();
            }
            let ty = match schema.get("type") {
                Some(serde_json::Value::Array(types)) => types[self.below(types.len())].as_str().unwrap_or("any"),
                Some(serde_json::Value::String(ty)) => ty.as_str(),
                _ if schema.get("properties").is_some() => "object",
                _ => "any",
            };
            match (ty, depth) {
                ("object" | "array", 0) => Y::Null,
                ("array", _) => {
                    let items = schema.get("items").cloned().unwrap_or_default();
                    let len = if self.below(10) == 0 { 0 } else { 1 + self.below(2) };
                    Y::Sequence((0..len).map(|_| self.value(&items, depth - 1)).collect())
                }
                ("object", _) => {
                    let mut map = serde_yaml::Mapping::new();
                    if let Some(serde_json::Value::Object(properties)) = schema.get("properties") {
                        let required = schema.get("required").and_then(|r| r.as_array());
                        for (key, child) in properties {
                            let is_required = required.is_some_and(|r| r.iter().any(|n| n == key.as_str()));
                            if is_required || self.below(4) == 0 {
                                let value = self.value(child, depth - 1);
                                map.insert(key.as_str().into(), value);
                            }
                        }
                    } else if let Some(open) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                        for i in 0..if self.below(10) == 0 { 0 } else { 1 + self.below(2) } {
                            map.insert(format!("k{i}").into(), self.value(open, depth - 1));
                        }
                    }
                    Y::Mapping(map)
                }
                ("string", _) if schema.get("pattern").is_some() && self.below(16) != 0 => {
                    let pattern = regex::Regex::new(schema["pattern"].as_str().unwrap_or_default()).unwrap();
                    let matching: Vec<serde_yaml::Value> =
                        STRINGS.iter().filter(|s| pattern.is_match(s)).map(|s| Y::String((*s).into())).collect();
                    if matching.is_empty() { self.leaf("string") } else { matching[self.below(matching.len())].clone() }
                }
                (ty, _) => self.leaf(schema.get("format").and_then(|f| f.as_str()).unwrap_or(ty)),
            }
        }

        fn leaf(&mut self, what: &str) -> serde_yaml::Value {
            use serde_yaml::Value as Y;
            let integers = [
                Y::Number(0.into()),
                Y::Number(7051.into()),
                Y::Number((-1).into()),
                Y::Number(i64::from(i32::MAX).into()),
                Y::Number((i64::from(i32::MAX) + 1).into()),
                Y::Number((i64::from(i32::MIN) - 1).into()),
                Y::Number(i64::MAX.into()),
                Y::Number(u64::MAX.into()),
                Y::Number(65536.into()),
                Y::Number(4294967296u64.into()),
                Y::Number(2.0.into()),
            ];
            let strings = STRINGS.map(|s| Y::String(s.into()));
            let other = [Y::Null, Y::Bool(true), Y::Number(0.5.into())];
            let pick = |shaped: &mut Self, from: &[Y]| from[shaped.below(from.len())].clone();
            match (what, self.below(16)) {
                (_, 0) => pick(self, &other),
                ("boolean", _) => Y::Bool(self.below(2) == 0),
                ("string" | "byte" | "date-time", _) => pick(self, &strings),
                ("integer" | "int32" | "int64" | "uint16" | "uint32" | "number" | "double", _) => {
                    if self.below(4) == 0 { pick(self, &integers) } else { Y::Number((1 + self.below(100)).into()) }
                }
                _ if self.below(2) == 0 => pick(self, &integers),
                _ => pick(self, &strings),
            }
        }
    }

    /// Whatever the strict schema admits (integers only) the typed read reads, for every
    /// field of every kind, not just those the examples use.
    #[test]
    fn what_the_strict_schema_admits_the_typed_read_reads() {
        let checker = Checker::new();
        let (mut strict, mut tried) = (0, 0);
        let mut by_kind = Vec::new();
        for ((api_version, kind_name), kind) in &checker.kinds {
            let mut shaped =
                Shaped { root: &kind.schema, next: Box::new(crate::render::xorshift(0x2545_f491_4f6c_dd1d)) };
            let before = strict;
            for _ in 0..1000 {
                let mut value = shaped.value(&kind.schema, 6);
                if let serde_yaml::Value::Mapping(map) = &mut value
                    && shaped.below(5) != 0
                {
                    map.insert("apiVersion".into(), (*api_version).into());
                    map.insert("kind".into(), (*kind_name).into());
                }
                tried += 1;
                let unread = kind
                    .shapes
                    .plain_and_stored(Node::Yaml(&value))
                    .filter(|n| kind.passes_strictly(Node::Yaml(&value), *n));
                if let Some(tree) = Tree::owned(value.clone()) {
                    assert_eq!(kind.passes_unread(Node::Tree(&tree)), unread.is_some(), "{kind_name}: {tree:?}");
                }
                let Some(numbers) = kind.shapes.plain_and_stored(Node::Yaml(&value)) else { continue };
                if kind.passes_strictly(Node::Yaml(&value), numbers) {
                    strict += 1;
                    assert!(
                        (kind.read)(&value).is_ok(),
                        "{kind_name}: the strict schema admits what the typed read refuses: {:?}\n{}",
                        (kind.read)(&value).err(),
                        serde_yaml::to_string(&value).unwrap()
                    );
                }
            }
            by_kind.push((*kind_name, strict - before));
        }
        assert!(
            strict > 2000 && by_kind.iter().all(|(_, n)| *n >= 3),
            "{strict} of {tried} values passed the strict schema: {by_kind:?}"
        );
    }

    /// The strict schema is what the examples' objects take (no typed read), all but those
    /// with base64 data (a package ConfigMap's `binaryData`), which are read.
    #[test]
    fn the_examples_objects_need_no_typed_read_but_base64_data() {
        let checker = Checker::new();
        let (mut strict, mut read) = (0, 0);
        for (_, object) in every_example_object() {
            let kind = checker.kind(&object).unwrap();
            let numbers = kind.shapes.plain_and_stored(Node::Yaml(&object.value)).unwrap();
            let has_bytes = object.value.get("binaryData").is_some() || object.kind == "Secret";
            assert_eq!(
                kind.passes_strictly(Node::Yaml(&object.value), numbers),
                !has_bytes,
                "{} {}",
                object.kind,
                object.name
            );
            if has_bytes { read += 1 } else { strict += 1 }
        }
        assert!(strict > 100 && read > 0, "{strict} strict, {read} read");
    }

    #[test]
    fn a_float_where_an_integer_belongs_fails_as_the_typed_read_says() {
        let checker = Checker::new();
        // JSON Schema counts 7051.0 as an integer; serde reads no float as an i32.
        for (port, problem) in [("7051.0", "does not parse as Service"), ("7051.5", "is not of type \"integer\"")] {
            let float = object(&SERVICE.replace("port: 7051", &format!("port: {port}")));
            assert!(!checker.kind(&float).unwrap().passes(&float.value), "{port}");
            let problems = checker.check_object(&float).unwrap();
            assert!(problems.iter().any(|p| p.contains(problem)), "{port}: {problems:?}");
        }
        let wide = object(&SERVICE.replace("targetPort: grpc", "targetPort: 2147483648"));
        assert!(!checker.check_object(&wide).unwrap().is_empty());
        let quantity = object(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {resources: {requests: {storage: 1.5}}}\n",
        );
        assert!(checker.check_object(&quantity).unwrap().is_empty(), "a Quantity reads floats");
    }

    #[test]
    fn a_value_json_holds_differently_goes_the_json_way() {
        let checker = Checker::new();
        let config_map =
            |data: &str| object(&format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata: {data}\n"));
        let passes = |o: &Object| checker.kind(o).unwrap().passes(&o.value);
        assert!(passes(&config_map("{a: one}")));
        // JSON makes the key "1", which a ConfigMap may carry: the walk leaves it to the JSON way.
        let number_key = config_map("{1: one}");
        assert!(!passes(&number_key));
        assert_eq!(checker.check_object(&number_key).unwrap(), Vec::<String>::new());
        let tagged = config_map("!x {a: b}");
        assert!(!passes(&tagged));
        assert!(!checker.check_object(&tagged).unwrap().is_empty());
        let nan = object("apiVersion: v1\nkind: Service\nmetadata: {name: c}\nspec: {ports: [{port: .nan}]}\n");
        assert!(!passes(&nan));
        assert!(!checker.check_object(&nan).unwrap().is_empty());
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
