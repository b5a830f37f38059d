//! `fabgen explain <path>`: a spec field's description, type, default, allowed values and
//! fields, read from the spec's JSON Schema (the one editors use), like `kubectl explain`.
//! Paths are dotted field names; list items need no index (`chaincodes.tls`,
//! `orgs.peers.name`; `orgs[0].peers` is read the same).

use anyhow::{Result, bail};
use serde_json::Value;

/// The explanation of the field at `path` (empty: the whole spec).
pub fn explain(schema: &Value, path: &str) -> Result<String> {
    let mut node = resolve(schema, schema);
    let mut walked = Vec::new();
    let mut field_text = description(schema);
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let name = segment.split('[').next().unwrap_or(segment);
        let object = items_of(schema, node);
        let Some(child) = properties(schema, object).into_iter().find(|(n, _)| n == name).map(|(_, v)| v) else {
            let known: Vec<String> = properties(schema, object).into_iter().map(|(n, _)| n).collect();
            let at = if walked.is_empty() { "the spec".to_string() } else { walked.join(".") };
            if known.is_empty() {
                bail!("{at} has no fields; \"{name}\" is not one of them");
            }
            bail!("{at} has no field \"{name}\" (fields: {})", known.join(", "));
        };
        walked.push(name.to_string());
        field_text = description(child);
        node = child;
    }

    let mut out = String::new();
    let title = if walked.is_empty() { "(the network spec)".to_string() } else { walked.join(".") };
    out.push_str(&format!("FIELD: {title} <{}>\n", type_name(node)));
    if let Some(text) = field_text.or_else(|| description(resolve(schema, node))) {
        out.push_str(&format!("\nDESCRIPTION:\n{}\n", indent(&text)));
    }
    if let Some(default) = node.get("default") {
        out.push_str(&format!("\nDEFAULT: {default}\n"));
    }
    let values = allowed_values(schema, node);
    if !values.is_empty() {
        out.push_str("\nVALUES:\n");
        for (value, text) in values {
            out.push_str(&format!(
                "  {value}{}\n",
                text.map(|t| format!("\t{}", t.replace('\n', " "))).unwrap_or_default()
            ));
        }
    }
    let fields = properties(schema, items_of(schema, node));
    if !fields.is_empty() {
        let required = required(schema, items_of(schema, node));
        out.push_str("\nFIELDS:\n");
        for (name, field) in fields {
            let mark = if required.contains(&name) { " -required-" } else { "" };
            let first = description(field).map(|d| d.lines().next().unwrap_or("").to_string()).unwrap_or_default();
            out.push_str(&format!("  {name}\t<{}>{mark}\n    {first}\n", type_name(field)));
        }
    }
    Ok(out)
}

/// A `$ref` followed to its definition; an `Option`'s `anyOf [T, null]` to `T`.
fn resolve<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
    if let Some(reference) = node.get("$ref").and_then(Value::as_str)
        && let Some(name) = reference.strip_prefix("#/$defs/")
        && let Some(target) = schema["$defs"].get(name)
    {
        return resolve(schema, target);
    }
    if let Some(options) = node.get("anyOf").and_then(Value::as_array) {
        let not_null: Vec<&Value> = options.iter().filter(|o| o.get("type") != Some(&Value::from("null"))).collect();
        if let [only] = not_null.as_slice() {
            return resolve(schema, only);
        }
    }
    node
}

/// What a path segment descends into: an object, or a list's items.
fn items_of<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
    let node = resolve(schema, node);
    match node.get("items") {
        Some(items) => resolve(schema, items),
        None => node,
    }
}

/// The fields of an object (of every `oneOf` variant, for either-or objects), in schema order.
fn properties<'a>(schema: &'a Value, node: &'a Value) -> Vec<(String, &'a Value)> {
    let node = resolve(schema, node);
    let mut out: Vec<(String, &Value)> = Vec::new();
    if let Some(map) = node.get("properties").and_then(Value::as_object) {
        out.extend(map.iter().map(|(k, v)| (k.clone(), v)));
    }
    for variant in node.get("oneOf").and_then(Value::as_array).into_iter().flatten() {
        for (k, v) in properties(schema, variant) {
            if !out.iter().any(|(n, _)| *n == k) {
                out.push((k, v));
            }
        }
    }
    out
}

fn required(schema: &Value, node: &Value) -> Vec<String> {
    let node = resolve(schema, node);
    node.get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn description(node: &Value) -> Option<String> {
    node.get("description").and_then(Value::as_str).map(str::to_string)
}

/// `string`, `integer`, `[]ChaincodeSpec`, `Launcher`...
fn type_name(node: &Value) -> String {
    if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_string();
    }
    if let Some(items) = node.get("items") {
        return format!("[]{}", type_name(items));
    }
    if let Some(options) = node.get("anyOf").and_then(Value::as_array) {
        let names: Vec<String> =
            options.iter().filter(|o| o.get("type") != Some(&Value::from("null"))).map(type_name).collect();
        return names.join(" | ");
    }
    match node.get("type") {
        Some(Value::String(t)) if t == "object" && node.get("additionalProperties").is_some_and(Value::is_object) => {
            format!("map[string]{}", type_name(&node["additionalProperties"]))
        }
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => {
            ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect::<Vec<_>>().join(" | ")
        }
        _ if node.get("oneOf").is_some() => "one of".to_string(),
        _ => "any".to_string(),
    }
}

/// The values an enum field allows, with their descriptions.
fn allowed_values(schema: &Value, node: &Value) -> Vec<(String, Option<String>)> {
    let node = resolve(schema, node);
    let mut out = Vec::new();
    for value in node.get("enum").and_then(Value::as_array).into_iter().flatten() {
        out.push((value.to_string(), None));
    }
    for variant in node.get("oneOf").and_then(Value::as_array).into_iter().flatten() {
        if let Some(value) = variant.get("const") {
            out.push((value.to_string(), description(variant)));
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explained(path: &str) -> String {
        explain(&crate::spec::json_schema(), path).unwrap()
    }

    #[test]
    fn explains_a_field_with_its_type_default_and_description() {
        let out = explained("chaincodes.tls");
        assert!(out.starts_with("FIELD: chaincodes.tls <boolean>\n"), "{out}");
        assert!(out.contains("Mutual TLS between the org's peers and the chaincode server."), "{out}");
        assert!(out.contains("DEFAULT: true"), "{out}");
        // Indexes are read as the list's items.
        assert_eq!(explained("chaincodes[1].tls"), out);
    }

    #[test]
    fn lists_allowed_values_and_fields() {
        let launcher = explained("chaincodes.launcher");
        assert!(
            launcher.contains("<Launcher>") && launcher.contains("\"k8s-builder\"\tfabric-builder-k8s"),
            "{launcher}"
        );
        let orgs = explained("orgs");
        assert!(orgs.starts_with("FIELD: orgs <[]PeerOrgSpec>"), "{orgs}");
        assert!(orgs.contains("\n  peers\t<[]PeerSpec>") && orgs.contains("\n  name\t<string> -required-"), "{orgs}");
        let root = explained("");
        assert!(root.contains("\n  chaincodes\t<[]ChaincodeSpec>"), "{root}");
    }

    #[test]
    fn an_unknown_field_names_the_known_ones() {
        let err = explain(&crate::spec::json_schema(), "orgs.peer").unwrap_err().to_string();
        assert!(err.starts_with("orgs has no field \"peer\" (fields: ") && err.contains("peers"), "{err}");
    }
}
