//! A kind's schema made as strict as its typed read, so an object that passes it needs no typed
//! read: the read built every object's k8s-openapi value only to drop it (about a tenth of a
//! large render).
//!
//! The closed schema already refuses more than the typed read does (unknown fields, a `null`
//! where a field is optional). It admits more in a few places only, each a type whose read is
//! written by hand (k8s-openapi 0.29, `src/v1_33/...`) or a number format, and there it is
//! tightened or closed:
//! - integer formats (`int32`, `int64`, `uint16`, ...): serde reads an integer of that width,
//!   so the schema gets its range;
//! - `x-kubernetes-int-or-string` (`apimachinery/pkg/util/intstr/int_or_string.rs`: a string or
//!   an integer that fits in 32 bits; `api/resource/quantity.rs` also takes wider numbers): a
//!   string or a 32-bit integer;
//! - `byte` (`byte_string.rs`, base64): closed; an object with one is read the typed way;
//! - `date-time` (`apis/meta/v1/time.rs`, `micro_time.rs`, RFC 3339): closed, except that an
//!   optional field's `null` (the API server's `creationTimestamp: null`) stays admitted;
//! - any other format: closed;
//! - `apiVersion` and `kind` of a resource (`api/batch/v1/job.rs`, and a PersistentVolumeClaim
//!   inside a StatefulSet): its own, and nothing else.
//!
//! Floats are left to the caller (serde reads no float as an integer, while JSON Schema counts
//! `2.0` as one): a value with a float is read the typed way. Tests hold the strict schema
//! against the typed read on every kind of object the examples render and on variants of each.

use serde_json::{Map, Value, json};

/// `schema` (the closed schema of the kind `api_version` `kind`, definitions under `$defs`),
/// with every node the typed read is stricter about tightened or closed, and `apiVersion` and
/// `kind` fixed, as k8s-openapi's read of a resource checks them (`api/batch/v1/job.rs`).
pub(super) fn schema(schema: &Value, api_version: &str, kind: &str) -> Value {
    let mut strict = schema.clone();
    tighten(&mut strict, schema);
    fix_type(&mut strict, Some((api_version, kind)));
    if let Some(Value::Object(definitions)) = strict.get_mut("$defs") {
        for (name, definition) in definitions.iter_mut() {
            fix_type(definition, nested_resource(name));
        }
    }
    strict
}

/// The `apiVersion` and `kind` of the resources fabgen renders inside others (a StatefulSet's
/// `volumeClaimTemplates`), by schema name.
fn nested_resource(name: &str) -> Option<(&'static str, &'static str)> {
    use k8s_openapi::Resource;
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;
    use schemars::JsonSchema;
    (name == PersistentVolumeClaim::schema_name())
        .then_some((PersistentVolumeClaim::API_VERSION, PersistentVolumeClaim::KIND))
}

/// A node with both `apiVersion` and `kind` may be a resource, whose read refuses any other
/// `apiVersion` or `kind` than its own: they are fixed to `resource`'s, or closed when it is
/// not known (a type that reads them as any string is then read the typed way).
fn fix_type(node: &mut Value, resource: Option<(&str, &str)>) {
    let Some(Value::Object(properties)) = node.get_mut("properties") else { return };
    if !(properties.contains_key("apiVersion") && properties.contains_key("kind")) {
        return;
    }
    let (api_version, kind) = match resource {
        Some((api_version, kind)) => (json!({ "const": api_version }), json!({ "const": kind })),
        None => (Value::Bool(false), Value::Bool(false)),
    };
    properties.insert("apiVersion".into(), api_version);
    properties.insert("kind".into(), kind);
}

/// Tightens `node` and every node below it; `root` resolves `$ref`s (in the original schema).
fn tighten(node: &mut Value, root: &Value) {
    match node {
        Value::Object(map) => {
            if let Some(closed) = closed_or_tightened(map) {
                *node = closed;
                return;
            }
            admit_null_for_optional_times(map, root);
            for (_, child) in map.iter_mut() {
                tighten(child, root);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| tighten(item, root)),
        _ => {}
    }
}

/// `Some(false)` for a node the typed read checks in ways the schema cannot; `None` after
/// tightening a node in place (or leaving it as it is).
fn closed_or_tightened(map: &mut Map<String, Value>) -> Option<Value> {
    if map.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        // k8s-openapi's int-or-string nodes say nothing else; one that does is left to the read.
        if map.contains_key("anyOf") {
            return Some(Value::Bool(false));
        }
        map.insert("anyOf".into(), json!([{ "type": "string" }, int32()]));
        return None;
    }
    let format = map.get("format")?.as_str().unwrap_or_default().to_string();
    if matches!(format.as_str(), "double" | "float") {
        return None;
    }
    let Some((minimum, maximum)) = integer_range(&format) else {
        return Some(Value::Bool(false));
    };
    let keep_tighter = |key: &str, limit: Value, tighter: fn(f64, f64) -> bool| match map.get(key) {
        Some(given) if given.as_f64().zip(limit.as_f64()).is_some_and(|(g, l)| tighter(g, l)) => given.clone(),
        _ => limit,
    };
    let minimum = keep_tighter("minimum", minimum, |given, limit| given > limit);
    let maximum = keep_tighter("maximum", maximum, |given, limit| given < limit);
    map.insert("minimum".into(), minimum);
    map.insert("maximum".into(), maximum);
    None
}

/// A 32-bit integer, as IntOrString reads one.
fn int32() -> Value {
    json!({ "type": "integer", "minimum": i32::MIN, "maximum": i32::MAX })
}

/// The range serde reads for an integer of OpenAPI or schemars `format`; `None` for a format
/// that is not an integer's.
fn integer_range(format: &str) -> Option<(Value, Value)> {
    Some(match format {
        "int8" => (json!(i8::MIN), json!(i8::MAX)),
        "int16" => (json!(i16::MIN), json!(i16::MAX)),
        "int32" => (json!(i32::MIN), json!(i32::MAX)),
        "int64" => (json!(i64::MIN), json!(i64::MAX)),
        "uint8" => (json!(0), json!(u8::MAX)),
        "uint16" => (json!(0), json!(u16::MAX)),
        "uint32" => (json!(0), json!(u32::MAX)),
        "uint64" | "uint" => (json!(0), json!(u64::MAX)),
        _ => return None,
    })
}

/// An optional field of type Time or MicroTime reads `null` as absent, and the closed
/// `date-time` node would refuse it: such a field admits `null` only. A required one is read
/// with `missing_field` when `null` (`apis/meta/v1/condition.rs`), so it stays closed.
fn admit_null_for_optional_times(map: &mut Map<String, Value>, root: &Value) {
    let required: Vec<String> = match map.get("required") {
        Some(Value::Array(names)) => names.iter().filter_map(|n| n.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    let Some(Value::Object(properties)) = map.get_mut("properties") else { return };
    for (name, property) in properties.iter_mut() {
        if !required.contains(name) && is_date_time(property, root) {
            *property = json!({ "type": "null" });
        }
    }
}

/// Whether `node` is (or refers to) a `date-time` string.
fn is_date_time(node: &Value, root: &Value) -> bool {
    super::shape::resolve(node, root).get("format").and_then(Value::as_str) == Some("date-time")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn schema(schema: &serde_json::Value) -> serde_json::Value {
        super::schema(schema, "v1", "Test")
    }

    fn validator(schema: &serde_json::Value) -> jsonschema::Validator {
        jsonschema::validator_for(schema).unwrap()
    }

    #[test]
    fn integer_formats_get_their_ranges_keeping_tighter_bounds() {
        let strict = schema(&json!({ "properties": {
            "a": { "type": "integer", "format": "int32" },
            "b": { "type": ["integer", "null"], "format": "uint32", "minimum": 0 },
            "c": { "type": "integer", "format": "uint16", "minimum": 1, "maximum": 65535 },
            "d": { "type": "integer", "format": "int64" },
            "e": { "type": "integer", "format": "uint32", "maximum": 1000 },
        }}));
        let v = validator(&strict);
        assert!(v.is_valid(&json!({ "a": 2147483647, "b": 4294967295u64, "c": 1, "d": i64::MIN, "e": 1000 })));

        for bad in [
            json!({ "a": 2147483648u64 }),
            json!({ "a": -2147483649i64 }),
            json!({ "b": 4294967296u64 }),
            json!({ "b": -1 }),
            json!({ "c": 0 }),
            json!({ "d": u64::MAX }),
            json!({ "e": 1001 }),
        ] {
            assert!(!v.is_valid(&bad), "{bad}");
        }
    }

    #[test]
    fn a_resources_api_version_and_kind_are_its_own_and_an_unknown_ones_closed() {
        let pvc = "io.k8s.api.core.v1.PersistentVolumeClaim";
        let typed = json!({ "type": "object", "properties": { "apiVersion": { "type": "string" }, "kind": { "type": "string" } } });
        let root = json!({
            "$defs": { pvc: typed, "Other": typed },
            "properties": {
                "apiVersion": { "type": "string" },
                "kind": { "type": "string" },
                "claim": { "$ref": format!("#/$defs/{pvc}") },
                "other": { "$ref": "#/$defs/Other" },
            },
        });
        let v = validator(&schema(&root));
        assert!(v.is_valid(&json!({ "apiVersion": "v1", "kind": "Test", "claim": { "apiVersion": "v1", "kind": "PersistentVolumeClaim" }, "other": {} })));
        for bad in [
            json!({ "apiVersion": "v2" }),
            json!({ "kind": "Other" }),
            json!({ "claim": { "apiVersion": "apps/v1" } }),
            json!({ "claim": { "kind": "Pod" } }),
            json!({ "other": { "apiVersion": "v1" } }),
            json!({ "other": { "kind": "Other" } }),
        ] {
            assert!(!v.is_valid(&bad), "{bad}");
        }
    }

    #[test]
    fn int_or_string_is_a_string_or_a_32_bit_integer() {
        let v = validator(&schema(&json!({ "properties": { "p": { "x-kubernetes-int-or-string": true } } })));
        assert!(v.is_valid(&json!({ "p": "grpc" })));
        assert!(v.is_valid(&json!({ "p": 7051 })));
        for bad in [json!(2147483648u64), json!(true), json!(null), json!([1]), json!({})] {
            assert!(!v.is_valid(&json!({ "p": bad })), "{bad}");
        }
        let said_more = schema(&json!({ "properties": { "p": {
            "x-kubernetes-int-or-string": true, "anyOf": [{ "type": "string", "maxLength": 1 }],
        }}}));
        assert!(!validator(&said_more).is_valid(&json!({ "p": "x" })), "left to the typed read");
    }

    #[test]
    fn base64_and_unknown_formats_are_closed() {
        let v = validator(&schema(&json!({ "properties": {
            "data": { "type": "object", "additionalProperties": { "type": "string", "format": "byte" } },
            "when": { "type": "string", "format": "duration" },
            "ratio": { "type": "number", "format": "double" },
        }})));
        assert!(v.is_valid(&json!({ "data": {}, "ratio": 1 })));
        assert!(!v.is_valid(&json!({ "data": { "a": "aGk=" } })));
        assert!(!v.is_valid(&json!({ "when": "1s" })));
    }

    #[test]
    fn an_optional_time_admits_only_null_and_a_required_one_nothing() {
        let root = json!({
            "$defs": { "Time": { "type": ["string", "null"], "format": "date-time" } },
            "properties": {
                "optional": { "$ref": "#/$defs/Time" },
                "condition": {
                    "properties": { "at": { "$ref": "#/$defs/Time" } },
                    "required": ["at"],
                },
            },
        });
        let v = validator(&schema(&root));
        assert!(v.is_valid(&json!({ "optional": null })));
        assert!(!v.is_valid(&json!({ "optional": "2024-01-01T00:00:00Z" })));
        assert!(!v.is_valid(&json!({ "condition": { "at": null } })));
        assert!(!v.is_valid(&json!({ "condition": { "at": "2024-01-01T00:00:00Z" } })));
    }
}
