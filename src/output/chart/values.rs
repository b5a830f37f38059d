//! A chart's `values.yaml` (the sections its templates read), its JSON Schema, and its README.

use std::collections::BTreeSet;

use anyhow::{Context, Result};

use super::shared::global;
use crate::model::Network;
use crate::model::values::ChartValues;

/// The values a chart's knobs read: only the sections its objects use.
pub(super) fn chart_values(
    network: &Network,
    reads: &BTreeSet<&Vec<String>>,
    has_namespace: bool,
) -> Result<serde_json::Value> {
    let all = serde_json::to_value(&network.values)?;
    let mut out = serde_json::Map::new();
    let mut keep = |path: &[String]| {
        // Keep `orgs.<org>` and `chaincodes.<cc>` whole, other sections whole.
        let depth = if matches!(path.first().map(String::as_str), Some("orgs" | "chaincodes")) { 2 } else { 1 };
        let prefix = &path[..depth.min(path.len())];
        let mut src = &all;
        let mut dst = &mut out;
        for (i, key) in prefix.iter().enumerate() {
            src = &src[key.as_str()];
            if i + 1 == prefix.len() {
                dst.insert(key.clone(), src.clone());
            } else {
                dst = dst
                    .entry(key.clone())
                    .or_insert_with(|| serde_json::Value::Object(Default::default()))
                    .as_object_mut()
                    .expect("sections are objects");
            }
        }
    };
    keep(&global("labels"));
    if has_namespace {
        keep(&["namespace".to_string()]);
    }
    for path in reads {
        keep(path);
    }
    Ok(serde_json::Value::Object(out))
}

/// `values.schema.json`: the schemars schema of `ChartValues`, narrowed to this chart:
/// sections it lacks are gone, and `orgs` / `chaincodes` accept exactly its names.
pub fn values_schema(values: &serde_json::Value) -> Result<serde_json::Value> {
    let mut schema = serde_json::to_value(schemars::schema_for!(ChartValues))?;
    let present: BTreeSet<String> = values.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    let props = schema["properties"].as_object_mut().context("schema has properties")?;
    props.retain(|k, _| present.contains(k));
    // Sections a chart has are objects, not "object or null": say so, for plain messages.
    for prop in props.values_mut() {
        let inner = prop.get("anyOf").and_then(|a| a.as_array()).and_then(|variants| {
            let non_null: Vec<&serde_json::Value> =
                variants.iter().filter(|v| v.get("type") != Some(&"null".into())).collect();
            (non_null.len() == 1 && variants.len() == 2).then(|| non_null[0].clone())
        });
        if let Some(mut inner) = inner {
            if let (Some(d), Some(obj)) = (prop.get("description").cloned(), inner.as_object_mut()) {
                obj.insert("description".into(), d);
            }
            *prop = inner;
        }
    }
    for section in ["orgs", "chaincodes"] {
        let Some(prop) = props.get_mut(section) else { continue };
        let item = prop["additionalProperties"].clone();
        let names: serde_json::Map<String, serde_json::Value> = values[section]
            .as_object()
            .map(|o| o.keys().map(|k| (k.clone(), item.clone())).collect())
            .unwrap_or_default();
        prop["properties"] = serde_json::Value::Object(names);
        prop["additionalProperties"] = serde_json::Value::Bool(false);
    }
    // Env names as the spec allows them: valid, and none of those fabgen sets itself (a second
    // CHAINCODE_ID would override the package ID).
    if let Some(env) = schema.pointer_mut("/$defs/ChaincodeValues/properties/env") {
        env["propertyNames"] = serde_json::json!({
            "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
            "not": { "enum": crate::spec::validate::RESERVED_CHAINCODE_ENV },
        });
    }
    // Several ordering organisations keep their orderer storage under `orgs`.
    if values["orderers"].is_object()
        && values["orderers"].get("storage").is_none()
        && let Some(orderers) = schema.pointer_mut("/$defs/OrdererValues")
    {
        if let Some(properties) = orderers["properties"].as_object_mut() {
            properties.remove("storage");
        }
        if let Some(required) = orderers["required"].as_array_mut() {
            required.retain(|r| r != "storage");
        }
    }
    schema["required"] = serde_json::Value::Array(Vec::new());
    Ok(schema)
}

/// The chart's README: what it is, how it installs, `picture` (the network's topology,
/// `output::manifests::picture`), the Secrets it needs and its values.
pub(super) fn readme(
    name: &str,
    values: &serde_json::Value,
    schema: &serde_json::Value,
    network: &Network,
    picture: &str,
) -> String {
    let mut rows = Vec::new();
    value_rows(schema, schema, values, "", &mut rows);
    let table: Vec<String> = rows
        .into_iter()
        .map(|(key, ty, default, description)| format!("| `{key}` | {ty} | `{default}` | {description} |"))
        .collect();
    format!(
        "# {name}\n\nHyperledger Fabric network `{net}` (Fabric {fabric}) as a Helm chart, generated by fabgen from the network spec. Regenerate it with `fabgen chart` instead of editing it: the topology (organisations, peers, channels, chaincodes) lives in the spec; this chart's values hold the knobs an operator turns.\n\n```sh\nkubectl apply -f namespace-{ns}.yaml   # from fabgen render\nhelm install {name} . -n {ns} --set namespace.create=false\n```\n\nThe chart installs into namespace `{ns}` only: the chaincode packages, whose IDs the Deployments carry, embed Service addresses there. `values.schema.json` rejects unknown keys and wrong types on install, upgrade, lint and template. With the defaults below the chart renders exactly the objects of `fabgen render`. Helm keeps the release record in the namespace, so with the helm CLI create the namespace first (apply `namespace-{ns}.yaml` from `fabgen render`, which carries the Pod Security labels) and set `namespace.create=false`; Argo CD and `helm template` can keep the default, which renders the Namespace. Storage values are install-time only: Kubernetes refuses changes to a StatefulSet's volume claim templates.\n\n{graph}\n## Secrets\n\nThe chart never holds key material. Create these Secrets in `{ns}` before the pods can start (`fabgen crypto` writes them all, or bring your own):\n\n{SECRETS}\n## Values\n\n| Key | Type | Default | Description |\n|---|---|---|---|\n{}\n",
        table.join("\n"),
        net = network.name,
        fabric = network.fabric_version,
        ns = network.namespace,
        graph = picture,
    )
}

/// One row per leaf value, and per empty or structured value (lists, maps), in key order.
/// What each kind of Secret the objects reference must hold (fabgen's README has the same).
const SECRETS: &str = "| Secret | Keys |\n|---|---|\n| `<node>-msp` | `cert.pem` (signing certificate), `key.pem` (its key), `cacert.pem` (org CA), `tlscacert.pem` (org TLS CA), `config.yaml` (NodeOUs) |\n| `<node>-tls` | `tls.crt`, `tls.key`, `ca.crt` (`kubernetes.io/tls` layout, as cert-manager writes it) |\n| `<peer>-couchdb` | `username`, `password` |\n| `ca-<org>-admin` | `username`, `password` (the CA's bootstrap identity) |\n";

fn value_rows(
    root: &serde_json::Value,
    schema: &serde_json::Value,
    value: &serde_json::Value,
    key: &str,
    rows: &mut Vec<(String, String, String, String)>,
) {
    let node = crate::spec::schema::schema_node(root, schema);
    let description = schema
        .get("description")
        .or_else(|| node.get("description"))
        .and_then(|d| d.as_str())
        .unwrap_or("")
        .replace('\n', " ");
    let descend = value.as_object().filter(|o| !o.is_empty() && node.get("properties").is_some());
    match descend {
        Some(map) => {
            for (k, v) in map {
                let child = &node["properties"][k.as_str()];
                let child_key = if key.is_empty() { k.clone() } else { format!("{key}.{k}") };
                value_rows(root, child, v, &child_key, rows);
            }
        }
        None => {
            let ty = match value {
                serde_json::Value::Null => match node.get("type") {
                    Some(serde_json::Value::String(t)) => t.clone(),
                    Some(serde_json::Value::Array(types)) => types
                        .iter()
                        .filter_map(|t| t.as_str())
                        .filter(|t| *t != "null")
                        .collect::<Vec<_>>()
                        .join(" or "),
                    _ => "object".to_string(),
                },
                serde_json::Value::Bool(_) => "bool".into(),
                serde_json::Value::Number(_) => "int".into(),
                serde_json::Value::String(_) => "string".into(),
                serde_json::Value::Array(_) => "list".into(),
                serde_json::Value::Object(_) => "map".into(),
            };
            rows.push((key.to_string(), ty, value.to_string().replace('|', "\\|"), description));
        }
    }
}
