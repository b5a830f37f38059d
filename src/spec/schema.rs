//! The spec's JSON Schema (generated from the types by schemars, printed by `fabgen schema`)
//! and its violations as diagnostics on YAML paths: unknown fields name the known ones, enums
//! name their allowed values.

use super::diagnostic::Diagnostic;
use super::source_map::{field_path, index_path};
use super::types::NetworkSpec;

/// The schema node `node` stands for: `$ref`s followed and `anyOf: [T, null]` (how schemars
/// writes `Option<T>`) unwrapped to `T`. Used to name known fields and describe values.
pub fn schema_node<'a>(root: &'a serde_json::Value, node: &'a serde_json::Value) -> &'a serde_json::Value {
    if let Some(target) =
        node.get("$ref").and_then(|r| r.as_str()).and_then(|r| root.pointer(r.trim_start_matches('#')))
    {
        return schema_node(root, target);
    }
    let non_null = node
        .get("anyOf")
        .and_then(|a| a.as_array())
        .and_then(|variants| variants.iter().find(|v| v.get("type") != Some(&serde_json::json!("null"))));
    match non_null {
        Some(v) => schema_node(root, v),
        None => node,
    }
}

/// The JSON Schema of the spec, as printed by `fabgen schema`.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(NetworkSpec);
    serde_json::to_value(schema).expect("a schema always serialises")
}

/// Every violation of the spec's JSON Schema, as diagnostics on YAML paths.
pub fn diagnostics(schema: &serde_json::Value, value: &serde_json::Value) -> Vec<Diagnostic> {
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
    let mut node = schema_node(schema, schema);
    for s in segments {
        let next = if s.parse::<usize>().is_ok() {
            node.get("items")
        } else {
            node.get("properties").and_then(|p| p.get(s.as_str())).or_else(|| node.get("additionalProperties"))
        };
        node = schema_node(schema, next?);
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_rejects_unknown_fields_everywhere() {
        let schema = json_schema();
        let text = schema.to_string();
        // Every object type of the spec is closed: no typo is silently ignored.
        let defs = schema["$defs"].as_object().expect("definitions");
        for (name, def) in defs {
            if def.get("properties").is_some() {
                assert_eq!(def["additionalProperties"], false, "{name} is open");
            }
        }
        assert!(text.contains("\"default\""), "defaults are explicit in the schema");
    }

    #[test]
    fn schema_states_defaults() {
        let schema = json_schema();
        let cc = &schema["$defs"]["ChaincodeSpec"]["properties"];
        assert_eq!(cc["port"]["default"], 7052);
        assert_eq!(cc["replicas"]["default"], 1);
        assert_eq!(cc["dialTimeout"]["default"], "10s");
    }

    #[test]
    fn dotted_paths_from_pointer_segments() {
        let segs: Vec<String> = ["chaincodes", "1", "orgs", "0"].iter().map(|s| s.to_string()).collect();
        assert_eq!(dotted(&segs), "chaincodes[1].orgs[0]");
    }
}
